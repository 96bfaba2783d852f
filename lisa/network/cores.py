"""Core–periphery structure and the consistency of cores across networks.

Each network's core is fitted with Borgatti & Everett's (1999) discrete
core–periphery model: the ideal pattern has every core pair tied and no
periphery pair tied (core–periphery pairs are not scored). Candidate cores
are the nested k-cores of the undirected network (Seidman 1983) — people
with coreness at least k, for every k present — and the one whose pattern
correlates best with the observed ties is kept, provided it has at least
``core_min_size`` people. Scoring all candidates takes one pass over the
edges, so it is exact and fast at any size.

Across relations, the *stable core* is everyone in the core of at least
``stable_core_share`` of the networks; the overlap of two cores is their
Jaccard index. ``by_group`` compares each group's share of all core places
with its share of the people (``representation`` = 1 means as expected,
0 means absent) — the basis of the ``excluded-group`` finding.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from lisa.network.graph import Net, group_index
from lisa.network.results import CoreConsistency, CoreOverlap, GroupRepresentation


def fit_core(net: Net, coreness: np.ndarray, min_size: int) -> tuple[np.ndarray, float | None]:
    """(boolean core membership, Pearson fit) of the best nested k-core."""
    n = net.n
    core = np.zeros(n, bool)
    if n < 2 or net.m == 0:
        return core, None
    s = net.symmetric.tocoo()
    upper = s.row < s.col
    lo = np.minimum(coreness[s.row[upper]], coreness[s.col[upper]])
    hi = np.maximum(coreness[s.row[upper]], coreness[s.col[upper]])
    edges_total = lo.shape[0]
    ks = np.unique(coreness[coreness > 0])
    lo_sorted, hi_sorted = np.sort(lo), np.sort(hi)
    cs_sorted = np.sort(coreness)
    best_k, best_r = None, -math.inf
    for k in ks.tolist():
        c = n - int(np.searchsorted(cs_sorted, k, side="left"))
        if c < min_size or c >= n:
            continue
        p = n - c
        n1, n0 = c * (c - 1) / 2, p * (p - 1) / 2
        e1 = edges_total - int(np.searchsorted(lo_sorted, k, side="left"))
        e0 = int(np.searchsorted(hi_sorted, k, side="left"))
        total = n1 + n0
        if total <= 0:
            continue
        my, mx = n1 / total, (e1 + e0) / total
        vy, vx = my * (1 - my), mx * (1 - mx)
        if vy <= 0 or vx <= 0:
            continue
        r = (e1 / total - my * mx) / math.sqrt(vx * vy)
        if r > best_r + 1e-12:
            best_k, best_r = k, r
    if best_k is None:
        return core, None
    return coreness >= best_k, float(best_r)


def _representation(
    values: Sequence[str], counts: np.ndarray, n: int, total_places: int
) -> dict[str, GroupRepresentation]:
    # each group's people and core places in one pass (a large place has thousands of
    # organisations: one comparison of everyone per group would be groups × people)
    groups, which = group_index(values)
    members_of = np.bincount(which, minlength=len(groups))
    places_of = np.bincount(which, weights=counts, minlength=len(groups))
    block: dict[str, GroupRepresentation] = {}
    for i, group in enumerate(groups.tolist()):
        people = int(members_of[i])
        places = int(places_of[i])
        share_people = people / n if n else 0.0
        share_core = places / total_places if total_places else 0.0
        block[group] = GroupRepresentation(
            people=people,
            core_places=places,
            share_of_people=share_people,
            share_of_core=share_core,
            representation=share_core / share_people if share_people else 0.0,
        )
    return block


def _composition(values: Sequence[str], members: np.ndarray) -> dict[str, int]:
    """Members per group, largest first (ties by name); a blank group is '(none)'."""
    found = Counter(str(values[int(i)]) or "(none)" for i in members)
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def consistency(
    ids: Sequence[str],
    cores: dict[str, np.ndarray],
    groupings: Mapping[str, Sequence[str]],
    stable_share: float,
) -> tuple[CoreConsistency, np.ndarray]:
    """The core consistency block, and each person's number of relation cores."""
    n = len(ids)
    names = list(cores)
    counts = np.zeros(n, np.int64)
    for member in cores.values():
        counts += member
    needed = max(1, math.ceil(stable_share * len(names) - 1e-9)) if names else 1
    stable = np.flatnonzero(counts >= needed) if names else np.zeros(0, np.int64)
    overlap = []
    for a, b in combinations(names, 2):
        inter = int(np.sum(cores[a] & cores[b]))
        union = int(np.sum(cores[a] | cores[b]))
        overlap.append(CoreOverlap(a=a, b=b, jaccard=inter / union if union else 0.0))
    total_places = int(counts.sum())
    block = CoreConsistency(
        cores={name: [ids[int(i)] for i in np.flatnonzero(m)] for name, m in cores.items()},
        stable_core=[ids[int(i)] for i in stable],
        stable_core_min_networks=needed,
        stable_core_by={g: _composition(v, stable) for g, v in groupings.items()},
        overlap=overlap,
        mean_overlap=float(np.mean([o.jaccard for o in overlap])) if overlap else 0.0,
        by_group={
            g: _representation(v, counts, n, total_places) for g, v in groupings.items()
        },
    )
    return block, counts
