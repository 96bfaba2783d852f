"""Fixtures of the web platform's tests: a database on SQLite and on a real PostgreSQL.

PostgreSQL is Debian's (``scripts/install-system-deps.sh`` installs it): a
session fixture runs ``initdb`` into a temporary folder and starts the server on
127.0.0.1 on a free port (as the ``postgres`` user when the tests run as root),
and stops it at the end. When it cannot start, the PostgreSQL tests fail with
the reason: they are never skipped silently.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


class Postgres:
    """A throw-away PostgreSQL server; :meth:`new_database` gives each test its own database."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.fail(
                f"PostgreSQL is not installed ({PG_BIN}/initdb is missing): "
                "run 'sh scripts/install-system-deps.sh' as root (make test does)"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="lisa-pg-"))
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
        self.port = _free_port()
        data = self.folder / "data"
        self._run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "lisa", "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8"])
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                   "-l", str(self.folder / "log"), "start"])
        self.data = data

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.folder / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"PostgreSQL could not start ({' '.join(cmd[:1])}): {done.stderr}{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://lisa@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"lisa_test_{next(_counter)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=lisa dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                                     "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lisa.sqlite3'}"
    server: Postgres = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[object]:
    from lisa.db import engine_for, upgrade

    eng = engine_for(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()
