"""Placing an innovation on an ordered scale (the lifecycle phases, the Utterback stages).

Both scales are ladders: a rung is reached only through the rungs below it, so
no rung is jumped without its own evidence. Each rung's evidence is how many
points (on the items' own scale: one point is one step of agree5) its answers
fall short, in all, of the threshold their mean must reach (its *shortfall*;
0 when the rung's evidence is present), counted in started points (0.2 points
short counts as 1). The placement is

    max over the rungs with evidence of  level - (started points short up to that rung) / per_level

rounded down, and never below 0. A rung whose evidence is all present counts
in full; each started point an earlier rung falls short holds the placement
back by ``1 / per_level`` of a level. Because one answer changed by one point
changes one rung's shortfall by at most one point (and so its started points
by at most one), and ``per_level`` is at least 1, such a change moves the
placement by at most one level (the property tested in
``tests/test_assess_properties.py``). The arithmetic is exact (fractions), so
no rounding error can make a one-point change count as more.

>>> rungs = [Rung(1, Fraction(0)), Rung(2, Fraction(3)), Rung(3, Fraction(0))]
>>> climb(rungs, 1.0)
(1, Fraction(1, 1))
>>> shortfall([5, 3], lo=1, hi=5, threshold=0.6)
Fraction(0, 1)
>>> shortfall([3, 3], lo=1, hi=5, threshold=0.6)
Fraction(4, 5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal


def exact(value: float | int) -> Fraction:
    """A setting or an answer as the exact number it is written as (0.6 is 3/5)."""
    return Fraction(str(value))


def shortfall(
    values: Sequence[float | int], lo: float, hi: float, threshold: float
) -> Fraction | None:
    """Points by which the answers' mean falls short of ``threshold`` (0..1 of the scale).

    Parameters
    ----------
    values
        The answers, on the scale ``lo``..``hi`` (agree5: 1..5; a median may end in .5).
    lo, hi
        The scale's ends.
    threshold
        Where on 0..1 the mean must reach for the evidence to be present.

    Returns
    -------
    Fraction or None
        0 when present, the total points short otherwise; ``None`` for no answers.
    """
    if not values:
        return None
    need = len(values) * (exact(lo) + exact(threshold) * (exact(hi) - exact(lo)))
    return max(Fraction(0), need - sum(exact(v) for v in values))


@dataclass(frozen=True)
class Rung:
    """One level of a ladder and its evidence.

    ``shortfall`` is ``None`` when nothing of the rung is answered; ``blank``
    then says what that means: ``skip`` (passed through, but not a placement
    of its own), ``pass`` (taken as reached, e.g. from a fallback) or ``stop``
    (the ladder ends below it).
    """

    level: int
    shortfall: Fraction | None
    blank: Literal["skip", "pass", "stop"] = "skip"


def climb(rungs: Sequence[Rung], per_level: float) -> tuple[int, Fraction]:
    """The level reached on a ladder, and the unrounded height it is read from.

    Parameters
    ----------
    rungs
        The rungs above level 0, lowest first.
    per_level
        Points of shortfall that cost one level (at least 1).

    Returns
    -------
    tuple
        The level (0 when no rung is reached) and the height before rounding down.
    """
    per = exact(per_level)
    best, total = Fraction(0), Fraction(0)
    for rung in rungs:
        if rung.shortfall is None:
            if rung.blank == "stop":
                break
            if rung.blank == "pass":
                best = max(best, rung.level - total / per)
            continue
        total += math.ceil(rung.shortfall)
        best = max(best, rung.level - total / per)
    return math.floor(best), best
