"""p50 / p95 of each part of the respondents' requests' time, from ``sitecustomize.py``'s JSON lines.

    python benchmarks/web_timing/summary.py /tmp/timing.jsonl
"""

from __future__ import annotations

import json
import statistics
import sys

PARTS = ["total", "queue", "to_thread", "in_thread", "db", "back"]


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main(path: str) -> None:
    with open(path) as lines:
        rows = [json.loads(line) for line in lines]
    print(f"{'kind':<8} {'n':>4} " + " ".join(f"{p + ' p50/p95 ms':>20}" for p in PARTS) + "  psycopg waits  hops")
    for kind in ("page", "consent", "save", "search", "submit"):
        got = [r for r in rows if r["kind"] == kind]
        if not got:
            continue
        cells = [f"{_pct([r[p] * 1000 for r in got], 50):8.1f}/{_pct([r[p] * 1000 for r in got], 95):7.1f}"
                 for p in PARTS]
        print(f"{kind:<8} {len(got):>4} " + " ".join(f"{c:>20}" for c in cells)
              + f"  {statistics.mean(r['rt'] for r in got):13.1f} {statistics.mean(r['hops'] for r in got):5.1f}")


if __name__ == "__main__":
    main(sys.argv[1])
