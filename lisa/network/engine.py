"""Orchestration: every network, every metric, in one pass with progress."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from lisa import execution
from lisa.config import AnalysisConfig
from lisa.network import brokerage as gf
from lisa.network import centrality, cores, mixing, resilience, response, roles
from lisa.network.graph import Net, build_net
from lisa.network.intermediaries import find_intermediaries
from lisa.network.results import (
    CombinedNetwork,
    Computation,
    Network,
    NetworkAnalysis,
    NetworkStats,
    diversity_value,
)
from lisa.randomness import rng_for
from lisa.study import Study

Progress = Callable[[str, int, int], None]
COMBINED = "combined"
#: Steps the progress callback counts per network.
STEPS_PER_NETWORK = 4


@dataclass
class _Measured:
    """One network's numbers before they become a :class:`Network` model."""

    label: str
    directed: bool
    stats: NetworkStats
    people: list[dict[str, Any]]
    core: np.ndarray
    brokerage: dict[str, np.ndarray]


class _Ticker:
    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, task: str) -> None:
        if self.progress is not None:
            self.progress(task, self.done, self.total)
        self.done += 1

    def finish(self) -> None:
        if self.progress is not None:
            self.progress("done", self.total, self.total)


def _person_rows(
    net: Net,
    metrics: dict[str, np.ndarray],
    brk: dict[str, np.ndarray],
    div: dict[str, np.ndarray],
    role_lists: list[list[str]],
) -> list[dict[str, Any]]:
    """One plain dict per person (validated into models once, in bulk)."""
    cols = {k: v.tolist() for k, v in metrics.items()}
    cols["in_degree"], cols["out_degree"] = net.in_degree.tolist(), net.out_degree.tolist()
    brk_l = {k: v.tolist() for k, v in brk.items()}
    div_l = {k: [diversity_value(x) for x in v.tolist()] for k, v in div.items()}
    names = list(cols)
    rows = []
    for i in range(net.n):
        row = {k: cols[k][i] for k in names}
        row["brokerage"] = {k: dict(zip(gf.ROLES, v[i], strict=True)) for k, v in brk_l.items()}
        row["diversity"] = {k: v[i] for k, v in div_l.items()}
        row["roles"] = role_lists[i]
        rows.append(row)
    return rows


def _stats(
    net: Net,
    study: Study,
    core: np.ndarray,
    fit: float | None,
    groupings: dict[str, list[str]],
    div: dict[str, np.ndarray],
    ties_per_respondent: float,
    sources: int | None,
) -> NetworkStats:
    n = net.n
    reciprocated = int(np.sum(net.has_arcs(net.tgt, net.src))) if net.m else 0
    comps = net.graph.connected_components(mode="weak")
    return NetworkStats(
        people=n,
        arcs=net.m,
        density=net.m / (n * (n - 1)) if n > 1 else 0.0,
        reciprocity=reciprocated / net.m if net.m else 0.0,
        mean_out_degree=net.m / n if n else 0.0,
        ties_per_respondent=ties_per_respondent,
        components=len(comps),
        largest_component_share=max(comps.sizes()) / n if n else 0.0,
        isolates=[study.ids[i] for i in np.flatnonzero(net.contacts == 0)],
        core_size=int(core.sum()),
        core_fit=fit,
        ei_index={k: mixing.ei_index(net, v) for k, v in groupings.items()},
        mean_contact_diversity={
            k: diversity_value(float(np.nanmean(v))) if np.isfinite(v).any() else None
            for k, v in div.items()
        },
        exact=sources is None,
        samples=sources,
    )


def _measure(
    study: Study,
    net: Net,
    label: str,
    directed: bool,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    ties_per_respondent: float,
    tick: Callable[[str], None],
) -> _Measured:
    """Every per-person metric, the roles and the network's shape for one network."""
    sources = centrality.sources_for(net, config.exact_limit, config.samples)
    tick(f"{net.name}: betweenness")
    btw = centrality.betweenness(net, sources, rng_for(config.seed, "betweenness", net.name))
    tick(f"{net.name}: closeness")
    clo = centrality.closeness(
        net, sources, rng_for(config.seed, "closeness", net.name), centrality.reachers(net)
    )
    tick(f"{net.name}: cores and reach")
    kcore = centrality.coreness(net)
    core, fit = cores.fit_core(net, kcore, config.core_min_size)
    reach = centrality.reach2(net)
    is_ap, cut = centrality.articulation(net)
    tick(f"{net.name}: brokerage and diversity")
    brk = gf.brokerage(net, groupings)
    div: dict[str, np.ndarray] = {
        k: mixing.diversity(net, groupings[k]) for k in ("sector", "layer") if k in groupings
    }
    uncertain = roles.uncertain_gatekeepers(
        btw, net.contacts, cut, config, rng_for(config.seed, "role-bootstrap", net.name)
    )
    role_lists = roles.assign_roles(
        net.in_degree, net.contacts, btw.values, cut, reach, config, uncertain
    )
    metrics = {
        "betweenness": btw.values,
        "closeness": clo,
        "coreness": kcore,
        "core": core,
        "reach2": reach,
        "articulation": is_ap,
        "cut_off": cut,
    }
    stats = _stats(net, study, core, fit, groupings, div, ties_per_respondent, sources)
    stats.uncertain_gatekeepers = [study.ids[i] for i in np.flatnonzero(uncertain)]
    rows = _person_rows(net, metrics, brk, div, role_lists)
    return _Measured(label, directed, stats, rows, core, brk)


def _model(measured: _Measured, ids: list[str], cls: type[Network]) -> Network:
    return cls.model_validate(
        {
            "label": measured.label,
            "directed": measured.directed,
            "network": measured.stats,
            "people": dict(zip(ids, measured.people, strict=True)),
        }
    )


def _groupings(study: Study, config: AnalysisConfig) -> dict[str, list[str]]:
    return {key: study.group_values(key) for key in config.groupings}


@dataclass(frozen=True)
class _Job:
    """One network to measure (a relation, or ``name`` None for all combined)."""

    name: str | None
    label: str
    directed: bool
    per_respondent: float


#: What every job reads, set in the parent before the workers start (inherited
#: by forked workers, sent once to each spawned one).
_CONTEXT: dict[str, Any] = {}


def _set_context(
    study: Study, config: AnalysisConfig, groupings: dict[str, list[str]], combined: Net
) -> None:
    _CONTEXT.update(study=study, config=config, groupings=groupings, combined=combined)


def _net(study: Study, job: _Job) -> Net:
    src, tgt, _ = study.arcs(job.name)
    return build_net(job.name or COMBINED, study.n_people, src, tgt, job.directed)


def _run_job(job: _Job, tick: Callable[[str], None] | None = None) -> _Measured:
    study, config = _CONTEXT["study"], _CONTEXT["config"]
    # the combined network is the parent's own, so its graphs are built once
    # (and, in this process, reused by resilience and mixing)
    return _measure(
        study,
        _CONTEXT["combined"] if job.name is None else _net(study, job),
        job.label,
        job.directed,
        config,
        _CONTEXT["groupings"],
        job.per_respondent,
        tick or (lambda _task: None),
    )


def _jobs(study: Study, original: Study, config: AnalysisConfig) -> list[_Job]:
    responded = original.responded if original.response_known else np.ones(study.n_people, bool)
    n_resp = int(responded.sum())
    specs = [(r.name, r.display(), r.directed) for r in study.relations]
    jobs = []
    for name, label, directed in [*specs, (None, "All relations combined", True)]:
        # arcs sent before imputation (the same arrays when nothing was imputed)
        sent = study.arcs(name)[0] if original is study else original.arcs(name)[0]
        per_respondent = int(responded[sent].sum()) / n_resp if n_resp else 0.0
        jobs.append(_Job(name, label, directed, per_respondent))
    return jobs


def _measure_all(
    context: tuple[Study, AnalysisConfig, dict[str, list[str]], Net],
    jobs: list[_Job],
    workers: int,
    tick: _Ticker,
) -> dict[str | None, _Measured]:
    """Measure every network, in ``workers`` processes when the place is big enough.

    ``context`` is the study, the settings, the groupings and the combined network.
    """
    _set_context(*context)
    try:
        if workers <= 1:
            return {job.name: _run_job(job, tick) for job in jobs}
        with execution.forked_pool(min(workers, len(jobs)), _set_context, context) as pool:
            futures = {pool.submit(_run_job, job): job for job in jobs}
            out: dict[str | None, _Measured] = {}
            for future in as_completed(futures):
                job = futures[future]
                out[job.name] = future.result()
                for _ in range(STEPS_PER_NETWORK):
                    tick(f"{job.name or COMBINED}: measured")
            return out
    finally:
        _CONTEXT.clear()


def analyse_network(
    study: Study,
    config: AnalysisConfig,
    progress: Progress | None = None,
    workers: int | None = None,
) -> NetworkAnalysis:
    """Compute the numeric analysis of ``study`` (see the module docs of :mod:`lisa.network`).

    Parameters
    ----------
    study
        The study, already restricted to the wave to analyse.
    config
        The analysis settings (role rules, thresholds, sampling, imputation, seed).
    progress
        Optional callback ``progress(task, done, total)``.
    workers
        Worker processes for the networks (they are independent); None for the
        machine's cores (see :func:`lisa.execution.workers_for`). The
        result is the same for any number: every random draw is seeded by name.

    Returns
    -------
    NetworkAnalysis
        Every network's numbers, core consistency, mixing, resilience and response.
    """
    original = study
    imputed = 0
    if config.impute == "reciprocity":
        study, imputed = response.impute_reciprocity(study)
    tick = _Ticker(progress, STEPS_PER_NETWORK * (len(study.relations) + 1) + 2)
    jobs = _jobs(study, original, config)
    combined_net = _net(study, jobs[-1])
    groupings = _groupings(study, config)
    measured = _measure_all(
        (study, config, groupings, combined_net),
        jobs,
        execution.workers_for(combined_net.work, workers),
        tick,
    )
    tick("core consistency and mixing")
    relation_cores = {r.name: measured[r.name].core for r in study.relations}
    consistency, counts = cores.consistency(
        study.ids, relation_cores, groupings, config.stable_core_share
    )
    for row, count in zip(measured[None].people, counts.tolist(), strict=True):
        row["core_networks"] = count
    tick("resilience")
    departures = resilience.resilience(
        combined_net,
        study.ids,
        resilience.scenarios(study, combined_net, consistency.stable_core, config),
        config.seed,
        groups={
            g: resilience.group_codes(groupings[g])
            for g in resilience.BETWEEN_GROUPINGS
            if g in groupings
        },
        brokerage=measured[None].brokerage,
    )
    tick.finish()
    answered = response.response_summary(original, config, imputed)
    return NetworkAnalysis(
        computation=Computation(
            exact=all(m.stats.exact for m in measured.values()),
            samples=next((m.stats.samples for m in measured.values() if m.stats.samples), None),
        ),
        response=answered,
        relations={r.name: _model(measured[r.name], study.ids, Network) for r in study.relations},
        combined=_model(measured[None], study.ids, CombinedNetwork),  # type: ignore[arg-type]
        core_consistency=consistency,
        layers=mixing.layer_mixing(combined_net, study.group_values("layer"), config),
        sectors=mixing.mixing(combined_net, study.group_values("sector")),
        resilience=departures,
        intermediaries=find_intermediaries(
            study,
            combined_net,
            measured[None].brokerage,
            measured[None].stats.uncertain_gatekeepers,
            answered,
            config,
        ),
    )
