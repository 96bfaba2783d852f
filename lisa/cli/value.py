"""Commands for the value ledger and a place's pipeline of innovations (issue 12).

``lisa value FILE`` reads a value ledger (YAML, a folder of CSV files, or an
Excel workbook; ``docs/value.md``) and prints what it adds up to: each
outcome's impact, the present value, net present value, SROI ratio, payback
and the tornado of its assumptions. ``lisa portfolio PATH...`` reads answer
files, assessment JSONs and ledgers (or folders of them) and prints each
place's pipeline: innovations by phase and trajectory, the stalled ones, the
balance across types, extents and services, the value created and the gaps.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from lisa.cli._app import app, console, err_console, handles_errors
from lisa.cli._options import JsonOption
from lisa.config import parse_assignments
from lisa.files import atomic_write_text
from lisa.sources import cite

if TYPE_CHECKING:
    from lisa.assess.portfolio import Portfolio
    from lisa.value import ValueResult

ValueSetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a value setting, NAME=VALUE (repeatable): discount_rate, "
        "declining_long_term, evidenced_share (docs/value.md).",
        metavar="NAME=VALUE",
    ),
]


def _input_files(paths: list[Path]) -> list[Path]:
    """The files the command reads (a folder's files and its sub-folders'), never to be overwritten."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                out.extend(sorted(c for c in child.iterdir() if c.is_file()) if child.is_dir() else [child])
        else:
            out.append(path.parent if path.suffix.lower() == ".csv" else path)
            if path.suffix.lower() == ".csv" and path.parent.is_dir():
                out.extend(c for c in path.parent.iterdir() if c.is_file())
    return out


def _check_json_output(json_path: Path | None, inputs: list[Path]) -> None:
    """Refuse a ``--json`` that would replace an input (exit 3), before anything is read."""
    from lisa.files import check_writable_file, refuse_overwrite

    if json_path is None:
        return
    refuse_overwrite([json_path], _input_files(inputs))
    check_writable_file(json_path)


def _money(x: float | None, currency: str = "") -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" + (f" {currency}" if currency else "")


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} : 1"


def print_value(r: ValueResult) -> None:
    """One ledger's result: outcomes, totals, payback, evidence and the tornado."""
    console.rule(f"[bold]{escape(r.innovation)}[/]" + (f" — {escape(r.place)}" if r.place else ""))
    table = Table(show_edge=False, box=None)
    for col in ("outcome", "stakeholder", "evidence", "impact / year", "years", "present value"):
        table.add_column(col, justify="right" if col in ("impact / year", "present value") else "left")
    for o in r.outcomes:
        table.add_row(
            escape(o.id), escape(o.stakeholder), o.evidence_strength, _money(o.impact),
            f"{o.years[0]}–{o.years[1]}", _money(o.present_value),
        )  # fmt: skip
    console.print(table)
    console.print(f"Discounting: {escape(r.discounting)}", highlight=False)
    console.print(
        f"Present value {_money(r.present_value, r.currency)} · inputs "
        f"{_money(r.pv_inputs, r.currency)} · net present value {_money(r.npv, r.currency)}",
        highlight=False,
    )
    payback = "not within the ledger" if r.payback_years is None else f"{r.payback_years:.1f} years"
    console.print(f"[bold]SROI ratio {_ratio(r.ratio)}[/] · payback {payback}", highlight=False)
    console.print(f"Value corner: [bold]{r.verdict}[/] ({escape(r.verdict_reason)})", highlight=False)
    if r.sensitivity.rows:
        console.print("\n[bold]Sensitivity[/] (one assumption at a time, widest swing first)")
        tornado = Table(show_edge=False, box=None)
        for col in ("assumption", "low", "central", "high", "ratio at low", "ratio at high"):
            tornado.add_column(col)
        for row in r.sensitivity.rows:
            tornado.add_row(
                escape(row.target), f"{row.low:g}", f"{row.central:g}", f"{row.high:g}",
                _ratio(row.ratio_low), _ratio(row.ratio_high),
            )  # fmt: skip
        console.print(tornado)
        s = r.sensitivity
        console.print(
            f"Ratio from {_ratio(s.ratio_min)} to {_ratio(s.ratio_max)} one at a time; "
            f"{_ratio(s.ratio_all_low)} to {_ratio(s.ratio_all_high)} with all at their ends.",
            highlight=False,
        )
    console.print(
        "[dim]The proxies are the ledger's own; lisa ships none (SROI Guide, Cabinet Office 2012).[/]"
    )


@app.command("value")
@handles_errors
def value(
    ledger: Annotated[
        Path,
        typer.Argument(
            help="A value ledger: .yaml, .xlsx, or a folder of CSV files (docs/value.md).",
            show_default=False,
        ),
    ],
    json_path: JsonOption = None,
    sets: ValueSetOption = None,
) -> None:
    """Add up an innovation's value ledger: present value, NPV, SROI ratio, payback, sensitivity."""
    from lisa.value import LedgerInvalid, ValueSettings, check_ledger, value_of

    _check_json_output(json_path, [ledger])
    found, problems = check_ledger(ledger)
    if found is None or any(p.severity == "error" for p in problems):
        raise LedgerInvalid(problems)
    for p in problems:
        err_console.print(f"[yellow]warning[/] {escape(str(p))}", highlight=False)
    overrides = parse_assignments(sets)
    settings = None
    if overrides:
        base = {} if found.discount_rate is None else {"discount_rate": found.discount_rate}
        settings = ValueSettings.from_overrides(overrides, **base)
    result = value_of(found, settings)
    print_value(result)
    if json_path:
        atomic_write_text(json_path, result.model_dump_json(indent=2) + "\n")
        console.print(f"\nValue JSON written to {json_path}")


def print_portfolio(p: Portfolio) -> None:
    """One place's pipeline: phases, stalled innovations, balance, value, gaps."""
    console.rule(f"[bold]{escape(p.place)}[/]: a pipeline of {p.innovations} innovation(s)")
    table = Table(show_edge=False, box=None)
    for col in ("phase", "innovations", "stalled or reversing"):
        table.add_column(col)
    for stage in p.phases:
        table.add_row(
            f"{stage.phase} {stage.name}",
            escape(", ".join(stage.innovations)) or "[red]none[/]",
            escape(", ".join(stage.stalled)),
        )
    console.print(table)
    counts_by = (("trajectory", dict(p.trajectories)), ("type", p.kinds), ("extent", p.extents),
                 ("service", p.services))  # fmt: skip
    for name, counts in counts_by:
        shown = ", ".join(f"{escape(k)} {v}" for k, v in counts.items()) or "not stated"
        console.print(f"By {name}: {shown}", highlight=False)
    if p.value.ledgers:
        v = p.value
        console.print(
            f"Value created ({v.ledgers} ledger(s)): present value {_money(v.present_value)}, "
            f"net {_money(v.npv)}, inputs {_money(v.pv_inputs)}"
            + (f" (mixed currencies: {', '.join(v.currencies)})" if len(v.currencies) > 1 else ""),
            highlight=False,
        )
    else:
        console.print("Value created: no value ledger for any of these innovations.")
    console.print("\n[bold]Gaps in the pipeline[/]")
    for gap in p.gaps or []:
        console.print(f"  - {escape(gap.text)}", highlight=False)
    if not p.gaps:
        console.print("  None: every phase has an innovation and none is stalled.")
    for rec in p.recommendations:
        console.print(f"\n[bold]{escape(rec.title)}[/] [dim]— {escape(rec.cluster_title)}[/]", highlight=False)
        console.print(f"  {escape(rec.action)}", highlight=False)
        console.print(f"  why: {escape('; '.join(rec.why))}", highlight=False)
        console.print(f"  [dim]source: {escape(cite(rec.source.ref))}[/]", highlight=False)
    console.print(f"\n[dim]{escape(p.accountability)}[/]", highlight=False)


@app.command("portfolio")
@handles_errors
def portfolio(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Answer files, assessment JSONs ('lisa assess --json') and value ledgers, or "
            "folders holding them.",
            show_default=False,
        ),
    ],
    json_path: JsonOption = None,
) -> None:
    """A place's pipeline of innovations: by phase and trajectory, stalled, balance, value, gaps."""
    import json

    from lisa.assess.portfolio import gather, portfolios

    _check_json_output(json_path, paths)
    assessments, values, warnings = gather(paths)
    for w in warnings:
        err_console.print(f"[yellow]warning[/] {escape(str(w))}", highlight=False)
    found = portfolios(assessments, values)
    counted = {(i.innovation, p.place.casefold()) for p in found for i in p.value.innovations}
    for v in values:
        if not any(v.innovation == name for name, _ in counted):
            err_console.print(
                f"[yellow]warning[/] the ledger of '{escape(v.innovation)}' ({escape(v.source)}) "
                "matches no assessed innovation of these places: it is left out",
                highlight=False,
            )
    for p in found:
        print_portfolio(p)
    if json_path:
        doc = {
            "schema_version": "1.0",
            "kind": "lisa-portfolio",
            "places": [p.model_dump(mode="json") for p in found],
        }
        atomic_write_text(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        console.print(f"\nPortfolio JSON written to {json_path}")
