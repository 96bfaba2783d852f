"""The locality level: a place's register of innovations, its six factors over
time, and where the place sits overall on the fluid / transitional / specific
stages (seed 001 §2.4 and §3).

A place becomes comprehensively innovative when innovation is consolidated in
one field and carried to others (seed 001 §2.4; seed 002 §5.1 "embedding"):
lisa flags a place with innovations in mainstreaming or embedding in two or
more services.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from lisa.assess.model import Assessment, StageResult
from lisa.vocabulary import (
    FACTOR_ROLES,
    FACTORS,
    STAGES,
    Corner,
    Factor,
    FactorRole,
    Link,
    Stage,
    TrajectoryStatus,
)


class RegisterEntry(BaseModel):
    """One innovation in a place's register."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    innovation: str = Field(description="The innovation's name.")
    service: str | None = Field(description="Its service or field.")
    as_of: dt.date | None = Field(description="The date of its assessment.")
    phase: int = Field(ge=0, le=4, description="Its lifecycle phase.")
    phase_name: str = Field(description="The phase's name.")
    confidence: float = Field(ge=0, le=1, description="The confidence of the phase.")
    stage: Stage = Field(description="Its stage.")
    trajectory: TrajectoryStatus = Field(description="Its trajectory.")
    weakest_corner: Corner | None = Field(description="Its weakest corner.")
    weakest_link: Link | None = Field(description="Its weakest link.")
    kind: tuple[str, ...] = Field(description="Its kind (product, service, process).")
    extent: str | None = Field(description="Its extent.")


class Locality(BaseModel):
    """A place's innovations together: register, factors over time and overall stage.

    The register is the attribute ``entries`` (``register`` in the JSON:
    pydantic models keep that name for themselves).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True,
        serialize_by_alias=True,
    )  # fmt: skip

    place: str = Field(description="The place.")
    innovations: int = Field(ge=0, description="How many innovations it has in the register.")
    entries: tuple[RegisterEntry, ...] = Field(
        alias="register", description="Its innovations, by name."
    )
    factors_over_time: dict[str, dict[Factor, dict[FactorRole, int]]] = Field(
        description="By year of assessment ('undated' without one): how many innovations had "
        "each factor as driver, enabler, absent or blocking."
    )
    stage: StageResult = Field(description="The median stage of its innovations.")
    innovating_in_several_fields: bool = Field(
        description="Two or more services have reached mainstreaming or beyond."
    )


def _period(a: Assessment) -> str:
    return str(a.as_of.year) if a.as_of else "undated"


def _entry(a: Assessment) -> RegisterEntry:
    return RegisterEntry(
        innovation=a.innovation,
        service=a.service,
        as_of=a.as_of,
        phase=a.phase.value,
        phase_name=a.phase.name,
        confidence=a.phase.confidence,
        stage=a.stage.value,
        trajectory=a.trajectory.status,
        weakest_corner=a.triangle.weakest_corner,
        weakest_link=a.triangle.weakest_link,
        kind=a.type.kind,
        extent=a.type.extent,
    )


def _factors_over_time(items: Sequence[Assessment]) -> dict[str, dict[Factor, dict[FactorRole, int]]]:
    periods: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for a in items:
        for factor, role in a.factors.items():
            periods[_period(a)][factor][role] += 1
    return {
        period: {
            f: {r: periods[period][f][r] for r in FACTOR_ROLES if periods[period][f][r]}
            for f in FACTORS
            if periods[period][f]
        }
        for period in sorted(periods)
    }


def _overall_stage(items: Sequence[Assessment]) -> StageResult:
    ranks = sorted(STAGES.index(a.stage.value) for a in items)
    counts: Counter[str] = Counter(a.stage.value for a in items)
    reason = f"median stage of {len(items)} innovation(s): " + ", ".join(
        f"{counts[s]} {s}" for s in STAGES if counts[s]
    )
    return StageResult(value=STAGES[statistics.median_low(ranks)], reason=reason)  # type: ignore[arg-type]


def locality_summary(assessments: Sequence[Assessment]) -> list[Locality]:
    """One :class:`Locality` per place among the assessments.

    Parameters
    ----------
    assessments
        Assessed innovations, of one place or several.

    Returns
    -------
    list of Locality
        One per place (places compared without case or surrounding spaces),
        by place.

    Examples
    --------
    >>> from lisa.assess import assess_answers
    >>> a = assess_answers({"answers": {"meta.innovation": "A", "meta.place": "Town"}})
    >>> [(loc.place, loc.innovations, loc.stage.value) for loc in locality_summary([a])]
    [('Town', 1, 'fluid')]
    """
    by_place: dict[str, list[Assessment]] = defaultdict(list)
    for a in assessments:
        by_place[a.place.strip().casefold()].append(a)
    out = []
    for key in sorted(by_place):
        items = sorted(by_place[key], key=lambda a: (a.innovation.casefold(), _period(a)))
        mature_fields = {
            (a.service or a.innovation).casefold() for a in items if a.phase.value >= 3
        }
        out.append(
            Locality(
                place=items[0].place,
                innovations=len(items),
                entries=tuple(_entry(a) for a in items),
                factors_over_time=_factors_over_time(items),  # type: ignore[arg-type]
                stage=_overall_stage(items),
                innovating_in_several_fields=len(mature_fields) >= 2,
            )
        )
    return out
