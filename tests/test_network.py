"""The network engine against a second implementation (networkx) and brute force.

Tolerances: degrees, core numbers, articulation points and brokerage counts
must be identical; betweenness and closeness agree to 1e-9 (floating-point
summation order is the only difference). Sampled betweenness is checked for
its documented accuracy, not equality.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from lisa.analysis import analyse
from lisa.config import AnalysisConfig
from lisa.io import load_study, study_from_records
from lisa.network import brokerage as gf
from lisa.network import centrality, cores, mixing
from lisa.network.graph import build_net

TOL = 1e-9


def net_from_nx(g: nx.Graph) -> tuple[list, object]:  # type: ignore[type-arg]
    nodes = list(g.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    d = g if g.is_directed() else g.to_directed()
    src = np.array([index[u] for u, v in d.edges() if u != v], np.int32)
    tgt = np.array([index[v] for u, v in d.edges() if u != v], np.int32)
    return nodes, build_net("test", len(nodes), src, tgt)


def random_digraphs() -> list[nx.DiGraph]:
    out = []
    for seed, (n, p) in enumerate([(30, 0.05), (40, 0.1), (60, 0.03), (25, 0.3), (80, 0.02)]):
        out.append(nx.gnp_random_graph(n, p, seed=seed, directed=True))
    return out


GRAPHS = {
    "karate": nx.karate_club_graph(),
    "florentine": nx.florentine_families_graph(),
    **{f"random{i}": g for i, g in enumerate(random_digraphs())},
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_exact_metrics_equal_networkx(name: str) -> None:
    g = GRAPHS[name]
    d = g if g.is_directed() else g.to_directed()
    nodes, net = net_from_nx(g)
    rng = np.random.default_rng(0)
    btw = centrality.betweenness(net, None, rng).values
    r = centrality.reachers(net)
    clo = centrality.closeness(net, None, rng, r)
    kcore = centrality.coreness(net)
    nx_btw = nx.betweenness_centrality(d, normalized=True)
    nx_clo = nx.closeness_centrality(d)
    und = nx.Graph(d.to_undirected())
    und.remove_edges_from(nx.selfloop_edges(und))
    nx_core = nx.core_number(und)
    for i, v in enumerate(nodes):
        assert net.in_degree[i] == d.in_degree(v)
        assert net.out_degree[i] == d.out_degree(v)
        assert btw[i] == pytest.approx(nx_btw[v], abs=TOL), v
        assert clo[i] == pytest.approx(nx_clo[v], abs=TOL), v
        assert kcore[i] == nx_core[v]


@pytest.mark.parametrize("name", list(GRAPHS))
def test_reach_and_articulation_equal_brute_force(name: str) -> None:
    g = GRAPHS[name]
    nodes, net = net_from_nx(g)
    und = nx.Graph(g.to_undirected())
    n = len(nodes)
    reach = centrality.reach2(net)
    is_ap, cut = centrality.articulation(net)
    aps = set(nx.articulation_points(und))
    for i, v in enumerate(nodes):
        within = nx.single_source_shortest_path_length(und, v, cutoff=2)
        assert reach[i] == pytest.approx((len(within) - 1) / (n - 1))
        assert bool(is_ap[i]) == (v in aps)
        # brute force cut_off: remove v, compare its component with the largest remaining piece
        comp = nx.node_connected_component(und, v)
        h = und.subgraph(comp - {v})
        largest = max((len(c) for c in nx.connected_components(h)), default=0)
        assert cut[i] == len(comp) - 1 - largest, v


def brute_brokerage(d: nx.DiGraph, group: dict) -> dict:  # type: ignore[type-arg]
    counts = {v: dict.fromkeys(gf.ROLES, 0) for v in d}
    for v in d:
        for a in d.predecessors(v):
            for c in d.successors(v):
                if a == c or d.has_edge(a, c):
                    continue
                ga, gv, gc = group[a], group[v], group[c]
                if ga == gv == gc:
                    role = "coordinator"
                elif ga == gc:
                    role = "itinerant"
                elif ga == gv:
                    role = "representative"
                elif gv == gc:
                    role = "gatekeeper"
                else:
                    role = "liaison"
                counts[v][role] += 1
    return counts


@pytest.mark.parametrize("name", ["random1", "random3", "karate"])
def test_brokerage_equals_brute_force(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    g = GRAPHS[name]
    d = g if g.is_directed() else g.to_directed()
    nodes, net = net_from_nx(g)
    rng = np.random.default_rng(5)
    group = {v: f"g{rng.integers(0, 3)}" for v in nodes}
    expected = brute_brokerage(d, group)
    monkeypatch.setattr(gf, "CHUNK_PATHS", 50)  # exercise the chunking
    got = gf.brokerage(net, {"g": [group[v] for v in nodes]})["g"]
    for i, v in enumerate(nodes):
        assert dict(zip(gf.ROLES, got[i].tolist(), strict=True)) == expected[v], v


def test_core_fit_is_the_best_nested_k_core_by_brute_force() -> None:
    g = nx.karate_club_graph()
    nodes, net = net_from_nx(g)
    kcore = centrality.coreness(net)
    core, fit = cores.fit_core(net, kcore, 3)
    adj = nx.to_numpy_array(g, nodelist=nodes) > 0
    best = (-2.0, None)
    for k in sorted(set(kcore.tolist()) - {0}):
        member = kcore >= k
        if member.sum() < 3 or member.all():
            continue
        xs, ys = [], []
        for i, j in itertools.combinations(range(len(nodes)), 2):
            if member[i] == member[j]:
                xs.append(float(adj[i, j]))
                ys.append(1.0 if member[i] else 0.0)
        with np.errstate(all="ignore"):
            r = float(np.corrcoef(xs, ys)[0, 1])
        if np.isfinite(r) and r > best[0] + 1e-12:
            best = (r, member)
    assert fit == pytest.approx(best[0])
    assert np.array_equal(core, best[1])


def test_sampled_betweenness_is_close_on_a_large_graph() -> None:
    g = nx.gnp_random_graph(600, 0.01, seed=11, directed=True)
    nodes, net = net_from_nx(g)
    exact = centrality.betweenness(net, None, np.random.default_rng(0)).values
    est = centrality.betweenness(net, 300, np.random.default_rng(0)).values
    # documented: relative error of the total and rank agreement of the top decile
    assert abs(est.sum() - exact.sum()) / exact.sum() < 0.05
    top = set(np.argsort(-exact)[:60].tolist())
    assert len(top & set(np.argsort(-est)[:60].tolist())) >= 40
    r = centrality.reachers(net)
    clo_exact = centrality.closeness(net, None, np.random.default_rng(0), r)
    clo_est = centrality.closeness(net, 300, np.random.default_rng(0), r)
    assert np.max(np.abs(clo_est - clo_exact)) < 0.03


def test_ei_index_and_diversity_by_hand() -> None:
    # a -> b (same group), a -> c (other), c -> d (same)
    net = build_net("t", 4, np.array([0, 0, 2]), np.array([1, 2, 3]))
    groups = ["x", "x", "y", "y"]
    assert mixing.ei_index(net, groups) == pytest.approx((1 - 2) / 3)
    div = mixing.diversity(net, groups)
    # a's contacts: b (x), c (y) -> Blau 0.5, max for 2 groups 0.5 -> IQV 1
    assert div[0] == pytest.approx(1.0)
    assert div[1] == pytest.approx(0.0)
    m = mixing.mixing(net, groups)
    assert m.ties == {"x": {"x": 1, "y": 1}, "y": {"x": 0, "y": 1}}
    assert m.density["x"]["y"] == pytest.approx(1 / 4)


def test_mixing_separates_horizontal_and_vertical_links() -> None:
    people = [
        {"id": "s1", "layer": "systemic"},
        {"id": "s2", "layer": "systemic"},
        {"id": "c1", "layer": "sectoral"},
        {"id": "c2", "layer": "sectoral"},
    ]
    ties = [
        {"source": "s1", "target": "s2", "relation": "work"},
        {"source": "s1", "target": "c1", "relation": "work"},
        {"source": "c2", "target": "s2", "relation": "work"},
    ]
    layers = analyse(study_from_records(people, ties)).layers
    assert layers.link("systemic").density == pytest.approx(1 / 2)
    assert layers.link("sectoral").density == 0.0
    assert layers.link("systemic", "sectoral").density == pytest.approx(2 / 8)
    assert layers.link("systemic", "sectoral").kind == "vertical"


@pytest.mark.parametrize("dataset", ["krackhardt_hightech", "lazega_lawfirm", "padgett_florentine"])
def test_published_networks_match_their_reference_values(
    shared_networks: Path, dataset: str
) -> None:
    folder = shared_networks / dataset
    ref = json.loads((folder / "reference.json").read_text("utf-8"))
    result = analyse(load_study(folder)).to_dict()
    blocks = [(result["relations"][r], ref["relations"][r]) for r in ref["relations"]]
    blocks.append((result["combined"], ref["union_directed"]))
    for mine, theirs in blocks:
        assert mine["network"]["arcs"] == theirs["counts"]["arcs"]
        assert mine["network"]["density"] == pytest.approx(theirs["counts"]["density"])
        assert sorted(mine["network"]["isolates"]) == sorted(theirs["counts"]["isolates"])
        for pid, v in theirs["nodes"].items():
            p = mine["people"][pid]
            assert p["in_degree"] == v["in_degree"]
            assert p["out_degree"] == v["out_degree"]
            assert p["betweenness"] == pytest.approx(v["betweenness"], abs=TOL)
            assert p["closeness"] == pytest.approx(v["closeness"], abs=TOL)
            assert p["coreness"] == v["core_number"]


def test_core_consistency_counts_networks_per_person(demo_result) -> None:  # type: ignore[no-untyped-def]
    d = demo_result.to_dict()
    cores_by_rel = d["core_consistency"]["cores"]
    for pid, p in d["combined"]["people"].items():
        assert p["core_networks"] == sum(pid in ids for ids in cores_by_rel.values())
    stable = set(d["core_consistency"]["stable_core"])
    need = d["core_consistency"]["stable_core_min_networks"]
    assert stable == {
        pid for pid, p in d["combined"]["people"].items() if p["core_networks"] >= need
    }


def test_roles_follow_their_documented_rules(demo_result) -> None:  # type: ignore[no-untyped-def]
    cfg = AnalysisConfig()
    people = demo_result.to_dict()["combined"]["people"]
    active = [p for p in people.values() if p["in_degree"] + p["out_degree"] > 0]
    cut = max(
        np.quantile([p["in_degree"] for p in active], cfg.hub_quantile), cfg.hub_min_in_degree
    )
    for p in people.values():
        assert ("hub" in p["roles"]) == (p["in_degree"] >= cut and p in active)
        if "pulsetaker" in p["roles"]:
            assert "hub" not in p["roles"]


def test_departure_of_a_bridge_is_measured() -> None:
    # two cliques joined only through 'bridge'
    people = (
        [{"id": f"a{i}"} for i in range(5)]
        + [{"id": f"b{i}"} for i in range(5)]
        + [{"id": "bridge"}]
    )
    ties = []
    for side in "ab":
        for i, j in itertools.permutations(range(5), 2):
            ties.append({"source": f"{side}{i}", "target": f"{side}{j}", "relation": "work"})
    ties += [
        {"source": "a0", "target": "bridge", "relation": "work"},
        {"source": "bridge", "target": "b0", "relation": "work"},
    ]
    d = analyse(study_from_records(people, ties)).to_dict()
    bridge = d["combined"]["people"]["bridge"]
    assert bridge["articulation"] and bridge["cut_off"] == 5
    assert "gatekeeper" in bridge["roles"]
    # a0 leaving separates a1..a4 (4 people) from the larger bridge side (6)
    assert d["combined"]["people"]["a0"]["cut_off"] == 4
