"""Engines and migrations: SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from lisa.errors import ConfigError

MIGRATIONS = Path(__file__).with_name("migrations")
#: The database file inside a data folder, when no URL is given.
SQLITE_FILE = "lisa.sqlite3"
#: Connections an engine keeps open, and how many more it may open at busy moments.
POOL_SIZE, POOL_OVERFLOW = 16, 16
#: Requests one server process handles at once (the others wait their turn without
#: blocking). Each takes at most two pooled connections (its session and the rate
#: limiter's), so a request never waits for a connection held by a request that is
#: itself waiting: the pool cannot run dry.
REQUESTS_AT_ONCE = (POOL_SIZE + POOL_OVERFLOW) // 2
#: How long SQLite waits for another connection's write lock before giving up (ms).
BUSY_TIMEOUT_MS = 10_000


def sqlite_url(data_dir: str | Path) -> str:
    """The URL of the SQLite database inside ``data_dir`` (created if missing).

    Examples
    --------
    >>> import tempfile
    >>> sqlite_url(tempfile.mkdtemp()).endswith("/lisa.sqlite3")
    True
    """
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / SQLITE_FILE).resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_for(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///FILE`` or ``postgresql+psycopg://…``.

    Parameters
    ----------
    url
        A SQLAlchemy URL. A ``postgresql://`` URL uses psycopg 3.

    Returns
    -------
    Engine
        With SQLite in WAL mode, foreign keys enforced and a busy timeout.

    Raises
    ------
    ConfigError
        When the URL cannot be read or names another kind of database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"the database URL cannot be read: {exc}") from None
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    if parsed.get_backend_name() != "sqlite":
        raise ConfigError(
            f"database URL for '{parsed.get_backend_name()}': lisa stores its data in SQLite "
            "(the default) or PostgreSQL (postgresql://…)"
        )
    engine = create_engine(parsed, connect_args={"timeout": 10}, pool_size=POOL_SIZE,
                           max_overflow=POOL_OVERFLOW)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


async def write_turn(session: Session) -> None:
    """Take the database's write lock for ``session``'s transaction without blocking the event loop.

    On SQLite this is ``BEGIN IMMEDIATE`` tried without SQLite's busy wait:
    while another connection holds the write lock (another ``--workers``
    process, a facilitator's roster upload, the retention purge) the coroutine
    sleeps between tries, so the server's event loop goes on answering reads
    (WAL readers never wait for a writer), and gives up with SQLite's own
    "database is locked" error after :data:`BUSY_TIMEOUT_MS`. Call it right
    before a request's first write and commit without awaiting in between.
    On PostgreSQL (row locks) it does nothing.

    Parameters
    ----------
    session
        The request's session; its transaction holds the lock until commit or rollback.

    Raises
    ------
    sqlalchemy.exc.OperationalError
        When the lock stays taken for longer than the busy timeout.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    raw = session.connection().connection.dbapi_connection
    if raw is None or raw.in_transaction:  # a write already ran: the lock is held
        return
    deadline, pause = time.monotonic() + BUSY_TIMEOUT_MS / 1000, 0.0005
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise OperationalError("BEGIN IMMEDIATE", {}, exc) from None
            await asyncio.sleep(pause)
            pause = min(2 * pause, 0.02)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's tables to ``revision`` with lisa's Alembic migrations.

    Parameters
    ----------
    engine
        The database (see :func:`engine_for`).
    revision
        An Alembic revision; ``head`` (the default) is the newest.

    Raises
    ------
    ConfigError
        When the database cannot be reached (the message names why).
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise ConfigError(f"the database cannot be reached: {exc.orig}") from None
