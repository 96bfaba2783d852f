"""Which answers the placement hinges on: the sensitivity view of an assessment.

For every answered agree5 item, lisa re-reads the assessment with that one
answer a point lower and a point higher (within the scale) and records each
change that moves the phase, the Utterback stage or the triangle's verdict
(the corner that falls short of the phase's need, or balanced). An answer
with no such change is not listed: the placement does not hinge on it. The
phase moves by at most one for any such change (the ladder,
:mod:`lisa.assess.ladder`), so a hinge is a close call, not a tipping point.

>>> from lisa.assess import assess_answers
>>> a = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y",
...     "sign.trigger": 1, "sign.strategy": 4}})
>>> a.phase.value  # a crisis is shown, not deciding: the agreed strategy decides
1
>>> [(h.item, h.answer, h.to, h.changes[0]) for h in a.sensitivity]
[('sign.strategy', 4, 3, 'phase 1 → 0')]
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lisa.assess.inference import infer_phase, infer_stage, infer_triangle, scaled_items
from lisa.assess.model import Hinge

if TYPE_CHECKING:
    from lisa.assess.combine import CombinedAnswers
    from lisa.assess.instrument import Instrument


def _reading(combined: CombinedAnswers, instrument: Instrument) -> tuple[int, str, str]:
    """The phase, stage and triangle verdict of these answers."""
    bank, settings, rules = instrument.bank, instrument.settings, instrument.rules
    phase = infer_phase(combined, bank, settings).value
    stage = infer_stage(phase, combined.answers, bank, rules, settings).value
    t = infer_triangle(scaled_items(combined.answers, bank), phase, bank, rules)
    verdict = f"{t.weakest_corner} short" if t.corner_short else "balanced"
    if t.weakest_corner is None:
        verdict = "unanswered"
    return phase, stage, verdict


def _changes(before: tuple[int, str, str], after: tuple[int, str, str]) -> tuple[str, ...]:
    names = ("phase", "stage", "triangle")
    return tuple(f"{n} {a} → {b}" for n, a, b in zip(names, before, after, strict=True) if a != b)


def hinges(combined: CombinedAnswers, instrument: Instrument) -> tuple[Hinge, ...]:
    """The answers the placement hinges on, in item bank order.

    Parameters
    ----------
    combined
        The innovation's combined answers.
    instrument
        The item bank, rules and settings to read them with.

    Returns
    -------
    tuple of Hinge
        One per answer and direction that moves the phase, stage or triangle verdict.
    """
    base = _reading(combined, instrument)
    out = []
    for item in instrument.bank:
        value = combined.answers.get(item.id)
        if item.scale.name != "agree5" or value is None:
            continue
        lo, hi = item.scale.min or 1, item.scale.max or 5
        for step in (-1, 1):
            moved = value + step
            if not lo <= moved <= hi:
                continue
            trial = dataclasses.replace(combined, answers={**combined.answers, item.id: moved})
            changes = _changes(base, _reading(trial, instrument))
            if changes:
                out.append(Hinge(item=item.id, answer=value, to=moved, changes=changes))
    return tuple(out)
