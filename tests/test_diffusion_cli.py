"""``lisa simulate`` end to end: the comparison printed, the JSON written, bad options named
(exit 2), outputs refused before any work, and the study folder byte-identical afterwards."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.cli import app
from lisa.scenarios import Diffusion

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_simulate_compares_strategies_and_writes_json(demo_dir: Path, tmp_path: Path) -> None:
    before = checksums(demo_dir)
    out = tmp_path / "diffusion.json"
    r = invoke(
        "simulate", demo_dir, "--runs", 200, "-k", 3, "--strategy", "hubs", "--strategy", "random",
        "--strategy", "greedy", "--param", "greedy_runs=20", "--json", out, "-q",
    )
    assert r.exit_code == 0, r.output
    assert "How an idea would spread" in r.output and "1 − 1/e" in r.output
    result = Diffusion.model_validate_json(out.read_text("utf-8"))
    assert [o.strategy for o in result.strategies] == ["hubs", "random", "greedy"]
    assert result.settings.runs == 200 and result.settings.k == 3
    assert all(o.everyone.mean[0] == 3 for o in result.strategies)
    assert checksums(demo_dir) == before


def test_simulate_briefs_chosen_people(demo_dir: Path, tmp_path: Path, demo_study) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.json"
    people = demo_study.ids[:2]
    r = invoke(
        "simulate", demo_dir, "--person", people[0], "--person", people[1], "--runs", 50,
        "--model", "linear-threshold", "--param", "thresholds=normal", "--json", out, "-q",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text("utf-8"))
    assert data["strategies"][0]["strategy"] == "chosen"
    assert data["strategies"][0]["seeds"] == people


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--p", "1.5"], "setting 'p'"),
        (["--runs", "0"], "setting 'runs'"),
        (["--strategy", "oracle"], "'oracle'"),
        (["--person", "nobody"], "no person with id 'nobody'"),
        (["--relation", "advice"], "no relation named 'advice'"),
        (["--probability", "column"], "needs the setting 'column'"),
        (["--probability", "column", "--column", "trust"], "no column 'trust'"),
        (["--param", "speed=9"], "unknown setting 'speed'"),
        (["--param", "p"], "--param expects NAME=VALUE"),
        (["--p", "0.2", "--param", "p=0.3"], "both as an option and with --param"),
    ],
)
def test_bad_options_exit_2_with_a_named_error(demo_dir: Path, args: list[str], message: str) -> None:
    before = checksums(demo_dir)
    r = invoke("simulate", demo_dir, "--runs", 10, *args) if "--runs" not in args else invoke(
        "simulate", demo_dir, *args
    )
    assert r.exit_code == 2, r.output
    assert message in " ".join(r.output.split())
    assert "Traceback" not in r.output
    assert checksums(demo_dir) == before


def test_json_over_a_study_file_is_refused_first(demo_dir: Path) -> None:
    before = checksums(demo_dir)
    r = invoke("simulate", demo_dir, "--json", demo_dir / "ties.csv", "-q")
    assert r.exit_code == 3 and "overwrite" in r.output
    assert checksums(demo_dir) == before


def test_a_missing_study_exits_3(tmp_path: Path) -> None:
    r = invoke("simulate", tmp_path / "nowhere")
    assert r.exit_code == 3
