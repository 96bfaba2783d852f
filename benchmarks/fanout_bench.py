"""Fan-out of the Monte Carlo batches: ``lisa simulate`` sequential, local processes, Dask.

    python benchmarks/fanout_bench.py [--quick] [--people N] [--runs R] [--workers 2]

One :func:`lisa.scenarios.simulate` of a generated place (default 5,000
people; independent cascade, p = 0.05, 10 steps, 3 seed strategies:
random, greedy and chosen, reach broken down by layer, sector and
organisation) is run three ways through :mod:`lisa.execution`, the batches
(:data:`lisa.scenarios.diffusion.RUNS_PER_BATCH` runs each) fanned out:

1. sequentially, in this process (the compiled kernels on all cores);
2. on local worker processes (``--workers``, default 2; each worker's
   kernels on its share of the cores);
3. on a 2-worker Dask ``LocalCluster`` on 127.0.0.1 (worker processes, one
   Dask thread each; its start-up is timed apart).

Each way runs twice and the faster is kept (the first run of a worker pays
the kernels' loading). It prints the wall times, the speed-ups over the
sequential run and whether the three results are identical. ``--quick`` is a
smoke run (1,000 people, 1,000 runs). Results are recorded by hand in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import machine  # noqa: E402  (the benchmarks' one description of the machine)

from lisa.scenarios import Diffusion, DiffusionConfig, simulate  # noqa: E402
from lisa.study import Study  # noqa: E402
from lisa.synth import generate  # noqa: E402


def best_of_two(study: Study, cfg: DiffusionConfig, **where: object) -> tuple[float, Diffusion]:
    times, result = [], None
    for _ in range(2):
        started = time.perf_counter()
        result = simulate(study, cfg, **where)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    assert result is not None
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people, 1,000 runs")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    people, runs = (1000, 1000) if args.quick else (args.people, args.runs)

    from distributed import LocalCluster

    print(f"machine: {machine()}")
    study = generate(people, seed=1)
    cfg = DiffusionConfig(
        runs=runs, steps=10, k=5, p=0.05, strategies=("random", "greedy", "chosen"),
        people=tuple(study.ids[:5]), greedy_runs=50, seed=1,
    )  # fmt: skip
    simulate(study, cfg.model_copy(update={"runs": 10}), workers=1)  # compile the kernels once
    print(f"{people:,} people, {runs:,} runs × {len(cfg.strategies)} strategies")
    seq_s, seq = best_of_two(study, cfg, workers=1)
    loc_s, loc = best_of_two(study, cfg, workers=args.workers)
    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=50) as cluster:  # fmt: skip
        start_s = time.perf_counter() - started
        dask_s, dask = best_of_two(study, cfg, scheduler=cluster.scheduler_address)
    same = seq.model_dump() == loc.model_dump() == dask.model_dump()
    print(f"\n{'run':<36}{'wall s':>9}{'speed-up':>10}")
    for label, seconds in (
        ("sequential (this process)", seq_s),
        (f"local processes ({args.workers} workers)", loc_s),
        ("Dask LocalCluster (2 workers)", dask_s),
    ):
        print(f"{label:<36}{seconds:>9.2f}{seq_s / seconds:>9.2f}x")
    print(f"Dask cluster start-up: {start_s:.1f} s (not in the Dask wall time)")
    print(f"identical results on all three: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
