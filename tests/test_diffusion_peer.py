"""lisa's diffusion Monte Carlo agrees with an independent implementation (CyNetDiff).

On small random graphs, for both models, the mean number of people who
eventually hear from the same seeds must agree within the two estimates'
joint confidence interval; the comparison runs through lisa's own flow graph,
so the arcs, chances and weights CyNetDiff gets are the ones lisa uses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

cynetdiff = pytest.importorskip("cynetdiff.models")

from lisa.scenarios.cascade import Law, hearing_steps  # noqa: E402
from lisa.scenarios.flow import FlowGraph  # noqa: E402

RUNS = 20_000


def random_graph(n: int, density: float, seed: int) -> FlowGraph:
    rng = np.random.default_rng(seed)
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b and rng.random() < density]
    tails, heads = (np.array(x) for x in zip(*pairs, strict=True))
    prob = rng.uniform(0.05, 0.6, len(pairs))
    strength = rng.uniform(0.5, 3.0, len(pairs))
    return FlowGraph.from_arcs(n, tails, heads, prob, strength)


def peer_reach(g: FlowGraph, seeds: list[int], model: str) -> np.ndarray:
    starts, edges = g.indptr[:-1].astype(np.uint32), g.heads.astype(np.uint32)
    if model == "independent-cascade":
        m = cynetdiff.IndependentCascadeModel(
            starts, edges, activation_probs=g.prob.astype(np.float32), rng=11
        )
    else:
        m = cynetdiff.LinearThresholdModel(
            starts, edges, influence=g.influence.astype(np.float32), rng=11
        )
    out = np.empty(RUNS)
    for r in range(RUNS):
        m.reset_model()
        m.set_seeds(seeds)
        m.advance_until_completion()
        out[r] = m.get_num_activated_nodes()
    return out


def agree(a: np.ndarray, b: np.ndarray) -> tuple[bool, str]:
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) <= 4.0 * se, f"{a.mean():.3f} vs {b.mean():.3f} (se {se:.3f})"


@pytest.mark.parametrize("model", ["independent-cascade", "linear-threshold"])
@pytest.mark.parametrize(("n", "density", "seed"), [(15, 0.2, 1), (30, 0.1, 2), (40, 0.06, 3)])
def test_mean_reach_agrees_with_cynetdiff(model: str, n: int, density: float, seed: int) -> None:
    g = random_graph(n, density, seed)
    seeds = [0, n // 2]
    ours = hearing_steps(
        g, np.tile(seeds, (RUNS, 1)), n, np.random.default_rng(seed), Law(model)  # type: ignore[arg-type]
    )
    ok, detail = agree((ours >= 0).sum(axis=1).astype(float), peer_reach(g, seeds, model))
    assert ok, detail
