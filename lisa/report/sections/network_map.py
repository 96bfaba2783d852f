"""The network map: the static picture for print and PDF, and the key people by role.

The interactive map's payload is built in :mod:`lisa.report.mapdata`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lisa.privacy import Pseudonymiser
from lisa.report import charts
from lisa.report.mapdata import ROLE_BITS, MapData
from lisa.report.sections.common import label

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: Largest number of people and links drawn in the static map (PDF, print).
SNAPSHOT_PEOPLE = 2500
SNAPSHOT_LINKS = 4000

#: How many people each role's list shows.
KEY_PEOPLE = 8


def key_people(
    result: AnalysisResult, pseudonymiser: Pseudonymiser | None
) -> dict[str, list[dict[str, str]]]:
    """The strongest holders of each role in the combined network, formatted."""
    out: dict[str, list[dict[str, str]]] = {}
    for role in ROLE_BITS:
        out[role] = [
            {
                "person": label(result, kp.id, pseudonymiser)
                if pseudonymiser
                else (kp.name or kp.id),
                "organisation": "" if pseudonymiser else kp.organisation,
                "sector": kp.sector,
                "layer": kp.layer or "",
                "value": charts.num(kp.value, 3),
            }
            for kp in result.key_people(role, limit=KEY_PEOPLE)
        ]
    return out


def _kept(n: int, mp: MapData) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The people drawn (the best connected, past the limit) and the links among them."""
    keep = np.arange(n)
    if n > SNAPSHOT_PEOPLE:
        order = np.argsort(-mp.sizes * 1000 - np.bincount(mp.pairs.reshape(-1), minlength=n))
        keep = np.sort(order[:SNAPSHOT_PEOPLE])
    local = np.full(n, -1, np.int64)
    local[keep] = np.arange(len(keep))
    a, b = local[mp.pairs[:, 0]], local[mp.pairs[:, 1]]
    both = (a >= 0) & (b >= 0)
    kept = np.column_stack([a[both], b[both]])
    if len(kept) > SNAPSHOT_LINKS:
        rng = np.random.default_rng(0)
        kept = kept[np.sort(rng.choice(len(kept), SNAPSHOT_LINKS, replace=False))]
    return keep, [(int(x), int(y)) for x, y in kept]


def snapshot(n: int, mp: MapData) -> charts.Chart:
    """The static map for print and PDF: the best-connected people and a sample of links."""
    keep, pairs = _kept(n, mp)
    scale = 1.0 if n <= 500 else 0.6
    alt = (
        f"A static picture of the network: {len(keep):,} of {n:,} people"
        + (
            f" (the best connected) and {len(pairs):,} sampled links"
            if n > SNAPSHOT_PEOPLE
            else f" and {len(pairs):,} links"
        )
        + ", coloured by layer, larger for hubs, gatekeepers and pulsetakers."
    )
    return charts.network_snapshot(
        mp.x[keep].tolist(),
        mp.y[keep].tolist(),
        [mp.colours_by_layer[int(i)] for i in keep],
        (mp.sizes[keep] * scale).tolist(),
        pairs,
        title="The network (all relations combined)",
        alt=alt,
        legend=dict(charts.LAYER_COLOURS),
    )
