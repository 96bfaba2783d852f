"""Tie changes between two waves: kept, gained, lost, never; Jaccard, Hamming and QAP.

Both waves are compared on the same people — those present in both (the
stayers) — so a tie counts as lost only when both its people are still there.
Ties are 0/1 cells: weights are not compared. A directed relation has
``m(m-1)`` ordered cells, a mutual one ``m(m-1)/2`` unordered pairs.

QAP (Krackhardt 1987; Hubert's quadratic assignment) correlates the two
waves' cell values and judges the correlation against the same statistic
after relabelling the later wave's people at random (rows and columns
permuted together), which keeps each wave's structure and breaks only the
link between the waves. Because the tie counts do not change under
relabelling, only the number of kept cells does, so each permutation costs
one sorted lookup of the later wave's relabelled ties among the earlier
wave's.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lisa.change.results import Qap, TieChange


def cell_keys(src: np.ndarray, tgt: np.ndarray, m: int, directed: bool) -> np.ndarray:
    """Sorted unique cell keys of arcs among ``m`` people (``s * m + t``; ``s < t`` if mutual)."""
    src, tgt = src.astype(np.int64), tgt.astype(np.int64)
    keep = src != tgt
    src, tgt = src[keep], tgt[keep]
    if not directed:
        src, tgt = np.minimum(src, tgt), np.maximum(src, tgt)
    return np.unique(src * m + tgt)


def pair_count(m: int, directed: bool) -> int:
    """Cells compared among ``m`` people."""
    return m * (m - 1) if directed else m * (m - 1) // 2


def correlation(kept: int, a: int, b: int, cells: int) -> float | None:
    """Pearson correlation of two 0/1 vectors of ``cells`` entries with ``a`` and ``b`` ones.

    ``kept`` entries are one in both. None when either vector is constant.

    Examples
    --------
    >>> correlation(2, 2, 2, 4)
    1.0
    >>> round(correlation(1, 2, 2, 6), 4)
    0.25
    """
    var = a * (cells - a) * b * (cells - b)
    if cells == 0 or var == 0:
        return None
    return (cells * kept - a * b) / math.sqrt(var)


def _intersect(sorted_keys: np.ndarray, keys: np.ndarray) -> int:
    """How many of ``keys`` (distinct) are in ``sorted_keys``."""
    if sorted_keys.size == 0 or keys.size == 0:
        return 0
    pos = np.searchsorted(sorted_keys, keys)
    pos[pos == sorted_keys.size] = 0
    return int((sorted_keys[pos] == keys).sum())


#: The largest bitmap of cells (bytes) QAP uses for its lookups; above it, a sorted search.
BITMAP_BYTES = 128 * 2**20


def _counter(before: np.ndarray, m: int) -> Callable[[np.ndarray], int]:
    """A function counting how many of a set of distinct cell keys are in ``before``.

    A bitmap of all ``m²`` cells while it fits in :data:`BITMAP_BYTES` (one
    lookup per key, about three times faster than the sorted search it
    falls back to).
    """
    size = (m * m + 7) // 8
    if size > BITMAP_BYTES or before.size == 0:
        return lambda keys: _intersect(before, keys)
    bits = np.zeros(size, np.uint8)
    np.bitwise_or.at(bits, before >> 3, (1 << (before & 7)).astype(np.uint8))
    return lambda keys: int(((bits[keys >> 3] >> (keys & 7)) & 1).sum())


def qap_null(
    before: np.ndarray,
    after: np.ndarray,
    m: int,
    directed: bool,
    permutations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The correlations of ``permutations`` random relabellings of the later wave.

    One batch of QAP's null distribution, drawn from ``rng``; 0 stands for a
    correlation that is undefined.
    """
    cells = pair_count(m, directed)
    a, b = int(before.size), int(after.size)
    src, tgt = after // m, after % m
    count = _counter(before, m)
    null = np.empty(permutations)
    for k in range(permutations):
        perm = rng.permutation(m).astype(np.int64)
        s, t = perm[src], perm[tgt]
        if not directed:
            s, t = np.minimum(s, t), np.maximum(s, t)
        null[k] = correlation(count(s * m + t), a, b, cells) or 0.0
    return null


def observed_correlation(before: np.ndarray, after: np.ndarray, m: int, directed: bool) -> float | None:
    """The two waves' correlation (None where undefined: an empty or a full wave)."""
    return correlation(_intersect(before, after), int(before.size), int(after.size), pair_count(m, directed))


def qap_result(observed: float | None, null: np.ndarray) -> Qap:
    """QAP's p-value and null mean and spread from the observed correlation and its null."""
    permutations = int(null.size)
    if observed is None or permutations == 0:
        return Qap(correlation=observed, p_value=None, permutations=0, null_mean=None, null_sd=None)
    at_least = int((null >= observed - 1e-12).sum())
    return Qap(
        correlation=observed,
        p_value=(1 + at_least) / (1 + permutations),
        permutations=permutations,
        null_mean=float(null.mean()),
        null_sd=float(null.std(ddof=1)) if permutations > 1 else 0.0,
    )


def qap(
    before: np.ndarray,
    after: np.ndarray,
    m: int,
    directed: bool,
    permutations: int,
    rng: np.random.Generator,
) -> Qap:
    """QAP correlation of two waves' cells (keys from :func:`cell_keys`), all from one stream.

    :func:`lisa.change.compare_waves` draws the permutations in batches
    (:func:`qap_null`), each from its own stream, and combines them with
    :func:`qap_result`; this is the same test from one stream.

    Parameters
    ----------
    before, after
        Sorted unique cell keys of the two waves among the same ``m`` people.
    m
        Number of people.
    directed
        Whether cells are ordered pairs.
    permutations
        How many random relabellings of the later wave to draw.
    rng
        The seeded stream to draw them from (:func:`lisa.randomness.rng_for`).

    Returns
    -------
    Qap
        The observed correlation, the one-sided permutation p-value and the
        null distribution's mean and standard deviation.
    """
    observed = observed_correlation(before, after, m, directed)
    if observed is None or permutations == 0:
        return qap_result(observed, np.zeros(0))
    return qap_result(observed, qap_null(before, after, m, directed, permutations, rng))


def tie_change(
    label: str,
    before: np.ndarray,
    after: np.ndarray,
    m: int,
    directed: bool,
    *,
    jaccard_min: float,
    null: np.ndarray,
) -> TieChange:
    """Count the tie changes of one network between two waves (keys from :func:`cell_keys`).

    ``null`` holds QAP's permutation correlations (:func:`qap_null`; empty: no test).

    Examples
    --------
    >>> import numpy as np
    >>> one = cell_keys(np.array([0, 1]), np.array([1, 2]), 3, True)
    >>> two = cell_keys(np.array([0, 2]), np.array([1, 0]), 3, True)
    >>> c = tie_change("t", one, two, 3, True, jaccard_min=0.3, null=np.zeros(0))
    >>> c.kept, c.gained, c.lost, c.never, c.hamming
    (1, 1, 1, 3, 2)
    """
    kept = _intersect(before, after)
    gained, lost = int(after.size) - kept, int(before.size) - kept
    pairs = pair_count(m, directed)
    union = kept + gained + lost
    jaccard = kept / union if union else None
    return TieChange(
        label=label,
        directed=directed,
        pairs=pairs,
        kept=kept,
        gained=gained,
        lost=lost,
        never=pairs - union,
        jaccard=jaccard,
        hamming=gained + lost,
        more_lost_than_kept=lost > kept,
        low_jaccard=jaccard is not None and jaccard < jaccard_min,
        qap=qap_result(observed_correlation(before, after, m, directed), null),
    )
