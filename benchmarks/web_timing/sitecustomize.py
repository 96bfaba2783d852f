"""Where a respondent's request spends its time inside ``lisa serve`` (diagnosis only).

    LISA_DIAG=/tmp/timing.jsonl PYTHONPATH=benchmarks/web_timing \\
        python benchmarks/web_bench.py --postgres URL
    python benchmarks/web_timing/summary.py /tmp/timing.jsonl

Python imports ``sitecustomize`` at start when it is on the path; with
``LISA_DIAG`` set (the server inherits the benchmark's environment) this one
wraps, in every process, the ``Guard`` (the wait for a turn), ``off_loop``'s
hop into the thread pool (the wait for a thread, the time in it, the way back)
and psycopg's ``Connection.wait`` (each wait for the database: about one a statement), and writes one JSON
line per ``/s/…`` request: its kind and those times in seconds. Nothing
personal is written (no path, no token). Recorded with it: benchmarks/README.md,
"PostgreSQL under the 200-respondent load: where the time goes".
"""

from __future__ import annotations

import os

if os.environ.get("LISA_DIAG"):
    import contextvars
    import json
    import threading
    import time
    from typing import Any

    _REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("lisa_diag", default=None)
    _OUT = open(os.environ["LISA_DIAG"], "a", buffering=1)  # noqa: SIM115 (open for the process's life)
    _LOCK = threading.Lock()

    def _kind(method: str, path: str) -> str:
        if path.endswith("/search"):
            return "search"
        if path.endswith("/submit"):
            return "submit"
        if path.endswith("/consent"):
            return "consent"
        return "save" if method == "POST" and "/step/" in path else "page"

    def _patch() -> None:
        import psycopg

        import lisa.web.app as app_module
        import lisa.web.security as security

        waiting = psycopg.Connection.wait

        def wait(self: Any, gen: Any, *args: Any, **kwargs: Any) -> Any:
            state, t0 = _REQUEST.get(), time.perf_counter()
            try:
                return waiting(self, gen, *args, **kwargs)
            finally:
                if state is not None:
                    state["db"] += time.perf_counter() - t0
                    state["rt"] += 1

        psycopg.Connection.wait = wait  # type: ignore[method-assign]
        to_thread = app_module.run_in_threadpool

        async def hop(fn: Any, *args: Any, **kwargs: Any) -> Any:
            state, called, box = _REQUEST.get(), time.perf_counter(), {}

            def inner(*a: Any, **k: Any) -> Any:
                box["start"] = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    box["end"] = time.perf_counter()

            try:
                return await to_thread(inner, *args, **kwargs)
            finally:
                if state is not None and "start" in box:
                    state["hops"] += 1
                    state["to_thread"] += box["start"] - called
                    state["in_thread"] += box["end"] - box["start"]
                    state["back"] += time.perf_counter() - box["end"]

        app_module.run_in_threadpool = hop  # type: ignore[assignment]
        init, call = security.Guard.__init__, security.Guard.__call__

        def guard_init(self: Any, app: Any, *args: Any, **kwargs: Any) -> None:
            init(self, app, *args, **kwargs)
            inner = self.app

            async def admitted(scope: Any, receive: Any, send: Any) -> None:
                state = _REQUEST.get()
                if state is not None:
                    state["admitted"] = time.perf_counter()
                await inner(scope, receive, send)

            self.app = admitted

        async def guard_call(self: Any, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not scope.get("path", "").startswith("/s/"):
                await call(self, scope, receive, send)
                return
            state: dict[str, Any] = {"db": 0.0, "rt": 0, "hops": 0, "to_thread": 0.0, "in_thread": 0.0,
                                     "back": 0.0}
            _REQUEST.set(state)
            t0 = time.perf_counter()
            await call(self, scope, receive, send)
            state.update(kind=_kind(scope["method"], scope["path"]), total=time.perf_counter() - t0,
                         queue=state.pop("admitted", t0) - t0)
            with _LOCK:
                _OUT.write(json.dumps(state) + "\n")

        security.Guard.__init__ = guard_init  # type: ignore[method-assign]
        security.Guard.__call__ = guard_call  # type: ignore[method-assign]

    _patch()
