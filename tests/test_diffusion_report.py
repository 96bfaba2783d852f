"""The report's "How an idea would spread" section: present only with a diffusion result,
its numbers those of the result, nobody named when pseudonymised, other data refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.cli import app
from lisa.errors import ConfigError, InputInvalid
from lisa.report import build_report, render_html
from lisa.report.charts import pct
from lisa.scenarios import DiffusionConfig, simulate
from lisa.scenarios.diffusion import STRATEGY_TEXT, read_diffusion


@pytest.fixture(scope="module")
def spread(demo_study, demo_result):  # type: ignore[no-untyped-def]
    cfg = DiffusionConfig(runs=100, k=3, strategies=("hubs", "random", "greedy"), greedy_runs=10)
    return simulate(demo_result.study, cfg, analysis=demo_result)


def test_the_section_shows_the_results_numbers(demo_result, spread) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result, diffusion=spread)
    assert ("diffusion", "How an idea would spread") in model.sections
    anchors = [a for a, _ in model.sections]
    assert anchors.index("diffusion") == anchors.index("resilience") + 1
    view = model.diffusion
    assert view is not None
    for row, o in zip(view.figure.rows, spread.strategies, strict=True):
        assert row[0] == STRATEGY_TEXT[o.strategy]
        assert row[4] == pct(o.everyone.mean[-1] / spread.people)
    html = render_html(model)
    assert 'id="diffusion"' in html and "Share of the place who have heard" in html
    assert "1 − 1/e" in html
    hub = demo_result.study.names[demo_result.study.index_of(spread.outcome("hubs").seeds[0])]
    assert hub in html
    printed = render_html(model, mode="pdf")  # the board paper prints the numbers beside the chart
    assert 'id="diffusion"' in printed and view.figure.rows[0][4] in printed


def test_no_section_without_a_diffusion_result(demo_result) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result)
    assert model.diffusion is None and "diffusion" not in [a for a, _ in model.sections]
    assert 'id="diffusion"' not in render_html(model)


def test_pseudonymised_section_names_nobody(demo_result, spread) -> None:  # type: ignore[no-untyped-def]
    html = render_html(build_report(demo_result, diffusion=spread, pseudonymise=True))
    study = demo_result.study
    for pid in spread.outcome("hubs").seeds + spread.outcome("greedy").seeds:
        i = study.index_of(pid)
        assert study.names[i] not in html
        assert f">{pid}<" not in html and f"{pid};" not in html


def test_a_diffusion_of_other_data_is_refused(demo_result) -> None:  # type: ignore[no-untyped-def]
    import lisa

    other = simulate(lisa.generate(80, seed=2), DiffusionConfig(runs=5, strategies=("random",)))
    with pytest.raises(ConfigError, match="other data"):
        build_report(demo_result, diffusion=other)


def test_report_command_takes_a_diffusion_json(demo_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    spread = tmp_path / "d.json"
    r = runner.invoke(app, ["simulate", str(demo_dir), "--runs", "30", "--strategy", "random",
                            "--json", str(spread), "-q"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", str(demo_dir), "--diffusion", str(spread), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert 'id="diffusion"' in out.read_text("utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"settings": 3}', "utf-8")
    r = runner.invoke(app, ["report", str(demo_dir), "--diffusion", str(bad), "--out", str(out), "-q"])
    assert r.exit_code == 2 and "problem" in r.output
    r = runner.invoke(app, ["report", str(demo_dir), "--diffusion", str(tmp_path / "no.json"), "-q"])
    assert r.exit_code == 3


def test_read_diffusion_names_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_bytes(b"\xff\xfe not json")
    with pytest.raises(InputInvalid):
        read_diffusion(bad)
