"""The compiled (numba) loops behind :mod:`lisa.scenarios.cascade` and :mod:`lisa.scenarios.celf`.

Imported on first use, so that importing lisa does not load the compiler.
Each function is one breadth-first walk per run (or per live-edge sample),
the runs spread over the cores with ``prange``; see the calling modules for
what the walks compute and why they are exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Each run has its own stream of uniform numbers (SplitMix64, Steele, Lea & Flood 2014),
# started from a number drawn from lisa's named stream, so a run's outcome does not depend
# on how runs are spread over threads.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always")  # type: ignore[misc]
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return state, float(z >> _S11) * _UNIT


@njit(inline="always")  # type: ignore[misc]
def _theta(state: np.uint64, kind: int, mean: float, sd: float) -> tuple[np.uint64, float]:
    """One threshold: 0 uniform on [0, 1); 1 normal(mean, sd) cut to [0, 1]."""
    state, u = _uniform(state)
    if kind == 0:
        return state, u
    state, w = _uniform(state)
    z = np.sqrt(-2.0 * np.log(1.0 - u)) * np.cos(2.0 * np.pi * w)
    return state, min(1.0, max(0.0, mean + sd * z))


@njit(inline="always")  # type: ignore[misc]
def _plant(seeds, when, queue, codes, out):  # type: ignore[no-untyped-def]
    """Step 0: the seeds hear; returns the queue's end."""
    end = 0
    for s in seeds:
        if s >= 0 and when[s] < 0:
            when[s] = 0
            queue[end] = s
            end += 1
            for j in range(codes.shape[1]):
                out[codes[s, j], 0] += 1
    return end


#: Runs are dealt out in this many chunks per thread; each chunk reuses one set of scratch
#: arrays, cleaned after each run only where that run wrote (a small cascade costs little).
CHUNKS_PER_THREAD = 4


@njit(inline="always")  # type: ignore[misc]
def _walk(cascade, indptr, heads, chance, seeds, steps, state, law, row, codes, out, when, queue, pressure, theta):  # type: ignore[no-untyped-def]
    """One run, breadth first: (how many heard, ``queue[:end]``; for the threshold model, how
    many were told and so have a threshold drawn, noted from the far end of ``queue``).

    ``cascade``: independent cascade, ``chance`` the arcs' probabilities; otherwise linear
    threshold, ``chance`` the arcs' influence weights and ``law`` how thresholds are drawn.
    """
    kind, mean, sd = int(law[0]), law[1], law[2]
    top = 0
    end = _plant(seeds, when, queue, codes, out)
    noted = 0
    while top < end:
        u = queue[top]
        top += 1
        t = when[u] + 1
        if t > steps:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            v = heads[a]
            if when[v] >= 0:  # already heard: this arc's coin or weight cannot matter
                continue
            if cascade:
                state, x = _uniform(state)
                hears = x < chance[a]
            else:
                if theta[v] < 0:  # drawn the first time anyone tells v: one draw per person
                    if kind == 2:
                        theta[v] = row[v]
                    else:
                        state, theta[v] = _theta(state, kind, mean, sd)
                    noted += 1
                    queue[queue.shape[0] - noted] = v
                pressure[v] += chance[a]
                hears = pressure[v] >= theta[v] - 1e-9  # 2 of 4 equal weights reach 0.5
            if hears:
                when[v] = t
                queue[end] = v
                end += 1
                for j in range(codes.shape[1]):
                    out[codes[v, j], t] += 1
    return end, noted


@njit(parallel=True, cache=True)  # type: ignore[misc]
def runs(cascade, indptr, heads, chance, seeds, steps, states, law, given, codes, counts, chunks):  # type: ignore[no-untyped-def]
    """A batch of runs of one model (see :func:`_walk`), dealt out in ``chunks``."""
    n = codes.shape[0]
    total = seeds.shape[0]
    for c in prange(chunks):
        when = np.full(n, -1, np.int32)
        queue = np.empty(2 * n, np.int32)
        pressure = np.zeros(n, np.float64)
        theta = np.full(n, -1.0)
        for b in range(c * total // chunks, (c + 1) * total // chunks):
            end, noted = _walk(
                cascade, indptr, heads, chance, seeds[b], steps, states[b], law,
                given[b % given.shape[0]], codes, counts[b], when, queue, pressure, theta,
            )
            for i in range(end):
                when[queue[i]] = -1
            for i in range(noted):
                v = queue[queue.shape[0] - 1 - i]
                pressure[v] = 0.0
                theta[v] = -1.0


@njit(inline="always")  # type: ignore[misc]
def _ball(indptr, heads, dist, steps, v, depth, queue, relax):  # type: ignore[no-untyped-def]
    """People within ``steps`` of ``v`` who are further than that from the chosen seeds.

    ``dist`` holds each person's distance from the chosen seeds (``steps + 1``:
    not within the horizon). A person at least as close to the seeds as to ``v``
    is not expanded: nobody beyond them can be newly reached through them. With
    ``relax`` the distances are lowered to include ``v`` among the seeds.
    """
    if dist[v] == 0:
        return 0
    gained = 0
    depth[v] = 0
    queue[0] = v
    top, end = 0, 1
    while top < end:
        u = queue[top]
        top += 1
        d = depth[u]
        if dist[u] > steps:
            gained += 1
        if relax:
            dist[u] = d
        if d == steps:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            w = heads[a]
            if depth[w] < 0 and d + 1 < dist[w]:
                depth[w] = d + 1
                queue[end] = w
                end += 1
    for i in range(end):  # leave the scratch row clean for the next search
        depth[queue[i]] = -1
    return gained


@njit(parallel=True, cache=True)  # type: ignore[misc]
def gains(indptr, heads, dist, steps, candidates):  # type: ignore[no-untyped-def]
    """Mean over samples of the people each candidate would add.

    Sample by sample (one small live graph stays in cache while every
    candidate is searched on it), the samples spread over the cores.
    """
    samples, n = dist.shape
    added = np.zeros((samples, candidates.shape[0]), np.int64)
    for s in prange(samples):
        depth = np.full(n, -1, np.int64)
        queue = np.empty(n, np.int64)
        for c in range(candidates.shape[0]):
            added[s, c] = _ball(indptr[s], heads, dist[s], steps, candidates[c], depth, queue, False)
    out = np.zeros(candidates.shape[0], np.float64)
    for c in range(candidates.shape[0]):
        out[c] = added[:, c].sum() / samples
    return out


@njit(parallel=True, cache=True)  # type: ignore[misc]
def choose(indptr, heads, dist, steps, v):  # type: ignore[no-untyped-def]
    samples, n = dist.shape
    for s in prange(samples):
        depth = np.full(n, -1, np.int64)
        queue = np.empty(n, np.int64)
        _ball(indptr[s], heads, dist[s], steps, v, depth, queue, True)
