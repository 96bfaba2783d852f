"""Scenario commands: ``lisa simulate`` (how an idea would spread).

Thin over :mod:`lisa.scenarios`: read the options, analyse the study (or
reload its stored analysis) for the role-based seed strategies, call
:func:`lisa.scenarios.simulate`, print the comparison and write the JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import (
    AnalysisOption,
    ImputeOption,
    JsonOption,
    QuietOption,
    SetOption,
    StudyDir,
    WaveOption,
    analysis_for,
    check_outputs,
    config_from,
)
from lisa.config import parse_assignments
from lisa.scenarios.cascade import Model
from lisa.scenarios.diffusion import STRATEGIES, STRATEGY_TEXT, DiffusionConfig
from lisa.scenarios.flow import Direction, ProbabilitySource

if TYPE_CHECKING:
    from lisa.scenarios import Diffusion


def _simulate_settings(
    params: list[str] | None, fixed: dict[str, object]
) -> DiffusionConfig:
    """The diffusion settings: ``--param NAME=VALUE`` items, then the named options."""
    overrides = parse_assignments(params, "--param")
    chosen = {k: v for k, v in fixed.items() if v is not None}
    clash = sorted(set(overrides) & set(chosen))
    if clash:
        from lisa.errors import ConfigError

        raise ConfigError(f"'{clash[0]}' is given both as an option and with --param")
    return DiffusionConfig.from_overrides(overrides, **chosen)


def _simulate_table(result: Diffusion, layers: bool) -> Table:
    """One row per strategy: seeds, reach after 1 step, half-way and at the end, half steps."""
    steps = result.settings.steps
    mid = max(1, steps // 2)
    table = Table(title=f"How an idea would spread ({result.network} network, {result.people:,} people)")
    for head in ("seeds", "after 1 step", f"after {mid}", f"after {steps}", "half of all"):
        table.add_column(head, justify="right" if head != "seeds" else "left")
    groups = sorted({c.group for o in result.strategies for c in o.groups.get("layer", [])}) if layers else []
    for g in groups:
        table.add_column(f"half of {g}", justify="right")

    def at(curve: object, t: int) -> str:
        c = curve  # a ReachCurve
        return f"{c.mean[t]:,.1f} [{c.low[t]:,.0f}–{c.high[t]:,.0f}]"  # type: ignore[attr-defined]

    def half(value: float | None) -> str:
        return "never" if value is None else f"{value:g}"

    for o in result.strategies:
        by_layer = {c.group: c for c in o.groups.get("layer", [])}
        row = [
            f"{o.strategy} ({o.seed_count})",
            at(o.everyone, min(1, steps)),
            at(o.everyone, mid),
            at(o.everyone, steps),
            half(o.everyone.half_step),
        ]
        row += [half(by_layer[g].half_step) if g in by_layer else "–" for g in groups]
        table.add_row(*row)
    return table


def _simulate_print(result: Diffusion) -> None:
    s = result.settings
    console.print(
        f"{s.model}, {s.runs:,} runs, {s.k} seeds per strategy; {result.direction}. "
        f"Mean people who have heard [{s.band:.0%} band]."
    )
    console.print(_simulate_table(result, "layer" in s.groupings))
    console.print("'half of': the step by which half the group has heard, in the median run.")
    for o in result.strategies:
        seeds = ", ".join(o.seeds) if o.seeds else "drawn afresh in each run"
        console.print(f"  {o.strategy}: {STRATEGY_TEXT[o.strategy]}: {seeds}", highlight=False)
        if o.note:
            console.print(f"  [yellow]{o.strategy}: {o.note}[/]", highlight=False)
    if result.greedy is not None:
        console.print(f"Greedy (CELF on {result.greedy.runs} sampled runs): {result.greedy.statement}.")


@app.command()
@handles_errors
def simulate(
    study: StudyDir,
    relation: Annotated[
        str | None, typer.Option(help="Relation to spread on (default: all combined).")
    ] = None,
    model: Annotated[Model | None, typer.Option(help="Diffusion model.")] = None,
    direction: Annotated[
        Direction | None,
        typer.Option(help="Which way ideas travel along a tie (to-asker: A names B, B tells A)."),
    ] = None,
    probability: Annotated[
        ProbabilitySource | None,
        typer.Option(help="Where a tie's chance comes from: the p setting, tie weights, a column."),
    ] = None,
    p: Annotated[float | None, typer.Option("--p", help="Chance an idea passes along a tie.")] = None,
    column: Annotated[
        str | None, typer.Option(help="ties.csv column of chances (with --probability column).")
    ] = None,
    runs: Annotated[int | None, typer.Option(help="Monte Carlo runs per strategy.")] = None,
    steps: Annotated[int | None, typer.Option(help="Steps simulated after the seeds.")] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help="A seed strategy to compare (repeatable): " + ", ".join(STRATEGIES)
            + " (default: all but chosen).",
        ),
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="Seed people per strategy.")] = None,
    person: Annotated[
        list[str] | None,
        typer.Option("--person", help="A person id to brief (repeatable): the 'chosen' strategy."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of every random draw.")] = None,
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Any other diffusion setting, NAME=VALUE (docs/scenarios.md).",
            metavar="NAME=VALUE",
        ),
    ] = None,
    json_path: JsonOption = None,
    wave: WaveOption = None,
    impute: ImputeOption = "none",
    sets: SetOption = None,
    analysis: AnalysisOption = None,
    quiet: QuietOption = False,
) -> None:
    """Simulate how an idea would spread from seed people: strategies side by side."""
    from lisa.files import atomic_write_text
    from lisa.scenarios import simulate as run

    strategies = list(strategy or [])
    if person and not strategies:
        strategies = ["chosen"]
    settings = _simulate_settings(
        params,
        {
            "relation": relation, "model": model, "direction": direction,
            "probability": probability, "p": p, "column": column, "runs": runs,
            "steps": steps, "k": k, "seed": seed,
            "strategies": tuple(dict.fromkeys(strategies)) or None,
            "people": tuple(person) if person else None,
        },
    )
    check_outputs(study, [json_path] if json_path else [])
    result = analysis_for(study, config_from(sets, wave, impute), stored=analysis, quiet=quiet)
    diffusion = run(result.study, settings, analysis=result)
    _simulate_print(diffusion)
    if json_path:
        atomic_write_text(json_path, diffusion.model_dump_json(indent=1))
        console.print(f"Diffusion JSON written to {json_path}")
