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


def stop(server: subprocess.Popen[str]) -> str:
    """Stop a ``lisa serve`` process as Ctrl-C does; returns what it printed. Fails if it hangs."""
    import signal

    server.send_signal(signal.SIGINT)
    try:
        out, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()
        pytest.fail("lisa serve did not stop on Ctrl-C")
    return out or ""


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


# -- the web app --------------------------------------------------------------------

import re  # noqa: E402

from lisa.web import WebSettings, create_app  # noqa: E402

PASSWORD = "correct horse battery"
ROSTER = (
    "id,name,organisation,sector,layer\n"
    "p1,Anna Smith,Council,public,systemic\n"
    "p2,Bertram Jones,Clinic,health,frontline\n"
    "p3,Chidi Okafor,School,education,frontline\n"
    "p4,Dana Ruiz,Council,public,sectoral\n"
)


def hidden(html: str, name: str) -> str:
    """The value of the hidden field ``name`` in a page."""
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no hidden field {name} in the page"
    return found.group(1)


class Facilitator:
    """A signed-in facilitator driving the app through its forms."""

    def __init__(self, client: object, email: str = "fac@example.org") -> None:
        self.client = client
        page = client.get("/signup")  # type: ignore[attr-defined]
        assert page.status_code == 200, page.text
        r = client.post("/signup", data={"form_token": hidden(page.text, "form_token"),  # type: ignore[attr-defined]
                                          "email": email, "password": PASSWORD})
        assert r.status_code in (200, 303), r.text
        self.csrf = hidden(client.get("/").text, "csrf")  # type: ignore[attr-defined]

    def post(self, url: str, data: dict[str, object] | None = None, **kw: object) -> object:
        return self.client.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)  # type: ignore[attr-defined]

    def study(self, slug: str = "northfield", roster: str = ROSTER) -> list[dict[str, str]]:
        """Create a study, upload a roster, return the links CSV rows."""
        import csv
        import io

        r = self.post("/studies", {"name": "Northfield <2025>", "slug": slug})
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
        r = self.post(f"/studies/{slug}/roster", files={"roster": ("people.csv", roster.encode(), "text/csv")})
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
        r = self.post(f"/studies/{slug}/links")
        assert r.status_code == 200  # type: ignore[attr-defined]
        return list(csv.DictReader(io.StringIO(r.text)))  # type: ignore[attr-defined]


def make_client(url: str, tmp_path: Path, **settings: object) -> object:
    from fastapi.testclient import TestClient

    app = create_app(WebSettings(data_dir=tmp_path / "data", database_url=url,
                                 secure_cookies=False, **settings))
    return TestClient(app, follow_redirects=True)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[object]:
    """A test client on a fresh SQLite database."""
    c = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path)
    with c:  # type: ignore[attr-defined]
        yield c
