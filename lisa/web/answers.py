"""A respondent's answers: the draft they save and resume, the submit that turns it into ties,
and withdrawal.

The draft is one :class:`~lisa.db.models.AnswerRow` per person and wave:
``names`` (the first stage: who they work with), ``relations`` (for each
relation, the roster ids chosen), ``unlisted`` (per step, names typed for
"someone not on the list"), ``items`` (per relation, the per-tie answers about
each person named: ``{relation: {roster id: {item key: value}}}``, which become
the ties' attributes and weight on submit) and, in a later wave, ``last_wave`` (the ties they
gave last time, offered to confirm or drop). Submitting replaces the person's
survey ties of the wave as a whole, so submitting twice gives the same ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from lisa.db.models import AnswerRow, PersonRow, RelationRow, StudyRow, TieRow, UnlistedRow
from lisa.db.tieitems import study_items, tie_values
from lisa.web.auth import now

#: The longest "not on the list" entry kept, and how many lines one step takes.
UNLISTED_MAX_CHARS = 200
UNLISTED_MAX_LINES = 200

# built once (submit runs them for every respondent)
_RELATION_IDS = select(RelationRow.name, RelationRow.id).where(RelationRow.study_id == bindparam("study"))
_PERSON_IDS = select(PersonRow.pid, PersonRow.id).where(PersonRow.study_id == bindparam("study"),
                                                         PersonRow.pid.in_(bindparam("pids", expanding=True)))


def wave_of(study: StudyRow) -> str:
    """The wave answers go to now (``""`` for a study without waves)."""
    return study.current_wave or ""


def _previous_wave(study: StudyRow) -> str | None:
    waves, current = list(study.waves or []), study.current_wave
    if not current or current not in waves or waves.index(current) == 0:
        return None
    return waves[waves.index(current) - 1]


def _last_wave_ties(session: Session, study: StudyRow, person: PersonRow) -> dict[str, list[str]]:
    previous = _previous_wave(study)
    if previous is None:
        return {}
    rows = session.execute(
        select(RelationRow.name, PersonRow.pid)
        .join(TieRow, TieRow.relation_id == RelationRow.id)
        .join(PersonRow, PersonRow.id == TieRow.target_id)
        .where(TieRow.source_id == person.id, TieRow.wave == previous)
        .order_by(TieRow.id)
    )
    out: dict[str, list[str]] = {}
    for relation, pid in rows:
        out.setdefault(relation, [])
        if pid not in out[relation]:
            out[relation].append(pid)
    return out


def _last_wave_items(session: Session, study: StudyRow, person: PersonRow) -> dict[str, dict[str, dict[str, str]]]:
    """The per-tie answers the person gave last wave, for the items asked now (to confirm or change)."""
    previous = _previous_wave(study)
    items = study_items(session, study) if previous is not None else {}
    if not items:
        return {}
    rows = session.execute(
        select(RelationRow.name, PersonRow.pid, TieRow.attributes)
        .join(TieRow, TieRow.relation_id == RelationRow.id)
        .join(PersonRow, PersonRow.id == TieRow.target_id)
        .where(TieRow.source_id == person.id, TieRow.wave == previous)
    )
    out: dict[str, dict[str, dict[str, str]]] = {}
    for relation, pid, attributes in rows:
        _, kept = tie_values(items.get(relation, []), attributes)
        if kept:
            out.setdefault(relation, {})[pid] = kept
    return out


def draft_for(session: Session, study: StudyRow, person: PersonRow) -> AnswerRow:
    """The person's answers in the current wave, created (no commit) on first visit.

    In a later wave a new draft starts from the ties they gave last wave, and
    from their answers to the per-tie items still asked.
    """
    wave = wave_of(study)
    row = session.scalar(select(AnswerRow).where(AnswerRow.person_id == person.id, AnswerRow.wave == wave))
    if row is not None:
        return row
    last = _last_wave_ties(session, study, person)
    names = list(dict.fromkeys(pid for pids in last.values() for pid in pids))
    row = AnswerRow(study_id=study.id, person_id=person.id, wave=wave, state="draft",
                    answers={"names": names, "relations": last, "unlisted": {}, "last_wave": last,
                             "items": _last_wave_items(session, study, person)},
                    updated_at=now())
    session.add(row)
    session.flush()
    return row


def unlisted_lines(text: str) -> list[str]:
    """The "not on the list" names typed into a box, one a line, blank lines dropped, cut to size."""
    lines = [" ".join(line.split())[:UNLISTED_MAX_CHARS] for line in text.splitlines()]
    return list(dict.fromkeys(line for line in lines if line))[:UNLISTED_MAX_LINES]


def save_step(row: AnswerRow, step: str, picked: list[str], unlisted: list[str]) -> None:
    """Store one step's choices: ``names`` for the first stage, else a relation's name."""
    answers: dict[str, Any] = {**row.answers}
    answers.setdefault("relations", {})
    answers.setdefault("unlisted", {})
    picked = list(dict.fromkeys(picked))
    if step == "names":
        answers["names"] = picked
    else:
        answers["relations"] = {**answers["relations"], step: picked}
        items = answers.get("items", {}).get(step)
        if items:  # per-tie answers about people no longer named go with them
            answers["items"] = {**answers["items"], step: {p: v for p, v in items.items() if p in picked}}
    answers["unlisted"] = {**answers["unlisted"], step: unlisted}
    row.answers = answers  # a new dict, so the JSON column is written
    row.updated_at = now()


def save_items(row: AnswerRow, relation: str, given: dict[str, dict[str, str]]) -> None:
    """Store a relation's per-tie answers (``{roster id: {item key: value}}``), replacing earlier ones."""
    answers: dict[str, Any] = {**row.answers}
    answers["items"] = {**answers.get("items", {}), relation: given}
    row.answers = answers
    row.updated_at = now()


def _clear(session: Session, study: StudyRow, person: PersonRow, wave: str) -> None:
    value = wave or None
    wave_match = TieRow.wave.is_(None) if value is None else TieRow.wave == value
    # by the person alone (a person belongs to one study): the planner then uses the person's index
    session.execute(delete(TieRow).where(TieRow.source_id == person.id, TieRow.origin == "survey",
                                         wave_match))
    unlisted_wave = UnlistedRow.wave.is_(None) if value is None else UnlistedRow.wave == value
    session.execute(delete(UnlistedRow).where(UnlistedRow.study_id == study.id,
                                              UnlistedRow.respondent_id == person.id,
                                              UnlistedRow.origin == "survey", unlisted_wave))


@dataclass
class Submission:
    """What a submit writes, worked out before the write starts: the person's ties and
    "not on the list" rows of the wave (as table rows)."""

    ties: list[dict[str, Any]]
    unlisted: list[dict[str, Any]]


def submission(session: Session, study: StudyRow, person: PersonRow, row: AnswerRow) -> Submission:
    """The ties and set-aside names the draft turns into (reads only; see :func:`submit`).

    Only roster ids of this study become ties; naming oneself is dropped.
    """
    wave = row.wave or None
    relations = dict(session.execute(_RELATION_IDS, {"study": study.id}).all())
    chosen = row.answers.get("relations", {})
    wanted = list({pid for pids in chosen.values() for pid in pids})
    ids = dict(session.execute(_PERSON_IDS, {"study": study.id, "pids": wanted}).all()) if wanted else {}
    items, given = study_items(session, study), row.answers.get("items", {})
    ties = []
    for name, pids in chosen.items():
        if name not in relations:
            continue
        for pid in pids:
            if pid in ids and ids[pid] != person.id:
                weight, attributes = tie_values(items.get(name, []), given.get(name, {}).get(pid, {}))
                ties.append({"study_id": study.id, "source_id": person.id, "target_id": ids[pid],
                             "relation_id": relations[name], "weight": weight, "wave": wave,
                             "origin": "survey", "attributes": attributes})
    unlisted = []
    for step, texts in row.answers.get("unlisted", {}).items():
        relation = step if step in relations else "work" if "work" in relations else next(iter(relations), step)
        unlisted += [{"study_id": study.id, "respondent_id": person.id, "relation": relation, "text": text,
                      "wave": wave, "origin": "survey"} for text in texts]
    return Submission(ties, unlisted)


def submit(session: Session, study: StudyRow, person: PersonRow, row: AnswerRow,
           planned: Submission | None = None) -> int:
    """Turn the draft into the person's ties of this wave (replacing earlier ones); returns how many.

    ``planned`` is the draft's :func:`submission` (worked out here when not
    given), so a caller can do the reads before it takes the write lock. The
    person counts as a respondent from now on. The caller commits.
    """
    planned = planned or submission(session, study, person, row)
    _clear(session, study, person, row.wave)
    if planned.ties:
        session.execute(insert(TieRow), planned.ties)
    if planned.unlisted:
        session.execute(insert(UnlistedRow), planned.unlisted)
    row.state, row.submitted_at, row.updated_at = "submitted", now(), now()
    person.responded = True
    return len(planned.ties)


def withdraw(session: Session, study: StudyRow, person: PersonRow, row: AnswerRow) -> None:
    """Withdraw consent: the person's own answers and survey ties go; ties others gave stay."""
    _clear(session, study, person, row.wave)
    row.answers, row.state, row.consent_at, row.submitted_at = {}, "withdrawn", None, None
    row.updated_at = now()
    person.responded = False
