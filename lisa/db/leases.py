"""Leases: a database row that lets one process at a time do a database-wide job.

Each of ``lisa serve --workers N``'s processes runs the retention purge on a
schedule; :func:`acquire` lets one of them in. The row is taken with a single
conditional ``UPDATE`` (free, expired, or already ours) — atomic on SQLite,
which writes one transaction at a time, and on PostgreSQL, whose row lock
makes a second ``UPDATE`` wait and then see the lease taken — or, the first
time, an ``INSERT`` that only one process can win (the name is the primary
key). A lease expires by itself, so a process that dies holding it blocks the
job only until then. Times are seconds since the epoch.
"""

from __future__ import annotations

import time

from sqlalchemy import Float, String, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from lisa.db.models import Base


class LeaseRow(Base):
    """Who holds a job's lease, until when, and when the job last finished."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)


def acquire(sessions: sessionmaker[Session], name: str, holder: str, seconds: float, *,
            gap: float = 0.0, clock: float | None = None) -> bool:
    """Take the lease ``name`` for ``seconds`` unless another holder has it; True when taken.

    Parameters
    ----------
    sessions
        Sessions of the database.
    name
        The job.
    holder
        Who asks (unique per process and app).
    seconds
        How long the lease lasts unless released (longer than the job takes).
    gap
        Refuse as well when the job finished less than this many seconds ago
        (so that N workers on one schedule run it once, not N times).
    clock
        The time now (default: :func:`time.time`).

    Returns
    -------
    bool
        Whether ``holder`` now holds the lease.
    """
    now = time.time() if clock is None else clock
    with sessions.begin() as s:
        done = s.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, or_(LeaseRow.expires_at <= now, LeaseRow.holder == holder),
                   or_(LeaseRow.finished_at.is_(None), LeaseRow.finished_at <= now - gap))
            .values(holder=holder, expires_at=now + seconds))
        if done.rowcount:  # type: ignore[attr-defined]
            return True
        if s.scalar(select(LeaseRow.name).where(LeaseRow.name == name)) is not None:
            return False
    try:
        with sessions.begin() as s:
            s.add(LeaseRow(name=name, holder=holder, expires_at=now + seconds))
    except IntegrityError:  # another process inserted it first: theirs
        return False
    return True


def release(sessions: sessionmaker[Session], name: str, holder: str, *, clock: float | None = None) -> None:
    """Give the lease back, noting that the job finished now (nothing happens if it is not ours)."""
    now = time.time() if clock is None else clock
    with sessions.begin() as s:
        s.execute(update(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder)
                  .values(expires_at=now, finished_at=now))
