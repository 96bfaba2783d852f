"""Diffusion of an idea (issue 11): exact expectations on graphs worked out by hand,
the settings' meaning, reproducibility and named errors for bad settings."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from lisa.errors import ConfigError, UnknownPerson, UnknownRelation
from lisa.io import study_from_records
from lisa.scenarios import DiffusionConfig, simulate
from lisa.scenarios.cascade import Law, hearing_steps
from lisa.scenarios.celf import celf_live_edge, greedy_simulated
from lisa.scenarios.flow import FlowGraph, flow_graph

RUNS = 40_000


def graph(n: int, arcs: list[tuple[int, int]], p: float = 1.0) -> FlowGraph:
    tails, heads = (np.array(x, np.int64) for x in zip(*arcs, strict=True))
    return FlowGraph.from_arcs(n, tails, heads, np.full(len(arcs), p), np.ones(len(arcs)))


def reach(g: FlowGraph, seeds: list[int], steps: int, law: Law | None = None, runs: int = RUNS):
    when = hearing_steps(g, np.tile(seeds, (runs, 1)), steps, np.random.default_rng(3), law)
    return when


def within(sample: np.ndarray, expected: float, sigmas: float = 4.5) -> bool:
    """The sample mean is within `sigmas` standard errors of the expectation."""
    se = sample.std(ddof=1) / math.sqrt(sample.shape[0])
    return abs(sample.mean() - expected) <= sigmas * max(se, 1e-12)


# -- independent cascade: expectations by hand -------------------------------------------


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_cascade_on_a_path_reaches_one_plus_p_plus_p_squared(p: float) -> None:
    """A path 0→1→…→5 from 0: person i hears with chance p^i, at step i exactly."""
    g = graph(6, [(i, i + 1) for i in range(5)], p)
    when = reach(g, [0], 10)
    heard = (when >= 0).sum(axis=1)
    assert within(heard, sum(p**i for i in range(6)))
    for i in range(6):  # whoever hears, hears at step i
        assert set(np.unique(when[:, i])) <= {-1, i}
        assert within((when[:, i] >= 0).astype(float), p**i)
    by_step_2 = ((when >= 0) & (when <= 2)).sum(axis=1)  # the horizon cuts the path
    assert within(by_step_2, 1 + p + p**2)


def test_cascade_on_a_star_from_the_centre_and_from_a_leaf() -> None:
    p, leaves = 0.4, 6
    g = graph(leaves + 1, [(0, i) for i in range(1, leaves + 1)], p)
    assert within((reach(g, [0], 5) >= 0).sum(axis=1), 1 + leaves * p)
    assert (reach(g, [3], 5, runs=100) >= 0).sum(axis=1).tolist() == [1] * 100  # arcs point out


def test_cascade_on_a_binary_tree() -> None:
    p = 0.5
    g = graph(7, [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)], p)
    when = reach(g, [0], 5)
    assert within((when >= 0).sum(axis=1), 1 + 2 * p + 4 * p**2)
    assert within((when == 2).sum(axis=1), 4 * p**2)


def test_two_ways_into_one_person_give_one_minus_both_misses() -> None:
    """0→2 and 1→2 from seeds {0, 1}: 2 hears with chance 1 − (1 − p)²."""
    p = 0.3
    g = graph(3, [(0, 2), (1, 2)], p)
    assert within((reach(g, [0, 1], 3)[:, 2] >= 0).astype(float), 1 - (1 - p) ** 2)


def test_certain_ties_give_breadth_first_distances() -> None:
    g = graph(5, [(0, 1), (1, 2), (0, 3), (3, 2), (2, 4)], 1.0)
    assert reach(g, [0], 10, runs=1).tolist() == [[0, 1, 2, 1, 3]]
    assert reach(g, [0], 2, runs=1).tolist() == [[0, 1, 2, 1, -1]]


# -- linear threshold ----------------------------------------------------------------------


def test_threshold_with_one_contact_always_passes_on() -> None:
    """Uniform thresholds below 1 and one incoming contact of weight 1: the whole path hears."""
    g = graph(4, [(0, 1), (1, 2), (2, 3)])
    when = reach(g, [0], 10, Law("linear-threshold"), runs=200)
    assert (when == np.arange(4)).all()


def test_fixed_thresholds_count_the_share_of_contacts_who_heard() -> None:
    """Person 4 listens to 0, 1, 2, 3 equally: with threshold 0.5 two seeds are enough, one is not."""
    g = graph(5, [(0, 4), (1, 4), (2, 4), (3, 4)])
    fixed = Law("linear-threshold", "given", given=np.full(5, 0.5))
    assert reach(g, [0, 1], 3, fixed, runs=5)[:, 4].tolist() == [1] * 5
    assert reach(g, [0], 3, fixed, runs=5)[:, 4].tolist() == [-1] * 5


def test_uniform_thresholds_hear_with_the_share_of_weight_told() -> None:
    """One of three equal contacts told: P(θ ≤ 1/3) = 1/3; normal(0.5, 0.2): Φ(−5/6)."""
    g = graph(4, [(0, 3), (1, 3), (2, 3)])
    heard = (reach(g, [0], 3, Law("linear-threshold"))[:, 3] >= 0).astype(float)
    assert within(heard, 1 / 3)
    normal = Law("linear-threshold", "normal", 0.5, 0.2)
    heard = (reach(g, [0], 3, normal)[:, 3] >= 0).astype(float)
    assert within(heard, 0.5 * math.erfc((0.5 - 1 / 3) / 0.2 / math.sqrt(2)))


def test_threshold_builds_up_over_steps() -> None:
    """0→1, 0→2, 1→2 with threshold 0.6 at 2: 2 waits until 1 has heard (step 2)."""
    g = graph(3, [(0, 1), (0, 2), (1, 2)])
    fixed = Law("linear-threshold", "given", given=np.array([0.0, 0.6, 0.6]))
    assert reach(g, [0], 5, fixed, runs=1).tolist() == [[0, 1, 2]]


# -- the study's ties: direction and chances ------------------------------------------------


PEOPLE = [
    {"id": "ann", "organisation": "Council", "sector": "council", "layer": "systemic"},
    {"id": "bob", "organisation": "Council", "sector": "council", "layer": "frontline"},
    {"id": "cat", "organisation": "School", "sector": "schools", "layer": "frontline"},
    {"id": "dan", "organisation": "School", "sector": "schools", "layer": "public"},
]


def small_study(**extra: str):  # type: ignore[no-untyped-def]
    ties = [
        {"source": "bob", "target": "ann", "relation": "innovation", "weight": "2", **extra},
        {"source": "cat", "target": "bob", "relation": "innovation", "weight": "1", **extra},
        {"source": "dan", "target": "cat", "relation": "work", "weight": "1", **extra},
    ]
    return study_from_records(PEOPLE, ties)


def test_ideas_flow_from_the_person_named_to_the_one_who_names_them() -> None:
    """bob names ann for ideas: ann tells bob (to-asker), not the other way round."""
    study = small_study()
    asker = DiffusionConfig(strategies=("chosen",), people=("ann",), p=1.0, runs=5)
    curve = simulate(study, asker).outcome("chosen").everyone
    assert curve.mean[:4] == [1.0, 2.0, 3.0, 4.0]  # ann → bob → cat → dan
    named = asker.model_copy(update={"direction": "to-named"})
    assert simulate(study, named).outcome("chosen").everyone.mean[-1] == 1.0
    back = asker.model_copy(update={"people": ("dan",), "direction": "both"})
    assert simulate(study, back).outcome("chosen").everyone.mean[-1] == 4.0


def test_one_relation_only() -> None:
    cfg = DiffusionConfig(strategies=("chosen",), people=("ann",), p=1.0, runs=3, relation="innovation")
    assert simulate(small_study(), cfg).outcome("chosen").everyone.mean[-1] == 3.0  # not dan


def test_tie_weights_give_one_more_chance_per_unit() -> None:
    g = flow_graph(small_study(), "innovation", source="weight", p=0.5)
    chances = dict(zip(zip(g.tails.tolist(), g.heads.tolist(), strict=True), g.prob.tolist(), strict=True))
    assert chances == {(0, 1): 0.75, (1, 2): 0.5}  # ann→bob weight 2: 1 − 0.5²


def test_a_tie_column_gives_each_tie_its_chance() -> None:
    study = small_study(trust="4")
    g = flow_graph(study, source="column", column="trust", column_max=5)
    assert np.allclose(g.prob, 0.8)
    with pytest.raises(ConfigError, match="no column 'value'"):
        flow_graph(study, source="column", column="value")
    with pytest.raises(ConfigError, match="from 0 to column_max=1"):
        flow_graph(study, source="column", column="trust")
    with pytest.raises(ConfigError, match="must hold a number"):
        flow_graph(small_study(trust="high"), source="column", column="trust", column_max=5)


def test_reach_by_group_and_steps_until_half_have_heard() -> None:
    cfg = DiffusionConfig(strategies=("chosen",), people=("ann",), p=1.0, runs=4)
    outcome = simulate(small_study(), cfg).outcome("chosen")
    layers = {c.group: c for c in outcome.groups["layer"]}
    assert layers["frontline"].people == 2 and layers["frontline"].mean[:3] == [0.0, 1.0, 2.0]
    assert layers["frontline"].half_step == 1.0  # bob, one of the two, at step 1
    assert layers["public"].half_step == 3.0
    assert outcome.everyone.half_step == 1.0  # 2 of 4 by step 1
    assert {c.group for c in outcome.groups["organisation"]} == {"Council", "School"}
    never = cfg.model_copy(update={"direction": "to-named"})
    public = simulate(small_study(), never).outcome("chosen").groups["layer"]
    assert [c.half_step for c in public if c.group == "public"] == [None]


def test_percentile_bands_hold_the_mean(demo_study, demo_result) -> None:  # type: ignore[no-untyped-def]
    cfg = DiffusionConfig(runs=200, strategies=("hubs", "random"), k=3, p=0.05)
    result = simulate(demo_study, cfg, analysis=demo_result)
    for outcome in result.strategies:
        c = outcome.everyone
        assert all(lo <= m <= hi for lo, m, hi in zip(c.low, c.mean, c.high, strict=True))
        assert c.mean == sorted(c.mean)  # who has heard only grows
        assert c.mean[0] == 3.0
        layers = sum(g.mean[-1] for g in outcome.groups["layer"])
        assert layers == pytest.approx(c.mean[-1])
    hubs = [p for p, _ in demo_result.role_holders("hub")[:3]]
    assert result.outcome("hubs").seeds == hubs


# -- greedy seeds ----------------------------------------------------------------------------


def test_greedy_picks_the_centres_of_the_two_largest_stars() -> None:
    arcs = [(0, i) for i in range(1, 6)] + [(6, i) for i in range(7, 10)] + [(10, 11)]
    g = graph(12, arcs)
    chosen = celf_live_edge(g, Law(), 2, 10, 5, np.random.default_rng(0))
    assert chosen.seeds == [0, 6] and chosen.gains == [6.0, 4.0] and chosen.submodular


def test_greedy_stays_within_the_horizon() -> None:
    """A long path and a short star: with a 1-step horizon the star's centre wins."""
    arcs = [(i, i + 1) for i in range(8)] + [(9, 10), (9, 11), (9, 12)]
    g = graph(13, arcs)
    assert celf_live_edge(g, Law(), 1, 5, 1, np.random.default_rng(0)).seeds == [9]
    assert celf_live_edge(g, Law(), 1, 5, 10, np.random.default_rng(0)).seeds == [0]


def test_greedy_matches_the_best_pair_on_a_small_graph() -> None:
    """On sampled runs the greedy pair is at least (1 − 1/e) of the best pair (here: it is best)."""
    rng = np.random.default_rng(4)
    arcs = [(int(a), int(b)) for a, b in rng.integers(0, 12, (30, 2)) if a != b]
    g = graph(12, arcs, 0.5)
    chosen = celf_live_edge(g, Law(), 2, 400, 4, np.random.default_rng(1))
    when = {}
    for a in range(12):
        for b in range(a + 1, 12):
            w = hearing_steps(g, np.tile([a, b], (4000, 1)), 4, np.random.default_rng(2))
            when[(a, b)] = (w >= 0).sum(axis=1).mean()
    best = max(when.values())
    assert when[tuple(sorted(chosen.seeds))] >= (1 - 1 / math.e) * best
    assert sum(chosen.gains) >= 0.9 * best


def test_greedy_claims_no_guarantee_where_the_model_is_not_submodular(demo_study, demo_result) -> None:  # type: ignore[no-untyped-def]
    g = flow_graph(demo_study, p=0.1)
    normal = greedy_simulated(g, Law("linear-threshold", "normal"), 2, 10, 5, np.random.default_rng(0))
    assert not normal.submodular and "no guarantee" in normal.notes[0]
    cfg = DiffusionConfig(
        model="linear-threshold", thresholds="normal", strategies=("greedy",), k=2, runs=20,
        greedy_runs=10,
    )
    record = simulate(demo_study, cfg, analysis=demo_result).greedy
    assert record is not None and not record.submodular and "1 − 1/e" not in record.statement
    ic = simulate(demo_study, DiffusionConfig(strategies=("greedy",), k=2, runs=20, greedy_runs=10))
    assert ic.greedy is not None and ic.greedy.submodular and "1 − 1/e" in ic.greedy.statement


# -- reproducible, and the study untouched ------------------------------------------------------


def _study_digest(study) -> str:  # type: ignore[no-untyped-def]
    h = hashlib.sha256()
    for column in (study.ties.source, study.ties.target, study.ties.weight, study.ties.relation):
        h.update(np.ascontiguousarray(column).tobytes())
    h.update("\x1f".join(study.ids + study.names + study.organisations).encode())
    return h.hexdigest()


def test_the_same_settings_give_the_same_numbers(demo_study, demo_result) -> None:  # type: ignore[no-untyped-def]
    before = _study_digest(demo_study)
    cfg = DiffusionConfig(runs=300, k=3, strategies=("random", "greedy", "pulsetakers"), greedy_runs=20)
    one = simulate(demo_study, cfg, analysis=demo_result).model_dump_json()
    two = simulate(demo_study, cfg, analysis=demo_result).model_dump_json()
    assert one == two
    other = simulate(demo_study, cfg.model_copy(update={"seed": 1}), analysis=demo_result)
    assert other.model_dump_json() != one
    assert _study_digest(demo_study) == before


def test_the_result_reloads_exactly(demo_study, demo_result) -> None:  # type: ignore[no-untyped-def]
    from lisa.scenarios import Diffusion

    cfg = DiffusionConfig(runs=50, k=2, strategies=("hubs", "random"))
    result = simulate(demo_study, cfg, analysis=demo_result)
    assert Diffusion.model_validate_json(result.model_dump_json()) == result


# -- bad settings: named errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"p": "0"}, "setting 'p'"),
        ({"p": "1.5"}, "setting 'p'"),
        ({"runs": "0"}, "setting 'runs'"),
        ({"runs": "many"}, "setting 'runs'"),
        ({"model": "sir"}, "setting 'model'"),
        ({"strategies": "hubs,oracles"}, "setting 'strategies"),
        ({"strategies": ""}, "at least one seed strategy"),
        ({"strategies": "chosen"}, "needs the setting 'people'"),
        ({"probability": "column"}, "needs the setting 'column'"),
        ({"thresholds": "column"}, "threshold_column"),
        ({"band": "1"}, "setting 'band'"),
        ({"seed": "-1"}, "setting 'seed'"),
        ({"speed": "9"}, "unknown setting 'speed'"),
    ],
)
def test_bad_settings_are_named(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DiffusionConfig.from_overrides(overrides)


def test_unknown_names_in_the_study_are_named() -> None:
    study = small_study()
    with pytest.raises(UnknownRelation, match="'advice'"):
        simulate(study, DiffusionConfig(relation="advice", strategies=("random",), runs=2))
    with pytest.raises(UnknownPerson, match="'anne'.*'ann'"):
        simulate(study, DiffusionConfig(strategies=("chosen",), people=("anne",), runs=2))
    with pytest.raises(ConfigError, match="grouping 'team'"):
        simulate(study, DiffusionConfig(groupings=("team",), strategies=("random",), runs=2))
    with pytest.raises(ConfigError, match="threshold column 'thr'|grouping 'thr'"):
        cfg = DiffusionConfig(model="linear-threshold", thresholds="column", threshold_column="thr",
                              strategies=("random",), runs=2)
        simulate(study, cfg)


def test_a_threshold_column_must_hold_shares() -> None:
    people = [dict(p, thr=t) for p, t in zip(PEOPLE, ["0.2", "0.5", "1.5", "0"], strict=True)]
    ties = [{"source": "bob", "target": "ann", "relation": "work"}]
    study = study_from_records(people, ties)
    cfg = DiffusionConfig(model="linear-threshold", thresholds="column", threshold_column="thr",
                          strategies=("random",), runs=2)
    with pytest.raises(ConfigError, match="person 'cat' has '1.5'"):
        simulate(study, cfg)


def test_too_many_counts_are_refused_before_any_work(demo_study) -> None:  # type: ignore[no-untyped-def]
    cfg = DiffusionConfig(runs=1_000_000, steps=1000, strategies=("random",))
    with pytest.raises(ConfigError, match="lower runs or steps"):
        simulate(demo_study, cfg)


def test_too_many_greedy_samples_are_refused_before_any_work(demo_study) -> None:  # type: ignore[no-untyped-def]
    cfg = DiffusionConfig(greedy_runs=100_000, strategies=("greedy",), runs=10)
    with pytest.raises(ConfigError, match="lower greedy_runs"):
        simulate(demo_study, cfg)


def test_an_analysis_of_other_data_is_refused(demo_result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="other data"):
        simulate(small_study(), DiffusionConfig(strategies=("hubs",), runs=5), analysis=demo_result)
