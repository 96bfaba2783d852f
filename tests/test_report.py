"""The locality report's content on the demo place: sections, numbers, privacy."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lisa.report import build_report, charts, render_html, write_report
from lisa.report.model import SECTIONS
from lisa.sources import pieces


@pytest.fixture(scope="module")
def demo_data(demo_result):  # type: ignore[no-untyped-def]
    return demo_result.to_dict()


@pytest.fixture(scope="module")
def model(demo_result, demo_data):  # type: ignore[no-untyped-def]
    return build_report(demo_result)


@pytest.fixture(scope="module")
def page(model) -> str:  # type: ignore[no-untyped-def]
    return render_html(model)


@pytest.fixture(scope="module")
def pseudo_page(demo_result) -> str:  # type: ignore[no-untyped-def]
    return render_html(build_report(demo_result, pseudonymise=True))


def text_of(page: str) -> str:
    """The visible text, roughly: tags and scripts stripped, entities decoded."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def map_payload(page: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script type="application/json" id="lisa-map-data">(.*?)</script>', page, re.S)
    assert m, "the map data block is missing"
    return json.loads(m.group(1))


def decode(payload: dict, key: str, dtype: str) -> np.ndarray:  # type: ignore[type-arg]
    return np.frombuffer(base64.b64decode(payload[key]), dtype=np.dtype(dtype).newbyteorder("<"))


@pytest.mark.parametrize(("anchor", "heading"), SECTIONS)
def test_every_section_is_present_in_order(page: str, anchor: str, heading: str) -> None:
    assert f'<section id="{anchor}"' in page
    assert html.escape(heading) in page
    positions = [page.index(f'<section id="{a}"') for a, _ in SECTIONS]
    assert positions == sorted(positions)


def test_findings_come_first_with_their_numbers(page: str, demo_data: dict) -> None:  # type: ignore[type-arg]
    text = text_of(page)
    first = text.index("Summary: what matters most", text.index("Contents") + 200)
    assert first < text.index("The network map", first)
    for f in demo_data["findings"]:
        assert f'data-code="{f["code"]}"' in page
        assert f["title"] in text
        assert f["detail"] in text
    loss = next(f for f in demo_data["findings"] if f["code"] == "core-departure-risk")
    assert charts.pct(loss["evidence"]["reach_loss"]) in text


def test_recommendations_say_why_and_where_from(model, demo_data) -> None:  # type: ignore[no-untyped-def]
    codes = {f["code"] for f in demo_data["findings"]}
    refs = {r["title"]: r["source"]["ref"] for r in demo_data["recommendations"]}
    network_recs = [r for r in model.recommendations if r.origin == "network"]
    assert network_recs, "the demo's findings should bring recommendations"
    answered = set()
    for rec in network_recs:
        assert rec.why.startswith("network finding '")
        named = {part.split("'")[1] for part in rec.why.split("; ")}
        assert named <= codes
        answered |= named
        # the report and section it comes from: the document's title and the section, in words
        for doc, section in pieces(refs[rec.title]):
            assert doc is not None and doc.title in rec.source
            assert section in rec.source
        assert "§" in rec.source and "seeds/" not in rec.source
        assert rec.cluster
    # every finding of the demo is answered by at least one recommendation
    assert answered == codes


def test_layer_numbers_equal_the_analysis(model, page: str, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    layers = demo_data["layers"]
    rows = {r[0]: r[1] for r in model.layer_picture.rows}
    for link in layers["links"]:
        if link["kind"] == "horizontal":
            assert rows[f"within {link['a']}"] == charts.num(link["density"], 4)
        else:
            assert rows[f"between {link['a']}-{link['b']}"] == charts.num(link["density"], 4)
    mixing = {r[0]: r[1:] for r in model.layer_mixing.rows}
    for i, a in enumerate(layers["groups"]):
        for j, b in enumerate(layers["groups"]):
            assert mixing[a][j] == charts.num(layers["density"][a][b], 4), (i, a, b)
    # the SVG heatmap cells carry the same numbers (as their aria-label)
    a, b = layers["groups"][0], layers["groups"][1]
    label = html.escape(f"{a} → {b}: {charts.num(layers['density'][a][b], 3)}")
    assert f'aria-label="{label}"' in model.layer_mixing.chart.svg
    assert f'aria-label="{label}"' in page


def test_sector_mixing_covers_every_sector(model, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    sectors = demo_data["sectors"]["groups"]
    assert [r[0] for r in model.sector_mixing.rows] == sectors
    assert model.sector_mixing.columns[1:] == sectors


def test_core_numbers_equal_the_analysis(model, page: str, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    cc = demo_data["core_consistency"]
    assert model.stable_core["size"] == len(cc["stable_core"])
    counts = {r[0]: int(r[1].replace(",", "")) for r in model.core_counts.rows}
    people = demo_data["combined"]["people"].values()
    relations = len(demo_data["relations"])
    assert counts[f"in {relations} cores"] == sum(p["core_networks"] == relations for p in people)
    assert sum(counts.values()) == demo_data["study"]["people"]
    assert f"Mean overlap between pairs of relations: {charts.num(cc['mean_overlap'], 2)}" in page
    excluded = next(f for f in demo_data["findings"] if f["code"] == "excluded-group")
    assert {g["group"] for g in model.excluded_groups} == set(excluded["groups"])


def test_resilience_and_response_equal_the_analysis(model, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    scenarios = demo_data["resilience"]["scenarios"]
    assert len(model.resilience.rows) == len(scenarios)
    for row, s in zip(model.resilience.rows, scenarios, strict=True):
        assert row[3] == charts.pct(s["reach_loss"], 1)
        assert row[4] == charts.pct(s["random_reach_loss"], 1)
    by_layer = {r[0]: r for r in model.response_figures[0].rows}
    for layer, v in demo_data["response"]["by_layer"].items():
        assert by_layer[layer][3] == charts.pct(v["rate"])


def test_network_table_equals_the_analysis(model, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    assert model.networks[0]["arcs"] == f"{demo_data['combined']['network']['arcs']:,}"
    for row, block in zip(model.networks[1:], demo_data["relations"].values(), strict=True):
        assert row["arcs"] == f"{block['network']['arcs']:,}"
        assert row["density"] == charts.num(block["network"]["density"], 4)


def test_map_payload_matches_the_study(page: str, demo_result, demo_data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    payload = map_payload(page)
    study = demo_result.study
    assert payload["n"] == study.n_people
    assert [v["name"] for v in payload["views"]] == ["combined", *study.relation_names]
    src, tgt, _ = study.arcs()
    pairs = {(min(a, b), max(a, b)) for a, b in zip(src.tolist(), tgt.tolist(), strict=True)}
    assert payload["edges"] == len(pairs)
    a = decode(payload, "edgeA", "u2")
    b = decode(payload, "edgeB", "u2")
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == pairs
    x = decode(payload, "x", "f4")
    assert x.shape == (study.n_people,) and np.isfinite(x).all()
    roles = decode(payload, "roleMasks", "u1").reshape(len(payload["views"]), -1)
    for i, pid in enumerate(study.ids):
        hub = "hub" in demo_data["combined"]["people"][pid]["roles"]
        assert bool(roles[0, i] & 1) == hub


def test_pseudonymised_report_has_no_name_or_id(pseudo_page: str, demo_result) -> None:  # type: ignore[no-untyped-def]
    study = demo_result.study
    leaks = [name for name in study.names if name and name in pseudo_page]
    leaks += [pid for pid in study.ids if pid in pseudo_page]
    assert not leaks, f"roster names or ids in the pseudonymised report: {leaks[:5]}"
    assert "Pseudonymised" in pseudo_page
    assert '"ids"' not in pseudo_page


def test_the_ordinary_report_does_name_people(page: str, demo_result) -> None:  # type: ignore[no-untyped-def]
    hub = demo_result.key_people("hub", limit=1)[0]
    assert hub.name in page


def test_no_network_request_is_needed(page: str) -> None:
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert "<script src" not in page


def test_no_assessment_note(page: str) -> None:
    assert 'id="no-assessment"' in page
    assert "No assessment supplied" in page


def test_chart_text_alternatives(model) -> None:  # type: ignore[no-untyped-def]
    for fig in (model.layer_picture, model.layer_mixing, model.core_overlap, model.resilience):
        assert "<title>" in fig.chart.svg and "<desc>" in fig.chart.svg
        assert 'role="img"' in fig.chart.svg
        assert fig.chart.alt


def test_charts_are_static_vega_svg_with_their_text_alternative(model, page: str) -> None:  # type: ignore[no-untyped-def]
    figures = [model.layer_picture, model.layer_mixing, model.sector_mixing, model.core_overlap]
    figures += [model.core_counts, *model.core_representation, model.resilience]
    figures += list(model.response_figures)
    shown = [fig.chart for fig in figures] + [model.map_snapshot]
    for chart in shown:
        opening = re.match(r"<svg\b[^>]*>", chart.svg)
        assert opening, chart.title
        assert 'role="img"' in opening[0] and 'class="chart"' in opening[0]
        assert chart.svg[opening.end() :].startswith(
            f"<title>{html.escape(chart.title)}</title><desc>{html.escape(chart.alt)}</desc>"
        )
        assert "mark-group" in chart.svg  # drawn by Vega
        assert "<script" not in chart.svg and "http://www.w3.org/2000/svg" in chart.svg
        assert chart.svg in page
    # several charts share one page: their gradient and clip-path ids must not collide
    ids = re.findall(r'\bid="([^"]+)"', "".join(c.svg for c in shown))
    assert ids and len(ids) == len(set(ids))
    # response rates: every bar is labelled with the number in the table
    for fig in model.response_figures:
        for row in fig.rows:
            assert (
                f">{row[3]}</text>" in fig.chart.svg or f">{row[3]} (thin)</text>" in fig.chart.svg
            )


def test_triangle_and_curve_mark_the_weakest_and_now() -> None:
    chart = charts.triangle(
        {"authority": 0.8, "capacity": 0.3, "value": 0.5},
        {"authority-capacity": 0.4, "capacity-value": 0.2, "value-authority": 0.6},
        needs={"authority": 0.6, "capacity": 0.8, "value": 0.5},
        weakest_corner="capacity",
        weakest_link="capacity-value",
    )
    assert ">capacity (weakest)</text>" in chart.svg
    assert ">capacity→value: 0.2 (weakest)</text>" in chart.svg
    assert 'stroke="#D55E00"' in chart.svg and 'fill="#D55E00"' in chart.svg
    assert chart.svg.count('stroke-dasharray="3,3"') == 3  # one ring per need
    curve = charts.value_curve(2, [("2005", 1), ("2007", 2)])
    assert ">now</text>" in curve.svg and ">1 Design</tspan>" in curve.svg
    assert curve.alt.endswith("History: 2005: phase 1; 2007: phase 2.")


def test_write_report_writes_html_and_returns_paths(demo_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_report(demo_result, tmp_path / "r.html")
    assert paths == [tmp_path / "r.html"]
    assert paths[0].read_text("utf-8").startswith("<!DOCTYPE html>")


def test_the_layout_is_reproducible(demo_result, demo_data) -> None:  # type: ignore[no-untyped-def]
    one = build_report(demo_result).map_payload["x"]
    two = build_report(demo_result).map_payload["x"]
    assert one == two


def test_low_response_hides_people_in_findings(tmp_path: Path) -> None:
    from lisa.analysis import analyse
    from lisa.synth import generate

    result = analyse(generate(200, seed=3, preset="appendix-c", response_rate=0.6))
    model = build_report(result)
    assert model.response_level != "individuals"
    assert all(not f.people for f in model.findings)
    assert model.stable_core["people"] == []
    assert any("not named" in text_of(render_html(model)) for _ in [0])


def test_the_executive_summary_opens_the_report(model, page: str, demo_data) -> None:  # type: ignore[no-untyped-def]
    start = page.index('<section id="executive-summary"')
    assert start < page.index('<nav class="toc"') < page.index('<section id="summary"')
    block = page[start : page.index("</section>", start)]
    text = text_of(block)
    resp = demo_data["response"]
    assert f"{resp['respondents']:,} of {resp['people']:,} people answered" in text
    for f in demo_data["findings"]:
        assert f'<tr data-code="{f["code"]}">' in block
        assert f["headline"]["text"] in text and f["title"] in text
        assert f'href="#finding-{f["code"]}"' in block  # to the finding in full
    top = model.executive.recommendations
    network = [r["title"] for r in demo_data["recommendations"]]
    assert [r.title for r in top] == network[:5]  # the analysis' order, first five
    assert model.executive.more_recommendations == len(network) - 5


def test_excluded_groups_are_a_table_under_their_finding(page: str, demo_data) -> None:  # type: ignore[no-untyped-def]
    finding = next(f for f in demo_data["findings"] if f["code"] == "excluded-group")
    start = page.index('id="finding-excluded-group"')
    block = page[start : page.index("</li>", start)]
    assert '<table class="groups-table">' in block
    for g in finding["evidence"]["groups"]:
        row = re.search(rf'<th scope="row">{re.escape(g["label"])}</th>(.*?)</tr>', block, re.S)
        assert row, g["label"]
        cells = re.findall(r"<td>(.*?)</td>", row.group(1))
        assert cells == [
            f"{g['people']:,}",
            charts.pct(g["share_of_people"]),
            charts.pct(g["share_of_core"]),
            g["pattern"],
        ]


def test_sources_are_cited_in_words_with_an_assessment(demo_result) -> None:  # type: ignore[no-untyped-def]
    import lisa
    from lisa.assess.core import assess_files
    from lisa.sources import DOCUMENTS, documents_of

    case = Path(lisa.__file__).parent / "cases" / "data" / "assessments" / "knowsley.yaml"
    [assessment] = assess_files([case], demo_result.findings)
    model = build_report(demo_result, [assessment])
    page = render_html(model)
    assert "seeds/" not in page
    from_assessment = [r for r in model.recommendations if r.origin != "network"]
    assert from_assessment
    cited = {d.id for r in assessment.recommendations for d in documents_of(r.source.ref)}
    for rec in from_assessment:
        assert documents_of(rec.ref) and documents_of(rec.ref)[0].title in rec.source
    listed = " ".join(f"{d.title} {d.publisher} {d.year}" for d in model.bibliography)
    for doc_id in cited:
        doc = DOCUMENTS[doc_id]
        assert doc.title in listed and doc.publisher in listed
    # page 1 shows each recommendation once, from both origins
    titles = [r.title for r in model.executive.recommendations]
    assert len(titles) == len(set(titles)) <= 5
    assert {r.origin for r in model.executive.recommendations} == {
        "network",
        from_assessment[0].origin,
    }


def test_top_recommendations_take_turns_between_origins() -> None:
    from lisa.report.sections.executive import top_recommendations
    from lisa.report.views import RecommendationView

    def rec(title: str, origin: str) -> RecommendationView:
        return RecommendationView(title, "", "", "", "", origin)

    recs = [
        rec("a1", "A"),
        rec("a2", "A"),
        rec("a3", "A"),
        rec("n1", "network"),
        rec("a1", "network"),
    ]
    assert [r.title for r in top_recommendations(recs, 4)] == ["a1", "n1", "a2", "a3"]
    assert top_recommendations([], 5) == []


def test_the_bibliography_merges_parts_of_one_report() -> None:
    from lisa.report.sections.recommendations import bibliography

    entries = bibliography(["000 §5.4 (Appendix C lessons)", "002 §6.1; 004", "002 §5.4", "x"])
    assert [e.number for e in entries] == [1, 2]
    transformers, briefing = entries
    assert transformers.title.startswith("Transformers") and transformers.sections == [
        "§5.4",
        "§6.1",
    ]
    assert briefing.publisher == "NESTA" and briefing.sections == []
    assert bibliography([]) == []


def test_a_place_with_nothing_to_report_still_has_its_summary_and_sources(demo_result) -> None:  # type: ignore[no-untyped-def]
    from lisa.sources import DOCUMENTS

    quiet = demo_result.model_copy(update={"findings": [], "recommendations": []})
    model = build_report(quiet)
    assert model.executive.findings == [] and model.executive.recommendations == []
    text = text_of(render_html(model))
    assert "No finding fired" in text and "No recommendation" in text
    # nothing is cited, so the bibliography lists what the method draws on
    assert not model.bibliography_cited
    assert {d.title for d in model.bibliography} == {d.title for d in DOCUMENTS.values()}
    assert "the method draws on" in text
