"""How an idea would spread: Monte Carlo diffusion from chosen seed people.

:func:`simulate` answers "if we brief these people, how long until the
frontline and the public hear?". It runs an independent cascade or a linear
threshold model (:mod:`lisa.scenarios.cascade`) on one relation or the
combined network of a :class:`~lisa.study.Study` (:mod:`lisa.scenarios.flow`
says which way ideas travel along a tie and with what chance), many times
from each seed strategy, and returns a typed :class:`Diffusion`: the mean
number of people who have heard by each step with a percentile band, overall
and for every layer, sector and organisation, and the steps until half of
each group has heard.

Seed strategies (:data:`Strategy`), compared side by side with the same
number ``k`` of seeds:

``hubs``, ``gatekeepers``, ``pulsetakers``
    The strongest holders of that role in the analysed network, read from the
    :class:`~lisa.analysis.AnalysisResult` (never recomputed here).
``random``
    ``k`` people drawn afresh in every run: the baseline.
``greedy``
    The influence-maximising set of :mod:`lisa.scenarios.celf` (CELF), with
    its ``1 − 1/e`` guarantee stated where the model is submodular.
``chosen``
    The people named in the setting ``people``.

Every random draw comes from :func:`lisa.randomness.rng_for` streams of the
setting ``seed``: the same settings give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from lisa.config import Seed, Settings
from lisa.errors import ConfigError
from lisa.execution import Where
from lisa.network.results import ResultModel
from lisa.randomness import rng_for
from lisa.scenarios.cascade import Law, Model, batch_size, heard_counts
from lisa.scenarios.celf import celf_live_edge, greedy_simulated
from lisa.scenarios.flow import DIRECTION_TEXT, Direction, FlowGraph, ProbabilitySource, flow_graph
from lisa.study import Study
from lisa.vocabulary import Role

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

Strategy = Literal["hubs", "gatekeepers", "pulsetakers", "random", "greedy", "chosen"]
#: Every seed strategy, in the order the results list them.
STRATEGIES: tuple[Strategy, ...] = ("hubs", "gatekeepers", "pulsetakers", "random", "greedy", "chosen")
#: The role each role-based strategy reads from the analysis.
STRATEGY_ROLE: dict[str, Role] = {"hubs": "hub", "gatekeepers": "gatekeeper", "pulsetakers": "pulsetaker"}
#: Each strategy in words (report, CLI).
STRATEGY_TEXT: dict[str, str] = {
    "hubs": "the top hubs",
    "gatekeepers": "the top gatekeepers",
    "pulsetakers": "the top pulsetakers",
    "random": "random people (new ones each run)",
    "greedy": "the greedy influence-maximising set (CELF)",
    "chosen": "the people chosen",
}
ThresholdLaw = Literal["uniform", "normal", "fixed", "column"]
#: The label of the whole place in the reach curves.
EVERYONE = "everyone"


class DiffusionConfig(Settings):
    """Settings for :func:`simulate`; every one has a default (see ``docs/scenarios.md``)."""

    relation: str | None = Field(None, description="Relation to spread on; default all combined.")
    model: Model = Field("independent-cascade", description="Diffusion model.")
    direction: Direction = Field(
        "to-asker",
        description="Which way an idea travels along a tie: 'to-asker' (A names B for advice: B "
        "tells A), 'to-named' or 'both'.",
    )
    probability: ProbabilitySource = Field(
        "setting",
        description="Where a tie's chance comes from: 'setting' (p), 'weight' (1-(1-p)^weight) "
        "or 'column' (a ties.csv item / column_max).",
    )
    p: float = Field(0.1, gt=0, le=1, description="Chance an idea passes along one tie.")
    column: str | None = Field(None, description="ties.csv column for probability=column.")
    column_max: float = Field(1.0, gt=0, description="The column's top value (chance 1).")
    thresholds: ThresholdLaw = Field(
        "uniform",
        description="Linear threshold: 'uniform' on [0,1] (Kempe et al.), 'normal' (Valente), "
        "'fixed' (everyone threshold_mean) or 'column' (a people.csv column).",
    )
    threshold_mean: float = Field(0.5, ge=0, le=1, description="Mean (or fixed) threshold.")
    threshold_sd: float = Field(0.2, ge=0, le=1, description="Spread of normal thresholds.")
    threshold_column: str | None = Field(None, description="people.csv column of thresholds.")
    runs: int = Field(1000, ge=1, le=1_000_000, description="Monte Carlo runs per strategy.")
    steps: int = Field(10, ge=1, le=1000, description="Steps simulated after the seeds.")
    k: int = Field(5, ge=1, le=1000, description="Seed people per strategy.")
    strategies: tuple[Strategy, ...] = Field(
        ("hubs", "gatekeepers", "pulsetakers", "random", "greedy"),
        description="Seed strategies compared.",
    )
    people: tuple[str, ...] = Field((), description="Person ids for the 'chosen' strategy.")
    greedy_runs: int = Field(
        100, ge=1, le=100_000, description="Sampled runs the greedy (CELF) choice is made on."
    )
    band: float = Field(0.9, gt=0, lt=1, description="Width of the percentile band (0.9: 5–95%).")
    groupings: tuple[str, ...] = Field(
        ("layer", "sector", "organisation"), description="Roster columns to break reach down by."
    )
    seed: Seed = Field(0, description="Seed of every random draw.")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if not self.strategies:
            raise PydanticCustomError("invalid", "strategies: name at least one seed strategy")
        if self.probability == "column" and not self.column:
            raise PydanticCustomError("invalid", "probability=column needs the setting 'column' (a ties.csv column)")
        if self.thresholds == "column" and not self.threshold_column:
            raise PydanticCustomError("invalid", "thresholds=column needs the setting 'threshold_column'")
        if "chosen" in self.strategies and not self.people:
            raise PydanticCustomError("invalid", "the 'chosen' strategy needs the setting 'people' (person ids)")
        return self

    def law(self, thresholds: np.ndarray | None = None) -> Law:
        """The kernels' description of the model (``thresholds``: per person, when given)."""
        if self.model == "independent-cascade":
            return Law()
        if self.thresholds in ("uniform", "normal"):
            return Law(self.model, self.thresholds, self.threshold_mean, self.threshold_sd)
        return Law(self.model, "given", given=thresholds)


class ReachCurve(ResultModel):
    """How many people of one group have heard by each step (step 0: the seeds)."""

    group: str = Field(description="'everyone', or the group's value (e.g. 'frontline').")
    people: int = Field(description="People in the group.")
    mean: list[float] = Field(description="Mean number who have heard, per step.")
    low: list[float] = Field(description="Lower percentile of the band, per step.")
    median: list[float] = Field(description="Median, per step.")
    high: list[float] = Field(description="Upper percentile of the band, per step.")
    half_step: float | None = Field(
        description="Median over runs of the first step at which at least half the group has "
        "heard; null when that happens in fewer than half of the runs."
    )
    half_share: float = Field(description="Share of runs in which half the group hears in time.")


class StrategyOutcome(ResultModel):
    """One seed strategy's spread."""

    strategy: Strategy
    seeds: list[str] = Field(description="The seed people's ids ([] for random: new each run).")
    seed_count: int = Field(description="Seeds per run (fewer than k when too few hold a role).")
    everyone: ReachCurve
    groups: dict[str, list[ReachCurve]] = Field(description="Per grouping, one curve per group.")
    note: str = Field("", description="What to know about this strategy's seeds.")


class Greedy(ResultModel):
    """How the greedy set was chosen."""

    runs: int = Field(description="Sampled runs the choice was made on.")
    submodular: bool = Field(description="Whether the (1 − 1/e) guarantee applies.")
    statement: str = Field(description="The guarantee, or why there is none.")
    gains: list[float] = Field(description="Expected people each seed added, in order.")
    evaluations: int = Field(description="Marginal gains computed (lazy evaluation saves most).")


class Diffusion(ResultModel):
    """The result of :func:`simulate`."""

    settings: DiffusionConfig
    network: str = Field(description="The relation spread on, or 'combined'.")
    people: int
    fingerprint: str = Field(description="sha256 of the study's roster and ties (as the analysis').")
    arcs: int = Field(description="Flow arcs (ordered pairs an idea can pass along).")
    direction: str = Field(description="Which way ideas flow, in words.")
    strategies: list[StrategyOutcome]
    greedy: Greedy | None = None

    def outcome(self, strategy: str) -> StrategyOutcome:
        """One strategy's outcome; raises :class:`~lisa.errors.ConfigError` if it was not run."""
        for o in self.strategies:
            if o.strategy == strategy:
                return o
        raise ConfigError(
            f"strategy '{strategy}' was not simulated; these were: "
            + ", ".join(o.strategy for o in self.strategies)
        )


# -- the groups reach is counted in ---------------------------------------------------


def _group_codes(study: Study, groupings: tuple[str, ...]) -> tuple[np.ndarray, list[tuple[str, str, int]]]:
    """n × (1 + groupings) group numbers, and (grouping, value, size) of each number.

    Number 0 is everyone; people with a blank value count in no group of that
    grouping (they point at a spare number, dropped afterwards).
    """
    labels: list[tuple[str, str, int]] = [("", EVERYONE, study.n_people)]
    columns = [np.zeros(study.n_people, np.int32)]
    spare: list[int] = []
    for grouping in groupings:
        values = study.group_values(grouping)
        names = sorted({v for v in values if v})
        number = {name: len(labels) + k for k, name in enumerate(names)}
        sizes = {name: 0 for name in names}
        for v in values:
            if v:
                sizes[v] += 1
        labels += [(grouping, name, sizes[name]) for name in names]
        blank = len(labels)
        labels.append((grouping, "", 0))
        spare.append(blank)
        columns.append(np.array([number.get(v, blank) for v in values], np.int32))
    return np.column_stack(columns), labels


def _curves(
    heard: np.ndarray, labels: list[tuple[str, str, int]], band: float
) -> list[ReachCurve]:
    """One reach curve per group number from runs × groups × steps cumulative counts.

    All groups at once: the percentiles, means and half-way steps are each one
    vectorised pass over the runs.
    """
    low, median, high = np.quantile(heard, [(1 - band) / 2, 0.5, (1 + band) / 2], axis=0)
    mean = heard.mean(axis=0)
    sizes = np.array([size for _, _, size in labels], np.float64)
    half = (heard >= sizes[None, :, None] / 2) & (sizes[None, :, None] > 0)
    reached = half.any(axis=2)
    first = np.where(reached, half.argmax(axis=2), np.inf)
    middle = np.median(first, axis=0)
    share = reached.mean(axis=0)
    return [
        ReachCurve(
            group=value,
            people=size,
            mean=np.round(mean[g], 4).tolist(),
            low=low[g].tolist(),
            median=median[g].tolist(),
            high=high[g].tolist(),
            half_step=float(middle[g]) if np.isfinite(middle[g]) else None,
            half_share=round(float(share[g]), 4),
        )
        for g, (_, value, size) in enumerate(labels)
    ]


# -- seeds ------------------------------------------------------------------------------


def _role_seeds(analysis: AnalysisResult, strategy: str, relation: str | None, k: int) -> list[str]:
    return [pid for pid, _ in analysis.role_holders(STRATEGY_ROLE[strategy], relation)[:k]]


def _thresholds(study: Study, cfg: DiffusionConfig) -> np.ndarray | None:
    """The per-person thresholds of thresholds=fixed or column (None otherwise)."""
    if cfg.model != "linear-threshold" or cfg.thresholds in ("uniform", "normal"):
        return None
    if cfg.thresholds == "fixed":
        return np.full(study.n_people, cfg.threshold_mean)
    column = str(cfg.threshold_column)
    values = study.group_values(column)
    out = np.empty(study.n_people)
    for i, text in enumerate(values):
        try:
            out[i] = float(text)
        except ValueError:
            out[i] = np.nan
        if not 0 <= out[i] <= 1:
            raise ConfigError(
                f"threshold column '{column}' must hold a number from 0 to 1 for everyone; "
                f"person {study.ids[i]!r} has '{text[:40]}'"
            )
    return out


def _greedy(g: FlowGraph, cfg: DiffusionConfig, law: Law) -> tuple[Greedy, list[int]]:
    """The greedy seed set (roster positions) and the record of how it was chosen."""
    rng = rng_for(cfg.seed, "diffusion", "greedy", cfg.model)
    if law.model == "independent-cascade" or law.kind == "uniform":
        chosen = celf_live_edge(g, law, cfg.k, cfg.greedy_runs, cfg.steps, rng)
    else:
        chosen = greedy_simulated(g, law, cfg.k, cfg.greedy_runs, cfg.steps, rng)
    record = Greedy(
        runs=cfg.greedy_runs,
        submodular=chosen.submodular,
        statement="; ".join(chosen.notes),
        gains=[round(x, 3) for x in chosen.gains],
        evaluations=chosen.evaluations,
    )
    return record, chosen.seeds


def _seed_sets(
    study: Study, cfg: DiffusionConfig, analysis: AnalysisResult | None, greedy: list[int]
) -> dict[str, list[int] | None]:
    """Roster positions of each strategy's seeds (None: random, drawn per run)."""
    out: dict[str, list[int] | None] = {}
    for strategy in cfg.strategies:
        if strategy in STRATEGY_ROLE:
            assert analysis is not None
            out[strategy] = [study.index_of(p) for p in _role_seeds(analysis, strategy, cfg.relation, cfg.k)]
        elif strategy == "random":
            out[strategy] = None
        elif strategy == "greedy":
            out[strategy] = list(greedy)
        else:
            out[strategy] = list(dict.fromkeys(study.index_of(p) for p in cfg.people))
    return out


# -- running ----------------------------------------------------------------------------

#: At most this many (run, group, step) counts are kept for one strategy (4 bytes each).
MAX_CELLS = 100_000_000


def _check_size(cfg: DiffusionConfig, groups: int) -> None:
    """Refuse, before any work, a simulation whose counts would not fit in bounded memory."""
    cells = cfg.runs * groups * (cfg.steps + 1)
    if cells > MAX_CELLS:
        raise ConfigError(
            f"runs={cfg.runs} × {groups} groups × {cfg.steps + 1} steps is {cells:,} counts, more "
            f"than the {MAX_CELLS:,} lisa keeps per strategy: lower runs or steps, or break "
            "reach down by fewer groupings"
        )


#: At most this many bytes of live-edge samples or simulated runs for the greedy choice.
MAX_GREEDY_BYTES = 1_000_000_000


def _check_greedy(cfg: DiffusionConfig, g: FlowGraph, law: Law) -> None:
    """Refuse, before any work, a greedy choice whose samples would not fit in bounded memory."""
    if "greedy" not in cfg.strategies:
        return
    if law.model == "independent-cascade" or law.kind == "uniform":
        need = cfg.greedy_runs * (g.arcs + 17 * g.n)  # live arcs, their rows, distances
    else:
        need = cfg.greedy_runs * g.n * (4 * (cfg.steps + 1) + 24)  # every candidate's runs
    if need > MAX_GREEDY_BYTES:
        raise ConfigError(
            f"greedy_runs={cfg.greedy_runs} on {g.n:,} people and {g.arcs:,} flow arcs needs about "
            f"{need / 1e9:.1f} GB, more than the {MAX_GREEDY_BYTES / 1e9:.0f} GB lisa allows: lower "
            "greedy_runs"
        )


def _check_analysis(study: Study, analysis: AnalysisResult | None) -> None:
    """The analysis the role strategies read must come from this study (and wave)."""
    from lisa.analysis import study_fingerprint

    if analysis is not None and analysis.study_summary.fingerprint != study_fingerprint(study):
        raise ConfigError(
            "the analysis was computed from other data than the study to simulate on: pass "
            "analysis.study, or analyse this study (and wave)"
        )



#: Monte Carlo runs in one batch: the unit handed to a worker and the unit of seeding
#: (each batch draws from its own stream), so neither depends on how many workers run them.
RUNS_PER_BATCH = 500


@dataclass(frozen=True)
class _Spread:
    """What every batch of one simulation shares (sent to each worker with the batch)."""

    graph: FlowGraph
    law: Law
    codes: np.ndarray
    groups: int
    steps: int
    k: int
    threads: int | None = None  # compiled threads per local worker (None: numba's default)


@dataclass(frozen=True)
class _Batch:
    """One batch of runs of one strategy, and the stream it draws from."""

    strategy: str
    seeds: tuple[int, ...] | None  # None: k people drawn afresh in every run
    runs: int
    stream: tuple[int, str, str, str, int]  # (seed, "diffusion", model, strategy, batch number)


def run_batch(spread: _Spread, batch: _Batch) -> np.ndarray:
    """One batch's runs × groups × (steps + 1) counts of who first heard at each step.

    Everything random comes from the batch's own stream, so the counts are the
    same in whichever process, machine or order the batch runs. They come back
    in the smallest unsigned type that holds the largest group (a quarter or
    half of the bytes to send from a worker); the caller sums them up.
    """
    if spread.threads is not None:
        import numba

        numba.set_num_threads(max(1, min(spread.threads, getattr(numba.config, "NUMBA_NUM_THREADS", 1))))
    g = spread.graph
    seed, *names = batch.stream
    rng = rng_for(seed, *names)
    if batch.seeds is None:
        k = min(spread.k, g.n)
        matrix = np.stack([rng.choice(g.n, k, replace=False) for _ in range(batch.runs)])
    else:
        matrix = np.tile(np.array(batch.seeds or (-1,), np.int64), (batch.runs, 1))
    counts = heard_counts(g, matrix, spread.steps, rng, spread.codes, spread.groups, spread.law)
    return counts.astype(np.min_scalar_type(g.n))


def _batches(cfg: DiffusionConfig, strategy: str, seeds: list[int] | None, groups: int) -> list[_Batch]:
    """A strategy's runs in batches of :data:`RUNS_PER_BATCH` (fewer where memory bounds them)."""
    size = min(RUNS_PER_BATCH, batch_size(groups * (cfg.steps + 1), cfg.runs))
    fixed = None if seeds is None else tuple(seeds)
    return [
        _Batch(strategy, fixed, min(size, cfg.runs - start), (cfg.seed, "diffusion", cfg.model, strategy, number))
        for number, start in enumerate(range(0, cfg.runs, size))
    ]


def _simulated(
    g: FlowGraph, cfg: DiffusionConfig, law: Law, seed_sets: dict[str, list[int] | None],
    codes: np.ndarray, groups: int, where: Where,
) -> dict[str, np.ndarray]:
    """Every strategy's runs × groups × (steps + 1) counts, the batches fanned out."""
    from lisa.execution import cores, run_parts

    batches = [b for s, seeds in seed_sets.items() for b in _batches(cfg, s, seeds, groups)]
    work = len(seed_sets) * cfg.runs * (g.arcs + g.n)
    # The compiled kernels already run on every core of this process, so local worker
    # processes only pay when asked for (benchmarks/README.md, "Fan-out"): one by default.
    local = (where.workers or 1) if where.scheduler is None else 1
    threads = max(1, cores() // local) if local > 1 else None
    spread = _Spread(g, law, codes, groups, cfg.steps, cfg.k, threads)
    parts = run_parts(
        partial(run_batch, spread), batches, work=work, what="the diffusion runs",
        labels=[f"{b.strategy} batch {b.stream[-1] + 1}" for b in batches],
        workers=local, scheduler=where.scheduler, progress=where.progress,
    )  # fmt: skip
    out: dict[str, list[np.ndarray]] = {s: [] for s in seed_sets}
    for batch, counts in zip(batches, parts, strict=True):
        out[batch.strategy].append(counts)
    return {s: np.concatenate(c).cumsum(axis=2, dtype=np.int32) for s, c in out.items()}


def _outcome(
    study: Study, cfg: DiffusionConfig, strategy: str, seeds: list[int] | None,
    heard: np.ndarray, labels: list[tuple[str, str, int]],
) -> StrategyOutcome:
    keep = [g for g, (grouping, value, _) in enumerate(labels) if not grouping or value]
    curves = dict(zip(keep, _curves(heard[:, keep], [labels[g] for g in keep], cfg.band), strict=True))
    everyone = curves[0]
    groups: dict[str, list[ReachCurve]] = {g: [] for g in cfg.groupings}
    for number, (grouping, _, _) in enumerate(labels):
        if grouping and number in curves:
            groups[grouping].append(curves[number])
    count = min(cfg.k, study.n_people) if seeds is None else len(seeds)
    note = ""
    if seeds is not None and len(seeds) < cfg.k and strategy in STRATEGY_ROLE:
        note = f"only {len(seeds)} people hold this role, fewer than k={cfg.k}"
    return StrategyOutcome(
        strategy=strategy,  # type: ignore[arg-type]
        seeds=[] if seeds is None else [study.ids[i] for i in seeds],
        seed_count=count,
        everyone=everyone,
        groups=groups,
        note=note,
    )


def simulate(
    study: Study,
    config: DiffusionConfig | None = None,
    *,
    analysis: AnalysisResult | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
) -> Diffusion:
    """Simulate how an idea would spread from each seed strategy.

    Parameters
    ----------
    study
        The study (one wave: pass ``analysis.study`` to spread on the analysed wave).
    config
        Model, direction, probabilities, runs, steps, strategies, ``k``; defaults if None.
    analysis
        The study's analysis, where the role strategies read their people;
        computed with default settings when a role strategy needs it and none is given.
    workers
        Local worker processes for the Monte Carlo batches (default: this process,
        whose compiled kernels already use every core; on one machine more
        processes were measured slower, ``benchmarks/README.md``).
    scheduler
        A Dask scheduler address (``tcp://host:8786``) or client: run the batches
        there. The result is the same on every backend.
    progress
        A progress bar over the batches (on a terminal).

    Returns
    -------
    Diffusion
        Reach curves per strategy, overall and per group; the greedy record.

    Raises
    ------
    ConfigError
        A column or grouping the study does not have, values that are not chances, an
        analysis of other data, or more runs than fit in bounded memory.
    RunFailed
        A batch of runs failed (after the others completed).
    UnknownRelation, UnknownPerson
        A relation or a chosen person the study does not have.

    Examples
    --------
    >>> import lisa
    >>> from lisa.scenarios import DiffusionConfig, simulate
    >>> cfg = DiffusionConfig(runs=50, k=2, strategies=("random",))
    >>> result = simulate(lisa.generate(60, seed=1), cfg)
    >>> result.outcome("random").everyone.mean[0]
    2.0
    """
    from lisa.analysis import analyse, study_fingerprint

    cfg = config or DiffusionConfig()
    if analysis is None and any(s in STRATEGY_ROLE for s in cfg.strategies):
        analysis = analyse(study)
    g = flow_graph(
        study, cfg.relation, direction=cfg.direction, source=cfg.probability, p=cfg.p,
        column=cfg.column, column_max=cfg.column_max,
    )
    law = cfg.law(_thresholds(study, cfg))
    codes, labels = _group_codes(study, cfg.groupings)
    _check_size(cfg, len(labels))
    _check_greedy(cfg, g, law)
    _check_analysis(study, analysis)
    greedy, greedy_seeds = _greedy(g, cfg, law) if "greedy" in cfg.strategies else (None, [])
    seed_sets = _seed_sets(study, cfg, analysis, greedy_seeds)
    heard = _simulated(g, cfg, law, seed_sets, codes, len(labels), Where(workers, scheduler, progress))
    outcomes = [
        _outcome(study, cfg, strategy, seeds, heard[strategy], labels)
        for strategy, seeds in seed_sets.items()
    ]
    return Diffusion(
        settings=cfg,
        network=cfg.relation or "combined",
        people=study.n_people,
        fingerprint=study_fingerprint(study),
        arcs=g.arcs,
        direction=DIRECTION_TEXT[cfg.direction],
        strategies=outcomes,
        greedy=greedy,
    )


#: The largest diffusion JSON :func:`read_diffusion` reads.
MAX_DIFFUSION_BYTES = 200_000_000


def read_diffusion(path: str | Path) -> Diffusion:
    """Read a diffusion result written by ``lisa simulate --json``.

    Raises
    ------
    StudyNotFound
        The file does not exist.
    InputInvalid
        The file is too large or is not a diffusion result (the problems name why).
    """
    from lisa.scenarios._stored import read_model

    return read_model(path, Diffusion, "diffusion", MAX_DIFFUSION_BYTES)
