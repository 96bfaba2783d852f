"""Web platform latencies on a 20,000-person roster (issue 10's targets).

    python benchmarks/web_bench.py [--people 20000] [--respondents 200] [--postgres URL]

* search — :func:`lisa.db.search_roster` for typo'd names (one letter swapped),
  p50/p95 in milliseconds (target p95 < 50 ms);
* save / submit — respondents answering one after another through the app's
  own forms in-process (consent, one relation step, submit), p50/p95 of the
  save and the submit requests (target submit p95 < 100 ms on SQLite).

This is sequential, not the 200-concurrent load test the issue also asks for
(not built yet). SQLite by default, in a temporary folder.
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


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 5:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from lisa.db import import_study, search_roster, session_factory
    from lisa.db.models import AccountRow, MembershipRow, PersonRow
    from lisa.synth import generate
    from lisa.web import WebSettings, create_app
    from lisa.web.security import new_token, token_hash

    folder = Path(tempfile.mkdtemp(prefix="lisa-web-bench-"))
    app = create_app(WebSettings(data_dir=folder, database_url=args.postgres, secure_cookies=False))
    sessions = session_factory(app.state.engine)
    started = time.perf_counter()
    study = generate(args.people, seed=11, name="Bench place")
    with sessions.begin() as s:
        row = import_study(s, study, "bench")
        account = AccountRow(email="b@b.org", password_hash="x", created_at=row.created_at)
        s.add(account)
        s.flush()
        s.add(MembershipRow(account_id=account.id, study_id=row.id, role="owner"))
    print(f"imported {args.people:,} people, {len(study.ties):,} ties in {time.perf_counter() - started:.1f} s")

    rng = random.Random(3)
    names = [n for n in study.names if n]
    search_ms: list[float] = []
    hits = 0
    with sessions() as s:
        for _ in range(300):
            wanted = rng.choice(names)
            t0 = time.perf_counter()
            found = search_roster(s, row.id, _typo(wanted, rng))
            search_ms.append((time.perf_counter() - t0) * 1000)
            hits += any(m.name == wanted for m in found)
    print(f"search   p50 {_pct(search_ms, 50):6.1f} ms   p95 {_pct(search_ms, 95):6.1f} ms   "
          f"(typo'd name found in the results: {hits}/300)")

    links = []
    with sessions.begin() as s:
        from lisa.db.models import InvitationRow
        from lisa.web.auth import now

        people = s.scalars(select(PersonRow).where(PersonRow.study_id == row.id).limit(args.respondents))
        for p in people:
            token = new_token()
            s.add(InvitationRow(study_id=row.id, person_id=p.id, token_hash=token_hash(token), created_at=now()))
            links.append(f"/s/{token}")
    save_ms: list[float] = []
    submit_ms: list[float] = []
    with TestClient(app) as client:
        for link in links:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(link).text).group(1)  # type: ignore[union-attr]
            client.post(f"{link}/consent", data={"csrf": csrf}, follow_redirects=False)
            picks = rng.sample(study.ids, 8)
            t0 = time.perf_counter()
            client.post(f"{link}/step/1", data={"csrf": csrf, "pick": picks}, follow_redirects=False)
            save_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            r = client.post(f"{link}/submit", data={"csrf": csrf})
            submit_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
    print(f"save     p50 {_pct(save_ms, 50):6.1f} ms   p95 {_pct(save_ms, 95):6.1f} ms")
    print(f"submit   p50 {_pct(submit_ms, 50):6.1f} ms   p95 {_pct(submit_ms, 95):6.1f} ms   "
          f"({len(links)} respondents, one after another)")


if __name__ == "__main__":
    main()
