"""Greedy influence maximisation with lazy evaluation (CELF, Leskovec et al. 2007).

The greedy algorithm picks ``k`` seeds one at a time, each time the person who
adds most to the expected number of people who eventually hear. For the
independent cascade, and for the linear threshold model with uniform random
thresholds, that expected number is a monotone submodular function of the
seed set (Kempe, Kleinberg & Tardos 2003), so the greedy set reaches at least
``1 − 1/e`` (about 63%) of the best possible set's expected reach — for the
objective it is evaluated on (Kempe et al. 2003 for the final reach; the
argument holds step by step, so also for the reach within a horizon). Here
that objective is the average over ``runs`` live-edge samples drawn once (common random numbers), itself a
coverage function, so lazy evaluation (a gain can only shrink as the set
grows) is exact and the bound holds for the sample average; its gap to the
true expectation shrinks as ``runs`` grows. No guarantee is claimed for the
linear threshold model with normal, fixed or given thresholds: there the
function need not be submodular and the same lazy greedy is only a heuristic
(evaluated by simulation on fixed threshold draws, within the horizon).

The objective is the expected number of people who have heard within the
horizon (``steps``), the same number the strategies are compared on. In a
live-edge sample that is the number within ``steps`` live arcs of a seed: a
coverage function. Each sample's live arcs are kept as their own compressed
rows (a small share of all arcs), every person's first-round value is one
bounded breadth-first search per sample, and a later search stops at anyone
already as close to the chosen seeds.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lisa.scenarios.cascade import Law, draw_thresholds, heard_counts
from lisa.scenarios.flow import FlowGraph

#: The greedy's guarantee, in words, where it holds.
GUARANTEE = (
    "the expected reach of the greedy set is at least 1 − 1/e (about 63%) of the best possible "
    "set of the same size (Kempe, Kleinberg & Tardos 2003), for the average over the sampled "
    "runs; CELF's lazy evaluation gives the same set faster (Leskovec et al. 2007)"
)
NO_GUARANTEE = (
    "with these thresholds the expected reach need not be submodular: the greedy set is a "
    "heuristic, with no guarantee"
)


@dataclass
class Greedy:
    """The greedy seed set, in the order chosen, with what each added."""

    seeds: list[int]
    gains: list[float]  # expected people added by each seed (in the sampled runs)
    evaluations: int  # marginal gains computed (the first round counts n)
    submodular: bool
    notes: list[str] = field(default_factory=list)


def live_edges(g: FlowGraph, law: Law, samples: int, rng: np.random.Generator) -> np.ndarray:
    """``samples`` live-edge graphs as a samples × arcs boolean array.

    Independent cascade: each arc is live with its probability. Linear
    threshold with uniform thresholds: each person keeps at most one incoming
    arc, ``u → v`` with probability equal to its weight (Kempe et al. 2003:
    the same distribution of who has heard, step by step).
    """
    if law.model == "independent-cascade":
        return rng.random((samples, g.arcs)) < g.prob[None, :]
    order = np.argsort(g.heads, kind="stable")
    heads, weights = g.heads[order], g.influence[order]
    cum = np.cumsum(weights)
    first = np.searchsorted(heads, np.arange(g.n))
    base = np.concatenate([[0.0], cum])[first][heads]
    upper = cum - base
    lower = upper - weights  # the arc's slice of [0, 1)
    u = rng.random((samples, g.n))[:, heads]
    live = np.empty((samples, g.arcs), bool)
    live[:, order] = (u >= lower[None, :]) & (u < upper[None, :])
    return live


def _live_rows(g: FlowGraph, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's live arcs as compressed rows: (samples × (n + 1) row starts, heads)."""
    samples = live.shape[0]
    indptr = np.zeros((samples, g.n + 1), np.int64)
    heads = []
    offset = 0
    for s in range(samples):
        keep = np.flatnonzero(live[s])
        indptr[s, 1:] = offset + np.cumsum(np.bincount(g.tails[keep], minlength=g.n))
        indptr[s, 0] = offset
        heads.append(g.heads[keep])
        offset += keep.shape[0]
    return indptr, np.concatenate(heads).astype(np.int32) if heads else np.zeros(0, np.int32)


def _lazy(
    first: np.ndarray, k: int, gain: Callable[[int], float], add: Callable[[int], None]
) -> tuple[list[int], list[float], int]:
    """CELF's lazy greedy over a gain oracle; ties go to the lower roster position."""
    heap = [(-float(first[v]), v, 0) for v in range(first.shape[0])]
    heapq.heapify(heap)
    seeds: list[int] = []
    gains: list[float] = []
    evaluations = first.shape[0]
    while heap and len(seeds) < k:
        value, v, fresh = heapq.heappop(heap)
        if fresh == len(seeds):
            seeds.append(v)
            gains.append(-value)
            add(v)
            continue
        evaluations += 1
        heapq.heappush(heap, (-gain(v), v, len(seeds)))
    return seeds, gains, evaluations


def celf_live_edge(
    g: FlowGraph, law: Law, k: int, samples: int, steps: int, rng: np.random.Generator
) -> Greedy:
    """CELF on live-edge samples (independent cascade; linear threshold, uniform θ).

    The objective is the expected number of people who have heard within
    ``steps`` steps: in each live-edge sample, the people within ``steps`` arcs
    of a seed — a coverage function, so submodular.
    """
    from lisa.scenarios._kernels import choose, gains

    live = live_edges(g, law, samples, rng)
    indptr, heads = _live_rows(g, live)
    del live
    dist = np.full((samples, g.n), steps + 1, np.int64)
    first = gains(indptr, heads, dist, steps, np.arange(g.n, dtype=np.int64))

    def gain(v: int) -> float:
        return float(gains(indptr, heads, dist, steps, np.array([v], np.int64))[0])

    def add(v: int) -> None:
        choose(indptr, heads, dist, steps, v)

    seeds, added, evaluations = _lazy(first, min(k, g.n), gain, add)
    return Greedy(seeds, added, evaluations, True, [GUARANTEE])


def greedy_simulated(
    g: FlowGraph, law: Law, k: int, samples: int, steps: int, rng: np.random.Generator
) -> Greedy:
    """Lazy greedy by simulation on fixed threshold draws (no guarantee: not submodular)."""
    if law.given is not None:
        theta = np.broadcast_to(np.atleast_2d(law.given), (samples, g.n)).copy()
    else:
        theta = draw_thresholds(law, samples, g.n, rng)
    fixed = Law(law.model, "given", given=theta)
    everyone = np.zeros((g.n, 1), np.int32)
    chosen: list[int] = []

    def reach(candidates: np.ndarray) -> np.ndarray:
        pad = np.array(chosen, np.int64)
        rows = np.repeat(candidates, samples)
        seeds = rows[:, None]
        if pad.size:
            seeds = np.column_stack([np.tile(pad, (rows.shape[0], 1)), rows])
        counts = heard_counts(g, seeds, steps, np.random.default_rng(0), everyone, 1, fixed)
        return counts.sum(axis=(1, 2)).reshape(candidates.shape[0], samples).mean(axis=1)

    base = [0.0]  # the expected reach of the seeds chosen so far
    first = reach(np.arange(g.n))

    def gain(v: int) -> float:
        return float(reach(np.array([v]))[0]) - base[0]

    def add(v: int) -> None:
        base[0] = float(reach(np.array([v]))[0])
        chosen.append(v)

    seeds, gains, evaluations = _lazy(first, min(k, g.n), gain, add)
    return Greedy(seeds, gains, evaluations, False, [NO_GUARANTEE])
