"""Innovation assessments in the database: innovations, assessors' links and their answers.

A study can hold innovations (a name and a description); each innovation has
assessors, each with one survey link (only the sha256 of its token is stored)
and their answers in the very form :func:`lisa.assess.answers_from_mapping`
checks: ``{"answers": {item id: answer}, "history": [{date, phase, note}]}``.
Answers are kept as the assessor gave them (text), so the same checks run
again on every read, and :func:`export_assessments` writes them as the YAML
answer files ``lisa assess`` reads (one per assessor), round trip.

The innovation, the place and the assessor are not the assessor's to type:
:func:`answer_mapping` fills ``meta.innovation``, ``meta.place`` and
``meta.assessor`` from the rows, so several assessors of one innovation are
always combined as one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lisa.db.models import Base, StudyRow
from lisa.files import atomic_write_text

if TYPE_CHECKING:
    from lisa.assess import AnswerSet, Assessment, Instrument
    from lisa.errors import Problem
    from lisa.findings import Finding

#: The items the app fills from the rows (never typed in the form).
FIXED_ITEMS = ("meta.innovation", "meta.place", "meta.assessor")
#: The folder of answer files inside an exported study folder.
EXPORT_FOLDER = "assessments"


class InnovationRow(Base):
    """An innovation of a study that assessors assess (its name is unique in the study)."""

    __tablename__ = "innovations"
    __table_args__ = (UniqueConstraint("study_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: An assessor's states, as the facilitator reads them.
ASSESSOR_STATE_TEXT: dict[str, str] = {
    "new": "not started",
    "draft": "saved, not submitted",
    "submitted": "submitted",
}


class AssessorRow(Base):
    """One assessor of an innovation: their link (hashed) and their answers, draft or submitted."""

    __tablename__ = "assessors"
    __table_args__ = (UniqueConstraint("innovation_id", "label"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="new")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def innovations_of(session: Session, study: StudyRow) -> list[InnovationRow]:
    """A study's innovations, oldest first."""
    return list(session.scalars(select(InnovationRow).where(InnovationRow.study_id == study.id)
                                .order_by(InnovationRow.id)))


def assessors_of(session: Session, innovation: InnovationRow) -> list[AssessorRow]:
    """An innovation's assessors, in the order their links were issued."""
    return list(session.scalars(select(AssessorRow).where(AssessorRow.innovation_id == innovation.id)
                                .order_by(AssessorRow.id)))


def answer_mapping(
    raw: dict[str, Any], innovation: InnovationRow, study: StudyRow, assessor: str
) -> dict[str, Any]:
    """The answers as :func:`lisa.assess.answers_from_mapping` takes them, the fixed items filled.

    Parameters
    ----------
    raw
        ``{"answers": {...}, "history": [...]}`` as stored or as a form gave it.
    innovation, study
        Whose name and place fill ``meta.innovation`` and ``meta.place``.
    assessor
        What ``meta.assessor`` says (the assessor's label, or a pseudonym).

    Returns
    -------
    dict
        A new mapping; ``raw`` is not changed.
    """
    answers = {k: v for k, v in dict(raw.get("answers") or {}).items() if k not in FIXED_ITEMS}
    fixed = dict(zip(FIXED_ITEMS, (innovation.name, study.name, assessor), strict=True))
    out: dict[str, Any] = {"answers": {**fixed, **answers}}
    if raw.get("history"):
        out["history"] = list(raw["history"])
    return out


def checked_sets(
    session: Session,
    study: StudyRow,
    innovation: InnovationRow,
    instrument: Instrument,
    *,
    pseudonymous: bool = False,
) -> tuple[list[AnswerSet], list[Problem]]:
    """The submitted assessors' answer sets of one innovation, checked as ``lisa assess`` checks files.

    Parameters
    ----------
    session
        An open session.
    study, innovation
        The innovation and its study.
    instrument
        The item bank to check against.
    pseudonymous
        Call the assessors "assessor 1", "assessor 2"… (in link order) instead of their labels.

    Returns
    -------
    tuple
        The answer sets (one per submitted assessor) and every problem.
    """
    from lisa.assess import answers_from_mapping

    sets: list[AnswerSet] = []
    problems: list[Problem] = []
    for number, row in enumerate(assessors_of(session, innovation), start=1):
        if row.state != "submitted":
            continue
        name = f"assessor {number}" if pseudonymous else row.label
        found, issues = answers_from_mapping(
            answer_mapping(row.answers, innovation, study, name), source=answer_file_name(name),
            instrument=instrument)
        sets.extend(found)
        problems.extend(issues)
    return sets, problems


def study_assessments(
    session: Session,
    study: StudyRow,
    findings: Sequence[Finding] | None = None,
    *,
    instrument: Instrument | None = None,
    pseudonymous: bool = False,
) -> list[Assessment]:
    """Every innovation of a study with submitted answers, assessed as ``lisa assess`` does.

    Each innovation's assessors are combined by :func:`lisa.assess.assess_sets`
    (which calls :func:`lisa.assess.combine`), the CLI's own path.

    Parameters
    ----------
    session
        An open session.
    study
        The study.
    findings
        The study's network findings, when an analysis has been run.
    instrument
        ``None``: the shipped instrument.
    pseudonymous
        Name the assessors by number (for a pseudonymised report).

    Returns
    -------
    list of Assessment
        One per innovation that has at least one submitted assessor, in the order they were added.

    Raises
    ------
    AssessmentInvalid
        When stored answers no longer pass the checks (an item bank changed under them).
    """
    from lisa.assess import AssessmentInvalid, Instrument, assess_sets

    instrument = instrument or Instrument.load()
    out: list[Assessment] = []
    for innovation in innovations_of(session, study):
        sets, problems = checked_sets(session, study, innovation, instrument,
                                      pseudonymous=pseudonymous)
        if any(p.severity == "error" for p in problems):
            raise AssessmentInvalid(problems)
        if sets:
            out.extend(assess_sets(sets, findings, instrument=instrument))
    return out


def answer_file_name(label: str) -> str:
    """A safe file name for an assessor's answer file.

    >>> answer_file_name("Ann O'Neil / council")
    'ann-o-neil-council.yaml'
    """
    stem = re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")[:60] or "assessor"
    return f"{stem}.yaml"


def _yaml_text(mapping: dict[str, Any], innovation: InnovationRow) -> str:
    """An answer file in the form ``lisa assess template`` writes (every value as text)."""
    answers = {k: v if isinstance(v, list) else str(v) for k, v in mapping["answers"].items()}
    body: dict[str, Any] = {"answers": answers}
    if mapping.get("history"):
        body["history"] = [{k: str(v) for k, v in e.items() if v not in (None, "")}
                           for e in mapping["history"]]
    header = f"# lisa innovation assessment, exported from the web platform: {innovation.name}\n"
    safe = header.replace("\n", " ").strip() + "\n"
    return safe + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)


def export_assessments(session: Session, study: StudyRow, folder: str | Path) -> list[Path]:
    """Write each submitted assessor's answers as a YAML answer file that ``lisa assess`` reads.

    Files go to ``folder/<innovation>/<assessor>.yaml``; ``lisa assess
    folder/<innovation>/*.yaml`` then combines them exactly as the platform does.

    Parameters
    ----------
    session
        An open session.
    study
        The study.
    folder
        Where to write (created when there is something to write).

    Returns
    -------
    list of Path
        The files written (none when no assessor has submitted).
    """
    written: list[Path] = []
    for innovation in innovations_of(session, study):
        if not any(r.state == "submitted" for r in assessors_of(session, innovation)):
            continue
        place = Path(folder) / answer_file_name(innovation.name).removesuffix(".yaml")
        place.mkdir(parents=True, exist_ok=True)
        names: set[str] = set()
        for row in assessors_of(session, innovation):
            if row.state != "submitted":
                continue
            name = answer_file_name(row.label)
            while name in names:
                name = name.removesuffix(".yaml") + f"-{row.id}.yaml"
            names.add(name)
            mapping = answer_mapping(row.answers, innovation, study, row.label)
            written.append(atomic_write_text(place / name, _yaml_text(mapping, innovation)))
    return written

