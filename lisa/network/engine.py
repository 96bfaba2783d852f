"""Orchestration: every network, every metric, in one pass with progress."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

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
    Departure,
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
    #: Distinct contacts and, for closeness, how many others can reach each person
    #: (what :func:`_finish` reads when a network's betweenness is added up later).
    contacts: np.ndarray | None = None
    reachers: np.ndarray | None = None

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
    n = len(ids)
    brk = {k: _brokerage_dicts(v) for k, v in measured.brokerage.items()}
    div = {k: [diversity_value(x) for x in v.tolist()] for k, v in measured.diversity.items()}
    cols["brokerage"], cols["diversity"] = _per_person(brk, n), _per_person(div, n)
    cols["roles"] = measured.roles
    # one row of values per person, in the model's field order
    rows = zip(*(cols[k] for k in order), strict=True)
    return {
        pid: _trusted(cls, dict(zip(order, row, strict=True)), fields)
        for pid, row in zip(ids, rows, strict=True)
    }


def _per_person(columns: dict[str, list[Any]], n: int) -> list[dict[str, Any]]:
    """``{key: column}`` as one ``{key: value}`` dict for each of the ``n`` people."""
    if not columns:
        return [{} for _ in range(n)]
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _brokerage_dicts(counts: np.ndarray) -> list[dict[str, int]]:
    """One role → count dict per person; people with the same counts share one dict.

    (Most people broker nothing, so a large place holds a handful of dicts, not one per
    person and grouping. The result is read, never changed in place.)
    """
    if not len(counts):
        return []
    # each row's bytes as one value: a plain sort, several times quicker than unique(axis=0)
    # (the rows' order among themselves does not matter, only who shares which)
    c = np.ascontiguousarray(counts)
    keys = c.view(np.dtype((np.void, c.dtype.itemsize * c.shape[1]))).reshape(-1)
    distinct, which = np.unique(keys, return_inverse=True)
    rows = distinct.view(c.dtype).reshape(-1, c.shape[1])
    shared = [dict(zip(gf.ROLES, row, strict=True)) for row in rows.tolist()]
    return [shared[i] for i in which.reshape(-1).tolist()]


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


def _unfinished(
    study: Study,
    net: Net,
    label: str,
    directed: bool,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    ties_per_respondent: float,
    tick: Callable[[str], None],
    sources: int | None,
    persons: bool = True,
) -> tuple[_Measured, centrality.Betweenness, np.ndarray]:
    """One network's numbers before the roles (:func:`_finish`): the structure (with the
    per-person pieces unless ``persons`` is False, see :func:`_structure`), betweenness and
    closeness from ``sources`` sampled people (decided once for the place,
    :func:`lisa.network.centrality.sources_for`; None: exact)."""
    tick(f"{net.name}: betweenness")
    btw = centrality.betweenness(net, sources, rng_for(config.seed, "betweenness", net.name))
    tick(f"{net.name}: closeness")
    clo = centrality.closeness(
        net, sources, rng_for(config.seed, "closeness", net.name), centrality.reachers(net)
    )
    shape = _structure(study, net, label, directed, config, groupings, ties_per_respondent,
                       sources, tick, persons)
    return shape, btw, clo


def _structure(
    study: Study,
    net: Net,
    label: str,
    directed: bool,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    ties_per_respondent: float,
    sources: int | None,
    tick: Callable[[str], None],
    persons: bool = True,
) -> _Measured:
    """One network's metrics but betweenness, closeness and roles (see :func:`_finish`).

    ``persons`` False: without the per-person pieces (reach and brokerage), which are
    tasks of their own (:func:`_person_piece`) and added by :func:`_with_pieces`.
    """
    tick(f"{net.name}: cores and reach")
    kcore = centrality.coreness(net)
    core, fit = cores.fit_core(net, kcore, config.core_min_size)
    reach = centrality.reach2(net) if persons else np.zeros(0)
    is_ap, cut = centrality.articulation(net)
    tick(f"{net.name}: brokerage and diversity")
    brk = gf.brokerage(net, groupings) if persons else {}
    div: dict[str, np.ndarray] = {
        k: mixing.diversity(net, groupings[k]) for k in ("sector", "layer") if k in groupings
    }
    metrics = {
        "coreness": kcore,
        "core": core,
        "reach2": reach,
        "articulation": is_ap,
        "cut_off": cut,
        "in_degree": net.in_degree,
        "out_degree": net.out_degree,
    }
    stats = _stats(net, study, core, fit, groupings, div, ties_per_respondent, sources)
    return _Measured(label, directed, stats, metrics, brk, div, [], net.contacts)


def _finish(
    shape: _Measured,
    name: str,
    btw: centrality.Betweenness,
    clo: np.ndarray,
    config: AnalysisConfig,
    ids: list[str],
) -> _Measured:
    """A network's :func:`_structure` with its betweenness and closeness, and the roles."""
    metrics = shape.metrics
    assert shape.contacts is not None
    uncertain = roles.uncertain_gatekeepers(
        btw, shape.contacts, metrics["cut_off"], config, rng_for(config.seed, "role-bootstrap", name)
    )
    role_lists = roles.assign_roles(
        metrics["in_degree"], shape.contacts, btw.values, metrics["cut_off"], metrics["reach2"],
        config, uncertain,
    )
    shape.stats.uncertain_gatekeepers = [ids[i] for i in np.flatnonzero(uncertain)]
    shape.metrics = {"betweenness": btw.values, "closeness": clo, **metrics}
    shape.roles = role_lists
    shape.contacts = shape.reachers = None  # not sent on
    return shape


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
    study: Study,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    combined: Net,
    aside: _Aside | None = None,
) -> None:
    _CONTEXT.update(study=study, config=config, groupings=groupings, combined=combined, aside=aside)


@dataclass(frozen=True)
class _Aside:
    """What the tasks beside the networks read: the resilience probe and the departures
    that do not need the cores (the top hubs, each sizeable sector)."""

    probe: resilience.Probe
    scenarios: list[resilience.Scenario]


def _net(study: Study, job: _Job) -> Net:
    src, tgt, _ = study.arcs(job.name)
    return build_net(job.name or COMBINED, study.n_people, src, tgt, job.directed)


def _run_job(job: _Job, tick: Callable[[str], None] | None = None) -> _Measured:
    study, config, combined = _CONTEXT["study"], _CONTEXT["config"], _CONTEXT["combined"]
    # the combined network is the parent's own, so its graphs are built once
    # (and, in this process, reused by resilience and mixing)
    net = combined if job.name is None else _net(study, job)
    shape, btw, clo = _unfinished(study, net, job.label, job.directed, config,
                                  _CONTEXT["groupings"], job.per_respondent,
                                  tick or (lambda _task: None), _place_sources())
    return _finish(shape, net.name, btw, clo, config, study.ids)


def _place_sources() -> int | None:
    """The sampled sources of every network of the place (None: exact), decided once for the
    place on its combined network."""
    config = _CONTEXT["config"]
    return centrality.sources_for(_CONTEXT["combined"], config.exact_limit, config.samples)


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


@dataclass(frozen=True)
class _Task:
    """One call in a worker: a network whole, or one piece of a network split in parts.

    A large exact network is split (:func:`lisa.network.centrality.source_parts`):
    its ``structure`` (everything but betweenness and closeness) is one task,
    and each range of ``sources`` a ``centrality`` task (the betweenness counted
    from those sources, the closeness of those people), so both cores share
    the largest network and finish together.

    The combined network of a large place has its per-person pieces split too
    (:func:`lisa.network.brokerage.broker_parts`): each range of people
    (``sources``) is a ``persons`` task (their brokerage and reach), and the rest
    of it is its ``structure`` (split as above) or, when its betweenness is
    one task, its ``main`` task (betweenness, closeness and the rest). ``persons``
    on a ``structure`` or ``main`` task says how many such pieces there are.
    """

    job: _Job
    kind: Literal[
        "whole", "main", "structure", "centrality", "persons", "departure", "organisations",
        "stable-core",
    ] = "whole"
    index: int = 0
    sources: range | None = None
    persons: int = 0
    #: For "stable-core": the stable core's people and the combined network's brokerage.
    payload: Any = field(default=None, compare=False)


def _tasks(
    study: Study, jobs: list[_Job], config: AnalysisConfig, combined: Net, departures: int
) -> list[_Task]:
    """Every task, in the order to start them.

    First the structures of the split networks and the combined network's
    per-person pieces (the parent needs the cores and the brokerage early), then
    the whole networks largest first, then the work beside the networks (the
    intermediaries' organisation network and ``departures`` resilience
    departures: the parent needs them only at the end), then the parts (each a
    small share of a large network, so the last to finish is short).
    """
    first: list[_Task] = []
    whole: list[_Task] = []
    last: list[_Task] = []
    # exact or sampled is the place's decision (on its combined network), never a network's:
    # only an exact place is split, and a sampled place's nets are built in the workers alone
    exact = centrality.sources_for(combined, config.exact_limit, config.samples) is None
    # the combined network's brokerage and reach, in pieces when it is large (it is the
    # largest network, and the one the end of the analysis waits for)
    people = gf.broker_parts(combined, execution.PIECE_PATHS)
    pieces = [_Task(jobs[-1], "persons", i, r) for i, r in enumerate(people)] if len(people) > 1 else []
    for job in jobs:
        parts = [range(study.n_people)]
        if exact:
            net = combined if job.name is None else _net(study, job)
            parts = centrality.source_parts(net, execution.PART_WORK)
        split = len(pieces) if job.name is None else 0
        if len(parts) == 1:
            whole.append(_Task(job, "main", persons=split) if split else _Task(job))
            continue
        first.append(_Task(job, "structure", persons=split))
        last.extend(_Task(job, "centrality", i, part) for i, part in enumerate(parts))
    whole.sort(key=lambda t: -t.job.arcs)
    last.sort(key=lambda t: -t.job.arcs)  # stable: each network's parts in order
    aside = [_Task(jobs[-1], "departure", i) for i in range(departures)]
    # the organisation network before the departures: the intermediaries need it, and
    # this process builds them while the workers run the departures
    return [*first, *pieces, *whole, _Task(jobs[-1], "organisations"), *aside, *last]


def _split_net(job: _Job) -> Net:
    """The net of a split network, built once in each process that works on it."""
    if job.name is None:
        return _CONTEXT["combined"]
    nets = _CONTEXT.setdefault("nets", {})
    if job.name not in nets:
        nets[job.name] = _net(_CONTEXT["study"], job)
    net: Net = nets[job.name]
    return net


def _run_task(task: _Task, tick: Callable[[str], None] | None = None) -> Any:
    """What one task computes (in a worker, or in this process)."""
    if task.kind == "whole":
        return _run_job(task.job, tick)
    study = _CONTEXT["study"]
    if task.kind == "departure":
        aside: _Aside = _CONTEXT["aside"]
        return resilience.departure(_CONTEXT["combined"], study.ids, aside.scenarios[task.index],
                                    aside.probe, _CONTEXT["config"].seed)
    if task.kind == "organisations":
        return organisation_network(study)
    if task.kind == "stable-core":
        stable, brokerage = task.payload
        return _stable_core_departure(study, _CONTEXT["combined"], _CONTEXT["config"],
                                      _CONTEXT["groupings"], _CONTEXT["aside"].probe, stable,
                                      brokerage)
    net = _split_net(task.job)
    if task.kind == "persons":
        return _person_piece(net, task.sources)
    if task.kind == "main":
        return _main(study, net, task.job)
    if task.kind == "centrality":
        assert task.sources is not None
        return (
            centrality.partial_betweenness(net, task.sources),
            centrality.partial_closeness(net, task.sources),
        )
    job = task.job
    shape = _structure(study, net, job.label, job.directed, _CONTEXT["config"],
                       _CONTEXT["groupings"], job.per_respondent, None, lambda _task: None,
                       persons=not task.persons)
    shape.reachers = centrality.reachers(net)
    return shape


def _main(study: Study, net: Net, job: _Job) -> tuple[_Measured, centrality.Betweenness, np.ndarray]:
    """A network whose per-person pieces are tasks of their own: all but those pieces and the
    roles (they need the pieces: :func:`_finish`)."""
    return _unfinished(study, net, job.label, job.directed, _CONTEXT["config"],
                       _CONTEXT["groupings"], job.per_respondent, lambda _task: None,
                       _place_sources(), persons=False)


def _person_piece(net: Net, people: range | None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The brokerage counts and the reach of the people ``people`` (one of the
    :func:`lisa.network.brokerage.broker_parts`)."""
    assert people is not None
    return (
        gf.brokerage(net, _CONTEXT["groupings"], people),
        centrality.reach2(net, np.arange(people.start, people.stop)),
    )


def _with_pieces(shape: _Measured, pieces: dict[int, tuple[dict[str, np.ndarray], np.ndarray]]) -> None:
    """Add the per-person pieces (in their order: they cover everyone once) to ``shape``."""
    ordered = [pieces[i] for i in range(len(pieces))]
    shape.brokerage = {g: np.sum([b[g] for b, _ in ordered], axis=0) for g in ordered[0][0]}
    shape.metrics["reach2"] = np.concatenate([r for _, r in ordered])


#: Handed each task's result; True when it completed a network.
Received = Callable[[_Task, Any], bool]


def _measure_all(
    context: tuple[Study, AnalysisConfig, dict[str, list[str]], Net, _Aside],
    tasks: list[_Task],
    workers: int,
    tick: _Ticker,
    meanwhile: Callable[[], None],
    received: Received,
    later: list[_Task],
    then: Callable[[], None],
) -> None:
    """Run every task, in ``workers`` processes when the place is big enough.

    ``context`` is the study, the settings, the groupings, the combined network and
    what the departures beside the networks read.
    With workers, the tasks start in the order given, ``meanwhile()`` runs here
    while they work, and each result is handed to ``received`` as it arrives, so
    this process turns finished networks into models while the workers measure
    the rest. Tasks ``received`` appends to ``later`` (what needs results first:
    the stable core's departure) start as soon as it returns; then ``then()``
    runs here (what only this process does, such as the combined people, while
    the workers run those tasks). The result is the same either way.
    """
    _set_context(*context)
    try:
        if workers <= 1:
            meanwhile()
            queue = list(tasks)
            while queue:
                task = queue.pop(0)
                if received(task, _run_task(task, tick)) and task.kind != "whole":
                    for _ in range(STEPS_PER_NETWORK):
                        tick(f"{task.job.name or COMBINED}: measured")
                queue.extend(later)
                later.clear()
                then()
            return
        workers = min(workers, len(tasks))
        with execution.forked_pool(workers, _set_context, context) as pool:
            # one task waiting beside each worker's, no more: a task that needs earlier
            # results (``later``) then starts next instead of behind all the rest
            waiting = list(tasks)
            futures: dict[Any, _Task] = {}

            def top_up() -> None:
                while waiting and len(futures) < workers + 1:
                    task = waiting.pop(0)
                    futures[pool.submit(_run_task, task)] = task

            top_up()
            meanwhile()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    task = futures.pop(future)
                    top_up()
                    if received(task, future.result()):
                        for _ in range(STEPS_PER_NETWORK):
                            tick(f"{task.job.name or COMBINED}: measured")
                    waiting[:0] = later
                    later.clear()
                    top_up()
                    then()
    finally:
        _CONTEXT.clear()


def _independent(
    study: Study,
    original: Study,
    combined: Net,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    imputed: int,
    probed: resilience.Probe,
) -> dict[str, Any]:
    """What does not need the networks' cores and runs in this process: mixing, response,
    the resilience baseline (the other departures and the intermediaries' organisation
    network are tasks of their own: :func:`_tasks`)."""
    return {
        "response": response.response_summary(original, config, imputed),
        "layers": mixing.layer_mixing(combined, study.group_values("layer"), config),
        "sectors": mixing.mixing(combined, study.group_values("sector")),
        "probe": probed,
        "baseline": resilience.baseline(combined, probed),
    }


def _stable_core_departure(
    study: Study,
    combined: Net,
    config: AnalysisConfig,
    groupings: dict[str, list[str]],
    probe: resilience.Probe,
    stable_core: list[str],
    brokerage: dict[str, np.ndarray],
) -> Departure | None:
    """The stable core's departure (a task once the cores are known)."""
    (core,) = [
        s for s in resilience.scenarios(study, combined, stable_core, config)
        if s.kind == "stable-core"
    ]
    return resilience.departure(
        combined,
        study.ids,
        core,
        probe,
        config.seed,
        groups={
            g: resilience.group_codes(groupings[g])
            for g in resilience.BETWEEN_GROUPINGS
            if g in groupings
        },
        brokerage=brokerage,
    )


class _Assembly:
    """One analysis as its tasks come back: each network's pieces put together, then the
    blocks that need several networks, as soon as what they read is in.

    :func:`_measure_all` hands each result to :meth:`received`; the tasks it makes
    possible go to ``later`` (the stable core's departure), and the work only this
    process does (the combined people, the intermediaries) is :meth:`tail`, run after each.
    """

    def __init__(self, study: Study, original: Study, config: AnalysisConfig, imputed: int,
                 progress: Progress | None) -> None:
        self.study, self.original, self.config, self.imputed = study, original, config, imputed
        self.tick = _Ticker(progress, STEPS_PER_NETWORK * (len(study.relations) + 1) + 2)
        self.jobs = _jobs(study, original, config)
        self.combined_net = _net(study, self.jobs[-1])
        self.groupings = _groupings(study, config)
        self.aside = _Aside(resilience.probe(self.combined_net, config.seed),
                            resilience.other_scenarios(study, self.combined_net, config))
        self.tasks = _tasks(study, self.jobs, config, self.combined_net, len(self.aside.scenarios))
        #: Per split network: its betweenness parts, and its per-person pieces.
        self.split = {t.job.name: sum(u.job == t.job and u.kind == "centrality" for u in self.tasks)
                      for t in self.tasks if t.kind == "structure"}
        self.persons_of = {t.job.name: t.persons for t in self.tasks if t.kind in ("structure", "main")}
        self.later: list[_Task] = []
        self.measured: dict[str | None, _Measured] = {}
        self.networks: dict[str, Network] = {}
        self.blocks: dict[str, Any] = {}
        #: A split network's structure (with its per-person pieces) and its parts'
        #: (betweenness, closeness) by index.
        self.shapes: dict[str | None, _Measured] = {}
        self.pieces: dict[str | None, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
        #: A structure (or main task's shape) still waiting for its per-person pieces, those
        #: pieces by index, and a main task's (betweenness, closeness).
        self.unpieced: dict[str | None, _Measured] = {}
        self.persons: dict[str | None, dict[int, tuple[dict[str, np.ndarray], np.ndarray]]] = {}
        self.central: dict[str | None, tuple[Any, ...]] = {}
        #: The departures that do not need the cores, by scenario (computed as tasks).
        self.departures: dict[int, Any] = {}
        #: Core consistency and the resilience block, once every relation's core and
        #: the combined brokerage are in (before the combined betweenness, when split).
        self.consistency: tuple[Any, np.ndarray] | None = None
        self.resilience: Resilience | None = None
        #: The combined network's model and the intermediaries, built here as soon as what
        #: they read is in (while a worker runs the stable core's departure).
        self.combined: Network | None = None
        self.intermediaries: Any = None

    def run(self, workers: int | None) -> NetworkAnalysis:
        _measure_all(
            (self.study, self.config, self.groupings, self.combined_net, self.aside),
            self.tasks,
            execution.workers_for(self.combined_net.work, workers),
            self.tick,
            self.meanwhile,
            self.received,
            self.later,
            self.tail,
        )
        self.tail()
        assert self.consistency is not None and self.resilience is not None
        self.tick.finish()
        measured = self.measured
        return NetworkAnalysis(
            computation=Computation(
                exact=all(m.stats.exact for m in measured.values()),
                samples=next((m.stats.samples for m in measured.values() if m.stats.samples), None),
            ),
            response=self.blocks["response"],
            relations={r.name: self.networks[r.name] for r in self.study.relations},
            combined=self.combined,  # type: ignore[arg-type]
            core_consistency=self.consistency[0],
            layers=self.blocks["layers"],
            sectors=self.blocks["sectors"],
            resilience=self.resilience,
            intermediaries=self.intermediaries,
        )

    def meanwhile(self) -> None:
        self.blocks.update(_independent(self.study, self.original, self.combined_net, self.config,
                                        self.groupings, self.imputed, self.aside.probe))

    def received(self, task: _Task, value: Any) -> bool:
        """Take one task's result; True when it completed a network."""
        name = task.job.name
        if task.kind in ("departure", "organisations", "stable-core"):
            if task.kind == "departure":
                self.departures[task.index] = value
            else:
                self.blocks[task.kind] = value
            self.cores_known()
            return False
        if task.kind == "whole":
            self.network_done(task.job, value)
            return True
        if task.kind in ("structure", "main"):
            if task.kind == "main":
                value, self.central[name] = value[0], value[1:]
            self.unpieced[name] = value
        elif task.kind == "persons":
            self.persons.setdefault(name, {})[task.index] = value
        else:
            self.pieces.setdefault(name, {})[task.index] = value
        # a shape is whole once its per-person pieces are in (the stable core needs the
        # combined brokerage), and the network once its betweenness and closeness are too
        if name in self.unpieced and len(self.persons.get(name, {})) == self.persons_of[name]:
            shape = self.unpieced.pop(name)
            if self.persons_of[name]:
                _with_pieces(shape, self.persons.pop(name))
            self.shapes[name] = shape
            self.cores_known()
        if name not in self.shapes:
            return False
        if name in self.central:
            btw, clo = self.central.pop(name)
        else:
            pieces = self.pieces.get(name, {})
            if len(pieces) < self.split[name]:
                return False
            del self.pieces[name]
            ordered = [pieces[i] for i in range(self.split[name])]
            reachers = self.shapes[name].reachers
            assert reachers is not None
            btw = centrality.exact_betweenness(self.shapes[name].stats.people, [b for b, _ in ordered])
            clo = centrality.exact_closeness([c for _, c in ordered], reachers)
        shape = self.shapes.pop(name)
        self.network_done(task.job, _finish(shape, name or COMBINED, btw, clo, self.config, self.study.ids))
        return True

    def network_done(self, job: _Job, measured: _Measured) -> None:
        self.measured[job.name] = measured
        if job.name is not None:  # the combined people need every relation's core
            self.networks[job.name] = _model(measured, Network, _people(measured, self.study.ids))
        self.cores_known()

    def cores_known(self) -> None:
        """Core consistency as soon as every core is in, then the stable core's departure
        (a task of its own); the resilience block once every departure is in."""
        study = self.study
        shape = self.measured.get(None) or self.shapes.get(None)
        if self.consistency is None and shape is not None and "baseline" in self.blocks:
            if all(r.name in self.measured for r in study.relations):
                self.tick("core consistency and mixing")
                relation_cores = {r.name: self.measured[r.name].core for r in study.relations}
                self.consistency = cores.consistency(
                    study.ids, relation_cores, self.groupings, self.config.stable_core_share
                )
                stable = self.consistency[0].stable_core
                self.later.append(_Task(self.jobs[-1], "stable-core", payload=(stable, shape.brokerage)))
        if self.resilience is not None or "stable-core" not in self.blocks:
            return
        if len(self.departures) < len(self.aside.scenarios):
            return
        self.tick("resilience")
        found = [self.blocks["stable-core"], *(self.departures[i] for i in range(len(self.aside.scenarios)))]
        self.resilience = Resilience(
            baseline=self.blocks["baseline"], scenarios=[d for d in found if d is not None]
        )

    def tail(self) -> None:
        """The combined people (they need every relation's core) and the intermediaries."""
        measured = self.measured.get(None)
        if measured is None:
            return
        if self.combined is None and self.consistency is not None:
            people = _people(measured, self.study.ids, self.consistency[1])
            self.combined = _model(measured, CombinedNetwork, people)
        if self.intermediaries is None and "organisations" in self.blocks:
            self.intermediaries = find_intermediaries(
                self.study,
                self.combined_net,
                measured.brokerage,
                measured.stats.uncertain_gatekeepers,
                self.blocks["response"],
                self.config,
                self.blocks["organisations"],
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
    return _Assembly(study, original, config, imputed, progress).run(workers)
