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
    for code in ("exclusive-core", "excluded-group", "core-departure-risk"):
        assert code in text
    data = json.loads((out / "analysis.json").read_text("utf-8"))
    assert {"exclusive-core", "excluded-group"} <= {f["code"] for f in data["findings"]}
    assert (out / "study" / "people.csv").exists()
    assert (out / "exports" / "network.graphml").exists()
    assert (out / "exports" / "network.gexf").exists()


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
