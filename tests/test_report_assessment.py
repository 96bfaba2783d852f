"""Assessment sections render from whatever shape the assessment JSON has."""

from __future__ import annotations

import pytest

from lisa.report import build_report, render_html
from lisa.report.assessment import normalise_assessment, strength

FULL = {
    "schema_version": "1.0",
    "innovation": {"name": "Schools transformation", "type": "service", "extent": "systemic"},
    "lifecycle": {
        "phase": 2,
        "confidence": 0.7,
        "trend": "progressing",
        "evidence": ["pilots and new teams"],
        "history": [{"date": "2005", "phase": 1}, {"date": "2007", "phase": 2}],
    },
    "triangle": {
        "corners": {"authority": 0.8, "capacity": 0.3, "value": 0.5},
        "links": {"authority->capacity": 0.4, "capacity->value": 0.2, "value->authority": 0.6},
        "needs": {"authority": 0.6, "capacity": 0.8, "value": 0.5},
        "weakest_corner": "capacity",
        "weakest_link": "capacity->value",
    },
    "factors": {
        "strong leadership": {"status": "driver", "note": "new director"},
        "resources": "blocking",
    },
    "risks": [{"title": "Pioneers will not hand over control", "source": "main report, phase 2"}],
    "closest_cases": [
        {"name": "Knowsley", "similarity": 0.82, "shared": ["crisis"], "next": "mainstreamed"}
    ],
    "recommendations": [
        {"title": "Bring in managers", "why": "capacity is the weak corner", "source": "§6.1"}
    ],
    "unexpected_key": {"a": 1},
}


def test_a_full_assessment_renders_every_piece(demo_result) -> None:  # type: ignore[no-untyped-def]
    page = render_html(build_report(demo_result, [FULL]))
    assert 'id="no-assessment"' not in page
    for text in (
        "Schools transformation",
        "Mobilisation",
        "Strategic triangle: Schools transformation",
        "capacity (weakest)",
        "strong leadership",
        "blocking",
        "Pioneers will not hand over control",
        "Knowsley",
        "Bring in managers",
        "the assessment of Schools transformation",
        "unexpected_key",
        "Lifecycle position: Schools transformation",
    ):
        assert text in page, text


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"schema_version": "0.1"},
        {"name": "Bare", "phase": "mainstreaming"},
        {
            "innovation": "Text name",
            "triangle": {"authority": "strong", "capacity": 2, "value": None},
        },
        {"innovations": [{"name": "One", "phase": 1}, {"name": "Two", "phase": {"phase": 4}}]},
        {"name": "Odd", "factors": ["networks"], "risks": ["complacency"], "history": {"2001": 0}},
        {"name": "Junk", "triangle": "strong", "factors": 5, "risks": None, "lifecycle": [1, 2]},
    ],
)
def test_partial_or_odd_assessments_do_not_break_the_report(demo_result, doc) -> None:  # type: ignore[no-untyped-def]
    page = render_html(build_report(demo_result, [doc]))
    assert 'id="innovations"' in page
    assert "Traceback" not in page


def test_a_register_holds_several_innovations() -> None:
    views = normalise_assessment(
        {"schema_version": "2", "innovations": [{"name": "A"}, {"name": "B"}]}
    )
    assert [v.name for v in views] == ["A", "B"]
    assert all(v.schema_version == "2" for v in views)


def test_phase_from_words_and_numbers() -> None:
    (view,) = normalise_assessment({"name": "x", "phase": "Mainstreaming"})
    assert view.phase == 3
    (view,) = normalise_assessment(
        {"name": "x", "lifecycle": {"phase": {"phase": 0, "name": "Latent"}}}
    )
    assert view.phase == 0 and view.phase_name == "Latent"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, 0.5),
        (4, 0.8),
        (7, 0.7),
        (55, 0.55),
        ("strong", 0.8),
        ("weak", 0.25),
        (None, None),
        (True, None),
    ],
)
def test_strength_scales(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert strength(value) == (pytest.approx(expected) if expected is not None else None)


def test_a_non_object_assessment_is_noted_not_fatal(demo_result) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result, [["not", "a", "dict"]])  # type: ignore[list-item]
    assert model.assessment_notes and not model.assessments


def test_a_lisa_assess_document_renders_exactly(demo_result) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    import lisa
    from lisa.assess.core import assess_files
    from lisa.assess.render import assessment_document

    case = Path(lisa.__file__).parent / "cases" / "data" / "assessments" / "knowsley.yaml"
    [assessment] = assess_files([case], demo_result.to_dict())
    doc = assessment_document([assessment])
    a = doc["assessments"][0]
    assert len(a["closest_cases"]) == 3
    [view] = normalise_assessment(doc)
    assert view.phase == a["phase"]["value"] == 2
    assert view.corners == {c: v["strength"] for c, v in a["triangle"]["corners"].items()}
    assert view.needs == {c: v["need"] for c, v in a["triangle"]["corners"].items()}
    assert view.links == {k: v["strength"] for k, v in a["triangle"]["links"].items()}
    assert [r["title"] for r in view.recommendations] == [r["title"] for r in a["recommendations"]]
    assert all(r["action"] and r["source"] for r in view.recommendations)
    assert [c["title"] for c in view.cases] == [m["title"] for m in a["closest_cases"]]
    model = build_report(demo_result, assessments=[doc])
    html = render_html(model)
    for r in a["recommendations"]:
        assert r["action"] in html.replace("&#39;", "'")
    assert "{'ref'" not in html  # sources are written out, not dumped as dicts
