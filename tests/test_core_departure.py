"""core-departure-risk reads the core's departure properly: overall reach, reach between
groups, and the core's share of between-group brokerage (issue 11)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lisa import AnalysisConfig, analyse, generate, study_from_records
from lisa.analysis import AnalysisResult
from lisa.findings import evaluate
from lisa.network.brokerage import ROLES
from lisa.study import Study


def without(result: AnalysisResult, *measures: str) -> list[str]:
    """The finding codes once the stable-core scenario lacks these measures (as before issue 11,
    when it had neither ``between_reach`` nor ``brokerage``)."""
    s = result.resilience.scenario("stable-core")
    assert s is not None
    for m in measures:
        setattr(s, m, {})
    return [f.code for f in evaluate(result, result.study, result.config)]


def place(
    *,
    sectors: int = 4,
    size: int = 100,
    inner: int = 5,
    core: int = 12,
    core_out: int = 8,
    name_core: float = 0.2,
    mix: float = 0.0,
    seed: int = 1,
) -> Study:
    """A place of ``sectors`` × ``size`` people plus a core clique of ``core``.

    Each person names ``inner`` others, in their own sector (or, with
    probability ``mix``, anywhere), and names a core member with probability
    ``name_core``; each core member names ``core_out`` people anywhere. Two
    relations, drawn the same way, so the core is the stable core.
    """
    rng = np.random.default_rng(seed)
    people = [
        {"id": f"s{s}p{i}", "sector": f"sector{s}", "organisation": f"org{s}-{i % 4}",
         "layer": ("frontline", "public")[i % 2]}
        for s in range(sectors) for i in range(size)
    ]  # fmt: skip
    cores = [f"core{c}" for c in range(core)]
    people += [
        {"id": c, "sector": f"sector{k % sectors}", "organisation": f"org{k % sectors}-0",
         "layer": "systemic"}
        for k, c in enumerate(cores)
    ]  # fmt: skip
    periphery = [p["id"] for p in people if p["layer"] != "systemic"]
    ties = []
    for relation in ("work", "innovation"):
        for s, i in itertools.product(range(sectors), range(size)):
            me = f"s{s}p{i}"
            for j in rng.choice(size, inner, replace=False):
                other = f"s{rng.integers(sectors) if rng.random() < mix else s}p{j}"
                if other != me:
                    ties.append({"source": me, "target": other, "relation": relation})
            if rng.random() < name_core:
                ties.append({"source": me, "target": str(rng.choice(cores)), "relation": relation})
        for a, b in itertools.permutations(cores, 2):
            ties.append({"source": a, "target": b, "relation": relation})
        for c in cores:
            for t in rng.choice(periphery, core_out, replace=False):
                ties.append({"source": c, "target": str(t), "relation": relation})
    return study_from_records(people, ties, name="bridging core")


@pytest.fixture(scope="module")
def bridging() -> Study:
    """Dense within sectors; a core of 3 % carries nearly every path between sectors."""
    return place()


@pytest.fixture(scope="module")
def bystander() -> Study:
    """A mixed place whose small core clique barely touches anyone."""
    return place(inner=6, core=10, core_out=1, name_core=0.02, mix=0.6, seed=2)


def test_the_bridging_core_is_found_and_small(bridging: Study) -> None:
    result = analyse(bridging)
    core = result.core_consistency.stable_core
    assert sorted(core) == sorted(f"core{c}" for c in range(12))
    assert len(core) / bridging.n_people < 0.03


def test_todays_reach_test_alone_stays_silent_on_the_bridging_core(bridging: Study) -> None:
    """The weakness of the issue: overall reach falls by less than a quarter."""
    result = analyse(bridging)
    s = result.resilience.scenario("stable-core")
    assert s is not None and s.reach_loss < result.config.departure_reach_loss
    assert "core-departure-risk" not in without(result, "between_reach", "brokerage")


def test_the_bridging_core_fires_on_reach_between_sectors_and_brokerage(bridging: Study) -> None:
    result = analyse(bridging)
    f = result.finding("core-departure-risk")
    assert f is not None and f.severity == "high"
    ev = f.evidence
    assert "reach" not in ev.triggers
    assert ev.triggers == ["between-reach", "brokerage"]
    sector = ev.between_reach["sector"]
    # no tie crosses sectors except through the core: once it leaves, nobody reaches
    # another sector within two steps
    assert sector.before > 0 and sector.after == 0 and sector.loss == 1.0
    assert sector.random_loss is not None and sector.random_loss < 0.05
    assert ev.brokerage["sector"].share >= 0.5
    assert f.headline.value == 1.0 and "between sectors" in f.headline.text
    assert sorted(f.people) == sorted(f"core{c}" for c in range(12))


def test_brokerage_share_is_the_sum_of_the_cores_between_group_counts(bridging: Study) -> None:
    result = analyse(bridging)
    s = result.resilience.scenario("stable-core")
    assert s is not None
    people = result.combined.people
    between = ("representative", "gatekeeper", "liaison")
    assert set(between) < set(ROLES)

    def held(ids: object) -> int:
        return sum(people[p].brokerage["sector"][r] for p in ids for r in between)  # type: ignore[literal-required, attr-defined]

    assert s.brokerage["sector"].total == held(people)
    assert s.brokerage["sector"].held == held(s.removed)
    assert s.brokerage["sector"].share_of_people == pytest.approx(12 / bridging.n_people)


def test_a_structurally_unimportant_core_does_not_fire(bystander: Study) -> None:
    result = analyse(bystander)
    s = result.resilience.scenario("stable-core")
    assert s is not None and len(s.removed) == 10
    assert s.reach_loss < 0.1
    assert all(b.loss < 0.1 for b in s.between_reach.values())
    assert all(b.share < 0.5 for b in s.brokerage.values())
    assert "core-departure-risk" not in result.finding_codes()


def test_each_new_test_fires_alone(bridging: Study) -> None:
    result = analyse(bridging)
    assert "core-departure-risk" in without(result, "brokerage")
    result = analyse(bridging)
    assert "core-departure-risk" in without(result, "between_reach")
    f = next(x for x in evaluate(result, result.study, result.config) if x.code == "core-departure-risk")
    assert f.evidence.triggers == ["brokerage"]  # type: ignore[attr-defined]
    assert f.headline.text.endswith("of brokerage")


def test_the_thresholds_are_settings(bridging: Study) -> None:
    strict = AnalysisConfig(departure_brokerage_share=0.9, departure_vs_random=100.0)
    f = analyse(bridging, strict).finding("core-departure-risk")
    assert f is not None and f.evidence.triggers == ["between-reach"]
    # random departures cost a little reach between sectors too: 1000 × that is more than all
    stricter = AnalysisConfig(departure_brokerage_share=0.9, departure_vs_random=1000.0)
    assert analyse(bridging, stricter).finding("core-departure-risk") is None
    assert "core-departure-risk" not in analyse(
        bridging, AnalysisConfig(departure_brokerage_share=0.9, core_max_share=0.02)
    ).finding_codes()


def test_the_appendix_c_demo_still_fires_on_reach() -> None:
    result = analyse(generate(300, seed=0))
    f = result.finding("core-departure-risk")
    assert f is not None and f.evidence.triggers[0] == "reach"
    assert f.headline.value == f.evidence.reach_loss


def test_between_reach_is_seeded_and_reproducible(bridging: Study) -> None:
    a = analyse(bridging, AnalysisConfig(seed=3)).resilience.scenario("stable-core")
    b = analyse(bridging, AnalysisConfig(seed=3)).resilience.scenario("stable-core")
    assert a is not None and b is not None and a.between_reach == b.between_reach
