"""Gould–Fernandez brokerage roles (Gould & Fernandez 1989).

A person ``v`` brokers when ``a → v → c`` and ``a`` has no direct tie to
``c`` (``a ≠ c``). Each such open two-path is classed by the groups of the
three people:

=================  ====================  ===========================================
role               groups                meaning
=================  ====================  ===========================================
coordinator        a = v = c             brokers inside their own group
itinerant          a = c ≠ v             an outsider linking two members of a group
                                         (Gould & Fernandez's "consultant")
representative     a = v ≠ c             carries their group's message out
gatekeeper         a ≠ v = c             lets outside messages into their group
liaison            a, v, c all differ    links groups they do not belong to
=================  ====================  ===========================================

All open two-paths are enumerated with vectorised NumPy in chunks of
brokers (CSR in- and out-neighbour lists, a Cartesian product per broker,
a sorted-key membership test for the closing arc), so the count is exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from lisa.network.graph import Net

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
CHUNK_PATHS = 1_000_000


def _two_paths(net: Net) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (a, v, c) arrays of open two-paths, in chunks."""
    a_csr = net.adjacency  # row = tail
    in_csc = sp.csc_matrix(a_csr)  # column v holds in-neighbours of v
    out_ptr, out_idx = a_csr.indptr.astype(np.int64), a_csr.indices
    in_ptr, in_idx = in_csc.indptr.astype(np.int64), in_csc.indices
    indeg = np.diff(in_ptr)
    outdeg = np.diff(out_ptr)
    paths = indeg * outdeg
    brokers = np.flatnonzero(paths)
    if brokers.size == 0:
        return
    cum = np.cumsum(paths[brokers])
    start = 0
    while start < brokers.size:
        base = cum[start - 1] if start else 0
        stop = int(np.searchsorted(cum, base + CHUNK_PATHS, side="right"))
        stop = max(stop, start + 1)
        vs = brokers[start:stop]
        p = paths[vs]
        total = int(p.sum())
        v_rep = np.repeat(vs, p)
        first = np.repeat(np.cumsum(p) - p, p)
        k = np.arange(total, dtype=np.int64) - first
        od = outdeg[v_rep]
        a = in_idx[in_ptr[v_rep] + k // od]
        c = out_idx[out_ptr[v_rep] + k % od]
        keep = a != c
        a, v_rep, c = a[keep], v_rep[keep], c[keep]
        keep = ~net.has_arcs(a, c)
        yield a[keep], v_rep[keep], c[keep]
        start = stop


def brokerage(net: Net, groupings: Mapping[str, Sequence[str]]) -> dict[str, np.ndarray]:
    """For each grouping, an n×5 array of role counts (columns in :data:`ROLES`)."""
    n = net.n
    codes: dict[str, np.ndarray] = {}
    for name, values in groupings.items():
        _, inv = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
        codes[name] = inv.astype(np.int64)
    out = {name: np.zeros((n, len(ROLES)), np.int64) for name in groupings}
    for a, v, c in _two_paths(net):
        v5 = v * len(ROLES)
        for name, g in codes.items():
            ga, gv, gc = g[a], g[v], g[c]
            pattern = (ga == gv).view(np.uint8) * 4
            pattern += (gv == gc).view(np.uint8) * 2
            pattern += (ga == gc).view(np.uint8)
            role = _ROLE_OF_PATTERN[pattern]
            out[name] += np.bincount(v5 + role, minlength=n * len(ROLES)).reshape(n, len(ROLES))
    return out


#: The role (index into :data:`ROLES`) of each pattern ``4·[a=v] + 2·[v=c] + [a=c]``; the
#: patterns with exactly two equalities cannot happen (equality is transitive).
_ROLE_OF_PATTERN = np.array([4, 1, 3, -1, 2, -1, -1, 0], np.int64)
