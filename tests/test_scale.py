"""One place, fast and honest: workers, the sampling budget, role stability, big outputs."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

import lisa
from lisa import analysis as analysis_module
from lisa import execution as parallel
from lisa.config import AnalysisConfig
from lisa.errors import ConfigError
from lisa.network import brokerage as gf
from lisa.network import centrality, roles
from lisa.network.graph import build_net
from lisa.privacy import Pseudonymiser


@pytest.fixture(scope="module")
def place() -> lisa.Study:
    return lisa.generate(400, seed=3)


def test_workers_do_not_change_the_result(place: lisa.Study) -> None:
    one = lisa.analyse(place, workers=1)
    two = lisa.analyse(place, workers=2)
    strip = lambda r: json.loads(r.to_json()) | {"computation": None}  # noqa: E731
    assert strip(one) == strip(two)


def _split_run(study: lisa.Study, part_work: int, workers: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """The analysis JSON (without its timing) with networks split above ``part_work``."""
    monkeypatch.setattr(parallel, "PART_WORK", part_work)
    doc = json.loads(lisa.analyse(study, workers=workers).to_json())
    doc["computation"].pop("seconds")
    return json.dumps(doc)


def test_split_betweenness_is_the_same_with_any_number_of_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every network is cut into source parts (the combined one into about 20): the
    # parts are fixed by the network, so one worker and two write the same bytes
    study = lisa.generate(250, seed=4)
    combined = build_net("c", study.n_people, *study.arcs(None)[:2])
    part_work = -(-combined.work // 20)
    assert len(centrality.source_parts(combined, part_work)) == 20
    one = _split_run(study, part_work, 1, monkeypatch)
    assert one == _split_run(study, part_work, 2, monkeypatch)
    assert one == _split_run(study, part_work, 3, monkeypatch)


def test_split_betweenness_and_closeness_equal_networkx(monkeypatch: pytest.MonkeyPatch) -> None:
    import networkx as nx

    study = lisa.generate(250, seed=4)
    src, tgt, _ = study.arcs(None)
    combined = build_net("c", study.n_people, src, tgt)
    monkeypatch.setattr(parallel, "PART_WORK", combined.work // 7)
    result = lisa.analyse(study, workers=2)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(study.n_people))
    graph.add_edges_from(zip(src.tolist(), tgt.tolist(), strict=True))
    btw = nx.betweenness_centrality(graph, normalized=True)
    clo = nx.closeness_centrality(graph)
    people = result.combined.people
    assert result.computation.exact
    for i, pid in enumerate(study.ids):
        assert people[pid].betweenness == pytest.approx(btw[i], abs=1e-12), pid
        assert people[pid].closeness == pytest.approx(clo[i], abs=1e-12), pid
    # and the split analysis is the unsplit one, up to the order floating-point sums run in
    whole = json.loads(_split_run(study, 10**12, 1, monkeypatch))
    split = json.loads(_split_run(study, combined.work // 7, 1, monkeypatch))
    for name in ("combined", *study.relation_names):
        a = whole["combined"] if name == "combined" else whole["relations"][name]
        b = split["combined"] if name == "combined" else split["relations"][name]
        for pid, person in a["people"].items():
            other = b["people"][pid]
            assert other["betweenness"] == pytest.approx(person["betweenness"], abs=1e-12)
            assert {k: v for k, v in other.items() if k != "betweenness"} == {
                k: v for k, v in person.items() if k != "betweenness"
            }
        assert a["network"] == b["network"]


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_step_once_when_networks_are_split(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = lisa.generate(200, seed=2)
    monkeypatch.setattr(parallel, "PART_WORK", 20_000)  # every network in several parts
    seen: list[tuple[int, int]] = []
    lisa.analyse(study, workers=workers, progress=lambda _task, done, total: seen.append((done, total)))
    total = seen[0][1]
    assert total == 4 * (len(study.relations) + 1) + 2
    assert [done for done, _ in seen] == [*range(total), total]  # one step at a time, then done


@pytest.mark.parametrize(("people", "sampled"), [(900, False), (900, True)])
def test_combined_person_pieces_give_the_unpieced_bytes(
    people: int, sampled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the combined network's brokerage and reach, computed in ranges of brokers as tasks of
    # their own, are exactly the whole network's (integer counts, per-person reach), with
    # any number of workers, on an exact place (beside source parts) and a sampled one
    study = lisa.generate(people, seed=4)
    combined = build_net("c", study.n_people, *study.arcs(None)[:2])
    paths = int(combined.in_degree @ combined.out_degree)
    config_limit = combined.work - 1 if sampled else 10**12
    monkeypatch.setattr(parallel, "PART_WORK", 10**15 if sampled else combined.work // 3)
    whole = _pieced_config_run(study, 10**15, 1, config_limit, monkeypatch)
    assert len(gf.broker_parts(combined, paths // 9)) >= 8
    for workers in (1, 2, 3):
        assert _pieced_config_run(study, paths // 9, workers, config_limit, monkeypatch) == whole
    assert json.loads(whole)["computation"]["exact"] is not sampled


def _pieced_config_run(
    study: lisa.Study, piece_paths: int, workers: int, exact_limit: int, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(parallel, "PIECE_PATHS", piece_paths)
    doc = json.loads(lisa.analyse(study, AnalysisConfig(exact_limit=exact_limit), workers=workers).to_json())
    doc["computation"].pop("seconds")
    return json.dumps(doc)


def test_broker_parts_cover_everyone_once_and_balance_the_paths() -> None:
    rng = np.random.default_rng(2)
    src, tgt = rng.integers(0, 3000, 40_000), rng.integers(0, 3000, 40_000)
    keep = src != tgt
    net = build_net("x", 3000, src[keep], tgt[keep])
    paths = net.in_degree * net.out_degree
    for part in (10**12, int(paths.sum()) // 5, int(paths.sum()) // 40):
        ranges = gf.broker_parts(net, part)
        assert [v for r in ranges for v in r] == list(range(3000))
        assert len(ranges) == -(-int(paths.sum()) // part)
        # no piece holds much more than its share (one person's paths at most over it)
        assert max(int(paths[r.start:r.stop].sum()) for r in ranges) <= part + int(paths.max())
        pieces = [gf.brokerage(net, {"g": (np.arange(3000) % 7).astype(str).tolist()}, r)["g"] for r in ranges]
        whole = gf.brokerage(net, {"g": (np.arange(3000) % 7).astype(str).tolist()})["g"]
        assert (sum(pieces[1:], pieces[0]) == whole).all()


def test_source_parts_cover_every_source_once() -> None:
    net = build_net("x", 1001, np.arange(1000), np.arange(1, 1001))
    for work in (1, 10_000, 100_000, 10**9):
        parts = centrality.source_parts(net, work)
        assert [v for part in parts for v in part] == list(range(1001))
        assert len(parts) == min(1001, -(-net.work // work))
        assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_workers_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        parallel.workers_for(10**9, 0)
    monkeypatch.setenv(parallel.WORKERS_ENV, "two")
    with pytest.raises(ConfigError, match="LISA_WORKERS"):
        parallel.cores()
    monkeypatch.setenv(parallel.WORKERS_ENV, "3")
    assert parallel.workers_for(10**9) == 3
    assert parallel.workers_for(10) == 1  # a small place stays in this process


def _cost(n: int, m: int, limit: int, samples: int) -> int:
    src = np.arange(m) % n
    net = build_net("x", n, src, (src + 1 + np.arange(m) // n) % n)
    k = centrality.sources_for(net, limit, samples)
    return (n if k is None else k) * net.m


def _never_falls(costs: list[int]) -> bool:
    """No cost below the largest before it (beyond the rounding of whole sources)."""
    return all(c >= 0.98 * max(costs[: i + 1]) for i, c in enumerate(costs))


def test_sampling_cost_never_falls_as_the_place_grows() -> None:
    # the work of betweenness (sources x arcs) grows with the place: no cliff at exact_limit
    limit, samples = 2_000_000, 64
    for m in (2_000, 8_000, 30_000):
        costs = [_cost(n, m, limit, samples) for n in range(100, 2_000, 50) if n < m]
        assert _never_falls(costs), m
    for n in (300, 900):
        costs = [_cost(n, m, limit, samples) for m in range(n, 40_000, 1_000)]
        assert _never_falls(costs), n
    # the old rule (exact, else a fixed 64 sources) fell by a factor of n / 64
    assert not _never_falls([900 * 2_000, 64 * 2_300])


def _place_cost(study: lisa.Study, config: AnalysisConfig) -> int:
    """The work of betweenness in a whole place: sources × arcs, summed over its networks."""
    nets = [build_net(r.name, study.n_people, *study.arcs(r.name)[:2]) for r in study.relations]
    combined = build_net("combined", study.n_people, *study.arcs(None)[:2])
    k = centrality.sources_for(combined, config.exact_limit, config.samples)
    return sum((study.n_people if k is None else k) * net.m for net in [*nets, combined])


def test_a_place_costs_no_less_as_it_grows_across_the_exact_limit() -> None:
    # decided once per place: a place just above exact_limit does as much work as one
    # just below it (every network, relations too, gets the same sources)
    config = AnalysisConfig()
    sizes = range(2_000, 4_001, 250)
    places = [lisa.generate(n, seed=1) for n in sizes]
    nets = [build_net("c", p.n_people, *p.arcs(None)[:2]) for p in places]
    exact = [centrality.sources_for(n, config.exact_limit, config.samples) is None for n in nets]
    assert exact[0] and not exact[-1], "the sizes should straddle the exact limit"
    assert _never_falls([_place_cost(p, config) for p in places])


@pytest.mark.parametrize("part_work", [None, 1_000])
def test_every_network_of_a_sampled_place_uses_the_same_sources(
    place: lisa.Study, part_work: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an exact_limit the relations fit under but the combined network does not: the
    # place is sampled as a whole, no relation is exact beside a sampled combined network,
    # also where the relations are large enough to be split into parts when exact
    if part_work is not None:
        monkeypatch.setattr(parallel, "PART_WORK", part_work)
    combined = build_net("c", place.n_people, *place.arcs(None)[:2])
    largest = max(len(place.arcs(r.name)[0]) for r in place.relations)
    limit = place.n_people * largest + 1
    assert limit < combined.work
    result = lisa.analyse(place, AnalysisConfig(exact_limit=limit, role_replicates=60))
    k = centrality.sources_for(combined, limit, AnalysisConfig().samples)
    assert k is not None and result.computation.samples == k and not result.computation.exact
    nets = [*result.relations.values(), result.combined]
    assert all(not n.network.exact and n.network.samples == k for n in nets)


def test_the_default_sampling_floor_names_almost_only_exact_gatekeepers() -> None:
    # the default floor (samples=64 sources for every network: what the budget gives a
    # 100,000-person place) against the exact run on a place where both can be computed;
    # docs/method.md has the study at 5,000 to 20,000 people
    study = lisa.generate(1_000, seed=5)
    exact = _gatekeepers(lisa.analyse(study))
    sampled_run = lisa.analyse(study, AnalysisConfig(exact_limit=1))
    assert sampled_run.computation.samples == AnalysisConfig().samples
    named = _gatekeepers(sampled_run)
    # 3 of 504 here; without the bootstrap (role_stability=0.01) 117 of 801 would be wrong
    assert len(named - exact) <= 0.02 * len(named)
    assert 0.4 * len(exact) < len(named) < len(exact)  # fewer named, not none


def _sampled() -> AnalysisConfig:
    return AnalysisConfig(exact_limit=1, samples=16, role_replicates=60)


def test_exact_places_have_no_uncertain_gatekeepers(place: lisa.Study) -> None:
    result = lisa.analyse(place)
    assert result.computation.exact
    assert all(not n.network.uncertain_gatekeepers for n in result.relations.values())


def test_unstable_gatekeepers_are_never_named(place: lisa.Study) -> None:
    result = lisa.analyse(place, _sampled())
    net = result.combined
    assert not net.network.exact and net.network.samples == 16
    uncertain = set(net.network.uncertain_gatekeepers)
    assert uncertain, "16 sampled sources of 400 people should leave some roles unsettled"
    assert not any("gatekeeper" in net.people[p].roles for p in uncertain)
    named = {kp.id for kp in result.key_people("gatekeeper", limit=1000)}
    assert named and not named & uncertain
    # the JSON keeps them, pseudonymised like every other id
    pseudo = Pseudonymiser(place).result(result)
    codes = set(pseudo.combined.network.uncertain_gatekeepers)
    assert len(codes) == len(uncertain) and not codes & set(place.ids)


def _gatekeepers(result: analysis_module.AnalysisResult) -> set[tuple[str, str]]:
    nets = {**result.relations, "combined": result.combined}
    return {(k, p) for k, net in nets.items() for p, m in net.people.items() if "gatekeeper" in m.roles}


def test_fewer_sources_name_fewer_gatekeepers_not_wrong_ones(place: lisa.Study) -> None:
    # the default sampling floor is small (samples=64) because of this: what the
    # bootstrap does not confirm is not named, so a sampled run names almost only
    # people the exact run calls gatekeepers too, and fewer sources name fewer
    exact = _gatekeepers(lisa.analyse(place))
    named = {
        k: _gatekeepers(
            lisa.analyse(place, AnalysisConfig(exact_limit=1, samples=k, role_replicates=60))
        )
        for k in (16, 64)
    }
    for found in named.values():
        assert len(found - exact) <= 0.03 * len(found)
    assert 0 < len(named[16]) < len(named[64]) < len(exact)


def test_a_clear_gatekeeper_is_confirmed_by_every_replicate() -> None:
    # two dense groups joined only through one person: everyone's betweenness but hers is ~0
    rng = np.random.default_rng(0)
    a = [(i, j) for i in range(30) for j in range(30) if i != j and rng.random() < 0.3]
    b = [(i + 31, j + 31) for i, j in a]
    bridge = [(0, 30), (30, 0), (30, 31), (31, 30)]
    src, tgt = np.array([e[0] for e in a + b + bridge]), np.array([e[1] for e in a + b + bridge])
    net = build_net("x", 61, src, tgt)
    config = AnalysisConfig(gatekeeper_quantile=0.97, role_replicates=100)
    btw = centrality.betweenness(net, 40, np.random.default_rng(1))
    assert btw.batches is not None and btw.sizes is not None and btw.sizes.sum() == 40
    assert np.allclose(btw.sizes @ btw.batches / 40, btw.values)
    cut = np.zeros(61, np.int64)
    uncertain = roles.uncertain_gatekeepers(btw, net.contacts, cut, config, np.random.default_rng(2))
    assert not uncertain[30]


def test_people_table_holds_what_the_json_holds(place: lisa.Study, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = lisa.analyse(place)
    path = result.write_people_table(tmp_path / "people.parquet")
    table = pl.read_parquet(path)
    assert table.height == (len(result.relations) + 1) * place.n_people
    combined = table.filter(pl.col("network") == "combined")
    assert combined["id"].to_list() == list(result.combined.people)
    first = result.combined.people[place.ids[0]]
    row = combined.row(0, named=True)
    assert row["betweenness"] == first.betweenness and row["roles"] == list(first.roles)
    assert row["core_networks"] == first.core_networks
    assert row["brokerage_sector_liaison"] == first.brokerage["sector"]["liaison"]
    work = table.filter(pl.col("network") == "work")
    assert work["core_networks"].null_count() == place.n_people


def test_pseudonymised_table_has_no_roster_id_and_follows_the_shuffled_order(
    place: lisa.Study, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    pseudo = Pseudonymiser(place).result(lisa.analyse(place))
    table = pl.read_parquet(pseudo.write_people_table(tmp_path / "p.parquet"))
    ids = table["id"].to_list()
    assert not set(ids) & set(place.ids)
    assert ids[: place.n_people] == list(pseudo.relations[place.relation_names[0]].people)


def test_large_places_write_compact_json_that_reloads_exactly(
    place: lisa.Study, tmp_path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(analysis_module, "INDENT_UP_TO", 100)
    result = lisa.analyse(place)
    text = result.to_json()
    assert "\n" not in text
    path = result.write_json(tmp_path / "a.json")
    assert analysis_module.AnalysisResult.from_json(path).to_json() == text


def test_resilience_samples_reach_above_500_people() -> None:
    result = lisa.analyse(lisa.generate(520, seed=2))
    assert result.resilience.baseline.sampled_people == 500
    small = lisa.analyse(lisa.generate(480, seed=2))
    assert small.resilience.baseline.sampled_people is None
