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

Two exact ways to the same counts, chosen by cost (:func:`brokerage`):

* **enumerate** — every open two-path, with vectorised NumPy in chunks of
  brokers (CSR in- and out-neighbour lists, a Cartesian product per broker,
  a sorted-key membership test for the closing arc). Its cost is the number
  of two-paths, Σ in-degree × out-degree: right for large sparse networks.
* **count** — for small dense networks (the organisations of a large place:
  a few thousand nodes, every one tied to hundreds) the two-paths run to
  hundreds of millions, but they need not be listed. Per broker, all
  two-paths by group pattern follow from in- and out-neighbour counts per
  group; from them are taken the paths back to the start (a = c, the
  reciprocated ties) and the closed ones (a → c too), counted per arc
  a → v as the common out-neighbours of a and v (sparse ``A Aᵀ``, restricted
  to the arcs, with only c of a's or of v's group).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from lisa.network.graph import Net, group_index

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
CHUNK_PATHS = 1_000_000


def _two_paths(
    net: Net, among: range | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (a, v, c) arrays of open two-paths, in chunks (brokers ``v`` in ``among``: all)."""
    a_csr = net.adjacency  # row = tail
    in_csc = sp.csc_matrix(a_csr)  # column v holds in-neighbours of v
    out_ptr, out_idx = a_csr.indptr.astype(np.int64), a_csr.indices
    in_ptr, in_idx = in_csc.indptr.astype(np.int64), in_csc.indices
    indeg = np.diff(in_ptr)
    outdeg = np.diff(out_ptr)
    paths = indeg * outdeg
    brokers = np.flatnonzero(paths)
    if among is not None:
        brokers = brokers[(brokers >= among.start) & (brokers < among.stop)]
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


#: The counting route forms its sparse products this many entries (rows × people) at a
#: time, which bounds its memory.
COUNT_BLOCK = 4_000_000


def _dense(net: Net) -> bool:
    """More two-paths than people²: counting them costs less than listing them."""
    paths = int(net.in_degree @ net.out_degree) if net.m else 0
    return paths > net.n * net.n


def brokerage(
    net: Net, groupings: Mapping[str, Sequence[str]], among: range | None = None
) -> dict[str, np.ndarray]:
    """For each grouping, an n×5 array of role counts (columns in :data:`ROLES`).

    The same counts by either route (module docs): by counting for a network with
    more two-paths than people² (small and dense), else by enumerating them.
    ``among``: only these brokers' counts (the others' rows are zero), one of the
    :func:`broker_parts` of a sparse network; their sum is the whole.
    """
    codes = {name: group_index(values)[1] for name, values in groupings.items()}
    if _dense(net):
        assert among is None, "a dense network is counted whole"
        return {name: _counted(net, g) for name, g in codes.items()}
    return _enumerated(net, codes, among)


def broker_parts(net: Net, part_paths: int) -> list[range]:
    """Ranges of people, each brokering about ``part_paths`` two-paths, that split the
    brokerage of a large sparse network (and its other per-person work) into pieces.

    One range for a network with at most ``part_paths`` two-paths, or a dense one
    (counted, not listed). The ranges depend on the network alone, never on how many
    workers compute them; each person's counts come from one range, so the pieces
    add up to exactly :func:`brokerage` of the whole.

    >>> from lisa.network.graph import build_net
    >>> net = build_net("x", 6, np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 4, 5]))
    >>> broker_parts(net, 10)
    [range(0, 6)]
    >>> broker_parts(net, 2)
    [range(0, 3), range(3, 6)]
    """
    if net.m == 0 or _dense(net):
        return [range(net.n)]
    per_person = net.in_degree * net.out_degree
    total = int(per_person.sum())
    count = max(1, -(-total // max(part_paths, 1)))
    if count == 1:
        return [range(net.n)]
    cum = np.cumsum(per_person)
    cuts = np.searchsorted(cum, [total * i / count for i in range(1, count)], side="left")
    bounds = sorted({0, *(int(c) + 1 for c in cuts if 0 <= c < net.n - 1), net.n})
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


def _enumerated(
    net: Net, codes: Mapping[str, np.ndarray], among: range | None = None
) -> dict[str, np.ndarray]:
    """Role counts per grouping by listing every open two-path (of brokers ``among``)."""
    n = net.n
    out = {name: np.zeros((n, len(ROLES)), np.int64) for name in codes}
    for a, v, c in _two_paths(net, among):
        v5 = v * len(ROLES)
        for name, g in codes.items():
            ga, gv, gc = g[a], g[v], g[c]
            pattern = (ga == gv).view(np.uint8) * 4
            pattern += (gv == gc).view(np.uint8) * 2
            pattern += (ga == gc).view(np.uint8)
            role = _ROLE_OF_PATTERN[pattern]
            out[name] += np.bincount(v5 + role, minlength=n * len(ROLES)).reshape(n, len(ROLES))
    return out


def _counted(net: Net, g: np.ndarray) -> np.ndarray:
    """Role counts for one grouping (codes ``g``) without listing the two-paths."""
    n = net.n
    out = np.zeros((n, len(ROLES)), np.int64)
    if net.m == 0:
        return out
    adj = net.adjacency.astype(np.int64)
    member = sp.csr_matrix(
        (np.ones(n, np.int64), (np.arange(n), g)), shape=(n, int(g.max()) + 1)
    )
    ins, outs = (adj.T @ member).tocsr(), (adj @ member).tocsr()
    i_all, o_all = net.in_degree, net.out_degree
    own = np.arange(n), g
    i_own = np.asarray(ins[own]).ravel()
    o_own = np.asarray(outs[own]).ravel()
    same_group = np.asarray(ins.multiply(outs).sum(axis=1)).ravel()  # ga = gc
    # every two-path a -> v -> c (a = c and closed ones included), by pattern
    out[:, 0] = i_own * o_own
    out[:, 1] = same_group - i_own * o_own
    out[:, 2] = i_own * (o_all - o_own)
    out[:, 3] = (i_all - i_own) * o_own
    out[:, 4] = i_all * o_all - out[:, :4].sum(axis=1)
    # a = c: the people v is tied to both ways (same group as v: coordinator, else itinerant)
    back = net.has_arcs(net.tgt, net.src)
    v_back, a_back = net.src[back], net.tgt[back]
    mine = g[a_back] == g[v_back]
    out[:, 0] -= np.bincount(v_back[mine], minlength=n)
    out[:, 1] -= np.bincount(v_back[~mine], minlength=n)
    _take_closed(net, adj, g, out)
    return out


def _take_closed(net: Net, adj: sp.csr_matrix, g: np.ndarray, out: np.ndarray) -> None:
    """Subtract from ``out`` the closed two-paths (a -> v -> c with a -> c), by pattern."""
    n = net.n
    a, v = adj.nonzero()  # one arc a -> v, for each common out-neighbour c of a and v
    keep = g[a] == g[v]
    within = sp.csr_matrix((np.ones(int(keep.sum()), np.int64), (a[keep], v[keep])), (n, n))
    common, like_a, like_v = (np.zeros(a.shape[0], np.int64) for _ in range(3))
    step = max(1, COUNT_BLOCK // max(n, 1))
    for start in range(0, n, step):  # rows of a at a time: the products stay small
        rows = slice(start, min(n, start + step))
        arcs = slice(adj.indptr[rows.start], adj.indptr[rows.stop])
        at = a[arcs] - start, v[arcs]
        common[arcs] = np.asarray((adj[rows] @ adj.T).tocsr()[at]).ravel()
        like_a[arcs] = np.asarray((within[rows] @ adj.T).tocsr()[at]).ravel()  # c in a's group
        like_v[arcs] = np.asarray((adj[rows] @ within.T).tocsr()[at]).ravel()  # c in v's group
    same = g[a] == g[v]
    for role, counts, mask in (
        (0, like_a, same),
        (2, common - like_a, same),
        (1, like_a, ~same),
        (3, like_v, ~same),
        (4, common - like_a - like_v, ~same),
    ):
        out[:, role] -= np.bincount(v[mask], counts[mask], minlength=n).astype(np.int64)


#: The role (index into :data:`ROLES`) of each pattern ``4·[a=v] + 2·[v=c] + [a=c]``; the
#: patterns with exactly two equalities cannot happen (equality is transitive).
_ROLE_OF_PATTERN = np.array([4, 1, 3, -1, 2, -1, -1, 0], np.int64)
