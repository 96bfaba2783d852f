"""Many places: the execution layer on 50 generated places of 300 to 5,000 people (issue 13).

    python benchmarks/many_places.py [--quick] [--places N] [--workers 2]

Each place is a study folder written beforehand; the work per place is what
``lisa compare`` does (load the study, analyse it, read its indicators), run
three ways through :func:`lisa.execution.run_many`:

1. sequentially, in this process;
2. on local worker processes (``--workers``, default 2);
3. on a 2-worker Dask ``LocalCluster`` on 127.0.0.1 (worker processes, one
   thread each, no dashboard); the cluster's start-up is timed apart.

It prints the wall time of each, the speed-ups over the sequential run, the
peak memory (maximum resident set) of every worker process, and whether the
three runs gave identical indicators. ``--quick`` runs 6 places of 300 to 800
people (a smoke run). Sizes come from their own seeded stream
(``rng_for(seed, "benchmark", "sizes")``), each place from its own seed.
Results are recorded by hand in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import machine  # noqa: E402  (the benchmarks' one description of the machine)

from lisa.compare.indicators import PlaceIndicators  # noqa: E402
from lisa.config import AnalysisConfig  # noqa: E402
from lisa.execution import Outcome, run_many  # noqa: E402
from lisa.randomness import rng_for  # noqa: E402


def measured(path: Path) -> tuple[PlaceIndicators, int, int]:
    """One place's indicators, with the worker's pid and peak resident memory (bytes)."""
    from lisa.compare.run import Source, study_indicators

    place = study_indicators(Source("study", path), AnalysisConfig())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB
    return place, os.getpid(), peak


def build_places(root: Path, count: int, low: int, high: int, seed: int) -> list[Path]:
    from lisa.io import write_study
    from lisa.synth import generate

    sizes = sorted(int(x) for x in rng_for(seed, "benchmark", "sizes").integers(low, high + 1, count))
    sizes[0], sizes[-1] = low, high  # the range's ends are always in
    paths = []
    for k, n in enumerate(sizes):
        preset = "open" if k % 2 else "appendix-c"
        study = generate(n, seed=seed + k, preset=preset, name=f"Place {k + 1:02d}")  # type: ignore[arg-type]
        paths.append(Path(write_study(study, root / f"place{k + 1:02d}")))
    return paths


def timed(label: str, paths: list[Path], **where: object) -> tuple[float, Outcome]:  # type: ignore[type-arg]
    started = time.perf_counter()
    out = run_many(measured, paths, progress=False, description=label, **where)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    if out.failures:
        raise SystemExit(f"{label}: {len(out.failures)} places failed: {out.failures[0]}")
    return seconds, out


def peaks(out: Outcome) -> list[float]:  # type: ignore[type-arg]
    """Peak memory of each worker process (GB), largest first."""
    by_pid: dict[int, int] = defaultdict(int)
    for _, pid, peak in out.completed:
        by_pid[pid] = max(by_pid[pid], peak)
    return sorted((v / 1e9 for v in by_pid.values()), reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 places of 300 to 800 people")
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    count, low, high = (6, 300, 800) if args.quick else (args.places, 300, 5000)

    from distributed import LocalCluster

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="lisa-many-") as tmp:
        started = time.perf_counter()
        paths = build_places(Path(tmp), count, low, high, args.seed)
        print(f"{count} places of {low:,} to {high:,} people written in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        seq_s, seq = timed("sequential", paths, workers=1)
        loc_s, loc = timed("processes", paths, workers=args.workers)
        started = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", silence_logs=50) as cluster:  # fmt: skip
            start_s = time.perf_counter() - started
            dask_s, dask = timed("dask", paths, scheduler=cluster.scheduler_address)
    same = [p.model_dump() for p, _, _ in seq.completed] == [
        p.model_dump() for p, _, _ in loc.completed
    ] == [p.model_dump() for p, _, _ in dask.completed]
    print(f"\n{'run':<34}{'wall s':>9}{'speed-up':>10}  peak memory per worker (GB)")
    for label, seconds, out in (
        ("sequential (this process)", seq_s, seq),
        (f"local processes ({args.workers} workers)", loc_s, loc),
        ("Dask LocalCluster (2 workers)", dask_s, dask),
    ):
        memory = ", ".join(f"{g:.2f}" for g in peaks(out))
        print(f"{label:<34}{seconds:>9.1f}{seq_s / seconds:>9.2f}x  {memory}")
    print(f"Dask cluster start-up: {start_s:.1f} s (not in the Dask wall time)")
    print(f"identical indicators on all three: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
