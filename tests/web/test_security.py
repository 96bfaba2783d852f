"""Hostile and mistaken requests: the right status, the same body, nothing stored changes."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from lisa.db import export_study, session_factory
from lisa.db.models import StudyRow, TieRow
from lisa.web.security import HEADERS
from tests.web.conftest import PASSWORD, Facilitator, hidden, make_client

HOSTILE_ROSTER = (
    "id,name,organisation,sector,layer\n"
    'p1,<script>alert(1)</script>,"<img src=x onerror=alert(2)>",public,systemic\n'
    "p2,\u05d3\u05e0\u05d4 \u202eevil\u202c,Clinic,health,frontline\n"
    "p3,Chidi Okafor,School,education,frontline\n"
)


def _path(link: str) -> str:
    return urlparse(link).path


def _stored(client, tmp_path: Path, slug: str = "northfield") -> dict[str, str]:
    out = tmp_path / f"snapshot-{len(list(tmp_path.glob('snapshot-*')))}"
    with session_factory(client.app.state.engine)() as s:
        export_study(s, slug, out)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir() if p.name != "audit.log"}


def test_bad_reissued_and_unknown_links_get_one_and_the_same_404(client) -> None:
    fac = Facilitator(client)
    old = _path(fac.study()[0]["link"])
    assert client.get(old).status_code == 200
    fac.post("/studies/northfield/links", {"reissue": "yes"})  # the old link is dead now
    bodies = set()
    for path in (old, "/s/" + "A" * 43, "/s/x", "/s/" + "x" * 500, "/nothing-here", old + "/step/0"):
        r = client.get(path)
        assert r.status_code == 404, path
        bodies.add(r.text)
    assert len(bodies) == 1
    body = bodies.pop()
    for name in ("Anna", "Northfield", "p1"):
        assert name not in body


def test_token_guessing_and_password_guessing_are_rate_limited(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'rl.sqlite3'}", tmp_path, token_attempts=3,
                         login_attempts=3)
    with client:
        fac = Facilitator(client)
        codes = [client.get(f"/s/guess{i}").status_code for i in range(5)]
        assert codes == [404, 404, 404, 429, 429]
        client.post("/logout", data={"csrf": fac.csrf})
        page = client.get("/login")
        token = hidden(page.text, "form_token")
        codes = []
        for i in range(4):
            r = client.post("/login", data={"form_token": token, "email": "fac@example.org",
                                            "password": f"wrong{i}"})
            codes.append(r.status_code)
            token = hidden(r.text, "form_token") if r.status_code == 401 else token
        assert codes == [401, 401, 401, 429]
        r = client.post("/login", data={"form_token": token, "email": "fac@example.org",
                                        "password": PASSWORD})
        assert r.status_code == 429  # blocked for the window, even with the right password


def test_closed_and_not_yet_open_surveys(client) -> None:
    fac = Facilitator(client)
    link = _path(fac.study()[0]["link"])
    with session_factory(client.app.state.engine).begin() as s:
        row = s.scalar(select(StudyRow))
        row.closes_at = datetime.now(UTC) - timedelta(days=1)
    r = client.get(link)
    assert r.status_code == 410 and "closed" in r.text
    with session_factory(client.app.state.engine).begin() as s:
        row = s.scalar(select(StudyRow))
        row.closes_at, row.opens_at = None, datetime.now(UTC) + timedelta(days=3)
    r = client.get(link)
    assert r.status_code == 403 and "not opened yet" in r.text


def test_oversized_malformed_and_forged_posts_change_nothing(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'h.sqlite3'}", tmp_path, max_body_bytes=64 * 1024)
    with client:
        fac = Facilitator(client)
        links = {row["id"]: _path(row["link"]) for row in fac.study()}
        link = links["p1"]
        csrf = hidden(client.get(link).text, "csrf")
        client.post(f"{link}/consent", data={"csrf": csrf})
        client.post(f"{link}/step/1", data={"csrf": csrf, "pick": ["p2"]})
        client.post(f"{link}/submit", data={"csrf": csrf})
        before = _stored(client, tmp_path)
        cases = [
            (f"{link}/step/1", {"csrf": csrf, "unlisted": "x" * 200_000}, 413),
            (f"{link}/step/1", {"pick": ["p3"]}, 403),  # no CSRF token
            (f"{link}/step/1", {"csrf": "forged", "pick": ["p3"]}, 403),
            (f"{link}/step/1", {"csrf": csrf, "pick": ["not-a-person"]}, 422),
            (f"{link}/step/99", {"csrf": csrf}, 404),
            (f"{link}/step/one", {"csrf": csrf}, 422),
            ("/studies/northfield/roster", {}, 403),  # facilitator form without CSRF
            ("/studies/northfield/settings", {"csrf": fac.csrf, "closes": "tuesday"}, 422),
            ("/studies/northfield/members", {"csrf": fac.csrf, "email": "x@y", "role": "king"}, 422),
        ]
        for url, data, status in cases:
            r = client.post(url, data=data)
            assert r.status_code == status, (url, r.status_code, r.text[:200])
        r = client.post(f"{link}/step/1", content=b"x", headers={"content-length": "abc",
                                                                "content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 400
        big = client.post("/studies/northfield/roster", data={"csrf": fac.csrf},
                          files={"roster": ("people.csv", b"id\n" + b"p\n" * 100_000, "text/csv")})
        assert big.status_code == 413
        assert _stored(client, tmp_path) == before


def test_another_studys_person_cannot_be_named(client) -> None:
    fac = Facilitator(client)
    mine = _path(fac.study("north")[0]["link"])
    fac.study("south", "id,name\nq1,Quentin Other\nq2,Rita Other\n")
    csrf = hidden(client.get(mine).text, "csrf")
    client.post(f"{mine}/consent", data={"csrf": csrf})
    r = client.post(f"{mine}/step/1", data={"csrf": csrf, "pick": ["q1"]})
    assert r.status_code == 422
    r = client.post(f"{mine}/step/1", data={"csrf": csrf, "pick": ["nobody"]})
    assert r.status_code == 422
    assert client.get(f"{mine}/search", params={"q": "Quentin"}).json() == []
    page = client.get(f"{mine}/step/0", params={"q": "Quentin"}).text
    assert 'value="q1"' not in page and "Quentin Other" not in page


def test_roles_viewer_cannot_do_owner_things_and_strangers_see_nothing(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'r.sqlite3'}", tmp_path, allow_signup=True)
    with client:
        owner = Facilitator(client, "owner@example.org")
        owner.study()
        client.post("/logout", data={"csrf": owner.csrf})
        viewer = Facilitator(client, "viewer@example.org")
        assert client.get("/studies/northfield").status_code == 404  # not a member yet
        client.post("/logout", data={"csrf": viewer.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "owner@example.org", "password": PASSWORD})
        owner.csrf = hidden(client.get("/").text, "csrf")
        assert owner.post("/studies/northfield/members", {"email": "viewer@example.org",
                                                          "role": "viewer"}).status_code == 200
        client.post("/logout", data={"csrf": owner.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "viewer@example.org", "password": PASSWORD})
        viewer.csrf = hidden(client.get("/").text, "csrf")
        assert "answered" in client.get("/studies/northfield").text
        for url in ("/studies/northfield/links", "/studies/northfield/settings",
                    "/studies/northfield/members", "/studies/northfield/runs"):
            assert viewer.post(url, {"email": "viewer@example.org", "role": "owner"}).status_code == 403, url
        assert client.get("/studies/northfield/download").status_code == 403
        with session_factory(client.app.state.engine)() as s:
            assert s.scalar(select(func.count()).select_from(TieRow)) == 0


def test_security_headers_and_cookie_flags(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from lisa.web import WebSettings, create_app

    app = create_app(WebSettings(data_dir=tmp_path / "d", secure_cookies=True))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        for name, value in HEADERS.items():
            assert page.headers[name] == value
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        r = client.post("/signup", data={"form_token": hidden(client.get("/signup").text, "form_token"),
                                         "email": "a@b.org", "password": PASSWORD}, follow_redirects=False)
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
        assert client.get("/static/style.css").headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in page.text.replace('<script src="/static/search.js"', "")


def test_names_with_html_and_rtl_are_escaped_everywhere(client) -> None:
    fac = Facilitator(client)
    links = {row["id"]: _path(row["link"]) for row in fac.study(roster=HOSTILE_ROSTER)}
    p3 = links["p3"]
    csrf = hidden(client.get(p3).text, "csrf")
    client.post(f"{p3}/consent", data={"csrf": csrf})
    pages = [
        client.post(f"{p3}/step/0", data={"csrf": csrf, "pick": ["p1", "p2"], "go": "next"}).text,
        client.get(f"{p3}/step/0", params={"q": "<script>"}).text,
        client.get(f"{p3}/step/8").text,
        client.get("/studies/northfield").text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "\u202eevil" in pages[0]  # shown as text, inside its own element
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages[3] or "&lt;img" in pages[0]


def test_nothing_personal_or_secret_is_logged(client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fac = Facilitator(client)
    rows = fac.study()
    for row in rows[:2]:
        link = _path(row["link"])
        csrf = hidden(client.get(link).text, "csrf")
        client.post(f"{link}/consent", data={"csrf": csrf})
        client.post(f"{link}/step/0", data={"csrf": csrf, "q": "Chidi", "go": "search"})
        client.get(f"{link}/search", params={"q": "Dana Ruiz"})
        client.post(f"{link}/step/1", data={"csrf": csrf, "pick": ["p3"], "unlisted": "Eve Secret"})
        client.post(f"{link}/submit", data={"csrf": csrf})
    client.get("/s/some-guess")
    # everything the server side logged (httpx is the test client, logging its own requests)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "/s/[token]/submit" in logged  # the access log ran
    secrets = [t for row in rows for t in (row["name"], row["id"] + ",", _path(row["link"]).split("/")[-1])]
    for secret in [*secrets, "Eve Secret", "Chidi", "Dana", PASSWORD, "some-guess"]:
        assert secret not in logged, secret


def test_password_hashing_never_holds_up_the_event_loop(client, monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2 takes about 0.1 s of CPU: on the event loop, every respondent's request would wait
    # for each sign-up and sign-in (a wrong password's and an unknown address's included)
    import asyncio

    from lisa.web import accounts, security

    where: list[str] = []

    def observed(real):  # type: ignore[no-untyped-def]
        def run(*args):  # type: ignore[no-untyped-def]
            try:
                asyncio.get_running_loop()
                where.append("event loop")
            except RuntimeError:
                where.append("worker thread")
            return real(*args)
        return run

    monkeypatch.setattr(accounts, "hash_password", observed(security.hash_password))
    monkeypatch.setattr(accounts, "check_password", observed(security.check_password))
    Facilitator(client)  # signs up
    client.post("/logout", data={"csrf": hidden(client.get("/").text, "csrf")})
    for email, password in (("fac@example.org", "wrong password"), ("nobody@example.org", PASSWORD),
                            ("fac@example.org", PASSWORD)):
        page = client.get("/login")
        r = client.post("/login", data={"form_token": hidden(page.text, "form_token"), "email": email,
                                        "password": password})
    assert r.status_code == 200 and "csrf" in r.text  # the last one signed in
    assert where == ["worker thread"] * 4
