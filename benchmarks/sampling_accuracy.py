"""How honest is sampled betweenness? Exact against sampled gatekeepers, per network.

    python benchmarks/sampling_accuracy.py [--sizes 5000,10000] [--sources 64,128,256]
                                           [--networks all|relations|combined]

For generated places of each size, every network (each relation, and all combined) gets
exact betweenness (igraph, Brandes) once and then the sampled estimate lisa makes
(:func:`lisa.network.centrality.betweenness`, the same seeded stream as ``lisa analyse``)
from each number of sources, with the role bootstrap (:func:`lisa.network.roles.
uncertain_gatekeepers`) and the gatekeeper rule (:func:`lisa.network.roles.assign_roles`),
all at the default settings. It prints, summed over the networks:

* ``exact`` — gatekeepers on betweenness in the exact run (not counting gatekeepers by
  articulation, which are exact in both runs);
* ``named`` — gatekeepers on betweenness the sampled run names, and ``wrong`` — how many of
  those the exact run does not call gatekeepers (the honesty the bootstrap is for);
* ``uncertain`` — called on the estimate but not confirmed by the bootstrap (not named);
* ``rho`` — the Spearman rank correlation of sampled with exact betweenness over the people
  with a tie (the median over the networks), and ``rho top`` over the exact top 10%.

Record the table in ``docs/method.md`` ("Sampled betweenness: how accurate").
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.stats import spearmanr

import lisa
from lisa.config import AnalysisConfig
from lisa.network import centrality, roles
from lisa.network.graph import Net, build_net
from lisa.randomness import rng_for


def _gatekeepers_on_betweenness(
    net: Net, btw: centrality.Betweenness, cut: np.ndarray, config: AnalysisConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(named gatekeepers on betweenness, uncertain) as boolean arrays."""
    uncertain = roles.uncertain_gatekeepers(
        btw, net.contacts, cut, config, rng_for(config.seed, "role-bootstrap", net.name)
    )
    named = roles.assign_roles(
        net.in_degree, net.contacts, btw.values, cut, np.zeros(net.n), config, uncertain
    )
    gate = np.array(["gatekeeper" in r for r in named]) & (cut < config.gatekeeper_min_cut)
    return gate, uncertain


def _networks(study: lisa.Study, which: str) -> list[Net]:
    nets = []
    if which in ("all", "relations"):
        for r in study.relations:
            src, tgt, _ = study.arcs(r.name)
            nets.append(build_net(r.name, study.n_people, src, tgt))
    if which in ("all", "combined"):
        src, tgt, _ = study.arcs(None)
        nets.append(build_net("combined", study.n_people, src, tgt))
    return nets


def study_place(people: int, sources: list[int], which: str) -> None:
    config = AnalysisConfig()
    study = lisa.generate(people, seed=1)
    rows: dict[int, list[float]] = {k: [0, 0, 0, 0] for k in sources}
    rhos: dict[int, list[float]] = {k: [] for k in sources}
    tops: dict[int, list[float]] = {k: [] for k in sources}
    t = time.process_time()
    for net in _networks(study, which):
        exact = centrality.betweenness(net, None, rng_for(config.seed, "betweenness", net.name))
        _, cut = centrality.articulation(net)
        exact_gate, _ = _gatekeepers_on_betweenness(net, exact, cut, config)
        active = net.contacts > 0
        top = active & (exact.values >= np.quantile(exact.values[active], 0.9))
        for k in sources:
            est = centrality.betweenness(net, k, rng_for(config.seed, "betweenness", net.name))
            named, uncertain = _gatekeepers_on_betweenness(net, est, cut, config)
            row = rows[k]
            row[0] += int(exact_gate.sum())
            row[1] += int(named.sum())
            row[2] += int((named & ~exact_gate).sum())
            row[3] += int(uncertain.sum())
            rhos[k].append(float(spearmanr(exact.values[active], est.values[active])[0]))
            tops[k].append(float(spearmanr(exact.values[top], est.values[top])[0]))
    for k in sources:
        ex, named, wrong, unc = rows[k]
        print(
            f"{people:>7,} people  {which:<9} {k:>4} sources: exact {int(ex):>6,}  "
            f"named {int(named):>6,}  wrong {int(wrong):>4}  uncertain {int(unc):>6,}  "
            f"rho {statistics.median(rhos[k]):.3f}  rho top {statistics.median(tops[k]):.3f}",
            flush=True,
        )
    print(f"{people:>7,} people  ({time.process_time() - t:.0f} s of CPU)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000")
    parser.add_argument("--sources", default="64,128,256")
    parser.add_argument("--networks", choices=["all", "relations", "combined"], default="all")
    args = parser.parse_args()
    for people in (int(s) for s in args.sizes.split(",")):
        study_place(people, [int(k) for k in args.sources.split(",")], args.networks)


if __name__ == "__main__":
    main()
