"""The FastAPI application: :func:`create_app` builds it from :class:`WebSettings`.

Pages are rendered on the server with Jinja2 (autoescaping everything); the
only script is a small same-origin file, so the Content-Security-Policy allows
``script-src 'self'`` and nothing inline. Every request passes the
:class:`~lisa.web.security.Guard` (headers, body limit, redacted log). Errors
lisa raises become pages with a status: not found 404, bad input 422, a bad
setting 400.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lisa.db.engine import REQUESTS_AT_ONCE, engine_for, session_factory, upgrade
from lisa.errors import ConfigError, InputInvalid, LisaError, NotFound
from lisa.web.security import Guard, RateLimiter
from lisa.web.settings import WebSettings

HERE = Path(__file__).parent
T = TypeVar("T")
#: What each status tells the reader (one body per status: no hint of what exists).
MESSAGES = {
    400: "The request could not be read.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. If you followed a survey link, check it was copied whole.",
    410: "This survey is closed.",
    413: "That was too large to accept.",
    422: "Some of what was sent is not valid.",
    429: "Too many attempts. Wait a few minutes and try again.",
}


def templates() -> jinja2.Environment:
    """The page templates, with autoescaping on for every file, and lisa's words for states."""
    from lisa.db.assessments import ASSESSOR_STATE_TEXT
    from lisa.vocabulary import RESPONSE_LEVEL_LABEL

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(RESPONSE_LEVEL_LABEL=RESPONSE_LEVEL_LABEL, ASSESSOR_STATE_TEXT=ASSESSOR_STATE_TEXT)
    return env


def render(request: Request, name: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    """A page from template ``name`` with ``context`` (and the request's sign-in, if any)."""
    env: jinja2.Environment = request.app.state.templates
    context.setdefault("account", getattr(request.state, "account", None))
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, detail: str | None = None) -> HTMLResponse:
    """The page for an error status; ``detail`` only where it reveals nothing about people."""
    return render(request, "error.j2", status, code=status, message=MESSAGES.get(status, ""),
                  detail=detail)


async def db(request: Request) -> AsyncIterator[Session]:
    """A database session for one request (FastAPI dependency).

    An async dependency, so opening the session (no database work until its
    first statement) takes no hop through the thread pool; a ``def`` route
    still uses the session in its worker thread. Closing it rolls back a
    transaction still open (a read-only request's): a round trip on
    PostgreSQL, so there it goes through :func:`off_loop` too.
    """
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        await off_loop(request, session.close)


async def off_loop(request: Request, work: Callable[..., T], /, *args: Any) -> T:
    """Run a respondent's route's database work ``work(*args)`` where it does not hold up the others.

    On SQLite (in process: a statement takes microseconds) right here on the
    event loop, without yielding to it, so a write started by
    :func:`lisa.db.engine.write_turn` still commits before any other request
    runs; a hop through the thread pool costs more than the work (GIL
    hand-overs and SQLite's lock taken from several threads: measured slower,
    benchmarks/README.md). On PostgreSQL each statement is a network round
    trip, which on the loop would stall every other request, so the work runs
    in the thread pool (psycopg releases the GIL while it waits). At most
    :data:`~lisa.db.engine.REQUESTS_AT_ONCE` requests are in the application
    at once, so at most that many threads are busy (the pool's default limit
    is 40) and each holds at most two pooled connections.
    """
    if request.app.state.threaded:
        return await run_in_threadpool(work, *args)
    return work(*args)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An HTTP error as lisa's error page."""
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code in (400, 403, 410, 422) else None
        if detail in (None, "Not Found", "Method Not Allowed"):
            detail = None
        page = error_page(request, exc.status_code, detail)
        for k, v in (exc.headers or {}).items():
            page.headers[k] = v
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        """A request FastAPI cannot read: 422."""
        return error_page(request, 422)

    @app.exception_handler(LisaError)
    async def lisa_error(request: Request, exc: LisaError) -> Response:
        """One of lisa's own errors: 404, 422 with the problems, 400 or 500."""
        if isinstance(exc, NotFound):
            return error_page(request, 404)
        if isinstance(exc, InputInvalid):
            return render(request, "problems.j2", 422, problems=exc.problems)
        status = 400 if isinstance(exc, ConfigError) else 500
        return error_page(request, status, str(exc) if status == 400 else None)


def create_app(settings: WebSettings | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the web platform.

    Parameters
    ----------
    settings
        Where the data lives and how the server behaves (default: from the
        ``LISA_WEB_*`` environment).
    migrate
        Bring the database to the newest schema first (as ``lisa db upgrade``).

    Returns
    -------
    FastAPI
        An ASGI application; ``lisa serve`` runs it with uvicorn.

    Raises
    ------
    ConfigError
        When the database URL is invalid or the database cannot be reached.
    """
    settings = settings or WebSettings()
    engine = engine_for(settings.url())
    if migrate:
        upgrade(engine)
    from lisa.web.retention import lifespan

    app = FastAPI(title="lisa", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.threaded = engine.dialect.name != "sqlite"  # see off_loop
    app.state.templates = templates()
    window = settings.rate_window_seconds
    app.state.login_limit = RateLimiter(engine, "login", settings.login_attempts, window)
    app.state.token_limit = RateLimiter(engine, "token", settings.token_attempts, window)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handlers(app)
    from lisa.web import accounts, assessments, mail, retention, runs, studies, survey, tieitems

    # the respondents' routes first: the router tries routes in order, and they are the busy ones
    for module in (survey, tieitems, accounts, studies, runs, mail, retention, assessments):
        app.include_router(module.router)
    app.add_middleware(Guard, max_body=settings.max_body_bytes, at_once=REQUESTS_AT_ONCE)  # type: ignore[arg-type]
    return app


def form_text(form: Any, name: str, *, limit: int = 2000, required: bool = True) -> str:
    """A form field as stripped text; 422 when missing (if required) or longer than ``limit``."""
    value = form.get(name)
    if value is None or not isinstance(value, str):
        if required:
            raise HTTPException(422, f"the form field '{name}' is missing")
        return ""
    if len(value) > limit:
        raise HTTPException(422, f"the form field '{name}' is longer than {limit} characters")
    return value.strip()
