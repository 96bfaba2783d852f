"""Many respondents at once against a real ``lisa serve``: the driver of the load and kill tests
and of ``benchmarks/web_bench.py``.

:func:`prepare` fills a fresh data folder (a generated roster and one survey
link per respondent, tokens known to the caller); :func:`start` runs ``lisa
serve`` as a subprocess on 127.0.0.1 on a free port; :func:`run_load` sends
every respondent through consent, a bounded loop of saves, a submit and a
repeated submit, all at once (asyncio + httpx), and records what the server
acknowledged (a 2xx or the expected 303) and how long each request took;
:func:`check_stored` compares what the database holds with what was
acknowledged.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LISA = str(Path(sys.executable).parent / "lisa")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Respondent:
    """One survey link and what the server acknowledged for it."""

    token: str
    pid: str
    #: step -> the picks of the last save the server acknowledged
    acked: dict[int, list[str]] = field(default_factory=dict)
    #: step -> picks sent after the last acknowledgement, without an answer (may or may not be stored)
    pending: dict[int, list[str]] = field(default_factory=dict)
    consented: bool = False
    submits_acked: int = 0
    submit_pending: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class Place:
    """A prepared data folder: the study's relations (steps 1..) and its respondents."""

    data_dir: Path
    slug: str
    relations: list[str]
    pids: list[str]
    names: list[str]
    respondents: list[Respondent]


def prepare(data_dir: Path, people: int, respondents: int, seed: int = 11,
            database_url: str | None = None) -> Place:
    """A fresh database in ``data_dir`` with a generated roster and ``respondents`` survey links."""
    from lisa.db import engine_for, import_study, session_factory, sqlite_url, upgrade
    from lisa.db.models import InvitationRow, PersonRow, RelationRow
    from lisa.synth import generate
    from lisa.web.auth import now
    from lisa.web.security import new_token, token_hash

    engine = engine_for(database_url or sqlite_url(data_dir))
    upgrade(engine)
    study = generate(people, seed=seed, name="Load place")
    out: list[Respondent] = []
    with session_factory(engine).begin() as s:
        row = import_study(s, study, "load")
        relations = [r.name for r in s.query(RelationRow).filter_by(study_id=row.id).order_by(RelationRow.position)]
        for person in s.query(PersonRow).filter_by(study_id=row.id).order_by(PersonRow.position).limit(respondents):
            token = new_token()
            s.add(InvitationRow(study_id=row.id, person_id=person.id, token_hash=token_hash(token),
                                created_at=now()))
            out.append(Respondent(token, person.pid))
    engine.dispose()
    return Place(data_dir, "load", relations, list(study.ids), [n for n in study.names if n], out)


def start(data_dir: Path, log: Path, workers: int = 1, database_url: str | None = None,
          timeout: float = 90) -> tuple[subprocess.Popen[bytes], str]:
    """``lisa serve`` on a free loopback port; returns the process and its address once it answers."""
    port = free_port()
    cmd = [LISA, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if database_url:
        cmd += ["--database-url", database_url]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as sink:
        server = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(server, base, timeout, lambda: log.read_text()[-2000:])
    return server, base


def wait_until_serving(
    server: subprocess.Popen[Any], base: str, timeout: float = 90, output: Any = None
) -> None:
    """Wait until ``lisa serve`` at ``base`` answers its sign-in page; kill it and raise if it
    stops or does not answer within ``timeout`` seconds (``output()`` says what it printed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = output() if output else (server.stdout.read() if server.stdout else "")
            raise RuntimeError(f"lisa serve stopped at start: {said}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("lisa serve did not answer in time")


@dataclass
class Load:
    """How the load goes: saves per respondent, picks per save, searches per respondent."""

    saves: int = 3
    picks: int = 6
    searches: int = 0
    seed: int = 5
    #: mean pause (s) of a respondent before each save, search and submit (0: flat out)
    pause: float = 0.0
    #: request kind -> latencies in ms (acknowledged requests only)
    latency: dict[str, list[float]] = field(default_factory=lambda: {"save": [], "submit": [], "search": []})
    acks: int = 0
    #: CPU seconds the client processes used (with ``run_load(processes=...)``)
    client_cpu: float = 0.0


async def _timed(load: Load, kind: str | None, call: Any, rng: random.Random | None = None) -> httpx.Response:
    if rng is not None and load.pause:
        await asyncio.sleep(rng.uniform(0, 2 * load.pause))
    t0 = time.perf_counter()
    response = await call
    if kind is not None:
        load.latency[kind].append((time.perf_counter() - t0) * 1000)
    load.acks += 1
    return response


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 5:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


async def _one(client: httpx.AsyncClient, place: Place, r: Respondent, load: Load, rng: random.Random) -> None:
    link = f"/s/{r.token}"
    page = await _timed(load, None, client.get(link, follow_redirects=True))  # consented: the first step
    found = _CSRF.search(page.text)
    if page.status_code != 200 or not found:
        r.errors.append(f"consent page {page.status_code}")
        return
    csrf = found.group(1)
    answer = await _timed(load, None, client.post(f"{link}/consent", data={"csrf": csrf}))
    if answer.status_code != 303:
        r.errors.append(f"consent {answer.status_code}")
        return
    r.consented = True
    steps = len(place.relations) + 1
    for i in range(load.saves):
        step = i % steps
        picks = rng.sample([p for p in place.pids if p != r.pid], load.picks)
        r.pending[step] = picks
        answer = await _timed(load, "save", client.post(f"{link}/step/{step}", data={"csrf": csrf, "pick": picks}),
                              rng)
        if answer.status_code != 303:
            r.errors.append(f"save {answer.status_code}")
            return
        r.acked[step] = r.pending.pop(step)
    for _ in range(load.searches):
        q = _typo(rng.choice(place.names), rng)
        answer = await _timed(load, "search", client.get(f"{link}/search", params={"q": q}), rng)
        if answer.status_code != 200:
            r.errors.append(f"search {answer.status_code}")
    for _ in range(2):  # submit, and submit again: the same ties
        r.submit_pending = True
        answer = await _timed(load, "submit", client.post(f"{link}/submit", data={"csrf": csrf}), rng)
        if answer.status_code != 200:
            r.errors.append(f"submit {answer.status_code}")
            return
        r.submit_pending = False
        r.submits_acked += 1


async def _guarded(client: httpx.AsyncClient, place: Place, r: Respondent, load: Load, rng: random.Random) -> None:
    try:
        await _one(client, place, r, load, rng)
    except httpx.TransportError as exc:  # the server went away (kill -9): this request is unacknowledged
        r.errors.append(type(exc).__name__)


async def run_load_async(base: str, place: Place, load: Load, respondents: list[Respondent] | None = None) -> None:
    """Every respondent at once, each on its own connection."""
    group = respondents if respondents is not None else place.respondents
    limits = httpx.Limits(max_connections=len(group), max_keepalive_connections=len(group))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=180, follow_redirects=False) as client:
        await asyncio.gather(*(_guarded(client, place, r, load, random.Random(load.seed * 100_003 + i))
                               for i, r in enumerate(group)))


def _client_process(base: str, place: Place, load: Load, part: list[int], nice: int,
                    results: Any) -> None:
    """One client process of :func:`run_load`: its share of the respondents, at lower priority;
    sends back their records, the latencies and the CPU time it used."""
    import resource

    if nice:
        os.nice(nice)
    group = [place.respondents[i] for i in part]
    try:
        import uvloop  # a cheaper event loop, when installed (lisa serve uses it too)

        uvloop.run(run_load_async(base, place, load, group))
    except ImportError:
        asyncio.run(run_load_async(base, place, load, group))
    used = resource.getrusage(resource.RUSAGE_SELF)
    results.send((part, group, load.latency, load.acks, used.ru_utime + used.ru_stime))
    results.close()


def _run_in_processes(base: str, place: Place, load: Load, processes: int, nice: int) -> None:
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")  # no fork of a process that may run threads
    parts = [list(range(i, len(place.respondents), processes)) for i in range(processes)]
    pipes, children = [], []
    for part in parts:
        mine, theirs = spawn.Pipe(duplex=False)
        child = spawn.Process(target=_client_process, args=(base, place, load, part, nice, theirs))
        child.start()
        theirs.close()
        pipes.append(mine)
        children.append(child)
    try:
        for pipe in pipes:
            part, group, latency, acks, cpu = pipe.recv()
            for i, r in zip(part, group, strict=True):
                place.respondents[i] = r
            for kind, values in latency.items():
                load.latency[kind].extend(values)
            load.acks += acks
            load.client_cpu += cpu
    finally:
        for child in children:
            child.join(60)


def run_load(base: str, place: Place, load: Load, processes: int = 0, nice: int = 0) -> None:
    """:func:`run_load_async` from synchronous code, in a thread of its own (its own event
    loop, whatever loop the caller's thread may be running, e.g. Playwright's).

    With ``processes``, the respondents are shared among that many client
    processes instead (each with its own event loop and connections, at
    ``nice`` lower priority), so the load generator does not take the CPU the
    server needs: 200 phones are 200 devices, not 200 coroutines on the
    server's cores. ``load.client_cpu`` then holds the CPU seconds they used.
    ``load.acks`` is counted as the requests are answered only without processes.
    """
    import threading

    if processes:
        _run_in_processes(base, place, load, processes, nice)
        return

    failure: list[BaseException] = []

    def body() -> None:
        try:
            asyncio.run(run_load_async(base, place, load))
        except BaseException as exc:  # handed to the caller
            failure.append(exc)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def integrity(data_dir: Path) -> str:
    """``PRAGMA integrity_check`` of the SQLite database in ``data_dir``."""
    from lisa.db.engine import SQLITE_FILE

    with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def stored(data_dir: Path, place: Place) -> dict[str, dict[str, Any]]:
    """Per respondent's roster id: answer state, saved picks per relation, survey ties."""
    from lisa.db.engine import SQLITE_FILE

    out: dict[str, dict[str, Any]] = {}
    with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
        import json

        rows = conn.execute("SELECT p.pid, a.state, a.answers FROM answers a JOIN people p ON p.id = a.person_id")
        for pid, state, answers in rows:
            out[pid] = {"state": state, "answers": json.loads(answers), "ties": []}
        ties = conn.execute(
            "SELECT s.pid, t.pid, r.name FROM ties x JOIN people s ON s.id = x.source_id "
            "JOIN people t ON t.id = x.target_id JOIN relations r ON r.id = x.relation_id "
            "WHERE x.origin = 'survey'")
        for source, target, relation in ties:
            out.setdefault(source, {"state": None, "answers": {}, "ties": []})["ties"].append((target, relation))
    return out


def step_value(answers: dict[str, Any], place: Place, step: int) -> list[str] | None:
    """What the stored draft holds for one step (``None``: never saved)."""
    if step == 0:
        return answers.get("names") if answers.get("names") else None
    return answers.get("relations", {}).get(place.relations[step - 1])


def check_stored(place: Place, data: dict[str, dict[str, Any]]) -> list[str]:
    """Every difference between what was acknowledged and what is stored (empty: all is well).

    A save or submit the server acknowledged must be stored exactly; one
    without an answer may be stored or lost, never half: a submitted answer's
    ties are exactly its saved picks, once each.
    """
    problems: list[str] = []
    for r in place.respondents:
        got = data.get(r.pid)
        if got is None:
            if r.consented:
                problems.append(f"{r.pid}: acknowledged consent but no answer stored")
            continue
        for step in set(r.acked) | set(r.pending):
            allowed = [r.acked.get(step), *([r.pending[step]] if step in r.pending else [])]
            if step_value(got["answers"], place, step) not in allowed:
                problems.append(f"{r.pid}: step {step} holds {step_value(got['answers'], place, step)}, "
                                f"acknowledged {r.acked.get(step)}")
        if r.submits_acked and got["state"] != "submitted":
            problems.append(f"{r.pid}: submit acknowledged but the answer is '{got['state']}'")
        expected = sorted((pid, rel) for rel, pids in got["answers"].get("relations", {}).items()
                          for pid in pids if pid != r.pid)
        ties = sorted(got["ties"])
        if got["state"] == "submitted" and ties != expected:
            problems.append(f"{r.pid}: {len(ties)} ties stored for {len(expected)} picks")
        if got["state"] != "submitted" and ties:
            problems.append(f"{r.pid}: ties stored without a submit")
    return problems
