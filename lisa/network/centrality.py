"""Per-person position metrics of one network.

Definitions (see ``docs/method.md`` for the literature):

* **betweenness** — Freeman (1977) betweenness on the directed graph,
  normalised as networkx does for directed graphs: divided by (n−1)(n−2).
  Computed exactly with Brandes' algorithm (igraph), or estimated from ``k``
  random source people and scaled by n/k (Brandes & Pich 2007), which is
  unbiased. Which, and ``k``, is decided **once per place**, on its combined
  network (:func:`sources_for`): exact while its people × arcs is at most
  ``exact_limit``; above that every network of the place (each relation and
  the combined one) searches from the ``k`` sources the same budget buys on
  the combined network (``exact_limit / arcs``), never fewer than
  ``samples``. The whole place's cost then grows smoothly: a slightly
  larger place never takes much less time than a smaller, exact one, and a
  relation is never exact in a place whose other networks are sampled. The
  sources are drawn in :data:`SOURCE_BATCHES` equal batches whose estimates
  are kept, so the role rules can be bootstrapped over them
  (:mod:`lisa.network.roles`).
* **closeness** — how near everyone else is *to* a person (incoming
  distances, the networkx convention for directed graphs), with the
  Wasserman–Faust correction for unreachable people:
  ``(r/(n−1)) · (r / Σ d(u,v))`` where ``r`` people can reach ``v``.
  0 for someone nobody can reach. Estimated, like betweenness, above
  ``exact_limit``: from a quarter of betweenness's ``k`` sources (at least
  64), as an average distance needs fewer sources than a count of paths.
* **coreness** — the k-core number (Seidman 1983) of the undirected version.
* **reach2** — share of the others within two steps, direction ignored: the
  pulsetaker's "ear to the ground".
* **articulation / cut_off** — an articulation point of the undirected
  version, and how many people would be cut off from the largest remaining
  part of their component if they left (from the block–cut tree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lisa.network.graph import Net, igraph_from_arrays

#: Fewest sampled sources for estimated closeness (see :func:`closeness`).
CLOSENESS_MIN_SAMPLES = 64
#: Estimated betweenness is the mean of this many batch estimates (each from an
#: equal share of the sampled sources), kept for the role bootstrap.
SOURCE_BATCHES = 16


def sources_for(place: Net, exact_limit: int, samples: int) -> int | None:
    """How many sampled sources estimate betweenness in every network of a place; None: exact.

    ``place`` is the place's combined network (all relations together: its
    largest). Exact while its people × arcs is at most ``exact_limit``. Above
    it, as many sources as the same budget buys on it (``exact_limit // arcs``),
    never fewer than ``samples`` nor more than the people. Each network of the
    place then costs sources × its arcs, so the place's cost is continuous in
    its size: at the limit the sources are the people (exact), and there is no
    step where a larger place suddenly becomes cheaper. The decision is made
    once for the whole place, so every network of it is exact, or none is.

    >>> from lisa.network.graph import build_net
    >>> import numpy as np
    >>> net = build_net("x", 5000, np.arange(4999), np.arange(1, 5000))
    >>> sources_for(net, 200_000_000, 1024) is None
    True
    >>> sources_for(net, 10_000_000, 1024)
    2000
    >>> sources_for(net, 1_000_000, 1024)
    1024
    """
    if place.work <= exact_limit:
        return None
    k = max(samples, exact_limit // max(place.m, 1))
    return None if k >= place.n else int(k)


@dataclass(frozen=True)
class Betweenness:
    """Betweenness of one network: the values, and the batch estimates when sampled."""

    values: np.ndarray
    #: SOURCE_BATCHES × n batch estimates; None when exact. ``values`` is their
    #: mean weighted by ``sizes``, the number of sources in each batch.
    batches: np.ndarray | None = None
    sizes: np.ndarray | None = None


def betweenness(net: Net, sources: int | None, rng: np.random.Generator) -> Betweenness:
    """Exact (``sources`` None) or estimated betweenness, normalised as networkx does."""
    n = net.n
    if n < 3 or net.m == 0:
        return Betweenness(np.zeros(n))
    g = net.graph
    scale = 1.0 / ((n - 1) * (n - 2))
    if sources is None or sources >= n:
        return Betweenness(np.asarray(g.betweenness(directed=True), float) * scale)
    drawn = rng.choice(n, size=sources, replace=False)
    batches = np.array_split(drawn, min(SOURCE_BATCHES, sources))
    est = np.empty((len(batches), n))
    for row, batch in zip(est, batches, strict=True):
        raw = np.asarray(g.betweenness(directed=True, sources=batch.tolist()), float)
        row[:] = raw * (n / batch.size) * scale
    sizes = np.array([b.size for b in batches], np.int64)
    return Betweenness((sizes / sources) @ est, est, sizes)


def source_parts(net: Net, part_work: int) -> list[range]:
    """The fixed source ranges exact betweenness and closeness are split into.

    Brandes' betweenness is a sum over source people, so the share counted
    from a range of sources (:func:`partial_betweenness`) can be computed
    apart, anywhere, and the shares added up. A network of at most
    ``part_work`` people × arcs is one part; a larger one is cut into equal
    ranges of about ``part_work`` each. The parts depend on the network alone,
    never on how many workers compute them, so the sum is the same number
    whoever adds it.

    >>> from lisa.network.graph import build_net
    >>> net = build_net("x", 10, np.arange(9), np.arange(1, 10))
    >>> source_parts(net, 1000)
    [range(0, 10)]
    >>> source_parts(net, 30)
    [range(0, 4), range(4, 7), range(7, 10)]
    """
    count = min(net.n, max(1, -(-net.work // max(part_work, 1))))
    size, extra = divmod(net.n, count)
    bounds = [0]
    for i in range(count):
        bounds.append(bounds[-1] + size + (i < extra))
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


def partial_betweenness(net: Net, sources: range) -> np.ndarray:
    """Unnormalised betweenness counted from the sources ``sources`` only (all targets).

    igraph's subset betweenness: adding these over :func:`source_parts` gives
    the exact betweenness (before :func:`exact_betweenness` normalises it).
    """
    if net.n < 3 or net.m == 0:
        return np.zeros(net.n)
    return np.asarray(net.graph.betweenness(directed=True, sources=sources), float)


def exact_betweenness(n: int, shares: list[np.ndarray]) -> Betweenness:
    """Exact betweenness of ``n`` people from every part's :func:`partial_betweenness`, in order."""
    if n < 3:
        return Betweenness(np.zeros(n))
    total = shares[0].copy()
    for share in shares[1:]:
        total += share
    return Betweenness(total * (1.0 / ((n - 1) * (n - 2))))


def partial_closeness(net: Net, people: range) -> np.ndarray:
    """igraph's normalised incoming closeness of ``people`` (the rest: :func:`exact_closeness`)."""
    if net.n < 2 or net.m == 0:
        return np.zeros(len(people))
    found = net.graph.closeness(vertices=people, mode="in", normalized=True)
    return np.nan_to_num(np.asarray(found, float), nan=0.0)


def exact_closeness(shares: list[np.ndarray], r: np.ndarray) -> np.ndarray:
    """Exact :func:`closeness` from every part's :func:`partial_closeness`, in order.

    ``r``: how many others can reach each person (:func:`reachers`).
    """
    n = r.shape[0]
    if n < 2:
        return np.zeros(n)
    return np.concatenate(shares) * (r / (n - 1))


def reachers(net: Net) -> np.ndarray:
    """For each person, how many others can reach them along directed paths.

    Exact for any size: ancestor sets over the condensation (strongly
    connected components in topological order) held as Python-int bitsets.
    """
    g = net.graph
    n = net.n
    if net.m == 0:
        return np.zeros(n, np.int64)
    memb = np.asarray(g.connected_components(mode="strong").membership, np.int64)
    k = int(memb.max()) + 1
    cond_src, cond_tgt = memb[net.src], memb[net.tgt]
    keep = cond_src != cond_tgt
    pairs = np.unique(np.column_stack([cond_src[keep], cond_tgt[keep]]), axis=0)
    dag = igraph_from_arrays(k, pairs[:, 0], pairs[:, 1], directed=True)
    order = dag.topological_sorting(mode="out")
    members_bits = [0] * k
    for v, c in enumerate(memb.tolist()):
        members_bits[c] |= 1 << v
    preds: list[list[int]] = [[] for _ in range(k)]
    for a, b in pairs.tolist():
        preds[b].append(a)
    anc = [0] * k
    for c in order:
        bits = 0
        for p in preds[c]:
            bits |= anc[p] | members_bits[p]
        anc[c] = bits
    sizes = np.bincount(memb, minlength=k)
    count_c = np.array([anc[c].bit_count() for c in range(k)], np.int64) + sizes - 1
    return count_c[memb]


def closeness(
    net: Net, sources: int | None, rng: np.random.Generator, r: np.ndarray
) -> np.ndarray:
    """networkx ``closeness_centrality`` (directed: incoming; wf_improved).

    Exact when ``sources`` is None; otherwise estimated from a quarter of
    ``sources`` random people (at least :data:`CLOSENESS_MIN_SAMPLES`).
    """
    n = net.n
    out = np.zeros(n)
    if n < 2 or net.m == 0:
        return out
    g = net.graph
    if sources is None or sources >= n:
        inv_mean = np.asarray(g.closeness(mode="in", normalized=True), float)
        inv_mean = np.nan_to_num(inv_mean, nan=0.0)
        return inv_mean * (r / (n - 1))
    # estimate the mean incoming distance from sampled sources; closeness
    # averages distances, so a quarter of the betweenness sample suffices
    k = min(n, max(CLOSENESS_MIN_SAMPLES, sources // 4))
    drawn = rng.choice(n, size=k, replace=False)
    total = np.zeros(n)
    count = np.zeros(n)
    for start in range(0, k, 128):
        chunk = drawn[start : start + 128].tolist()
        d = np.asarray(g.distances(source=chunk, mode="out"), float)
        finite = np.isfinite(d) & (d > 0)
        total += np.where(finite, d, 0.0).sum(axis=0)
        count += finite.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_mean = np.where(total > 0, count / total, 0.0)
    return inv_mean * (r / (n - 1))


def coreness(net: Net) -> np.ndarray:
    return np.asarray(net.undirected.coreness(), np.int64)


def reach2(net: Net, people: np.ndarray | None = None) -> np.ndarray:
    """Share of the others within two steps (direction ignored)."""
    n = net.n
    if n < 2:
        return np.zeros(n if people is None else len(people))
    g = net.undirected
    verts = None if people is None else people.tolist()
    size = np.asarray(g.neighborhood_size(vertices=verts, order=2, mode="all"), float)
    return (size - 1) / (n - 1)


def articulation(net: Net) -> tuple[np.ndarray, np.ndarray]:
    """(is articulation point, people cut off from the largest remaining part)."""
    n = net.n
    is_ap = np.zeros(n, bool)
    cut = np.zeros(n, np.int64)
    g = net.undirected
    if net.m == 0:
        return is_ap, cut
    blocks, aps = g.biconnected_components(return_articulation_points=True)
    if not aps:
        return is_ap, cut
    is_ap[aps] = True
    comp = np.asarray(g.connected_components().membership)
    comp_size = np.bincount(comp)
    # block–cut tree: nodes 0..B-1 are blocks, B.. are articulation points
    nb = len(blocks)
    ap_node = {v: nb + j for j, v in enumerate(aps)}
    weight = np.zeros(nb + len(aps), np.int64)
    adj: list[list[int]] = [[] for _ in range(nb + len(aps))]
    for b, members in enumerate(blocks):
        for v in members:
            if is_ap[v]:
                adj[b].append(ap_node[v])
                adj[ap_node[v]].append(b)
            else:
                weight[b] += 1
    for node in ap_node.values():
        weight[node] = 1
    # iterative DFS per tree to get subtree weights and parents
    seen = np.zeros(len(adj), bool)
    sub = weight.copy()
    parent = np.full(len(adj), -1)
    for root in range(len(adj)):
        if seen[root] or not adj[root]:
            continue
        order = []
        stack = [root]
        seen[root] = True
        while stack:
            x = stack.pop()
            order.append(x)
            for y in adj[x]:
                if not seen[y]:
                    seen[y] = True
                    parent[y] = x
                    stack.append(y)
        for x in reversed(order):
            if parent[x] >= 0:
                sub[parent[x]] += sub[x]
    for v, node in ap_node.items():
        total = int(comp_size[comp[v]])
        pieces = [int(sub[y]) for y in adj[node] if parent[y] == node]
        pieces.append(total - int(sub[node]))
        cut[v] = total - 1 - max(pieces)
    return is_ap, cut
