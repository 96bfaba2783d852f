"""Facilitators' sign-in: server-side sessions, CSRF tokens, roles per study, the audit log.

A session is a random cookie whose sha256 is a row of ``sessions``; the cookie
is HttpOnly, SameSite=Lax and Secure (unless ``secure_cookies`` is off for
plain-http localhost). Each session has a CSRF token that every form carries
and every POST must echo. Roles rank viewer < analyst < owner.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lisa.db.models import AccountRow, AuditRow, MembershipRow, SessionRow, StudyRow
from lisa.web.security import new_token, same, token_hash

COOKIE = "lisa_session"
#: Roles in a study, least to most trusted.
ROLES = ("viewer", "analyst", "owner")
#: What each role may do, for the pages that explain it.
ROLE_HELP = {
    "viewer": "sees the response dashboard",
    "analyst": "also runs the analysis and opens the report",
    "owner": "also sets the study up, uploads the roster, issues links and adds people",
}


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(db: Session, request: Request, response: Response, account: AccountRow) -> None:
    """Sign ``account`` in: a new session row and its cookie on ``response`` (caller commits)."""
    token = new_token()
    hours = request.app.state.settings.session_hours
    db.add(SessionRow(token_hash=token_hash(token), account_id=account.id, csrf=new_token(),
                      expires_at=now() + timedelta(hours=hours)))
    response.set_cookie(COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies, path="/")


def end_session(db: Session, request: Request, response: Response) -> None:
    """Sign out: the session row goes and the cookie is cleared."""
    token = request.cookies.get(COOKIE)
    if token:
        db.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash(token)))
    response.delete_cookie(COOKIE, path="/")


def signed_in(db: Session, request: Request) -> AccountRow | None:
    """The account of the request's session (and its CSRF token on ``request.state``), or None."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    row = db.get(SessionRow, token_hash(token))
    if row is None or _aware(row.expires_at) <= now():
        return None
    account = db.get(AccountRow, row.account_id)
    request.state.account, request.state.csrf = account, row.csrf
    return account


def require_account(db: Session, request: Request) -> AccountRow:
    """The signed-in account; a GET without one is sent to the sign-in page, a POST gets 403."""
    account = signed_in(db, request)
    if account is None:
        if request.method == "GET":
            raise HTTPException(303, headers={"location": "/login"})
        raise HTTPException(403)
    return account


def check_csrf(request: Request, form: Any) -> None:
    """403 unless the form echoes the session's CSRF token."""
    sent = form.get("csrf")
    expected = getattr(request.state, "csrf", "")
    if not isinstance(sent, str) or not expected or not same(sent, expected):
        raise HTTPException(403, "the form's security token is missing or out of date: reload the page")


def role_in(db: Session, account: AccountRow, slug: str, need: str = "viewer") -> tuple[StudyRow, str]:
    """The study and the account's role in it; 404 if not a member, 403 if the role is too low."""
    found = db.execute(
        select(StudyRow, MembershipRow.role)
        .join(MembershipRow, MembershipRow.study_id == StudyRow.id)
        .where(StudyRow.slug == slug, MembershipRow.account_id == account.id)
    ).first()
    if found is None:
        raise HTTPException(404)
    study, role = found
    if ROLES.index(role) < ROLES.index(need):
        raise HTTPException(403, f"this needs the {need} role in the study; you are {role}")
    return study, role


def audit(db: Session, account: AccountRow | None, study: StudyRow | None, action: str,
          **detail: Any) -> None:
    """One audit line: who, which study, what (counts and setting names only; caller commits)."""
    db.add(AuditRow(at=now(), account_id=account.id if account else None,
                    study_id=study.id if study else None, action=action, detail=detail))


async def study_action(
    request: Request, session: Session, slug: str, need: str
) -> tuple[AccountRow, Any, StudyRow, str]:
    """A form posted to a study: the signed-in account, the CSRF-checked form, the study and role.

    Raises 403 (no sign-in, no CSRF token, role below ``need``) or 404 (not a member).
    """
    account = require_account(session, request)
    form = await request.form()
    check_csrf(request, form)
    study, role = role_in(session, account, slug, need)
    return account, form, study, role
