"""A place's pipeline of innovations: the locality register read as a portfolio.

The reports found no example of senior managers being held to account for
failing to provide a pipeline of promising options, and recommend that audit
and inspection reward it (seed 002 §6.1). :func:`portfolios` reads a place's
register (:func:`lisa.assess.locality.locality_summary`) and the value ledgers
of its innovations and says, per place: which innovations are in each phase,
which are stalled or reversing, the balance across types, extents and
services, the value created (present value and NPV of the ledgers), and the
gaps - a phase with nothing in it (above all nothing in design and discovery,
so nothing coming through), stalled innovations, everything in one service,
innovations past design with no evidence of value.

:func:`gather` reads what ``lisa portfolio`` is given: answer files,
assessment JSONs and value ledgers, or folders of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from lisa.assess.locality import RegisterEntry, locality_summary
from lisa.assess.recommend import Recommendation, Source, resolve_source
from lisa.errors import Problem, StudyNotFound
from lisa.vocabulary import PHASE_NAMES, TRAJECTORIES, TrajectoryStatus

if TYPE_CHECKING:
    from lisa.assess.model import Assessment
    from lisa.value.model import ValueResult

#: The recommendation the portfolio answers to, in lisa's words, and its source.
ACCOUNTABILITY = (
    "Hold leaders to account for a pipeline of promising options at each phase, not only for "
    "past and present performance"
)
ACCOUNTABILITY_SOURCE = "002 §6.1"
#: Trajectories that count as stuck.
STUCK: tuple[TrajectoryStatus, ...] = ("stalled", "reversing")

GapCode = Literal["empty-phase", "nothing-coming-through", "stalled", "one-service", "no-value-evidence",
                  "weak-value-evidence"]  # fmt: skip

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class PhaseSlot(BaseModel):
    """One phase of the pipeline and what is in it."""

    model_config = _FROZEN

    phase: int = Field(ge=0, le=4)
    name: str
    innovations: tuple[str, ...] = Field(description="Innovations in this phase, by name.")
    stalled: tuple[str, ...] = Field(description="Those of them stalled or reversing.")


class InnovationValue(BaseModel):
    """The value one innovation's ledger adds up to."""

    model_config = _FROZEN

    innovation: str
    phase: int | None = Field(description="Its phase, when it is in the register.")
    currency: str
    present_value: float
    npv: float
    ratio: float | None
    verdict: str


class PortfolioValue(BaseModel):
    """The value created across the place's ledgers (summed only within one currency)."""

    model_config = _FROZEN

    ledgers: int = Field(ge=0)
    currencies: tuple[str, ...]
    present_value: float | None = Field(description="Sum of present values (None: mixed currencies).")
    pv_inputs: float | None
    npv: float | None
    innovations: tuple[InnovationValue, ...]


class Gap(BaseModel):
    """A gap in the pipeline, in words."""

    model_config = _FROZEN

    code: GapCode
    text: str
    innovations: tuple[str, ...] = ()


class Portfolio(BaseModel):
    """One place's pipeline of innovations."""

    model_config = _FROZEN

    place: str
    innovations: int = Field(ge=0)
    phases: tuple[PhaseSlot, ...] = Field(description="Phases 0 to 4, each with its innovations.")
    trajectories: dict[TrajectoryStatus, int]
    stalled: tuple[str, ...] = Field(description="Innovations stalled or reversing.")
    kinds: dict[str, int] = Field(description="How many innovations are of each kind.")
    extents: dict[str, int]
    services: dict[str, int]
    value: PortfolioValue
    gaps: tuple[Gap, ...]
    recommendations: tuple[Recommendation, ...] = Field(
        description="What a missing or weak evidence base of value calls for (lisa.value.advice)."
    )
    accountability: str
    source: Source


def _phases(entries: Sequence[RegisterEntry]) -> tuple[PhaseSlot, ...]:
    return tuple(
        PhaseSlot(
            phase=k,
            name=name,
            innovations=tuple(e.innovation for e in entries if e.phase == k),
            stalled=tuple(e.innovation for e in entries if e.phase == k and e.trajectory in STUCK),
        )
        for k, name in PHASE_NAMES.items()
    )


def _count(values: Sequence[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _value(entries: Sequence[RegisterEntry], results: Sequence[ValueResult]) -> PortfolioValue:
    phase = {e.innovation.strip().casefold(): e.phase for e in entries}
    currencies = tuple(sorted({r.currency for r in results}))
    one = len(currencies) <= 1
    return PortfolioValue(
        ledgers=len(results),
        currencies=currencies,
        present_value=sum(r.present_value for r in results) if one else None,
        pv_inputs=sum(r.pv_inputs for r in results) if one else None,
        npv=sum(r.npv for r in results) if one else None,
        innovations=tuple(
            InnovationValue(
                innovation=r.innovation, phase=phase.get(r.key[1]), currency=r.currency,
                present_value=r.present_value, npv=r.npv, ratio=r.ratio, verdict=r.verdict,
            )  # fmt: skip
            for r in results
        ),
    )


def _phase_gaps(slots: Sequence[PhaseSlot]) -> list[Gap]:
    gaps = []
    if not slots[1].innovations:
        gaps.append(Gap(code="nothing-coming-through", text="Nothing in design and discovery: no "
                        "new options are coming through to replace or follow the current ones."))  # fmt: skip
    for slot in slots[2:]:
        if not slot.innovations:
            gaps.append(Gap(code="empty-phase", text=f"Nothing in {slot.name} (phase {slot.phase})."))
    return gaps


def _gaps(
    slots: Sequence[PhaseSlot], entries: Sequence[RegisterEntry], assessments: Sequence[Assessment],
    results: Sequence[ValueResult],
) -> list[Gap]:  # fmt: skip
    from lisa.value.advice import VALUE_EXPECTED_FROM, ledger_for

    gaps = _phase_gaps(slots)
    stuck = tuple(e.innovation for e in entries if e.trajectory in STUCK)
    if stuck:
        gaps.append(Gap(code="stalled", text=f"{len(stuck)} innovation(s) stalled or reversing: "
                        + ", ".join(stuck) + ".", innovations=stuck))  # fmt: skip
    services = {(e.service or "").strip().casefold() for e in entries}
    if len(entries) > 1 and len(services) == 1 and "" not in services:
        gaps.append(Gap(code="one-service", text=f"Every innovation is in one service "
                        f"({entries[0].service}): nothing carries innovation to other fields."))  # fmt: skip
    unvalued = tuple(a.innovation for a in assessments
                     if a.phase.value >= VALUE_EXPECTED_FROM and ledger_for(a, results) is None)  # fmt: skip
    if unvalued:
        gaps.append(Gap(code="no-value-evidence", text="No value ledger for innovation(s) past "
                        "design and discovery: " + ", ".join(unvalued) + ".", innovations=unvalued))  # fmt: skip
    weak = tuple(r.innovation for r in results if r.verdict != "evidenced")
    if weak:
        gaps.append(Gap(code="weak-value-evidence", text="Value not (or only weakly) evidenced for: "
                        + ", ".join(weak) + ".", innovations=weak))  # fmt: skip
    return gaps


def portfolios(
    assessments: Sequence[Assessment], values: Sequence[ValueResult] = ()
) -> list[Portfolio]:
    """Each place's pipeline of innovations, with the value its ledgers show.

    Parameters
    ----------
    assessments
        Assessed innovations, of one place or several.
    values
        Value ledgers added up (:func:`lisa.value.value_of`); each goes to the
        place it names (a ledger without a place, to the place of the
        innovation of that name).

    Returns
    -------
    list of Portfolio
        One per place, by place (as :func:`lisa.assess.locality.locality_summary`).

    Examples
    --------
    >>> from lisa.assess import assess_answers
    >>> a = assess_answers({"answers": {"meta.innovation": "A", "meta.place": "Town"}})
    >>> [g.code for g in portfolios([a])[0].gaps]
    ['nothing-coming-through', 'empty-phase', 'empty-phase', 'empty-phase']
    """
    from lisa.value.advice import ledger_for, value_recommendations

    out = []
    for loc in locality_summary(assessments):
        mine = [a for a in assessments if a.place.strip().casefold() == loc.place.strip().casefold()]
        found = [r for a in mine if (r := ledger_for(a, values)) is not None]
        found += [r for r in values if r.place.strip().casefold() == loc.place.strip().casefold()]
        results: list[ValueResult] = []
        for r in found:
            if not any(r is seen for seen in results):
                results.append(r)
        entries = loc.entries
        slots = _phases(entries)
        out.append(
            Portfolio(
                place=loc.place,
                innovations=loc.innovations,
                phases=slots,
                trajectories={t: n for t in TRAJECTORIES if (n := sum(e.trajectory == t for e in entries))},
                stalled=tuple(e.innovation for e in entries if e.trajectory in STUCK),
                kinds=_count([k for e in entries for k in e.kind]),
                extents=_count([e.extent for e in entries if e.extent]),
                services=_count([e.service for e in entries if e.service]),
                value=_value(entries, results),
                gaps=tuple(_gaps(slots, entries, mine, results)),
                recommendations=tuple(rec for _, rec in value_recommendations(mine, results)),
                accountability=ACCOUNTABILITY + ".",
                source=resolve_source(ACCOUNTABILITY_SOURCE),
            )
        )
    return out


# -- reading what the command is given --------------------------------------------------

#: The CSV files that make a folder a value ledger.
_LEDGER_CSV = ("about.csv", "inputs.csv", "outcomes.csv", "assumptions.csv")


def _is_ledger(path: Path) -> bool:
    """A ledger folder (its CSV tables), a YAML file with an ``outcomes`` section, or a
    workbook with an ``outcomes`` sheet; anything else is answers or an assessment."""
    if path.is_dir():
        return (path / "outcomes.csv").is_file()
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from lisa.value.readers import MAX_LEDGER_BYTES

        if path.stat().st_size > MAX_LEDGER_BYTES:
            return False  # the answers reader refuses it by size
        head = path.read_bytes()[:MAX_LEDGER_BYTES].decode("utf-8", "replace")
        return any(line.rstrip().startswith(("outcomes:", "inputs:")) for line in head.splitlines())
    if suffix == ".xlsx":
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                book = archive.read("xl/workbook.xml")[:1_000_000] if "xl/workbook.xml" in archive.namelist() else b""
        except (zipfile.BadZipFile, OSError):
            return False
        return b'name="outcomes"' in book.lower()
    return path.name.lower() in _LEDGER_CSV


def _expand(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path], list[Path], list[Problem]]:
    """(answer files, assessment JSONs, ledgers, warnings about what was skipped)."""
    answers: list[Path] = []
    documents: list[Path] = []
    ledgers: list[Path] = []
    skipped: list[Problem] = []
    for given in map(Path, paths):
        if not given.exists():
            raise StudyNotFound(f"no such file or folder: {given}")
        inside = sorted(given.iterdir()) if given.is_dir() and not _is_ledger(given) else [given]
        for path in inside:
            if path.name.startswith("."):
                continue
            if _is_ledger(path):
                ledgers.append(path.parent if path.is_file() and path.suffix.lower() == ".csv" else path)
            elif path.is_file() and path.suffix.lower() == ".json":
                documents.append(path)
            elif path.is_file() and path.suffix.lower() in (".yaml", ".yml", ".csv", ".xlsx"):
                answers.append(path)
            elif path is not given:
                skipped.append(Problem("skipped", "not an answer file, assessment JSON or ledger; "
                                       "left out", str(path), severity="warning"))  # fmt: skip
            else:
                answers.append(path)  # named on its own: the answers reader says what is wrong
    return answers, documents, list(dict.fromkeys(ledgers)), skipped


def gather(
    paths: Sequence[str | Path],
) -> tuple[list[Assessment], list[ValueResult], list[Problem]]:
    """Read the innovations and ledgers ``lisa portfolio`` is given.

    Parameters
    ----------
    paths
        Answer files (YAML, CSV, Excel), assessment JSONs (``lisa assess
        --json``) and value ledgers, or folders holding them (not recursive,
        except that a folder with an ``outcomes.csv`` is a CSV ledger).

    Returns
    -------
    tuple
        The assessments, the ledgers added up, and warnings (files skipped,
        answers read with a warning).

    Raises
    ------
    AssessmentInvalid, AssessmentDocumentInvalid, LedgerInvalid
        When an answer file, an assessment JSON or a ledger has errors.
    StudyNotFound
        When a path does not exist.
    """
    from lisa.assess.answers import check_many
    from lisa.assess.core import assess_sets
    from lisa.assess.document import read_assessments
    from lisa.assess.errors import AssessmentInvalid
    from lisa.value import LedgerInvalid, check_ledger, value_of

    answer_files, documents, ledger_paths, warnings = _expand(paths)
    sets, problems = check_many(answer_files) if answer_files else ([], [])
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    assessments = assess_sets(sets) if sets else []
    assessments += [a for doc in documents for a in read_assessments(doc)]
    values = []
    for path in ledger_paths:
        ledger, found = check_ledger(path)
        if ledger is None or any(p.severity == "error" for p in found):
            raise LedgerInvalid(found)
        problems += found
        values.append(value_of(ledger))
    return assessments, values, warnings + [p for p in problems if p.severity == "warning"]
