"""The assessment result as typed models: what ``lisa assess --json`` writes and reads back.

Every part of an :class:`Assessment` - the phase and its evidence, the
stage, the trajectory with its history, the strategic triangle, the risks,
recommendations, disagreements and closest cases - is a frozen pydantic
model, so an assessment written as JSON (:mod:`lisa.assess.document`) reloads
as exactly the same object, and the JSON Schema
(``lisa/schema/assessment.schema.json``) and the field reference of
``docs/assessment.md`` are generated from these classes
(:mod:`lisa.assess.schema`). Numbers are stored as the JSON shows them
(strengths, scores and gaps to 3 places, the confidence to 2).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic_core import PydanticCustomError

from lisa.assess.recommend import Recommendation, Risk
from lisa.assess.spread import Spreading
from lisa.cases.library import ClosestCase
from lisa.vocabulary import (
    CORNERS,
    FACTORS,
    LINKS,
    Corner,
    Factor,
    FactorRole,
    Link,
    Stage,
    TrajectoryStatus,
)

if TYPE_CHECKING:
    from lisa.assess.combine import CombinedAnswers
    from lisa.assess.rules import Context

#: Version of the assessment JSON (docs/assessment.md). The major part changes
#: when a field is removed or renamed, the minor part when one is added.
SCHEMA_VERSION = "1.3"

#: One answer as the JSON holds it: agree5 (an int, or a median such as 3.5),
#: a choice or text, or several choices (``type.kind``).
Answer = int | float | str | tuple[str, ...]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Answered(_Part):
    """How much of the item bank the assessors answered."""

    items: int = Field(ge=0, description="Items answered (by at least one assessor).")
    of: int = Field(ge=0, description="Items in the bank.")


class InnovationType(_Part):
    """What is new, and how far it departs from what went before (seed 001 §3)."""

    kind: tuple[str, ...] = Field(description="product, service and/or process (type.kind).")
    extent: str | None = Field(description="incremental, radical or systemic (type.extent).")


class PhaseSigns(_Part):
    """The evidence for one lifecycle phase: its sign items and their mean."""

    phase: int = Field(ge=0, le=4, description="The phase, 0 latent ... 4 embedding.")
    name: str = Field(description="The phase's name.")
    score: float | None = Field(
        description="Mean of the answered signs on 0..1 (3 places); null when none is answered."
    )
    answered: int = Field(ge=0, description="Signs of this phase answered.")
    total: int = Field(ge=0, description="Signs of this phase in the bank.")
    present: bool = Field(description="The score is at least the setting sign_present.")
    items: dict[str, int | float] = Field(
        description="Each answered sign and its agree5 answer (a median may end in .5)."
    )
    decided_by: Literal["key", "supporting"] | None = Field(
        None,
        description="Which of its signs decide the phase: its key signs, or its supporting ones "
        "when no key sign is answered; null when neither is (1.2).",
    )
    deciding: tuple[str, ...] = Field((), description="The ids of the deciding signs (1.2).")
    shortfall: float | None = Field(
        None,
        description="Points (agree5) the deciding signs fall short of sign_present in all; 0 when "
        "present, null when none is answered (1.2).",
    )


class ConfidenceFactors(_Part):
    """The four terms whose product is the confidence (docs/assessment.md, Inference)."""

    coverage: float = Field(description="Share of the phase signs answered, as coverage_floor + rest.")
    clarity: float = Field(description="How far the decisive evidence is from the threshold.")
    agreement: float = Field(description="Lowered by assessors' disagreement on the signs.")
    history: float = Field(description="1.0 when the history's last phase agrees; lower otherwise.")


class PhaseResult(_Part):
    """The lifecycle phase inferred, how confident lisa is, and why."""

    value: int = Field(ge=0, le=4, description="The phase: 0 latent ... 4 embedding.")
    name: str = Field(description="The phase's name (latent, design and discovery, ...).")
    confidence: float = Field(ge=0, le=1, description="0..1, two places.")
    confidence_label: Literal["high", "medium", "low"] = Field(
        description="From the settings confidence_high and confidence_medium."
    )
    basis: Literal["signs", "history"] = Field(
        description="'signs', or 'history' when no phase sign was answered."
    )
    confidence_factors: ConfidenceFactors = Field(description="The terms of the confidence.")
    evidence: tuple[str, ...] = Field(description="Phase by phase, in words, what was found.")
    signs: tuple[PhaseSigns, ...] = Field(description="The evidence of each phase 0..4.")


class StageResult(_Part):
    """A stage on the Utterback-Abernathy path (fluid, transitional, specific) and why."""

    value: Stage = Field(description="fluid, transitional or specific.")
    reason: str = Field(description="Why, in words.")
    basis: Literal["items", "phase", "items and phase"] | None = Field(
        None,
        description="Read from the stage items, from the phase (no stage item answered), or from "
        "the items with the phase standing in for a stage none of whose items is answered (1.2).",
    )
    scores: dict[Stage, float | None] = Field(
        default_factory=dict,
        description="Mean (0..1) of each stage's items; transitional counts competing designs "
        "reversed; null when unanswered (1.2).",
    )


class HistoryPoint(_Part):
    """The phase an innovation was in from a date."""

    date: str = Field(description="The date as written (2004, 2004-06, 2004-06-30).")
    phase: int = Field(ge=0, le=4, description="The phase from that date.")
    note: str = Field(description="What happened ('this assessment' for the current phase).")


class Trajectory(_Part):
    """Whether the innovation is progressing, stalled, reversing or sustained."""

    status: TrajectoryStatus = Field(
        description="progressing, stalled, reversing, sustained or unknown."
    )
    reason: str = Field(description="Why, in words.")
    history: tuple[HistoryPoint, ...] = Field(
        description="The merged history, plus the current phase at the assessment date."
    )
    stall_after_years: float | None = Field(
        None, description="Years in one phase after which it counts as stalled, for its extent (1.2)."
    )
    progress: Literal["advancing", "holding", "slipping"] | None = Field(
        None,
        description="Progress within the phase: progress.within_phase, else from the next phase's "
        "key signs (advancing) when at least within_phase_progress; null when unknown (1.2).",
    )


class CornerStrength(_Part):
    """A corner of the strategic triangle against what the phase needs from it."""

    strength: float | None = Field(description="Mean of its items on 0..1; null when unanswered.")
    need: float = Field(description="What the phase needs (rules.yaml, phases).")
    gap: float | None = Field(description="need - strength; positive when it falls short.")


class LinkStrength(CornerStrength):
    """A link of the triangle; ``estimated`` when its own item was not answered."""

    estimated: bool = Field(description="True when taken as the weaker of its two corners.")


class Triangle(_Part):
    """The strategic triangle (authority, capacity, value and their links) for the phase."""

    corners: dict[Corner, CornerStrength] = Field(description="authority, capacity and value.")
    links: dict[Link, LinkStrength] = Field(
        description="authority_capacity, capacity_value and value_authority."
    )
    weakest_corner: Corner | None = Field(description="The corner furthest short of its need.")
    weakest_corner_falls_short: bool = Field(description="It is below what the phase needs.")
    weakest_link: Link | None = Field(description="The link furthest short of its need.")
    weakest_link_falls_short: bool = Field(description="It is below what the phase needs.")
    balanced: bool | None = Field(
        None,
        description="True when some corner is answered and none falls short of what the phase needs: "
        "'balanced for this phase' (weakest_corner is then only the lowest) (1.2).",
    )

    @field_validator("corners")
    @classmethod
    def _all_corners(cls, value: dict[Corner, CornerStrength]) -> dict[Corner, CornerStrength]:
        if set(value) != set(CORNERS):
            raise PydanticCustomError("invalid", f"the triangle needs exactly the corners {', '.join(CORNERS)}")
        return {c: value[c] for c in CORNERS}

    @field_validator("links")
    @classmethod
    def _all_links(cls, value: dict[Link, LinkStrength]) -> dict[Link, LinkStrength]:
        if set(value) != set(LINKS):
            raise PydanticCustomError("invalid", f"the triangle needs exactly the links {', '.join(LINKS)}")
        return {link: value[link] for link in LINKS}


class Hinge(_Part):
    """One answer whose one-point change would move the placement."""

    item: str = Field(description="The item id.")
    answer: int | float = Field(description="The answer given (a combined median may end in .5).")
    to: int | float = Field(description="The answer one point away that moves the placement.")
    changes: tuple[str, ...] = Field(
        description="What moves, in words: 'phase 2 → 3', 'stage fluid → transitional', "
        "'triangle capacity short → balanced'."
    )


class Disagreement(_Part):
    """Assessors who answered the same item (or dated the same phase) differently."""

    item: str = Field(description="The item id, or 'history DATE'.")
    values: dict[str, Answer] = Field(description="Each assessor's answer.")
    combined: Answer = Field(description="The combined answer lisa used.")
    spread: float | None = Field(description="Largest minus smallest, for agree5 and phases.")


class Assessment(_Part):
    """The diagnosis of one innovation (possibly from several assessors).

    ``combined`` (the combined and per-assessor answers) and ``context`` (the
    facts the rules were evaluated on) exist only in memory: they are not in
    the JSON, and are ``None`` on an assessment read back from a file.

    Examples
    --------
    >>> from lisa.assess import assess_answers
    >>> a = assess_answers({"answers": {"meta.innovation": "Hubs", "meta.place": "Town",
    ...     "sign.pilots": 5, "sign.delivery_team": 4, "capacity.management": 2}})
    >>> a.phase.value, a.phase.name, a.stage.value, a.triangle.weakest_corner
    (2, 'mobilisation', 'fluid', 'capacity')
    """

    innovation: str = Field(description="meta.innovation.")
    place: str = Field(description="meta.place.")
    service: str | None = Field(description="meta.service.")
    as_of: dt.date | None = Field(
        description="meta.date, else the last history date (ISO date), else null."
    )
    assessors: tuple[str, ...] = Field(description="Who answered (meta.assessor or file name).")
    sources: tuple[str, ...] = Field(description="The answer files read.")
    answered: Answered = Field(description="How much of the bank was answered.")
    type: InnovationType = Field(description="Kind and extent of the innovation.")
    phase: PhaseResult = Field(description="The lifecycle phase and its confidence.")
    stage: StageResult = Field(description="The Utterback-Abernathy stage.")
    trajectory: Trajectory = Field(description="The verdict of the history.")
    triangle: Triangle = Field(description="The strategic triangle against the phase's needs.")
    factors: dict[Factor, FactorRole] = Field(
        description="Each answered factor: driver, enabler, absent or blocking."
    )
    risks: tuple[Risk, ...] = Field(description="The risks named for the phase, showing first.")
    recommendations: tuple[Recommendation, ...] = Field(
        description="The recommendations whose conditions hold, most-supported first."
    )
    disagreements: tuple[Disagreement, ...] = Field(description="Where the assessors differ.")
    network_findings: tuple[str, ...] = Field(description="The network finding codes used, sorted.")
    closest_cases: tuple[ClosestCase, ...] = Field(
        description="The three closest cases of the library (as 'lisa cases compare')."
    )
    sensitivity: tuple[Hinge, ...] = Field(
        (),
        description="The answers the placement hinges on: each answered agree5 item whose one-point "
        "change would move the phase, the stage or the triangle verdict (1.2).",
    )
    spreading: Spreading | None = Field(
        None,
        description="Readiness for scaling, its risks and recommendations, and the routes to spread "
        "(1.3); null in documents of 1.2 and earlier.",
    )

    _combined: CombinedAnswers | None = PrivateAttr(None)
    _context: Context | None = PrivateAttr(None)

    @field_validator("factors")
    @classmethod
    def _factor_order(cls, value: dict[Factor, FactorRole]) -> dict[Factor, FactorRole]:
        return {f: value[f] for f in FACTORS if f in value}

    @property
    def combined(self) -> CombinedAnswers | None:
        """The combined answers (in memory only; ``None`` after reading a file)."""
        return self._combined

    @property
    def context(self) -> Context | None:
        """The facts the rules were evaluated on (in memory only)."""
        return self._context
