"""Where the reports place the cases: phase and stage ranges to check assessments against.

``lisa/assess/data/placements.yaml`` holds, for each of the six cases the
assessment is tested on (the four UK cases of the reports, Oldham and
Southampton), the lifecycle phase range and the Utterback-Abernathy stage
range the reports give, each with its source. :func:`read_placements` reads
it; :meth:`Placement.misses` says where an assessment falls outside.

>>> placements = read_placements()
>>> placements["tower-hamlets"].phase.range, placements["tower-hamlets"].stage.range
((4, 4), ('specific',))
>>> find_placement(placements, "oldham").key
'oldham-in-control'
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from lisa.errors import DefinitionInvalid, LisaError
from lisa.io.yamlio import load_definition
from lisa.vocabulary import PHASE_NAMES, Stage

if TYPE_CHECKING:
    from lisa.assess.model import Assessment


class UnknownPlacement(LisaError):
    """No case of that name (or alias) in the placements file."""


class PhaseRange(BaseModel):
    """The phases (lowest, highest) a source places a case in, and what it says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    range: tuple[int, int]
    source: str = Field(min_length=1)
    reading: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        low, high = self.range
        if not (low in PHASE_NAMES and high in PHASE_NAMES and low <= high):
            raise PydanticCustomError("invalid", "a phase range is [lowest, highest], phases 0 to 4")
        return self

    def holds(self, phase: int) -> bool:
        return self.range[0] <= phase <= self.range[1]


class StageRange(BaseModel):
    """The stages a source places a case in, and what it says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    range: tuple[Stage, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    reading: str = Field(min_length=1)


class Placement(BaseModel):
    """One case: its key, lisa's answer file, and the reports' phase and stage ranges."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    answers: str = Field(description="lisa's own answers, in lisa/cases/data/assessments/.")
    aliases: tuple[str, ...] = ()
    phase: PhaseRange
    stage: StageRange

    @property
    def answer_file(self) -> Traversable:
        """lisa's own answer file for the case."""
        return resources.files("lisa.cases").joinpath("data", "assessments", self.answers)

    def misses(self, assessment: Assessment) -> list[str]:
        """Where ``assessment`` falls outside the ranges, in words (empty: it lands in range).

        Examples
        --------
        >>> from lisa.assess import assess_answers
        >>> a = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y"}})
        >>> read_placements()["tower-hamlets"].misses(a)[0]
        'phase 0 (latent) is outside 4-4 (seed 002 §5.1)'
        """
        out = []
        low, high = self.phase.range
        if not self.phase.holds(assessment.phase.value):
            out.append(
                f"phase {assessment.phase.value} ({assessment.phase.name}) is outside "
                f"{low}-{high} (seed {self.phase.source})"
            )
        if assessment.stage.value not in self.stage.range:
            out.append(
                f"stage {assessment.stage.value} is not {' or '.join(self.stage.range)} "
                f"(seed {self.stage.source})"
            )
        return out


def parse_placements(data: Any, source: str = "placements.yaml") -> dict[str, Placement]:
    """Check a parsed placements file and return its cases by key.

    Raises
    ------
    DefinitionInvalid
        When the file is not a mapping of cases, or a case breaks the form (named).
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), Mapping):
        raise DefinitionInvalid(f"{source}: a placements file needs 'version' and 'cases'")
    out: dict[str, Placement] = {}
    for key, spec in data["cases"].items():
        try:
            out[str(key)] = Placement.model_validate({"key": key, **dict(spec)})
        except (TypeError, ValueError, ValidationError) as exc:
            raise DefinitionInvalid(f"{source}: case '{key}': {exc}") from None
    return out


def read_placements(path: str | Path | None = None) -> dict[str, Placement]:
    """The placements shipped with lisa (or read from ``path``), by case key.

    Raises
    ------
    DefinitionInvalid
        When the file is not strict YAML or breaks the form.
    """
    ref: Path | Traversable = (
        Path(path) if path else resources.files("lisa.assess").joinpath("data", "placements.yaml")
    )
    return parse_placements(load_definition(ref.read_text("utf-8"), str(ref)), str(ref))


def find_placement(placements: Mapping[str, Placement], name: str) -> Placement:
    """The case of that key or alias (case-insensitive).

    Raises
    ------
    UnknownPlacement
        Naming the known keys.
    """
    wanted = name.strip().casefold()
    for placement in placements.values():
        if wanted == placement.key.casefold() or wanted in (a.casefold() for a in placement.aliases):
            return placement
    raise UnknownPlacement(f"no placement for case '{name}'; known: {', '.join(placements)}")
