"""Invitations and reminders by e-mail, through the SMTP server of the settings.

* **Links.** A survey link is derived from the server's link key
  (:func:`link_key`: the ``link_secret`` setting, else a random key kept in
  ``data_dir/link.key``) and a random nonce stored with the invitation; the
  database still holds only the link's sha256. So a reminder carries the same
  link as the invitation, and a new link (a new nonce) replaces the old one only
  when the facilitator asks for it.
* **Who gets what.** Invitations go to everyone on the roster with a usable
  address who has no invitation queued or sent in the current wave (sending
  again creates no duplicates); reminders go only to people who have neither
  answered nor withdrawn, in any wave. Both are checked again just before
  each message is sent.
* **Addresses.** The roster's optional ``email`` column (:data:`EMAIL_COLUMNS`),
  stored as one of the roster's extra columns. It is personal data: the
  pseudonymised exports leave it out (as every free roster column), deleting
  the person deletes it, and it is never logged or stored anywhere else.
* **Sending.** :func:`queue_messages` records one :class:`~lisa.db.models.MessageRow`
  per message (queued); :func:`deliver` sends the queued ones with :mod:`smtplib`
  from a background task (the request does not wait) and records each as sent
  or failed with the SMTP error's class — never the address or the reply text.
* **Headers.** Names and study names are reduced to one line of printable text
  before they go into a header, and addresses are checked
  (:func:`usable_address`), so nothing in a roster can add a header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import smtplib
import ssl
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from lisa.db.models import AnswerRow, InvitationRow, MessageRow, PersonRow, StudyRow
from lisa.errors import ConfigError
from lisa.files import atomic_target
from lisa.web.app import db, form_text, render
from lisa.web.auth import audit, now, require_account, role_in, study_action
from lisa.web.security import token_hash
from lisa.web.settings import WebSettings

LOG = logging.getLogger("lisa.web.mail")
router = APIRouter(prefix="/studies/{slug}/mail")

#: Roster columns read as a person's e-mail address (compared ignoring case).
EMAIL_COLUMNS = ("email", "e-mail", "e_mail", "email address", "e-mail address")
#: The kinds of message.
KINDS = ("invitation", "reminder")
#: What a template may name, in braces: ``{name}``, ``{study}``, ``{link}``, ``{closes}``.
PLACEHOLDERS = ("name", "study", "link", "closes")
#: The longest subject and body a template may have.
SUBJECT_MAX, BODY_MAX = 200, 10000
#: The templates a study starts with (the facilitator can change them per study).
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "invitation": {
        "subject": "Survey: {study}",
        "body": "Dear {name},\n\n"
        "You are invited to the survey '{study}' about who works with whom in our area. "
        "It takes a few minutes on a phone or a computer. Your own link:\n\n{link}\n\n"
        "The link is yours alone: please do not pass it on. You can save half-way and come "
        "back with the same link. The survey is open until {closes}.\n\nThank you.\n",
    },
    "reminder": {
        "subject": "Reminder: {study}",
        "body": "Dear {name},\n\n"
        "A reminder about the survey '{study}': we have not had your answers yet. "
        "Your own link:\n\n{link}\n\nThe survey is open until {closes}. "
        "If you have already answered, thank you, and please ignore this message.\n",
    },
}
#: Why someone got no message, as the page says it.
LEFT_OUT = {
    "answered-or-withdrew": "had answered or withdrawn",
    "already-invited": "were already invited this wave",
    "already-queued": "already had a reminder waiting to go",
    "no-address": "have no e-mail address on the roster",
    "bad-address": "have an e-mail address that is not usable (one plain address per cell)",
    "old-link": "have a link issued before e-mail links (replace the links to e-mail them)",
    "deleted": "were deleted before the message went",
}
#: Message states; "queued" and "sending" are not finished yet.
STATES = ("queued", "sending", "sent", "failed", "skipped")
KEY_FILE = "link.key"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_KEYS: dict[str, bytes] = {}
_KEY_LOCK = threading.Lock()
#: One delivery at a time in a process (claiming each message also guards across processes).
_DELIVERY = threading.Lock()


# -- links ----------------------------------------------------------------------------


def link_key(settings: WebSettings) -> bytes:
    """The key survey links are derived from: ``link_secret``, else ``data_dir/link.key``.

    The key file is made on first use (32 random bytes, readable by its owner
    only) and read from then on.

    Raises
    ------
    OutputError
        When the key file cannot be written.
    """
    if settings.link_secret is not None and settings.link_secret.get_secret_value():
        return hashlib.sha256(settings.link_secret.get_secret_value().encode()).digest()
    path = (Path(settings.data_dir) / KEY_FILE).resolve()
    with _KEY_LOCK:
        if str(path) not in _KEYS:
            if not path.is_file():
                with atomic_target(path) as tmp:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        out.write(secrets.token_bytes(32))
            data = path.read_bytes()
            if len(data) < 16:
                raise ConfigError(f"the link key file '{path}' is damaged: restore it from a backup")
            _KEYS[str(path)] = data
        return _KEYS[str(path)]


def link_token(key: bytes, nonce: str) -> str:
    """The survey-link token of an invitation's nonce (256 bits, URL-safe text)."""
    digest = hmac.new(key, b"lisa-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_invitation(session: Session, study: StudyRow, person: PersonRow, key: bytes,
                     *, replace: bool = False) -> tuple[InvitationRow, str | None]:
    """The person's invitation and its link token, made now if they have none (no commit).

    Parameters
    ----------
    replace
        Give them a new link; the old one stops working.

    Returns
    -------
    tuple
        The invitation and its token; the token is None for a link issued
        before links were derived from the key (replace it to e-mail it).
    """
    invitation = session.scalar(select(InvitationRow).where(InvitationRow.person_id == person.id))
    if invitation is not None and not replace:
        return invitation, link_token(key, invitation.nonce) if invitation.nonce else None
    nonce = secrets.token_hex(16)
    token = link_token(key, nonce)
    if invitation is None:
        invitation = InvitationRow(study_id=study.id, person_id=person.id, created_at=now(),
                                   token_hash=token_hash(token), nonce=nonce)
        session.add(invitation)
    else:
        invitation.token_hash, invitation.nonce, invitation.created_at = token_hash(token), nonce, now()
    session.flush()
    return invitation, token


# -- addresses, templates -------------------------------------------------------------


def email_column(study: StudyRow) -> str | None:
    """The roster column holding e-mail addresses (see :data:`EMAIL_COLUMNS`), or None."""
    return next((c for c in study.person_columns or [] if c.strip().casefold() in EMAIL_COLUMNS), None)


def usable_address(text: str) -> str | None:
    """``text`` as an e-mail address when it is one plain address, else None.

    Examples
    --------
    >>> usable_address(" anna@example.org ")
    'anna@example.org'
    >>> usable_address("anna@example.org\\r\\nBcc: eve@example.org") is None
    True
    """
    text = text.strip()
    if len(text) > 254 or not _ADDRESS.match(text):
        return None
    return text


def sender_ok(text: str) -> bool:
    """Whether ``text`` is one From address, plain or with a display name.

    Examples
    --------
    >>> sender_ok("Northfield survey <survey@example.org>"), sender_ok("a@b.org, c@d.org")
    (True, False)
    """
    from email.utils import getaddresses

    found = getaddresses([text])
    return (len(found) == 1 and usable_address(found[0][1]) is not None
            and one_line(text) == text.strip())


def one_line(text: str) -> str:
    """``text`` as one line of printable characters (controls, line breaks and direction marks
    become spaces), for a header.

    Examples
    --------
    >>> one_line("Eve\\r\\nBcc: spy@example.org\\u202e")
    'Eve Bcc: spy@example.org'
    """
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    return " ".join(cleaned.split())


def check_template(kind: str, subject: str, body: str) -> list[str]:
    """What is wrong with a template (empty when it can be used)."""
    wrong = []
    for part, text, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        if not text.strip():
            wrong.append(f"the {kind}'s {part} is empty")
        if len(text) > limit:
            wrong.append(f"the {kind}'s {part} is longer than {limit} characters")
        unknown = sorted({m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})
        if unknown:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            wrong.append(f"the {kind}'s {part} names {{{unknown[0]}}}; a template may use {known}")
    if "{link}" not in body:
        wrong.append(f"the {kind}'s body must hold {{link}}, the respondent's own link")
    if "{link}" in subject:
        wrong.append(f"the {kind}'s subject must not hold the link")
    return wrong


def templates_of(study: StudyRow) -> dict[str, dict[str, str]]:
    """The study's templates, the defaults where it has none of its own."""
    own = study.mail_templates or {}
    return {kind: {**DEFAULT_TEMPLATES[kind], **own.get(kind, {})} for kind in KINDS}


def fill(text: str, values: dict[str, str]) -> str:
    """A template with its ``{placeholder}``\\ s replaced (anything else in braces stays)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def closes_text(study: StudyRow) -> str:
    """The closing date as the templates' ``{closes}`` says it."""
    if study.closes_at is None:
        return "it closes"
    return f"{study.closes_at.day} {study.closes_at:%B %Y}"


def compose(settings: WebSettings, study: StudyRow, person: PersonRow, address: str, kind: str,
            link: str) -> EmailMessage:
    """The plain-text message of ``kind`` for one person (headers safe from what names hold)."""
    template = templates_of(study)[kind]
    name = one_line(person.name)
    values = {"name": name or "colleague", "study": one_line(study.name), "link": link,
              "closes": closes_text(study)}
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = Address(display_name=name, addr_spec=address)
    message["Subject"] = one_line(fill(template["subject"], values))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(fill(template["body"], values))
    return message


# -- queueing -------------------------------------------------------------------------


@dataclass
class Queued:
    """What a send request did: messages queued, and people left out and why (counts only)."""

    queued: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, int]:
        """The counts, for the audit log and the page."""
        return {"queued": self.queued, **dict(sorted(self.skipped.items()))}


def _finished(session: Session, study: StudyRow) -> set[int]:
    """People who answered this wave or withdrew in any wave: no reminder, no invitation."""
    wave = study.current_wave or ""
    rows = session.execute(select(AnswerRow.person_id).where(
        AnswerRow.study_id == study.id,
        or_(AnswerRow.state == "withdrawn", (AnswerRow.state == "submitted") & (AnswerRow.wave == wave))))
    answered = session.scalars(select(PersonRow.id).where(PersonRow.study_id == study.id,
                                                          PersonRow.responded.is_(True)))
    return {pid for (pid,) in rows} | set(answered)


def _has_finished(session: Session, study: StudyRow, person: PersonRow) -> bool:
    """Whether this one person answered this wave or withdrew in any wave (as :func:`_finished`)."""
    if person.responded:
        return True
    found = session.scalar(select(AnswerRow.id).where(
        AnswerRow.person_id == person.id,
        or_(AnswerRow.state == "withdrawn",
            (AnswerRow.state == "submitted") & (AnswerRow.wave == (study.current_wave or "")))).limit(1))
    return found is not None


def _pending(session: Session, study: StudyRow, kind: str) -> set[int]:
    """People with a message of ``kind`` this wave that blocks another (queued or sent invitations,
    unsent reminders)."""
    blocking = ("queued", "sending", "sent") if kind == "invitation" else ("queued", "sending")
    return set(session.scalars(select(MessageRow.person_id).where(
        MessageRow.study_id == study.id, MessageRow.kind == kind,
        MessageRow.wave == (study.current_wave or ""), MessageRow.state.in_(blocking))))


def address_of(study: StudyRow, person: PersonRow) -> tuple[str | None, str]:
    """A person's usable address, or None and why not (``no-address``, ``bad-address``)."""
    column = email_column(study)
    raw = (person.attributes or {}).get(column, "") if column else ""
    if not raw.strip():
        return None, "no-address"
    address = usable_address(raw)
    return (address, "") if address else (None, "bad-address")


def _left_out(session: Session, study: StudyRow, person: PersonRow, kind: str, key: bytes,
              finished: set[int], pending: set[int]) -> str:
    """Why ``person`` gets no message of ``kind`` now ("" when they get one)."""
    if person.id in finished:
        return "answered-or-withdrew"
    if person.id in pending:
        return "already-invited" if kind == "invitation" else "already-queued"
    why = address_of(study, person)[1]
    if not why and issue_invitation(session, study, person, key)[1] is None:
        why = "old-link"
    return why


def queue_messages(session: Session, study: StudyRow, kind: str, key: bytes, *,
                   replace_links: bool = False) -> Queued:
    """Queue invitations or reminders for the study's current wave (no commit).

    Parameters
    ----------
    session
        An open session; the caller commits, then runs :func:`deliver`.
    study
        The study.
    kind
        ``invitation`` (everyone not yet invited this wave) or ``reminder``
        (only people who have neither answered nor withdrawn).
    key
        The link key (:func:`link_key`).
    replace_links
        Give everyone a new link first (old links stop working) and invite
        them again.

    Returns
    -------
    Queued
        How many were queued and how many left out, by reason.

    Raises
    ------
    ConfigError
        For an unknown kind or a closed survey.
    """
    from lisa.web.studies import survey_state

    if kind not in KINDS:
        raise ConfigError(f"the message must be one of {', '.join(KINDS)}, not '{kind}'")
    if survey_state(study) == "closed":
        raise ConfigError("the survey is closed: no more invitations or reminders")
    result = Queued()
    finished, pending = _finished(session, study), set() if replace_links else _pending(session, study, kind)
    people = session.scalars(select(PersonRow).where(PersonRow.study_id == study.id)
                             .order_by(PersonRow.position)).all()
    for person in people:
        if replace_links:
            issue_invitation(session, study, person, key, replace=True)
        reason = _left_out(session, study, person, kind, key, finished, pending)
        if reason:
            result.skipped[reason] += 1
            continue
        session.add(MessageRow(study_id=study.id, person_id=person.id, kind=kind,
                               wave=study.current_wave or "", state="queued", created_at=now()))
        result.queued += 1
    session.flush()
    return result


# -- sending --------------------------------------------------------------------------


def tls_context(settings: WebSettings) -> ssl.SSLContext:
    """The TLS context of the SMTP connection: the server's certificate and name are checked,
    against :attr:`~lisa.web.settings.WebSettings.smtp_ca_file` when given, else the system's
    authorities.

    Raises
    ------
    ConfigError
        When the CA file is missing or holds no certificate.
    """
    ca = settings.smtp_ca_file
    if ca is None:
        return ssl.create_default_context()
    if not Path(ca).is_file():
        raise ConfigError(f"the setting smtp_ca_file names '{ca}', which is not a file")
    try:
        return ssl.create_default_context(cafile=str(ca))
    except ssl.SSLError:
        raise ConfigError(f"the setting smtp_ca_file names '{ca}', which holds no PEM "
                          "certificate") from None


class Mailer:
    """One connection to the SMTP server of the settings, opened when first needed.

    With ``starttls`` the connection is upgraded before anything is sent, and a
    server that cannot upgrade gets nothing (``SMTPNotSupportedError``).
    """

    def __init__(self, settings: WebSettings) -> None:
        if not settings.smtp_host or not settings.smtp_from:
            raise ConfigError("e-mail is not set up: give the settings smtp_host and smtp_from "
                              "(LISA_WEB_SMTP_HOST, LISA_WEB_SMTP_FROM)")
        if not sender_ok(settings.smtp_from):
            raise ConfigError("the setting smtp_from must be one address, e.g. survey@example.org "
                              "or 'Northfield survey <survey@example.org>'")
        self.settings = settings
        self.context = tls_context(settings)  # checked before any message is claimed
        self.connection: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        """The open connection, opened now (STARTTLS and sign-in as set) if there is none;
        raises smtplib's errors or OSError."""
        if self.connection is None:
            self.connection = self._connect()
        return self.connection

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self.context
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        try:
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message (connecting first if needed); raises smtplib's errors or OSError."""
        connection = self.connect()
        try:
            connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused):
            raise  # the connection is still usable (smtplib reset it)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """End the connection, if one is open (quietly)."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _claim(sessions: sessionmaker[Session], message_id: int) -> bool:
    with sessions.begin() as s:
        done = s.execute(update(MessageRow).where(MessageRow.id == message_id, MessageRow.state == "queued")
                         .values(state="sending"))
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _record(sessions: sessionmaker[Session], message_id: int, state: str, error: str | None = None) -> None:
    with sessions.begin() as s:
        row = s.get(MessageRow, message_id)
        if row is not None:
            row.state, row.error = state, error
            row.sent_at = now() if state == "sent" else None


def _prepare(session: Session, settings: WebSettings, key: bytes, base_url: str,
             message_id: int) -> EmailMessage | str:
    """The message to send now, or why it is skipped (checked again at sending time)."""
    row = session.get(MessageRow, message_id)
    person = session.get(PersonRow, row.person_id) if row else None
    study = session.get(StudyRow, row.study_id) if row else None
    if row is None or person is None or study is None:
        return "deleted"
    if _has_finished(session, study, person):
        return "answered-or-withdrew"
    address, why = address_of(study, person)
    if address is None:
        return why
    invitation, token = issue_invitation(session, study, person, key)
    session.commit()
    if token is None:
        return "old-link"
    return compose(settings, study, person, address, row.kind, f"{base_url}/s/{token}")


def deliver(sessions: sessionmaker[Session], settings: WebSettings, base_url: str,
            study_id: int | None = None) -> Counter[str]:
    """Send the queued messages (of one study, or all) and record each; returns counts by state.

    One message failing (the server refuses the recipient, the server is down)
    is recorded as failed with the error's class and does not stop the
    others; after a failed connection the remaining messages are recorded as
    failed with the same class without waiting for the server again.

    Parameters
    ----------
    sessions
        Sessions of the platform's database.
    settings
        The SMTP settings and the link key's home.
    base_url
        The public address the links start with.
    study_id
        Only this study's messages (default: every study's).

    Returns
    -------
    Counter
        How many were sent, failed and skipped.

    Raises
    ------
    ConfigError
        When e-mail is not set up (nothing is changed).
    """
    mailer, key, counts = Mailer(settings), link_key(settings), Counter[str]()
    down: str | None = None
    with _DELIVERY:
        with sessions() as s:
            query = select(MessageRow.id).where(MessageRow.state == "queued").order_by(MessageRow.id)
            if study_id is not None:
                query = query.where(MessageRow.study_id == study_id)
            ids = list(s.scalars(query))
        try:
            for message_id in ids:
                if _claim(sessions, message_id):
                    state, error, down = _deliver_one(sessions, mailer, key, base_url, message_id, down)
                    _record(sessions, message_id, state, error)
                    counts[state] += 1
        finally:
            mailer.close()
    LOG.info("e-mail delivery: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing queued")
    return counts


def _deliver_one(sessions: sessionmaker[Session], mailer: Mailer, key: bytes, base_url: str,
                 message_id: int, down: str | None) -> tuple[str, str | None, str | None]:
    """Send one claimed message: (state, error, the connection failure that stops the rest)."""
    with sessions() as s:
        prepared = _prepare(s, mailer.settings, key, base_url, message_id)
    if isinstance(prepared, str):
        return "skipped", prepared, down
    if down is not None:
        return "failed", down, down
    try:
        mailer.connect()
    except (smtplib.SMTPException, OSError) as exc:
        return "failed", type(exc).__name__, type(exc).__name__
    try:
        mailer.send(prepared)
    except (smtplib.SMTPException, OSError) as exc:
        return "failed", type(exc).__name__, None
    return "sent", None, None


def background_delivery(request: Request, study: StudyRow) -> BackgroundTasks:
    """A background task that delivers the study's queued messages after the response is sent."""
    app = request.app
    base = app.state.settings.base_url or str(request.base_url).rstrip("/")
    tasks = BackgroundTasks()
    tasks.add_task(_deliver_quietly, app.state.sessions, app.state.settings, base, study.id)
    return tasks


def _deliver_quietly(sessions: sessionmaker[Session], settings: WebSettings, base: str,
                     study_id: int) -> None:
    try:
        deliver(sessions, settings, base, study_id)
    except ConfigError as exc:
        LOG.warning("e-mail delivery did not run: %s", exc)


def recover_interrupted(sessions: sessionmaker[Session]) -> int:
    """Messages left "sending" by a server that stopped mid-send become failed (``Interrupted``:
    they may or may not have gone); returns how many. Queued ones go with the next send."""
    with sessions.begin() as s:
        done = s.execute(update(MessageRow).where(MessageRow.state == "sending")
                         .values(state="failed", error="Interrupted"))
        return int(done.rowcount)  # type: ignore[attr-defined]


# -- pages ----------------------------------------------------------------------------


def mail_status(session: Session, study: StudyRow) -> dict[str, Any]:
    """Counts of the study's messages this wave by kind and state, and addresses on the roster."""
    rows = session.execute(
        select(MessageRow.kind, MessageRow.state, func.count())
        .where(MessageRow.study_id == study.id, MessageRow.wave == (study.current_wave or ""))
        .group_by(MessageRow.kind, MessageRow.state)).all()
    counts = {kind: dict.fromkeys(STATES, 0) for kind in KINDS}
    for kind, state, n in rows:
        counts.setdefault(kind, dict.fromkeys(STATES, 0))[state] = n
    people = session.scalars(select(PersonRow).where(PersonRow.study_id == study.id)).all()
    addresses = Counter(address_of(study, p)[1] or "usable" for p in people)
    return {"counts": counts, "addresses": addresses, "column": email_column(study)}


def _settings_view(settings: WebSettings) -> dict[str, object]:
    """What the page shows of the SMTP settings (never the password)."""
    return {"configured": bool(settings.smtp_host and settings.smtp_from), "host": settings.smtp_host,
            "port": settings.smtp_port, "security": settings.smtp_security, "sender": settings.smtp_from,
            "signs_in": bool(settings.smtp_user)}


@router.get("")
def mail_page(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/mail: e-mail set-up, templates and each message's state (owner)."""
    account = require_account(session, request)
    study, _ = role_in(session, account, slug, "owner")
    messages = session.execute(
        select(MessageRow, PersonRow.name, PersonRow.pid)
        .join(PersonRow, PersonRow.id == MessageRow.person_id)
        .where(MessageRow.study_id == study.id).order_by(MessageRow.id.desc()).limit(500)).all()
    last = {k: int(v) for k, v in request.query_params.items()
            if (k in LEFT_OUT or k == "queued") and v.isdigit() and len(v) < 10}
    return render(request, "mail.j2", study=study, messages=messages, templates=templates_of(study),
                  smtp=_settings_view(request.app.state.settings), placeholders=PLACEHOLDERS,
                  last=last, left_out=LEFT_OUT, **mail_status(session, study))


@router.post("/send")
async def send(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/mail/send: queue invitations or reminders and send them in the
    background (owner); ``replace=yes`` gives everyone a new link first."""
    account, form, study, _ = await study_action(request, session, slug, "owner")
    settings: WebSettings = request.app.state.settings
    Mailer(settings)  # e-mail set up? (ConfigError, 400, before anything is queued)
    kind = form_text(form, "kind", limit=20)
    replace = form.get("replace") == "yes" and kind == "invitation"
    result = queue_messages(session, study, kind, link_key(settings), replace_links=replace)
    audit(session, account, study, f"send-{kind}s", replaced_links=replace, **result.summary())
    session.commit()
    return RedirectResponse(f"/studies/{slug}/mail?{urlencode(result.summary())}", 303,
                            background=background_delivery(request, study))


@router.post("/templates")
async def edit_templates(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/mail/templates: the study's invitation and reminder texts (owner)."""
    account, form, study, _ = await study_action(request, session, slug, "owner")
    templates: dict[str, dict[str, str]] = {}
    wrong: list[str] = []
    for kind in KINDS:
        subject = form_text(form, f"{kind}-subject", limit=SUBJECT_MAX)
        body = form_text(form, f"{kind}-body", limit=BODY_MAX).replace("\r\n", "\n")
        wrong += check_template(kind, subject, body)
        templates[kind] = {"subject": subject, "body": body + "\n"}
    if wrong:
        raise HTTPException(422, "; ".join(wrong))
    study.mail_templates = templates
    audit(session, account, study, "edit-mail-templates")
    session.commit()
    return RedirectResponse(f"/studies/{slug}/mail", 303)


def send_now(sessions: sessionmaker[Session], settings: WebSettings, slug: str, kind: str, *,
             replace_links: bool = False, on_queued: Callable[[Queued], None] | None = None) -> Counter[str]:
    """Queue and send at once, for ``lisa db send-invitations`` (the audit log records counts).

    Raises
    ------
    ConfigError
        When e-mail or ``base_url`` is not set up, or as :func:`queue_messages`.
    StudyNotFound
        When there is no such study.
    """
    from lisa.db.studies import find_study

    Mailer(settings)
    if not settings.base_url:
        raise ConfigError("give the setting base_url (LISA_WEB_BASE_URL): the address links start with")
    with sessions.begin() as s:
        study = find_study(s, slug)
        result = queue_messages(s, study, kind, link_key(settings), replace_links=replace_links)
        audit(s, None, study, f"send-{kind}s", replaced_links=replace_links, **result.summary())
        study_id = study.id
    if on_queued is not None:
        on_queued(result)
    return deliver(sessions, settings, settings.base_url.rstrip("/"), study_id)
