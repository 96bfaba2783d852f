"""Issue 12: an inference independent evaluators can trust.

Each phase is reached on its own key signs, embedding needs spread to other
services, no phase is jumped, the stage is its own scale, a triangle with no
corner short is balanced, stalls depend on extent and progress, and the risks
of national frameworks and time-limited money show at any phase.
"""

from __future__ import annotations

from typing import Any

import pytest

from lisa.assess import Instrument, assess_answers

INSTRUMENT = Instrument.load()
BANK = INSTRUMENT.bank
META = {"meta.innovation": "Hubs", "meta.place": "Exampletown"}
KEY = {p: [i.id for i in BANK.phase_signs(p, "key")] for p in range(5)}
SHARED_4 = [i.id for i in BANK.phase_signs(4, "shared")]


def run(answers: dict[str, Any], history: list[tuple[int, int]] | None = None) -> Any:
    data = {"answers": {**META, **answers}, "history": [{"date": d, "phase": p} for d, p in history or []]}
    return assess_answers(data, instrument=INSTRUMENT)


def key_signs(*phases: int, value: int = 5) -> dict[str, int]:
    return {item: value for p in phases for item in KEY[p]}


# ---------------------------------------------------------------- phase


def test_each_phase_has_key_signs_and_embedding_is_the_spread_to_other_services() -> None:
    assert all(KEY[p] for p in range(5))
    assert KEY[4] == ["sign.spread_services"]
    assert {"sign.innovative_identity", "sign.value_growing"} <= set(SHARED_4)


def test_reputation_and_growing_value_alone_do_not_make_embedding() -> None:
    answers = {**key_signs(1, 2, 3), **dict.fromkeys(SHARED_4, 5)}
    result = run(answers)
    assert result.phase.value == 3
    assert any("sign.spread_services" in line for line in result.phase.evidence)
    assert run({**answers, "sign.spread_services": 5}).phase.value == 4
    assert run({**answers, "sign.spread_services": 2}).phase.value == 3


def test_shared_signs_never_decide_even_when_nothing_else_of_the_phase_is_answered() -> None:
    result = run({**key_signs(1, 2, 3), **dict.fromkeys(SHARED_4, 5)})
    embedding = result.phase.signs[4]
    assert embedding.decided_by is None and embedding.shortfall is None
    assert set(embedding.items) == set(SHARED_4)


def test_no_phase_is_jumped_without_its_own_signs() -> None:
    answers = {**key_signs(1, 3, 4), **key_signs(2, value=1)}
    result = run(answers)
    assert result.phase.value == 1
    assert any("no phase is passed without its own signs" in line for line in result.phase.evidence)
    # the intermediate phase's signs, once there, let it through
    assert run({**answers, **key_signs(2)}).phase.value == 4


def test_the_shortfall_is_counted_in_points_and_reported() -> None:
    result = run({**key_signs(1), "sign.structures_created": 3, "sign.resources_reallocated": 3})
    mobilisation = result.phase.signs[2]
    assert mobilisation.decided_by == "key"
    assert mobilisation.shortfall == pytest.approx(0.8)  # 2 x 3.4 needed, 6 given
    assert not mobilisation.present and result.phase.value == 1


def test_supporting_signs_stand_in_only_when_no_key_sign_is_answered() -> None:
    pilots = {"sign.pilots": 5, "sign.delivery_team": 5}
    assert run({**key_signs(1), **pilots}).phase.value == 2
    assert run({**key_signs(1), **pilots, "sign.resources_reallocated": 1,
                "sign.structures_created": 1}).phase.value == 1  # fmt: skip


# ---------------------------------------------------------------- stage


def test_the_stage_is_its_own_scale_embedding_can_be_transitional() -> None:
    answers = {**key_signs(1, 2, 3, 4), "stage.dominant_model": 5,
               "stage.standardised_practice": 2, "stage.efficiency_focus": 2}  # fmt: skip
    result = run(answers)
    assert (result.phase.value, result.stage.value, result.stage.basis) == (4, "transitional", "items")
    assert result.stage.scores["specific"] == pytest.approx(0.25)


def test_competing_designs_count_against_a_dominant_model() -> None:
    result = run({**key_signs(1, 2, 3), "stage.competing_designs": 5, "stage.dominant_model": 3})
    assert result.stage.value == "fluid"


def test_the_phase_stands_in_only_for_unanswered_stages() -> None:
    assert run(key_signs(1, 2, 3, 4)).stage.basis == "phase"
    assert run(key_signs(1, 2, 3, 4)).stage.value == "specific"
    partial = run({**key_signs(1, 2, 3, 4), "stage.dominant_model": 5})
    assert (partial.stage.value, partial.stage.basis) == ("specific", "items and phase")
    early = run({**key_signs(1, 2), "stage.dominant_model": 5})
    assert (early.stage.value, early.stage.basis) == ("transitional", "items and phase")


# ---------------------------------------------------------------- triangle

STRONG_CORNERS = {
    "authority.licence_to_continue": 5,
    "authority.local_mandate": 5,
    "authority.executive_sponsor": 5,
    "capacity.management": 5,
    "capacity.skills": 5,
    "capacity.resources": 5,
    "capacity.culture": 4,
    "value.public_benefit": 5,
    "value.feedback": 5,
    "value.legitimacy": 5,
}


def test_a_triangle_with_no_corner_short_is_balanced_and_names_no_weakest_for_the_rules() -> None:
    result = run({**key_signs(1, 2, 3), **STRONG_CORNERS})
    t = result.triangle
    assert t.balanced is True and not t.weakest_corner_falls_short
    assert t.weakest_corner == "capacity"  # the lowest corner, shown only as secondary
    assert result.context is not None and result.context.weakest_corner is None
    assert not [r for r in result.recommendations if any("weakest corner" in w for w in r.why)]


def test_a_triangle_with_a_corner_short_is_not_balanced() -> None:
    result = run({**key_signs(1, 2, 3), **STRONG_CORNERS, "capacity.management": 1, "capacity.skills": 1})
    assert result.triangle.balanced is False and result.triangle.weakest_corner == "capacity"


def test_the_trigger_that_has_eased_does_not_weaken_a_mature_innovation() -> None:
    authority = {"authority.pressure_trigger": 1, "authority.licence_to_continue": 5,
                 "authority.local_mandate": 5}  # fmt: skip
    mature = run({**key_signs(1, 2, 3, 4), **authority}).triangle.corners["authority"]
    assert mature.strength == 1.0  # the trigger counts up to mobilisation only
    early = run({**key_signs(1, 2), **authority}).triangle.corners["authority"]
    assert early.strength == pytest.approx(2 / 3, abs=1e-3)


# ---------------------------------------------------------------- trajectory


@pytest.mark.parametrize(
    ("extent", "progress", "status"),
    [
        ("incremental", None, "stalled"),  # 6 years in phase 2; incremental stalls after 3
        ("radical", None, "stalled"),  # after 5
        ("systemic", None, "progressing"),  # a systemic change may take 8
        ("radical", "advancing", "progressing"),  # long, but still gaining ground
        ("radical", "holding", "stalled"),
        ("systemic", "slipping", "progressing"),  # within its time; the last move was forward
    ],
)
def test_stall_accounts_for_extent_and_progress_within_the_phase(
    extent: str, progress: str | None, status: str
) -> None:
    answers: dict[str, Any] = {**key_signs(1, 2), "type.extent": extent, "meta.date": "2007"}
    if progress:
        answers["progress.within_phase"] = progress
    result = run(answers, [(1999, 1), (2001, 2)])
    assert result.phase.value == 2
    assert result.trajectory.status == status, result.trajectory.reason
    assert result.trajectory.stall_after_years == {"incremental": 3, "radical": 5, "systemic": 8}[extent]


def test_the_next_phase_signs_under_way_count_as_progress_when_the_item_is_blank() -> None:
    answers = {**key_signs(1, 2), "type.extent": "radical", "meta.date": "2007",
               "sign.routine_practice": 4, "sign.mainstream_budget": 2}  # fmt: skip
    result = run(answers, [(1999, 1), (2001, 2)])
    assert result.phase.value == 2 and result.trajectory.progress == "advancing"
    assert result.trajectory.status == "progressing"


# ---------------------------------------------------------------- risks


@pytest.mark.parametrize("phase", [0, 1, 2, 3, 4])
def test_national_frameworks_that_hinder_show_at_any_phase(phase: int) -> None:
    answers = {**key_signs(*range(1, phase + 1)), "risk.national_frameworks": 5}
    if phase == 0:
        answers["sign.underperformance_unaddressed"] = 5
    result = run(answers)
    assert result.phase.value == phase
    risks = {r.id: r.status for r in result.risks}
    assert risks["national-frameworks-hinder"] == "showing"
    quiet = run({**answers, "risk.national_frameworks": 2})
    assert {r.id: r.status for r in quiet.risks}["national-frameworks-hinder"] == "watch"


def test_dependence_on_time_limited_money_shows_and_is_answered_by_a_recommendation() -> None:
    answers = {**key_signs(1, 2), "risk.time_limited_money": 5}
    result = run(answers)
    assert {r.id: r.status for r in result.risks}["time-limited-money"] == "showing"
    assert "plan-mainstream-funding" in {r.id for r in result.recommendations}
    quiet = run({**answers, "risk.time_limited_money": 1})
    assert {r.id: r.status for r in quiet.risks}["time-limited-money"] == "watch"
    assert "plan-mainstream-funding" not in {r.id for r in quiet.recommendations}


# ---------------------------------------------------------------- factor roles


def test_factor_roles_both_and_unknown() -> None:
    result = run({**key_signs(1, 2), "factor.leadership": "both", "factor.networks": "unknown"})
    assert result.factors["leadership"] == "both" and result.factors["networks"] == "unknown"
    assert result.closest_cases  # the case comparison reads both, skips unknown
    assert not any("networks" in s for c in result.closest_cases for s in c.shared + c.differs)


# ---------------------------------------------------------------- the Southampton finding


def test_a_crisis_is_how_design_often_starts_not_what_defines_it() -> None:
    """Oldham began from dissatisfaction, Southampton from national figures (seed 003; 004)."""
    assert BANK["sign.trigger"].role == "shared" and KEY[1] == ["sign.strategy"]
    assert run({"sign.strategy": 5, "sign.trigger": 1}).phase.value == 1
    assert run({"sign.trigger": 5}).phase.value == 0  # a crisis alone is not design and discovery
    result = run({"sign.strategy": 1, "sign.trigger": 5})
    assert result.phase.value == 0 and result.phase.signs[1].deciding == ("sign.strategy",)


def test_mobilisation_is_resources_committed_whether_moved_or_new() -> None:
    structures = {**key_signs(1), "sign.structures_created": 5}
    moved_only = run({**structures, "sign.resources_reallocated": 5, "sign.new_money": 1})
    new_only = run({**structures, "sign.resources_reallocated": 2, "sign.new_money": 5})
    assert moved_only.phase.value == new_only.phase.value == 2
    assert new_only.phase.signs[2].shortfall == 0
    assert any("resources_reallocated 2 is the same milestone" in line for line in new_only.phase.evidence)
    # the milestone counts once, at the higher answer: neither money moved nor new holds it back
    neither = run({**structures, "sign.resources_reallocated": 1, "sign.new_money": 1})
    assert neither.phase.value == 1  # 2 x 3.4 needed, 5 + 1 given (the milestone counted once)
    assert neither.phase.signs[2].shortfall == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role", "supporting", "milestone 'resources_committed'"),  # a milestone of one key sign
        ("milestone", "elsewhere", "milestone 'elsewhere'"),
        ("milestone", [1, 2], "valid string"),
    ],
)
def test_a_milestone_needs_two_key_signs_of_one_phase(field: str, value: Any, message: str) -> None:
    from importlib import resources

    import yaml

    from lisa.assess.items import parse_item_bank
    from lisa.errors import DefinitionInvalid

    text = resources.files("lisa.assess").joinpath("data/items.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    for item in raw["items"]:
        if item["id"] == "sign.new_money":
            item[field] = value
    with pytest.raises(DefinitionInvalid, match=message):
        parse_item_bank(raw)
