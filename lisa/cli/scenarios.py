"""Scenario commands: ``whatif``, ``best-ties`` and ``simulate`` (docs/scenarios.md).

Each is thin: parse the options into the library's change models or settings,
call :func:`lisa.scenarios.what_if`, :func:`lisa.scenarios.best_ties` or
:func:`lisa.scenarios.simulate` (the last on the analysed study, so its role
strategies read the analysis), print the result, and write the typed result
as JSON when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import (
    AnalysisOption,
    ImputeOption,
    JsonOption,
    QuietOption,
    SchedulerOption,
    SetOption,
    StudyDir,
    WaveOption,
    WorkersOption,
    analysis_for,
    check_outputs,
    config_from,
)
from lisa.config import parse_assignments
from lisa.errors import ConfigError
from lisa.scenarios.cascade import Model
from lisa.scenarios.diffusion import STRATEGIES, STRATEGY_TEXT, DiffusionConfig
from lisa.scenarios.flow import Direction, ProbabilitySource
from lisa.text import counted

if TYPE_CHECKING:
    from pydantic import BaseModel

    from lisa.scenarios import Diffusion
    from lisa.scenarios.ties import BestTies, Objective
    from lisa.scenarios.whatif import Change, Measure, WhatIf


def _pair(text: str, option: str, sep: str = ":") -> tuple[str, str]:
    a, found, b = text.partition(sep)
    if not found or not a.strip() or not b.strip():
        raise ConfigError(f"{option} expects A{sep}B, got '{text}'")
    return a.strip(), b.strip()


def _changes(
    remove: list[str],
    groups: list[str],
    ties: list[str],
    intermediaries: list[str],
    exchanges: list[str],
    merges: list[str],
    relation: str | None,
) -> list[Change]:
    """The options as change models, in the order of the options' documentation."""
    from lisa.scenarios.whatif import (
        CORE_GROUP,
        AddIntermediary,
        AddTies,
        MergeOrganisations,
        RemoveGroup,
        RemovePeople,
        StaffExchange,
    )

    out: list[Change] = []
    if remove:
        out.append(RemovePeople(people=remove))
    for g in groups:
        if g.strip() == CORE_GROUP:
            out.append(RemoveGroup(grouping=CORE_GROUP))
        else:
            grouping, group = _pair(g, "--remove-group", "=")
            out.append(RemoveGroup(grouping=grouping, group=group))
    if ties:
        out.append(AddTies(pairs=[_pair(t, "--add-tie") for t in ties], relation=relation))
    for item in intermediaries:
        new_id, people = _pair(item, "--intermediary")
        tied = [p.strip() for p in people.split(",") if p.strip()]
        out.append(AddIntermediary(id=new_id, name=new_id, tied_to=tied, relation=relation))
    for item in exchanges:
        a, b = _pair(item, "--staff-exchange")
        out.append(StaffExchange(a=a, b=b, relation=relation))
    for item in merges:
        orgs = [o.strip() for o in item.split(",") if o.strip()]
        if len(orgs) < 2:
            raise ConfigError(f"--merge-orgs expects X,Y[,Z…], got '{item}'")
        out.append(MergeOrganisations(organisations=orgs))
    if not out:
        raise ConfigError(
            "say what changes: --remove, --remove-group, --add-tie, --intermediary, "
            "--staff-exchange or --merge-orgs"
        )
    return out


def _write_json(path: Path | None, result: BaseModel) -> None:
    """The typed result as JSON, when ``--json`` asked for it."""
    from lisa.files import atomic_write_text

    if path is not None:
        atomic_write_text(path, result.model_dump_json(indent=1))
        console.print(f"Written {path}", highlight=False)


def _measure_row(table: Table, label: str, m: Measure, share: bool = False) -> None:
    from lisa.scenarios.whatif import number_text

    table.add_row(
        label, number_text(m.before, share), number_text(m.after, share), number_text(m.change, share, True)
    )


def print_what_if(w: WhatIf) -> None:
    """The difference as tables: what changed, the numbers, roles and findings."""
    for c in w.changes:
        console.print(f"• {c.description}", highlight=False)
    t = Table(title=f"Before and after (same settings, seed {w.seed})")
    for col in ("", "before", "after", "change"):
        t.add_column(col, justify="right" if col else "left")
    for label, m, share in w.measures():
        _measure_row(t, label, m, share)
    t.add_row("stable core overlap", "", f"{w.core.overlap:.2f}", "")
    console.print(t)
    gained = sum(len(r.gained) for r in w.roles)
    lost = sum(len(r.lost) for r in w.roles)
    left = sum(len(p.roles) for p in w.left)
    console.print(
        f"Roles: {gained:,} gained and {lost:,} lost by "
        f"{counted(len(w.roles), 'person', 'people')} who stay; "
        f"{counted(left, 'role')} left with the {counted(len(w.left), 'person', 'people')} "
        f"removed; {counted(len(w.joined), 'person', 'people')} added.",
        highlight=False,
    )
    for f in w.findings:
        if f.change != "stays":
            headline = f.after if f.change == "appears" else f.before
            console.print(f"  {f.change:<10} {f.code}: {f.title} ({headline})", highlight=False)
        elif f.before != f.after:
            console.print(f"  {f.change:<10} {f.code}: {f.before} → {f.after}", highlight=False)


@app.command("whatif")
@handles_errors
def whatif_command(
    study: StudyDir,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="A person leaves: id or unique name (repeatable)."),
    ] = None,
    remove_group: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-group",
            help="A group leaves: GROUPING=VALUE (sector=council, organisation=…, layer=…, any "
            "roster column) or 'core' for the stable core (repeatable).",
            metavar="GROUPING=VALUE|core",
        ),
    ] = None,
    add_tie: Annotated[
        list[str] | None,
        typer.Option("--add-tie", help="A new tie both ways, A:B (repeatable).", metavar="A:B"),
    ] = None,
    intermediary: Annotated[
        list[str] | None,
        typer.Option(
            "--intermediary",
            help="A new person NEW_ID tied both ways to the people listed (repeatable).",
            metavar="NEW_ID:A,B,…",
        ),
    ] = None,
    staff_exchange: Annotated[
        list[str] | None,
        typer.Option(
            "--staff-exchange",
            help="Tie each member of the smaller organisation to one of the other's, X:Y.",
            metavar="X:Y",
        ),
    ] = None,
    merge_orgs: Annotated[
        list[str] | None,
        typer.Option("--merge-orgs", help="Organisations become one (the first name), X,Y.",
                     metavar="X,Y"),  # fmt: skip
    ] = None,
    relation: Annotated[
        str | None, typer.Option("--relation", help="Relation of new ties (default: every one).")
    ] = None,
    sets: SetOption = None,
    wave: WaveOption = None,
    json_out: JsonOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """What if people left, ties were added or organisations merged? Analyse both, compare."""
    from lisa.io import load_study
    from lisa.scenarios.whatif import what_if

    config = config_from(sets, wave)
    if json_out is not None:
        check_outputs(study, [json_out])
    changes = _changes(
        remove or [], remove_group or [], add_tie or [], intermediary or [],
        staff_exchange or [], merge_orgs or [], relation,
    )  # fmt: skip
    result = what_if(load_study(study), changes, config, workers=workers, scheduler=scheduler)
    print_what_if(result)
    _write_json(json_out, result)


def print_best_ties(b: BestTies) -> None:
    """Each proposed tie in words, then the totals."""
    console.print(
        f"[bold]{len(b.ties)} new tie{'s' * (len(b.ties) != 1)}[/] for {b.objective} "
        f"(from {b.candidates:,} plausible pairs, at most {b.per_person} per person):",
        highlight=False,
    )
    for i, t in enumerate(b.ties, 1):
        console.print(f" {i}. {t.explanation}", highlight=False)
    console.print(
        f"{b.objective}: {b.objective_before:.4f} → {b.objective_after:.4f}. {b.method}",
        highlight=False,
    )
    if b.what_if is not None:
        print_what_if(b.what_if)


@app.command("best-ties")
@handles_errors
def best_ties_command(
    study: StudyDir,
    k: Annotated[int, typer.Option("-k", help="How many new ties to propose (1–100).")] = 5,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="connected-difference (mean sector diversity of contacts) or core-risk "
            "(reach between sectors once the stable core has left).",
        ),
    ] = "connected-difference",
    per_person: Annotated[
        int, typer.Option("--per-person", help="Candidate bound: partners kept per person.")
    ] = 20,
    most: Annotated[
        int, typer.Option("--most-per-person", help="Most new ties proposed for any one person.")
    ] = 2,
    no_compare: Annotated[
        bool, typer.Option("--no-compare", help="Skip the second analysis with the ties added.")
    ] = False,
    sets: SetOption = None,
    wave: WaveOption = None,
    json_out: JsonOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Propose the k plausible new ties that most raise connected difference or cut the core risk."""
    from lisa.io import load_study
    from lisa.scenarios.ties import OBJECTIVES, best_ties

    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective '{objective}': use one of {', '.join(OBJECTIVES)}")
    chosen: Objective = objective  # type: ignore[assignment]
    config = config_from(sets, wave)
    if json_out is not None:
        check_outputs(study, [json_out])
    result = best_ties(
        load_study(study), k, chosen, config, per_person=per_person, compare=not no_compare,
        most_per_person=most, workers=workers, scheduler=scheduler,
    )  # fmt: skip
    print_best_ties(result)
    _write_json(json_out, result)


# -- lisa simulate ------------------------------------------------------------------------


def _simulate_settings(
    params: list[str] | None, fixed: dict[str, object]
) -> DiffusionConfig:
    """The diffusion settings: ``--param NAME=VALUE`` items, then the named options."""
    overrides = parse_assignments(params, "--param")
    chosen = {k: v for k, v in fixed.items() if v is not None}
    clash = sorted(set(overrides) & set(chosen))
    if clash:
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
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
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
    result = analysis_for(
        study, config_from(sets, wave, impute), stored=analysis, quiet=quiet, workers=workers
    )
    diffusion = run(result.study, settings, analysis=result, workers=workers, scheduler=scheduler,
                    progress=not quiet)  # fmt: skip
    _simulate_print(diffusion)
    if json_path:
        atomic_write_text(json_path, diffusion.model_dump_json(indent=1))
        console.print(f"Diffusion JSON written to {json_path}")
