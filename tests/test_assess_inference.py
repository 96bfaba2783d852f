"""Inference: phase and confidence, stage, trajectory, triangle, combining assessors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lisa.assess import Instrument, assess_answers, assess_files, combine, read_answers
from lisa.assess.document import assessment_document
from lisa.assess.locality import locality_summary
from lisa.assess.model import SCHEMA_VERSION
from lisa.findings import Finding, Headline

DATA = Path(__file__).parent / "data" / "assess"
META = {"meta.innovation": "Hubs", "meta.place": "Exampletown"}
INSTRUMENT = Instrument.load()

PHASE_SIGNS = {
    1: ["sign.trigger", "sign.new_leadership", "sign.strategy", "sign.experiments"],
    2: ["sign.pilots", "sign.delivery_team", "sign.resources_diverted", "sign.early_value"],
    3: ["sign.dominant_model", "sign.routine", "sign.aligned_systems"],
    4: ["sign.spread", "sign.innovative_identity", "sign.value_growing"],
}


def signs_up_to(phase: int, high: int = 5, low: int = 1) -> dict[str, int]:
    """Every sign answered: phases up to ``phase`` high, later ones low."""
    return {item: high if p <= phase else low for p, items in PHASE_SIGNS.items() for item in items}


def run(answers: dict[str, Any], history: list[dict[str, Any]] | None = None):  # type: ignore[no-untyped-def]
    return assess_answers(
        {"answers": {**META, **answers}, "history": history or []}, instrument=INSTRUMENT
    )


@pytest.mark.parametrize("phase", [0, 1, 2, 3, 4])
def test_phase_is_the_latest_phase_whose_signs_are_present(phase: int) -> None:
    result = run(signs_up_to(phase))
    assert result.phase.value == phase
    assert result.phase.confidence >= 0.7
    assert any(f"Phase {max(phase, 1)}" in line for line in result.phase.evidence)


def test_signs_just_below_the_threshold_do_not_count() -> None:
    # 3 of 5 scales to 0.5, below sign_present (0.6)
    result = run({**signs_up_to(1), "sign.pilots": 3, "sign.delivery_team": 3})
    assert result.phase.value == 1


def test_latent_when_no_later_phase_shows() -> None:
    result = run({**signs_up_to(0), "sign.underperformance_unaddressed": 5})
    assert result.phase.value == 0 and result.phase.name == "latent"


def test_history_decides_when_no_sign_is_answered() -> None:
    result = run({}, [{"date": 2004, "phase": 1}, {"date": 2006, "phase": 2}])
    assert result.phase.value == 2 and result.phase.basis == "history"
    assert result.phase.confidence_label == "low"


def test_partial_answers_lower_confidence() -> None:
    full = run(signs_up_to(2))
    partial = run({k: v for k, v in signs_up_to(2).items() if k in PHASE_SIGNS[2][:2]})
    assert partial.phase.value == full.phase.value == 2
    assert partial.phase.confidence < full.phase.confidence
    assert any("phase signs answered" in line for line in partial.phase.evidence)


def test_history_that_disagrees_lowers_confidence() -> None:
    agree = run(signs_up_to(2), [{"date": 2004, "phase": 1}, {"date": 2006, "phase": 2}])
    disagree = run(signs_up_to(2), [{"date": 2004, "phase": 3}, {"date": 2006, "phase": 4}])
    assert disagree.phase.confidence < agree.phase.confidence
    assert any("history agrees" in line for line in agree.phase.evidence)


def test_a_close_call_is_less_confident_than_a_clear_one() -> None:
    clear = run(signs_up_to(2))
    close = run(
        {**signs_up_to(2), "sign.dominant_model": 4, "sign.routine": 3, "sign.aligned_systems": 3}
    )
    assert close.phase.value == 2
    assert close.phase.confidence < clear.phase.confidence


# ---------------------------------------------------------------- stage


@pytest.mark.parametrize(
    ("phase", "extra", "stage"),
    [
        (1, {}, "fluid"),
        (2, {}, "fluid"),
        (2, {"sign.dominant_model": 4}, "transitional"),
        (3, {}, "transitional"),
        (3, {"sign.standardised": 5}, "specific"),
        (4, {}, "specific"),
    ],
)
def test_stage_follows_phase_and_its_shifts(phase: int, extra: dict[str, int], stage: str) -> None:
    answers = {**signs_up_to(phase), **extra}
    result = run(answers)
    assert result.phase.value == phase
    assert result.stage.value == stage


# ---------------------------------------------------------------- trajectory


@pytest.mark.parametrize(
    ("history", "phase", "date", "status"),
    [
        ([(2004, 1), (2006, 2)], 2, "2007", "progressing"),
        ([(2001, 1), (2002, 2)], 2, "2009", "stalled"),
        ([(2004, 2), (2006, 3)], 2, "2007", "reversing"),
        ([(2001, 3), (2002, 4)], 4, "2009", "sustained"),
        ([], 2, "2007", "unknown"),
        ([(2006, 2)], 2, "2007", "unknown"),
    ],
)
def test_trajectory(history: list[tuple[int, int]], phase: int, date: str, status: str) -> None:
    result = run(
        {**signs_up_to(phase), "meta.date": date},
        [{"date": d, "phase": p} for d, p in history],
    )
    assert result.phase.value == phase
    assert result.trajectory.status == status, result.trajectory.reason


def test_trajectory_without_an_assessment_date_compares_signs_with_history() -> None:
    result = run(signs_up_to(3), [{"date": 2004, "phase": 1}, {"date": 2006, "phase": 2}])
    assert result.trajectory.status == "progressing"


# ---------------------------------------------------------------- triangle


def test_weakest_corner_is_the_one_furthest_short_of_the_phase_need() -> None:
    answers = {
        **signs_up_to(2),
        "authority.external_pressure": 5,
        "capacity.management": 2,  # 0.25 against 0.8 needed in mobilisation
        "value.public_benefit": 3,  # 0.5 against 0.5
    }
    t = run(answers).triangle
    assert t.weakest_corner == "capacity" and t.weakest_corner_falls_short
    assert {c: v.need for c, v in t.corners.items()} == {
        "authority": 0.6,
        "capacity": 0.8,
        "value": 0.5,
    }


def test_the_same_strengths_fall_short_differently_by_phase() -> None:
    corners = {
        "authority.external_pressure": 3,
        "capacity.management": 4,
        "value.public_benefit": 4,
    }
    design = run({**signs_up_to(1), **corners}).triangle
    assert design.weakest_corner == "authority"  # 0.5 against 0.8 in design and discovery
    mainstream = run({**signs_up_to(3), **corners}).triangle
    assert mainstream.weakest_corner == "capacity"  # 0.75 against 0.8; authority needs only 0.4


def test_no_corner_falls_short_when_all_meet_the_need() -> None:
    strong = {i.id: 5 for i in INSTRUMENT.bank.section("triangle")}
    t = run({**signs_up_to(4), **strong}).triangle
    assert not t.weakest_corner_falls_short and not t.weakest_link_falls_short


def test_missing_link_is_estimated_from_its_corners() -> None:
    t = run({**signs_up_to(2), "authority.external_pressure": 5, "capacity.management": 2}).triangle
    assert t.links["authority_capacity"].strength == pytest.approx(0.25)
    assert t.links["authority_capacity"].estimated
    assert t.links["value_authority"].strength is None


def test_weakest_link() -> None:
    answers = {
        **signs_up_to(2),
        "link.authority_capacity": 5,
        "link.capacity_value": 2,
        "link.value_authority": 3,
    }
    t = run(answers).triangle
    assert t.weakest_link == "capacity_value" and t.weakest_link_falls_short


# ---------------------------------------------------------------- assessors


def test_two_assessors_are_combined_and_their_disagreements_shown() -> None:
    (a,) = assess_files([DATA / "board-chair.yaml", DATA / "frontline-lead.csv"])
    assert a.combined is not None and a.combined.assessors == ["Board chair", "Frontline lead"]
    assert a.assessors == ("Board chair", "Frontline lead")
    split = {d.item: d for d in a.disagreements}
    assert split["sign.delivery_team"].values == {"Board chair": 2, "Frontline lead": 5}
    assert split["sign.delivery_team"].combined == 3.5
    assert "factor.resources" in split  # absent vs blocking
    assert "sign.pilots" not in split  # 4 and 5 are within the spread
    assert a.phase.confidence_factors.agreement < 1


def test_combined_answers_do_not_depend_on_file_order() -> None:
    ab = assess_files([DATA / "board-chair.yaml", DATA / "frontline-lead.csv"])[0].model_dump()
    ba = assess_files([DATA / "frontline-lead.csv", DATA / "board-chair.yaml"])[0].model_dump()
    ab.pop("sources"), ba.pop("sources")
    assert ab == ba


def test_history_disagreement_between_assessors() -> None:
    sets = [
        *read_answers(DATA / "board-chair.yaml"),
        *read_answers(DATA / "frontline-lead.csv"),
    ]
    sets[1].history[1] = type(sets[1].history[1])(
        date=sets[1].history[1].date, phase=2, label="2007"
    )
    combined = combine(sets)
    assert any(d.item == "history 2007" for d in combined.disagreements)


def test_different_innovations_are_assessed_separately(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "answers: {meta.innovation: Youth commissioning, meta.place: Exampletown, meta.date: 2009,"
        " sign.pilots: 5, sign.routine: 5, sign.dominant_model: 5, sign.aligned_systems: 4}\n",
        "utf-8",
    )
    results = assess_files([DATA / "board-chair.yaml", other])
    assert sorted(r.innovation for r in results) == ["Family support hubs", "Youth commissioning"]
    (place,) = locality_summary(results)
    assert len(place.entries) == 2
    assert place.stage.value in ("fluid", "transitional")
    assert "2009" in place.factors_over_time


# ---------------------------------------------------------------- JSON


def test_json_document_is_versioned_and_complete() -> None:
    excluded = Finding(code="excluded-group", severity="high", title="", detail="", headline=Headline(value=0, text=""))
    results = assess_files([DATA / "board-chair.yaml"], [excluded])
    doc = assessment_document(results, "analysis.json").model_dump(mode="json")
    assert doc["schema_version"] == SCHEMA_VERSION
    (a,) = doc["assessments"]
    assert set(a) >= {
        "innovation",
        "place",
        "phase",
        "stage",
        "trajectory",
        "triangle",
        "factors",
        "risks",
        "recommendations",
        "disagreements",
        "network_findings",
    }
    assert a["phase"]["value"] == 2
    assert {"ref", "documents"} <= set(a["recommendations"][0]["source"])
    assert a["network_findings"] == ["excluded-group"]
    assert doc["localities"][0]["place"] == "Exampletown"
