"""``lisa db`` and ``lisa serve`` from the command line."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from lisa.cli import app
from lisa.io import write_study
from lisa.synth import generate
from tests.web.conftest import _free_port, stop

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.name != "audit.log"}


def test_import_then_export_gives_the_same_folder(tmp_path: Path) -> None:
    source = write_study(generate(80, seed=5, response_rate=0.8, name="Cli place"), tmp_path / "in")
    data = tmp_path / "data"
    r = invoke("db", "import", source, "--name", "cli-place", "--data-dir", data)
    assert r.exit_code == 0, r.output
    assert "cli-place" in r.output
    assert "cli-place  Cli place" in invoke("db", "list", "--data-dir", data).output
    r = invoke("db", "export", "cli-place", tmp_path / "out", "--data-dir", data)
    assert r.exit_code == 0, r.output
    assert _digest(tmp_path / "out") == _digest(source)
    r = invoke("db", "export", "cli-place", tmp_path / "book.xlsx", "--xlsx", "--data-dir", data)
    assert r.exit_code == 0 and (tmp_path / "book.xlsx").is_file()


def test_bad_folder_gets_validate_messages_and_stored_data_is_unchanged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = write_study(generate(60, seed=2, name="Kept"), tmp_path / "kept")
    assert invoke("db", "import", source, "--name", "kept", "--data-dir", data).exit_code == 0
    invoke("db", "export", "kept", tmp_path / "before", "--data-dir", data)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "people.csv").write_text("id,name\na,Ann\na,Ann twice\n")
    (bad / "ties.csv").write_text("source,target,relation\na,zed,work\n")
    expected = invoke("validate", bad)
    r = invoke("db", "import", bad, "--name", "bad", "--data-dir", data)
    assert r.exit_code == expected.exit_code == 2
    for line in ("'zed'", "row 3"):
        assert line in r.output and line in expected.output
    assert invoke("db", "import", source, "--name", "kept", "--data-dir", data).exit_code == 2
    assert invoke("db", "export", "nope", tmp_path / "x", "--data-dir", data).exit_code == 3
    assert invoke("db", "upgrade", "--database-url", "mysql://x/y").exit_code == 2
    invoke("db", "export", "kept", tmp_path / "after", "--data-dir", data)
    assert _digest(tmp_path / "after") == _digest(tmp_path / "before")
    assert "bad" not in invoke("db", "list", "--data-dir", data).output.split()


def test_serve_demo_prints_a_login_that_works(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "lisa"), "serve", "--demo", "--port", str(port),
         "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        out = ""
        deadline = time.monotonic() + 120
        while "password" not in out and time.monotonic() < deadline:
            line = server.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            out += line
        found = re.search(r"Sign in as (\S+) with password (\S+)", out)
        assert found, out
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as web:
            for _ in range(100):
                try:
                    page = web.get("/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.2)
            token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            r = web.post("/login", data={"form_token": token, "email": found.group(1),
                                         "password": found.group(2)})
            assert r.status_code == 200 and "Demo place" in r.text
            assert "answered" in web.get("/studies/demo").text
    finally:
        stop(server)
