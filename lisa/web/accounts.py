"""Sign in, sign out, sign up (the first account, or any when ``allow_signup`` is on)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lisa.db.models import AccountRow
from lisa.web.app import db, form_text, render
from lisa.web.auth import audit, end_session, now, signed_in, start_session
from lisa.web.security import check_password, hash_password, same

router = APIRouter()
PRELOGIN = "lisa_form"
#: The shortest password accepted.
MIN_PASSWORD = 10
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _form_page(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    """A sign-in or sign-up page with a pre-session CSRF token (cookie and hidden field)."""
    token = secrets.token_urlsafe(32)
    page = render(request, name, status, form_token=token, **context)
    page.set_cookie(PRELOGIN, token, httponly=True, samesite="strict",
                    secure=request.app.state.settings.secure_cookies, path="/")
    return page


def _check_form_token(request: Request, form: object) -> None:
    sent = form.get("form_token")  # type: ignore[attr-defined]
    cookie = request.cookies.get(PRELOGIN, "")
    if not isinstance(sent, str) or not cookie or not same(sent, cookie):
        raise HTTPException(403, "the form's security token is missing or out of date: reload the page")


def _new_address(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise HTTPException(422, "give an e-mail address")
    return email


def _new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise HTTPException(422, f"the password needs at least {MIN_PASSWORD} characters")
    return password


async def off_loop_hash(password: str) -> str:
    """The argon2 hash of ``password``, computed in the thread pool: about 0.1 s of CPU that
    on the event loop would hold up every respondent's request meanwhile (argon2 releases
    the GIL)."""
    return await run_in_threadpool(hash_password, password)


async def off_loop_check(stored: str, password: str) -> bool:
    """:func:`lisa.web.security.check_password` in the thread pool (see :func:`off_loop_hash`)."""
    return await run_in_threadpool(check_password, stored, password)


def create_account(session: Session, email: str, password_hash: str) -> AccountRow:
    """A new facilitator account with this argon2 hash (caller commits); 422 for a taken address."""
    email = _new_address(email)
    if session.scalar(select(AccountRow.id).where(AccountRow.email == email)) is not None:
        raise HTTPException(422, "an account with that address exists: sign in instead")
    account = AccountRow(email=email, password_hash=password_hash, created_at=now())
    session.add(account)
    session.flush()
    return account


def _signup_open(request: Request, session: Session) -> bool:
    if request.app.state.settings.allow_signup:
        return True
    return not session.scalar(select(func.count()).select_from(AccountRow))


@router.get("/login")
def login_page(request: Request, session: Session = Depends(db)) -> Response:
    """GET /login: the sign-in form (signed-in visitors go to their studies)."""
    if signed_in(session, request):
        return RedirectResponse("/", 303)
    return _form_page(request, "login.j2", signup=_signup_open(request, session), error=None)


@router.post("/login")
async def login(request: Request, session: Session = Depends(db)) -> Response:
    """POST /login: sign in; 401 with the form again on a wrong password, 429 when rate-limited."""
    form = await request.form()
    _check_form_token(request, form)
    email = form_text(form, "email", limit=320).lower()
    password = form_text(form, "password", limit=1000)
    client = request.client.host if request.client else "unknown"
    limit = request.app.state.login_limit
    if limit.blocked(f"ip:{client}", f"account:{email}"):
        raise HTTPException(429)
    account = session.scalar(select(AccountRow).where(AccountRow.email == email))
    stored = account.password_hash if account is not None else _DUMMY_HASH
    matches = await off_loop_check(stored, password)  # the same work whether or not it exists
    if account is None or not matches:
        limit.fail(f"ip:{client}", f"account:{email}")
        return _form_page(request, "login.j2", 401, signup=_signup_open(request, session),
                          error="That e-mail address and password do not match an account.")
    response = RedirectResponse("/", 303)
    start_session(session, request, response, account)
    audit(session, account, None, "sign-in")
    session.commit()
    return response


@router.post("/logout")
async def logout(request: Request, session: Session = Depends(db)) -> Response:
    """POST /logout: end the session (CSRF-checked)."""
    from lisa.web.auth import check_csrf, require_account

    account = require_account(session, request)
    check_csrf(request, await request.form())
    response = RedirectResponse("/login", 303)
    end_session(session, request, response)
    audit(session, account, None, "sign-out")
    session.commit()
    return response


@router.get("/signup")
def signup_page(request: Request, session: Session = Depends(db)) -> Response:
    """GET /signup: the sign-up form, when sign-up is open (403 otherwise)."""
    if not _signup_open(request, session):
        raise HTTPException(403, "new accounts are created by an administrator (lisa db add-facilitator)")
    return _form_page(request, "signup.j2", error=None, min_password=MIN_PASSWORD)


@router.post("/signup")
async def signup(request: Request, session: Session = Depends(db)) -> Response:
    """POST /signup: create a facilitator account and sign it in."""
    form = await request.form()
    _check_form_token(request, form)
    if not _signup_open(request, session):
        raise HTTPException(403, "new accounts are created by an administrator (lisa db add-facilitator)")
    email = _new_address(form_text(form, "email", limit=320))
    hashed = await off_loop_hash(_new_password(form_text(form, "password", limit=1000)))
    account = create_account(session, email, hashed)
    response = RedirectResponse("/", 303)
    start_session(session, request, response, account)
    audit(session, account, None, "sign-up")
    session.commit()
    return response
