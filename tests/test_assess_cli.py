"""The command line: lisa assess template, lisa assess FILE..., exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.assess import SCHEMA_VERSION
from lisa.cli import app

DATA = Path(__file__).parent / "data" / "assess"
runner = CliRunner()


def lisa(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    """Terminal output with rich's line wrapping undone."""
    return " ".join(text.split())


def test_template_prints_yaml_by_default() -> None:
    result = lisa("assess", "template")
    assert result.exit_code == 0
    assert "meta.innovation:" in result.stdout and "sign.trigger:" in result.stdout


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_template_written_to_a_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"t.{fmt}"
    result = lisa("assess", "template", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 1000


def test_assess_a_file_prints_phase_triangle_risks_and_recommendations() -> None:
    result = lisa("assess", str(DATA / "board-chair.yaml"))
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "Phase 2: mobilisation" in out
    assert "Strategic triangle" in out and "weakest" in out
    assert "Risks named for mobilisation" in out
    assert "Recommendations" in out and "why:" in out and "source: " in out
    # sources in words (title, publisher, year), not file numbers
    assert "source: seed" not in out and "NESTA" in out


def test_assess_several_assessors_shows_disagreements(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    result = lisa(
        "assess",
        str(DATA / "board-chair.yaml"),
        str(DATA / "frontline-lead.csv"),
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "Where the assessors disagree" in result.stdout
    doc = json.loads(out.read_text("utf-8"))
    assert doc["schema_version"] == SCHEMA_VERSION and SCHEMA_VERSION.startswith("1.")
    assert doc["kind"] == "lisa-assessment"
    assert len(doc["assessments"]) == 1
    assert doc["assessments"][0]["disagreements"]


def test_options_may_come_before_the_files(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    result = lisa("assess", "--json", str(out), str(DATA / "board-chair.yaml"))
    assert result.exit_code == 0, result.output
    assert out.exists()


@pytest.fixture(scope="module")
def analysis_json(demo_result, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A real 'lisa analyse --json' of the demo place."""
    return demo_result.write_json(tmp_path_factory.mktemp("analysis") / "analysis.json")


def test_findings_file_feeds_the_recommendations(tmp_path: Path, analysis_json: Path) -> None:
    out = tmp_path / "a.json"
    result = lisa(
        "assess",
        str(DATA / "board-chair.yaml"),
        "--findings",
        str(analysis_json),
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    recs = {r["id"] for r in doc["assessments"][0]["recommendations"]}
    assert "open-the-core" in recs
    assert doc["network_source"].endswith("analysis.json")


def test_network_option_runs_the_engine_as_analyse_does(demo_dir: Path, tmp_path: Path) -> None:
    answers = str(DATA / "board-chair.yaml")
    result = lisa("assess", answers, "--network", str(demo_dir), "--json", str(tmp_path / "a.json"))
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "a.json").read_text("utf-8"))
    found = set(doc["assessments"][0]["network_findings"])
    assert {"excluded-group", "thin-vertical-links"} <= found
    # the same settings as 'lisa analyse': a threshold moved by --set changes what fires
    result = lisa(
        "assess", answers, "--network", str(demo_dir), "--set", "thin_links_ratio=0",
        "--json", str(tmp_path / "b.json"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert "thin-vertical-links" not in doc["assessments"][0]["network_findings"]
    # a stored analysis of the same study is reused
    stored = tmp_path / "analysis.json"
    assert lisa("analyse", str(demo_dir), "--json", str(stored), "-q").exit_code == 0
    again = lisa("assess", answers, "--network", str(demo_dir), "--analysis", str(stored))
    assert again.exit_code == 0, again.output
    assert lisa("assess", answers, "--analysis", str(stored)).exit_code == 2


def test_bad_answers_exit_2_with_file_item_and_value() -> None:
    result = lisa("assess", str(DATA / "out-of-range.csv"), str(DATA / "unknown-item.yaml"))
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "out-of-range.csv" in err and "sign.pilots" in err and "'7'" in err
    assert "sign.triger" in err and "sign.trigger" in err
    assert "Traceback" not in result.output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = lisa("assess", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 3
    assert "no such answer file" in flat(result.stderr)


def test_bad_findings_file(tmp_path: Path) -> None:
    bad = tmp_path / "f.json"
    bad.write_text("{not json", "utf-8")
    result = lisa("assess", str(DATA / "board-chair.yaml"), "--findings", str(bad))
    assert result.exit_code == 2 and "not valid JSON" in flat(result.stderr)


def test_network_and_findings_together_are_refused(tmp_path: Path) -> None:
    result = lisa(
        "assess",
        str(DATA / "board-chair.yaml"),
        "--findings",
        str(tmp_path / "analysis.json"),
        "--network",
        str(tmp_path),
    )
    assert result.exit_code == 2


def test_assess_help_and_no_arguments() -> None:
    assert "template" in lisa("assess", "--help").stdout
    assert lisa("assess").exit_code in (0, 2)


def test_settings_lists_every_setting_with_its_default() -> None:
    from lisa.assess import AssessmentSettings

    result = lisa("assess", "settings")
    assert result.exit_code == 0, result.output
    for name, default, _ in AssessmentSettings.describe():
        assert f"{name} = {default!r}" in result.stdout
    assert "--rule NAME=VALUE" in result.stdout


def test_rule_overrides_a_setting_and_is_recorded(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    plain = lisa("assess", str(DATA / "board-chair.yaml"))
    result = lisa(
        "assess", str(DATA / "board-chair.yaml"), "--rule", "sign_present=0.85",
        "--rule", "stall_years=2", "--json", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Phase 2: mobilisation" in flat(plain.stdout)
    assert "Phase 2: mobilisation" not in flat(result.stdout)  # phase 2's mean 0.62 < 0.85
    settings = json.loads(out.read_text("utf-8"))["settings"]
    assert settings["sign_present"] == 0.85 and settings["stall_years"] == 2.0
    assert settings["weak"] == 0.5  # the others keep their defaults


def test_sensitivity_lists_the_answers_the_placement_hinges_on() -> None:
    cases = Path(__file__).resolve().parent.parent / "lisa" / "cases" / "data" / "assessments"
    result = lisa("assess", str(cases / "tower-hamlets.yaml"), "--sensitivity")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "What the placement hinges on" in out
    assert "sign.spread_services 4 → 3: phase 4 → 3" in out
    plain = flat(lisa("assess", str(cases / "tower-hamlets.yaml")).stdout)
    assert "What the placement hinges on" not in plain


def test_a_version_1_answer_file_is_assessed_with_a_warning_per_retired_id() -> None:
    result = lisa("assess", str(DATA / "version-1-answers.yaml"))
    assert result.exit_code == 0, result.output
    assert "was retired in item bank version 2" in flat(result.stderr)
    assert "Phase" in result.stdout


def test_the_json_holds_the_sensitivity_and_the_new_fields(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    cases = Path(__file__).resolve().parent.parent / "lisa" / "cases" / "data" / "assessments"
    assert lisa("assess", str(cases / "south-tyneside.yaml"), "--json", str(out)).exit_code == 0
    (a,) = json.loads(out.read_text("utf-8"))["assessments"]
    assert {"item", "answer", "to", "changes"} == set(a["sensitivity"][0])
    assert a["triangle"]["balanced"] is True and a["stage"]["basis"] == "items"
    assert a["phase"]["signs"][3]["decided_by"] == "key"
