"""``lisa waves``: what changed between two survey waves of a study (docs/waves.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import (
    JsonOption,
    PseudonymiseOption,
    QuietOption,
    SchedulerOption,
    SetOption,
    StudyDir,
    WorkersOption,
    check_outputs,
    config_from,
)

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.change import WaveComparison


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def print_comparison(c: WaveComparison) -> None:
    """The comparison in a terminal: turnover, tie changes, findings, connected difference."""
    from lisa.change import describe_trend

    t = c.turnover
    console.print(
        f"[bold]{escape(c.study)}[/]: wave {escape(c.before)} → {escape(c.after)}. "
        f"{t.before} → {t.after} people; {t.stayers} in both, {len(t.joiners)} joined, "
        f"{len(t.leavers)} left (presence read from the {t.presence})."
    )
    table = Table(title="Ties among the people in both waves")
    for col in ("network", "kept", "gained", "lost", "Jaccard", "Hamming", "QAP r", "p"):
        table.add_column(col, justify="left" if col == "network" else "right")
    for ch in [*c.relations.values(), c.combined]:
        table.add_row(
            escape(ch.label), f"{ch.kept:,}", f"{ch.gained:,}", f"{ch.lost:,}", _ratio(ch.jaccard),
            f"{ch.hamming:,}", _ratio(ch.qap.correlation),
            "–" if ch.qap.p_value is None else f"{ch.qap.p_value:.3f}",
        )  # fmt: skip
    console.print(table)
    for w in c.warnings:
        console.print(f"[yellow]caution[/] {escape(w)}", highlight=False)
    changed = c.changed_findings()
    if changed:
        console.print("[bold]Findings that changed[/]")
    for f in changed:
        before = f.headline_before.text if f.headline_before else "—"
        after = f.headline_after.text if f.headline_after else "—"
        console.print(f"  {f.status:<9} {f.code}: {escape(before)} → {escape(after)}", highlight=False)
    roles = ", ".join(f"{r} {v.before} → {v.after}" for r, v in c.roles.items())
    console.print(f"Roles (combined network): {roles}")
    r = c.response
    if r.known:
        console.print(f"Response: {r.rate_before:.0%} → {r.rate_after:.0%}")
    console.print(describe_trend(c.connected_difference), highlight=False)


@app.command()
@handles_errors
def waves(
    study: StudyDir,
    before: Annotated[
        str | None, typer.Option("--from", help="The earlier wave (default: the one before --to).")
    ] = None,
    after: Annotated[
        str | None, typer.Option("--to", help="The later wave (default: the latest).")
    ] = None,
    permutations: Annotated[
        int, typer.Option(min=0, max=100_000, help="QAP permutations for the p-value.")
    ] = 1000,
    resamples: Annotated[
        int, typer.Option(min=0, max=100_000, help="Bootstrap resamples for connected difference.")
    ] = 2000,
    json_path: JsonOption = None,
    pseudonymise: PseudonymiseOption = False,
    sets: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Compare two survey waves: joiners and leavers, tie changes (Jaccard, QAP), roles, findings."""
    from lisa.change import WavesConfig, compare_waves
    from lisa.files import atomic_write_text
    from lisa.io import load_study

    analysis = config_from(sets)
    check_outputs(study, [json_path] if json_path else [])
    config = WavesConfig(permutations=permutations, resamples=resamples, seed=analysis.seed)
    data = load_study(study)
    comparison = compare_waves(
        data, before, after, config=config, analysis=analysis, workers=workers,
        scheduler=scheduler, progress=not quiet,
    )  # fmt: skip
    print_comparison(comparison)
    if json_path:
        if pseudonymise:
            from lisa.privacy import Pseudonymiser

            p = Pseudonymiser(data)
            comparison = comparison.pseudonymised(p.code, [data.ids[int(i)] for i in p.order])
        atomic_write_text(Path(json_path), comparison.model_dump_json(indent=1))
        console.print(f"Comparison JSON written to {json_path}")


def change_for(study_path: Path, result: AnalysisResult) -> WaveComparison | None:
    """The comparison the report's "change over time" section shows, or None.

    The analysed wave against the one before it, with the analysis' own
    settings; None for a study of one wave (or when the first wave is analysed).
    """
    from lisa.change import WavesConfig, compare_waves
    from lisa.io import load_study

    summary = result.study_summary
    if len(summary.waves) < 2 or summary.wave == summary.waves[0]:
        return None
    config = WavesConfig(seed=result.config.seed)
    return compare_waves(
        load_study(study_path), None, summary.wave, config=config, analysis=result.config
    )
