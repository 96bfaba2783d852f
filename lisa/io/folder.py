"""Study folders and workbooks: load (with validation), check, and write."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import polars as pl

from lisa.errors import Problem, StudyInvalid, StudyNotFound
from lisa.files import atomic_target
from lisa.io.tables import SHEETS, Table, _finish, read_csv, read_sheet
from lisa.io.validate import build_study
from lisa.study import Study


def _tables(path: Path) -> tuple[Table, Table | None, Table | None]:
    path = Path(path)
    if not path.exists():
        raise StudyNotFound(
            f"'{path}' does not exist: give a study folder (people.csv, ties.csv) or an .xlsx workbook"
        )
    if path.is_file():
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):  # .xls: refused by read_sheet
            raise StudyNotFound(
                f"'{path}' is a file but not an Excel workbook (.xlsx); give the study folder instead"
            )
        people = read_sheet(path, "people")
        if people is None:
            raise StudyNotFound(
                f"the workbook '{path.name}' has no sheet named 'people' (it needs sheets {', '.join(SHEETS[:2])})"
            )
        ties = read_sheet(path, "ties")
        if ties is None:
            raise StudyNotFound(f"the workbook '{path.name}' has no sheet named 'ties'")
        return people, ties, read_sheet(path, "relations")
    people_file, ties_file = path / "people.csv", path / "ties.csv"
    for f in (people_file, ties_file):
        if not f.is_file():
            found = ", ".join(sorted(p.name for p in path.iterdir())) or "nothing"
            raise StudyNotFound(f"the study folder '{path}' has no {f.name} (it holds: {found})")
    rel_file = path / "relations.csv"
    return (
        read_csv(people_file),
        read_csv(ties_file),
        read_csv(rel_file) if rel_file.is_file() else None,
    )


def _name(path: Path) -> str:
    return path.stem if path.is_file() else path.resolve().name


def check_study(path: str | Path) -> list[Problem]:
    """Every problem in a study folder or workbook (errors and warnings); [] when clean.

    Raises :class:`StudyNotFound` when the folder or a required file is missing.
    """
    path = Path(path)
    _, problems = build_study(*_tables(path), name=_name(path), source=str(path))
    return problems


def load_study(path: str | Path) -> Study:
    """Load and validate a study; raises :class:`StudyInvalid` listing all errors."""
    path = Path(path)
    study, problems = build_study(*_tables(path), name=_name(path), source=str(path))
    if study is None:
        raise StudyInvalid(problems)
    return study


def table_from_records(label: str, records: Iterable[Mapping[str, object]]) -> Table:
    rows = [{str(k): "" if v is None else str(v) for k, v in r.items()} for r in records]
    problems: list[Problem] = []
    if not rows:
        return Table(
            label, pl.DataFrame(), {}, [Problem("empty-file", "no rows were given", label)]
        )
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    frame = pl.DataFrame(
        {c: [r.get(c, "") for r in rows] for c in cols}, schema={c: pl.Utf8 for c in cols}
    )
    return _finish(frame, label, problems)


def study_from_records(
    people: Iterable[Mapping[str, object]],
    ties: Iterable[Mapping[str, object]],
    relations: Iterable[Mapping[str, object]] | None = None,
    *,
    name: str = "study",
) -> Study:
    """Build a study from lists of dicts with the columns of the CSV files.

    >>> s = study_from_records([{"id": "a"}, {"id": "b"}],
    ...                        [{"source": "a", "target": "b", "relation": "work"}])
    >>> s.n_people, len(s.ties)
    (2, 1)
    """
    rel = table_from_records("relations", relations) if relations is not None else None
    study, problems = build_study(
        table_from_records("people", people), table_from_records("ties", ties), rel, name=name
    )
    if study is None:
        raise StudyInvalid(problems)
    return study


def study_frames(study: Study) -> dict[str, pl.DataFrame]:
    """The study as the three tables of a study folder."""
    people: dict[str, list[str]] = {
        "id": study.ids,
        "name": study.names,
        "organisation": study.organisations,
        "sector": study.sectors,
        "layer": [v or "" for v in study.layers],
    }
    if study.response_known:
        people["responded"] = ["yes" if r else "no" for r in study.responded]
    for k, v in study.attributes.items():
        if k not in people:
            people[k] = v
    t = study.ties
    ids = pl.Series(study.ids, dtype=pl.Utf8)
    rel_names = pl.Series([r.name for r in study.relations], dtype=pl.Utf8)
    ties = pl.DataFrame(
        {
            "source": ids.gather(t.source),
            "target": ids.gather(t.target),
            "relation": rel_names.gather(t.relation.astype("int64")),
            "weight": t.weight,
        }
    )
    if study.waves:
        waves = pl.Series(study.waves, dtype=pl.Utf8)
        ties = ties.with_columns(wave=waves.gather(t.wave.astype("int64")))
    relations = pl.DataFrame(
        {
            "name": [r.name for r in study.relations],
            "label": [r.label for r in study.relations],
            "question": [r.question for r in study.relations],
            "directed": ["yes" if r.directed else "no" for r in study.relations],
        }
    )
    return {"people": pl.DataFrame(people), "ties": ties, "relations": relations}


StudyFormat = Literal["csv", "xlsx"]


def write_study(study: Study, path: str | Path, format: StudyFormat = "csv") -> Path:
    """Write a study as a folder of CSV files or one workbook; returns the path written.

    Files are written to a temporary place first and moved in at the end, so
    an interrupted write never leaves a half-written study.
    """
    path = Path(path)
    frames = study_frames(study)
    if format == "xlsx":
        target = path if path.suffix.lower() == ".xlsx" else path / "study.xlsx"
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        for sheet in ("people", "ties", "relations"):
            ws = book.create_sheet(sheet)
            frame = frames[sheet]
            ws.append(frame.columns)
            for row in frame.iter_rows():
                cells: list[object] = []
                for value in row:
                    if isinstance(value, str) and value.startswith(("=", "#")):
                        # text, never a formula or an error: "=SUM(A1)" or "#N/A" stays a name
                        cell = WriteOnlyCell(ws, value=value)
                        cell.data_type = "s"
                        cells.append(cell)
                    else:
                        cells.append(value)
                ws.append(cells)
        with atomic_target(target) as tmp:
            book.save(tmp)
        return target
    if format != "csv":
        from lisa.errors import ConfigError

        raise ConfigError(f"unknown study format '{format}': use csv or xlsx")
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path) as tmpdir:
        for sheet, frame in frames.items():
            frame.write_csv(Path(tmpdir) / f"{sheet}.csv")
        for sheet in frames:
            shutil.move(str(Path(tmpdir) / f"{sheet}.csv"), str(path / f"{sheet}.csv"))
    return path
