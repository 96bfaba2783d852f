"""Loading, checking, showing and comparing the cases of the library."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from lisa.errors import DefinitionInvalid, LisaError, UnknownCase
from lisa.vocabulary import FACTOR_ROLES, FACTORS, PHASE_NAMES, STAGES

if TYPE_CHECKING:
    from lisa.assess.core import Assessment

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
    """One case, as its YAML says; the properties are the fields lisa uses."""

    data: Mapping[str, Any]

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
    for entry in data.get("timeline") or []:
        if not isinstance(entry, Mapping) or "date" not in entry or "event" not in entry:
            raise CaseInvalid(f"{where}: each timeline entry needs a date and an event")
    return Case(data=dict(data))


@lru_cache(maxsize=1)
def _load() -> tuple[Case, ...]:
    folder = resources.files("lisa.cases").joinpath("data")
    cases = []
    names: set[str] = set()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        case = check_case(yaml.safe_load(entry.read_text("utf-8")), entry.name)
        if case.name in names:
            raise CaseInvalid(f"{entry.name}: duplicate case name '{case.name}'")
        if entry.name != f"{case.name}.yaml":
            raise CaseInvalid(f"{entry.name}: file name must be '{case.name}.yaml'")
        names.add(case.name)
        cases.append(case)
    order = list(CASE_KINDS)
    return tuple(sorted(cases, key=lambda c: (order.index(c.kind), c.name)))


def load_cases(kind: str | None = None) -> list[Case]:
    """Every case in the library (optionally only one kind), UK localities first."""
    return [c for c in _load() if kind is None or c.kind == kind]


def get_case(name: str) -> Case:
    """One case by name (case-insensitive); suggests close names when unknown."""
    wanted = name.strip().lower().replace(" ", "-")
    for case in _load():
        if case.name == wanted:
            return case
    from rapidfuzz import process

    names = [c.name for c in _load()]
    matches = process.extract(wanted, names, limit=3, score_cutoff=50)
    raise UnknownCase(name, [m[0] for m in matches])


def case_assessment(case: Case | str) -> Assessment:
    """lisa's assessment of a UK case from its filled-in answers."""
    from lisa.assess.answers import answers_from_mapping
    from lisa.assess.core import assess_sets
    from lisa.assess.errors import AssessmentInvalid

    case = get_case(case) if isinstance(case, str) else case
    if not case.assessment_file:
        raise LisaError(f"case '{case.name}' has no filled-in assessment")
    ref = resources.files("lisa.cases").joinpath("data").joinpath(case.assessment_file)
    text = ref.read_text("utf-8")
    from lisa.assess.answers import _yaml_lines

    sets, problems = answers_from_mapping(
        yaml.safe_load(text), f"lisa/cases/data/{case.assessment_file}", lines=_yaml_lines(text)
    )
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return assess_sets(sets)[0]


# --------------------------------------------------------------------------- compare

WEIGHTS = {"phase": 2.0, "stage": 1.0, "factors": 3.0, "kind": 1.0, "extent": 1.0}


@dataclass(frozen=True)
class CaseMatch:
    case: Case
    score: float
    shared: tuple[str, ...]
    differs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "title": self.case.title,
            "source": self.case.source,
            "similarity": round(self.score, 3),
            "shared": list(self.shared),
            "differs": list(self.differs),
            "next_steps": self.case.next_steps,
        }


def _similarity(a: Assessment, case: Case) -> CaseMatch:
    parts: dict[str, float] = {}
    shared: list[str] = []
    differs: list[str] = []
    if case.phase is not None:
        gap = abs(case.phase - a.phase.phase)
        parts["phase"] = 1 - gap / 4
        text = f"phase {case.phase} ({PHASE_NAMES[case.phase]})"
        if gap == 0:
            shared.append(f"both in {text}")
        else:
            differs.append(f"the case was in {text}, this innovation in phase {a.phase.phase}")
    if case.stage:
        parts["stage"] = 1.0 if case.stage == a.stage else 0.0
        if case.stage == a.stage:
            shared.append(f"both at the {case.stage} stage")
        else:
            differs.append(f"the case was {case.stage}, this innovation {a.stage}")
    common = [f for f in FACTORS if f in case.factors and f in a.factors]
    if common:
        scores = []
        for f in common:
            mine, theirs = a.factors[f], case.factors[f]
            present = {"driver", "enabler"}
            if mine == theirs:
                scores.append(1.0)
                shared.append(f"{f} is {mine} in both")
            elif mine in present and theirs in present:
                scores.append(0.5)
                shared.append(f"{f} is present in both ({theirs} there, {mine} here)")
            else:
                scores.append(0.0)
                differs.append(f"{f} was {theirs} there, is {mine} here")
        parts["factors"] = sum(scores) / len(scores)
    if case.kinds and a.kind:
        both = set(case.kinds) & set(a.kind)
        parts["kind"] = len(both) / len(set(case.kinds) | set(a.kind))
        if both:
            shared.append("both " + "/".join(sorted(both)) + " innovation")
        else:
            differs.append(f"a {'/'.join(case.kinds)} innovation there, {'/'.join(a.kind)} here")
    if case.extent and a.extent:
        parts["extent"] = 1.0 if case.extent == a.extent else 0.0
        (shared if case.extent == a.extent else differs).append(
            f"{case.extent} there, {a.extent} here"
            if case.extent != a.extent
            else f"both {a.extent}"
        )
    if not parts:
        return CaseMatch(
            case, 0.0, (), ("nothing to compare: the case has no placement or factors",)
        )
    weight = sum(WEIGHTS[k] for k in parts)
    raw = sum(WEIGHTS[k] * v for k, v in parts.items()) / weight
    coverage = weight / sum(WEIGHTS.values())
    return CaseMatch(case, raw * (0.5 + 0.5 * coverage), tuple(shared), tuple(differs))


def compare(
    assessment: Assessment,
    top: int = 3,
    kinds: Sequence[str] | None = None,
    include_same_place: bool = False,
) -> list[CaseMatch]:
    """The ``top`` cases closest to an assessed innovation, most similar first.

    Similarity weighs the lifecycle phase (2), the stage (1), the six factors
    (3), the type (1) and the extent (1) over the features both sides have,
    scaled down for cases that have few of them. Cases of the same place as the
    assessment are left out unless ``include_same_place``.
    """
    here = assessment.place.strip().casefold()
    cases = [
        c
        for c in load_cases()
        if (kinds is None or c.kind in kinds)
        and (include_same_place or c.place.strip().casefold() != here)
    ]
    matches = [_similarity(assessment, c) for c in cases]
    matches.sort(key=lambda m: (-m.score, m.case.name))
    return matches[: max(top, 0)]
