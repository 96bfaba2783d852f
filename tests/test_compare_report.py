"""The report section "Compared with other places": present only with a comparison, and its
numbers are the comparison's."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.analysis import analyse
from lisa.cli import app
from lisa.compare import compare
from lisa.io import write_study
from lisa.report import build_report, render_html
from lisa.report.model import SECTIONS
from lisa.synth import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reportregion")
    for k in range(6):
        write_study(generate(70 + 25 * k, seed=20 + k, name=f"Ward {k}",
                             preset="open" if k % 2 else "appendix-c"), root / f"w{k}")  # fmt: skip
    return root


def test_the_section_shows_the_comparisons_numbers(region: Path) -> None:
    comparison, got = compare([region], workers=1, progress=False)

    result = analyse(got.studies["Ward 3"].study(), reference=comparison.reference_for("Ward 3"))
    compared = comparison.place("Ward 3").high_networking
    found = result.finding("high-networking")
    # the report's findings judge networking against the same places as the section
    assert (found is None) == (compared is None)
    if found is not None and compared is not None:
        assert found.model_dump() == compared.model_dump()
    model = build_report(result, comparison=comparison)
    assert ("compare", "Compared with other places") in model.sections
    anchors = [a for a, _ in model.sections]
    assert anchors.index("resilience") + 1 == anchors.index("compare")
    view = model.comparison
    assert view is not None and view.places == 5
    mine = comparison.place("Ward 3")
    rows = {row[0]: row for row in view.standing.rows}
    density = next(s for s in mine.standings if s.key == "density")
    assert rows["density"][2] == f"{density.percentile:.0f}" and rows["density"][3] == "5"
    assert [r[0] for r in view.alike.rows] == [a.name for a in mine.most_alike]
    page = render_html(model)
    assert '<section id="compare"' in page
    assert html.escape("Compared with other places") in page
    for a in mine.most_alike:
        assert html.escape(a.name) in page
    networking = next(f for f in view.indicators if "Networking level" in f.chart.title)
    assert sorted(r[0] for r in networking.rows) == sorted(p.place.name for p in comparison.places)


def test_without_a_comparison_the_report_is_unchanged(demo_result) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result)
    assert model.comparison is None and model.sections == list(SECTIONS)
    assert '<section id="compare"' not in render_html(model)


def test_lisa_compare_writes_the_places_report(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "ward1.html"
    done = runner.invoke(app, ["compare", str(region), "--place", "Ward 1", "--report", str(out), "-q"])
    assert done.exit_code == 0, done.output
    page = out.read_text("utf-8")
    assert '<section id="compare"' in page and "Ward 1 among the 5 other places" in page


def test_a_report_needs_a_place(region: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, ["compare", str(region), "--report", str(tmp_path / "x.html"), "-q"])
    assert done.exit_code == 2 and "--place" in done.output
    assert not (tmp_path / "x.html").exists()
