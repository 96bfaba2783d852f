"""kill -9 of ``lisa serve`` in the middle of 200 respondents' answers.

Everything the server acknowledged before the kill is stored intact after it;
what was in flight is stored whole or not at all; the SQLite file passes
``PRAGMA integrity_check``; the restarted server takes everyone's answers
again to the last tie.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from tests.web.conftest import stop
from tests.web.loadgen import (
    Load,
    Respondent,
    check_stored,
    integrity,
    prepare,
    run_load,
    start,
    stored,
)

RESPONDENTS = 200


def test_kill_9_mid_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    place = prepare(tmp_path / "data", people=400, respondents=RESPONDENTS, seed=13)
    log = tmp_path / "server.log"
    server, base = start(place.data_dir, log)
    load = Load(saves=3, picks=5, seed=9)
    total = RESPONDENTS * 7  # page, consent, three saves, two submits
    runner = threading.Thread(target=run_load, args=(base, place, load))
    runner.start()
    deadline = time.monotonic() + 240
    while load.acks < total * 0.4 and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(30)
    runner.join(120)
    assert not runner.is_alive()
    acked_at_kill = load.acks
    assert 0 < acked_at_kill < total, "the kill came before or after the load"
    assert any(r.errors for r in place.respondents), "nobody was cut off by the kill"

    assert integrity(place.data_dir) == "ok"
    assert check_stored(place, stored(place.data_dir, place)) == []

    # the restarted server has everything and takes everyone's answers to the end
    server, base = start(place.data_dir, log)
    place.respondents = [Respondent(r.token, r.pid) for r in place.respondents]
    again = Load(saves=3, picks=5, seed=10)
    try:
        run_load(base, place, again)
    finally:
        stop(server)
    assert [r.errors for r in place.respondents if r.errors] == []
    data = stored(place.data_dir, place)
    assert check_stored(place, data) == []
    assert len(data) == RESPONDENTS and all(d["state"] == "submitted" for d in data.values())
    ties = [(pid, *t) for pid, d in data.items() for t in d["ties"]]
    picks = sum(len(v) for r in place.respondents for step, v in r.acked.items() if step > 0)
    assert len(ties) == len(set(ties)) == picks
    assert integrity(place.data_dir) == "ok"
