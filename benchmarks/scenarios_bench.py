"""Benchmark of the scenarios: best new ties and the core's between-group reach.

    python benchmarks/scenarios_bench.py [--people N ...] [--seed S]

For each place size (default 2,000 and 5,000 people, generated ``appendix-c``):

1. the analysis (``lisa.analyse``), which best-ties needs for the stable core;
2. ``best_ties`` for k = 5 with each objective, without the what-if's second
   analysis (``compare=False``): candidate pairs built, and the time;
3. the stable-core scenario's between-group reach and brokerage share on
   their own (``lisa.network.resilience.between_reach`` for sector and layer,
   with its three random draws each): what issue 11 added to every analysis.

Prints one line per measure; times are wall-clock seconds, best of one run (the
machine is shared: say the load when recording).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main() -> None:
    from lisa import ConfigError, analyse, generate
    from lisa.network.graph import build_net
    from lisa.network.resilience import SAMPLE_ABOVE, SAMPLE_SIZE, between_reach, group_codes
    from lisa.randomness import rng_for
    from lisa.scenarios import best_ties

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for n in args.people:
        study = generate(n, seed=args.seed)
        t = time.perf_counter()
        result = analyse(study)
        print(f"{n:>6} people  analyse                      {time.perf_counter() - t:6.1f} s", flush=True)
        for objective in ("connected-difference", "core-risk"):
            t = time.perf_counter()
            try:
                b = best_ties(study, 5, objective, before=result, compare=False)  # type: ignore[arg-type]
            except ConfigError as exc:
                print(f"{n:>6} people  best-ties k=5 {objective:<20} refused: {exc}", flush=True)
                continue
            print(
                f"{n:>6} people  best-ties k=5 {objective:<20} {time.perf_counter() - t:6.1f} s "
                f"({b.candidates:,} candidates, {b.objective_before:.4f} → {b.objective_after:.4f})",
                flush=True,
            )
        src, tgt, _ = study.arcs(None)
        net = build_net("combined", n, src, tgt)
        core = np.flatnonzero(np.isin(np.asarray(study.ids, dtype=object),
                                      result.core_consistency.stable_core))  # fmt: skip
        rng = rng_for(0, "resilience", "probe")
        probe = np.sort(rng.choice(n, SAMPLE_SIZE, replace=False)) if n > SAMPLE_ABOVE else np.arange(n)
        t = time.perf_counter()
        groups = {g: group_codes(study.group_values(g)) for g in ("sector", "layer")}
        between_reach(net, core, probe, groups, rng_for(0, "between"))
        print(f"{n:>6} people  core between-group reach    {time.perf_counter() - t:6.1f} s")


if __name__ == "__main__":
    main()
