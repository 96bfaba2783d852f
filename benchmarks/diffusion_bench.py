"""Diffusion benchmark (issue 11): independent-cascade runs per second, and CELF time.

    python benchmarks/diffusion_bench.py [--quick]

1. cascade — independent cascade from one random seed person per run on the
   combined network of a generated 20,000-person place, tie chance p, side by
   side in this one process: lisa's compiled Monte Carlo (all cores, and one
   thread), a plain Python breadth-first implementation, and CyNetDiff
   (compiled, one run per call). Every implementation gets the same flow arcs,
   chances and seed people; the mean reach is printed beside each rate as a
   check that they simulate the same thing. lisa's full ``simulate`` (reach
   broken down by layer, sector and organisation, percentiles) is timed too.
2. celf — the greedy (CELF) set of 10 seeds on a generated 2,000-person place
   (independent cascade, p = 0.1, 100 sampled runs, 10 steps); target < 60 s.

Compilation (numba, cached on disk after the first run) is done before the
clocks start and reported on its own. Results are recorded by hand in
benchmarks/README.md with the machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import machine  # noqa: E402

import lisa  # noqa: E402
from lisa.scenarios import DiffusionConfig, simulate  # noqa: E402
from lisa.scenarios.cascade import Law, heard_counts  # noqa: E402
from lisa.scenarios.celf import celf_live_edge  # noqa: E402
from lisa.scenarios.flow import FlowGraph, flow_graph  # noqa: E402

#: Steps lisa simulates (cascades here end long before; the check below makes sure).
HORIZON = 64


def python_bfs(g: FlowGraph, seeds: np.ndarray, rng: random.Random) -> list[int]:
    """A plain Python independent cascade: one breadth-first pass per run."""
    indptr, heads, prob = g.indptr.tolist(), g.heads.tolist(), g.prob.tolist()
    out = []
    for s in seeds.tolist():
        heard = {s}
        front = [s]
        while front:
            nxt = []
            for u in front:
                for a in range(indptr[u], indptr[u + 1]):
                    v = heads[a]
                    if v not in heard and rng.random() < prob[a]:
                        heard.add(v)
                        nxt.append(v)
            front = nxt
        out.append(len(heard))
    return out


def cynetdiff_runs(g: FlowGraph, seeds: np.ndarray) -> list[int]:
    from cynetdiff.models import IndependentCascadeModel

    model = IndependentCascadeModel(
        g.indptr[:-1].astype(np.uint32),
        g.heads.astype(np.uint32),
        activation_probs=g.prob.astype(np.float32),
        rng=1,
    )
    out = []
    for s in seeds.tolist():
        model.reset_model()
        model.set_seeds([s])
        model.advance_until_completion()
        out.append(model.get_num_activated_nodes())
    return out


def timed(label: str, runs: int, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    reach = fn()
    seconds = time.perf_counter() - started
    print(
        f"  {label:<34} {runs:>7,} runs {seconds:8.2f} s  {runs / seconds:>10,.0f} runs/s  "
        f"mean reach {np.mean(reach):8.1f}",
        flush=True,
    )
    return runs / seconds


def bench_cascade(people: int, runs: int, python_runs: int, p: float) -> None:
    study = lisa.generate(people, seed=1)
    g = flow_graph(study, p=p)
    print(f"\ncascade: {people:,} people, {g.arcs:,} flow arcs, p = {p}", flush=True)
    rng = np.random.default_rng(0)
    seeds = rng.integers(0, g.n, runs)
    everyone = np.zeros((g.n, 1), np.int32)
    started = time.perf_counter()
    heard_counts(g, seeds[:2, None], 1, rng, everyone, 1)
    print(f"  compile (first call)               {time.perf_counter() - started:.2f} s")

    def ours() -> np.ndarray:
        counts = heard_counts(g, seeds[:, None], HORIZON, np.random.default_rng(1), everyone, 1)
        assert not counts[:, 0, -1].any()  # no cascade reached the horizon: the same as to completion
        return counts.sum(axis=(1, 2))

    cores = numba.get_num_threads()
    lisa_rate = timed(f"lisa ({cores} threads)", runs, ours)
    numba.set_num_threads(1)
    timed("lisa (1 thread)", runs, ours)
    numba.set_num_threads(cores)
    peer = timed("CyNetDiff", runs, lambda: cynetdiff_runs(g, seeds))
    timed("plain Python BFS", python_runs, lambda: python_bfs(g, seeds[:python_runs], random.Random(1)))
    print(f"  lisa / CyNetDiff: {lisa_rate / peer:.2f}×")
    cfg = DiffusionConfig(runs=1000, k=1, strategies=("random",), p=p, steps=30)
    started = time.perf_counter()
    simulate(study, cfg)
    seconds = time.perf_counter() - started
    print(
        f"  lisa simulate (1,000 runs, k=1, 30 steps, reach by layer, sector and "
        f"organisation with bands): {seconds:.2f} s = {1000 / seconds:,.0f} runs/s"
    )


def bench_celf(people: int, k: int) -> None:
    study = lisa.generate(people, seed=1)
    g = flow_graph(study, p=0.1)
    print(f"\ncelf: {people:,} people, {g.arcs:,} flow arcs, p = 0.1, k = {k}, 100 sampled runs")
    small = flow_graph(lisa.generate(60, seed=1), p=0.1)
    started = time.perf_counter()
    celf_live_edge(small, Law(), 2, 2, 3, np.random.default_rng(0))
    print(f"  compile (first call)  {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    chosen = celf_live_edge(g, Law(), k, 100, 10, np.random.default_rng(0))
    seconds = time.perf_counter() - started
    print(
        f"  CELF {seconds:.2f} s (target < 60 s); {chosen.evaluations:,} marginal gains "
        f"computed (plain greedy: {people * k:,}); expected reach of the set "
        f"{sum(chosen.gains):,.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller places, fewer runs")
    args = parser.parse_args()
    print(machine())
    if args.quick:
        bench_cascade(2_000, 500, 50, 0.05)
        bench_celf(500, 5)
        return
    for p in (0.01, 0.05):
        bench_cascade(20_000, 100_000 if p < 0.02 else 5_000, 200, p)
    bench_celf(2_000, 10)


if __name__ == "__main__":
    main()
