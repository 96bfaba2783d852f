"""One place, fast: the figures issue 13 asks for, side by side in one run.

    python benchmarks/scale.py [--quick] [--only ratio|big|cliff]

1. ratio — whole-process ``lisa analyse DIR --json FILE`` on a generated
           2,000-person place against the bare python-igraph pipeline of just
           betweenness and closeness (``benchmarks/bare_igraph.py``), both as
           fresh processes, alternated, median of three (target ≤ 1.2×; lisa
           must stay exact there: the script exits 1 unless lisa says it is
           exact and every person's betweenness in every network equals
           igraph's within 1e-12).
2. big   — whole-process ``lisa analyse --json`` on a generated 100,000-person
           place: wall time and peak memory (targets < 90 s, < 4 GB), and the
           size of the JSON and of the Parquet per-person table.
3. cliff — ``lisa.analyse`` in this process on places from 1,500 to 4,000
           people: time per place must not fall as the place grows (no step
           where a slightly larger place is much quicker).

Record the figures by hand in benchmarks/README.md with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS GiB) of a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 2**20


def _generate(folder: Path, people: int, seed: int = 1) -> None:
    subprocess.run(
        [str(BIN / "lisa"), "generate", str(folder), "--people", str(people), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ratio(tmp: Path, people: int, repeats: int) -> None:
    place = tmp / f"place-{people}"
    _generate(place, people)
    lisa_cmd = [str(BIN / "lisa"), "analyse", str(place), "--json", str(tmp / "a.json"), "-q"]
    bare_cmd = [sys.executable, str(HERE / "bare_igraph.py"), str(place), str(tmp / "b.json")]
    lisa_t, bare_t = [], []
    for _ in range(repeats):
        (tmp / "a.json").unlink(missing_ok=True)
        lisa_t.append(_run(lisa_cmd)[0])
        bare_t.append(_run(bare_cmd)[0])
    exact, worst = _agreement(tmp / "a.json", tmp / "b.json")
    lm, bm = statistics.median(lisa_t), statistics.median(bare_t)
    print(f"ratio  {people} people: lisa analyse {lm:.2f} s, bare igraph {bm:.2f} s, "
          f"ratio {lm / bm:.2f}x (target <= 1.2x), exact={exact}, "
          f"largest betweenness difference from igraph {worst:.1e}")
    print(f"ratio  runs: lisa {', '.join(f'{t:.2f}' for t in lisa_t)} s; "
          f"bare {', '.join(f'{t:.2f}' for t in bare_t)} s; load average {_load()}")
    if not exact or worst > 1e-12:
        sys.exit("lisa was not exact at this size, or its betweenness differs from igraph's")


def _agreement(lisa_json: Path, bare_json: Path) -> tuple[bool, float]:
    """(lisa's exact flag, the largest |lisa - igraph| betweenness over every network and person)."""
    doc = json.loads(lisa_json.read_text())
    bare = json.loads(bare_json.read_text())
    nets = {**doc["relations"], "combined": doc["combined"]}
    worst = max(
        abs(person["betweenness"] - bare[name][pid]["betweenness"])
        for name, net in nets.items()
        for pid, person in net["people"].items()
    )
    return bool(doc["computation"]["exact"]), worst


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def big(tmp: Path, people: int) -> None:
    place = tmp / f"place-{people}"
    _generate(place, people)
    out = tmp / "big.json"
    table = tmp / "big.parquet"
    cmd = [str(BIN / "lisa"), "analyse", str(place), "--json", str(out),
           "--table", str(table), "-q"]
    load = _load()
    wall, peak = _cmd_peak(cmd)
    print(f"big    {people} people: {wall:.1f} s, peak {peak:.2f} GiB (targets < 90 s, < 4 GB); "
          f"JSON {out.stat().st_size / 2**20:.0f} MiB, Parquet {table.stat().st_size / 2**20:.0f} "
          f"MiB; load average at the start {load}")


def _cmd_peak(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the peak RSS of the process and its workers (GNU time when present)."""
    timer = Path("/usr/bin/time")
    if not timer.exists():
        return _run(cmd)
    t = time.perf_counter()
    done = subprocess.run([str(timer), "-v", *cmd], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak_kb = max(
        int(line.split(":")[1]) for line in done.stderr.splitlines()
        if "Maximum resident set size" in line
    )
    return wall, peak_kb / 2**20


def cliff(sizes: list[int]) -> None:
    import lisa

    times = []
    for n in sizes:
        study = lisa.generate(n, seed=1)
        t = time.perf_counter()
        result = lisa.analyse(study)
        times.append(time.perf_counter() - t)
        print(f"cliff  {n} people: {times[-1]:.1f} s (exact={result.computation.exact})")
    drops = [
        f"{sizes[i]}->{sizes[i + 1]}" for i in range(len(sizes) - 1) if times[i + 1] < 0.8 * times[i]
    ]
    print("cliff  no step down" if not drops else f"cliff  quicker when larger: {drops}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller places, one repeat")
    parser.add_argument("--only", choices=["ratio", "big", "cliff"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.only in (None, "ratio"):
            ratio(tmp, 500 if args.quick else 2000, 1 if args.quick else 3)
        if args.only in (None, "big"):
            big(tmp, 10_000 if args.quick else 100_000)
        if args.only in (None, "cliff"):
            cliff([600, 800] if args.quick else [1500, 2000, 2500, 3000, 4000])


if __name__ == "__main__":
    main()
