"""How an idea would spread: the reach curves of a diffusion result (``lisa simulate``).

The section only presents a :class:`~lisa.scenarios.Diffusion` computed
elsewhere: the share of the place who have heard by each step from each seed
strategy (mean and percentile band), the table of its numbers, the steps
until half of each layer has heard, and what the greedy set's guarantee is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lisa.errors import ConfigError
from lisa.report import charts
from lisa.report.sections.common import label
from lisa.report.views import Figure, Table
from lisa.scenarios.diffusion import STRATEGY_TEXT, Diffusion, StrategyOutcome

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.privacy import Pseudonymiser


@dataclass
class DiffusionView:
    """The section's content, every number already worded."""

    lead: str  # the model and settings in one paragraph
    figure: Figure  # the reach curves and the table of their numbers
    half: Table  # steps until half of each layer has heard, per strategy
    seeds: list[tuple[str, str]]  # (strategy, the seed people as the report shows them)
    greedy: str  # the greedy set's guarantee, or why there is none ("" without greedy)


def _step(value: float | None) -> str:
    return "not within the horizon" if value is None else f"{value:g}"


def _seed_words(
    result: AnalysisResult, o: StrategyOutcome, pseudonymiser: Pseudonymiser | None
) -> str:
    if not o.seeds:
        return f"{o.seed_count} people drawn afresh in each run"
    return "; ".join(label(result, pid, pseudonymiser) for pid in o.seeds)


def _figure(d: Diffusion) -> Figure:
    steps = d.settings.steps
    mid = max(1, steps // 2)
    series = [
        (
            STRATEGY_TEXT[o.strategy],
            [m / d.people for m in o.everyone.mean],
            [x / d.people for x in o.everyone.low],
            [x / d.people for x in o.everyone.high],
        )
        for o in d.strategies
    ]
    chart = charts.reach_curves(series, title="Share of the place who have heard, step by step")
    rows = [
        [
            STRATEGY_TEXT[o.strategy],
            f"{o.seed_count}",
            *(charts.pct(o.everyone.mean[t] / d.people) for t in (min(1, steps), mid, steps)),
            _step(o.everyone.half_step),
        ]
        for o in d.strategies
    ]
    band = f"{(1 - d.settings.band) / 2:.0%}–{(1 + d.settings.band) / 2:.0%}"
    return Figure(
        chart,
        ["seeds", "people", "after 1 step", f"after {mid}", f"after {steps}", "half by step"],
        rows,
        f"Lines: the mean over {d.settings.runs:,} runs; shading: the {band} band of the runs.",
    )


def _half_table(d: Diffusion) -> Table:
    layers = sorted({c.group for o in d.strategies for c in o.groups.get("layer", [])})
    rows = []
    for o in d.strategies:
        by_layer = {c.group: c for c in o.groups.get("layer", [])}
        rows.append(
            [STRATEGY_TEXT[o.strategy]]
            + [_step(by_layer[g].half_step) if g in by_layer else "–" for g in layers]
        )
    return Table(
        ["seeds", *layers],
        rows,
        "Steps until half of each layer has heard (the median run).",
    )


def diffusion(
    result: AnalysisResult, d: Diffusion, pseudonymiser: Pseudonymiser | None
) -> DiffusionView:
    """The section from a diffusion result of the same study as the analysis.

    Raises :class:`~lisa.errors.ConfigError` when the diffusion was computed
    from other data than the analysis.
    """
    if d.fingerprint != result.study_summary.fingerprint:
        raise ConfigError(
            "the diffusion result was computed from other data than this analysis: run "
            "'lisa simulate' on the same study (and wave)"
        )
    s = d.settings
    lead = (
        f"{'Independent cascade' if s.model == 'independent-cascade' else 'Linear threshold'} "
        f"on the {d.network} network ({d.people:,} people, {d.arcs:,} flow links); "
        f"{d.direction}. Each strategy briefs {s.k} people at step 0; "
        f"{s.runs:,} runs of {s.steps} steps each"
        + (f", each tie passing the idea on with chance {s.p:g}" if s.probability == "setting"
           and s.model == "independent-cascade" else "")
        + "."
    )
    return DiffusionView(
        lead=lead,
        figure=_figure(d),
        half=_half_table(d),
        seeds=[(STRATEGY_TEXT[o.strategy], _seed_words(result, o, pseudonymiser)) for o in d.strategies],
        greedy=d.greedy.statement if d.greedy else "",
    )
