"""Assessment sections render every piece of a typed assessment; other files are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import lisa
from lisa.assess import (
    AssessmentDocumentInvalid,
    Instrument,
    assess_answers,
    assess_files,
    assessment_document,
    read_assessments,
    write_json,
)
from lisa.report import build_report, render_html
from lisa.report.assessment import innovation_view

INSTRUMENT = Instrument.load()
KNOWSLEY = Path(lisa.__file__).parent / "cases" / "data" / "assessments" / "knowsley.yaml"

#: One innovation in mobilisation, capacity the weak corner, with a history.
FULL = {
    "answers": {
        "meta.innovation": "Schools transformation",
        "meta.place": "Exampletown",
        "meta.service": "education",
        "type.kind": "service",
        "type.extent": "systemic",
        "sign.trigger": 5,
        "sign.new_leadership": 5,
        "sign.pilots": 5,
        "sign.delivery_team": 2,
        "sign.early_value": 4,
        "sign.resources_diverted": 4,
        "risk.pioneer_handover": 5,
        "authority.external_pressure": 5,
        "capacity.management": 2,
        "value.public_benefit": 3,
        "factor.leadership": "driver",
        "factor.resources": "blocking",
    },
    "history": [{"date": 2005, "phase": 1}, {"date": 2007, "phase": 2}],
}


def full() -> Any:
    return assess_answers(FULL, instrument=INSTRUMENT)


def test_a_full_assessment_renders_every_piece(demo_result) -> None:  # type: ignore[no-untyped-def]
    a = full()
    page = render_html(build_report(demo_result, [a]))
    assert 'id="no-assessment"' not in page
    for text in (
        "Schools transformation",
        "Mobilisation",
        "Strategic triangle: Schools transformation",
        "capacity (weakest)",
        "strong leadership",
        "blocking",
        "Pioneers will not hand over to better managers",
        a.closest_cases[0].title,
        "Put a delivery team in charge",
        "the assessment of Schools transformation",
        "Lifecycle position: Schools transformation",
        "2005",
    ):
        assert text in page.replace("&#39;", "'"), text


def test_a_partial_assessment_renders_what_it_has(demo_result) -> None:  # type: ignore[no-untyped-def]
    bare = assess_answers({"answers": {"meta.innovation": "Bare", "meta.place": "X"}})
    page = render_html(build_report(demo_result, [bare]))
    assert "Bare (X)" in page
    assert "No strategic triangle in the assessment." in page  # no corner answered
    assert "No six-factor answers in the assessment." in page
    assert "Traceback" not in page


def test_the_view_is_built_field_by_field_without_rescaling() -> None:
    a = full()
    view = innovation_view(a)
    assert view.phase == a.phase.value == 2 and view.phase_name == "mobilisation"
    assert view.corners == {c: v.strength for c, v in a.triangle.corners.items()}
    assert view.needs == {c: v.need for c, v in a.triangle.corners.items()}
    assert view.links == {k: v.strength for k, v in a.triangle.links.items()}
    assert view.weakest_corner == "capacity" and view.weakest_link == "authority→capacity"
    assert view.history == [("2005", 1), ("2007", 2)]
    assert view.confidence == a.phase.confidence


def test_a_document_holds_several_innovations(tmp_path: Path) -> None:
    a = assess_answers({"answers": {"meta.innovation": "A", "meta.place": "X"}})
    b = assess_answers({"answers": {"meta.innovation": "B", "meta.place": "X"}})
    path = write_json([a, b], tmp_path / "two.json")
    views = [innovation_view(x) for x in read_assessments(path)]
    assert [v.name for v in views] == ["A (X)", "B (X)"]


# Files that are not a lisa assessment document: a named error, not a partial section.
NOT_AN_ASSESSMENT = [
    ({}, "wrong-kind"),
    ({"schema_version": "0.1", "kind": "lisa-assessment"}, "unknown-schema-version"),
    ({"schema_version": "2.0", "kind": "lisa-assessment"}, "unknown-schema-version"),
    ({"schema_version": "1.9", "kind": "lisa-assessment"}, "unknown-schema-version"),
    ({"name": "Bare", "phase": "mainstreaming"}, "wrong-kind"),
    ({"innovations": [{"name": "One", "phase": 1}]}, "wrong-kind"),
    ({"kind": "lisa-analysis", "schema_version": "1.0"}, "wrong-kind"),
    (["not", "a", "dict"], "not-an-assessment"),
    ("just text", "not-an-assessment"),
]


@pytest.mark.parametrize(("doc", "code"), NOT_AN_ASSESSMENT)
def test_a_file_that_is_not_an_assessment_is_a_named_error(
    tmp_path: Path, doc: Any, code: str
) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(AssessmentDocumentInvalid) as info:
        read_assessments(path)
    assert [p.code for p in info.value.problems] == [code]
    assert str(path) in str(info.value)


def _written(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = write_json([full()], tmp_path / "a.json", instrument=INSTRUMENT)
    return path, json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["assessments"][0]["phase"].update(value="two"), "assessments.0.phase.value"),
        (lambda d: d["assessments"][0]["phase"].update(value=7), "assessments.0.phase.value"),
        (lambda d: d["assessments"][0]["triangle"]["corners"].pop("value"), "assessments.0.triangle.corners"),
        (lambda d: d["assessments"][0].update(unexpected_key={"a": 1}), "assessments.0.unexpected_key"),
        (lambda d: d["assessments"][0]["factors"].update(luck="driver"), "assessments.0.factors.luck.[key]"),
        (lambda d: d["assessments"][0]["recommendations"][0].update(cluster_title="x"), "assessments.0.recommendations.0"),
        (lambda d: d.update(settings={"weak": 2}), "settings.weak"),
    ],
)  # fmt: skip
def test_a_document_with_a_field_that_does_not_fit_names_the_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    path, doc = _written(tmp_path)
    change(doc)
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(AssessmentDocumentInvalid) as info:
        read_assessments(path)
    assert {p.code for p in info.value.problems} == {"bad-field"}
    assert field in [p.column for p in info.value.problems]


def test_write_read_write_is_byte_identical(tmp_path: Path, demo_result) -> None:  # type: ignore[no-untyped-def]
    sets = [KNOWSLEY, Path(__file__).parent / "data" / "assess" / "board-chair.yaml"]
    first = write_json(assess_files(sets, demo_result.findings), tmp_path / "1.json", "study")
    again = write_json(read_assessments(first), tmp_path / "2.json", "study")
    assert first.read_bytes() == again.read_bytes()


def test_a_lisa_assess_document_renders_exactly(demo_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [assessment] = assess_files([KNOWSLEY], demo_result.findings)
    doc = assessment_document([assessment]).model_dump(mode="json")
    a = doc["assessments"][0]
    assert len(a["closest_cases"]) == 3
    path = write_json([assessment], tmp_path / "k.json")
    [reloaded] = read_assessments(path)
    assert reloaded.model_dump() == assessment.model_dump() and reloaded.combined is None
    view = innovation_view(reloaded)
    assert view.phase == a["phase"]["value"] == 2
    assert view.corners == {c: v["strength"] for c, v in a["triangle"]["corners"].items()}
    assert view.needs == {c: v["need"] for c, v in a["triangle"]["corners"].items()}
    assert view.links == {k: v["strength"] for k, v in a["triangle"]["links"].items()}
    assert [r["title"] for r in view.recommendations] == [r["title"] for r in a["recommendations"]]
    assert all(r["action"] and r["source"] for r in view.recommendations)
    assert [c["title"] for c in view.cases] == [m["title"] for m in a["closest_cases"]]
    html = render_html(build_report(demo_result, assessments=[reloaded]))
    for r in a["recommendations"]:
        assert r["action"] in html.replace("&#39;", "'")
    assert "{'ref'" not in html  # sources are written out, not dumped as dicts
    in_memory = render_html(build_report(demo_result, assessments=[assessment]))
    assert section(html) == section(in_memory)  # a reloaded assessment renders the same


def section(html: str) -> str:
    return html.split('<section id="innovations"', 1)[1].split("</section>", 1)[0]


def test_the_report_shows_a_balanced_triangle_the_stage_apart_and_showing_risks(demo_result) -> None:  # type: ignore[no-untyped-def]
    strong = {k: 5 for k in ("authority.licence_to_continue", "authority.local_mandate",
              "capacity.management", "capacity.skills", "capacity.resources", "value.public_benefit",
              "value.feedback")}  # fmt: skip
    a = assess_answers(
        {"answers": {"meta.innovation": "Hubs", "meta.place": "Town", "sign.trigger": 5,
                     "sign.strategy": 5, "sign.structures_created": 5, "sign.resources_reallocated": 5,
                     "sign.routine_practice": 5, "sign.mainstream_budget": 5, "capacity.culture": 4,
                     "stage.dominant_model": 5, "stage.standardised_practice": 2,
                     "risk.national_frameworks": 5, **strong}},
        instrument=INSTRUMENT,
    )  # fmt: skip
    view = innovation_view(a)
    assert view.balanced is True and view.triangle_verdict.startswith("Balanced for this phase")
    assert view.stage == "transitional" and "stage items" in view.stage_reason
    page = render_html(build_report(demo_result, [a])).replace("&#39;", "'")
    assert "Balanced for this phase: no corner falls short of what mainstreaming needs" in page
    assert "Utterback-Abernathy stage <strong>transitional</strong>" in page
    assert "(weakest)" not in page.split("Strategic triangle: Hubs")[1].split("</svg>")[0]
    assert 'class="risk-showing"' in page and "National frameworks hold the innovation back" in page


def test_the_report_names_the_corner_that_falls_short() -> None:
    view = innovation_view(full())
    assert view.balanced is False
    assert view.triangle_verdict.startswith("Weakest corner: capacity (")
    assert "needed for mobilisation" in view.triangle_verdict
