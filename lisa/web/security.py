"""Secrets, passwords, rate limits and the HTTP edges that keep the platform safe.

* Survey links carry a :func:`new_token` (256 bits); only its sha256
  (:func:`token_hash`) is stored, and lookups compare in constant time.
* Facilitators' passwords are hashed with argon2 (:data:`PASSWORDS`).
* :class:`RateLimiter` counts failures per key in a sliding window, in the
  database (so limits survive restarts and hold across worker processes).
* :class:`Guard` is the ASGI middleware around every request: security
  headers, the body-size limit (413), and an access log line with survey
  tokens and query strings removed (nothing personal is logged).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select

from lisa.db.models import RateFailureRow

PASSWORDS = PasswordHasher()
ACCESS_LOG = logging.getLogger("lisa.web.access")

#: Security headers on every response.
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}
_TOKEN_PATH = re.compile(r"^/([sa])/[^/]+")  # survey and assessor links

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh unguessable token (32 random bytes, URL-safe text)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The sha256 (hex) of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time equality of two secrets."""
    return hmac.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    """The argon2 hash of a password."""
    return PASSWORDS.hash(password)


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 hash ``stored``."""
    try:
        return PASSWORDS.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def redact(path: str) -> str:
    """A request path fit for a log: a survey token becomes ``[token]``.

    >>> redact("/s/abcDEF123/step/2"), redact("/a/abcDEF123")
    ('/s/[token]/step/2', '/a/[token]')
    """
    return _TOKEN_PATH.sub(r"/\1/[token]", path)


#: Failures per key of a bucket since a moment (built once: a request runs it on every link).
_FAILURES = (select(func.count()).select_from(RateFailureRow)
             .where(RateFailureRow.bucket == bindparam("bucket"),
                    RateFailureRow.key_hash.in_(bindparam("keys", expanding=True)),
                    RateFailureRow.at > bindparam("since"))
             .group_by(RateFailureRow.key_hash))


class RateLimiter:
    """At most ``limit`` failures per key within ``window`` seconds, counted in the database.

    The failures live in the ``rate_failures`` table (migration 0006), so a
    limit holds across a restart and across ``lisa serve --workers`` processes.
    Only the sha256 of a key (an address, an account) is stored. Each call uses
    its own short transaction, so a failure counts even when the request that
    saw it is answered with an error.

    Parameters
    ----------
    engine
        The database the server uses.
    bucket
        The limit's name (``login``, ``token``): its counts are kept apart.
    limit, window
        How many failures per key, in how many seconds.
    clock
        Seconds since the epoch (default :func:`time.time`; tests pass their own).

    Examples
    --------
    >>> from lisa.db import engine_for, upgrade
    >>> import tempfile
    >>> engine = engine_for(f"sqlite:///{tempfile.mkdtemp()}/x.sqlite3"); upgrade(engine)
    >>> limiter = RateLimiter(engine, "login", limit=2, window=60)
    >>> limiter.fail("ip:1"); limiter.blocked("ip:1")
    False
    >>> limiter.fail("ip:1"); RateLimiter(engine, "login", 2, 60).blocked("ip:1")
    True
    """

    def __init__(self, engine: Engine, bucket: str, limit: int, window: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.bucket, self.limit, self.window, self.clock = engine, bucket, limit, window, clock

    def blocked(self, *keys: str, conn: Connection | None = None) -> bool:
        """Whether any of ``keys`` has used up its failures within the window.

        ``conn``: a connection the caller already holds (a request's session's),
        saving a second one from the pool; default: one of the limiter's own.
        """
        given = {"bucket": self.bucket, "keys": [token_hash(k) for k in keys],
                 "since": self.clock() - self.window}
        if conn is not None:
            return any(n >= self.limit for n in conn.scalars(_FAILURES, given))
        with self.engine.connect() as own:
            return any(n >= self.limit for n in own.scalars(_FAILURES, given))

    def fail(self, *keys: str) -> None:
        """Count one failure against each of ``keys`` (and forget failures older than the window)."""
        moment = self.clock()
        rows = [{"bucket": self.bucket, "key_hash": token_hash(k), "at": moment} for k in keys]
        with self.engine.begin() as conn:
            conn.execute(delete(RateFailureRow).where(RateFailureRow.bucket == self.bucket,
                                                      RateFailureRow.at <= moment - self.window))
            conn.execute(insert(RateFailureRow), rows)


class BodyTooLarge(Exception):
    """Raised inside a request whose body passes the limit (answered with 413)."""


class Guard:
    """ASGI middleware: security headers, body-size limit, redacted access log.

    The body is read whole (up to the limit) before the application sees the
    request. The routes use the database synchronously; had they waited for
    the body while holding a pooled connection, 200 respondents posting at
    once would hold every connection while the event loop waited for one
    (a deadlock until the pool's timeout). For the same reason at most
    ``at_once`` requests are inside the application together (see
    :data:`lisa.db.engine.REQUESTS_AT_ONCE`); the others wait for a turn.
    """

    def __init__(self, app: ASGIApp, max_body: int, at_once: int = 16) -> None:
        self.app, self.max_body = app, max_body
        self._turns = asyncio.Semaphore(at_once)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            code = 413 if length.isdigit() else 400
            await _plain(send, code, "Request too large" if code == 413 else "Bad request")
            self._log(scope, code, started)
            return
        try:
            body = await _read_body(receive, self.max_body)
        except BodyTooLarge:
            await _plain(send, 413, "Request too large")
            self._log(scope, 413, started)
            return
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def buffered() -> Message:
            """The whole body at once, then the client's own messages (a disconnect)."""
            return replay.pop() if replay else await receive()

        async def secured(message: Message) -> None:
            """Send, adding the security headers to the response start."""
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async with self._turns:
            await self.app(scope, buffered, secured)
        self._log(scope, status[0], started)

    def _log(self, scope: Scope, status: int, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        ACCESS_LOG.info("%s %s %d %.1fms", scope.get("method"), redact(scope.get("path", "")), status, ms)


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The request's whole body, refused (:class:`BodyTooLarge`) past ``limit`` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _plain(send: Send, status: int, text: str) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})
