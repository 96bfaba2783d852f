"""The network map's data: positions, groups, roles and links, packed small.

The browser draws the map with sigma.js (WebGL) from one JSON object built
here. Numeric columns are little-endian typed arrays in base64, so a
20,000-person place with half a million links stays a few megabytes and
decodes in milliseconds. People are keyed by their position in this payload,
never by roster id; in pseudonymised mode the payload holds no name either, and
people are listed in the run's shuffled order, not the roster's.

Positions come from a force-directed layout (Fruchterman & Reingold 1991, as
implemented in igraph, with its grid approximation for large places) started
from a layered seed: each layer is a ring (systemic at the centre, the public
outside) and each sector a wedge, so the picture keeps the reports' layers
while the forces pull connected people together. Above :data:`LARGE_PLACE`
people the layout runs fewer iterations on igraph's grid, and above
:data:`HUGE_PLACE` people are placed by group without forces
(:func:`layout_plan`).

Links are listed strongest first — pairs linked in the most relations, pairs
alike in that order drawn at random (seeded) — so that on a very large place
the map can draw a stated share of them: at most :data:`LINK_BUDGET` links a
view, in growing steps of :data:`LINK_STEP`, the page saying how many of how
many it shows. Every link stays in the payload, so a selected person's links
are all drawn and counted.
"""

from __future__ import annotations

import base64
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lisa.randomness import rng_for
from lisa.report.charts import LAYER_COLOURS, category_colours
from lisa.vocabulary import LAYERS

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.privacy import Pseudonymiser

#: Bit of each role in a person's role mask.
ROLE_BITS: dict[str, int] = {"hub": 1, "gatekeeper": 2, "pulsetaker": 4}

#: Above this many people the layout uses fewer iterations with igraph's grid.
LARGE_PLACE = 3000

#: Above this many people the layout starts from a compact seed and runs fewer iterations.
HUGE_PLACE = 50_000

#: The most links the map draws in one view; beyond it the strongest are drawn.
LINK_BUDGET = 500_000

#: Links in the first drawing step of a large view; each later step draws three times as many.
LINK_STEP = 60_000


def layout_plan(n: int) -> tuple[int, bool | str]:
    """How the layout runs for ``n`` people: iterations of the forces and igraph's grid.

    The one place the layout is decided by size. Above :data:`HUGE_PLACE` there
    are no forces (0 iterations): people are placed by group — layer ring,
    sector wedge, and within it their organisation's slice — because
    Fruchterman–Reingold on millions of links pulls everyone into one crowded
    knot, and slowly (at 100,000 people and 2.6 million links, 40 iterations
    took 109 s under load and left the picture a few units wide).

    Parameters
    ----------
    n
        People on the map.

    Returns
    -------
    tuple
        Iterations of Fruchterman–Reingold and igraph's ``grid`` argument.

    >>> layout_plan(300), layout_plan(20000), layout_plan(100000)
    ((400, 'auto'), (120, True), (0, True))
    """
    if n > HUGE_PLACE:
        return 0, True
    if n > LARGE_PLACE:
        return 120, True
    return 400, "auto"  # igraph's own choice: its grid above 1,000 people


def _wedge_shares(study: Any, rng: np.random.Generator) -> np.ndarray:
    """Each person's place across their sector's wedge, in [0.1, 0.9).

    Small places: at random. Above :data:`HUGE_PLACE`: their organisation's
    slice of the wedge (organisations in name order), at random within it.
    """
    n = study.n_people
    if n <= HUGE_PLACE:
        return rng.uniform(0.1, 0.9, n)
    slot = np.zeros(n)
    for sector in set(study.sectors):
        members = [i for i in range(n) if study.sectors[i] == sector]
        orgs = sorted({study.organisations[i] or "" for i in members})
        index = {o: k for k, o in enumerate(orgs)}
        for i in members:
            slot[i] = (index[study.organisations[i] or ""] + rng.uniform(0.15, 0.85)) / len(orgs)
    return 0.1 + 0.8 * slot


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(
        np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    ).decode("ascii")


def _indexes(values: np.ndarray, n: int) -> tuple[str, int]:
    """People's indexes packed little-endian in 2 bytes each, or 3 above 65,535 people.

    >>> _indexes(np.array([1, 70000]), 70001)
    ('AQAAcBEB', 3)
    """
    if n <= 65535:
        return _b64(values.astype(np.uint16)), 2
    if n >= 1 << 24:
        return _b64(values.astype(np.uint32)), 4
    wide = np.ascontiguousarray(values.astype("<u4")).view(np.uint8).reshape(-1, 4)
    return base64.b64encode(wide[:, :3].tobytes()).decode("ascii"), 3


def _mask_dtype(k: int) -> np.dtype[Any]:
    if k <= 8:
        return np.dtype(np.uint8)
    if k <= 16:
        return np.dtype(np.uint16)
    return np.dtype(np.uint32)


@dataclass
class MapData:
    """Everything the map draws, as arrays (see :func:`build_map`)."""

    payload: dict[str, Any]
    x: np.ndarray
    y: np.ndarray
    pairs: np.ndarray  # (m, 2) roster indices, a < b
    colours_by_layer: list[str]
    sizes: np.ndarray


def link_pairs(result: AnalysisResult, max_relations: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Undirected pairs (a < b) with a bit mask of the relations they appear in.

    A pair is linked in a relation when either person named the other; the map
    draws lines, not arrows (half a million arrows cannot be read anyway).
    """
    study = result.study
    n = max(study.n_people, 1)
    keys_all: list[np.ndarray] = []
    masks_all: list[np.ndarray] = []
    for bit, rel in enumerate(study.relation_names[:max_relations]):
        src, tgt, _ = study.arcs(rel)
        a, b = np.minimum(src, tgt).astype(np.int64), np.maximum(src, tgt).astype(np.int64)
        keys = np.unique(a * n + b)
        keys_all.append(keys)
        masks_all.append(np.full(keys.shape[0], 1 << bit, np.int64))
    if not keys_all:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    keys = np.concatenate(keys_all)
    masks = np.concatenate(masks_all)
    order = np.argsort(keys, kind="stable")
    keys, masks = keys[order], masks[order]
    uniq, start = np.unique(keys, return_index=True)
    mask = np.bitwise_or.reduceat(masks, start) if keys.size else masks
    pairs = np.column_stack([uniq // n, uniq % n])
    return pairs, mask


def layout(
    result: AnalysisResult, pairs: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Positions for every person: layered seed, then force-directed (see module doc).

    How many iterations, if any, is :func:`layout_plan`'s decision.
    """
    import igraph as ig

    study = result.study
    n = study.n_people
    if n == 0:
        return np.zeros(0), np.zeros(0)
    rng = np.random.default_rng(seed)
    sectors = sorted(set(study.sectors))
    sector_index = {s: i for i, s in enumerate(sectors)}
    ring = {layer: 1.0 + i for i, layer in enumerate(LAYERS)}
    wedge = np.array([sector_index[s] for s in study.sectors], float)
    angle = 2 * math.pi * (wedge + _wedge_shares(study, rng)) / len(sectors)
    radius = np.array([ring.get(layer or "", len(LAYERS) + 0.5) for layer in study.layers])
    radius = radius + rng.uniform(-0.35, 0.35, n)
    niter, grid = layout_plan(n)
    scale = math.sqrt(n) * 2.0
    seed_xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) * scale
    if pairs.shape[0] == 0 or niter == 0:
        return seed_xy[:, 0], seed_xy[:, 1]
    graph = ig.Graph(n=n, edges=pairs.tolist())
    saved = random.getstate()
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = graph.layout_fruchterman_reingold(seed=seed_xy.tolist(), niter=niter, grid=grid)
    finally:
        ig.set_random_number_generator(random)
        random.setstate(saved)
    xy = np.asarray(coords.coords, dtype=float)
    # Pull stray isolates and far outliers in so the map is not mostly empty space.
    centre = np.median(xy, axis=0)
    dist = np.linalg.norm(xy - centre, axis=1)
    limit = np.quantile(dist, 0.98) * 1.15 if n > 10 else dist.max()
    far = dist > limit
    if far.any():
        xy[far] = centre + (xy[far] - centre) / dist[far, None] * limit
    return xy[:, 0], xy[:, 1]


def _role_masks(result: AnalysisResult) -> np.ndarray:
    """(views × people) bit masks of each person's roles, roster order."""
    study = result.study
    blocks = [result.combined, *(result.relations[r] for r in study.relation_names)]
    masks = np.zeros((len(blocks), study.n_people), np.uint8)
    for v, block in enumerate(blocks):
        for pid, person in block.people.items():
            m = 0
            for role in person.roles:
                m |= ROLE_BITS[role]
            masks[v, study.index_of(pid)] = m
    return masks


def _in_output_order(
    rank: np.ndarray, pairs: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs renumbered to output positions (a < b again) and sorted, with their masks."""
    if pairs.shape[0] == 0:
        return pairs, mask
    a, b = rank[pairs[:, 0]], rank[pairs[:, 1]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    by = np.lexsort((hi, lo))
    return np.column_stack([lo[by], hi[by]]), mask[by]


def strongest_first(pairs: np.ndarray, mask: np.ndarray, seed: int) -> np.ndarray:
    """The order links are drawn in: most relations first, equals in a seeded random order.

    Parameters
    ----------
    pairs
        ``(m, 2)`` people of each link.
    mask
        Bit mask of the relations each link belongs to.
    seed
        Seed of the random order among links alike in strength.

    Returns
    -------
    numpy.ndarray
        A permutation of ``range(m)``.

    Examples
    --------
    >>> import numpy as np
    >>> strongest_first(np.zeros((3, 2)), np.array([1, 7, 3]), seed=0).tolist()
    [1, 2, 0]
    """
    strength = np.bitwise_count(mask.astype(np.uint64)) if mask.size else mask
    tiebreak = rng_for(seed, "report", "map", "link-order").permutation(pairs.shape[0])
    return np.lexsort((tiebreak, -strength.astype(np.int64)))


def _view_edges(mask: np.ndarray, k: int) -> list[int]:
    """How many links each view has: the combined view, then each relation."""
    return [int(mask.shape[0])] + [int(np.count_nonzero(mask & (1 << b))) for b in range(k)]


def _labels(
    study: Any, role_masks: np.ndarray, pseudonymiser: Pseudonymiser | None, order: np.ndarray
) -> list[str]:
    """Each person's map label, in output order: name (or id), or role and group only."""
    if not pseudonymiser:
        return [study.names[i] or study.ids[i] for i in range(study.n_people)]
    roles = [
        [r for r, bit in ROLE_BITS.items() if role_masks[0, i] & bit]
        for i in range(study.n_people)
    ]
    return [pseudonymiser.label(int(i), roles[int(i)]) for i in order]


def _groups(study: Any, org_values: Sequence[str], o: np.ndarray) -> dict[str, Any]:
    """Layers, sectors and organisations: their names and colours, and each person's index."""
    sectors = sorted(set(study.sectors))
    organisations = sorted(set(org_values))
    layers = [*LAYERS, ""]
    sector_of = {s: i for i, s in enumerate(sectors)}
    org_of = {name: i for i, name in enumerate(organisations)}
    layer_of = {name: i for i, name in enumerate(layers)}
    return {
        "layers": [name or "no layer" for name in layers],
        "layerColours": [LAYER_COLOURS.get(name, "#BBBBBB") for name in layers],
        "sectors": sectors,
        "sectorColours": list(category_colours(sectors).values()),
        "organisations": organisations,
        "layer": _b64(np.array([layer_of[study.layers[i] or ""] for i in o], np.uint8)),
        "sector": _b64(np.array([sector_of[study.sectors[i]] for i in o], np.uint16)),
        "organisation": _b64(np.array([org_of[org_values[i]] for i in o], np.uint32)),
    }


def build_map(
    result: AnalysisResult,
    *,
    pseudonymiser: Pseudonymiser | None = None,
    seed: int = 0,
    link_budget: int = LINK_BUDGET,
    link_step: int = LINK_STEP,
) -> MapData:
    """The map payload for the report's JavaScript (and arrays for the static snapshot).

    People are listed in roster order, or — pseudonymised — in the run's
    shuffled order, labelled by role and group, with withheld organisations.
    Links are listed strongest first (:func:`strongest_first`).

    Parameters
    ----------
    result
        The analysis, with its study.
    pseudonymiser
        Show people by role and group only, in the run's shuffled order.
    seed
        Seed of the layout and of the order of links alike in strength.
    link_budget
        The most links the map draws in one view (:data:`LINK_BUDGET`).
    link_step
        Links in the first drawing step (:data:`LINK_STEP`); each later step triples.

    Returns
    -------
    MapData
        The payload and the arrays of the static picture.
    """
    study = result.study
    relations = study.relation_names
    role_masks = _role_masks(result)
    in_degree = np.array([result.combined.people[p].in_degree for p in study.ids], np.uint32)
    core_networks = np.array([result.combined.people[p].core_networks for p in study.ids], np.uint8)
    pairs, mask = link_pairs(result)
    x, y = layout(result, pairs, seed=seed)
    o = pseudonymiser.order if pseudonymiser else np.arange(study.n_people)
    if pseudonymiser:
        pairs, mask = _in_output_order(pseudonymiser.rank, pairs, mask)
    by = strongest_first(pairs, mask, seed)
    pairs, mask = pairs[by], mask[by]
    org_values = pseudonymiser.organisations if pseudonymiser else study.organisations
    edge_a, index_bytes = _indexes(pairs[:, 0], study.n_people)
    edge_b, _ = _indexes(pairs[:, 1], study.n_people)
    payload: dict[str, Any] = {
        "n": study.n_people,
        "pseudonymised": pseudonymiser is not None,
        "views": [{"name": "combined", "label": "All relations combined"}]
        + [{"name": r, "label": study.relation(r).display()} for r in relations],
        "roles": list(ROLE_BITS),
        **_groups(study, org_values, o),
        "labels": _labels(study, role_masks, pseudonymiser, o),
        "x": _b64(x[o].astype(np.float32)),
        "y": _b64(y[o].astype(np.float32)),
        "roleMasks": _b64(role_masks[:, o].reshape(-1)),
        "inDegree": _b64(in_degree[o]),
        "coreNetworks": _b64(core_networks[o]),
        "indexBytes": index_bytes,
        "maskBytes": _mask_dtype(len(relations)).itemsize,
        "edgeA": edge_a,
        "edgeB": edge_b,
        "edgeMask": _b64(mask.astype(_mask_dtype(len(relations)))),
        "edges": int(pairs.shape[0]),
        "viewEdges": _view_edges(mask, len(relations)),
        "linkBudget": int(link_budget),
        "linkStep": int(link_step),
    }
    if not pseudonymiser:
        payload["ids"] = list(study.ids)
    sizes = np.where(role_masks[0] & 1, 7.0, np.where(role_masks[0] & 6, 5.0, 2.5))[o]
    layer_colours = [LAYER_COLOURS.get(study.layers[i] or "", "#BBBBBB") for i in o]
    return MapData(payload, x[o], y[o], pairs, layer_colours, sizes)
