"""Monte Carlo kernels: many independent-cascade or linear-threshold runs at once.

Both models move in discrete steps from a seed set (step 0):

Independent cascade (Goldenberg, Libai & Muller 2001; Kempe, Kleinberg & Tardos 2003)
    A person who first heard at step ``t`` gets one chance to pass the idea
    to each of their flow contacts ``v``, succeeding with the arc's
    probability; ``v`` hears at step ``t + 1`` if any chance succeeds.
Linear threshold (Granovetter 1978; Valente 1996; Kempe et al. 2003)
    Each person has a threshold ``θ`` from 0 to 1 and listens to their
    incoming contacts with weights that sum to 1. They hear at step ``t + 1``
    once the weight of their contacts who have heard by step ``t`` reaches
    ``θ`` (and at least one has: a threshold of 0 means "the first contact who
    tells me").

A batch of ``B`` runs is simulated by compiled kernels (numba), the runs
spread over the machine's cores: each run is a breadth-first walk over the
compressed rows of :class:`~lisa.scenarios.flow.FlowGraph`, level by level,
so a person's step is the step the model gives them. Nothing is
approximated: in the cascade an arc's coin is drawn at most once, when its
sender is first told, exactly as the model flips it (a coin towards someone
who has already heard is not drawn, as it cannot change anything); in the
threshold model each person's threshold is drawn once per run, the first
time anyone tells them. The result of a batch is each (run, person)'s step
of hearing (``-1``: never). Work and memory are bounded: a batch holds at
most :data:`BATCH_CELLS` cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lisa.scenarios.flow import FlowGraph

Model = Literal["independent-cascade", "linear-threshold"]

#: At most this many (run, person) cells in one batch (bounded memory: ~10 bytes a cell).
BATCH_CELLS = 4_000_000



def batch_size(n: int, runs: int) -> int:
    """How many runs go in one batch for ``n`` people."""
    return max(1, min(runs, BATCH_CELLS // max(n, 1)))


def _seed_matrix(seeds: np.ndarray) -> np.ndarray:
    seeds = np.asarray(seeds, np.int64)
    return seeds if seeds.ndim == 2 else seeds.reshape(1, -1)


#: How linear-threshold thresholds are drawn (the kernels' codes).
THRESHOLD_CODES = {"uniform": 0, "normal": 1, "given": 2}


@dataclass(frozen=True)
class Law:
    """How a run spreads: the model and, for linear threshold, how thresholds are drawn.

    ``kind`` is ``uniform`` (θ ~ U[0, 1), Kempe et al. 2003), ``normal``
    (θ ~ N(mean, sd) cut to [0, 1], after Valente 1996) or ``given``
    (``given`` holds θ: one row per run, or one row for every run).
    """

    model: Model = "independent-cascade"
    kind: str = "uniform"
    mean: float = 0.5
    sd: float = 0.2
    given: np.ndarray | None = None


def heard_counts(
    g: FlowGraph,
    seeds: np.ndarray,
    steps: int,
    rng: np.random.Generator,
    codes: np.ndarray,
    groups: int,
    law: Law | None = None,
) -> np.ndarray:
    """Run a batch and count, per run, group and step, the people who first heard then.

    Parameters
    ----------
    g
        The flow graph.
    seeds
        B × k people who know at step 0 (``-1`` pads a shorter set).
    steps
        The horizon: at most this many steps after the seeds.
    rng
        The stream each run's own random numbers are started from.
    codes
        n × m group numbers (0 … ``groups`` - 1): each person counts once in
        each of their ``m`` groups (e.g. everyone, their layer, sector and
        organisation).
    groups
        How many group numbers there are.
    law
        The model (independent cascade by default).

    Returns
    -------
    numpy.ndarray
        B × groups × (steps + 1) int32 counts of first hearing (not cumulative).

    Examples
    --------
    >>> from lisa.scenarios.flow import FlowGraph
    >>> g = FlowGraph.from_arcs(3, np.array([0, 1]), np.array([1, 2]), np.ones(2), np.ones(2))
    >>> heard_counts(g, np.array([[0]]), 5, np.random.default_rng(0),
    ...              np.zeros((3, 1), np.int32), 1)[0, 0].tolist()
    [1, 1, 1, 0, 0, 0]
    """
    import numba

    from lisa.scenarios import _kernels  # compiled on first use: importing lisa stays quick

    law = law or Law()
    seeds = _seed_matrix(seeds)
    counts = np.zeros((seeds.shape[0], groups, steps + 1), np.int32)
    states = rng.integers(0, 2**63, size=seeds.shape[0], dtype=np.uint64)
    codes = np.ascontiguousarray(codes, np.int32)
    chunks = max(1, min(seeds.shape[0], _kernels.CHUNKS_PER_THREAD * numba.get_num_threads()))
    cascade = law.model == "independent-cascade"
    given = np.zeros((1, 1)) if law.given is None else np.atleast_2d(law.given)
    spec = np.array([THRESHOLD_CODES[law.kind], law.mean, law.sd], np.float64)
    _kernels.runs(
        cascade, g.indptr, g.heads, g.prob if cascade else g.influence, seeds, steps, states,
        spec, np.ascontiguousarray(given, np.float64), codes, counts, chunks,
    )
    return counts


def hearing_steps(
    g: FlowGraph,
    seeds: np.ndarray,
    steps: int,
    rng: np.random.Generator,
    law: Law | None = None,
) -> np.ndarray:
    """Each (run, person)'s step of first hearing (B × n, -1 for never); for small graphs.

    >>> from lisa.scenarios.flow import FlowGraph
    >>> g = FlowGraph.from_arcs(3, np.array([0, 1]), np.array([1, 2]), np.ones(2), np.ones(2))
    >>> hearing_steps(g, np.array([[0]]), 5, np.random.default_rng(0)).tolist()
    [[0, 1, 2]]
    """
    codes = np.arange(g.n, dtype=np.int32)[:, None]
    counts = heard_counts(g, seeds, steps, rng, codes, g.n, law)
    heard = counts.any(axis=2)
    return np.where(heard, counts.argmax(axis=2), -1)


def draw_thresholds(law: Law, runs: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``runs`` × ``n`` thresholds drawn by ``law`` (uniform or cut normal), for fixed draws."""
    if law.kind == "normal":
        return np.clip(rng.normal(law.mean, law.sd, (runs, n)), 0.0, 1.0)
    return rng.random((runs, n))
