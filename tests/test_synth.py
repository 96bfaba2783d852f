"""The synthetic locality generator: reproducible, realistic in shape, with working knobs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lisa.errors import ConfigError
from lisa.io import check_study, write_study
from lisa.synth import generate
from lisa.vocabulary import LAYERS


def same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (
        a.ids == b.ids
        and a.names == b.names
        and a.organisations == b.organisations
        and all(
            np.array_equal(getattr(a.ties, f), getattr(b.ties, f))
            for f in ("source", "target", "relation")
        )
    )


def test_same_seed_same_place_different_seed_different_place() -> None:
    assert same(generate(150, seed=4), generate(150, seed=4))
    assert not same(generate(150, seed=4), generate(150, seed=5))
    assert same(generate(150, seed=4, preset="open"), generate(150, seed=4, preset="open"))


def test_shape_of_a_place() -> None:
    s = generate(500, seed=1)
    assert s.n_people == 500
    assert set(s.layers) == set(LAYERS)
    assert {"council", "schools", "health", "police", "vcs", "student council", "residents"} <= set(
        s.sectors
    )
    assert len(set(s.organisations)) >= 10
    assert s.relation_names == [
        "work",
        "social",
        "innovation",
        "expertise",
        "career",
        "learning",
        "strategic",
    ]
    assert len(set(s.ids)) == 500
    assert len(set(zip(s.names, s.organisations, strict=True))) == 500


@pytest.mark.parametrize("n", [49, 100_001, 0])
def test_size_limits(n: int) -> None:
    with pytest.raises(ConfigError, match="50 to 100,000"):
        generate(n)


def test_bad_knobs_are_named() -> None:
    with pytest.raises(ConfigError, match="core_closure"):
        generate(100, core_closure=1.5)
    with pytest.raises(ConfigError, match="preset"):
        generate(100, preset="closed")  # type: ignore[arg-type]


def test_generated_place_is_valid_study_data(tmp_path: Path) -> None:
    folder = write_study(generate(300, seed=2), tmp_path / "s")
    assert check_study(folder) == []


def test_response_rate_silences_non_respondents() -> None:
    s = generate(400, seed=3, response_rate=0.5)
    rate = s.responded.mean()
    assert 0.4 < rate < 0.6
    silent = ~s.responded
    assert not silent[s.ties.source].any()  # non-respondents name nobody
    assert silent[s.ties.target].any()  # but are named by others


def test_core_closure_knob_keeps_the_core_among_itself() -> None:
    def core_share(closure: float) -> float:
        s = generate(300, seed=1, core_closure=closure)
        core = np.array([r != "" for r in s.attributes["role"]])
        out = core[s.ties.source]
        return float((core[s.ties.target] & out).sum() / out.sum())

    assert core_share(0.95) > core_share(0.4) + 0.3


def test_periphery_connection_knob_takes_people_beyond_their_organisation() -> None:
    def outward(level: float) -> float:
        s = generate(300, seed=1, preset="open", periphery_connection=level)
        org = np.asarray(s.organisations)
        return float((org[s.ties.source] != org[s.ties.target]).mean())

    assert outward(0.9) > outward(0.1) + 0.2


def test_large_place_is_generated() -> None:
    s = generate(20_000, seed=1)
    assert s.n_people == 20_000 and len(s.ties) > 500_000
