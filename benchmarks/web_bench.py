"""Web platform latencies on a 20,000-person roster under 200 respondents at once (issue 10).

    python benchmarks/web_bench.py [--people 20000] [--respondents 200] [--workers 1]
                                   [--saves 3] [--searches 3] [--pause 2] [--clients 4]
                                   [--nice 10] [--postgres URL]

Two parts:

* **search, in process** — :func:`lisa.db.search_roster` alone for typo'd
  names (one pair of letters swapped), one after another: what the query
  itself costs;
* **under load** — a real ``lisa serve`` (uvicorn, a subprocess on 127.0.0.1,
  ``--workers N``) and every respondent at once (asyncio + httpx): consent, a
  loop of saves, live roster searches, a submit and a repeated submit, each
  after a pause of ``--pause`` seconds on average (uniform from 0 to twice
  that; ``--pause 0`` sends flat out, which measures queueing more than
  the server: 200 clients each waiting only for its own answer). p50/p95
  of save, submit and search as the respondents saw them, printed beside the
  targets (submit p95 < 100 ms on SQLite on 2 cores; search p95 < 50 ms), and
  a check that the database holds every acknowledged answer.

The respondents' clients run in ``--clients`` processes of their own at
``--nice`` lower priority (200 phones are separate devices; on one machine
their HTTP clients would otherwise take the CPU from the server they measure).
Each figure is printed twice: as the clients saw it, and as the server
recorded it in its access log (from reading the request to answering it;
the log line holds the method, the path with the token replaced, the status
and the time: nothing personal). CPU seconds of the server and of the clients,
and the load average at the start and the end, are printed with them.

SQLite by default, in a temporary folder; ``--postgres URL`` uses an empty
PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGETS = {"save": None, "submit": 100.0, "search": 50.0}


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def _line(kind: str, values: list[float], note: str = "") -> str:
    target = TARGETS.get(kind)
    goal = f"target p95 < {target:.0f} ms" if target else ""
    mark = "" if target is None else ("  ok" if _pct(values, 95) < target else "  MISSED")
    return (f"{kind:<18} p50 {_pct(values, 50):7.1f} ms   p95 {_pct(values, 95):7.1f} ms   "
            f"n={len(values):<5} {goal}{mark} {note}")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children alive now (the worker processes)."""
    import os

    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _search_in_process(place: object, url: str, rounds: int = 300) -> None:
    from sqlalchemy import select

    from lisa.db import engine_for, search_roster, session_factory
    from lisa.db.models import StudyRow
    from tests.web.loadgen import _typo

    engine = engine_for(url)
    rng, timings, hits = random.Random(3), [], 0
    with session_factory(engine)() as s:
        study_id = s.scalar(select(StudyRow.id).where(StudyRow.slug == "load"))
        for _ in range(rounds):
            wanted = rng.choice(place.names)  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            found = search_roster(s, study_id, _typo(wanted, rng))
            timings.append((time.perf_counter() - t0) * 1000)
            hits += any(m.name == wanted for m in found)
    engine.dispose()
    TARGETS["search, in process"] = 50.0
    print(_line("search, in process", timings, f"(typo'd name found: {hits}/{rounds})"))


#: The access log's request lines: method, redacted path, status, the server's own time.
_LOGGED = re.compile(r"lisa\.web\.access (GET|POST) (/s/\[token\]\S*) (\d{3}) ([\d.]+)ms")


def server_times(log: str) -> dict[str, list[float]]:
    """What the server itself took (its access log: from reading a request to its answer, ms)
    for the requests the respondents' clients time, by kind."""
    out: dict[str, list[float]] = {"save": [], "submit": [], "search": []}
    for method, path, status, ms in _LOGGED.findall(log):
        kind = ("save" if method == "POST" and re.fullmatch(r"/s/\[token\]/step/\d+", path) else
                "submit" if method == "POST" and path.endswith("/submit") else
                "search" if method == "GET" and path.endswith("/search") else None)
        if kind is not None and status[0] in "23":
            out[kind].append(float(ms))
    return out


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--searches", type=int, default=3)
    parser.add_argument("--pause", type=float, default=2.0,
                        help="a respondent's mean pause (s) before each request; 0: flat out")
    parser.add_argument("--clients", type=int, default=4,
                        help="client processes the respondents are shared among (0: one thread "
                        "in this process, as the tests run them)")
    parser.add_argument("--nice", type=int, default=10, help="how much lower the clients' priority is")
    parser.add_argument("--postgres", default=None, help="an empty PostgreSQL database's URL instead of SQLite")
    return parser.parse_args()


def _load_average() -> str:
    import os

    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    args = _arguments()

    from lisa.db import sqlite_url
    from tests.web.conftest import stop
    from tests.web.loadgen import Load, check_stored, prepare, run_load, start, stored

    folder = Path(tempfile.mkdtemp(prefix="lisa-web-bench-"))
    started = time.perf_counter()
    place = prepare(folder / "data", args.people, args.respondents, database_url=args.postgres)
    url = args.postgres or sqlite_url(place.data_dir)
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: {args.people:,} people, "
          f"{args.respondents} survey links ready in {time.perf_counter() - started:.1f} s; {_load_average()}")
    _search_in_process(place, url)

    log = folder / "server.log"
    server, base = start(place.data_dir, log, workers=args.workers, database_url=args.postgres)
    load = Load(saves=args.saves, picks=6, searches=args.searches, pause=args.pause)
    before = _load_average()
    try:
        started, cpu = time.perf_counter(), _cpu_seconds(server.pid)
        run_load(base, place, load, processes=args.clients, nice=args.nice if args.clients else 0)
        wall, cpu = time.perf_counter() - started, _cpu_seconds(server.pid) - cpu
    finally:
        stop(server)
    errors = [e for r in place.respondents for e in r.errors]
    clients = (f"{args.clients} client processes at nice {args.nice}" if args.clients
               else "the clients in this process")
    print(f"under load: {args.respondents} respondents at once, {args.workers} worker process(es), "
          f"{clients}, pausing {args.pause:g} s on average; {load.acks} requests in {wall:.1f} s "
          f"({load.acks / wall:.0f}/s), errors: {len(errors)}")
    print(f"CPU: server {cpu:.1f} s = {cpu / load.acks * 1000:.1f} ms a request"
          + (f"; clients {load.client_cpu:.1f} s = {load.client_cpu / load.acks * 1000:.1f} ms a request"
             if args.clients else "") + f"; {before} at the start, {_load_average()} at the end")
    print("as the respondents' clients saw it (sent to answered):")
    for kind in ("save", "submit", "search"):
        if load.latency[kind]:
            print("  " + _line(kind, load.latency[kind]))
    print("as the server recorded it (its access log: reading the request to answering it):")
    for kind, values in server_times(log.read_text()).items():
        if values:
            print("  " + _line(kind, values))
    if not args.postgres:
        problems = check_stored(place, stored(place.data_dir, place))
        print(f"stored as acknowledged: {'yes' if not problems else problems[:3]}")


if __name__ == "__main__":
    main()
