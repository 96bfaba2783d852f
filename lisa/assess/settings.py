"""Every number the assessment inference reads, declared once.

The thresholds of the phase inference, the confidence, the trajectory and the
combining of assessors live in :class:`AssessmentSettings`, with their
defaults, bounds and a one-line meaning. The command line (``lisa assess FILE
--rule NAME=VALUE``, ``lisa assess settings``), the docs (``docs/assessment.md``,
generated from this model) and the assessment JSON (``settings``) all read
this one model. The rules file may name a setting where a condition needs a
limit (``{item_below: {sign.trigger: weak}}``), so ``--rule weak=0.4`` moves
every such limit at once.

>>> AssessmentSettings().sign_present
0.6
>>> AssessmentSettings.from_overrides({"stall_years": "4"}).stall_years
4.0
"""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from lisa.config import Settings


class AssessmentSettings(Settings):
    """The assessment's thresholds and weights. All have defaults; see ``docs/assessment.md``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)

    # -- the phase and its confidence ------------------------------------------
    sign_present: float = Field(
        0.6, ge=0, le=1, description="A phase's signs are present when their mean (0..1) is at least this."
    )
    shortfall_per_phase: float = Field(
        1.0,
        ge=1,
        le=20,
        description="Points (agree5) the key signs of the phases up to one may fall short in all, per phase "
        "the placement is held back: 1 holds it back a phase for each point short (at least 1, so that a "
        "one-point change moves the phase by at most one).",
    )
    confidence_high: float = Field(
        0.7, ge=0, le=1, description="Confidence at or above this is labelled high."
    )
    confidence_medium: float = Field(
        0.4, ge=0, le=1, description="Confidence at or above this (and below high) is labelled medium."
    )
    coverage_floor: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Coverage term of the confidence: this + (1 - this) x share of the phase signs answered.",
    )
    margin_scale: float = Field(
        0.25,
        gt=0,
        le=1,
        description="Clarity: distance (0..1) from sign_present that counts as fully clear.",
    )
    clarity_floor: float = Field(0.2, ge=0, le=1, description="Clarity never falls below this.")
    clarity_from_history: float = Field(
        0.5, ge=0, le=1, description="Clarity when the phase comes from the history alone."
    )
    clarity_no_later_signs: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Clarity of a latent reading when no later phase has a sign answered.",
    )
    disagreement_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Agreement term: 1 - this x share of the answered signs the assessors disagree on.",
    )
    history_missing: float = Field(
        0.9, ge=0, le=1, description="History term of the confidence when there is no history."
    )
    history_one_apart: float = Field(
        0.8,
        ge=0,
        le=1,
        description="History term when the history's last phase is one phase from the signs' (1.0 when equal).",
    )
    history_further: float = Field(
        0.6, ge=0, le=1, description="History term when they are two or more phases apart."
    )

    # -- limits the rules name ---------------------------------------------------
    weak: float = Field(
        0.5, ge=0, le=1, description="Rules' 'weak': a corner, link or item (0..1) below this is weak."
    )
    strong: float = Field(
        0.75, ge=0, le=1, description="Rules' 'strong': an item (0..1) at or above this is strong."
    )

    # -- assessors and history -----------------------------------------------------
    disagreement_spread: int = Field(
        2,
        ge=1,
        le=4,
        description="Assessors' agree5 answers this many points apart (or more) are a disagreement.",
    )
    stall_years: float = Field(
        5.0,
        gt=0,
        le=100,
        description="The same phase held this many years without progress within it: stalled (sustained "
        "when it is embedding), for a radical innovation or one whose extent is not given.",
    )
    stall_years_incremental: float = Field(
        3.0, gt=0, le=100, description="As stall_years, for an incremental innovation."
    )
    stall_years_systemic: float = Field(
        8.0, gt=0, le=100, description="As stall_years, for a systemic innovation (it takes longer)."
    )
    within_phase_progress: float = Field(
        0.5,
        ge=0,
        le=1,
        description="When progress.within_phase is blank, the next phase's key signs at or above this "
        "(mean, 0..1) count as progress within the phase.",
    )

    # -- the Utterback-Abernathy stage ------------------------------------------
    stage_present: float = Field(
        0.6,
        ge=0,
        le=1,
        description="A stage's items are present when their mean (0..1) is at least this.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.weak > self.strong:
            raise PydanticCustomError("invalid", f"weak ({self.weak:g}) must not be above strong ({self.strong:g})")
        if self.confidence_medium > self.confidence_high:
            raise PydanticCustomError("invalid",
                f"confidence_medium ({self.confidence_medium:g}) must not be above "
                f"confidence_high ({self.confidence_high:g})"
            )
        return self
