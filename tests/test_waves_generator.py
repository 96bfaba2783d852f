"""The generator's second wave: turnover in posts, ties kept with a probability, new ties."""

from __future__ import annotations

import numpy as np
import pytest

from lisa.errors import ConfigError
from lisa.synth import WAVE_LABELS, generate


@pytest.fixture(scope="module")
def place():  # type: ignore[no-untyped-def]
    return generate(400, seed=3, waves=2, turnover=0.15, tie_retention=0.7)


def test_the_first_wave_is_the_single_wave_place(place) -> None:  # type: ignore[no-untyped-def]
    single = generate(400, seed=3)
    first = place.for_wave(WAVE_LABELS[0])
    assert first.ids == single.ids and first.names == single.names
    t, s = first.ties, single.ties
    for column in ("source", "target", "relation"):
        assert np.array_equal(getattr(t, column), getattr(s, column))


def test_turnover_replaces_people_in_their_posts(place) -> None:  # type: ignore[no-untyped-def]
    present = place.attributes["waves"]
    leavers = [i for i, w in enumerate(present) if w == "2024"]
    joiners = [i for i, w in enumerate(present) if w == "2025"]
    assert len(leavers) == len(joiners) == 60  # 15% of 400
    assert place.n_people == 460 and len(set(place.ids)) == 460
    posts = sorted((place.organisations[i], place.sectors[i], place.layers[i]) for i in leavers)
    assert posts == sorted((place.organisations[i], place.sectors[i], place.layers[i]) for i in joiners)
    second = place.for_wave("2025")
    assert second.n_people == 400
    assert not {place.ids[i] for i in leavers} & set(second.ids)
    # nobody has a tie in a wave they were not part of
    for label, absent in (("2024", joiners), ("2025", leavers)):
        t = place.ties.select(place.ties.wave == place.waves.index(label))
        assert not np.isin(t.source, absent).any() and not np.isin(t.target, absent).any()


def test_ties_are_kept_with_the_retention_probability(place) -> None:  # type: ignore[no-untyped-def]
    stays = np.array([w == "2024;2025" for w in place.attributes["waves"]])
    t = place.ties

    def keys(wave: int) -> set[tuple[int, int, int]]:
        m = (t.wave == wave) & stays[t.source] & stays[t.target]
        return set(zip(t.relation[m].tolist(), t.source[m].tolist(), t.target[m].tolist(), strict=True))

    before, after = keys(0), keys(1)
    kept = len(before & after) / len(before)
    # kept on purpose (0.7), plus the few fresh draws that repeat an old tie
    assert 0.68 <= kept <= 0.8
    assert len(after - before) > 0.1 * len(after)  # new ties drawn afresh


def test_same_seed_same_second_wave() -> None:
    a = generate(120, seed=9, waves=2)
    b = generate(120, seed=9, waves=2)
    assert a.ids == b.ids and a.attributes == b.attributes
    assert np.array_equal(a.ties.source, b.ties.source)
    assert np.array_equal(a.ties.wave, b.ties.wave)
    c = generate(120, seed=10, waves=2)
    assert c.attributes["waves"] != a.attributes["waves"]


def test_a_programme_raises_connected_difference_in_the_second_wave() -> None:
    import lisa

    study = generate(300, seed=7, waves=2, second_periphery_connection=0.6)
    before = lisa.analyse(study.for_wave("2024")).combined.network
    after = lisa.analyse(study.for_wave("2025")).combined.network
    assert after.mean_contact_diversity["sector"] > before.mean_contact_diversity["sector"] + 0.1


@pytest.mark.parametrize(
    ("knob", "value", "message"),
    [
        ("waves", 3, "waves must be less than or equal to 2"),
        ("turnover", 1.5, "turnover must be less than or equal to 0.9"),
        ("tie_retention", -0.1, "tie_retention must be greater than or equal to 0"),
        ("second_periphery_connection", 2, "second_periphery_connection must be less than"),
    ],
)
def test_knobs_out_of_range_are_named(knob: str, value: float, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        generate(100, seed=1, **{knob: value})  # type: ignore[arg-type]
