"""The web platform's tables (SQLAlchemy 2 declarative models).

A study in the database holds what a study folder holds — people, relations,
ties, set-aside "not on the list" answers, waves — with enough of the folder's
shape (column order, extra columns, tri-state response) that
:mod:`lisa.db.studies` exports it back field for field. Around it: facilitator
accounts, their sessions and roles per study, respondents' invitations and
answers, background analysis runs, and an audit log that holds no personal
data about respondents.

The schema itself is created and changed only by the Alembic migrations in
``lisa/db/migrations`` (``lisa db upgrade``); these models must match them
(a test compares the two).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of lisa's tables."""


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="CASCADE")


class StudyRow(Base):
    """One study: its name and survey settings, and the folder shape needed to export it."""

    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    waves: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_wave: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_known: Mapped[bool] = mapped_column(Boolean, default=False)
    person_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    relation_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    tie_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # e-mail and retention (migration 0003): ``mail_templates`` is {kind: {subject, body}}
    mail_templates: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON, nullable=True)
    delete_answers_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delete_roster_too: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    answers_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PersonRow(Base):
    """One person on a study's roster (``pid`` is the roster id, unique within the study)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("study_id", "pid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    pid: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str] = mapped_column(Text, default="")
    layer: Mapped[str | None] = mapped_column(Text, nullable=True)
    responded: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class RelationRow(Base):
    """One relation (network) of a study with its survey question."""

    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("study_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    directed: Mapped[bool] = mapped_column(Boolean, default=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class TieRow(Base):
    """One tie: ``source`` names ``target`` in a relation (in a wave, when the study has waves).

    ``origin`` is ``import`` for ties brought in from a folder and ``survey``
    for ties a respondent gave in the browser (replaced as a whole when that
    respondent submits again, so a submit is idempotent).
    """

    __tablename__ = "ties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    source_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    target_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    relation_id: Mapped[int] = mapped_column(_fk("relations.id"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    wave: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin: Mapped[str] = mapped_column(String(16), default="import")
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class UnlistedRow(Base):
    """An answer naming someone not on the roster, kept for the facilitator's review."""

    __tablename__ = "not_on_list"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    relation: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    wave: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin: Mapped[str] = mapped_column(String(16), default="import")


class AccountRow(Base):
    """A facilitator's account (argon2 password hash)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MembershipRow(Base):
    """A facilitator's role in one study: owner, analyst or viewer."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("account_id", "study_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(_fk("accounts.id"), index=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class SessionRow(Base):
    """A signed-in browser: the sha256 of its cookie, its CSRF token and expiry."""

    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(_fk("accounts.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InvitationRow(Base):
    """One respondent's survey link: only the sha256 of its token is stored."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    person_id: Mapped[int] = mapped_column(_fk("people.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: With the server's link key, gives the link back (for e-mail); None for older links.
    nonce: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AnswerRow(Base):
    """A respondent's answers in one wave: a draft until submitted, or withdrawn.

    ``answers`` is ``{"names": [pid...], "relations": {relation: [pid...]},
    "unlisted": {relation: [text...]}, "items": {relation: {pid: {key: value}}}}``
    (``items``: the per-tie answers); ``wave`` is ``""`` for a study without waves.
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("person_id", "wave"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    person_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    wave: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="draft")
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    proxy_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL", name="fk_answers_proxy_account"),
        nullable=True,
    )
    #: Entered by a facilitator on the person's behalf (a paper or phone answer). Kept when the
    #: facilitator's account goes, and through export and import (``proxy_account_id`` says who,
    #: while the account exists).
    proxy_entered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ProxyLinkRow(Base):
    """A short-lived link with which a facilitator enters a paper or phone answer for someone.

    Only the sha256 of its token is stored; it works only for the account that made it, and
    answers given through it are marked with that account (``answers.proxy_account_id``).
    """

    __tablename__ = "proxy_links"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    account_id: Mapped[int] = mapped_column(_fk("accounts.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunRow(Base):
    """A background analysis run: its state, progress and the report it wrote."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[str] = mapped_column(Text, default="")
    report_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    """Who did what: an account (or the command line) and an action on a study.

    ``detail`` holds counts and setting names only, never a respondent's name,
    id or answer.
    """

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MessageRow(Base):
    """One invitation or reminder e-mail to a respondent, in one wave (``""`` without waves).

    ``state`` is queued, sending, sent, failed (``error`` is the SMTP error's
    class, e.g. ``SMTPRecipientsRefused``) or skipped (``error`` says why,
    e.g. ``no-address``). Neither the address nor the link is stored: both are
    read when the message is sent.
    """

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    person_id: Mapped[int] = mapped_column(_fk("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    wave: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)



class RateFailureRow(Base):
    """One failed attempt counted by a rate limit (a wrong password, an unknown survey link).

    ``bucket`` names the limit (``login``, ``token``); ``key_hash`` is the sha256
    of what is limited (an address, an account), never the address itself;
    ``at`` is seconds since the epoch. Kept in the database so that the limits
    hold across a restart and across the server's worker processes; rows older
    than the window are deleted as new failures come in.
    """

    __tablename__ = "rate_failures"
    __table_args__ = (Index("ix_rate_failures_lookup", "bucket", "key_hash", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, index=True)


class TieItemRow(Base):
    """A per-tie item a relation asks about each person named: how often, trust, value.

    ``key`` is the tie column its answers go to (``ties.csv`` on export);
    ``choices`` is a list of ``{"value", "label", "weight"}`` (``weight`` a
    positive number or None). When ``is_weight`` is set, the chosen choice's
    weight becomes the tie's weight (at most one item per relation).
    """

    __tablename__ = "tie_items"
    __table_args__ = (UniqueConstraint("relation_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(_fk("studies.id"), index=True)
    relation_id: Mapped[int] = mapped_column(_fk("relations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_weight: Mapped[bool] = mapped_column(Boolean, default=False)


# Innovation assessments (issue 10): their tables live in their own module.
import lisa.db.assessments  # noqa: E402,F401
import lisa.db.leases  # noqa: E402,F401
