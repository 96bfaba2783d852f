"""A respondent's write waits for SQLite's write lock without stopping the server's event loop.

:func:`lisa.db.engine.write_turn` takes the lock with ``BEGIN IMMEDIATE``
and, while another connection (another worker process, a facilitator's upload)
holds it, sleeps between tries: other requests go on being answered, and the
write goes through once the lock is free.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from lisa.db import engine as engine_module
from lisa.db import engine_for, session_factory, sqlite_url, upgrade
from lisa.db.engine import SQLITE_FILE, write_turn
from lisa.db.models import StudyRow
from lisa.db.studies import import_study
from lisa.synth import generate


def _run(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own (the browser tests leave a loop running in this one)."""
    out: list[Any] = []

    def body() -> None:
        try:
            out.append(asyncio.run(coroutine))
        except BaseException as exc:  # handed to the caller
            out.append(exc)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def _database(folder: Path) -> tuple[object, Path]:
    engine = engine_for(sqlite_url(folder))
    upgrade(engine)
    with session_factory(engine).begin() as s:
        import_study(s, generate(60, seed=2, name="Writer place"), "writer")
    return engine, folder / SQLITE_FILE


async def _while_locked(sessions: object, file: Path) -> tuple[bool, int, str]:
    other = sqlite3.connect(file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
    ticks = 0

    async def ticker() -> None:
        """Another request's work: it must go on while the write waits."""
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    beat = asyncio.create_task(ticker())
    with sessions() as s:  # type: ignore[operator]
        waiting = asyncio.create_task(write_turn(s))
        await asyncio.sleep(0.3)
        blocked_then = not waiting.done()
        seen = ticks
        other.execute("ROLLBACK")  # the lock is free
        await asyncio.wait_for(waiting, 5)
        s.execute(update(StudyRow).where(StudyRow.slug == "writer").values(name="Renamed"))
        s.commit()
        name = s.scalar(select(StudyRow.name).where(StudyRow.slug == "writer"))
    beat.cancel()
    other.close()
    return blocked_then, seen, str(name)


def test_a_write_waits_for_the_lock_while_the_event_loop_runs_on(tmp_path: Path) -> None:
    engine, file = _database(tmp_path)
    blocked_then, ticks, name = _run(_while_locked(session_factory(engine), file))  # type: ignore[arg-type]
    assert blocked_then, "the write went ahead while another connection held the lock"
    assert ticks >= 5, "the event loop stood still while the write waited"  # ~60 when idle
    assert name == "Renamed"
    with sqlite3.connect(file) as conn:  # the wait restored SQLite's own busy timeout
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_write_gives_up_with_sqlites_error_when_the_lock_stays_taken(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, file = _database(tmp_path)
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with session_factory(engine)() as s:  # type: ignore[arg-type]
            with pytest.raises(OperationalError, match="locked"):
                _run(write_turn(s))
            busy = s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert busy == 200  # back to the server's busy timeout for the session's other statements
