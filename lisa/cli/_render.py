"""How analysis results and problems look in a terminal (rich)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lisa.cli._app import console, err_console
from lisa.errors import Problem

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.analysis import Progress as ProgressFn

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "green"}
ROLE_TITLES = {
    "hub": "Hubs — the people others go to (most nominations)",
    "gatekeeper": "Gatekeepers — on the critical paths into parts of the network",
    "pulsetaker": "Pulsetakers — few direct ties, but close to everyone",
}


@contextmanager
def analysis_progress(quiet: bool) -> Iterator[ProgressFn | None]:
    """A progress bar fed by the analysis' ``progress(task, done, total)`` callback."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task_id = bar.add_task("Analysing", total=None)

        def update(task: str, done: int, total: int) -> None:
            bar.update(task_id, description=f"Analysing: {task}", completed=done, total=total)

        yield update


def print_problems(problems: Sequence[Problem], source: Path | str) -> int:
    """Print every problem, errors first; return the number of errors."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in errors:
        err_console.print(f"[red]error[/]   {escape(str(p))}", highlight=False)
    for p in warnings:
        err_console.print(f"[yellow]warning[/] {escape(str(p))}", highlight=False)
    if errors:
        err_console.print(
            f"\n[bold red]{source}: {len(errors)} error(s), {len(warnings)} warning(s).[/]"
        )
    else:
        console.print(f"[bold green]{source}: valid[/] ({len(warnings)} warning(s)).")
    return len(errors)


def print_summary(result: AnalysisResult, *, brief: bool = False) -> None:
    """Findings first, then the key people per role, then the networks."""
    data = result.network
    study = result.study
    resp = data["response"]
    console.print(
        f"\n[bold]{escape(study.name)}[/]: {study.n_people} people, "
        f"{len(study.relations)} networks, {len(study.ties)} ties"
        + (f", response {100 * resp['rate']:.0f}%" if resp.get("known") else "")
    )
    if resp.get("known") and resp["rate"] < 1:
        for key, label in (("by_layer", "layer"), ("by_sector", "sector")):
            parts = [
                f"{escape(g)} {100 * v['rate']:.0f}%" + (" [red](thin)[/]" if v["thin"] else "")
                for g, v in resp[key].items()
            ]
            if parts:
                console.print(f"  response by {label}: " + " · ".join(parts), highlight=False)
    console.rule("Findings")
    if not result.findings:
        console.print("No findings: none of lisa's patterns show in these data.")
    for f in result.findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        console.print(
            f"[{style}]{f.severity.upper():<6}[/] [bold]{escape(f.title)}[/] [dim]({f.code})[/]"
        )
        console.print(f"       {escape(f.detail)}", highlight=False)
    if brief:
        return
    console.rule("Key people (all networks combined)")
    if not result.names_individuals:
        console.print(
            f"Response is {100 * resp['rate']:.0f}%: individuals are not named below "
            f"{100 * result.config.response_name_individuals:.0f}% (broad patterns only). "
            "Counts per role: " + ", ".join(f"{k} {v}" for k, v in result.role_counts().items())
        )
    else:
        metric_label = {
            "hub": "named by",
            "gatekeeper": "betweenness",
            "pulsetaker": "2-step reach",
        }
        for role, title in ROLE_TITLES.items():
            people = result.key_people(role, limit=5)
            count = result.role_counts()[role]
            console.print(f"[bold]{title}[/] — {count} in all")
            roles_table = Table(show_edge=False, box=None, padding=(0, 1))
            roles_table.add_column("person", overflow="fold")
            roles_table.add_column("organisation · sector · layer", overflow="fold")
            roles_table.add_column(metric_label[role], justify="right")
            for p in people:
                where = " · ".join(x for x in (p.organisation, p.sector, p.layer) if x)
                value = (
                    str(int(p.value))
                    if role == "hub"
                    else f"{100 * p.value:.0f}%"
                    if role == "pulsetaker"
                    else f"{p.value:.3f}"
                )
                roles_table.add_row(escape(p.name or p.id), escape(where), value)
            console.print(roles_table)
    console.rule("Networks")
    table = Table(show_edge=False, box=None)
    for col in ("network", "ties", "density", "named per respondent", "core size", "core fit"):
        table.add_column(col, justify="left" if col == "network" else "right")
    blocks = list(data["relations"].items()) + [("combined", data["combined"])]
    for name, block in blocks:
        n = block["network"]
        table.add_row(
            escape(name),
            str(n["arcs"]),
            f"{n['density']:.4f}",
            f"{n.get('ties_per_respondent', 0):.1f}",
            str(n.get("core_size", "")),
            "–" if n.get("core_fit") is None else f"{n['core_fit']:.2f}",
        )
    console.print(table)
    comp = data.get("computation", {})
    if comp and not comp.get("exact", True):
        console.print(
            f"[dim]Betweenness and closeness estimated from {comp.get('samples')} sampled "
            "people (large network); see docs/method.md for the error.[/]"
        )


def print_settings(rows: Sequence[tuple[str, object, str]]) -> None:
    """Each setting as ``name = default`` with its meaning indented below."""
    for name, default, help_text in rows:
        console.print(f"[bold]{escape(name)}[/] = {escape(repr(default))}", highlight=False)
        console.print(f"    {escape(help_text)}", highlight=False)
    console.print("\nChange one with --set NAME=VALUE (e.g. --set hub_quantile=0.95).")
