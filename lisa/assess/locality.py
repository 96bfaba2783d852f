"""The locality level: a place's register of innovations, its six factors over
time, and where the place sits overall on the fluid / transitional / specific
stages (seed 001 §2.4 and §3).

A place becomes comprehensively innovative when innovation is consolidated in
one field and carried to others (seed 001 §2.4; seed 002 §5.1 "embedding"):
lisa flags a place with innovations in mainstreaming or embedding in two or
more services.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lisa.assess.core import Assessment
from lisa.assess.items import FACTOR_ROLES, FACTORS, STAGES


@dataclass
class Locality:
    place: str
    register: list[dict[str, Any]]
    factors_over_time: dict[str, dict[str, dict[str, int]]]
    stage: str
    stage_reason: str
    several_fields: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "innovations": len(self.register),
            "register": self.register,
            "factors_over_time": self.factors_over_time,
            "stage": {"value": self.stage, "reason": self.stage_reason},
            "innovating_in_several_fields": self.several_fields,
        }


def _period(a: Assessment) -> str:
    return str(a.as_of.year) if a.as_of else "undated"


def locality_summary(assessments: Sequence[Assessment]) -> list[Locality]:
    """One :class:`Locality` per place among the assessments."""
    by_place: dict[str, list[Assessment]] = defaultdict(list)
    for a in assessments:
        by_place[a.place.strip().casefold()].append(a)
    out = []
    for key in sorted(by_place):
        items = sorted(by_place[key], key=lambda a: (a.innovation.casefold(), _period(a)))
        register = [
            {
                "innovation": a.innovation,
                "service": a.service,
                "as_of": a.as_of.isoformat() if a.as_of else None,
                "phase": a.phase.phase,
                "phase_name": a.phase.name,
                "confidence": a.phase.confidence,
                "stage": a.stage,
                "trajectory": a.trajectory.status,
                "weakest_corner": a.triangle.weakest_corner,
                "weakest_link": a.triangle.weakest_link,
                "kind": list(a.kind),
                "extent": a.extent,
            }
            for a in items
        ]
        periods: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for a in items:
            for factor, role in a.factors.items():
                periods[_period(a)][factor][role] += 1
        factors_over_time = {
            period: {
                f: {r: periods[period][f][r] for r in FACTOR_ROLES if periods[period][f][r]}
                for f in FACTORS
                if periods[period][f]
            }
            for period in sorted(periods)
        }
        ranks = sorted(STAGES.index(a.stage) for a in items)
        stage = STAGES[statistics.median_low(ranks)]
        counts = Counter(a.stage for a in items)
        reason = f"median stage of {len(items)} innovation(s): " + ", ".join(
            f"{counts[s]} {s}" for s in STAGES if counts[s]
        )
        mature_fields = {
            (a.service or a.innovation).casefold() for a in items if a.phase.phase >= 3
        }
        out.append(
            Locality(
                place=items[0].place,
                register=register,
                factors_over_time=factors_over_time,
                stage=stage,
                stage_reason=reason,
                several_fields=len(mature_fields) >= 2,
            )
        )
    return out
