"""The map's layout on a very large place: placed by group, decided once by size.

No browser here: it checks the positions the report's map is drawn from.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from lisa.report.mapdata import HUGE_PLACE, LARGE_PLACE, layout, layout_plan
from lisa.vocabulary import LAYERS


def test_the_layout_is_chosen_by_size() -> None:
    assert layout_plan(LARGE_PLACE)[0] == 400
    assert layout_plan(LARGE_PLACE + 1)[0] == 120
    assert layout_plan(HUGE_PLACE)[0] == 120
    assert layout_plan(HUGE_PLACE + 1)[0] == 0  # no forces: placed by group


def test_a_huge_place_sits_by_layer_sector_and_organisation() -> None:
    from lisa.synth import generate

    study = generate(HUGE_PLACE + 500, seed=2)
    x, y = layout(SimpleNamespace(study=study), np.zeros((0, 2), np.int64))  # type: ignore[arg-type]
    assert x.shape == (study.n_people,) and np.isfinite(x).all() and np.isfinite(y).all()
    sectors = sorted(set(study.sectors))
    turn = (np.arctan2(y, x) % (2 * math.pi)) / (2 * math.pi) * len(sectors)
    wedge = np.array([sectors.index(s) for s in study.sectors])
    assert (np.floor(turn) == wedge).all()  # each person in their sector's wedge
    # Each organisation holds its own slice of the wedge: no two overlap.
    by_org: dict[tuple[str, str], list[float]] = {}
    for i in range(study.n_people):
        by_org.setdefault((study.sectors[i], study.organisations[i] or ""), []).append(turn[i])
    for sector in sectors:
        spans = sorted((min(v), max(v)) for (s, _), v in by_org.items() if s == sector)
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    # Layers are rings: the systemic layer inside the public one.
    r = np.hypot(x, y)
    first = np.array([layer == LAYERS[0] for layer in study.layers])
    last = np.array([layer == LAYERS[-1] for layer in study.layers])
    assert r[first].max() < r[last].min()
