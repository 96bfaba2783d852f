"""What a study holds in the web platform beyond its tables, written beside them and read back.

A study folder (``people.csv``, ``ties.csv``, ``relations.csv``, relation
questions and wording included) is what ``lisa analyse`` reads; the platform
also holds the survey's set-up and answers. ``lisa db export`` writes those
to :data:`PLATFORM_FILE` (``platform.json``) in the folder (beside a
workbook: ``NAME-platform.json``) and ``lisa db import`` reads it back, so
export → import gives back the same study:

- the survey's consent text, open and close dates, waves and the current
  wave, e-mail templates, retention date (and whether the roster goes too,
  and when answers were deleted);
- the per-tie items (wording, choices, weights, which sets the tie weight);
- every respondent's answers row (draft, submitted or withdrawn, with their
  per-tie answers and consent time; a proxy entry keeps the e-mail of the
  facilitator who entered it);
- which ties and "not on the list" names came from the survey (the
  retention purge deletes those and keeps imported ones), as row ranges of
  ``ties.csv`` and ``not_on_list.csv``;
- innovations, their assessors and the assessors' answers, draft or submitted.

Links (respondents' and assessors') are credentials, not study data: they are
not exported, and an imported study gets new ones. Accounts, roles, e-mail
logs, runs and the audit log stay with the database they belong to.

Everything read is checked (:class:`PlatformFile`, then against the study
just imported); any problem refuses the whole import with
:class:`~lisa.errors.StudyInvalid` (every problem listed) and nothing is
stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lisa.db.assessments import AssessorRow, InnovationRow, assessors_of, innovations_of
from lisa.db.models import (
    AccountRow,
    AnswerRow,
    PersonRow,
    RelationRow,
    StudyRow,
    TieItemRow,
    TieRow,
    UnlistedRow,
)
from lisa.errors import Problem, StudyInvalid
from lisa.files import atomic_write_text

#: The file of a study's platform data in an exported folder.
PLATFORM_FILE = "platform.json"
#: The largest platform file read (answers of a 20,000-person survey fit many times over).
PLATFORM_MAX_BYTES = 512 * 1024 * 1024
#: The version of the file's layout.
PLATFORM_FORMAT: Literal[2] = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChoiceEntry(_Strict):
    """One choice of a per-tie item."""

    value: str = Field(min_length=1, max_length=40)
    label: str = Field(max_length=200)
    weight: float | None = Field(default=None, gt=0)


class TieItemEntry(_Strict):
    """A per-tie item of one relation."""

    relation: str
    key: str
    wording: str = Field(min_length=1, max_length=1000)
    choices: list[ChoiceEntry] = Field(min_length=1, max_length=20)
    is_weight: bool = False


class RespondentAnswers(_Strict):
    """The shape of a respondent's saved answers (:class:`lisa.db.models.AnswerRow`)."""

    names: list[str] = Field(default_factory=list)
    relations: dict[str, list[str]] = Field(default_factory=dict)
    unlisted: dict[str, list[str]] = Field(default_factory=dict)
    last_wave: dict[str, list[str]] = Field(default_factory=dict)
    items: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)

    def named(self) -> set[str]:
        """Every roster id the answers name."""
        out = set(self.names)
        for group in (self.relations, self.last_wave):
            out.update(p for pids in group.values() for p in pids)
        out.update(p for per in self.items.values() for p in per)
        return out


class AnswerEntry(_Strict):
    """One respondent's answers in one wave (``""``: a study without waves)."""

    person: str
    wave: str = ""
    state: Literal["draft", "submitted", "withdrawn"]
    consent_at: datetime | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    updated_at: datetime
    submitted_at: datetime | None = None
    proxy_entered: bool = Field(description="entered by a facilitator on the person's behalf")
    proxy: str | None = Field(default=None, description="who entered it on the person's behalf "
                              "(the account's e-mail, while the account exists)")

    @field_validator("answers")
    @classmethod
    def _shaped(cls, value: dict[str, Any]) -> dict[str, Any]:
        RespondentAnswers.model_validate(value)  # kept as given; only its shape is checked
        return value

    @model_validator(mode="after")
    def _marked(self) -> AnswerEntry:
        if self.proxy is not None and not self.proxy_entered:
            raise PydanticCustomError("proxy-unmarked", "an answer that names who entered it on "
                                      "the person's behalf must have proxy_entered true")
        return self


class AssessorEntry(_Strict):
    """One assessor of an innovation and their answers."""

    label: str = Field(min_length=1, max_length=200)
    state: Literal["new", "draft", "submitted"]
    answers: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime | None = None
    submitted_at: datetime | None = None


class InnovationEntry(_Strict):
    """An innovation of the study and its assessors."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    created_at: datetime
    assessors: list[AssessorEntry] = Field(default_factory=list)


class PlatformFile(_Strict):
    """The content of ``platform.json``."""

    format: Literal[2] = PLATFORM_FORMAT
    name: str | None = Field(default=None, max_length=10000,
                             description="the study's name (a workbook does not hold it)")
    created_at: datetime | None = None
    consent_text: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    waves: list[str] = Field(default_factory=list)
    current_wave: str | None = None
    mail_templates: dict[str, dict[str, str]] | None = None
    delete_answers_after: datetime | None = None
    delete_roster_too: bool = False
    answers_deleted_at: datetime | None = None
    survey_ties: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) row ranges of ties.csv given in the survey")
    survey_not_on_list: list[tuple[int, int]] = Field(default_factory=list)
    tie_items: list[TieItemEntry] = Field(default_factory=list)
    answers: list[AnswerEntry] = Field(default_factory=list)
    innovations: list[InnovationEntry] = Field(default_factory=list)


def platform_path(out: Path, xlsx: bool) -> Path:
    """Where the platform file of an export to ``out`` goes (in the folder, or beside a workbook)."""
    return out.with_name(f"{out.stem}-{PLATFORM_FILE}") if xlsx else out / PLATFORM_FILE


def _ranges(flags: Iterable[bool]) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of the positions that are set.

    >>> _ranges([True, True, False, True])
    [(0, 2), (3, 4)]
    """
    out: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _items(session: Session, study: StudyRow) -> list[TieItemEntry]:
    rows = session.execute(
        select(RelationRow.name, TieItemRow).join(TieItemRow, TieItemRow.relation_id == RelationRow.id)
        .where(TieItemRow.study_id == study.id).order_by(RelationRow.position, TieItemRow.position))
    return [TieItemEntry(relation=name, key=item.key, wording=item.wording, is_weight=item.is_weight,
                         choices=[ChoiceEntry(**c) for c in item.choices]) for name, item in rows]


def _answers(session: Session, study: StudyRow) -> list[AnswerEntry]:
    rows = session.execute(
        select(AnswerRow, PersonRow.pid, AccountRow.email)
        .join(PersonRow, PersonRow.id == AnswerRow.person_id)
        .outerjoin(AccountRow, AccountRow.id == AnswerRow.proxy_account_id)
        .where(AnswerRow.study_id == study.id).order_by(AnswerRow.id))
    return [AnswerEntry(person=pid, wave=a.wave, state=a.state, consent_at=a.consent_at,  # type: ignore[arg-type]
                        answers=a.answers, updated_at=a.updated_at, submitted_at=a.submitted_at,
                        proxy_entered=a.proxy_entered, proxy=email) for a, pid, email in rows]


def _innovations(session: Session, study: StudyRow) -> list[InnovationEntry]:
    return [InnovationEntry(
        name=inn.name, description=inn.description, created_at=inn.created_at,
        assessors=[AssessorEntry(label=a.label, state=a.state, answers=a.answers,  # type: ignore[arg-type]
                                 created_at=a.created_at, updated_at=a.updated_at,
                                 submitted_at=a.submitted_at) for a in assessors_of(session, inn)])
        for inn in innovations_of(session, study)]


def platform_of(session: Session, study: StudyRow) -> PlatformFile:
    """What ``platform.json`` holds for a stored study.

    Tie and "not on the list" rows are counted in the order the export writes
    them (:func:`lisa.db.studies.study_from_db`: by row id).
    """
    origins = session.scalars(select(TieRow.origin).where(TieRow.study_id == study.id).order_by(TieRow.id))
    unlisted = session.scalars(select(UnlistedRow.origin).where(UnlistedRow.study_id == study.id)
                               .order_by(UnlistedRow.id))
    return PlatformFile(
        name=study.name, created_at=study.created_at, consent_text=study.consent_text or "", opens_at=study.opens_at, closes_at=study.closes_at,
        waves=list(study.waves or []), current_wave=study.current_wave,
        mail_templates=study.mail_templates, delete_answers_after=study.delete_answers_after,
        delete_roster_too=study.delete_roster_too, answers_deleted_at=study.answers_deleted_at,
        survey_ties=_ranges(o == "survey" for o in origins),
        survey_not_on_list=_ranges(o == "survey" for o in unlisted),
        tie_items=_items(session, study), answers=_answers(session, study),
        innovations=_innovations(session, study))


def write_platform(session: Session, study: StudyRow, path: Path, folder_waves: Sequence[str]) -> Path | None:
    """Write a stored study's platform data to ``path`` (atomically) when it holds anything the
    exported tables do not; returns the path written, or None.

    Parameters
    ----------
    session
        An open session.
    study
        The stored study.
    path
        Where the file goes (:func:`platform_path`).
    folder_waves
        The waves of the exported tables: a study whose platform data is only what
        importing those tables gives gets no file (and an older one at ``path`` is removed),
        so a folder imported and exported again comes back as it was.
    """
    found = platform_of(session, study)
    plain = PlatformFile(waves=list(folder_waves), current_wave=folder_waves[-1] if folder_waves else None)
    if found.model_dump(exclude={"name", "created_at"}) == plain.model_dump(exclude={"name", "created_at"}):
        path.unlink(missing_ok=True)
        return None
    return atomic_write_text(path, found.model_dump_json(indent=1) + "\n")


def _problem(code: str, message: str, value: str | None = None) -> Problem:
    return Problem(code, message, PLATFORM_FILE, value=None if value is None else value[:100])


def read_platform(path: Path) -> PlatformFile:
    """Read and check a platform file's shape.

    Raises
    ------
    StudyInvalid
        For a file too large, not JSON, or not of the layout (each problem
        named: ``platform-too-large``, ``platform-invalid``).
    """
    if path.stat().st_size > PLATFORM_MAX_BYTES:
        raise StudyInvalid([_problem("platform-too-large",
                                     f"{PLATFORM_FILE} is larger than {PLATFORM_MAX_BYTES} bytes")])
    try:
        return PlatformFile.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise StudyInvalid([
            _problem("platform-invalid", f"{'.'.join(map(str, e['loc'])) or 'the file'}: {e['msg']}")
            for e in exc.errors()[:20]]) from None


def _check_ranges(ranges: Sequence[tuple[int, int]], n: int, what: str) -> list[Problem]:
    last = 0
    for start, end in ranges:
        if not last <= start < end <= n:
            return [_problem("platform-rows", f"the {what} row range [{start}, {end}) is not within "
                             f"the {n} rows, in order")]
        last = end
    return []


def _check_items(platform: PlatformFile, relations: set[str]) -> list[Problem]:
    from lisa.db.tieitems import check_key
    from lisa.errors import ConfigError

    problems, seen, weights = [], set(), set()
    for item in platform.tie_items:
        if item.relation not in relations:
            problems.append(_problem("platform-relation", "a tie item of a relation the study does "
                                     "not have", item.relation))
        try:
            check_key(item.key)
        except ConfigError as exc:
            problems.append(_problem("platform-item-key", str(exc), item.key))
        if (item.relation, item.key) in seen:
            problems.append(_problem("platform-item-twice", "a tie item given twice", item.key))
        if item.is_weight and (item.relation in weights or any(c.weight is None for c in item.choices)):
            problems.append(_problem("platform-item-weight", "a relation's weight item must be its "
                                     "only one, with a weight for every choice", item.key))
        weights |= {item.relation} if item.is_weight else set()
        seen.add((item.relation, item.key))
        if len({c.value for c in item.choices}) < len(item.choices):
            problems.append(_problem("platform-item-choices", "a choice value given twice", item.key))
    return problems


def _check_people(platform: PlatformFile, pids: set[str], folder_waves: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    waves = set(platform.waves) | {""}
    if not set(folder_waves) <= set(platform.waves):
        problems.append(_problem("platform-wave", "the study's ties have waves the file does not list"))
    seen: set[tuple[str, str]] = set()
    for a in platform.answers:
        if a.person not in pids or not RespondentAnswers.model_validate(a.answers).named() <= pids:
            problems.append(_problem("platform-person", "answers of or naming someone not on the roster"))
        if a.wave not in waves:
            problems.append(_problem("platform-wave", "answers in a wave the study does not have", a.wave))
        if (a.person, a.wave) in seen:
            problems.append(_problem("platform-answers-twice", "one person's answers given twice "
                                     "in one wave"))
        seen.add((a.person, a.wave))
    if platform.current_wave is not None and platform.current_wave not in platform.waves:
        problems.append(_problem("platform-wave", "the current wave is not one of the waves",
                                 platform.current_wave))
    return problems


def _check_innovations(platform: PlatformFile, study: StudyRow) -> list[Problem]:
    from lisa.assess import Instrument, answers_from_mapping
    from lisa.db.assessments import answer_mapping

    problems: list[Problem] = []
    instrument = Instrument.load() if platform.innovations else None
    names: set[str] = set()
    for inn in platform.innovations:
        if inn.name in names:
            problems.append(_problem("platform-innovation-twice", "an innovation given twice", inn.name))
        names.add(inn.name)
        labels = [a.label for a in inn.assessors]
        if len(set(labels)) < len(labels):
            problems.append(_problem("platform-assessor-twice", "an assessor given twice", inn.name))
        row = InnovationRow(name=inn.name, description=inn.description)
        for a in inn.assessors:
            if not a.answers:
                continue
            _, found = answers_from_mapping(answer_mapping(a.answers, row, study, a.label),
                                            source=PLATFORM_FILE, instrument=instrument)
            problems.extend(p for p in found if p.severity == "error")
    return problems


def check_platform(session: Session, study: StudyRow, platform: PlatformFile) -> list[Problem]:
    """Every problem of a platform file against the study it came with (none: it can be stored)."""
    pids = set(session.scalars(select(PersonRow.pid).where(PersonRow.study_id == study.id)))
    relations = set(session.scalars(select(RelationRow.name).where(RelationRow.study_id == study.id)))
    n_ties = len(session.scalars(select(TieRow.id).where(TieRow.study_id == study.id)).all())
    n_unlisted = len(session.scalars(select(UnlistedRow.id).where(UnlistedRow.study_id == study.id)).all())
    return [*_check_ranges(platform.survey_ties, n_ties, "ties.csv"),
            *_check_ranges(platform.survey_not_on_list, n_unlisted, "not_on_list.csv"),
            *_check_items(platform, relations), *_check_people(platform, pids, study.waves or []),
            *_check_innovations(platform, study)]


def _mark_survey(session: Session, table: type[TieRow] | type[UnlistedRow], study: StudyRow,
                 ranges: Sequence[tuple[int, int]]) -> None:
    ids = list(session.scalars(select(table.id).where(table.study_id == study.id).order_by(table.id)))
    for start, end in ranges:
        session.execute(update(table).where(table.study_id == study.id, table.id >= ids[start],
                                            table.id <= ids[end - 1]).values(origin="survey"))


def _store_items(session: Session, study: StudyRow, items: Sequence[TieItemEntry]) -> None:
    relations = dict(session.execute(select(RelationRow.name, RelationRow.id)
                                     .where(RelationRow.study_id == study.id)).tuples().all())
    position: dict[str, int] = {}
    for item in items:
        n = position[item.relation] = position.get(item.relation, -1) + 1
        session.add(TieItemRow(study_id=study.id, relation_id=relations[item.relation], position=n,
                               key=item.key, wording=item.wording, is_weight=item.is_weight,
                               choices=[c.model_dump() for c in item.choices]))
        if item.key not in (study.tie_columns or []):
            study.tie_columns = [*(study.tie_columns or []), item.key]


def _store_answers(session: Session, study: StudyRow, answers: Sequence[AnswerEntry]) -> None:
    people = dict(session.execute(select(PersonRow.pid, PersonRow.id)
                                  .where(PersonRow.study_id == study.id)).tuples().all())
    accounts = dict(session.execute(select(AccountRow.email, AccountRow.id)).tuples().all())
    for a in answers:
        session.add(AnswerRow(study_id=study.id, person_id=people[a.person], wave=a.wave, state=a.state,
                              consent_at=a.consent_at, answers=a.answers, updated_at=a.updated_at,
                              submitted_at=a.submitted_at, proxy_entered=a.proxy_entered,
                              proxy_account_id=accounts.get(a.proxy) if a.proxy else None))


def _store_innovations(session: Session, study: StudyRow, innovations: Sequence[InnovationEntry]) -> None:
    from lisa.web.security import new_token, token_hash

    for inn in innovations:
        row = InnovationRow(study_id=study.id, name=inn.name, description=inn.description,
                            created_at=inn.created_at)
        session.add(row)
        session.flush()
        for a in inn.assessors:  # a new link each (unknown to anyone until re-issued)
            session.add(AssessorRow(innovation_id=row.id, label=a.label, state=a.state,
                                    answers=a.answers, token_hash=token_hash(new_token()),
                                    created_at=a.created_at, updated_at=a.updated_at,
                                    submitted_at=a.submitted_at))


def store_platform(session: Session, study: StudyRow, platform: PlatformFile) -> None:
    """Give a just-imported study its platform data (no commit).

    Raises
    ------
    StudyInvalid
        With every problem :func:`check_platform` finds (nothing is stored).
    """
    problems = check_platform(session, study, platform)
    if problems:
        raise StudyInvalid(problems[:50])
    study.created_at = platform.created_at or study.created_at
    study.name = platform.name or study.name
    for name in ("consent_text", "opens_at", "closes_at", "current_wave", "mail_templates",
                 "delete_answers_after", "delete_roster_too", "answers_deleted_at"):
        setattr(study, name, getattr(platform, name))
    study.waves = list(platform.waves)
    _mark_survey(session, TieRow, study, platform.survey_ties)
    _mark_survey(session, UnlistedRow, study, platform.survey_not_on_list)
    _store_items(session, study, platform.tie_items)
    _store_answers(session, study, platform.answers)
    _store_innovations(session, study, platform.innovations)
    session.flush()
