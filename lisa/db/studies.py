"""Studies in and out of the database, through lisa's own readers and checks.

:func:`import_study` stores a validated :class:`~lisa.study.Study` (as
:func:`lisa.io.load_study` reads it from a folder or workbook);
:func:`study_from_db` rebuilds the study from the tables and puts it through
the very checks a loaded folder gets (:func:`lisa.io.build_study`), so a study
in the database is never something the CLI would refuse; :func:`export_study`
writes it with :func:`lisa.io.write_study`. Folder → database → folder gives
back the same files (column order, extra columns, blank "not recorded"
responses, waves, set-aside answers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import delete, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from lisa.db.models import PersonRow, RelationRow, StudyRow, TieRow, UnlistedRow
from lisa.errors import ConfigError, Problem, StudyInvalid, StudyNotFound
from lisa.io.folder import StudyFormat, table_from_records, write_study
from lisa.io.tables import Table, _finish
from lisa.io.validate import build_study
from lisa.study import Study, Unlisted

#: What a study's short name (its address in the web app) may hold.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
TIE_COLUMNS = ("source", "target", "relation")
T = TypeVar("T")


def slug_for(text: str) -> str:
    """A study address made from ``text``: lower case letters, digits and dashes.

    Examples
    --------
    >>> slug_for("Northfield 2025!")
    'northfield-2025'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return slug or "study"


def check_slug(slug: str) -> str:
    """``slug`` when it is a valid study address; raises :class:`ConfigError` otherwise."""
    if not SLUG.match(slug):
        raise ConfigError(
            f"'{slug}' cannot be a study's short name: use lower-case letters, digits and dashes "
            "(at most 80, starting with a letter or digit)"
        )
    return slug


def find_study(session: Session, slug: str) -> StudyRow:
    """The study with this short name; raises :class:`StudyNotFound`."""
    row = session.scalar(select(StudyRow).where(StudyRow.slug == slug))
    if row is None:
        raise StudyNotFound(f"no study named '{slug}' in the database (see 'lisa db list')")
    return row


def _responded(study: Study, i: int) -> bool | None:
    if not study.response_known or bool(study.response_unknown[i]):
        return None
    return bool(study.responded[i])


def _store_people(session: Session, row: StudyRow, study: Study) -> list[int]:
    values = [
        {
            "study_id": row.id,
            "position": i,
            "pid": study.ids[i],
            "name": study.names[i],
            "organisation": study.organisations[i],
            "sector": study.sectors[i],
            "layer": study.layers[i],
            "responded": _responded(study, i),
            "attributes": {k: v[i] for k, v in study.attributes.items()},
        }
        for i in range(study.n_people)
    ]
    if values:
        session.execute(insert(PersonRow), values)
    found = session.execute(
        select(PersonRow.position, PersonRow.id).where(PersonRow.study_id == row.id)
    ).all()
    return [pk for _, pk in sorted(found)]


def _store_relations(session: Session, row: StudyRow, study: Study) -> list[int]:
    for i, rel in enumerate(study.relations):
        attrs = {k: v[i] for k, v in study.relation_attributes.items()}
        session.add(
            RelationRow(
                study_id=row.id, position=i, name=rel.name, label=rel.label,
                question=rel.question, directed=rel.directed, attributes=attrs,
            )
        )
    session.flush()
    found = session.execute(
        select(RelationRow.position, RelationRow.id).where(RelationRow.study_id == row.id)
    ).all()
    return [pk for _, pk in sorted(found)]


def _store_ties(
    session: Session, row: StudyRow, study: Study, people: list[int], relations: list[int]
) -> None:
    t = study.ties
    extra = {k: v.tolist() for k, v in t.attributes.items()}
    values = [
        {
            "study_id": row.id,
            "source_id": people[int(t.source[i])],
            "target_id": people[int(t.target[i])],
            "relation_id": relations[int(t.relation[i])],
            "weight": float(t.weight[i]),
            "wave": study.waves[int(t.wave[i])] if int(t.wave[i]) >= 0 else None,
            "origin": "import",
            # a blank cell is no answer: stored as a survey tie stores it, by leaving it out
            "attributes": {k: str(v[i]) for k, v in extra.items() if str(v[i]) != ""},
        }
        for i in range(len(t))
    ]
    for start in range(0, len(values), 5000):
        session.execute(insert(TieRow), values[start : start + 5000])


def import_study(session: Session, study: Study, slug: str | None = None) -> StudyRow:
    """Store a validated study under a new short name (no commit: the caller's transaction).

    Parameters
    ----------
    session
        An open session; the caller commits.
    study
        The study, as :func:`lisa.io.load_study` read it.
    slug
        Its short name in the web app (default: made from the study's name).

    Returns
    -------
    StudyRow
        The stored study.

    Raises
    ------
    ConfigError
        When the short name is invalid or already taken (nothing is stored).
    """
    slug = check_slug(slug or slug_for(study.name))
    if session.scalar(select(StudyRow.id).where(StudyRow.slug == slug)) is not None:
        raise ConfigError(f"a study named '{slug}' is already in the database: choose another name")
    row = StudyRow(
        slug=slug, name=study.name, consent_text="", waves=list(study.waves),
        current_wave=study.waves[-1] if study.waves else None,
        response_known=bool(study.response_known), person_columns=list(study.attributes),
        relation_columns=list(study.relation_attributes),
        tie_columns=list(study.ties.attributes), created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    people = _store_people(session, row, study)
    relations = _store_relations(session, row, study)
    _store_ties(session, row, study, people, relations)
    by_pid = dict(zip(study.ids, people, strict=True))
    for u in study.not_on_list:
        session.add(
            UnlistedRow(study_id=row.id, respondent_id=by_pid[u.respondent], relation=u.relation,
                        text=u.text, wave=u.wave)
        )
    session.flush()
    searchable(session)
    return row


def searchable(session: Session) -> None:
    """After many people are written: PostgreSQL's roster search fast at once (no-op on SQLite).

    Fresh statistics, so the planner uses the trigram index (autovacuum's own
    analyse comes up to a minute later; until then it filters every row), and
    the trigram index's pending list merged into the index: a GIN index takes
    new rows into an unsorted list that every lookup reads through until
    (auto)vacuum merges it, 67 against 8 ms a search (p50) just after 20,000
    people are imported (benchmarks/README.md).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("ANALYZE people"))
        session.execute(sql_text("SELECT gin_clean_pending_list('people_search')"))


def empty_ties_table(label: str = "ties.csv") -> Table:
    """A ties table with its header and no rows: a roster whose answers are not in yet."""
    frame = pl.DataFrame(schema={c: pl.Utf8 for c in TIE_COLUMNS})
    return _finish(frame, label, [])


def _records_table(label: str, rows: Sequence[Mapping[str, object]], header: Sequence[str]) -> Table:
    if rows:
        return table_from_records(label, rows)
    if label == "ties.csv":
        return empty_ties_table(label)
    return _finish(pl.DataFrame(schema={c: pl.Utf8 for c in header}), label, [])


def _people_records(session: Session, row: StudyRow) -> tuple[list[dict[str, object]], dict[int, str]]:
    people = session.scalars(
        select(PersonRow).where(PersonRow.study_id == row.id).order_by(PersonRow.position)
    ).all()
    records: list[dict[str, object]] = []
    for p in people:
        rec: dict[str, object] = {
            "id": p.pid, "name": p.name, "organisation": p.organisation, "sector": p.sector,
            "layer": p.layer or "",
        }
        if row.response_known:
            rec["responded"] = "" if p.responded is None else "yes" if p.responded else "no"
        for k in row.person_columns:
            rec.setdefault(k, p.attributes.get(k, ""))
        records.append(rec)
    return records, {p.id: p.pid for p in people}


def _relation_records(session: Session, row: StudyRow) -> tuple[list[dict[str, object]], dict[int, str]]:
    rels = session.scalars(
        select(RelationRow).where(RelationRow.study_id == row.id).order_by(RelationRow.position)
    ).all()
    records: list[dict[str, object]] = []
    for r in rels:
        rec: dict[str, object] = {
            "name": r.name, "label": r.label, "question": r.question,
            "directed": "yes" if r.directed else "no",
        }
        for k in row.relation_columns:
            rec.setdefault(k, r.attributes.get(k, ""))
        records.append(rec)
    return records, {r.id: r.name for r in rels}


def _tie_records(
    session: Session, row: StudyRow, pids: dict[int, str], rels: dict[int, str]
) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    ties = session.execute(
        select(TieRow.source_id, TieRow.target_id, TieRow.relation_id, TieRow.weight,
               TieRow.wave, TieRow.attributes)
        .where(TieRow.study_id == row.id)
        .order_by(TieRow.id)
    )
    for source, target, relation, weight, wave, attrs in ties:
        rec: dict[str, object] = {
            "source": pids[source], "target": pids[target], "relation": rels[relation],
            "weight": repr(float(weight)),
        }
        if row.waves:
            rec["wave"] = wave or ""
        for k in row.tie_columns:
            rec.setdefault(k, attrs.get(k, ""))
        records.append(rec)
    return records


def study_from_db(session: Session, slug: str) -> Study:
    """Rebuild a stored study and check it exactly as a loaded folder is checked.

    Parameters
    ----------
    session
        An open session.
    slug
        The study's short name.

    Returns
    -------
    Study
        With its set-aside "not on the list" answers.

    Raises
    ------
    StudyNotFound
        When no study has that name.
    StudyInvalid
        When the stored data would not load as a folder (listing every problem).
    """
    row = find_study(session, slug)
    people, pids = _people_records(session, row)
    relations, rels = _relation_records(session, row)
    ties = _tie_records(session, row, pids, rels)
    study, problems = build_study(
        _records_table("people.csv", people, ("id",)),
        _records_table("ties.csv", ties, TIE_COLUMNS),
        _records_table("relations.csv", relations, ("name",)),
        name=row.name,
        source=f"database study '{slug}'",
    )
    if study is None:
        raise StudyInvalid(problems)
    unlisted = session.scalars(
        select(UnlistedRow).where(UnlistedRow.study_id == row.id).order_by(UnlistedRow.id)
    ).all()
    study.not_on_list = [Unlisted(pids[u.respondent_id], u.relation, u.text, u.wave) for u in unlisted]
    return study


def export_study(session: Session, slug: str, path: str | Path, format: StudyFormat = "csv") -> Path:
    """Write a stored study as a study folder (or workbook) that ``lisa analyse`` reads.

    Returns the path written; raises as :func:`study_from_db` and
    :func:`lisa.io.write_study` do.
    """
    return write_study(study_from_db(session, slug), path, format)


def delete_study_data(session: Session, row: StudyRow) -> None:
    """Remove a study's people, relations and ties (the study row stays)."""
    for table in (TieRow, UnlistedRow, PersonRow, RelationRow):
        session.execute(delete(table).where(table.study_id == row.id))


def roster_problems(problems: Sequence[Problem]) -> list[Problem]:
    """The problems an uploaded roster shows (the "no ties yet" note is expected there)."""
    return [p for p in problems if p.code != "no-ties"]


def add_default_relations(session: Session, row: StudyRow) -> None:
    """Give a new study lisa's seven default relations and their questions (no commit)."""
    from lisa.study import DEFAULT_RELATIONS

    for i, rel in enumerate(DEFAULT_RELATIONS):
        session.add(RelationRow(study_id=row.id, position=i, name=rel.name, label=rel.label,
                                question=rel.question, directed=rel.directed, attributes={}))
    session.flush()


def relation_records(session: Session, row: StudyRow) -> list[dict[str, object]]:
    """The study's relations as ``relations.csv`` rows (for checking a roster against them)."""
    return _relation_records(session, row)[0]


def replace_roster(session: Session, row: StudyRow, study: Study) -> int:
    """Replace a study's roster with ``study``'s people (no commit); returns how many.

    A roster without a ``responded`` column starts everyone as "not yet
    answered", so the dashboard counts response from the first answer on.

    Raises
    ------
    ConfigError
        When the study already holds ties or answers (a roster change would
        orphan them; import the study folder instead).
    """
    from lisa.db.models import AnswerRow, InvitationRow

    for table in (TieRow, AnswerRow):
        if session.scalar(select(table.id).where(table.study_id == row.id).limit(1)) is not None:
            raise ConfigError(
                "this study already has answers or ties: its roster can no longer be replaced"
            )
    session.execute(delete(InvitationRow).where(InvitationRow.study_id == row.id))
    session.execute(delete(UnlistedRow).where(UnlistedRow.study_id == row.id))
    session.execute(delete(PersonRow).where(PersonRow.study_id == row.id))
    if not study.response_known:
        from dataclasses import replace

        import numpy as np

        n = study.n_people
        study = replace(study, response_known=True, responded=np.zeros(n, bool),
                        response_unknown=np.zeros(n, bool))
    row.response_known = True
    row.person_columns = list(study.attributes)
    _store_people(session, row, study)
    session.flush()
    searchable(session)
    return study.n_people


def start_wave(session: Session, row: StudyRow, label: str, earlier: str | None = None) -> list[str]:
    """Start a new survey wave: answers from now on go to ``label`` (no commit).

    A study's first wave needs a name for the data it already holds
    (``earlier``), since a study's ties either all have a wave or none do. The
    labels must be in time order by lisa's wave rule (:func:`lisa.io.waves.order_waves`)
    with the new one last. Everyone starts the new wave as "not yet answered"
    (the roster holds one response per person: the current wave's).

    Returns
    -------
    list of str
        The study's waves, earliest first.

    Raises
    ------
    ConfigError
        For a blank, repeated or out-of-order label, or a missing ``earlier``.
    """
    from lisa.db.models import AnswerRow
    from lisa.io.waves import order_waves

    label, earlier = label.strip(), (earlier or "").strip() or None
    waves = list(row.waves or [])
    if not label or len(label) > 100:
        raise ConfigError("give the new wave a label of up to 100 characters, e.g. 2026")
    if not waves:
        held = session.scalar(select(TieRow.id).where(TieRow.study_id == row.id).limit(1))
        answered = session.scalar(select(AnswerRow.id).where(AnswerRow.study_id == row.id).limit(1))
        if held is not None or answered is not None:
            if earlier is None:
                raise ConfigError("name the wave of the answers already in (e.g. 2025) to start a new one")
            _label_existing(session, row, earlier)
            waves = [earlier]
    if label in waves:
        raise ConfigError(f"the study already has a wave '{label}'")
    ordered = order_waves([*waves, label])
    if ordered.order is None:
        raise ConfigError(ordered.reason)
    if ordered.order[-1] != label:
        raise ConfigError(f"the new wave '{label}' must come after '{ordered.order[-1]}'")
    row.waves, row.current_wave = ordered.order, label
    session.execute(update(PersonRow).where(PersonRow.study_id == row.id).values(responded=False))
    return list(ordered.order)


def _label_existing(session: Session, row: StudyRow, wave: str) -> None:
    from lisa.db.models import AnswerRow

    session.execute(update(TieRow).where(TieRow.study_id == row.id).values(wave=wave))
    session.execute(update(UnlistedRow).where(UnlistedRow.study_id == row.id).values(wave=wave))
    session.execute(update(AnswerRow).where(AnswerRow.study_id == row.id).values(wave=wave))


def delete_person(session: Session, row: StudyRow, pid: str) -> dict[str, int]:
    """Remove a person on request: their roster row, every tie naming them (either end), their
    set-aside answers, link and answers, and their id from others' saved answers (no commit).

    Returns
    -------
    dict
        What was removed: ``ties``, ``not_on_list``, ``answers_changed`` (counts only).

    Raises
    ------
    UnknownPerson
        When the study has no such id (with look-alike ids suggested).
    """
    from sqlalchemy import func, or_

    from lisa.db.models import AnswerRow
    from lisa.errors import UnknownPerson

    person = session.scalar(select(PersonRow).where(PersonRow.study_id == row.id, PersonRow.pid == pid))
    if person is None:
        from rapidfuzz import process

        ids = list(session.scalars(select(PersonRow.pid).where(PersonRow.study_id == row.id)))
        close = [m[0] for m in process.extract(pid, ids, limit=3, score_cutoff=70)]
        raise UnknownPerson(pid, close)
    naming = or_(TieRow.source_id == person.id, TieRow.target_id == person.id)
    ties = session.scalar(select(func.count()).where(TieRow.study_id == row.id, naming)) or 0
    unlisted = session.scalar(select(func.count()).where(UnlistedRow.respondent_id == person.id)) or 0
    changed = 0
    for answer in session.scalars(select(AnswerRow).where(AnswerRow.study_id == row.id,
                                                          AnswerRow.person_id != person.id)):
        scrubbed = _without(answer.answers, pid)
        if scrubbed != answer.answers:
            answer.answers, changed = scrubbed, changed + 1
    session.execute(delete(TieRow).where(TieRow.study_id == row.id, naming))
    session.delete(person)  # its link, answers and set-aside answers go with it (cascade)
    session.flush()
    return {"ties": ties, "not_on_list": unlisted, "answers_changed": changed}


def _without(answers: dict[str, object], pid: str) -> dict[str, object]:
    def clean(value: object) -> object:
        """The value with ``pid`` left out of every list in it."""
        if isinstance(value, list):
            return [v for v in value if v != pid]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    out = {k: clean(v) for k, v in answers.items()}
    items = out.get("items")
    if isinstance(items, dict):  # per-tie answers are keyed by the person they are about
        out["items"] = {rel: {p: v for p, v in per.items() if p != pid} if isinstance(per, dict) else per
                        for rel, per in items.items()}
    return out


def owned_row(session: Session, table: type[T], row_id: int, study: StudyRow, what: str) -> T:
    """The row ``row_id`` of ``table`` when it belongs to ``study``; raises :class:`NotFound`
    (the same for a row of another study as for none)."""
    from lisa.errors import NotFound

    item = session.get(table, row_id)
    if item is None or getattr(item, "study_id", None) != study.id:
        raise NotFound(f"no {what} {row_id} in this study")
    return item


def _unlisted_row(session: Session, row: StudyRow, unlisted_id: int) -> UnlistedRow:
    return owned_row(session, UnlistedRow, unlisted_id, row, "'not on the list' answer")


def _follow_in_answers(session: Session, item: UnlistedRow, pid: str) -> None:
    """The respondent's saved answers name ``pid`` instead of the typed text (so a re-submit keeps it)."""
    from lisa.db.models import AnswerRow

    answer = session.scalar(select(AnswerRow).where(AnswerRow.person_id == item.respondent_id,
                                                    AnswerRow.wave == (item.wave or "")))
    if answer is None:
        return
    data: dict[str, Any] = {**answer.answers}
    data["unlisted"] = {k: [t for t in v if t != item.text] for k, v in data.get("unlisted", {}).items()}
    relations = {**data.get("relations", {})}
    relations[item.relation] = list(dict.fromkeys([*relations.get(item.relation, []), pid]))
    data["relations"] = relations
    answer.answers = data


def merge_unlisted(session: Session, row: StudyRow, unlisted_id: int, pid: str) -> bool:
    """Resolve a "not on the list" answer as the roster's ``pid``: the tie follows (no commit).

    Returns
    -------
    bool
        True when a tie was added (False when the name was the respondent themself).

    Raises
    ------
    NotFound
        When the study has no such answer; :class:`UnknownPerson` for an unknown id.
    """
    from lisa.errors import UnknownPerson

    item = _unlisted_row(session, row, unlisted_id)
    person = session.scalar(select(PersonRow).where(PersonRow.study_id == row.id, PersonRow.pid == pid))
    if person is None:
        raise UnknownPerson(pid)
    relation = session.scalar(select(RelationRow).where(RelationRow.study_id == row.id,
                                                        RelationRow.name == item.relation))
    added = relation is not None and person.id != item.respondent_id
    if added and relation is not None:
        session.add(TieRow(study_id=row.id, source_id=item.respondent_id, target_id=person.id,
                           relation_id=relation.id, weight=1.0, wave=item.wave,
                           origin="survey" if item.origin == "survey" else "import", attributes={}))
    _follow_in_answers(session, item, pid)
    session.delete(item)
    session.flush()
    return added


def add_unlisted_person(
    session: Session, row: StudyRow, unlisted_id: int, pid: str, name: str, organisation: str = ""
) -> bool:
    """Add the person a "not on the list" answer names to the roster, then merge the answer into
    them (no commit); returns as :func:`merge_unlisted`.

    Raises
    ------
    ConfigError
        When ``pid`` is blank, too long or already on the roster.
    """
    from sqlalchemy import func

    _unlisted_row(session, row, unlisted_id)
    pid = pid.strip()
    if not pid or len(pid) > 200 or any(c.isspace() for c in pid):
        raise ConfigError("give the new person an id without spaces (at most 200 characters)")
    taken = session.scalar(select(PersonRow.id).where(PersonRow.study_id == row.id, PersonRow.pid == pid))
    if taken is not None:
        raise ConfigError(f"the id '{pid}' is already on the roster: merge into that person instead")
    last = session.scalar(select(func.max(PersonRow.position)).where(PersonRow.study_id == row.id))
    session.add(PersonRow(study_id=row.id, position=(last or 0) + 1, pid=pid, name=name.strip(),
                          organisation=organisation.strip(), sector="", layer=None,
                          responded=False if row.response_known else None,
                          attributes={k: "" for k in row.person_columns}))
    session.flush()
    return merge_unlisted(session, row, unlisted_id, pid)
