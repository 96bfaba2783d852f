"""Pseudonymisation of people for exports and shared reports.

Survey data are personal data about named people. A pseudonymised export
replaces each id with a code like ``P0042`` drawn in a random order (so the
codes do not follow the roster order and cannot be mapped back without the
key), drops names and any free roster attributes, and keeps only the groups
(organisation, sector, layer) the analysis is about. The key is returned to
the caller and never written next to the export.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import numpy as np

#: Roster fields that stay in a pseudonymised export (groups, not people).
KEPT_FIELDS = ("organisation", "sector", "layer")


def pseudonym_map(ids: Sequence[str], seed: int | None = None) -> dict[str, str]:
    """A random one-to-one map from ids to ``P0001``-style pseudonyms.

    ``seed`` makes it reproducible (tests); by default it comes from
    :mod:`secrets`, so two exports of the same study use different codes.
    """
    rng = np.random.default_rng(secrets.randbits(64) if seed is None else seed)
    order = rng.permutation(len(ids))
    width = max(4, len(str(len(ids))))
    return {ids[int(i)]: f"P{k + 1:0{width}d}" for k, i in enumerate(order)}
