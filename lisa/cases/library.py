"""Loading, checking, showing and comparing the cases of the library.

The library is read from a folder of case files (:func:`read_cases`; the
shipped one is ``lisa/cases/data``) and held by the assessment
:class:`~lisa.assess.Instrument`; every function here takes that instrument
(``None``: the shipped library, read for this call) instead of keeping a
hidden cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from lisa.errors import DefinitionInvalid, LisaError, UnknownCase
from lisa.vocabulary import (
    FACTOR_PLAYS_PART,
    FACTOR_ROLES,
    FACTORS,
    PHASE_NAMES,
    SPREAD_ROUTE_TITLES,
    SPREAD_ROUTES,
    STAGES,
)

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument
    from lisa.assess.model import Assessment

SCHEMA = 1
CASE_KINDS: dict[str, str] = {
    "uk-locality": "UK locality studied in depth (seed 001, seed 002)",
    "international": "International place (seed 002 §5.3-5.4, seed 001 §2.2)",
    "experiment": "The Appendix C network experiment (seed 000/002 §5.4)",
    "council-essay": "A council's or partnership's own account (seed 003)",
    "essay": "An essay on the conditions for innovation (seed 003)",
}
REQUIRED = ("schema", "name", "version", "kind", "title", "place", "source", "summary")
LIST_FIELDS = (
    "context",
    "drivers",
    "strategy",
    "process",
    "outcomes",
    "next_steps",
    "lessons",
)


class CaseInvalid(DefinitionInvalid):
    """A case file breaks the case schema (message names the file and field)."""


@dataclass(frozen=True)
class Case:
    """One case, as its YAML says; the properties are the fields lisa uses.

    ``folder`` is the library folder the case was read from (its filled-in
    assessment, if any, is a path relative to it).
    """

    data: Mapping[str, Any]
    folder: Path | Traversable | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def place(self) -> str:
        return str(self.data["place"])

    @property
    def innovation(self) -> str | None:
        return self.data.get("innovation")

    @property
    def source(self) -> str:
        return str(self.data["source"])

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def stage(self) -> str | None:
        return self.data.get("stage")

    @property
    def phase(self) -> int | None:
        placement = self.data.get("placement") or {}
        return placement.get("phase")

    @property
    def placement(self) -> Mapping[str, Any]:
        return self.data.get("placement") or {}

    @property
    def factors(self) -> dict[str, str]:
        return dict(self.data.get("factors") or {})

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple((self.data.get("type") or {}).get("kind") or ())

    @property
    def extent(self) -> str | None:
        return (self.data.get("type") or {}).get("extent")

    @property
    def next_steps(self) -> list[str]:
        return list(self.data.get("next_steps") or [])

    @property
    def spread(self) -> Mapping[str, str] | None:
        """The route the case took to spread, where its seed says so (route, evidence, source)."""
        return self.data.get("spread")

    @property
    def assessment_file(self) -> str | None:
        return self.data.get("assessment")

    def render(self) -> str:
        """The case as rich-markup text for the terminal."""
        from rich.markup import escape

        d = self.data
        out = [f"[bold]{escape(self.title)}[/]  [dim]({self.name}, version {self.version})[/]"]
        out.append(f"{escape(CASE_KINDS[self.kind])} · source: seed {escape(self.source)}")
        if self.innovation:
            out.append(f"Innovation: {escape(self.innovation)}")
        placed = []
        if self.stage:
            placed.append(f"stage {self.stage}")
        if self.phase is not None:
            placed.append(f"phase {self.phase} ({PHASE_NAMES[self.phase]})")
        if self.kinds or self.extent:
            placed.append(f"{'/'.join(self.kinds)} {self.extent or ''}".strip())
        if placed:
            out.append("Placed at: " + ", ".join(placed))
        out.append("\n" + escape(str(d["summary"]).strip()))
        for key in LIST_FIELDS[:4]:
            if d.get(key):
                out.append(f"\n[bold]{key.capitalize()}[/]")
                out += [f"  • {escape(str(x))}" for x in d[key]]
        if d.get("outcomes"):
            out.append("\n[bold]Outcomes[/]")
            out += [f"  • {escape(str(x))}" for x in d["outcomes"]]
        if d.get("timeline"):
            out.append("\n[bold]Timeline[/]")
            out += [
                f"  {escape(str(t['date'])):<9} {escape(str(t['event']))}" for t in d["timeline"]
            ]
        if self.factors:
            out.append("\n[bold]Six factors[/]")
            out += [f"  {f:<17} {r}" for f, r in self.factors.items()]
        if d.get("network"):
            out.append("\n[bold]Network pattern[/]")
            out += [f"  {k}: {escape(str(v))}" for k, v in d["network"].items()]
        for key in ("next_steps", "lessons"):
            if d.get(key):
                out.append(f"\n[bold]{key.replace('_', ' ').capitalize()}[/]")
                out += [f"  • {escape(str(x))}" for x in d[key]]
        if self.spread:
            out.append("\n[bold]Route to spread[/]")
            out.append(f"  {escape(SPREAD_ROUTE_TITLES[self.spread['route']])}")
            out.append(f"  {escape(str(self.spread['evidence']).strip())} (seed {escape(self.spread['source'])})")
        if self.placement.get("note"):
            out.append(f"\n[dim]Placement: {escape(str(self.placement['note']))}[/]")
        return "\n".join(out)


def check_case(data: Any, where: str) -> Case:
    """Check one parsed case file against the schema and return the case."""
    if not isinstance(data, Mapping):
        raise CaseInvalid(f"{where}: a case file must be a mapping")
    for key in REQUIRED:
        if key not in data:
            raise CaseInvalid(f"{where}: missing '{key}'")
    if data["schema"] != SCHEMA:
        raise CaseInvalid(f"{where}: schema {data['schema']} is not {SCHEMA}")
    if data["kind"] not in CASE_KINDS:
        raise CaseInvalid(f"{where}: kind '{data['kind']}' is not one of {', '.join(CASE_KINDS)}")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise CaseInvalid(f"{where}: version must be a whole number from 1")
    for key in LIST_FIELDS:
        if key in data and not isinstance(data[key], list):
            raise CaseInvalid(f"{where}: '{key}' must be a list")
    for factor, role in (data.get("factors") or {}).items():
        if factor not in FACTORS or role not in FACTOR_ROLES:
            raise CaseInvalid(f"{where}: bad factor '{factor}: {role}'")
    if data.get("stage") is not None and data["stage"] not in STAGES:
        raise CaseInvalid(f"{where}: stage '{data['stage']}' is not one of {', '.join(STAGES)}")
    placement = data.get("placement") or {}
    if placement.get("phase") is not None and placement["phase"] not in PHASE_NAMES:
        raise CaseInvalid(f"{where}: placement phase must be 0-4")
    _check_spread(data.get("spread"), where)
    for entry in data.get("timeline") or []:
        if not isinstance(entry, Mapping) or "date" not in entry or "event" not in entry:
            raise CaseInvalid(f"{where}: each timeline entry needs a date and an event")
    return Case(data=dict(data))


def _check_spread(spread: Any, where: str) -> None:
    """A case's ``spread``: the route it took (one of SPREAD_ROUTES), what happened, the source."""
    if spread is None:
        return
    if not isinstance(spread, Mapping) or set(spread) != {"route", "evidence", "source"}:
        raise CaseInvalid(f"{where}: 'spread' needs exactly 'route', 'evidence' and 'source'")
    if spread["route"] not in SPREAD_ROUTES:
        raise CaseInvalid(f"{where}: spread route '{spread['route']}' is not one of {', '.join(SPREAD_ROUTES)}")
    if not all(isinstance(spread[k], str) and spread[k].strip() for k in ("evidence", "source")):
        raise CaseInvalid(f"{where}: spread 'evidence' and 'source' must be text")


def shipped_folder() -> Traversable:
    """The case library shipped with lisa (``lisa/cases/data``)."""
    return resources.files("lisa.cases").joinpath("data")


def read_cases(folder: Path | Traversable) -> tuple[Case, ...]:
    """Read and check every case file (``NAME.yaml``) in a library folder.

    Parameters
    ----------
    folder
        The folder of case files; :func:`shipped_folder` is lisa's own.

    Returns
    -------
    tuple of Case
        UK localities first, then international places, the experiment and
        the essays, each kind by name.

    Raises
    ------
    CaseInvalid
        When a case breaks the case schema, repeats a name, or its file name
        is not its name; :class:`~lisa.errors.DefinitionInvalid` when a file is
        not strict YAML (a repeated key, an alias).
    """
    from lisa.io.yamlio import load_definition  # lisa.assess reads the library itself

    if not folder.is_dir():
        raise CaseInvalid(f"{folder}: no such case library folder")
    cases = []
    names: set[str] = set()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = load_definition(entry.read_text("utf-8"), entry.name)
        case = check_case(data, entry.name)
        if case.name in names:
            raise CaseInvalid(f"{entry.name}: duplicate case name '{case.name}'")
        if entry.name != f"{case.name}.yaml":
            raise CaseInvalid(f"{entry.name}: file name must be '{case.name}.yaml'")
        names.add(case.name)
        cases.append(Case(data=case.data, folder=folder))
    order = list(CASE_KINDS)
    return tuple(sorted(cases, key=lambda c: (order.index(c.kind), c.name)))


def _library(instrument: Instrument | None) -> tuple[Case, ...]:
    return instrument.cases if instrument is not None else read_cases(shipped_folder())


def load_cases(kind: str | None = None, *, instrument: Instrument | None = None) -> list[Case]:
    """Every case in the library (optionally only one kind), UK localities first.

    Parameters
    ----------
    kind
        One of :data:`CASE_KINDS` to keep only those cases.
    instrument
        Whose case library to read; ``None``: the shipped library.

    Returns
    -------
    list of Case
        UK localities first, then by kind and name.

    Examples
    --------
    >>> [c.name for c in load_cases("uk-locality")]
    ['highland', 'knowsley', 'south-tyneside', 'tower-hamlets']
    """
    return [c for c in _library(instrument) if kind is None or c.kind == kind]


def get_case(name: str, *, instrument: Instrument | None = None) -> Case:
    """One case by name (case-insensitive, spaces as hyphens).

    Parameters
    ----------
    name
        The case's name (``lisa cases list``).
    instrument
        Whose case library to search; ``None``: the shipped library.

    Returns
    -------
    Case
        The case.

    Raises
    ------
    UnknownCase
        When the library has no such case; the message suggests close names.

    Examples
    --------
    >>> get_case("South Tyneside").name
    'south-tyneside'
    """
    cases = _library(instrument)
    wanted = name.strip().lower().replace(" ", "-")
    for case in cases:
        if case.name == wanted:
            return case
    from rapidfuzz import process

    matches = process.extract(wanted, [c.name for c in cases], limit=3, score_cutoff=50)
    raise UnknownCase(name, [m[0] for m in matches])


def case_assessment(case: Case | str, *, instrument: Instrument | None = None) -> Assessment:
    """lisa's assessment of a UK case from its filled-in answers.

    Parameters
    ----------
    case
        The case or its name.
    instrument
        The instrument to assess with (and whose library holds the case);
        ``None``: the shipped one.

    Returns
    -------
    Assessment
        lisa's diagnosis of the case's innovation.

    Raises
    ------
    LisaError
        When the case has no filled-in assessment;
        :class:`~lisa.errors.AssessmentInvalid` when its answers have problems.

    Examples
    --------
    >>> case_assessment("tower-hamlets").phase.value
    4
    """
    from lisa.assess.answers import answers_from_yaml
    from lisa.assess.core import assess_sets
    from lisa.assess.errors import AssessmentInvalid
    from lisa.assess.instrument import Instrument

    instrument = instrument or Instrument.load()
    case = get_case(case, instrument=instrument) if isinstance(case, str) else case
    if not case.assessment_file or case.folder is None:
        raise LisaError(f"case '{case.name}' has no filled-in assessment")
    ref = case.folder.joinpath(case.assessment_file)
    shipped = str(case.folder) == str(shipped_folder())
    label = f"lisa/cases/data/{case.assessment_file}" if shipped else str(ref)
    sets, problems = answers_from_yaml(ref.read_text("utf-8"), label, instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return assess_sets(sets, instrument=instrument)[0]


# --------------------------------------------------------------------------- compare

#: How much each feature weighs in the similarity of a case to an innovation.
WEIGHTS = {"phase": 2.0, "stage": 1.0, "factors": 3.0, "kind": 1.0, "extent": 1.0}


class ClosestCase(BaseModel):
    """A case of the library close to an assessed innovation, as the assessment JSON holds it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: str = Field(description="The case's name in the library ('lisa cases show NAME').")
    title: str = Field(description="The case's title.")
    source: str = Field(description="Where in the reports the case comes from (seed and section).")
    similarity: float = Field(ge=0, le=1, description="0..1, weighing phase, stage, factors, type and extent.")
    shared: tuple[str, ...] = Field(description="What the case and the innovation have in common.")
    differs: tuple[str, ...] = Field(description="Where they differ.")
    next_steps: tuple[str, ...] = Field(description="What the place did next.")


@dataclass(frozen=True)
class CaseMatch:
    """One case compared with an innovation: its score and what is shared and differs."""

    case: Case
    score: float
    shared: tuple[str, ...]
    differs: tuple[str, ...]

    def record(self) -> ClosestCase:
        """The match as the assessment JSON stores it (scores rounded to 3 places)."""
        return ClosestCase(
            case=self.case.name,
            title=self.case.title,
            source=self.case.source,
            similarity=round(self.score, 3),
            shared=self.shared,
            differs=self.differs,
            next_steps=tuple(self.case.next_steps),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (``lisa cases compare --json``)."""
        return self.record().model_dump(mode="json")


class _Tally:
    """The parts of a similarity and the words for what is shared and what differs."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self.shared: list[str] = []
        self.differs: list[str] = []

    def add(self, part: str, score: float, same: bool, text: str) -> None:
        self.parts[part] = score
        (self.shared if same else self.differs).append(text)


def _phase_and_stage(t: _Tally, a: Assessment, case: Case) -> None:
    phase = a.phase.value
    if case.phase is not None:
        gap = abs(case.phase - phase)
        text = f"phase {case.phase} ({PHASE_NAMES[case.phase]})"
        t.add(
            "phase",
            1 - gap / 4,
            gap == 0,
            f"both in {text}" if gap == 0 else f"the case was in {text}, this innovation in phase {phase}",
        )
    if case.stage:
        same = case.stage == a.stage.value
        t.add(
            "stage",
            1.0 if same else 0.0,
            same,
            f"both at the {case.stage} stage"
            if same
            else f"the case was {case.stage}, this innovation {a.stage.value}",
        )


def _factors(t: _Tally, a: Assessment, case: Case) -> None:
    known = [f for f in FACTORS if a.factors.get(f) not in (None, "unknown")]
    common = [f for f in known if case.factors.get(f) not in (None, "unknown")]
    if not common:
        return
    scores = []
    present = set(FACTOR_PLAYS_PART)
    for f in common:
        mine, theirs = a.factors[f], case.factors[f]
        if mine == theirs:
            scores.append(1.0)
            t.shared.append(f"{f} is {mine} in both")
        elif mine in present and theirs in present:
            scores.append(0.5)
            t.shared.append(f"{f} is present in both ({theirs} there, {mine} here)")
        else:
            scores.append(0.0)
            t.differs.append(f"{f} was {theirs} there, is {mine} here")
    t.parts["factors"] = sum(scores) / len(scores)


def _type_and_extent(t: _Tally, a: Assessment, case: Case) -> None:
    kind, extent = a.type.kind, a.type.extent
    if case.kinds and kind:
        both = set(case.kinds) & set(kind)
        t.add(
            "kind",
            len(both) / len(set(case.kinds) | set(kind)),
            bool(both),
            "both " + "/".join(sorted(both)) + " innovation"
            if both
            else f"a {'/'.join(case.kinds)} innovation there, {'/'.join(kind)} here",
        )
    if case.extent and extent:
        same = case.extent == extent
        t.add(
            "extent",
            1.0 if same else 0.0,
            same,
            f"both {extent}" if same else f"{case.extent} there, {extent} here",
        )


def _similarity(a: Assessment, case: Case) -> CaseMatch:
    t = _Tally()
    _phase_and_stage(t, a, case)
    _factors(t, a, case)
    _type_and_extent(t, a, case)
    if not t.parts:
        return CaseMatch(
            case, 0.0, (), ("nothing to compare: the case has no placement or factors",)
        )
    weight = sum(WEIGHTS[k] for k in t.parts)
    raw = sum(WEIGHTS[k] * v for k, v in t.parts.items()) / weight
    coverage = weight / sum(WEIGHTS.values())
    return CaseMatch(case, raw * (0.5 + 0.5 * coverage), tuple(t.shared), tuple(t.differs))


def compare(
    assessment: Assessment,
    top: int = 3,
    kinds: Sequence[str] | None = None,
    include_same_place: bool = False,
    *,
    instrument: Instrument | None = None,
) -> list[CaseMatch]:
    """The ``top`` cases closest to an assessed innovation, most similar first.

    Similarity weighs the lifecycle phase (2), the stage (1), the six factors
    (3), the type (1) and the extent (1) over the features both sides have,
    scaled down for cases that have few of them.

    Parameters
    ----------
    assessment
        The assessed innovation.
    top
        How many cases to return.
    kinds
        Only cases of these kinds (:data:`CASE_KINDS`); default all.
    include_same_place
        Keep cases of the assessment's own place (left out by default).
    instrument
        Whose case library to search; ``None``: the shipped library.

    Returns
    -------
    list of CaseMatch
        Most similar first; ties by case name.

    Examples
    --------
    >>> [m.case.name for m in compare(case_assessment("knowsley"), top=2)]
    ['burnley', 'southampton']
    """
    here = assessment.place.strip().casefold()
    cases = [
        c
        for c in _library(instrument)
        if (kinds is None or c.kind in kinds)
        and (include_same_place or c.place.strip().casefold() != here)
    ]
    matches = [_similarity(assessment, c) for c in cases]
    matches.sort(key=lambda m: (-m.score, m.case.name))
    return matches[: max(top, 0)]
