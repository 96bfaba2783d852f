"""Commands for innovation assessment and the case library (issue 4).

``lisa assess FILE...`` reads answer files and prints the diagnosis;
``lisa assess template`` writes a blank answer template; ``lisa assess
settings`` lists the settings ``--rule NAME=VALUE`` can change; ``lisa cases list``,
``show NAME`` and ``compare ASSESSMENT`` read the case library. Each command
calls :mod:`lisa.assess` or :mod:`lisa.cases` and prints the result.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from lisa.cli._app import app, console, err_console, handles_errors
from lisa.cli._options import (
    AnalysisOption,
    ImputeOption,
    SetOption,
    WaveOption,
    analysis_for,
    config_from,
)
from lisa.config import AnalysisConfig
from lisa.errors import ConfigError, LisaError
from lisa.files import atomic_write_text
from lisa.sources import cite
from lisa.vocabulary import CORNERS, LINKS, link_words

if TYPE_CHECKING:
    from lisa.assess import Assessment, Locality
    from lisa.assess.spread import Spreading
    from lisa.findings import Finding


class _AssessGroup(TyperGroup):
    """``lisa assess FILE...`` runs the hidden ``run`` command; ``template`` and ``settings`` are commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


assess_app = typer.Typer(
    cls=_AssessGroup,
    name="assess",
    no_args_is_help=True,
    add_completion=False,
    help=(
        "Assess innovations: lifecycle phase, strategic triangle, risks and recommendations.\n\n"
        "  lisa assess FILE... [--network STUDY_DIR | --findings FILE] [--json FILE] "
        "[--rule NAME=VALUE ...]\n\n"
        "  lisa assess template [--format yaml|csv|xlsx] [--out FILE]\n\n"
        "  lisa assess settings\n\n"
        "  lisa assess spread FILE... [--network STUDY_DIR | --findings FILE]\n\n"
        "Answer files are YAML, CSV or Excel (see 'lisa assess template'); several files "
        "for the same innovation are combined as several assessors."
    ),
)
cases_app = typer.Typer(
    name="cases",
    no_args_is_help=True,
    add_completion=False,
    help="The case library: the reports' places and innovations as data.",
)
app.add_typer(assess_app)
app.add_typer(cases_app)


class TemplateFormat(str, Enum):
    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"


PHASE_STYLE = {0: "red", 1: "magenta", 2: "yellow", 3: "cyan", 4: "green"}
STATUS_STYLE = {"showing": "bold red", "watch": "dim"}


@assess_app.command("template")
@handles_errors
def template(
    format: Annotated[
        TemplateFormat, typer.Option("--format", "-f", help="Template file format.")
    ] = TemplateFormat.yaml,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (default: print YAML/CSV)."),
    ] = None,
) -> None:
    """Write a blank answer template (every item with its scale and help)."""
    from lisa.assess.template import template_text, write_template

    if out is None and format is TemplateFormat.xlsx:
        out = Path("assessment-template.xlsx")
    if out is None:
        typer.echo(template_text(format.value), nl=False)
        return
    path = write_template(out, format.value)
    err_console.print(f"Template written to {path}")


RuleOption = Annotated[
    list[str] | None,
    typer.Option(
        "--rule",
        help="Override an assessment setting, NAME=VALUE (repeatable; see 'lisa assess settings').",
        metavar="NAME=VALUE",
    ),
]


def _instrument(rules: list[str] | None) -> Any:
    from lisa.assess import AssessmentSettings, Instrument
    from lisa.config import parse_assignments

    return Instrument.load(AssessmentSettings.from_overrides(parse_assignments(rules, "--rule")))


@assess_app.command("settings")
@handles_errors
def settings() -> None:
    """List every assessment setting with its default and meaning (use with --rule)."""
    from lisa.assess import AssessmentSettings

    for name, default, help_text in AssessmentSettings.describe():
        console.print(f"[bold]{escape(name)}[/] = {escape(repr(default))}", highlight=False)
        console.print(f"    {escape(help_text)}", highlight=False)
    console.print("\nChange one with --rule NAME=VALUE (e.g. --rule stall_years=4).")


def _load_findings(
    network: Path | None,
    findings: Path | None,
    config: AnalysisConfig,
    stored: Path | None,
    quiet: bool,
) -> tuple[list[Finding] | None, str | None]:
    """The network findings: of a study (analysed as 'lisa analyse' would, or its stored
    analysis), or of an analysis JSON on its own."""
    if network and findings:
        raise ConfigError("give either --network or --findings, not both")
    if stored is not None and network is None:
        raise ConfigError("--analysis goes with --network (the study it was computed from)")
    if findings:
        from lisa.analysis import AnalysisResult

        return list(AnalysisResult.from_json(findings).findings), str(findings)
    if network:
        result = analysis_for(network, config, stored=stored, quiet=quiet)
        return list(result.findings), str(network)
    return None, None


def _checked_sets(files: list[Path], instrument: Any) -> list[Any]:
    """The answer sets of the files; errors raise AssessmentInvalid, warnings are printed."""
    from lisa.assess import AssessmentInvalid, check_many

    answer_sets, problems = check_many(files, instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    for p in problems:
        err_console.print(f"[yellow]warning[/] {escape(str(p))}", highlight=False)
    return answer_sets


#: The answer files of 'lisa assess' and 'lisa assess spread'.
AnswerFiles = Annotated[
    list[Path], typer.Argument(help="Answer files (YAML, CSV, Excel).", show_default=False)
]


@assess_app.command("run", hidden=True)
@handles_errors
def run(
    files: AnswerFiles,
    network: Annotated[
        Path | None,
        typer.Option(
            help="A study folder: analyse its network (as 'lisa analyse' does, with the same "
            "--set, --wave and --impute) and use the findings."
        ),
    ] = None,
    findings: Annotated[
        Path | None,
        typer.Option(help="An analysis JSON ('lisa analyse --json') whose findings to use."),
    ] = None,
    wave: WaveOption = None,
    impute: ImputeOption = "none",
    sets: SetOption = None,
    analysis: AnalysisOption = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the assessment JSON to this file.")
    ] = None,
    rules: RuleOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the phase and the recommendations' titles.")
    ] = False,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Also list the answers the placement hinges on (whose one-point change would "
            "move the phase, stage or triangle verdict).",
        ),
    ] = False,
) -> None:
    """Assess the innovations in answer files."""
    from lisa.assess import assess_sets, write_json
    from lisa.assess.locality import locality_summary

    instrument = _instrument(rules)
    config = config_from(sets, wave, impute)
    found, source = _load_findings(network, findings, config, analysis, quiet)
    assessments = assess_sets(_checked_sets(files, instrument), found, instrument=instrument)
    for assessment in assessments:
        print_assessment(assessment, quiet=quiet)
        if sensitivity:
            print_sensitivity(assessment)
    for loc in locality_summary(assessments):
        if len(loc.entries) > 1:
            print_locality(loc)
    if json_path:
        write_json(assessments, json_path, source, instrument=instrument)
        console.print(f"\nAssessment JSON written to {json_path}")


@assess_app.command("spread")
@handles_errors
def spread(
    files: AnswerFiles,
    findings: Annotated[
        Path | None,
        typer.Option(
            help="An analysis JSON ('lisa analyse --json'): the spreading part then points to "
            "its intermediaries and its findings take part in the rules."
        ),
    ] = None,
    rules: RuleOption = None,
) -> None:
    """Only the spreading part: readiness for scaling, its risks and recommendations, and which
    routes to spread fit, with their trade-offs and the cases that took them."""
    from lisa.assess import assess_sets

    instrument = _instrument(rules)
    found, _ = _load_findings(None, findings, AnalysisConfig(), None, True)
    for assessment in assess_sets(_checked_sets(files, instrument), found, instrument=instrument):
        console.rule(f"[bold]{escape(assessment.innovation)}[/] — {escape(assessment.place)}")
        print_spreading(assessment, full=True)
        console.print()


def _bar(value: float | None, need: float) -> str:
    if value is None:
        return "[dim]unanswered[/]"
    filled = round(value * 10)
    style = "green" if value >= need else "red"
    return f"[{style}]{'█' * filled}{'·' * (10 - filled)}[/] {value:.2f} (needs {need:.2f})"


def _print_phase(a: Assessment, quiet: bool) -> None:
    p = a.phase
    console.rule(f"[bold]{escape(a.innovation)}[/] — {escape(a.place)}")
    console.print(f"Assessed by {escape(', '.join(a.assessors))}", highlight=False)
    console.print(
        f"[bold {PHASE_STYLE[p.value]}]Phase {p.value}: {p.name}[/]  confidence "
        f"{p.confidence:.2f} ({p.confidence_label}) · stage [bold]{a.stage.value}[/] · "
        f"trajectory [bold]{a.trajectory.status}[/]"
    )
    if quiet:
        return
    for line in p.evidence:
        console.print(f"  [dim]-[/] {escape(line)}", highlight=False)
    console.print(f"  [dim]-[/] Trajectory: {escape(a.trajectory.reason)}", highlight=False)
    console.print(f"  [dim]-[/] Stage: {escape(a.stage.reason)}", highlight=False)


def _print_triangle(a: Assessment) -> None:
    t = a.triangle
    console.print("\n[bold]Strategic triangle[/] (what this phase needs, seed 002 §5.3)")
    table = Table(show_edge=False, box=None, show_header=False)
    table.add_column()
    table.add_column()
    for corner in CORNERS:
        c = t.corners[corner]
        mark = " ◀ weakest" if corner == t.weakest_corner and t.weakest_corner_falls_short else ""
        table.add_row(f"  {corner}", _bar(c.strength, c.need) + mark)
    for link in LINKS:
        k = t.links[link]
        est = " [dim](estimated)[/]" if k.estimated and k.strength is not None else ""
        mark = " ◀ weakest" if link == t.weakest_link and t.weakest_link_falls_short else ""
        table.add_row(f"  {link_words(link)}", _bar(k.strength, k.need) + est + mark)
    console.print(table)
    if t.balanced:
        console.print(
            f"  Balanced for this phase: no corner falls short (lowest: {t.weakest_corner}).",
            highlight=False,
        )
    if a.factors:
        console.print(
            "\n[bold]Six factors[/]: " + ", ".join(f"{f} {r}" for f, r in a.factors.items()),
            highlight=False,
        )


def _print_risks_and_recommendations(a: Assessment) -> None:
    console.print(f"\n[bold]Risks named for {a.phase.name}[/]")
    for risk in a.risks:
        console.print(
            f"  [{STATUS_STYLE[risk.status]}]{risk.status.upper():<7}[/] {escape(risk.title)} "
            f"[dim](seed {escape(risk.source.ref)})[/]",
            highlight=False,
        )
        for why in risk.why:
            console.print(f"           because {escape(why)}", highlight=False)
    console.print("\n[bold]Recommendations[/]")
    if not a.recommendations:
        console.print("  None of the rules fire for these answers.")
    for rec in a.recommendations:
        console.print(
            f"  [bold]{escape(rec.title)}[/] [dim]— {escape(rec.cluster_title)}[/]", highlight=False
        )
        console.print(f"    {escape(rec.action)}", highlight=False)
        console.print(f"    why: {escape('; '.join(rec.why))}", highlight=False)
        console.print(f"    [dim]source: {escape(cite(rec.source.ref))}[/]", highlight=False)


def print_assessment(a: Assessment, quiet: bool = False, shown: int | None = None) -> None:
    """One assessed innovation: phase and evidence, triangle, factors, risks, recommendations.

    ``quiet``: only the phase and the recommendations' titles, the first ``shown`` of them
    (``None``: all).
    """
    _print_phase(a, quiet)
    if quiet:
        recs = a.recommendations if shown is None else a.recommendations[:shown]
        for rec in recs:
            console.print(f"  • {escape(rec.title)} [dim]({rec.cluster})[/]")
        if len(recs) < len(a.recommendations):
            console.print(f"  [dim]… and {len(a.recommendations) - len(recs)} more[/]")
        return
    _print_triangle(a)
    _print_risks_and_recommendations(a)
    print_spreading(a, full=False)
    if a.disagreements:
        console.print("\n[bold yellow]Where the assessors disagree[/]")
        for d in a.disagreements:
            values = ", ".join(f"{escape(k)}: {_show(v)}" for k, v in d.values.items())
            console.print(
                f"  {escape(d.item)}: {values} → combined {_show(d.combined)}", highlight=False
            )
    console.print()


FIT_STYLE = {"fits": "bold green", "possible": "yellow", "unknown": "dim", "does not fit": "red"}
LEVEL_STYLE = {"strong": "green", "fair": "yellow", "weak": "bold red", "not assessed": "dim"}


def _print_readiness(s: Spreading) -> None:
    r = s.readiness
    for condition, c in r.conditions.items():
        mark = " ◀ weakest" if condition in r.weakest else ""
        value = "" if c.strength is None else f"{c.strength:.2f} "
        console.print(
            f"  {condition:<9} [{LEVEL_STYLE[c.level]}]{c.level}[/] {value}"
            f"[dim]({c.answered} of {c.total} items · {escape(c.title)})[/]{mark}",
            highlight=False,
        )
    if len(r.weakest) > 1:
        console.print(f"  Tied for weakest: {', '.join(r.weakest)}.", highlight=False)


def _print_routes(s: Spreading, full: bool) -> None:
    console.print("  [bold]Routes to spread[/] [dim](seed 004)[/]")
    for route in s.routes:
        console.print(
            f"    [{FIT_STYLE[route.fit]}]{route.fit.upper():<12}[/] {escape(route.title)}",
            highlight=False,
        )
        for line in (
            *route.reasons, *(f"against: {x}" for x in route.against), *route.unmet, *route.unanswered
        ):
            console.print(f"                 {escape(line)}", highlight=False)
        if full:
            for t in route.tradeoffs:
                console.print(
                    f"                 trade-off: {escape(t.text)} [dim](seed {escape(t.source.ref)})[/]",
                    highlight=False,
                )
        if route.cases:
            console.print(
                "                 [dim]cases: " + escape(", ".join(c.name for c in route.cases)) + "[/]",
                highlight=False,
            )


def print_spreading(a: Assessment, full: bool = False) -> None:
    """The spreading part: readiness profile, risks and recommendations, routes (issue 14)."""
    s = a.spreading
    console.print("\n[bold]Spreading it[/] (four conditions for scaling, seed 004)")
    if s is None or s.status == "not assessed":
        console.print(
            "  Not assessed: no 'scale' item is answered ('lisa assess template' lists them).",
            highlight=False,
        )
        return
    _print_readiness(s)
    for risk in s.risks:
        console.print(
            f"  [bold red]RISK[/] {escape(risk.title)} [dim]({risk.condition}; seed {escape(risk.source.ref)})[/]",
            highlight=False,
        )
        for why in risk.why:
            console.print(f"       because {escape(why)}", highlight=False)
    for rec in s.recommendations:
        console.print(f"  [bold]{escape(rec.title)}[/] [dim]({rec.condition})[/]", highlight=False)
        if full:
            console.print(f"    {escape(rec.action)}", highlight=False)
        console.print(f"    why: {escape('; '.join(rec.why))}", highlight=False)
        console.print(f"    [dim]source: {escape(cite(rec.source.ref))}[/]", highlight=False)
    _print_routes(s, full)
    console.print(f"  [dim]{escape(s.intermediaries.text)}[/]", highlight=False)


def print_sensitivity(a: Assessment) -> None:
    """The answers the placement hinges on (``lisa assess FILE --sensitivity``)."""
    console.print(f"[bold]What the placement hinges on[/] — {escape(a.innovation)}")
    if not a.sensitivity:
        console.print("  No single answer moved by one point changes the phase, stage or triangle.")
    for h in a.sensitivity:
        console.print(
            f"  {escape(h.item)} {_show(h.answer)} → {_show(h.to)}: {escape('; '.join(h.changes))}",
            highlight=False,
        )
    console.print()


def _show(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "/".join(str(v) for v in value)
    return escape(str(value))


def print_locality(loc: Locality) -> None:
    """A place's register of innovations and its overall stage."""
    console.rule(f"[bold]{escape(loc.place)}[/]: {len(loc.entries)} innovations")
    table = Table(show_edge=False, box=None)
    for col in ("innovation", "phase", "stage", "trajectory", "confidence", "weakest corner"):
        table.add_column(col)
    for row in loc.entries:
        table.add_row(
            escape(row.innovation),
            f"{row.phase} {row.phase_name}",
            row.stage,
            row.trajectory,
            f"{row.confidence:.2f}",
            row.weakest_corner or "",
        )
    console.print(table)
    console.print(f"Overall stage: [bold]{loc.stage.value}[/] ({escape(loc.stage.reason)})")
    if loc.innovating_in_several_fields:
        console.print("Innovation has reached mainstreaming or beyond in two or more fields.")


# ---------------------------------------------------------------------- cases


@cases_app.command("list")
@handles_errors
def cases_list() -> None:
    """List the cases in the library."""
    from lisa.cases import load_cases

    table = Table(show_edge=False, box=None)
    for col in ("name", "kind", "stage", "phase", "title"):
        table.add_column(col, no_wrap=col != "title")
    for case in load_cases():
        table.add_row(
            case.name,
            case.kind,
            case.stage or case.placement.get("stage") or "",
            "" if case.phase is None else str(case.phase),
            escape(case.title),
        )
    console.print(table)


@cases_app.command("show")
@handles_errors
def cases_show(
    name: Annotated[str, typer.Argument(help="Case name (see 'lisa cases list').")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the case as JSON.")] = False,
) -> None:
    """Show one case: context, drivers, process, outcomes, timeline, factors, stage."""
    from lisa.cases import get_case

    case = get_case(name)
    if as_json:
        typer.echo(json.dumps(case.data, indent=2, ensure_ascii=False, default=str))
        return
    console.print(case.render(), highlight=False)


@cases_app.command("compare")
@handles_errors
def cases_compare(
    files: Annotated[
        list[Path], typer.Argument(help="Answer file(s) of one innovation.", show_default=False)
    ],
    top: Annotated[int, typer.Option(help="How many cases to show.")] = 3,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the comparison JSON to this file.")
    ] = None,
) -> None:
    """The closest cases to an assessed innovation: what they share, what differs, what they did next."""
    from lisa.assess import Instrument, assess_files
    from lisa.cases import compare

    instrument = Instrument.load()
    assessments = assess_files(files, instrument=instrument)
    if len(assessments) != 1:
        raise LisaError(
            f"'cases compare' takes the answers for one innovation; these files hold {len(assessments)}"
        )
    assessment = assessments[0]
    matches = compare(assessment, top=top, instrument=instrument)
    console.rule(
        f"Closest cases to [bold]{escape(assessment.innovation)}[/] "
        f"(phase {assessment.phase.value}, {assessment.stage.value})"
    )
    for m in matches:
        console.print(
            f"\n[bold]{escape(m.case.title)}[/] [dim]({m.case.name}, similarity {m.score:.2f})[/]",
            highlight=False,
        )
        console.print("  shares:  " + escape("; ".join(m.shared) or "—"), highlight=False)
        console.print("  differs: " + escape("; ".join(m.differs) or "—"), highlight=False)
        for step in m.case.next_steps:
            console.print(f"  next:    {escape(step)}", highlight=False)
        console.print(f"  [dim]source: {escape(cite(m.case.source))}[/]", highlight=False)
    if json_path:
        doc = {
            "schema_version": "1.0",
            "kind": "lisa-case-comparison",
            "innovation": assessment.innovation,
            "place": assessment.place,
            "matches": [m.to_dict() for m in matches],
        }
        atomic_write_text(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        console.print(f"\nComparison JSON written to {json_path}")
