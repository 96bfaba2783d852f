"""The map's progressive path for large places, in a real browser, at a modest size.

A large place draws at most ``linkBudget`` links a view, in growing steps after
the first render. Here a generated 1,000-person place is given a small budget
and step, so the same path runs in a few seconds; the 100,000-person figures
are a benchmark (``benchmarks/report_bench.py --people 100000``), not a test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DESKTOP

BUDGET = 6000
STEP = 1000
HOLD = "window.lisaMapHoldLinks = true;"


@pytest.fixture(scope="module")
def big_result() -> Any:
    from lisa.analysis import analyse
    from lisa.synth import generate

    return analyse(generate(1000, seed=3))


@pytest.fixture(scope="module")
def thinned_report(big_result: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lisa.report import build_report, write_html
    from lisa.report.mapdata import build_map

    model = build_report(big_result)
    model.map_payload = build_map(big_result, link_budget=BUDGET, link_step=STEP).payload
    assert model.map_payload["edges"] > BUDGET  # the place must be larger than the budget
    return write_html(model, tmp_path_factory.mktemp("big") / "report.html")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, offline=True)
    context.add_init_script(HOLD)  # links pause after their first step until released
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def marks(page: Any) -> dict[str, float | None]:
    return page.evaluate(
        """() => Object.fromEntries(
            ['lisa-map-interactive', 'lisa-map-links-first', 'lisa-map-links-drawn']
            .map(n => [n, (performance.getEntriesByName(n)[0] || {}).startTime ?? null]))"""
    )


def test_the_map_is_usable_while_links_load_and_says_what_it_shows(
    page: Any, thinned_report: Path, big_result: Any
) -> None:
    page.goto(thinned_report.as_uri())
    page.wait_for_function("window.lisaMap && window.lisaMap.linksFirstAt !== null", timeout=20_000)
    first = marks(page)
    assert first["lisa-map-interactive"] is not None
    assert first["lisa-map-links-first"] is not None
    assert first["lisa-map-links-drawn"] is None  # still loading: held after the first step
    assert first["lisa-map-interactive"] <= first["lisa-map-links-first"]
    assert page.evaluate("window.lisaMap.linksLoaded") is False
    assert page.evaluate("window.lisaMap.drawn()") == STEP
    assert "Drawing links" in page.inner_text("#map-status")

    # The map answers a search while the links are still loading.
    study = big_result.study
    hub = big_result.key_people("hub", limit=1)[0]
    index = study.index_of(hub.id)
    page.fill("#map-search", hub.name)
    page.wait_for_selector(f"#map-opt-{index}", timeout=5_000)
    page.click(f"#map-opt-{index}")
    assert page.evaluate("window.lisaMap.state.selected") == index
    assert page.evaluate("window.lisaMap.linksLoaded") is False
    # All of the selected person's links are drawn, not only the strongest.
    src, tgt, _ = study.arcs()
    theirs = {int(b) if int(a) == index else int(a) for a, b in zip(src, tgt, strict=True) if index in (a, b)}
    neighbours = page.evaluate(f"window.lisaMap.graph.neighbors('{index}').map(Number)")
    assert set(neighbours) == theirs
    assert f"Links in this view{len(theirs)}" in page.inner_text("#map-details").replace("\n", "")

    page.evaluate("window.lisaMapHoldLinks = false")
    page.wait_for_function("window.lisaMap.linksLoaded", timeout=20_000)
    done = marks(page)
    assert done["lisa-map-links-first"] <= done["lisa-map-links-drawn"]  # type: ignore[operator]
    assert page.evaluate("window.lisaMap.drawn()") == BUDGET
    total = page.evaluate("window.lisaMap.total()")
    assert total == int(page.evaluate("JSON.parse(document.getElementById('lisa-map-data').textContent).edges"))
    page.click("#map-clear")
    assert f"{BUDGET:,} of {total:,} links (the strongest)" in page.inner_text("#map-status")
    assert f"{total:,} links in all relations combined" in page.inner_text("#map-thinned")
    assert f"at most {BUDGET:,}" in page.inner_text("#map-thinned")


def test_the_strongest_links_are_drawn_first(page: Any, thinned_report: Path, big_result: Any) -> None:
    page.add_init_script("window.lisaMapHoldLinks = false;")
    page.goto(thinned_report.as_uri())
    page.wait_for_function("window.lisaMap && window.lisaMap.linksLoaded", timeout=20_000)
    study = big_result.study
    strength: dict[tuple[int, int], int] = {}
    for rel in study.relation_names:
        src, tgt, _ = study.arcs(rel)
        for pair in {(min(a, b), max(a, b)) for a, b in zip(src.tolist(), tgt.tolist(), strict=True)}:
            strength[pair] = strength.get(pair, 0) + 1
    drawn = page.evaluate(
        "window.lisaMap.graph.mapEdges((e, a, s, t) => [Math.min(+s, +t), Math.max(+s, +t)])"
    )
    drawn_strength = sorted(strength[(a, b)] for a, b in drawn)
    ranked = sorted(strength.values(), reverse=True)
    assert len(drawn) == BUDGET
    assert drawn_strength[0] >= ranked[BUDGET - 1]  # nothing weaker than the budget's last
    assert sum(drawn_strength) == sum(ranked[:BUDGET])
