"""Property tests: the inference is stable.

- Reordering answers (inside a file, or the order of assessors) changes nothing.
- More evidence of a later phase never moves an innovation to an earlier phase
  when the history agrees.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisa.assess import Instrument, assess_answers, assess_sets
from lisa.assess.answers import answers_from_mapping
from lisa.assess.items import PHASE_NAMES
from lisa.findings import Finding, Headline

INSTRUMENT = Instrument.load()
BANK = INSTRUMENT.bank
AGREE5 = [i.id for i in BANK if i.scale.name == "agree5"]
FACTOR_ITEMS = [i.id for i in BANK if i.section == "factor"]
SIGNS = {p: [i.id for i in BANK.phase_signs(p)] for p in PHASE_NAMES}
META = {"meta.innovation": "Hubs", "meta.place": "Exampletown"}

answer_maps = st.fixed_dictionaries(
    {},
    optional={
        **{item: st.integers(1, 5) for item in AGREE5},
        **{
            item: st.sampled_from(["driver", "enabler", "absent", "blocking"])
            for item in FACTOR_ITEMS
        },
        "type.extent": st.sampled_from(["incremental", "radical", "systemic"]),
    },
)
histories = st.lists(st.integers(0, 4), max_size=4).map(
    lambda phases: [{"date": 2000 + 2 * i, "phase": p} for i, p in enumerate(phases)]
)
findings = st.lists(
    st.sampled_from(["exclusive-core", "excluded-group", "thin-vertical-links", "high-networking"]),
    max_size=3,
    unique=True,
)
def assess(
    answers: dict[str, Any], history: list[dict[str, Any]] | None = None, codes: Sequence[str] = ()
) -> Any:
    found = [Finding(code=c, severity="medium", title="", detail="", headline=Headline(value=0, text="")) for c in codes]
    data = {"answers": answers, "history": history or []}
    return assess_answers(data, found, instrument=INSTRUMENT)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def summary(result: Any) -> dict[str, Any]:
    d = result.model_dump(mode="json")
    d.pop("sources")
    d.pop("assessors")
    return d


@SETTINGS
@given(answer_maps, histories, findings, st.randoms())
def test_reordering_answers_changes_nothing(
    answers: dict[str, Any], history: list[dict[str, Any]], codes: list[str], rnd: random.Random
) -> None:
    items = list({**META, **answers}.items())
    shuffled = items[:]
    rnd.shuffle(shuffled)
    shuffled_codes = codes[:]
    rnd.shuffle(shuffled_codes)
    a = assess(dict(items), history, codes)
    b = assess(dict(shuffled), history, shuffled_codes)
    assert summary(a) == summary(b)


@SETTINGS
@given(st.lists(answer_maps, min_size=2, max_size=4), st.randoms())
def test_order_of_assessors_changes_nothing(many: list[dict[str, Any]], rnd: random.Random) -> None:
    sets = []
    for n, answers in enumerate(many):
        (s,), _ = answers_from_mapping(
            {"answers": {**META, "meta.assessor": f"A{n}", **answers}}, instrument=INSTRUMENT
        )
        sets.append(s)
    reordered = sets[:]
    rnd.shuffle(reordered)
    first = assess_sets(sets, instrument=INSTRUMENT)[0]
    assert summary(first) == summary(assess_sets(reordered, instrument=INSTRUMENT)[0])


@SETTINGS
@given(answer_maps, st.data())
def test_more_later_phase_evidence_never_moves_an_innovation_earlier(
    answers: dict[str, Any], data: st.DataObject
) -> None:
    before = assess({**META, **answers})
    phase = before.phase.value
    # the history agrees with the phase found
    history = [{"date": 2000, "phase": max(phase - 1, 0)}, {"date": 2003, "phase": phase}]
    before = assess({**META, **answers}, history)
    assert before.phase.value == phase
    later = data.draw(st.integers(max(phase, 1), 4), label="later phase")
    item = data.draw(st.sampled_from(SIGNS[later]), label="sign")
    stronger = data.draw(st.integers(max(answers.get(item, 1), 4), 5), label="new answer")
    after = assess({**META, **answers, item: stronger}, history)
    assert after.phase.value >= phase


@SETTINGS
@given(answer_maps)
def test_confidence_is_a_share_and_the_phase_is_valid(answers: dict[str, Any]) -> None:
    result = assess({**META, **answers})
    assert 0.0 <= result.phase.confidence <= 1.0
    assert result.phase.value in PHASE_NAMES


AGREE5_ONE_STEP = st.sampled_from(AGREE5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_maps, AGREE5_ONE_STEP, st.sampled_from([-1, 1]))
def test_a_one_point_change_in_any_answer_moves_the_phase_and_stage_by_at_most_one(
    answers: dict[str, Any], item: str, step: int
) -> None:
    """Issue 12: no answer is a tipping point that jumps an innovation two phases."""
    from lisa.assess.combine import combine
    from lisa.assess.inference import infer_phase, infer_stage
    from lisa.vocabulary import STAGES

    before_value = answers.get(item, 3)
    after_value = before_value + step
    if not 1 <= after_value <= 5:
        after_value = before_value - step
    readings = []
    for value in (before_value, after_value):
        (s,), _ = answers_from_mapping({"answers": {**META, **answers, item: value}}, instrument=INSTRUMENT)
        combined = combine([s], INSTRUMENT)
        phase = infer_phase(combined, BANK, INSTRUMENT.settings)
        stage = infer_stage(phase.value, combined.answers, BANK, INSTRUMENT.rules, INSTRUMENT.settings)
        readings.append((phase.value, STAGES.index(stage.value)))
    (p0, s0), (p1, s1) = readings
    assert abs(p1 - p0) <= 1, (item, before_value, after_value, p0, p1)
    assert abs(s1 - s0) <= 1, (item, s0, s1)
