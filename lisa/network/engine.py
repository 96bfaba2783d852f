"""Orchestration: every network, every metric, in one pass with progress."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lisa.config import AnalysisConfig
from lisa.network import brokerage as gf
from lisa.network import centrality, cores, mixing, resilience, response, roles
from lisa.network.graph import Net, build_net
from lisa.study import Study

Progress = Callable[[str, int, int], None]
COMBINED = "combined"


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


@dataclass
class NetworkAnalysis:
    """The numeric results; :meth:`to_dict` gives the JSON blocks."""

    blocks: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.blocks


def _network_block(
    study: Study,
    net: Net,
    label: str,
    directed: bool,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    responded: np.ndarray,
    sent_by_respondents: int,
    rng: np.random.Generator,
    tick: Callable[[str], None],
) -> tuple[dict[str, Any], np.ndarray]:
    n = net.n
    exact = net.work <= config.exact_limit
    samples = min(config.samples, n)
    tick(f"{net.name}: betweenness")
    btw = centrality.betweenness(net, exact, samples, rng)
    tick(f"{net.name}: closeness")
    r = centrality.reachers(net)
    clo = centrality.closeness(net, exact, samples, rng, r)
    tick(f"{net.name}: cores and reach")
    kcore = centrality.coreness(net)
    core, fit = cores.fit_core(net, kcore, config.core_min_size)
    reach = centrality.reach2(net)
    is_ap, cut = centrality.articulation(net)
    tick(f"{net.name}: brokerage and diversity")
    brk = gf.brokerage(net, groupings)
    div = {
        key: mixing.diversity(net, groupings[key])
        for key in ("sector", "layer")
        if key in groupings
    }
    role_lists = roles.assign_roles(net.in_degree, net.contacts, btw, cut, reach, config)
    ids = study.ids
    people: dict[str, Any] = {}
    indeg, outdeg = net.in_degree.tolist(), net.out_degree.tolist()
    btw_l, clo_l, kc_l, core_l, reach_l = (
        btw.tolist(),
        clo.tolist(),
        kcore.tolist(),
        core.tolist(),
        reach.tolist(),
    )
    ap_l, cut_l = is_ap.tolist(), cut.tolist()
    brk_l = {k: v.tolist() for k, v in brk.items()}
    div_l = {k: v.tolist() for k, v in div.items()}
    for i, pid in enumerate(ids):
        people[pid] = {
            "in_degree": indeg[i],
            "out_degree": outdeg[i],
            "betweenness": btw_l[i],
            "closeness": clo_l[i],
            "coreness": kc_l[i],
            "core": bool(core_l[i]),
            "reach2": reach_l[i],
            "articulation": bool(ap_l[i]),
            "cut_off": cut_l[i],
            "brokerage": {k: dict(zip(gf.ROLES, v[i], strict=True)) for k, v in brk_l.items()},
            "diversity": {k: _num(v[i]) for k, v in div_l.items()},
            "roles": role_lists[i],
        }
    reciprocated = int(np.sum(net.has_arcs(net.tgt, net.src))) if net.m else 0
    comps = net.graph.connected_components(mode="weak")
    n_resp = int(responded.sum())
    network = {
        "people": n,
        "arcs": net.m,
        "density": net.m / (n * (n - 1)) if n > 1 else 0.0,
        "reciprocity": reciprocated / net.m if net.m else 0.0,
        "mean_out_degree": net.m / n if n else 0.0,
        "ties_per_respondent": sent_by_respondents / n_resp if n_resp else 0.0,
        "components": len(comps),
        "largest_component_share": max(comps.sizes()) / n if n else 0.0,
        "isolates": [ids[i] for i in np.flatnonzero(net.contacts == 0)],
        "core_size": int(core.sum()),
        "core_fit": fit,
        "ei_index": {k: mixing.ei_index(net, v) for k, v in groupings.items()},
        "mean_contact_diversity": {
            k: _num(float(np.nanmean(v))) if np.isfinite(v).any() else None for k, v in div.items()
        },
        "exact": exact,
        "samples": None if exact else samples,
    }
    return {"label": label, "directed": directed, "network": network, "people": people}, core


def analyse_network(
    study: Study, config: AnalysisConfig, progress: Progress | None = None
) -> NetworkAnalysis:
    """Compute the numeric analysis of ``study`` (see the module docs)."""
    rng = np.random.default_rng(config.seed)
    imputed = 0
    original = study
    if config.impute == "reciprocity":
        study, imputed = response.impute_reciprocity(study)
    names = study.relation_names
    steps_per_net = 4
    total = steps_per_net * (len(names) + 1) + 2
    done = 0

    def tick(task: str) -> None:
        nonlocal done
        if progress is not None:
            progress(task, done, total)
        done += 1

    groupings: dict[str, list[str]] = {}
    for key in config.groupings:
        groupings[key] = study.group_values(key)
    responded = original.responded if original.response_known else np.ones(study.n_people, bool)
    blocks: dict[str, Any] = {"relations": {}}
    core_members: dict[str, np.ndarray] = {}
    computation_exact = True
    max_samples = None
    networks: list[tuple[str | None, str, bool]] = [
        (r.name, r.display(), r.directed) for r in study.relations
    ]
    networks.append((None, "All relations combined", True))
    for name, label, directed in networks:
        src, tgt, _ = study.arcs(name)
        # arcs sent before imputation (the same arrays when nothing was imputed)
        o_src = src if original is study else original.arcs(name)[0]
        net = build_net(name or COMBINED, study.n_people, src, tgt, directed)
        block, core = _network_block(
            study,
            net,
            label,
            directed,
            config,
            groupings,
            responded,
            int(responded[o_src].sum()),
            rng,
            tick,
        )
        computation_exact &= block["network"]["exact"]
        if block["network"]["samples"]:
            max_samples = block["network"]["samples"]
        if name is not None:
            blocks["relations"][name] = block
            core_members[name] = core
        else:
            combined, combined_block = net, block
    tick("core consistency and mixing")
    consistency = cores.consistency(study.ids, core_members, groupings, config.stable_core_share)
    counts = consistency.pop("core_networks")
    for i, pid in enumerate(study.ids):
        combined_block["people"][pid]["core_networks"] = int(counts[i])
    blocks["combined"] = combined_block
    blocks["core_consistency"] = consistency
    blocks["layers"] = mixing.mixing(combined, study.group_values("layer"), layers=True)
    blocks["sectors"] = mixing.mixing(combined, study.group_values("sector"))
    tick("resilience")
    index = {pid: i for i, pid in enumerate(study.ids)}
    scenarios: list[tuple[str, np.ndarray]] = []
    stable = np.array([index[p] for p in consistency["stable_core"]], np.int64)
    scenarios.append(("stable-core", stable))
    top = np.argsort(-combined.in_degree, kind="stable")[: config.resilience_top_k]
    scenarios.append(("top-hubs", top[combined.in_degree[top] > 0].astype(np.int64)))
    sectors = np.asarray(study.sectors, dtype=object).astype(str)
    for sector in sorted(set(sectors.tolist()) - {""}):
        members = np.flatnonzero(sectors == sector)
        if members.size >= config.min_group_size:
            scenarios.append((f"group:sector={sector}", members.astype(np.int64)))
    blocks["resilience"] = resilience.resilience(combined, study.ids, scenarios, rng)
    blocks["response"] = response.response_summary(original, config, imputed)
    blocks["computation"] = {"exact": computation_exact, "samples": max_samples}
    if progress is not None:
        progress("done", total, total)
    return NetworkAnalysis(blocks)
