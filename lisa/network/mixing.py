"""Mixing between groups, the E–I index and the diversity of contacts.

* **Block density** — arcs from group A to group B over the possible ones
  (n_A·n_B, or n_A(n_A−1) inside a group). Within a layer this is a
  *horizontal* link; between adjacent layers (systemic–sectoral,
  sectoral–frontline, frontline–public), counting both directions, a
  *vertical* one — the two kinds of link the reports draw.
* **E–I index** (Krackhardt & Stern 1988) — (external − internal) /
  (external + internal) arcs: −1 all within groups, +1 all between.
* **Contact diversity** — for each person, Blau's heterogeneity index of
  their contacts' groups (direction ignored), normalised by its maximum for
  the number of groups in the place (the index of qualitative variation,
  IQV): 0 all contacts from one group, 1 spread evenly over all. Its mean is
  lisa's measure of the reports' "connected difference". People with no
  contact, and contacts with no recorded group, are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from lisa.config import AnalysisConfig
from lisa.network.graph import Net
from lisa.network.results import LayerLink, LayerMixing, Mixing
from lisa.vocabulary import ADJACENT_LAYER_PAIRS, LAYERS, LinkVerdict


def _codes(
    values: Sequence[str], order: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """Group names (blank excluded) and each person's code (-1 for blank)."""
    present = [v for v in dict.fromkeys(values) if v]
    groups = [g for g in order if g in present] if order else sorted(present)
    index = {g: i for i, g in enumerate(groups)}
    return groups, np.array([index.get(v, -1) for v in values], np.int64)


def ei_index(net: Net, values: Sequence[str]) -> float | None:
    _, code = _codes(values)
    a, b = code[net.src], code[net.tgt]
    known = (a >= 0) & (b >= 0)
    total = int(known.sum())
    if total == 0:
        return None
    internal = int(np.sum(a[known] == b[known]))
    return (total - 2 * internal) / total


def diversity(net: Net, values: Sequence[str]) -> np.ndarray:
    """IQV of each person's contacts' groups; NaN where undefined."""
    groups, code = _codes(values)
    n, k = net.n, len(groups)
    out = np.full(n, np.nan)
    if k < 2 or net.m == 0:
        return out
    known = code >= 0
    onehot = sp.csr_matrix(
        (np.ones(int(known.sum())), (np.flatnonzero(known), code[known])), shape=(n, k)
    )
    counts = (net.symmetric @ onehot).toarray() if n * k <= 50_000_000 else None
    if counts is None:  # very many groups: sum of squares row by row via sparse
        c = (net.symmetric @ onehot).tocsr()
        tot = np.asarray(c.sum(axis=1)).ravel()
        sq = np.asarray(c.multiply(c).sum(axis=1)).ravel()
    else:
        tot = counts.sum(axis=1)
        sq = (counts**2).sum(axis=1)
    has = tot > 0
    out[has] = (1 - sq[has] / tot[has] ** 2) / (1 - 1 / k)
    return out


def _block_counts(
    net: Net, values: Sequence[str], order: Sequence[str] | None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(groups, sizes, arc counts, densities) between the groups of one grouping."""
    groups, code = _codes(values, order)
    k = len(groups)
    sizes = np.bincount(code[code >= 0], minlength=k)
    a, b = code[net.src], code[net.tgt]
    known = (a >= 0) & (b >= 0)
    counts = np.zeros((k, k), np.int64)
    np.add.at(counts, (a[known], b[known]), 1)
    possible = np.outer(sizes, sizes) - np.diag(sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(possible > 0, counts / np.maximum(possible, 1), 0.0)
    return groups, sizes, counts, density


def _fields(net: Net, values: Sequence[str], order: Sequence[str] | None) -> dict[str, Any]:
    groups, sizes, counts, density = _block_counts(net, values, order)
    n = net.n
    return {
        "groups": groups,
        "people": {g: int(sizes[i]) for i, g in enumerate(groups)},
        "ties": {
            g: {h: int(counts[i, j]) for j, h in enumerate(groups)} for i, g in enumerate(groups)
        },
        "density": {
            g: {h: float(density[i, j]) for j, h in enumerate(groups)} for i, g in enumerate(groups)
        },
        "overall_density": net.m / (n * (n - 1)) if n > 1 else 0.0,
        "ei_index": ei_index(net, values),
    }


def mixing(net: Net, values: Sequence[str]) -> Mixing:
    """Tie counts and densities between the groups of one grouping (e.g. sectors)."""
    return Mixing(**_fields(net, values, None))


def link_verdict(density: float, overall: float, thin_ratio: float) -> LinkVerdict:
    """Thin below ``thin_ratio`` × the overall density; dense at or above it; else moderate.

    The one rule behind the ``thin-horizontal-links`` and ``thin-vertical-links``
    findings and the report's layer picture.
    """
    if density < thin_ratio * overall:
        return "thin"
    if density >= overall:
        return "dense"
    return "moderate"


def layer_mixing(net: Net, values: Sequence[str], config: AnalysisConfig) -> LayerMixing:
    """Mixing between the layers, with each horizontal and vertical link judged."""
    fields = _fields(net, values, LAYERS)
    groups, people = fields["groups"], fields["people"]
    counts, overall = fields["ties"], fields["overall_density"]
    pairs = [("horizontal", g, g) for g in groups] + [
        ("vertical", x, y) for x, y in ADJACENT_LAYER_PAIRS if x in groups and y in groups
    ]
    links = []
    for kind, a, b in pairs:
        if kind == "horizontal":
            density = fields["density"][a][a]
        else:
            possible = 2 * people[a] * people[b]
            density = (counts[a][b] + counts[b][a]) / possible if possible else 0.0
        links.append(
            LayerLink(
                kind=kind,  # type: ignore[arg-type]
                a=a,
                b=b,
                density=float(density),
                ratio=float(density) / overall if overall else None,
                judged=overall > 0 and min(people[a], people[b]) >= config.min_group_size,
                verdict=link_verdict(float(density), overall, config.thin_links_ratio),
            )
        )
    return LayerMixing(**fields, thin_links_ratio=config.thin_links_ratio, links=links)
