"""Intermediaries (issue 14): what finding them adds to an analysis.

Times :func:`lisa.network.intermediaries.find_intermediaries` alone, on the
inputs the engine hands it (the combined network and its Gould–Fernandez
counts, computed once beforehand), for generated places of several sizes,
with an ``outside`` roster column marking 0.5 % of the people; best of 3. The
organisation roll-up and its brokerage are part of the time.

Usage: ``.venv/bin/python benchmarks/intermediaries_bench.py [--people 2000 20000]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import lisa
from lisa.config import AnalysisConfig
from lisa.network import brokerage as gf
from lisa.network.graph import build_net
from lisa.network.intermediaries import find_intermediaries
from lisa.network.response import response_summary


def bench(n_people: int, repeats: int = 3) -> dict[str, float]:
    study = lisa.generate(n_people, seed=1)
    outside = np.random.default_rng(0).random(study.n_people) < 0.005
    study.attributes["outside"] = ["yes" if o else "" for o in outside]
    config = AnalysisConfig()
    src, tgt, _ = study.arcs(None)
    net = build_net("combined", study.n_people, src, tgt)
    brk = gf.brokerage(net, {g: study.group_values(g) for g in config.groupings})
    resp = response_summary(study, config, 0)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        inter = find_intermediaries(study, net, brk, [], resp, config)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    find_intermediaries(study, net, brk, [], resp, config)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "people": n_people,
        "arcs": net.m,
        "seconds": best,
        "peak_mib": peak / 2**20,
        "placed": inter.count,
        "organisations": len(inter.organisations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2_000, 20_000])
    for n in parser.parse_args().people:
        r = bench(n)
        print(
            f"{r['people']:>7,} people, {r['arcs']:>9,} arcs: {r['seconds']:.2f} s, "
            f"peak {r['peak_mib']:.0f} MiB traced; {r['placed']} placed, "
            f"{r['organisations']} organisations"
        )


if __name__ == "__main__":
    main()
