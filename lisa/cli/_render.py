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
from lisa.vocabulary import (
    INTERMEDIARY_REASON_TEXT,
    RESPONSE_LEVEL_TEXT,
    ROLE_METRIC_LABEL,
    ROLE_TITLE,
    ROLES,
)

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.analysis import Progress as ProgressFn
    from lisa.privacy import Pseudonymiser

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "green"}


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


def _print_response(result: AnalysisResult) -> None:
    resp = result.response
    if resp.known and resp.rate < 1:
        for label, groups in (("layer", resp.by_layer), ("sector", resp.by_sector)):
            parts = [
                f"{escape(g)} {100 * v.rate:.0f}%" + (" [red](thin)[/]" if v.thin else "")
                for g, v in groups.items()
            ]
            if parts:
                console.print(f"  response by {label}: " + " · ".join(parts), highlight=False)


def _print_findings(result: AnalysisResult) -> None:
    console.rule("Findings")
    if not result.findings:
        console.print("No findings: none of lisa's patterns show in these data.")
    for f in result.findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        console.print(
            f"[{style}]{f.severity.upper():<6}[/] [bold]{escape(f.title)}[/] "
            f"[dim]({f.code} · {escape(f.headline.text)})[/]"
        )
        console.print(f"       {escape(f.detail)}", highlight=False)


def _role_value(role: str, value: float) -> str:
    if role == "hub":
        return str(int(value))
    if role == "pulsetaker":
        return f"{100 * value:.0f}%"
    return f"{value:.3f}"


def _print_key_people(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> None:
    nodes = result.study.nodes
    console.rule(f"Key {nodes.many} (all networks combined)")
    counts = result.role_counts()
    if not result.names_individuals:
        console.print(
            f"Response is {100 * result.response.rate:.0f}%: individuals are not named below "
            f"{100 * result.config.response_name_individuals:.0f}% (broad patterns only). "
            "Counts per role: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        return
    study = result.study
    for role in ROLES:
        console.print(f"[bold]{ROLE_TITLE[role]}[/] — {counts[role]} in all")
        table = Table(show_edge=False, box=None, padding=(0, 1))
        table.add_column(nodes.one, overflow="fold")
        table.add_column("organisation · sector · layer", overflow="fold")
        table.add_column(ROLE_METRIC_LABEL[role], justify="right")
        for pid, value in result.role_holders(role)[:5]:
            i = study.index_of(pid)
            if pseudonymiser is not None:
                who = pseudonymiser.code(pid)
                org = pseudonymiser.organisations[i]
            else:
                who, org = study.names[i] or pid, study.organisations[i]
            where = " · ".join(x for x in (org, study.sectors[i], study.layers[i]) if x)
            table.add_row(escape(who), escape(where), _role_value(role, value))
        console.print(table)


#: How many intermediaries the printout lists (the JSON has them all).
INTERMEDIARIES_SHOWN = 8


def _counts(block: dict[str, int], words: dict[str, str] | None = None) -> str:
    return " · ".join(f"{escape((words or {}).get(k, k))} {v}" for k, v in block.items())


def _print_intermediaries(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> None:
    inter = result.intermediaries
    if inter is None:
        return
    console.rule("Intermediaries for spreading (all networks combined)")
    console.print(
        f"{inter.count} {'person' if inter.count == 1 else 'people'} placed to act as "
        "intermediaries" + (f": {_counts(inter.by_reason, INTERMEDIARY_REASON_TEXT)}" if inter.count else "")
        + (f" ({inter.uncertain} more uncertain, not counted)" if inter.uncertain else ""),
        highlight=False,
    )
    if not inter.named:
        console.print(
            f"Response is {100 * result.response.rate:.0f}%: "
            + RESPONSE_LEVEL_TEXT[inter.level],
            highlight=False,
        )
        for label, block in (("sector", inter.by_sector), ("layer", inter.by_layer)):
            if block:
                console.print(f"  by {label}: {_counts(block)}", highlight=False)
    else:
        _intermediary_table(result, pseudonymiser)
    shown = set(pseudonymiser.organisations) if pseudonymiser is not None else None
    orgs = [(o, v) for o, v in inter.organisations.items() if shown is None or o in shown]
    orgs = orgs[:INTERMEDIARIES_SHOWN]
    for name, org in orgs:
        reasons = ", ".join(INTERMEDIARY_REASON_TEXT[r] for r in org.reasons)
        console.print(f"  [bold]{escape(name)}[/] ({escape(org.sector)}): {escape(reasons)}", highlight=False)
    if inter.organisations_not_named:
        console.print(f"  {inter.organisations_not_named} one-person organisation(s) not named")


def _intermediary_table(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> None:
    """One line a person: where they sit, then each position's number, bold where it places
    them (the report and the JSON give the thresholds and the *why* in words)."""
    inter, study = result.intermediaries, result.study
    assert inter is not None
    table = Table(show_edge=False, box=None, padding=(0, 1))
    table.add_column("person", overflow="fold")
    table.add_column("organisation · sector · layer", overflow="fold")
    outside = any(p.outside_contacts is not None for p in inter.people.values())
    columns: list[tuple[str, str]] = [
        ("between-sectors", "sectors"), ("between-layers", "layers"), ("across-organisations", "orgs"),
    ] + ([("outside-the-place", "outside")] if outside else [])
    for _, header in columns:
        table.add_column(header, justify="right")
    for pid, p in list(inter.people.items())[:INTERMEDIARIES_SHOWN]:
        i = study.index_of(pid)
        if pseudonymiser is not None:
            who, org = pseudonymiser.code(pid), pseudonymiser.organisations[i]
        else:
            who, org = study.names[i] or pid, study.organisations[i]
        where = " · ".join(x for x in (org, p.sector, p.layer) if x)
        numbers = {
            "between-sectors": p.sector_brokerage,
            "between-layers": p.layer_brokerage,
            "across-organisations": p.organisations_reached,
            "outside-the-place": p.outside_contacts or 0,
        }
        cells = [
            f"[bold]{numbers[r]:,}[/]" if r in p.reasons else f"[dim]{numbers[r]:,}[/]"
            for r, _ in columns
        ]
        table.add_row(escape(who), escape(where), *cells)
    console.print(table)
    console.print(
        "  [dim]sectors, layers: open two-paths brokered between them; orgs: other organisations "
        "among their contacts" + ("; outside: contacts outside the place" if outside else "")
        + "; bold where it places them (thresholds and reasons in the JSON and the report)[/]",
        highlight=False,
    )
    if len(inter.people) > INTERMEDIARIES_SHOWN:
        console.print(f"  [dim]… and {len(inter.people) - INTERMEDIARIES_SHOWN} more[/]")


def _print_networks(result: AnalysisResult) -> None:
    console.rule("Networks")
    table = Table(show_edge=False, box=None)
    for col in ("network", "ties", "density", "named per respondent", "core size", "core fit"):
        table.add_column(col, justify="left" if col == "network" else "right")
    for name, block in [*result.relations.items(), ("combined", result.combined)]:
        n = block.network
        table.add_row(
            escape(name),
            f"{n.arcs:,}",
            f"{n.density:.4f}",
            f"{n.ties_per_respondent:.1f}",
            str(n.core_size),
            "–" if n.core_fit is None else f"{n.core_fit:.2f}",
        )
    console.print(table)
    if not result.computation.exact:
        console.print(
            f"[dim]Betweenness and closeness estimated from {result.computation.samples} sampled "
            "people (large network); see docs/method.md for the error.[/]"
        )


def print_summary(
    result: AnalysisResult,
    *,
    brief: bool = False,
    pseudonymiser: Pseudonymiser | None = None,
) -> None:
    """Findings first, then the key people per role, the intermediaries, then the networks.

    With a ``pseudonymiser``, people are shown by their pseudonym and withheld
    organisations stay withheld, so a pseudonymised run prints nothing personal.
    The study's ``nodes`` name what the network's nodes are (organisations for
    ``lisa analyse --level organisation``).
    """
    summary = result.study_summary
    console.print(
        f"\n[bold]{escape(summary.name)}[/]: {summary.people:,} {result.study.nodes.many}, "
        f"{len(summary.relations)} networks, {summary.ties:,} ties"
        + (f", response {100 * result.response.rate:.0f}%" if result.response.known else "")
    )
    _print_response(result)
    _print_findings(result)
    if brief:
        return
    _print_key_people(result, pseudonymiser)
    _print_intermediaries(result, pseudonymiser)
    _print_networks(result)


def print_settings(rows: Sequence[tuple[str, object, str]]) -> None:
    """Each setting as ``name = default`` with its meaning indented below."""
    for name, default, help_text in rows:
        console.print(f"[bold]{escape(name)}[/] = {escape(repr(default))}", highlight=False)
        console.print(f"    {escape(help_text)}", highlight=False)
    console.print("\nChange one with --set NAME=VALUE (e.g. --set hub_quantile=0.95).")
