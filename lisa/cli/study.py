"""Commands over study data and network analysis.

``demo``, ``generate``, ``validate``, ``analyse``, ``export``,
``import-survey``, ``delete-person`` and ``settings``. Each is a few lines: read arguments, call
the library, print with :mod:`lisa.cli._render`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lisa.cli._app import app, console, err_console, handles_errors
from lisa.cli._options import (
    AnalysisOption,
    ImputeOption,
    JsonOption,
    KeyOption,
    MinCellOption,
    PseudonymiseOption,
    QuietOption,
    SetOption,
    StudyDir,
    WaveOption,
    WorkersOption,
    analysis_for,
    check_out_folder,
    check_outputs,
    config_from,
    output_plan,
    pseudonymiser_for,
)
from lisa.cli._render import analysis_progress, print_problems, print_settings, print_summary
from lisa.config import AnalysisConfig
from lisa.io.export import ExportFormat
from lisa.io.folder import StudyFormat
from lisa.network.organisations import Level
from lisa.privacy import MIN_CELL
from lisa.synth import Preset

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.assess import Assessment
    from lisa.privacy import Pseudonymiser
    from lisa.value import ValueResult

def write_outputs(
    result: AnalysisResult,
    out: Path,
    pseudonymiser: Pseudonymiser | None = None,
    stored: AnalysisResult | None = None,
) -> list[Path]:
    """analysis.json, people.parquet and the three exports in ``out`` (all pseudonymised, or none).

    ``stored`` is the result as written, when the caller has already pseudonymised it.
    """
    from lisa.files import ensure_folder
    from lisa.io import export_study

    ensure_folder(out)
    if stored is None:
        stored = pseudonymiser.result(result) if pseudonymiser else result
    written = []
    for fmt, target in output_plan(out):
        if fmt == "json":
            written.append(stored.write_json(target))
        elif fmt == "parquet":
            written.append(stored.write_people_table(target))
        else:
            written.append(
                export_study(
                    result.study, target, fmt, metrics=result, pseudonymise=pseudonymiser or False
                )
            )
    return written


#: The demo's second wave follows a programme that opened the place up: the
#: periphery's share of ties beyond their own organisation and sector (0.08 in
#: the appendix-c preset) rises to this.
DEMO_PROGRAMME = 0.2

#: How many of the demo innovation's recommendations the demo prints (the report has them all).
DEMO_RECOMMENDATIONS_SHOWN = 5


@app.command()
@handles_errors
def demo(
    out: Annotated[
        Path, typer.Option(help="Folder to write the demo place and results to.")
    ] = Path("lisa-demo"),
    people: Annotated[int, typer.Option(help="Number of people in the demo place.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed of the demo place.")] = 7,
    quiet: QuietOption = False,
) -> None:
    """Build the demo place (shaped like the reports' Appendix C area, surveyed twice), analyse it and show what it finds."""
    from lisa.analysis import analyse
    from lisa.io import write_study
    from lisa.synth import generate

    console.print(
        f"[bold]lisa demo[/]: a synthetic place of {people} people shaped like the "
        "Appendix C area (no real people), surveyed in 2024 and again in 2025 after a "
        "programme that opened it up."
    )
    study = generate(
        people,
        seed=seed,
        preset="appendix-c",
        name="Demo place (Appendix C shape)",
        waves=2,
        second_periphery_connection=DEMO_PROGRAMME,
    )
    study_dir = write_study(study, out / "study")
    with analysis_progress(quiet) as progress:
        result = analyse(study, AnalysisConfig(), progress=progress)
    print_summary(result)
    from lisa.change import compare_waves
    from lisa.cli.waves import print_comparison

    change = compare_waves(study, analysis=result.config)
    console.print()
    print_comparison(change)
    assessments, values = _demo_innovation(result, out / "examples", quiet)
    written = write_outputs(result, out)
    from lisa.report import write_report

    written += write_report(
        result, out / "report.html", change=change, assessments=assessments, values=values
    )
    console.print(f"\n[bold]Written to {out}/[/]")
    console.print(f"  study data      {study_dir}")
    for path in written:
        console.print(f"  {path.name:<15} {path}")
    console.print(
        f"\nOpen [cyan]{out / 'report.html'}[/] in a browser for the locality report and map.\n"
        f"Next: [cyan]lisa analyse {study_dir}[/] on the same data, "
        f"[cyan]lisa assess {out / 'examples' / 'assess'}/*.yaml --network {study_dir}[/] "
        "for the whole assessment, [cyan]lisa assess template[/] to assess an innovation of "
        "your own, or [cyan]lisa validate YOUR_FOLDER[/] on your own data. To run the survey "
        "itself in the browser: [cyan]lisa serve --demo[/] (docs/web.md)."
    )


def _demo_innovation(
    result: AnalysisResult, folder: Path, quiet: bool
) -> tuple[list[Assessment], list[ValueResult]]:
    """Copy the illustrative examples (``lisa/examples``: a made-up youth employment hub,
    assessed by two people, and its value ledger) beside the demo place; assess the hub with
    the demo place's findings and add up its ledger, for the printout and the report."""
    from importlib import resources
    from importlib.resources.abc import Traversable

    from lisa.assess import assess_files
    from lisa.cli.assess import print_assessment
    from lisa.files import atomic_write_bytes
    from lisa.value import read_ledger, value_of

    def copy(item: Traversable, to: Path) -> None:
        for child in item.iterdir():
            if child.is_dir():
                copy(child, to / child.name)
            elif child.is_file():
                atomic_write_bytes(to / child.name, child.read_bytes())

    source = resources.files("lisa").joinpath("examples")
    for sub in ("assess", "value"):
        copy(source.joinpath(sub), folder / sub)
    answers = sorted((folder / "assess").glob("*.yaml"))
    assessments = assess_files(answers, list(result.findings))
    values = [value_of(read_ledger(folder / "value" / "youth-hub.yaml"))]
    if not quiet:
        console.print()
        console.print(
            "[bold]An innovation in the demo place[/] (made up, to show the assessment): "
            f"{len(answers)} assessors' answers in {folder / 'assess'}"
        )
        for assessment in assessments:
            print_assessment(assessment, quiet=True, shown=DEMO_RECOMMENDATIONS_SHOWN)
    return assessments, values


@app.command()
@handles_errors
def generate(
    out: Annotated[Path, typer.Argument(help="Folder to write the study to.", show_default=False)],
    people: Annotated[int, typer.Option(help="Number of people (50 to 100,000).")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same place.")] = 0,
    preset: Annotated[Preset, typer.Option(help="Shape of the place.")] = "appendix-c",
    core_closure: Annotated[
        float | None, typer.Option(help="0..1: how closed the core group is (overrides preset).")
    ] = None,
    periphery_connection: Annotated[
        float | None,
        typer.Option(help="0..1: how connected the periphery is (overrides preset)."),
    ] = None,
    response_rate: Annotated[
        float, typer.Option(help="Share of people who answered the survey.")
    ] = 1.0,
    format: Annotated[StudyFormat, typer.Option(help="CSV files or one Excel workbook.")] = "csv",
    waves: Annotated[
        int, typer.Option(min=1, max=2, help="Survey waves: 2 adds a second wave a year on.")
    ] = 1,
    turnover: Annotated[
        float, typer.Option(help="Second wave: share of people who leave and are replaced.")
    ] = 0.1,
    tie_retention: Annotated[
        float, typer.Option(help="Second wave: chance that a tie between stayers is kept.")
    ] = 0.6,
    second_periphery_connection: Annotated[
        float | None,
        typer.Option(help="Second wave: periphery connection after a programme (0..1)."),
    ] = None,
) -> None:
    """Generate a seeded, reproducible synthetic locality as a study folder."""
    from lisa.io import write_study
    from lisa.synth import generate as make_place

    study = make_place(
        people,
        seed=seed,
        preset=preset,
        core_closure=core_closure,
        periphery_connection=periphery_connection,
        response_rate=response_rate,
        waves=waves,
        turnover=turnover,
        tie_retention=tie_retention,
        second_periphery_connection=second_periphery_connection,
    )
    path = write_study(study, out, format=format)
    console.print(
        f"Wrote {study.n_people} people and {len(study.ties)} ties in "
        f"{len(study.relations)} relations to {path}"
    )


@app.command()
@handles_errors
def validate(study: StudyDir) -> None:
    """Check a study folder and list every problem at once (file, row, column, value)."""
    from lisa.io import check_study

    problems = check_study(study)
    errors = print_problems(problems, study)
    if errors:
        raise typer.Exit(2)


@app.command()
@handles_errors
def analyse(
    study: StudyDir,
    json_path: JsonOption = None,
    table: Annotated[
        Path | None,
        typer.Option(
            "--table",
            help="Also write every person's numbers in every network as a Parquet table.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write analysis.json, people.parquet and exports (GraphML, GEXF, CSV) to this "
            "folder."
        ),
    ] = None,
    wave: WaveOption = None,
    impute: ImputeOption = "none",
    sets: SetOption = None,
    pseudonymise: PseudonymiseOption = False,
    min_cell: MinCellOption = MIN_CELL,
    pseudonym_key: KeyOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only print the findings.")] = False,
    level: Annotated[
        Level,
        typer.Option(help="Nodes: people, or their organisations (ties rolled up between them)."),
    ] = "person",
    workers: WorkersOption = None,
) -> None:
    """Analyse a study's networks: roles, cores, mixing, resilience and findings."""
    from lisa.files import output_lock

    config = config_from(sets, wave, impute)
    check_outputs(study, [p for p in (json_path, table) if p is not None])
    if out:
        check_out_folder(study, out)
    if level == "organisation":
        from lisa.io import load_study
        from lisa.network.organisations import analyse_organisations

        result, rollup = analyse_organisations(load_study(study), config)
        console.print(
            f"Organisations as nodes: {len(rollup.organisations)} organisations; "
            f"{rollup.internal_ties:,} of {rollup.person_ties:,} person ties are within one "
            f"organisation and {rollup.people_without_organisation:,} people have none."
        )
    else:
        result = analysis_for(study, config, quiet=quiet, workers=workers)
    outputs = [p for p in (out, json_path, table) if p is not None]
    pseudonymiser = pseudonymiser_for(
        result.study, pseudonymise, min_cell, pseudonym_key, outputs
    )
    print_summary(result, brief=quiet, pseudonymiser=pseudonymiser)
    stored = pseudonymiser.result(result) if pseudonymiser and outputs else result  # once for all
    if json_path and table:  # two writers of a large result: the JSON in a forked child
        from lisa.execution import side_by_side

        # (not the table: polars' thread pool does not survive a fork)
        side_by_side(lambda: stored.write_people_table(table), lambda: stored.write_json(json_path))
    elif json_path:
        stored.write_json(json_path)
    elif table:
        stored.write_people_table(table)
    if json_path:
        console.print(f"Analysis JSON written to {json_path}")
    if table:
        console.print(f"Per-person table written to {table}")
    if out:
        with output_lock(out):  # a second 'analyse --out' into the same folder waits
            written = write_outputs(result, out, pseudonymiser, stored)
        for path in written:
            console.print(f"Wrote {path}")


@app.command()
@handles_errors
def export(
    study: StudyDir,
    format: Annotated[ExportFormat, typer.Option(help="File format.")] = "graphml",
    out: Annotated[
        Path | None,
        typer.Option(help="Output file (a folder for csv). Default: next to the study."),
    ] = None,
    relation: Annotated[
        str | None, typer.Option(help="Only this relation (default: all, as a multiplex).")
    ] = None,
    with_metrics: Annotated[
        bool, typer.Option(help="Add each person's metrics and roles (runs the analysis).")
    ] = True,
    wave: WaveOption = None,
    impute: ImputeOption = "none",
    sets: SetOption = None,
    analysis: AnalysisOption = None,
    pseudonymise: PseudonymiseOption = False,
    min_cell: MinCellOption = MIN_CELL,
    pseudonym_key: KeyOption = None,
) -> None:
    """Export a study's network to GraphML, GEXF or CSV for Gephi, Kumu, UCINET and others."""
    from lisa.io import export_study, load_study

    fmt = format
    suffix = "" if fmt == "csv" else f".{fmt}"
    target = out or study.with_name(study.name + "-export" + suffix)
    if fmt == "csv":
        check_outputs(study, [], [target])
    else:
        check_outputs(study, [target])
    if with_metrics:
        result = analysis_for(study, config_from(sets, wave, impute), stored=analysis, quiet=True)
        data, metrics = result.study, result
    else:
        data, metrics = load_study(study), None
    pseudonymiser = pseudonymiser_for(data, pseudonymise, min_cell, pseudonym_key, [target])
    path = export_study(
        data,
        target,
        fmt,
        relation=relation,
        metrics=metrics,
        pseudonymise=pseudonymiser or False,
    )
    console.print(f"Wrote {path}")


@app.command("import-survey")
@handles_errors
def import_survey(
    export_file: Annotated[
        Path, typer.Argument(help="The survey tool's export (CSV or Excel).", show_default=False)
    ],
    study: Annotated[
        Path, typer.Option(help="Study folder whose roster the names are matched to.")
    ],
    respondent_column: Annotated[
        str | None, typer.Option(help="Column naming the respondent (default: detected).")
    ] = None,
    wave: Annotated[
        str | None,
        typer.Option(help="Wave the answers belong to (default: the latest; a new label adds it)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Only check and report; write nothing.")] = False,
) -> None:
    """Add a survey export (one row per respondent, one column per relation) to a study."""
    from lisa.io import load_study, merge_survey, read_survey_export, write_survey_ties

    roster = load_study(study)
    imported = read_survey_export(export_file, roster, respondent_column=respondent_column)
    errors = print_problems(imported.problems, export_file)
    if errors:
        err_console.print("Nothing was written: fix the names above and run again.")
        raise typer.Exit(2)
    merged = merge_survey(roster, imported, wave=wave)  # a bad --wave fails before writing
    label = f" in wave {merged.waves[-1] if wave is None else wave}" if merged.waves else ""
    console.print(
        f"Matched {len(imported.ties)} nominations from {len(imported.respondents)} respondents"
        f"{label}."
    )
    if not dry_run:
        write_survey_ties(imported, study, wave=wave)
        console.print(f"Added them to {study}")
        if imported.set_aside:
            console.print(
                f"{len(imported.set_aside)} answer(s) naming someone not on the list are kept "
                f"in {study / 'not_on_list.csv'}"
            )


@app.command("delete-person")
@handles_errors
def delete_person(
    study: StudyDir,
    person_id: Annotated[
        str, typer.Argument(help="The person's id (people.csv's id column).", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option(help="Only count what would go; write nothing.")] = False,
) -> None:
    """Delete a person on request: their row, their ties, and every value that names them."""
    from lisa.io import delete_person as delete

    removal = delete(study, person_id, dry_run=dry_run)
    counts = (
        f"1 person, {removal.ties} tie(s), {removal.attribute_values} value(s) naming them and "
        f"{removal.not_on_list} set-aside answer(s)"
    )
    if dry_run:
        console.print(f"Would remove {counts} from {study}; nothing was written.")
        return
    console.print(f"Removed {counts} from {study}.")
    console.print(
        f"Audit event {removal.event} added to {study / 'audit.log'} (counts only, no name). "
        "Exports, analyses and reports written before still hold this person: delete or "
        "re-create them."
    )


@app.command()
def settings() -> None:
    """List every analysis setting with its default and meaning (use with --set)."""
    print_settings(AnalysisConfig.describe())
