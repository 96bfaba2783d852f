"""The report command: ``lisa report STUDY_DIR`` (issue 5).

Analyses the study exactly as ``lisa analyse`` does (the same shared options:
``--set``, ``--wave``, ``--impute``), or reuses a stored analysis
(``--analysis FILE``), then writes the locality report with :mod:`lisa.report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import (
    AnalysisOption,
    ImputeOption,
    MinCellOption,
    PseudonymiseOption,
    QuietOption,
    SetOption,
    StudyDir,
    WaveOption,
    analysis_for,
    check_outputs,
    config_from,
    pseudonymiser_for,
)
from lisa.cli.waves import change_for
from lisa.privacy import MIN_CELL
from lisa.scenarios.diffusion import read_diffusion
from lisa.scenarios.ties import read_best_ties
from lisa.scenarios.whatif import read_what_if

if TYPE_CHECKING:
    from lisa.assess import Assessment
    from lisa.value import ValueResult


def _read_assessments(paths: list[Path] | None) -> list[Assessment]:
    """Every assessment in the ``--assessment`` files, read with the assess module's reader.

    A file that is not a ``lisa assess --json`` document stops the command
    (``AssessmentDocumentInvalid``, exit 2) before anything is analysed.
    """
    from lisa.assess import read_assessments

    return [a for path in paths or [] for a in read_assessments(path)]


def _read_values(paths: list[Path] | None) -> list[ValueResult]:
    """Every ``--value`` ledger added up; a bad ledger stops the command (exit 2) first."""
    from lisa.value import read_ledger, value_of

    return [value_of(read_ledger(path)) for path in paths or []]


@app.command()
@handles_errors
def report(
    study: StudyDir,
    out: Annotated[
        Path, typer.Option("--out", help="The HTML report to write (one self-contained file).")
    ] = Path("report.html"),
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write the report as a PDF (board papers).")
    ] = None,
    pseudonymise: PseudonymiseOption = False,
    min_cell: MinCellOption = MIN_CELL,
    assessment: Annotated[
        list[Path] | None,
        typer.Option(
            "--assessment",
            help="An assessment JSON from 'lisa assess' (repeatable): adds its innovation.",
        ),
    ] = None,
    wave: WaveOption = None,
    impute: ImputeOption = "none",
    sets: SetOption = None,
    analysis: AnalysisOption = None,
    title: Annotated[str | None, typer.Option(help="Report title (default: the study name).")] = None,
    diffusion: Annotated[
        Path | None,
        typer.Option(
            "--diffusion",
            help="A 'lisa simulate --json' result of the same study: adds 'How an idea would spread'.",
        ),
    ] = None,
    whatif: Annotated[
        list[Path] | None,
        typer.Option(
            "--whatif",
            help="A 'lisa whatif --json' result of the same study and settings (repeatable): "
            "adds it to 'What if'.",
        ),
    ] = None,
    best_ties: Annotated[
        Path | None,
        typer.Option(
            "--best-ties",
            help="A 'lisa best-ties --json' result of the same study: adds the proposed ties "
            "to 'What if'.",
        ),
    ] = None,
    value: Annotated[
        list[Path] | None,
        typer.Option(
            "--value",
            help="A value ledger (repeatable; docs/value.md): adds its value created and the "
            "place's pipeline.",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Write the locality report: interactive HTML (map, charts, findings) and optionally a PDF."""
    from lisa.report import write_report

    check_outputs(study, [out, *([pdf] if pdf else [])])
    assessments = _read_assessments(assessment)
    values = _read_values(value)
    spread = read_diffusion(diffusion) if diffusion else None
    what_ifs = [read_what_if(path) for path in whatif or []]
    ties = read_best_ties(best_ties) if best_ties else None
    result = analysis_for(study, config_from(sets, wave, impute), stored=analysis, quiet=quiet)
    outputs = [p for p in (out, pdf) if p is not None]
    pseudonymiser = pseudonymiser_for(result.study, pseudonymise, min_cell, None, outputs)
    written = write_report(
        result,
        out,
        pdf=pdf,
        assessments=assessments,
        pseudonymise=pseudonymiser or False,
        title=title,
        values=values,
        change=change_for(study, result),
        diffusion=spread,
        what_ifs=what_ifs,
        best_ties=ties,
    )
    for path in written:
        console.print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
