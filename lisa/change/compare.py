"""Compare two survey waves of a study: who came and went, what the ties and findings did.

:func:`compare_waves` is the one entry point (the ``lisa waves`` command and
the report's "change over time" section call it). It reads each wave's
roster (:func:`presence`), counts the tie changes among the people present in
both (:mod:`lisa.change.ties`), analyses each wave on its own roster with
:func:`lisa.analyse`, and compares the two typed results: people's roles and
metrics, the findings, the response, and connected difference with a
bootstrap interval. The method and its references are in ``docs/waves.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from lisa.analysis import AnalysisResult
from lisa.change.results import (
    ConnectedDifferenceChange,
    FindingChange,
    FindingStatus,
    Interval,
    PersonChange,
    ResponseChange,
    RoleChange,
    TieChange,
    Trend,
    Turnover,
    WaveComparison,
)
from lisa.change.ties import cell_keys, observed_correlation, qap_null, tie_change
from lisa.config import AnalysisConfig, Seed, Settings
from lisa.errors import ConfigError, UnknownWave
from lisa.execution import Where, analyses, run_parts
from lisa.findings import Finding, pct
from lisa.randomness import rng_for
from lisa.study import Study
from lisa.vocabulary import ROLES, SEVERITY_ORDER

#: Which way each finding's headline value points: +1 when a larger value is
#: worse, -1 when a larger value is better, 0 when its size says nothing
#: either way (only the severity then decides worse or better).
FINDING_DIRECTION: dict[str, int] = {
    "low-response": -1,  # the response rate
    "exclusive-core": 0,  # the stable core's size
    "excluded-group": 1,  # groups outside the core
    "core-departure-risk": 1,  # reach lost
    "low-connected-difference": -1,  # contact diversity
    "thin-horizontal-links": 1,  # thin links
    "thin-vertical-links": 1,
    "isolated-people": 1,  # isolated people
    "high-networking": -1,  # ties per network (good news)
}


class WavesConfig(Settings):
    """Settings of a wave comparison (``lisa waves --set NAME=VALUE``)."""

    permutations: int = Field(
        1000, ge=0, le=100_000, description="QAP: random relabellings for the p-value."
    )
    resamples: int = Field(
        2000, ge=0, le=100_000, description="Bootstrap resamples for connected difference."
    )
    confidence: float = Field(0.95, gt=0, lt=1, description="Bootstrap interval coverage.")
    jaccard_min: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Warn when a network's Jaccard index between the waves is below this "
        "(RSiena manual: below 0.3 is a concern for a longitudinal model).",
    )
    seed: Seed = Field(0, description="Seed of the permutation and bootstrap streams.")


def pick_waves(study: Study, before: str | None, after: str | None) -> tuple[str, str]:
    """The two waves to compare: the named ones, or the two latest.

    Raises
    ------
    UnknownWave
        A label the study does not have.
    ConfigError
        Fewer than two waves, the same wave twice, or ``before`` not earlier than ``after``.
    """
    for label in (before, after):
        if label is not None and label not in study.waves:
            raise UnknownWave(label, study.waves)
    if len(study.waves) < 2:
        raise ConfigError(
            f"'{study.name}' has {len(study.waves) or 'no'} wave{'s' if len(study.waves) != 1 else ''}: "
            "comparing needs two (give ties.csv a 'wave' column, or import a survey with --wave)"
        )
    order = study.waves
    if after is None:
        after = order[-1] if before != order[-1] else None
        if after is None:
            raise ConfigError(f"'{before}' is the latest wave: give --to a later one")
    if before is None:
        earlier = order[: order.index(after)]
        if not earlier:
            raise ConfigError(f"'{after}' is the first wave: give --from an earlier one")
        before = earlier[-1]
    if order.index(before) >= order.index(after):
        raise ConfigError(
            f"wave '{before}' does not come before '{after}' (the waves in order: "
            f"{', '.join(order)}); swap --from and --to"
        )
    return before, after


def presence(study: Study, wave: str) -> tuple[np.ndarray, str]:
    """Who is on ``wave``'s roster, and how that was read.

    The roster's ``waves`` column when the study has one; otherwise everyone
    who gave or received a tie in that wave (a person who took part but named
    nobody and was named by nobody is then not seen: add the column).
    """
    column = study.present_in(wave)
    if column is not None:
        return column, "roster column"
    selected = study.for_wave(wave).ties
    mask = np.zeros(study.n_people, bool)
    mask[selected.source] = True
    mask[selected.target] = True
    return mask, "ties"


def wave_study(study: Study, wave: str, present: np.ndarray) -> Study:
    """The study of one wave: its ties and only the people on its roster."""
    selected = study.for_wave(wave)
    kept = set(selected.ids)
    absent = [study.ids[i] for i in np.flatnonzero(~present) if study.ids[i] in kept]
    return selected.without_people(absent) if absent else selected


def off_roster(study: Study, wave: str, present: np.ndarray) -> int:
    """Ties of ``wave`` with someone not on its roster (left out of every count)."""
    t = study.ties
    mine = t.wave == study.waves.index(wave)
    return int((mine & ~(present[t.source] & present[t.target])).sum())


def _keys(study: Study, relation: str | None, index: np.ndarray, m: int, directed: bool) -> np.ndarray:
    """Cell keys of a wave study's arcs, people renumbered to stayer positions (-1: not a stayer)."""
    src, tgt, _ = study.arcs(relation)
    s, t = index[src], index[tgt]
    keep = (s >= 0) & (t >= 0)
    return cell_keys(s[keep], t[keep], m, directed)


#: QAP permutations in one batch: the unit handed to a worker and the unit of seeding
#: (each batch draws from its own stream), so neither depends on how many workers run them.
PERMUTATIONS_PER_BATCH = 250
#: Bootstrap resamples in one batch (the same role as :data:`PERMUTATIONS_PER_BATCH`).
RESAMPLES_PER_BATCH = 500


@dataclass(frozen=True)
class _QapBatch:
    """One batch of one network's QAP permutations, and the stream it draws from."""

    network: str
    before: np.ndarray
    after: np.ndarray
    m: int
    directed: bool
    count: int
    stream: tuple[int, str, str, str, int]


def qap_batch(batch: _QapBatch) -> np.ndarray:
    """The null correlations of one batch (the same wherever it runs: its own stream)."""
    seed, *names = batch.stream
    return qap_null(batch.before, batch.after, batch.m, batch.directed, batch.count, rng_for(seed, *names))


def _qap_batches(network: str, before: np.ndarray, after: np.ndarray, m: int, directed: bool,
                 config: WavesConfig) -> list[_QapBatch]:  # fmt: skip
    if not config.permutations or observed_correlation(before, after, m, directed) is None:
        return []
    return [
        _QapBatch(network, before, after, m, directed,
                  min(PERMUTATIONS_PER_BATCH, config.permutations - start),
                  (config.seed, "waves", "qap", network, number))  # fmt: skip
        for number, start in enumerate(range(0, config.permutations, PERMUTATIONS_PER_BATCH))
    ]


def tie_changes(
    studies: tuple[Study, Study], stayers: Sequence[str], config: WavesConfig,
    where: Where | None = None,
) -> tuple[dict[str, TieChange], TieChange]:
    """Every relation's tie changes and the combined network's, among ``stayers``.

    The QAP permutations of every network are drawn in batches, fanned out
    as ``where`` says (:func:`lisa.execution.run_parts`).
    """
    where = where or Where()
    m = len(stayers)
    position = {pid: k for k, pid in enumerate(stayers)}
    indices = [
        np.array([position.get(pid, -1) for pid in s.ids], np.int64) for s in studies
    ]
    networks: list[tuple[str | None, str, bool]] = [
        (r.name, r.display(), r.directed) for r in studies[1].relations
    ]
    networks.append((None, "All relations combined", True))
    keys: dict[str | None, tuple[np.ndarray, np.ndarray]] = {
        name: (_keys(studies[0], name, indices[0], m, directed),
               _keys(studies[1], name, indices[1], m, directed))  # fmt: skip
        for name, _, directed in networks
    }
    batches = [
        b for name, _, directed in networks
        for b in _qap_batches(name or "combined", *keys[name], m, directed, config)
    ]  # fmt: skip
    nulls = run_parts(
        qap_batch, batches, work=sum(b.count * (b.after.size + m) for b in batches),
        what="the QAP permutations", labels=[f"{b.network} batch {b.stream[-1] + 1}" for b in batches],
        workers=where.workers, scheduler=where.scheduler, progress=where.progress,
    )  # fmt: skip
    null: dict[str, list[np.ndarray]] = {}
    for b, values in zip(batches, nulls, strict=True):
        null.setdefault(b.network, []).append(values)

    def one(name: str | None, label: str, directed: bool) -> TieChange:
        drawn = null.get(name or "combined", [])
        return tie_change(label, *keys[name], m, directed, jaccard_min=config.jaccard_min,
                          null=np.concatenate(drawn) if drawn else np.zeros(0))  # fmt: skip

    relations = {name: one(name, label, directed) for name, label, directed in networks if name}
    return relations, one(None, "All relations combined", True)


def tie_warnings(relations: dict[str, TieChange], config: WavesConfig) -> list[str]:
    """The cautions a longitudinal analyst gives before modelling change."""
    out = []
    for name, c in relations.items():
        if c.more_lost_than_kept:
            out.append(
                f"{c.label}: more ties were lost ({c.lost}) than kept ({c.kept}) among the people "
                "in both waves — the network turned over more than it persisted, so read its "
                "change as a new network rather than an evolution of the old one."
            )
        if c.low_jaccard and c.jaccard is not None:
            out.append(
                f"{c.label}: the Jaccard index of the two waves is {c.jaccard:.2f}, below "
                f"{config.jaccard_min:.2f}; a stochastic actor-oriented model (RSiena) would treat "
                f"so little stability with caution ('{name}')."
            )
    return out


def person_changes(
    results: tuple[AnalysisResult, AnalysisResult], stayers: Sequence[str]
) -> dict[str, PersonChange]:
    """Each stayer's combined-network metrics and roles in both waves."""
    a, b = (r.combined.people for r in results)
    out = {}
    for pid in stayers:
        p, q = a[pid], b[pid]
        out[pid] = PersonChange(
            in_degree=(p.in_degree, q.in_degree),
            out_degree=(p.out_degree, q.out_degree),
            betweenness=(p.betweenness, q.betweenness),
            reach2=(p.reach2, q.reach2),
            sector_diversity=(p.diversity.get("sector"), q.diversity.get("sector")),
            roles_before=list(p.roles),
            roles_after=list(q.roles),
            roles_gained=[r for r in q.roles if r not in p.roles],
            roles_lost=[r for r in p.roles if r not in q.roles],
        )
    return out


def role_changes(
    results: tuple[AnalysisResult, AnalysisResult], people: dict[str, PersonChange]
) -> dict[str, RoleChange]:
    """Role counts in both waves and the stayers who took a role on or gave it up."""
    counts = [r.role_counts() for r in results]
    return {
        role: RoleChange(
            before=counts[0][role],
            after=counts[1][role],
            gained=[pid for pid, p in people.items() if role in p.roles_gained],
            lost=[pid for pid, p in people.items() if role in p.roles_lost],
        )
        for role in ROLES
    }


def finding_status(code: str, before: Finding | None, after: Finding | None) -> FindingStatus:
    """appeared / resolved / worse / better / unchanged for one finding code.

    Severity decides first; at the same severity the headline value does, in
    the direction :data:`FINDING_DIRECTION` gives the code.
    """
    if before is None and after is None:
        raise ConfigError(f"finding '{code}' is in neither wave")
    if before is None:
        return "appeared"
    if after is None:
        return "resolved"
    rank_a, rank_b = SEVERITY_ORDER[before.severity], SEVERITY_ORDER[after.severity]
    if rank_a != rank_b:
        return "worse" if rank_b < rank_a else "better"
    step = (after.headline.value - before.headline.value) * FINDING_DIRECTION[code]
    if abs(step) < 1e-12:
        return "unchanged"
    return "worse" if step > 0 else "better"


def finding_changes(results: tuple[AnalysisResult, AnalysisResult]) -> list[FindingChange]:
    """Every finding of either wave with its status, in documentation order."""
    from lisa.findings import FINDING_CODES

    out = []
    for code in FINDING_CODES:
        a, b = (r.finding(code) for r in results)
        shown = b or a
        if shown is None:
            continue
        out.append(
            FindingChange(
                code=code,
                status=finding_status(code, a, b),
                severity_before=a.severity if a else None,
                severity_after=b.severity if b else None,
                headline_before=a.headline if a else None,
                headline_after=b.headline if b else None,
                title=shown.title,
            )
        )
    return out


def response_change(results: tuple[AnalysisResult, AnalysisResult]) -> ResponseChange:
    a, b = (r.response for r in results)
    return ResponseChange(
        known=a.known and b.known,
        rate_before=a.rate,
        rate_after=b.rate,
        respondents_before=a.respondents,
        respondents_after=b.respondents,
    )


def _interval(samples: np.ndarray, estimate: float | None, confidence: float) -> Interval:
    if estimate is None or samples.size == 0:
        return Interval(estimate=estimate, low=None, high=None)
    tail = (1 - confidence) / 2
    low, high = np.quantile(samples, [tail, 1 - tail])
    return Interval(estimate=estimate, low=float(low), high=float(high))


def _diversities(result: AnalysisResult) -> dict[str, float]:
    return {
        pid: v
        for pid, p in result.combined.people.items()
        if (v := p.diversity.get("sector")) is not None
    }


@dataclass(frozen=True)
class _Resamples:
    """One batch of bootstrap resamples: of the difference of two samples' means
    (``second`` given) or of one sample's mean (paired differences)."""

    first: np.ndarray
    second: np.ndarray | None
    count: int
    stream: tuple[int, str, str, str, int]


def bootstrap_batch(batch: _Resamples) -> np.ndarray:
    """One batch's resampled means (or differences of means), from the batch's own stream."""
    seed, *names = batch.stream
    rng = rng_for(seed, *names)
    first = batch.first
    ia = rng.integers(0, first.size, (batch.count, first.size))
    if batch.second is None:
        return first[ia].mean(axis=1)
    ib = rng.integers(0, batch.second.size, (batch.count, batch.second.size))
    return batch.second[ib].mean(axis=1) - first[ia].mean(axis=1)


def _resample_batches(
    which: str, first: np.ndarray, second: np.ndarray | None, config: WavesConfig
) -> list[_Resamples]:
    return [
        _Resamples(first, second, min(RESAMPLES_PER_BATCH, config.resamples - start),
                   (config.seed, "waves", "bootstrap", which, number))  # fmt: skip
        for number, start in enumerate(range(0, config.resamples, RESAMPLES_PER_BATCH))
    ]


def _bootstraps(
    overall: tuple[np.ndarray, np.ndarray] | None, paired: np.ndarray | None,
    config: WavesConfig, where: Where,
) -> tuple[np.ndarray, np.ndarray]:
    """The overall and the stayers' bootstrap samples, the batches fanned out."""
    batches = _resample_batches("overall", *overall, config) if overall is not None else []
    split = len(batches)
    if paired is not None:
        batches += _resample_batches("stayers", paired, None, config)
    draws = run_parts(
        bootstrap_batch, batches, what="the bootstrap resamples",
        work=sum(b.count * (b.first.size + (0 if b.second is None else b.second.size)) for b in batches),
        labels=[f"{b.stream[3]} batch {b.stream[-1] + 1}" for b in batches],
        workers=where.workers, scheduler=where.scheduler, progress=where.progress,
    )  # fmt: skip
    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    return joined(draws[:split]), joined(draws[split:])


def connected_difference(
    results: tuple[AnalysisResult, AnalysisResult], config: WavesConfig,
    where: Where | None = None,
) -> ConnectedDifferenceChange:
    """The change in mean sector diversity of contacts, with bootstrap intervals.

    The interval of the overall difference resamples each wave's people with
    replacement, independently; the stayers' interval resamples stayers
    (their own before and after together). Both treat people as independent,
    which ties between them are not, so the intervals are on the narrow side.
    The resamples are drawn in batches, fanned out as ``where`` says.
    """
    a, b = (_diversities(r) for r in results)
    va, vb = np.array(list(a.values())), np.array(list(b.values()))
    before = float(va.mean()) if va.size else None
    after = float(vb.mean()) if vb.size else None
    estimate = after - before if before is not None and after is not None else None
    paired = np.array([b[p] - a[p] for p in a if p in b])
    paired_est = float(paired.mean()) if paired.size else None
    boot, pboot = _bootstraps(
        (va, vb) if estimate is not None and config.resamples else None,
        paired if paired.size and config.resamples else None,
        config, where or Where(),
    )  # fmt: skip
    diff = _interval(boot, estimate, config.confidence)
    trend: Trend = "not measurable"
    if diff.low is not None and diff.high is not None:
        trend = "grew" if diff.low > 0 else "fell" if diff.high < 0 else "no clear change"
    return ConnectedDifferenceChange(
        before=before,
        after=after,
        difference=diff,
        stayers_difference=_interval(pboot, paired_est, config.confidence),
        stayers_measured=int(paired.size),
        confidence=config.confidence,
        resamples=config.resamples,
        trend=trend,
    )


def _turnover(study: Study, before: str, after: str) -> tuple[Turnover, np.ndarray, np.ndarray]:
    pa, how = presence(study, before)
    pb, _ = presence(study, after)
    ids = study.ids
    turnover = Turnover(
        before=int(pa.sum()),
        after=int(pb.sum()),
        stayers=int((pa & pb).sum()),
        joiners=[ids[i] for i in np.flatnonzero(pb & ~pa)],
        leavers=[ids[i] for i in np.flatnonzero(pa & ~pb)],
        presence=how,  # type: ignore[arg-type]
    )
    return turnover, pa, pb


def compare_waves(
    study: Study,
    before: str | None = None,
    after: str | None = None,
    *,
    config: WavesConfig | None = None,
    analysis: AnalysisConfig | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
) -> WaveComparison:
    """Compare two waves of a study (default: the two latest).

    Parameters
    ----------
    study
        A study with at least two waves.
    before, after
        Wave labels; ``before`` must come earlier. Default: the two latest.
    config
        Permutations, resamples, confidence, the Jaccard warning level, seed.
    analysis
        Settings of the per-wave analyses (its ``wave`` is ignored).
    workers
        Local worker processes for the QAP permutations and bootstrap resamples
        (default: this process when they are few, else the machine's cores; see
        :data:`lisa.execution.FANOUT_WORK`) and for each wave's networks.
    scheduler
        A Dask scheduler address or client: draw them, and analyse the two
        waves side by side, there. The result is the same on every backend.
    progress
        Progress bars over the batches (on a terminal).

    Returns
    -------
    WaveComparison

    Raises
    ------
    UnknownWave
        A wave label the study does not have.
    ConfigError
        Fewer than two waves, or the waves in the wrong order.
    RunFailed
        A batch of permutations or resamples failed (after the others completed).

    Examples
    --------
    >>> import lisa
    >>> from lisa.change import compare_waves, WavesConfig
    >>> study = lisa.generate(60, seed=2, waves=2)
    >>> c = compare_waves(study, config=WavesConfig(permutations=50, resamples=50))
    >>> c.before, c.after, c.turnover.stayers > 0
    ('2024', '2025', True)
    """
    config = config or WavesConfig()
    analysis = analysis or AnalysisConfig()
    before, after = pick_waves(study, before, after)
    turnover, pa, pb = _turnover(study, before, after)
    studies = (wave_study(study, before, pa), wave_study(study, after, pb))
    stayers = [study.ids[i] for i in np.flatnonzero(pa & pb)]
    where = Where(workers, scheduler, progress)
    relations, combined = tie_changes(studies, stayers, config, where)
    warnings = tie_warnings(relations, config)
    for wave, present in ((before, pa), (after, pb)):
        if lost := off_roster(study, wave, present):
            warnings.append(
                f"Wave {wave}: {lost} tie{'s name' if lost != 1 else ' names'} someone the roster's "
                f"'waves' column leaves out of that wave; they are not counted (check the column)."
            )
    first, second = analyses(
        studies, [analysis.model_copy(update={"wave": w}) for w in (before, after)], where
    )
    results = (first, second)
    people = person_changes(results, stayers)
    return WaveComparison(
        study=study.name,
        waves=list(study.waves),
        before=before,
        after=after,
        turnover=turnover,
        relations=relations,
        combined=combined,
        warnings=warnings,
        people=people,
        roles=role_changes(results, people),
        findings=finding_changes(results),
        response=response_change(results),
        connected_difference=connected_difference(results, config, where),
        settings=config.model_dump(),
    )


def describe_trend(change: ConnectedDifferenceChange) -> str:
    """One sentence answering "did connected difference grow?" with its numbers."""
    d = change.difference
    if change.before is None or change.after is None or d.estimate is None:
        return "Connected difference cannot be compared: a wave has nobody with contacts."
    text = (
        f"Mean sector diversity of contacts went from {change.before:.2f} to {change.after:.2f} "
        f"({d.estimate:+.2f}"
    )
    if d.low is not None and d.high is not None:
        text += f"; {pct(change.confidence)} bootstrap interval {d.low:+.2f} to {d.high:+.2f}"
    verdict = {
        "grew": "it grew",
        "fell": "it fell",
        "no clear change": "the change is within what resampling the people gives",
        "not measurable": "no interval was computed",
    }[change.trend]
    return text + f"): {verdict}."
