"""The options several commands share, each defined once.

``analyse``, ``export``, ``report`` and ``assess --network`` take the same
study argument and analysis options (``--set``, ``--wave``, ``--impute``,
``--analysis``), and the commands that write personal data share the privacy
options (``--pseudonymise``, ``--min-cell``, ``--pseudonym-key``). Each is an
``Annotated`` type here; :func:`analysis_for` turns them into an analysis —
computed, or reloaded from a stored analysis JSON — so every command analyses a
study exactly the same way. Choices are the models' own ``Literal`` types
(Typer offers exactly their values), so the command line cannot offer a value
the library refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lisa.config import AnalysisConfig, ImputeMode, parse_assignments
from lisa.errors import ConfigError

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.privacy import Pseudonymiser
    from lisa.study import Study


StudyDir = Annotated[
    Path,
    typer.Argument(
        help="A study folder (people.csv, ties.csv, optional relations.csv) or an .xlsx workbook.",
        show_default=False,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override an analysis setting, NAME=VALUE (repeatable; see 'lisa settings').",
        metavar="NAME=VALUE",
    ),
]
WaveOption = Annotated[
    str | None, typer.Option("--wave", help="Survey wave to analyse (default: the latest).")
]
ImputeOption = Annotated[
    ImputeMode, typer.Option("--impute", help="Fill in non-respondents' ties by reciprocity.")
]
AnalysisOption = Annotated[
    Path | None,
    typer.Option(
        "--analysis",
        help="Use this stored analysis JSON ('lisa analyse --json') instead of analysing again; "
        "it must come from the same study data.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Local worker processes (default: the machine's cores, or LISA_WORKERS; this "
        "process alone when the work is small). The result is the same for any number.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run the work on this Dask scheduler instead, e.g. tcp://host:8786 (needs "
        "lisa[dask]; docs/scale.md). The result is the same.",
    ),
]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Write this command's result as JSON to FILE.")
]
PseudonymiseOption = Annotated[
    bool,
    typer.Option(
        "--pseudonymise",
        help="Write pseudonyms instead of ids, no names or free attributes, rows shuffled "
        "(docs/privacy.md).",
    ),
]
MinCellOption = Annotated[
    int,
    typer.Option(
        "--min-cell",
        min=1,
        help="With --pseudonymise: withhold the organisation of anyone whose organisation × "
        "sector × layer is shared by fewer people than this.",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--pseudonym-key",
        help="With --pseudonymise: also write the id → pseudonym key to this file (keep it "
        "apart from the release).",
    ),
]


def config_from(
    sets: list[str] | None, wave: str | None = None, impute: ImputeMode | None = None
) -> AnalysisConfig:
    """The analysis settings from ``--set NAME=VALUE`` items, ``--wave`` and ``--impute``."""
    overrides = parse_assignments(sets, "--set")
    extra: dict[str, object] = {"wave": wave}
    if impute is not None:
        extra["impute"] = impute
    return AnalysisConfig.from_overrides(overrides, **extra)


def analysis_for(
    study_path: Path,
    config: AnalysisConfig,
    *,
    stored: Path | None = None,
    quiet: bool = False,
    workers: int | None = None,
) -> AnalysisResult:
    """Load the study and analyse it, or reload its stored analysis (``--analysis``)."""
    from lisa.analysis import AnalysisResult, analyse
    from lisa.cli._render import analysis_progress
    from lisa.io import load_study

    study = load_study(study_path)
    if stored is not None:
        return AnalysisResult.from_json(stored, study=study)
    with analysis_progress(quiet) as progress:
        return analyse(study, config, progress=progress, workers=workers)


def pseudonymiser_for(
    study: Study, pseudonymise: bool, min_cell: int, key: Path | None, outputs: list[Path]
) -> Pseudonymiser | None:
    """The run's one pseudonymiser (or None), writing the key only where asked and safe."""
    from lisa.cli._app import err_console
    from lisa.errors import OutputError
    from lisa.privacy import Pseudonymiser

    if not pseudonymise:
        if key is not None:
            raise ConfigError("--pseudonym-key needs --pseudonymise")
        return None
    p = Pseudonymiser(study, min_cell=min_cell)
    if key is not None:
        resolved = key.resolve()
        for out in outputs:
            out = out.resolve()
            if resolved == out or out in resolved.parents:
                raise OutputError(
                    f"the pseudonym key '{key}' would be written inside the release ('{out}'): "
                    "keep it apart from the files you share"
                )
        p.write_key(key)
        err_console.print(
            f"[yellow]warning:[/] the pseudonym key in {key} re-identifies everyone: do not share "
            "it with the release",
            highlight=False,
        )
    if p.coarsened:
        err_console.print(
            f"Small cells: the organisation of {p.coarsened} people was withheld (fewer than "
            f"{min_cell} share their organisation, sector and layer)."
            + (f" {p.still_small} are still in a group under {min_cell}." if p.still_small else ""),
            highlight=False,
        )
    return p


def check_outputs(study: Path, files: list[Path], folders: list[Path] | None = None) -> None:
    """Before any work, refuse outputs that would overwrite the study's own files or that
    cannot be written (:class:`~lisa.errors.OutputError`, exit 3). ``folders`` receive CSV
    tables."""
    from lisa.files import check_writable_file, ensure_folder, refuse_overwrite
    from lisa.io.folder import STUDY_TABLES, study_files

    tables = [folder / name for folder in folders or [] for name in STUDY_TABLES]
    refuse_overwrite([*files, *tables], study_files(study))
    for folder in folders or []:
        ensure_folder(folder)
    for file in files:
        check_writable_file(file)


def output_plan(out: Path) -> list[tuple[str, Path]]:
    """What ``--out D`` writes: the analysis JSON, its per-person table, each export (csv: a folder)."""
    exports = out / "exports"
    return [
        ("json", out / "analysis.json"),
        ("parquet", out / "people.parquet"),
        ("graphml", exports / "network.graphml"),
        ("gexf", exports / "network.gexf"),
        ("csv", exports / "csv"),
    ]


def check_out_folder(study: Path, out: Path) -> None:
    """Check every file ``--out D`` will write (see :func:`check_outputs`)."""
    from lisa.files import ensure_folder

    ensure_folder(out)
    plan = output_plan(out)
    files = [path for fmt, path in plan if fmt != "csv"]
    check_outputs(study, files, [path for fmt, path in plan if fmt == "csv"])

