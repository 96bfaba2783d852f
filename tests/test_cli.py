"""The command line end to end, through Typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.cli import app

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_demo_prints_findings_first_and_writes_outputs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = invoke("demo", "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    text = r.output
    assert text.index("Findings") < text.index("Key people")
    assert "lisa serve --demo" in " ".join(text.split())  # where to try the survey platform
    for code in ("exclusive-core", "excluded-group", "core-departure-risk"):
        assert code in text
    data = json.loads((out / "analysis.json").read_text("utf-8"))
    assert {"exclusive-core", "excluded-group"} <= {f["code"] for f in data["findings"]}
    assert (out / "study" / "people.csv").exists()
    assert (out / "exports" / "network.graphml").exists()
    assert (out / "exports" / "network.gexf").exists()


def test_demo_assesses_its_illustrative_innovation_and_reports_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = invoke("demo", "--out", out, "--people", "120")
    assert r.exit_code == 0, r.output
    assert "Youth employment hub" in r.output and "Phase 2: mobilisation" in r.output
    assert "more" in r.output  # only the first recommendations are printed
    answers = sorted((out / "examples" / "assess").glob("*.yaml"))
    assert len(answers) == 2 and all("ILLUSTRATIVE" in p.read_text("utf-8") for p in answers)
    html = (out / "report.html").read_text("utf-8")
    # the report has the assessment (both assessors, the spreading part) and the value ledger
    assert "No assessment supplied" not in html
    for text in ("Youth employment hub", "Hub coordinator", "Spreading it", "Value created"):
        assert text in html
    # the command the demo suggests next runs on what it wrote
    again = invoke("assess", *answers, "--network", out / "study", "--quiet")
    assert again.exit_code == 0 and "Phase 2: mobilisation" in again.output
    ledger = invoke("value", out / "examples" / "value" / "youth-hub.yaml")
    assert ledger.exit_code == 0, ledger.output
    # the copied README names the CSV form of the same ledger: it is there and adds up the same
    assert "youth-hub-csv" in (out / "examples" / "value" / "README.md").read_text("utf-8")
    as_csv = invoke("value", out / "examples" / "value" / "youth-hub-csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output == ledger.output


def test_generate_is_reproducible(tmp_path: Path) -> None:
    for name in ("a", "b"):
        r = invoke("generate", tmp_path / name, "--people", "80", "--seed", "3")
        assert r.exit_code == 0, r.output
    for f in ("people.csv", "ties.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_generate_rejects_bad_size(tmp_path: Path) -> None:
    r = invoke("generate", tmp_path / "x", "--people", "10")
    assert r.exit_code == 2
    assert "n_people" in r.output or "people" in r.output


def test_analyse_writes_json_matching_the_printed_findings(demo_dir: Path, tmp_path: Path) -> None:
    r = invoke("analyse", demo_dir, "--json", tmp_path / "a.json", "--quiet")
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "a.json").read_text("utf-8"))
    for f in data["findings"]:
        assert f["code"] in r.output


def test_analyse_writes_json_and_table_at_once_as_each_alone(demo_dir: Path, tmp_path: Path) -> None:
    """--json with --table writes the JSON in a forked child beside the table: a real process
    (a hang would be a timeout), and the same files as writing each alone."""
    import subprocess
    import sys

    import polars as pl

    lisa_bin = Path(sys.executable).parent / "lisa"
    both = [str(lisa_bin), "analyse", str(demo_dir), "--json", str(tmp_path / "both.json"),
            "--table", str(tmp_path / "both.parquet"), "--quiet"]
    done = subprocess.run(both, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    alone = invoke("analyse", demo_dir, "--json", tmp_path / "alone.json", "--quiet")
    assert alone.exit_code == 0, alone.output

    def untimed(path: Path) -> dict[str, object]:
        data = json.loads(path.read_text("utf-8"))
        data["computation"].pop("seconds")
        return data

    assert untimed(tmp_path / "both.json") == untimed(tmp_path / "alone.json")
    data = untimed(tmp_path / "both.json")
    networks = len(data["relations"]) + 1  # type: ignore[arg-type]
    assert pl.read_parquet(tmp_path / "both.parquet").height == networks * data["study"]["people"]  # type: ignore[index]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_analyse_matches_networkx_on_krackhardt(shared_networks: Path, tmp_path: Path) -> None:
    folder = shared_networks / "krackhardt_hightech"
    r = invoke("analyse", folder, "--json", tmp_path / "k.json", "--quiet")
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "k.json").read_text("utf-8"))
    ref = json.loads((folder / "reference.json").read_text("utf-8"))
    for rel, block in ref["relations"].items():
        for pid, want in block["nodes"].items():
            got = res["relations"][rel]["people"][pid]
            for key in ("in_degree", "out_degree", "betweenness", "closeness"):
                assert got[key] == pytest.approx(want[key], abs=1e-9), (rel, pid, key)


def test_analyse_refuses_invalid_data_without_traceback(demo_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(demo_dir, bad)
    ties = bad / "ties.csv"
    ties.write_text(ties.read_text("utf-8") + "nobody,p0001,work\n", "utf-8")
    before = ties.read_bytes()
    r = invoke("analyse", bad)
    assert r.exit_code == 2
    assert "nobody" in r.output and "ties.csv" in r.output
    assert "Traceback" not in r.output
    assert ties.read_bytes() == before  # nothing changed


def test_validate_lists_all_problems(demo_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(demo_dir, bad)
    ties = bad / "ties.csv"
    ties.write_text(
        ties.read_text("utf-8") + "nobody,p0001,work\np0001,p0001,work\np0002,p0003,gossip\n",
        "utf-8",
    )
    r = invoke("validate", bad)
    assert r.exit_code == 2
    for needle in ("nobody", "gossip", "p0001"):
        assert needle in r.output


def test_validate_ok(demo_dir: Path) -> None:
    r = invoke("validate", demo_dir)
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def test_missing_folder_exits_3(tmp_path: Path) -> None:
    r = invoke("analyse", tmp_path / "nowhere")
    assert r.exit_code == 3
    assert "nowhere" in r.output


def test_bad_setting_is_named(demo_dir: Path) -> None:
    r = invoke("analyse", demo_dir, "--set", "hub_quantile=2")
    assert r.exit_code == 2
    assert "hub_quantile" in r.output
    r = invoke("analyse", demo_dir, "--set", "no_such_thing=1")
    assert r.exit_code == 2
    assert "no_such_thing" in r.output


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_export_formats(demo_dir: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"net.{fmt}"
    r = invoke("export", demo_dir, "--format", fmt, "--out", target)
    assert r.exit_code == 0, r.output
    assert target.exists()


def test_pseudonymised_export_has_no_names(demo_dir: Path, demo_study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "net.graphml"
    r = invoke("export", demo_dir, "--format", "graphml", "--out", target, "--pseudonymise")
    assert r.exit_code == 0, r.output
    text = target.read_text("utf-8")
    for name in demo_study.names[:50]:
        assert name not in text


def test_every_command_has_help() -> None:
    for command in (
        "demo",
        "generate",
        "validate",
        "analyse",
        "export",
        "import-survey",
        "settings",
    ):
        r = invoke(command, "--help")
        assert r.exit_code == 0
        assert "Usage" in r.output


def small_study(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name,organisation,sector,layer,responded\n"
        "a,Ann Lee,Council,council,systemic,yes\nb,Bob Ray,Council,council,sectoral,yes\n"
        "c,Cara Sen,Food Bank,vcs,frontline,no\n",
        "utf-8",
    )
    (folder / "ties.csv").write_text(
        "source,target,relation,wave\na,b,work,2024\nb,c,work,2025\n", "utf-8"
    )
    return folder


def test_import_survey_reports_unmatched_names_and_writes_nothing(tmp_path: Path) -> None:
    folder = small_study(tmp_path)
    before = (folder / "ties.csv").read_bytes()
    export = tmp_path / "export.csv"
    export.write_text("respondent,work\nCara Sen,Ann Leigh\n", "utf-8")
    r = invoke("import-survey", export, "--study", folder)
    assert r.exit_code == 2
    assert "Ann Leigh" in r.output and "Ann Lee" in r.output
    assert (folder / "ties.csv").read_bytes() == before


def test_import_survey_adds_ties_and_marks_respondents(tmp_path: Path) -> None:
    folder = small_study(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text("respondent,work\ncara sen,ann lee; BOB RAY\n", "utf-8")
    r = invoke("import-survey", export, "--study", folder, "--dry-run")
    assert r.exit_code == 0 and "Matched 2 nominations from 1 respondents" in r.output
    assert "c,a" not in (folder / "ties.csv").read_text("utf-8")
    r = invoke("import-survey", export, "--study", folder)
    assert r.exit_code == 0, r.output
    ties = (folder / "ties.csv").read_text("utf-8")
    assert "c,a,work" in ties and "c,b,work" in ties
    assert "c,Cara Sen,Food Bank,vcs,frontline,yes" in (folder / "people.csv").read_text("utf-8")


def test_unknown_wave_is_named(tmp_path: Path) -> None:
    r = invoke("analyse", small_study(tmp_path), "--wave", "2030", "--quiet")
    assert r.exit_code == 2 and "2030" in r.output and "2024, 2025" in r.output


def test_export_unknown_relation_is_named(demo_dir: Path, tmp_path: Path) -> None:
    r = invoke(
        "export",
        demo_dir,
        "--relation",
        "gossip",
        "--no-with-metrics",
        "--out",
        tmp_path / "x.gexf",
        "--format",
        "gexf",
    )
    assert r.exit_code == 2 and "gossip" in r.output and "innovation" in r.output


def test_settings_lists_every_setting() -> None:
    from lisa.config import AnalysisConfig

    r = invoke("settings")
    assert r.exit_code == 0
    for name in AnalysisConfig.model_fields:
        assert name in r.output


def test_groupings_can_be_set_and_an_unknown_one_is_named(tmp_path: Path) -> None:
    folder = small_study(tmp_path)
    r = invoke(
        "analyse",
        folder,
        "--set",
        "groupings=layer,sector",
        "--json",
        tmp_path / "g.json",
        "--quiet",
    )
    assert r.exit_code == 0, r.output
    person = json.loads((tmp_path / "g.json").read_text("utf-8"))["combined"]["people"]["b"]
    assert set(person["brokerage"]) == {"layer", "sector"}
    r = invoke("analyse", folder, "--set", "groupings=layer,office", "--quiet")
    assert r.exit_code == 2 and "office" in r.output


@pytest.mark.parametrize("dataset", ["krackhardt_hightech", "lazega_lawfirm", "padgett_florentine"])
def test_full_summary_prints_for_the_published_networks(
    shared_networks: Path, dataset: str
) -> None:
    # no --quiet: the whole summary, including networks without a core (core fit "–")
    r = invoke("analyse", shared_networks / dataset)
    assert r.exit_code == 0, r.output
    assert "Networks" in r.output and "combined" in r.output
