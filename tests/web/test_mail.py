"""Invitations and reminders by e-mail, against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from lisa.db import session_factory
from lisa.db.models import AuditRow, InvitationRow, MessageRow, PersonRow
from tests.web.conftest import Facilitator, _free_port, hidden, make_client

ROSTER = (
    "id,name,organisation,sector,layer,email\n"
    "p1,Anna Smith,Council,public,systemic,anna@example.org\n"
    'p2,"Eve Bad\r\nBcc: spy@evil.example",Clinic,health,frontline,eve@example.org\n'
    "p3,Chidi Okafor,School,education,frontline,chidi@example.org\n"
    'p4,Dana Ruiz,Council,public,sectoral,"dana@example.org\nBcc: spy@evil.example"\n'
    "p5,Femi Ade,Clinic,health,frontline,\n"
)
NAMES = ("Anna Smith", "Eve Bad", "Chidi Okafor", "Dana Ruiz", "Femi Ade")
ADDRESSES = ("anna@example.org", "eve@example.org", "chidi@example.org", "dana@example.org")
SMTP_PASSWORD = "smtp-secret-do-not-log"


class Inbox:
    """What the server received, and recipients it refuses."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802, ANN001, ANN201
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == [address]]


class Server:
    """aiosmtpd on 127.0.0.1 (sign-in allowed without TLS); can be stopped and started again."""

    def __init__(self) -> None:
        self.inbox, self.port = Inbox(), _free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     authenticator=_authenticate, auth_require_tls=False)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[Server]:
    """A real SMTP server on a free port of 127.0.0.1 for one test; stops itself."""
    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _mail_settings(port: int, **more: object) -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "smtp_from": "survey@lisa.example", "smtp_timeout": 10, "base_url": "http://lisa.example",
            **more}


def _setup(client) -> Facilitator:  # noqa: ANN001
    fac = Facilitator(client)
    r = fac.post("/studies", {"name": "Northfield <2025>", "slug": "northfield"})
    assert r.status_code == 200
    r = fac.post("/studies/northfield/roster", files={"roster": ("people.csv", ROSTER.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    return fac


def _link(message: EmailMessage) -> str:
    found = re.search(r"http://lisa\.example(/s/[A-Za-z0-9_-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def _states(client) -> list[tuple[str, str, str, str | None]]:  # noqa: ANN001
    with session_factory(client.app.state.engine)() as s:
        rows = s.execute(select(PersonRow.pid, MessageRow.kind, MessageRow.state, MessageRow.error)
                         .join(PersonRow, PersonRow.id == MessageRow.person_id).order_by(MessageRow.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _answer(client, link: str, *, withdraw: bool = False) -> None:  # noqa: ANN001
    page = client.get(link)
    assert page.status_code == 200
    csrf = hidden(page.text, "csrf")
    client.post(f"{link}/consent", data={"csrf": csrf})
    if withdraw:
        r = client.post(f"{link}/withdraw", data={"csrf": csrf})
    else:
        client.post(f"{link}/step/0", data={"csrf": csrf, "pick": ["p3"], "go": "next"})
        r = client.post(f"{link}/submit", data={"csrf": csrf})
    assert r.status_code == 200


def test_invitations_reminders_and_no_duplicates(db_url: str, tmp_path: Path, smtp: Server) -> None:
    client = make_client(db_url, tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        r = fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert r.status_code == 200
        assert "3 messages queued" in r.text and "1 left out: they have no e-mail address" in r.text
        assert "1 left out: they have an e-mail address that is not usable" in r.text
        inbox = smtp.inbox
        assert sorted(rcpt[0] for rcpt, _ in inbox.messages) == sorted(ADDRESSES[:3])
        links = {a: _link(inbox.to(a)[0]) for a in ADDRESSES[:3]}
        assert len(set(links.values())) == 3
        anna = inbox.to("anna@example.org")[0]
        assert anna["Subject"] == "Survey: Northfield <2025>"
        assert "Dear Anna Smith" in anna.get_content()
        assert anna["To"].addresses[0].addr_spec == "anna@example.org"
        # each link is that person's own: it opens their survey
        for address, link in links.items():
            page = client.get(link)
            assert page.status_code == 200, address
        # a name holding a line break and a header cannot add one
        eve = inbox.to("eve@example.org")[0]
        assert eve["Bcc"] is None and "spy@evil.example" not in str(eve["To"].addresses[0].addr_spec)
        assert all("spy@evil.example" not in rcpt for rcpt, _ in inbox.messages)
        # sending again sends nothing new: everyone reachable was invited this wave
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert len(inbox.messages) == 3
        with session_factory(client.app.state.engine)() as s:
            assert len(s.scalars(select(InvitationRow)).all()) == 3
        # Anna answers, Eve withdraws: the reminder goes to Chidi only, with his invitation's link
        _answer(client, links["anna@example.org"])
        _answer(client, links["eve@example.org"], withdraw=True)
        r = fac.post("/studies/northfield/mail/send", {"kind": "reminder"})
        assert "1 message queued" in r.text
        assert "2 left out: they had answered or withdrawn" in r.text
        reminders = [m for _, m in inbox.messages if m["Subject"].startswith("Reminder")]
        assert [m["To"].addresses[0].addr_spec for m in reminders] == ["chidi@example.org"]
        assert _link(reminders[0]) == links["chidi@example.org"]
        assert [s[1:] for s in _states(client)] == [("invitation", "sent", None)] * 3 + [
            ("reminder", "sent", None)]


def test_a_refused_recipient_and_a_server_that_is_down_lose_no_other_message(
    tmp_path: Path, smtp: Server
) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        smtp.inbox.refuse = {"eve@example.org"}
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert sorted(r[0] for r, _ in smtp.inbox.messages) == ["anna@example.org", "chidi@example.org"]
        assert _states(client) == [("p1", "invitation", "sent", None),
                                   ("p2", "invitation", "failed", "SMTPRecipientsRefused"),
                                   ("p3", "invitation", "sent", None)]
        page = client.get("/studies/northfield/mail")
        assert "SMTPRecipientsRefused" in page.text and "eve@example.org" not in page.text
        # the server goes away: each message is recorded as failed, none is lost
        smtp.stop()
        smtp.inbox.refuse = set()
        fac.post("/studies/northfield/mail/send", {"kind": "reminder"})
        down = [s for s in _states(client) if s[1] == "reminder"]
        assert down == [("p1", "reminder", "failed", "ConnectionRefusedError"),
                        ("p2", "reminder", "failed", "ConnectionRefusedError"),
                        ("p3", "reminder", "failed", "ConnectionRefusedError")]
        # back up: sending the invitations again reaches only Eve, whose invitation failed
        smtp.start()
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert [r[0] for r, _ in smtp.inbox.messages][-1] == "eve@example.org"
        assert len(smtp.inbox.messages) == 3


def _login(client) -> str:  # noqa: ANN001
    page = client.get("/login")
    r = client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "fac@example.org", "password": "correct horse battery"})
    assert r.status_code == 200
    return hidden(client.get("/").text, "csrf")


def test_starttls_is_never_skipped_and_a_wrong_password_is_reported(tmp_path: Path, smtp: Server) -> None:
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    client = make_client(url, tmp_path, **_mail_settings(smtp.port, smtp_security="starttls"))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert smtp.inbox.messages == []  # the server cannot upgrade: nothing goes in plain text
        assert {s[3] for s in _states(client)} == {"SMTPNotSupportedError"}
    for password, error in (("wrong", "SMTPAuthenticationError"), (SMTP_PASSWORD, None)):
        client = make_client(url, tmp_path, **_mail_settings(smtp.port, smtp_user="lisa",
                                                               smtp_password=password))
        with client:
            csrf = _login(client)
            r = client.post("/studies/northfield/mail/send", data={"csrf": csrf, "kind": "invitation"})
            assert r.status_code == 200
            assert [s[3] for s in _states(client)][-3:] == [error] * 3
            assert SMTP_PASSWORD not in r.text and SMTP_PASSWORD not in repr(client.app.state.settings)
    assert len(smtp.inbox.messages) == 3


def test_templates_are_checked_and_used(tmp_path: Path, smtp: Server) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/settings", {"consent": "", "closes": "2099-03-01"})
        form = {"invitation-subject": "Please answer: {study}", "invitation-body": "Hello {name}, {link} until {closes}",
                "reminder-subject": "Still open", "reminder-body": "{link}"}
        bad = fac.post("/studies/northfield/mail/templates", {**form, "reminder-body": "no link {who.__class__}"})
        assert bad.status_code == 422
        assert "{link}" in bad.text and "{who.__class__}" in bad.text
        assert fac.post("/studies/northfield/mail/templates", form).status_code == 200
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        anna = smtp.inbox.to("anna@example.org")[0]
        assert anna["Subject"] == "Please answer: Northfield <2025>"
        assert anna.get_content().startswith("Hello Anna Smith, http://lisa.example/s/")
        assert "until 1 March 2099" in anna.get_content()


def test_mail_needs_the_owner_and_a_set_up_server(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path)
    with client:
        fac = _setup(client)
        r = fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert r.status_code == 400 and "smtp_host" in r.text
        r = client.post("/studies/northfield/mail/send", data={"kind": "invitation"})
        assert r.status_code == 403  # no CSRF token
        with session_factory(client.app.state.engine)() as s:
            assert s.scalars(select(MessageRow)).all() == []


def test_a_new_link_replaces_the_old_only_when_asked(tmp_path: Path, smtp: Server) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        old = _link(smtp.inbox.to("anna@example.org")[0])
        fac.post("/studies/northfield/mail/send", {"kind": "reminder"})
        assert _link(smtp.inbox.to("anna@example.org")[1]) == old
        assert client.get(old).status_code == 200
        fac.post("/studies/northfield/mail/send", {"kind": "invitation", "replace": "yes"})
        new = _link(smtp.inbox.to("anna@example.org")[2])
        assert new != old
        assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_the_address_is_personal_data(tmp_path: Path, smtp: Server) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        for fmt in ("graphml", "gexf", "csv"):
            r = client.get(f"/studies/northfield/download?format={fmt}")
            assert r.status_code == 200
            assert b"anna@example.org" not in r.content and b"email" not in r.content.lower()
        r = fac.post("/studies/northfield/delete-person", {"id": "p1"})
        assert r.status_code == 200
        engine = client.app.state.engine
        with engine.connect() as conn:
            dump = "\n".join(str(row) for table in ("people", "messages", "invitations", "audit")
                             for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))  # noqa: S608
        assert "anna@example.org" not in dump and "Anna" not in dump
        with session_factory(engine)() as s:
            assert all(r.detail.get("queued") is None or isinstance(r.detail["queued"], int)
                       for r in s.scalars(select(AuditRow)))


def test_nothing_personal_or_secret_is_logged(tmp_path: Path, smtp: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path,
                         **_mail_settings(smtp.port, smtp_user="lisa", smtp_password=SMTP_PASSWORD))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        smtp.inbox.refuse = {"chidi@example.org"}
        fac.post("/studies/northfield/mail/send", {"kind": "reminder"})
        link = _link(smtp.inbox.to("anna@example.org")[0])
        _answer(client, link)
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if not r.name.startswith(("httpx", "mail.log")))
    assert "e-mail delivery" in logged
    token = urlparse(link).path.rsplit("/", 1)[-1]
    for secret in (*NAMES, *ADDRESSES, SMTP_PASSWORD, token, "p1", "p2"):
        assert secret not in logged, secret


def test_cli_sends_invitations(tmp_path: Path, smtp: Server) -> None:
    from typer.testing import CliRunner

    from lisa.cli import app
    from lisa.db import sqlite_url

    data = tmp_path / "data"
    client = make_client(sqlite_url(data), tmp_path)
    with client:
        _setup(client)
    env = {f"LISA_WEB_{k.upper()}": str(v) for k, v in _mail_settings(smtp.port).items()}
    runner = CliRunner()
    done = runner.invoke(app, ["db", "send-invitations", "northfield", "--data-dir", str(data)], env=env)
    assert done.exit_code == 0, done.output
    assert "Queued 3 message(s)" in done.output and "sent 3" in done.output
    assert len(smtp.inbox.messages) == 3
    smtp.inbox.refuse = {"anna@example.org"}
    done = runner.invoke(app, ["db", "send-invitations", "northfield", "--reminder", "--data-dir", str(data)],
                         env=env)
    assert done.exit_code == 1 and "1 message(s) failed" in done.output
    done = runner.invoke(app, ["db", "send-invitations", "nowhere", "--data-dir", str(data)], env=env)
    assert done.exit_code == 3


def test_a_server_stopped_mid_send_leaves_nothing_stuck(tmp_path: Path, smtp: Server) -> None:
    from sqlalchemy import update

    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    client = make_client(url, tmp_path, **_mail_settings(smtp.port))
    with client:
        fac = _setup(client)
        fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        sessions = session_factory(client.app.state.engine)
    with sessions.begin() as s:  # as a server killed while sending would leave them
        s.execute(update(MessageRow).where(MessageRow.id == 1).values(state="sending"))
        s.execute(update(MessageRow).where(MessageRow.id == 2).values(state="queued"))
        s.execute(update(MessageRow).where(MessageRow.id == 3).values(state="failed"))
    client = make_client(url, tmp_path, **_mail_settings(smtp.port))
    with client:  # on start: the half-sent one is marked; the next send takes the queued one too
        assert _states(client)[0][2:] == ("failed", "Interrupted")
        csrf = _login(client)
        client.post("/studies/northfield/mail/send", data={"csrf": csrf, "kind": "invitation"})
        assert [s[2] for s in _states(client)] == ["failed", "sent", "failed", "sent", "sent"]
        assert sorted(r[0] for r, _ in smtp.inbox.messages[3:]) == [
            "anna@example.org", "chidi@example.org", "eve@example.org"]


def test_a_from_address_with_two_addresses_is_refused(tmp_path: Path, smtp: Server) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path,
                         **_mail_settings(smtp.port, smtp_from="a@example.org, b@example.org"))
    with client:
        fac = _setup(client)
        r = fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert r.status_code == 400 and "smtp_from" in r.text
        assert smtp.inbox.messages == []


def _stored(client, folder: Path) -> dict[str, str]:  # noqa: ANN001
    """sha256 of the study exported as a folder, and of the e-mail and link tables."""
    import hashlib

    from lisa.db.studies import export_study

    engine = client.app.state.engine
    with session_factory(engine)() as s:
        out = export_study(s, "northfield", folder)
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
    with engine.connect() as conn:
        for table in ("messages", "invitations", "studies"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id").all()  # noqa: S608
            sums[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


def test_hostile_and_forbidden_mail_posts_change_nothing(tmp_path: Path, smtp: Server) -> None:
    from tests.web.conftest import PASSWORD

    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, allow_signup=True,
                         **_mail_settings(smtp.port))
    with client:
        owner = _setup(client)
        owner.post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert owner.post("/studies/northfield/members", {"email": "viewer@example.org", "role": "viewer"}
                          ).status_code == 422  # no such account yet
        before = _stored(client, tmp_path / "before")
        sent = len(smtp.inbox.messages)
        long = "x" * 10001
        template = {"invitation-subject": "s", "invitation-body": "{link}", "reminder-subject": "s",
                    "reminder-body": "{link}"}
        cases = [
            ("/studies/northfield/mail/send", {"kind": "everyone"}, 400),
            ("/studies/northfield/mail/send", {}, 422),
            ("/studies/northfield/mail/templates", {**template, "invitation-body": long}, 422),
            ("/studies/northfield/mail/templates", {**template, "reminder-subject": "{link}"}, 422),
            ("/studies/northfield/mail/templates", {**template, "invitation-subject": "   "}, 422),
            ("/studies/northfield/mail/templates", {**template, "reminder-body": "{name.__dict__} {link}"}, 422),
            ("/studies/elsewhere/mail/send", {"kind": "invitation"}, 404),
        ]
        for url, data, status in cases:
            assert owner.post(url, data).status_code == status, (url, data)
        assert client.post("/studies/northfield/mail/send", data={"kind": "reminder"}).status_code == 403
        client.post("/logout", data={"csrf": owner.csrf})
        viewer = Facilitator(client, "viewer@example.org")
        client.post("/logout", data={"csrf": viewer.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "fac@example.org", "password": PASSWORD})
        owner.csrf = hidden(client.get("/").text, "csrf")
        owner.post("/studies/northfield/members", {"email": "viewer@example.org", "role": "viewer"})
        client.post("/logout", data={"csrf": owner.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "viewer@example.org", "password": PASSWORD})
        viewer.csrf = hidden(client.get("/").text, "csrf")
        for url, data in (("/studies/northfield/mail/send", {"kind": "reminder"}),
                          ("/studies/northfield/mail/templates", template),
                          ("/studies/northfield/retention", {"delete_after": "2099-01-01"})):
            assert viewer.post(url, data).status_code == 403, url
        assert client.get("/studies/northfield/mail").status_code == 403
        assert _stored(client, tmp_path / "after") == before
        assert len(smtp.inbox.messages) == sent


class TlsInbox(Inbox):
    """An inbox that also notes whether each message came over TLS, and the cipher."""

    def __init__(self) -> None:
        super().__init__()
        self.ciphers: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        self.ciphers.append(session.ssl and session.ssl.get("cipher"))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[TlsInbox, int, Path, object]]:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS (and TLS before sign-in), with a certificate
    for 127.0.0.1 from a CA made now; yields (inbox, port, the CA's PEM file, the CA)."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    inbox, port = TlsInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=_authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield inbox, port, ca_file, ca
    finally:
        controller.stop()


def test_starttls_delivers_over_a_verified_connection(tmp_path: Path, tls_server) -> None:  # noqa: ANN001
    inbox, port, ca_file, _ = tls_server
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path, **_mail_settings(
        port, smtp_security="starttls", smtp_ca_file=ca_file, smtp_user="lisa",
        smtp_password=SMTP_PASSWORD))
    with client:
        _setup(client).post("/studies/northfield/mail/send", {"kind": "invitation"})
        assert sorted(r[0] for r, _ in inbox.messages) == sorted(ADDRESSES[:3])
        assert len(inbox.ciphers) == 3 and all(inbox.ciphers)  # each one came over TLS
        assert {s[2] for s in _states(client)} == {"sent"}
        # the link in the message opens that person's survey
        assert client.get(_link(inbox.to("anna@example.org")[0])).status_code == 200


def test_starttls_refuses_a_certificate_it_cannot_verify(tmp_path: Path, tls_server) -> None:  # noqa: ANN001
    import trustme

    inbox, port, ca_file, _ = tls_server
    other = tmp_path / "other-ca.pem"  # a CA that did not sign the server's certificate
    trustme.CA().cert_pem.write_to_path(str(other))
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    for n, (ca, host) in enumerate(((other, "127.0.0.1"), (None, "127.0.0.1"),
                                    (ca_file, "localhost"))):  # a name the certificate is not for
        client = make_client(url, tmp_path, **_mail_settings(
            port, smtp_host=host, smtp_security="starttls", smtp_ca_file=ca, smtp_user="lisa",
            smtp_password=SMTP_PASSWORD))
        with client:
            fac = _setup(client) if n == 0 else None
            if fac is not None:
                fac.post("/studies/northfield/mail/send", {"kind": "invitation"})
            else:
                r = client.post("/studies/northfield/mail/send",
                                data={"csrf": _login(client), "kind": "invitation"})
                assert r.status_code == 200
            assert [s[3] for s in _states(client)][-3:] == ["SSLCertVerificationError"] * 3, ca
            assert "SSLCertVerificationError" in client.get("/studies/northfield/mail").text
    assert inbox.messages == []  # nothing went, and the password was never sent in the clear


def test_a_missing_or_empty_ca_file_is_a_named_error(tmp_path: Path) -> None:
    from lisa.errors import ConfigError
    from lisa.web.mail import Mailer
    from lisa.web.settings import WebSettings

    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    for ca in (tmp_path / "missing.pem", empty):
        settings = WebSettings(data_dir=tmp_path, **_mail_settings(25, smtp_ca_file=ca))  # type: ignore[arg-type]
        with pytest.raises(ConfigError, match="smtp_ca_file"):
            Mailer(settings)
