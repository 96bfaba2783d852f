"""Comparing places: ``lisa compare PLACE...`` and ``lisa pack PLACE... -o FILE`` (issue 13).

A place is a study folder (or workbook); an argument may also be a folder of
study folders or a benchmark pack (``.json``). The studies are analysed in
parallel through :mod:`lisa.execution` — local processes, or a Dask cluster
with ``--scheduler`` — and a place that fails is reported at the end while
the others are compared (exit 1 then, after every output is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from lisa.cli._app import app, console, err_console, handles_errors
from lisa.cli._options import (
    JsonOption,
    QuietOption,
    SchedulerOption,
    SetOption,
    WorkersOption,
    config_from,
)
from lisa.errors import ConfigError

if TYPE_CHECKING:
    from lisa.compare.run import Comparison, Gathered, Source
    from lisa.compare.standing import PlaceComparison
    from lisa.execution import Failure

Places = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Study folders or .xlsx workbooks, folders of studies, or benchmark packs (.json).",
        show_default=False,
    ),
]
StoredDataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Also every study stored in the web platform of this data folder "
                 "(its SQLite database)."),
]
StoredDatabase = Annotated[
    str | None,
    typer.Option("--database-url", help="Also every study stored in the web platform's PostgreSQL "
                 "database at this URL."),
]


def _stored(data_dir: Path | None, database_url: str | None) -> list[Source]:
    """The web platform's stored studies, when its data folder or database is given."""
    if data_dir is None and database_url is None:
        return []
    from lisa.cli.web import _engine, _settings
    from lisa.compare.run import stored_sources

    engine = _engine(_settings(data_dir, database_url))
    try:
        return stored_sources(engine)
    finally:
        engine.dispose()
PackName = Annotated[
    str | None,
    typer.Option("--name", help="The set's name, as comparisons cite it (default: 'these N places')."),
]


def _check_targets(places: list[Path], files: list[Path]) -> None:
    """Refuse outputs that would overwrite a study's files or cannot be written (exit 3)."""
    from lisa.files import check_writable_file, refuse_overwrite
    from lisa.io.folder import study_files

    refuse_overwrite(files, [f for p in places for f in study_files(p)])
    for f in files:
        check_writable_file(f)


def _cell(p: PlaceComparison, key: str) -> str:
    from lisa.compare.indicators import is_percent

    s = next((s for s in p.standings if s.key == key), None)
    if s is None:
        return "–"
    value = f"{100 * s.value:.0f}%" if is_percent(key) else f"{s.value:.2f}"
    where = f"p{s.percentile:.0f}" if s.percentile is not None else f"{s.below}/{s.places} below"
    return f"{value} ({where})"


OVERVIEW = ("networking", "density", "core_share", "core_overlap", "ei_sector", "response")


def print_comparison(c: Comparison) -> None:
    """Each place in a few lines: key indicators with percentiles, and the places most alike."""
    from lisa.compare.indicators import label_of

    console.print(f"[bold]Places compared: {escape(c.reference)}[/]", highlight=False)
    for p in c.places:
        alike = ", ".join(f"{escape(a.name)} ({a.distance:.2f})" for a in p.most_alike) or "–"
        figures = " · ".join(f"{label_of(k)} {_cell(p, k)}" for k in OVERVIEW)
        console.print(
            f"\n[bold]{escape(p.place.name)}[/] ({p.place.people:,} people"
            + (", high networking" if p.high_networking else "")
            + f")\n  {figures}\n  most alike: {alike}",
            highlight=False,
        )
    console.print(
        "\npNN: percentile among the other places (mid-rank rule, docs/compare.md); "
        f"'k/n below' where fewer than {c.reference_min_places} others have the indicator; "
        "--place NAME shows every indicator.",
        highlight=False,
    )


def print_place(p: PlaceComparison) -> None:
    """Every indicator of one place: value, percentile, places behind it, the others' median."""
    from lisa.compare.indicators import is_percent, label_of

    table = Table(title=f"{escape(p.place.name)} among the others", title_justify="left")
    for col in ("indicator", "value", "percentile", "places", "others' median"):
        table.add_column(col, justify="left" if col == "indicator" else "right")
    for s in p.standings:
        fmt = (lambda x: f"{100 * x:.1f}%") if is_percent(s.key) else (lambda x: f"{x:.3f}")
        table.add_row(
            label_of(s.key),
            fmt(s.value),
            f"{s.percentile:.0f}" if s.percentile is not None else f"{s.below} of {s.places} below",
            str(s.places),
            fmt(s.reference_median) if s.reference_median is not None else "–",
        )
    console.print(table)
    for a in p.most_alike:
        console.print(
            f"  like {escape(a.name)}: distance {a.distance:.2f} over {a.indicators} indicators",
            highlight=False,
        )
    if p.high_networking:
        console.print(escape(p.high_networking.detail), highlight=False)


def _finish(failures: list[Failure]) -> None:
    """List the places that failed, last, and exit 1 if any did."""
    for f in failures:
        err_console.print(f"[red]failed[/] {escape(str(f))}", highlight=False)
    if failures:
        err_console.print(
            f"[bold red]{len(failures)} place(s) could not be analysed; the others were used.[/]"
        )
        raise typer.Exit(1)


def _write_pack(got: Gathered, path: Path, name: str | None) -> Path:
    from lisa.compare.pack import write_pack
    from lisa.compare.run import pack_of

    pack = pack_of(got, name or f"{len(got.places)} places")
    return write_pack(pack, path)


def _write_report(result: Comparison, got: Gathered, place: str, out: Path, quiet: bool) -> None:
    """The place's locality report, analysed again here with the same settings and its
    findings judged against the other places."""
    from lisa.analysis import analyse
    from lisa.cli._render import analysis_progress
    from lisa.compare.run import study_of
    from lisa.report import write_report

    study = study_of(got, place).study()
    with analysis_progress(quiet) as progress:
        analysis = analyse(study, got.config, progress=progress,
                           reference=result.reference_for(place))  # fmt: skip
    for path in write_report(analysis, out, comparison=result):
        err_console.print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)


@app.command()
@handles_errors
def compare(
    places: Places = None,
    json_out: JsonOption = None,
    write_pack: Annotated[
        Path | None,
        typer.Option("--write-pack", help="Also write the places' indicators as a benchmark pack."),
    ] = None,
    place: Annotated[
        str | None, typer.Option("--place", help="Show every indicator of this place.")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="With --place: write that place's locality report (HTML), with the section "
            "'Compared with other places'.",
        ),
    ] = None,
    name: PackName = None,
    sets: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    data_dir: StoredDataDir = None,
    database_url: StoredDatabase = None,
) -> None:
    """Compare places: each place's indicators, its percentile among the others, the places most like it."""
    from lisa.compare.run import compare as run_compare
    from lisa.files import atomic_write_text

    config = config_from(sets)
    if report is not None and place is None:
        raise ConfigError("--report needs --place NAME: the place the report is about")
    places = places or []
    _check_targets(places, [p for p in (json_out, write_pack, report) if p is not None])
    result, got = run_compare(
        places, config, reference=name, workers=workers, scheduler=scheduler, progress=not quiet,
        stored=_stored(data_dir, database_url),
    )
    shown = result.place(place) if place is not None else None
    if json_out is not None:
        atomic_write_text(json_out, result.model_dump_json(indent=1) + "\n")
        err_console.print(f"Wrote {json_out}", highlight=False)
    if write_pack is not None:
        err_console.print(f"Wrote {_write_pack(got, write_pack, name)}", highlight=False)
    if report is not None and place is not None:
        _write_report(result, got, place, report, quiet)
    print_place(shown) if shown is not None else print_comparison(result)
    _finish(got.failures)


@app.command()
@handles_errors
def pack(
    out: Annotated[Path, typer.Option("--out", "-o", help="The benchmark pack to write (.json).")],
    places: Places = None,
    name: PackName = None,
    sets: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    data_dir: StoredDataDir = None,
    database_url: StoredDatabase = None,
) -> None:
    """Write a benchmark pack: the places' indicators, no personal data (checked), to share and compare."""
    from lisa.compare.run import gather

    places = places or []
    _check_targets(places, [out])
    got = gather(places, config_from(sets), workers=workers, scheduler=scheduler,
                 progress=not quiet, stored=_stored(data_dir, database_url))  # fmt: skip
    if not got.places:
        _finish(got.failures)
    path = _write_pack(got, out, name)
    console.print(f"Wrote {path}: {len(got.places)} places", highlight=False)
    _finish(got.failures)
