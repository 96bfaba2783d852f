"""How many requests the server lets into the application at once (lisa.web.security.Guard).

On PostgreSQL at most :data:`~lisa.db.engine.SURVEY_REQUESTS_AT_ONCE_PG` respondents'
requests are in at once (each then runs nearly to its end instead of sharing the CPU with
15 others at every round trip: benchmarks/README.md, 2026-12-02); the facilitators' pages
keep their own turns meanwhile. On SQLite the respondents' requests are not limited apart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from lisa.db.engine import REQUESTS_AT_ONCE, SURVEY_REQUESTS_AT_ONCE_PG
from lisa.web import WebSettings, create_app
from lisa.web.security import Guard


class _Busy:
    """An ASGI app whose every request takes a moment, counting how many are in at once per kind."""

    def __init__(self) -> None:
        self.inside = {"survey": 0, "other": 0}
        self.most = {"survey": 0, "other": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = "survey" if scope["path"].startswith("/s/") else "other"
        self.inside[kind] += 1
        self.most[kind] = max(self.most[kind], self.inside[kind])
        await asyncio.sleep(0.02)
        self.inside[kind] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(guard: Guard, path: str, statuses: list[int]) -> None:
    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await guard(scope, receive, send)
    statuses.append(sent[0]["status"])


async def _crowd(guard: Guard, surveys: int, others: int) -> list[int]:
    statuses: list[int] = []
    await asyncio.gather(*(_request(guard, f"/s/token{i}/search", statuses) for i in range(surveys)),
                         *(_request(guard, "/studies", statuses) for _ in range(others)))
    return statuses


def test_respondents_requests_take_their_own_few_turns_and_leave_the_others_theirs() -> None:
    app = _Busy()
    guard = Guard(app, max_body=1000, at_once=16, survey_at_once=4)  # type: ignore[arg-type]
    statuses = asyncio.run(_crowd(guard, surveys=30, others=10))
    assert statuses == [200] * 40  # everyone answered, in turn
    assert app.most["survey"] == 4
    # the 26 respondents waiting for a survey turn hold none of the 16: the facilitators' pages get in
    assert app.most["other"] == 10


def test_without_a_survey_limit_only_the_overall_turns_count() -> None:
    app = _Busy()
    guard = Guard(app, max_body=1000, at_once=16)  # type: ignore[arg-type]
    asyncio.run(_crowd(guard, surveys=30, others=0))
    assert app.most["survey"] == 16


def _guard_settings(app: Any) -> dict[str, Any]:
    found = [m.kwargs for m in app.user_middleware if m.cls is Guard]
    assert len(found) == 1
    return dict(found[0])


def test_the_survey_limit_is_set_on_postgresql_only(db_url: str, tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path / "data", database_url=db_url))
    try:
        kwargs = _guard_settings(app)
        assert kwargs["at_once"] == REQUESTS_AT_ONCE
        expected = SURVEY_REQUESTS_AT_ONCE_PG if db_url.startswith("postgresql") else None
        assert kwargs["survey_at_once"] == expected
        if expected is not None:
            # each admitted request holds at most two pooled connections: the pool cannot run dry
            assert 2 * expected <= app.state.engine.pool.size() + app.state.engine.pool._max_overflow
    finally:
        app.state.engine.dispose()


@pytest.mark.parametrize("limit", [1, 3])
def test_the_limit_holds_for_any_size(limit: int) -> None:
    app = _Busy()
    guard = Guard(app, max_body=1000, at_once=16, survey_at_once=limit)  # type: ignore[arg-type]
    asyncio.run(_crowd(guard, surveys=8, others=0))
    assert app.most["survey"] == limit
