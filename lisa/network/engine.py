"""Orchestration: every network, every metric, in one pass with progress."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from lisa import execution
from lisa.config import AnalysisConfig
from lisa.network import brokerage as gf
from lisa.network import centrality, cores, mixing, resilience, response, roles
from lisa.network.graph import Net, build_net
from lisa.network.intermediaries import find_intermediaries, organisation_network
from lisa.network.results import (
    CombinedNetwork,
    CombinedPersonMetrics,
    Computation,
    Network,
    NetworkAnalysis,
    NetworkStats,
    PersonMetrics,
    Resilience,
    ResultModel,
    diversity_value,
)
from lisa.randomness import rng_for
from lisa.study import Study

Progress = Callable[[str, int, int], None]
COMBINED = "combined"
#: Steps the progress callback counts per network.
STEPS_PER_NETWORK = 4
M = TypeVar("M", bound=ResultModel)


@dataclass
class _Measured:
    """One network's numbers as arrays (cheap to send back from a worker).

    They become per-person models in the parent (:func:`_people`).
    """

    label: str
    directed: bool
    stats: NetworkStats
    metrics: dict[str, np.ndarray]
    brokerage: dict[str, np.ndarray]
    diversity: dict[str, np.ndarray]
    roles: list[list[str]]

    @property
    def core(self) -> np.ndarray:
        return self.metrics["core"]


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


def _trusted(cls: type[M], values: dict[str, Any], fields: frozenset[str]) -> M:
    """A model from values the engine computed itself, without validating them again.

    What :meth:`pydantic.BaseModel.model_construct` does, minus its per-field
    Python loop: ``values`` must hold every field, in the model's order, with
    the types validation would give (tests/test_engine_fast.py checks that the
    result equals a validated model, field by field and as JSON).
    """
    model = object.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_set = object.__setattr__


def _people(
    measured: _Measured, ids: list[str], core_networks: np.ndarray | None = None
) -> dict[str, PersonMetrics]:
    """Every person's :class:`PersonMetrics` (combined: with ``core_networks``), by id."""
    cls: type[PersonMetrics] = PersonMetrics if core_networks is None else CombinedPersonMetrics
    order = list(cls.model_fields)
    fields = frozenset(order)
    cols: dict[str, list[Any]] = {k: v.tolist() for k, v in measured.metrics.items()}
    if core_networks is not None:
        cols["core_networks"] = core_networks.tolist()
    scalars = [k for k in order if k in cols]
    brk = {k: _brokerage_dicts(v) for k, v in measured.brokerage.items()}
    div = {k: [diversity_value(x) for x in v.tolist()] for k, v in measured.diversity.items()}
    people: dict[str, PersonMetrics] = {}
    for i, pid in enumerate(ids):
        values = {k: cols[k][i] for k in scalars}
        values["brokerage"] = {k: v[i] for k, v in brk.items()}
        values["diversity"] = {k: v[i] for k, v in div.items()}
        values["roles"] = measured.roles[i]
        people[pid] = _trusted(cls, {k: values[k] for k in order}, fields)
    return people


def _brokerage_dicts(counts: np.ndarray) -> list[dict[str, int]]:
    """One role → count dict per person; people with the same counts share one dict.

    (Most people broker nothing, so a large place holds a handful of dicts, not one per
    person and grouping. The result is read, never changed in place.)
    """
    seen: dict[tuple[int, ...], dict[str, int]] = {}
    out = []
    for row in map(tuple, counts.tolist()):
        found = seen.get(row)
        if found is None:
            found = seen[row] = dict(zip(gf.ROLES, row, strict=True))
        out.append(found)
    return out


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
    sources: int | None,
) -> _Measured:
    """Every per-person metric, the roles and the network's shape for one network.

    ``sources``: the sampled sources of betweenness and closeness, decided once for
    the place (:func:`lisa.network.centrality.sources_for`); None for exact.
    """
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
    metrics["in_degree"], metrics["out_degree"] = net.in_degree, net.out_degree
    return _Measured(label, directed, stats, metrics, brk, div, role_lists)


def _model(measured: _Measured, cls: type[Network], people: dict[str, PersonMetrics]) -> Network:
    return cls.model_construct(
        label=measured.label, directed=measured.directed, network=measured.stats, people=people
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
    #: Its arcs: how long the job takes, roughly (the largest are started first).
    arcs: int = 0


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
    study, config, combined = _CONTEXT["study"], _CONTEXT["config"], _CONTEXT["combined"]
    # the combined network is the parent's own, so its graphs are built once
    # (and, in this process, reused by resilience and mixing)
    return _measure(
        study,
        combined if job.name is None else _net(study, job),
        job.label,
        job.directed,
        config,
        _CONTEXT["groupings"],
        job.per_respondent,
        tick or (lambda _task: None),
        # exact or sampled is decided once for the place, on its combined network
        centrality.sources_for(combined, config.exact_limit, config.samples),
    )


def _jobs(study: Study, original: Study, config: AnalysisConfig) -> list[_Job]:
    """One job per relation, then the combined network (the study's order)."""
    responded = original.responded if original.response_known else np.ones(study.n_people, bool)
    n_resp = int(responded.sum())
    specs = [(r.name, r.display(), r.directed) for r in study.relations]
    jobs = []
    for name, label, directed in [*specs, (None, "All relations combined", True)]:
        # arcs sent before imputation (the same arrays when nothing was imputed)
        sent = study.arcs(name)[0] if original is study else original.arcs(name)[0]
        per_respondent = int(responded[sent].sum()) / n_resp if n_resp else 0.0
        arcs = len(sent) if original is study else len(study.arcs(name)[0])
        jobs.append(_Job(name, label, directed, per_respondent, arcs))
    return jobs


Received = Callable[[_Job, _Measured], None]


def _measure_all(
    context: tuple[Study, AnalysisConfig, dict[str, list[str]], Net],
    jobs: list[_Job],
    workers: int,
    tick: _Ticker,
    meanwhile: Callable[[], None],
    received: Received,
) -> None:
    """Measure every network, in ``workers`` processes when the place is big enough.

    ``context`` is the study, the settings, the groupings and the combined network.
    With workers, the largest networks start first (so the last to finish is a
    small one), ``meanwhile()`` runs here while they work, and each network is
    handed to ``received`` as it arrives, so this process turns it into models
    while the workers measure the rest. The result is the same either way.
    """
    _set_context(*context)
    try:
        if workers <= 1:
            meanwhile()
            for job in jobs:
                received(job, _run_job(job, tick))
            return
        largest_first = sorted(jobs, key=lambda j: -j.arcs)
        with execution.forked_pool(min(workers, len(jobs)), _set_context, context) as pool:
            futures = {pool.submit(_run_job, job): job for job in largest_first}
            meanwhile()
            for future in as_completed(futures):
                job = futures[future]
                received(job, future.result())
                for _ in range(STEPS_PER_NETWORK):
                    tick(f"{job.name or COMBINED}: measured")
    finally:
        _CONTEXT.clear()


@dataclass
class _Parts:
    """The blocks of one analysis as they are computed (see :func:`analyse_network`)."""

    measured: dict[str | None, _Measured]
    networks: dict[str, Network]
    blocks: dict[str, Any]


def _independent(
    study: Study,
    original: Study,
    combined: Net,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    imputed: int,
) -> dict[str, Any]:
    """What does not need the networks' cores: mixing, response, most of resilience."""
    probed = resilience.probe(combined, config.seed)
    return {
        "response": response.response_summary(original, config, imputed),
        "layers": mixing.layer_mixing(combined, study.group_values("layer"), config),
        "sectors": mixing.mixing(combined, study.group_values("sector")),
        "probe": probed,
        "baseline": resilience.baseline(combined, probed),
        "departures": [
            resilience.departure(combined, study.ids, sc, probed, config.seed)
            for sc in resilience.other_scenarios(study, combined, config)
        ],
        # the intermediaries' organisation network needs no measured network either
        "organisations": organisation_network(study),
    }


def _resilience(
    study: Study,
    combined: Net,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    parts: _Parts,
    stable_core: list[str],
) -> Resilience:
    """The resilience block: the stable core's departure, then the others (computed before)."""
    (core,) = [
        s for s in resilience.scenarios(study, combined, stable_core, config)
        if s.kind == "stable-core"
    ]
    first = resilience.departure(
        combined,
        study.ids,
        core,
        parts.blocks["probe"],
        config.seed,
        groups={
            g: resilience.group_codes(groupings[g])
            for g in resilience.BETWEEN_GROUPINGS
            if g in groupings
        },
        brokerage=parts.measured[None].brokerage,
    )
    found = [first, *parts.blocks["departures"]]
    return Resilience(
        baseline=parts.blocks["baseline"], scenarios=[d for d in found if d is not None]
    )


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
    parts = _Parts({}, {}, {})

    def meanwhile() -> None:
        parts.blocks = _independent(study, original, combined_net, config, groupings, imputed)

    def received(job: _Job, measured: _Measured) -> None:
        parts.measured[job.name] = measured
        if job.name is not None:  # the combined people need every relation's core
            parts.networks[job.name] = _model(measured, Network, _people(measured, study.ids))

    _measure_all(
        (study, config, groupings, combined_net),
        jobs,
        execution.workers_for(combined_net.work, workers),
        tick,
        meanwhile,
        received,
    )
    measured = parts.measured
    tick("core consistency and mixing")
    relation_cores = {r.name: measured[r.name].core for r in study.relations}
    consistency, counts = cores.consistency(
        study.ids, relation_cores, groupings, config.stable_core_share
    )
    combined = _model(measured[None], CombinedNetwork, _people(measured[None], study.ids, counts))
    tick("resilience")
    departures = _resilience(
        study, combined_net, config, groupings, parts, consistency.stable_core
    )
    tick.finish()
    answered = parts.blocks["response"]
    return NetworkAnalysis(
        computation=Computation(
            exact=all(m.stats.exact for m in measured.values()),
            samples=next((m.stats.samples for m in measured.values() if m.stats.samples), None),
        ),
        response=answered,
        relations={r.name: parts.networks[r.name] for r in study.relations},
        combined=combined,  # type: ignore[arg-type]
        core_consistency=consistency,
        layers=parts.blocks["layers"],
        sectors=parts.blocks["sectors"],
        resilience=departures,
        intermediaries=find_intermediaries(
            study,
            combined_net,
            measured[None].brokerage,
            measured[None].stats.uncertain_gatekeepers,
            answered,
            config,
            parts.blocks["organisations"],
        ),
    )
