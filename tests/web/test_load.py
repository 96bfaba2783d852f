"""200 respondents at once against a real ``lisa serve`` (uvicorn, SQLite, loopback).

Each respondent consents, saves a few steps, submits and submits again; the
database then holds every acknowledged save and submit exactly once.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import stop
from tests.web.loadgen import Load, check_stored, integrity, prepare, run_load, start, stored

RESPONDENTS = 200


def test_200_concurrent_respondents_lose_nothing_and_duplicate_nothing(tmp_path: Path) -> None:
    place = prepare(tmp_path / "data", people=400, respondents=RESPONDENTS)
    log = tmp_path / "server.log"
    server, base = start(place.data_dir, log)
    load = Load(saves=3, picks=6)
    try:
        run_load(base, place, load)
    finally:
        stop(server)
    assert [r.errors for r in place.respondents if r.errors] == []
    assert all(r.submits_acked == 2 for r in place.respondents)
    data = stored(place.data_dir, place)
    assert check_stored(place, data) == []
    # exact counts: one answer per respondent, one tie per acknowledged relation pick
    assert len(data) == RESPONDENTS
    assert all(d["state"] == "submitted" for d in data.values())
    picks = sum(len(v) for r in place.respondents for step, v in r.acked.items() if step > 0)
    ties = [(pid, *t) for pid, d in data.items() for t in d["ties"]]
    assert len(ties) == len(set(ties)) == picks
    assert integrity(place.data_dir) == "ok"
    text = log.read_text()
    assert not any(r.token in text for r in place.respondents)
    assert not [n for n in place.names if n in text]


def test_worker_processes_share_the_load_and_the_rate_limits(tmp_path: Path) -> None:
    import httpx

    place = prepare(tmp_path / "data", people=300, respondents=100, seed=3)
    log = tmp_path / "server.log"
    server, base = start(place.data_dir, log, workers=2)
    load = Load(saves=1, picks=4, seed=4)
    try:
        run_load(base, place, load, processes=2, nice=5)  # the clients in processes of their own
        # guesses from one address meet one limit, whichever process answers them
        codes = []
        for i in range(33):
            with httpx.Client(base_url=base) as fresh:  # a new connection each time
                codes.append(fresh.get(f"/s/guess{i}").status_code)
    finally:
        stop(server)
    assert [r.errors for r in place.respondents if r.errors] == []
    assert all(r.submits_acked == 2 for r in place.respondents)  # every client process reported back
    assert len(load.latency["save"]) == 100 and load.client_cpu > 0
    data = stored(place.data_dir, place)
    assert check_stored(place, data) == [] and len(data) == 100
    assert codes == [404] * 30 + [429] * 3
    pids = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
    assert len(pids) >= 2
    assert integrity(place.data_dir) == "ok"
