"""Gould–Fernandez brokerage: the counting route gives the enumeration's counts exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lisa.network import brokerage as gf
from lisa.network.graph import build_net


def _codes(values: list[str]) -> np.ndarray:
    return np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)[1]


@pytest.mark.parametrize("block", [50, gf.COUNT_BLOCK])
def test_counting_equals_enumerating_on_random_networks(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gf, "COUNT_BLOCK", block)  # 50: the products in blocks of a row or two
    rng = np.random.default_rng(0)
    for _ in range(25):
        n = int(rng.integers(3, 50))
        arcs = rng.random((n, n)) < rng.random()  # sparse to complete, many reciprocated
        np.fill_diagonal(arcs, False)
        net = build_net("x", n, *np.nonzero(arcs))
        groups = [str(x) for x in rng.integers(0, int(rng.integers(1, 6)), n)]
        blanks = ["" if x == 0 else "s" for x in rng.integers(0, 3, n)]
        codes = {"g": _codes(groups), "b": _codes(blanks)}
        listed = gf._enumerated(net, codes)
        for name, g in codes.items():
            assert (gf._counted(net, g.astype(np.int64)) == listed[name]).all()


def test_a_dense_network_is_counted_and_a_sparse_one_enumerated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_counted, real_listed = gf._counted, gf._enumerated
    monkeypatch.setattr(gf, "_counted", lambda *a: calls.append("count") or real_counted(*a))
    monkeypatch.setattr(gf, "_enumerated", lambda *a: calls.append("list") or real_listed(*a))
    full = np.ones((30, 30), bool) & ~np.eye(30, dtype=bool)
    ring = np.arange(30)
    dense = gf.brokerage(build_net("d", 30, *np.nonzero(full)), {"g": ["a", "b"] * 15})
    sparse = gf.brokerage(build_net("s", 30, ring, (ring + 1) % 30), {"g": ["a", "b"] * 15})
    assert calls == ["count", "list"]
    # complete: every two-path is closed; a ring: each person brokers one open two-path
    assert dense["g"].sum() == 0
    assert (sparse["g"].sum(axis=1) == 1).all() and sparse["g"][:, 4].sum() == 0
