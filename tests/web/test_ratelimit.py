"""Rate limits kept in the database: they survive a restart and hold across worker processes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from lisa.db import engine_for
from lisa.db.models import RateFailureRow
from lisa.web.security import RateLimiter
from tests.web.conftest import PASSWORD, Facilitator, hidden, make_client


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_failures_count_per_key_within_the_window_and_across_engines(engine, db_url: str) -> None:
    clock = Clock()
    login = RateLimiter(engine, "login", limit=3, window=60, clock=clock)
    for _ in range(3):
        assert not login.blocked("ip:10.0.0.1", "account:a@b.org")
        login.fail("ip:10.0.0.1", "account:a@b.org")
    assert login.blocked("ip:10.0.0.1") and login.blocked("account:a@b.org")
    assert login.blocked("ip:10.9.9.9", "account:a@b.org")  # any key used up blocks
    assert not login.blocked("ip:10.9.9.9")
    # another process (its own engine) sees the same counts; another limit does not
    other = engine_for(db_url)
    assert RateLimiter(other, "login", 3, 60, clock=clock).blocked("ip:10.0.0.1")
    assert not RateLimiter(other, "token", 3, 60, clock=clock).blocked("ip:10.0.0.1")
    other.dispose()
    clock.now += 61
    assert not login.blocked("ip:10.0.0.1")
    login.fail("ip:10.0.0.2")  # old failures are deleted as new ones come in
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(RateFailureRow.key_hash, RateFailureRow.bucket)).all()
        dump = str(conn.execute(text("SELECT * FROM rate_failures")).all())
    assert len(rows) == 1
    assert "10.0.0" not in dump and "a@b.org" not in dump  # only hashes are stored


def _wrong_logins(client: object, n: int) -> list[int]:
    page = client.get("/login")  # type: ignore[attr-defined]
    token, codes = hidden(page.text, "form_token"), []
    for i in range(n):
        r = client.post("/login", data={"form_token": token, "email": "fac@example.org",  # type: ignore[attr-defined]
                                        "password": f"wrong{i}"})
        codes.append(r.status_code)
        token = hidden(r.text, "form_token") if r.status_code == 401 else token
    return codes


def test_limits_survive_a_restart_of_the_server(db_url: str, tmp_path: Path) -> None:
    limits = {"token_attempts": 3, "login_attempts": 3}
    with make_client(db_url, tmp_path, **limits) as client:  # type: ignore[attr-defined]
        fac = Facilitator(client)
        assert [client.get(f"/s/guess{i}").status_code for i in range(3)] == [404] * 3
        client.post("/logout", data={"csrf": fac.csrf})
        assert _wrong_logins(client, 2) == [401, 401]
    # a new app on the same database: as after a restart, or another worker process
    with make_client(db_url, tmp_path, **limits) as client:  # type: ignore[attr-defined]
        assert client.get("/s/guess9").status_code == 429
        assert _wrong_logins(client, 2) == [401, 429]
        page = client.get("/login")
        r = client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                        "email": "fac@example.org", "password": PASSWORD})
        assert r.status_code == 429
