"""Sign in, sign out, sign up (the first account, or any when ``allow_signup`` is on)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def create_account(session: Session, email: str, password: str) -> AccountRow:
    """A new facilitator account (caller commits); 422 for a short password or a taken address."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise HTTPException(422, "give an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise HTTPException(422, f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(AccountRow.id).where(AccountRow.email == email)) is not None:
        raise HTTPException(422, "an account with that address exists: sign in instead")
    account = AccountRow(email=email, password_hash=hash_password(password), created_at=now())
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
    if account is None or not check_password(account.password_hash, password):
        if account is None:
            check_password(_DUMMY_HASH, password)  # the same time whether or not the account exists
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
    account = create_account(session, form_text(form, "email", limit=320),
                             form_text(form, "password", limit=1000))
    response = RedirectResponse("/", 303)
    start_session(session, request, response, account)
    audit(session, account, None, "sign-up")
    session.commit()
    return response
