"""The report's "change over time" section: only with waves, and it shows the core's numbers."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lisa
from lisa.change import WavesConfig, compare_waves
from lisa.cli import app
from lisa.io import write_study
from lisa.report import build_report, render_html

runner = CliRunner()


@pytest.fixture(scope="module")
def place():  # type: ignore[no-untyped-def]
    return lisa.generate(150, seed=5, waves=2, second_periphery_connection=0.5)


@pytest.fixture(scope="module")
def comparison(place):  # type: ignore[no-untyped-def]
    return compare_waves(place, config=WavesConfig(permutations=100, resamples=200))


@pytest.fixture(scope="module")
def page(place, comparison) -> str:  # type: ignore[no-untyped-def]
    return render_html(build_report(lisa.analyse(place), change=comparison))


def section(page: str) -> str:
    start = page.index('<section id="change"')
    return page[start : page.index("</section>", start)]


def test_the_section_comes_after_resilience_in_the_contents(page: str) -> None:
    assert page.index('href="#change"') > page.index('href="#resilience"')
    assert page.index('<section id="change"') > page.index('<section id="resilience"')
    assert page.index('<section id="change"') < page.index('<section id="innovations"')


def test_no_section_for_a_single_survey() -> None:
    model = build_report(lisa.analyse(lisa.generate(80, seed=1)))
    assert model.change is None
    page = render_html(model)
    assert 'id="change"' not in page and 'href="#change"' not in page


def rows(fragment: str) -> list[list[str]]:
    return [
        [html.unescape(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S)
    ]


def test_the_tie_table_shows_the_comparison_counts(page: str, comparison) -> None:  # type: ignore[no-untyped-def]
    table = rows(section(page))
    for ch in [*comparison.relations.values(), comparison.combined]:
        row = [ch.label, f"{ch.kept:,}", f"{ch.gained:,}", f"{ch.lost:,}", f"{ch.never:,}", f"{ch.hamming:,}"]
        assert row in table, ch.label


def test_changed_findings_and_the_trend_are_shown(page: str, comparison) -> None:  # type: ignore[no-untyped-def]
    from lisa.change import describe_trend

    text = html.unescape(section(page))
    for f in comparison.changed_findings():
        assert f.title in text
    assert describe_trend(comparison.connected_difference) in text
    assert comparison.connected_difference.trend == "grew" and "it grew" in text


def test_the_section_names_nobody(page: str, place) -> None:  # type: ignore[no-untyped-def]
    text = section(page)
    for pid, name in zip(place.ids, place.names, strict=True):
        assert f">{pid}<" not in text and name not in text


def test_lisa_report_adds_the_section_for_a_study_with_waves(tmp_path: Path, place) -> None:  # type: ignore[no-untyped-def]
    folder = write_study(place, tmp_path / "study")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(folder), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert '<section id="change"' in out.read_text()
    first = tmp_path / "first.html"
    result = runner.invoke(app, ["report", str(folder), "--out", str(first), "-q", "--wave", "2024"])
    assert result.exit_code == 0, result.output
    assert 'id="change"' not in first.read_text()  # nothing before the first wave
