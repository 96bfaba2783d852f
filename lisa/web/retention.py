"""Retention dates: after a study's "delete answers after" date its survey answers are deleted.

What goes (:func:`purge_study`): every respondent's saved and submitted
answers, the ties given in the survey (``origin == "survey"``), and the "not
on the list" names typed in the survey. What stays: the roster (unless the
study asks for it to go too, ``delete_roster_too``), the relations and their
questions, ties imported from a study folder, and every other study. The
survey is closed from that date on (:func:`lisa.web.studies.survey_state`).

The purge runs when the server starts, every ``purge_interval_seconds`` inside
the server's lifespan (:func:`lifespan`), and on demand with ``lisa db purge``;
always through :func:`purge_once`, so that with ``lisa serve --workers N`` one
process purges at a time (a lease row in the database) and the schedule runs
once per interval, not once per worker.
The audit log records counts only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from lisa.db.leases import acquire, release
from lisa.db.models import (
    AnswerRow,
    InvitationRow,
    MessageRow,
    PersonRow,
    ProxyLinkRow,
    StudyRow,
    TieRow,
    UnlistedRow,
)
from lisa.web.app import db, form_text
from lisa.web.auth import audit, now, study_action

LOG = logging.getLogger("lisa.web.retention")
#: The database lease one purge runs under (:mod:`lisa.db.leases`), and how long it lasts
#: unless released (a process that dies holding it blocks the purge only this long).
LEASE, LEASE_SECONDS = "retention-purge", 900.0
#: A scheduled purge is skipped when another worker's finished within this share of the interval.
SCHEDULE_GAP = 0.9
router = APIRouter()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count_delete(session: Session, table: Any, *where: Any) -> int:
    found = session.scalar(select(func.count()).select_from(table).where(*where)) or 0
    if found:
        session.execute(delete(table).where(*where))
    return int(found)


def purge_study(session: Session, study: StudyRow) -> dict[str, int]:
    """Delete a study's survey answers now (and its roster, if it asks for that); no commit.

    Returns
    -------
    dict
        What went, as counts: ``answers``, ``ties``, ``not_on_list`` and, with
        the roster, ``people`` (their imported ties, links and messages go
        with them).
    """
    people = select(PersonRow.id).where(PersonRow.study_id == study.id)
    counts = {
        "answers": _count_delete(session, AnswerRow, AnswerRow.study_id == study.id),
        "ties": _count_delete(session, TieRow, TieRow.study_id == study.id, TieRow.origin == "survey"),
        "not_on_list": _count_delete(session, UnlistedRow, UnlistedRow.study_id == study.id,
                                     UnlistedRow.origin == "survey"),
    }
    if study.delete_roster_too:
        _count_delete(session, ProxyLinkRow, ProxyLinkRow.person_id.in_(people))
        for table in (TieRow, UnlistedRow, InvitationRow, MessageRow):
            _count_delete(session, table, table.study_id == study.id)
        counts["people"] = _count_delete(session, PersonRow, PersonRow.study_id == study.id)
    session.flush()
    return counts


def purge_due(sessions: sessionmaker[Session], moment: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge every study whose "delete answers after" date has passed; each in its own transaction.

    Parameters
    ----------
    sessions
        Sessions of the platform's database.
    moment
        The time to compare with (default: now).

    Returns
    -------
    dict
        For each study purged now, by short name: what went (counts). A
        study with nothing left to delete is not listed and gets no new audit line.
    """
    moment = moment or now()
    with sessions() as s:
        due = [(row.id, row.slug) for row in s.scalars(
            select(StudyRow).where(StudyRow.delete_answers_after.is_not(None)).order_by(StudyRow.id))
            if row.delete_answers_after is not None and _aware(row.delete_answers_after) <= moment]
    done: dict[str, dict[str, int]] = {}
    for study_id, slug in due:
        with sessions.begin() as s:
            study = s.get(StudyRow, study_id)
            if study is None:
                continue
            counts = purge_study(s, study)
            if any(counts.values()) or study.answers_deleted_at is None:
                study.answers_deleted_at = moment
                audit(s, None, study, "retention-purge", **counts)
                done[slug] = counts
    return done


def purge_once(sessions: sessionmaker[Session], holder: str, *, gap: float = 0.0,
               clock: float | None = None) -> dict[str, dict[str, int]] | None:
    """:func:`purge_due` under the database lease :data:`LEASE` (one process at a time).

    Parameters
    ----------
    sessions
        Sessions of the platform's database.
    holder
        Who runs it (unique per process and app).
    gap
        Do not run when a purge finished less than this many seconds ago.
    clock
        The time now in seconds since the epoch (default: now).

    Returns
    -------
    dict or None
        As :func:`purge_due`; None when another process holds the lease (or
        ran the purge within ``gap``), and nothing was done.
    """
    if not acquire(sessions, LEASE, holder, LEASE_SECONDS, gap=gap, clock=clock):
        return None
    try:
        return purge_due(sessions)
    finally:
        release(sessions, LEASE, holder)


def new_holder() -> str:
    """A lease holder name unique to this process and call (no personal data)."""
    return f"{os.getpid()}-{secrets.token_hex(8)}"


def purge_logged(sessions: sessionmaker[Session], holder: str | None = None, gap: float = 0.0) -> None:
    """:func:`purge_once`, logging counts only; a database error is logged, never raised."""
    try:
        done = purge_once(sessions, holder or new_holder(), gap=gap)
    except SQLAlchemyError as exc:
        LOG.warning("retention purge did not run: %s", type(exc).__name__)
        return
    if done is None:
        LOG.info("retention purge: left to another process (it runs one at a time)")
        return
    if done:
        total = {k: sum(c.get(k, 0) for c in done.values()) for k in ("answers", "ties", "people")}
        LOG.info("retention purge: %d stud%s; %s", len(done), "y" if len(done) == 1 else "ies",
                 ", ".join(f"{k} {v}" for k, v in total.items()))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The server's lifespan: on start, e-mails a stopped server left half-sent are marked
    (:func:`lisa.web.mail.recover_interrupted`) and the purge runs; then it runs every
    ``purge_interval_seconds``."""
    from lisa.web.mail import recover_interrupted

    sessions, interval = app.state.sessions, app.state.settings.purge_interval_seconds
    holder = app.state.lease_holder = new_holder()
    await anyio.to_thread.run_sync(recover_interrupted, sessions)
    await anyio.to_thread.run_sync(purge_logged, sessions, holder)  # workers starting: one at a time

    async def every() -> None:
        """Purge on the schedule until the server stops (once per interval across workers)."""
        while True:
            await asyncio.sleep(interval)
            await anyio.to_thread.run_sync(purge_logged, sessions, holder, SCHEDULE_GAP * interval)

    task = asyncio.create_task(every())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _retention_date(text: str) -> datetime | None:
    """The end of the day ``text`` names (UTC), or None for a blank field; 422 otherwise."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"'{text[:40]}' is not a date (YYYY-MM-DD)") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@router.post("/studies/{slug}/retention")
async def edit_retention(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/retention: the "delete answers after" date, and whether the roster
    goes too (owner). The date cannot be in the past, nor before the survey closes."""
    account, form, study, _ = await study_action(request, session, slug, "owner")
    after = _retention_date(form_text(form, "delete_after", limit=40, required=False))
    if after is not None and after < now():
        raise HTTPException(422, "the date to delete answers after cannot be in the past")
    if after is not None and study.closes_at is not None and after < _aware(study.closes_at):
        raise HTTPException(422, "answers can be deleted only after the survey closes: "
                                 "choose a date on or after its closing date")
    study.delete_answers_after = after
    study.delete_roster_too = after is not None and form.get("roster") == "yes"
    audit(session, account, study, "edit-retention", date_set=after is not None,
          roster=study.delete_roster_too)
    session.commit()
    return RedirectResponse(f"/studies/{slug}", 303)
