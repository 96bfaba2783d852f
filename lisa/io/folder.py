"""Study folders and workbooks: load (with validation), check, and write.

A study folder holds lisa's files — ``people.csv``, ``ties.csv``,
``relations.csv``, ``not_on_list.csv`` (survey answers naming someone not on
the roster) and ``audit.log`` — and whatever else the user keeps there.
:func:`write_study` replaces the folder as a whole (:func:`lisa.files.atomic_folder`):
a crash leaves the old study or the new one, and the user's other files are
carried over untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

import polars as pl

from lisa.errors import ConfigError, OutputError, Problem, StudyInvalid, StudyNotFound
from lisa.files import atomic_folder, atomic_target, folder_lock, recover_folder
from lisa.io.audit import AUDIT_LOG, audit_event, audit_text
from lisa.io.tables import SHEETS, Table, _finish, read_csv, read_sheet
from lisa.io.validate import build_study
from lisa.study import Study, Unlisted

#: The tables of a study folder (also the files of a CSV export).
STUDY_TABLES = ("people.csv", "ties.csv", "relations.csv")
#: Survey answers naming someone not on the roster, set aside by an import.
NOT_ON_LIST_FILE = "not_on_list.csv"
NOT_ON_LIST_COLUMNS = ("respondent", "relation", "text", "wave")
#: The study's own description: its name (the place), when it is not the folder's name.
ABOUT_FILE = "study.yaml"
#: The largest study.yaml read (it holds a name).
ABOUT_MAX_BYTES = 64 * 1024
#: Files lisa manages in a study folder: a rewrite drops the ones the new study lacks.
STUDY_FILES = (*STUDY_TABLES, NOT_ON_LIST_FILE, ABOUT_FILE)


def study_files(path: str | Path) -> list[Path]:
    """The files of a study that no output may overwrite (its tables, set-aside answers, log)."""
    path = Path(path)
    if path.is_file():
        return [path]
    return [path / name for name in (*STUDY_FILES, AUDIT_LOG)]


def _tables(path: Path) -> tuple[Table, Table | None, Table | None, Table | None]:
    path = Path(path)
    if not path.exists():
        recover_folder(path)  # a swap a killed process left half-done
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
        return people, ties, read_sheet(path, "relations"), read_sheet(path, "not_on_list")
    people_file, ties_file = path / "people.csv", path / "ties.csv"
    for f in (people_file, ties_file):
        if not f.is_file():
            found = ", ".join(sorted(p.name for p in path.iterdir())) or "nothing"
            raise StudyNotFound(f"the study folder '{path}' has no {f.name} (it holds: {found})")
    rel_file, unlisted_file = path / "relations.csv", path / NOT_ON_LIST_FILE
    return (
        read_csv(people_file),
        read_csv(ties_file),
        read_csv(rel_file) if rel_file.is_file() else None,
        read_csv(unlisted_file) if unlisted_file.is_file() else None,
    )


def _name(path: Path) -> tuple[str, list[Problem]]:
    """The study's name: ``study.yaml``'s ``name``, else the folder's (or workbook's) name."""
    fallback = path.stem if path.is_file() else path.resolve().name
    about = path / ABOUT_FILE
    if path.is_file() or not about.is_file():
        return fallback, []
    if about.stat().st_size > ABOUT_MAX_BYTES:
        return fallback, [Problem("file-too-large", "study.yaml holds only the study's name", ABOUT_FILE)]
    from lisa.io.tables import decode_text
    from lisa.io.yamlio import load_yaml

    problems: list[Problem] = []
    text = decode_text(about.read_bytes(), ABOUT_FILE, problems)
    if text is None:
        return fallback, problems
    data, _, problems = load_yaml(text, ABOUT_FILE)
    if problems:
        return fallback, problems
    if data is None:
        return fallback, []
    if not isinstance(data, dict) or set(data) - {"name"} or not isinstance(data.get("name", ""), str):
        return fallback, [
            Problem(
                "bad-value",
                "study.yaml may only give the study's name, as text (name: Northfield 2025)",
                ABOUT_FILE,
            )
        ]
    return (data.get("name") or "").strip() or fallback, []


def write_about(study: Study, into: Path, folder_name: str) -> None:
    """Write ``study.yaml`` into ``into`` when the study's name is not ``folder_name``."""
    if study.name and study.name != folder_name:
        import yaml

        text = "# lisa study: the name reports use for this place\n"
        (into / ABOUT_FILE).write_text(
            text + yaml.safe_dump({"name": study.name}, allow_unicode=True), "utf-8"
        )


def _not_on_list(table: Table, study: Study) -> tuple[list[Unlisted], list[Problem]]:
    """The set-aside answers of ``not_on_list.csv``, checked against the study."""
    label, problems = table.label, list(table.problems)
    if any(p.severity == "error" for p in problems) or table.frame.height == 0:
        return [], [p for p in problems if p.code != "empty-file"]
    missing = [c for c in NOT_ON_LIST_COLUMNS[:3] if c not in table.columns]
    if missing:
        header = ", ".join(table.original_columns.values())
        message = f"the required column '{missing[0]}' is missing (the header has: {header})"
        return [], [*problems, Problem("missing-column", message, label, row=1, column=missing[0])]
    out: list[Unlisted] = []
    ids, relations = set(study.ids), set(study.relation_names)
    waves = table.column("wave") if "wave" in table.columns else [""] * len(table)
    columns = (table.column(c) for c in NOT_ON_LIST_COLUMNS[:3])
    rows = zip(*columns, waves, strict=True)
    for row, (who, rel, text, wave) in enumerate(rows, start=2):
        if who not in ids:
            problem = Problem(
                "unknown-person",
                f"'{who}' is not an id in people.csv",
                label,
                row=row,
                column="respondent",
                value=who,
            )
        elif rel not in relations:
            problem = Problem(
                "unknown-relation",
                f"'{rel}' is not one of the study's relations",
                label,
                row=row,
                column="relation",
                value=rel,
                suggestions=tuple(study.relation_names[:3]),
            )
        elif not text:
            problem = Problem(
                "bad-value", "the set-aside answer is blank", label, row=row, column="text"
            )
        else:
            out.append(Unlisted(who, rel, text, wave or None))
            continue
        problems.append(problem)
    return out, problems


def _build(
    tables: tuple[Table, Table | None, Table | None, Table | None],
    name: tuple[str, list[Problem]],
    source: str | None,
) -> tuple[Study | None, list[Problem]]:
    """build_study (named as study.yaml says), then the set-aside answers against the study."""
    people, ties, relations, unlisted_table = tables
    study, problems = build_study(people, ties, relations, name=name[0], source=source)
    if name[1]:
        problems = [*problems, *name[1]]
        if any(p.severity == "error" for p in name[1]):
            return None, problems
    if study is None or unlisted_table is None:
        return study, problems
    unlisted, more = _not_on_list(unlisted_table, study)
    problems = [*problems, *more]
    if any(p.severity == "error" for p in more):
        return None, problems
    study.not_on_list = unlisted
    return study, problems


def check_study(path: str | Path) -> list[Problem]:
    """Every problem in a study folder or workbook (errors and warnings); [] when clean.

    Raises :class:`StudyNotFound` when the folder or a required file is missing.
    """
    path = Path(path)
    _, problems = _build(_tables(path), _name(path), str(path))
    return problems


def load_study(path: str | Path) -> Study:
    """Load and validate a study; raises :class:`StudyInvalid` listing all errors."""
    path = Path(path)
    study, problems = _build(_tables(path), _name(path), str(path))
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


def _people_frame(study: Study) -> pl.DataFrame:
    people: dict[str, list[str]] = {
        "id": study.ids,
        "name": study.names,
        "organisation": study.organisations,
        "sector": study.sectors,
        "layer": [v or "" for v in study.layers],
    }
    if study.response_known:  # tri-state: a response not recorded stays blank, never "no"
        people["responded"] = [
            "" if unknown else "yes" if answered else "no"
            for answered, unknown in zip(study.responded, study.response_unknown, strict=True)
        ]
    for k, v in study.attributes.items():
        if k not in people:
            people[k] = v
    return pl.DataFrame(people, schema={k: pl.Utf8 for k in people})


def _ties_frame(study: Study) -> pl.DataFrame:
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
    extra = {k: pl.Series(k, v.tolist(), dtype=pl.Utf8) for k, v in t.attributes.items()}
    return ties.with_columns(**extra) if extra else ties


def study_frames(study: Study) -> dict[str, pl.DataFrame]:
    """The study as the tables of a study folder.

    ``people``, ``ties`` and ``relations`` always; ``not_on_list`` when the
    study holds set-aside survey answers. Further columns of the files the
    study was read from (its ``attributes``, ``ties.attributes`` and
    ``relation_attributes``) follow the standard ones, in their original order
    and header spelling.
    """
    relations: dict[str, list[str]] = {
        "name": [r.name for r in study.relations],
        "label": [r.label for r in study.relations],
        "question": [r.question for r in study.relations],
        "directed": ["yes" if r.directed else "no" for r in study.relations],
    }
    for k, v in study.relation_attributes.items():
        relations.setdefault(k, v)
    frames = {
        "people": _people_frame(study),
        "ties": _ties_frame(study),
        "relations": pl.DataFrame(relations, schema={k: pl.Utf8 for k in relations}),
    }
    if study.not_on_list:
        rows = [(u.respondent, u.relation, u.text, u.wave or "") for u in study.not_on_list]
        frames["not_on_list"] = pl.DataFrame(
            rows, schema={c: pl.Utf8 for c in NOT_ON_LIST_COLUMNS}, orient="row"
        )
    return frames


def validate_study(study: Study, *, allow_empty: bool = False) -> Study:
    """Check a study exactly as :func:`load_study` would check its written files.

    Returns the study as it would load back. Used before a changed study (an
    import, a deletion) replaces the stored one, so nothing invalid is written.

    Parameters
    ----------
    study
        The study to check.
    allow_empty
        Accept a study left with no ties or no people (a deletion must not be
        refused because the person held the last tie); it loads again once
        ties are added.

    Raises
    ------
    StudyInvalid
        Listing every problem.
    """
    frames = study_frames(study)
    tables = {k: _finish(frame, f"{k}.csv", []) for k, frame in frames.items()}
    if allow_empty:
        for table in tables.values():
            table.problems = [p for p in table.problems if p.code != "empty-file"]
    checked, problems = _build(
        (tables["people"], tables["ties"], tables["relations"], tables.get("not_on_list")),
        (study.name, []),
        study.source,
    )
    if checked is None:
        raise StudyInvalid(problems)
    return checked


StudyFormat = Literal["csv", "xlsx"]


def _write_workbook(frames: Mapping[str, pl.DataFrame], target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for sheet, frame in frames.items():
        ws = book.create_sheet(sheet)
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


def write_study(
    study: Study,
    path: str | Path,
    format: StudyFormat = "csv",
    *,
    audit: Mapping[str, object] | None = None,
) -> Path:
    """Write a study as a folder of CSV files or one workbook; returns the path written.

    A folder is replaced as a whole (:func:`lisa.files.atomic_folder`): the
    new version is built beside it and swapped in, so a crash at any point
    leaves the old study or the new one. Files in the folder that lisa does
    not manage (notes, a README, ``audit.log``) are kept unchanged; a
    ``not_on_list.csv`` the study no longer has is removed. Values are written
    as they are (a name ``-Ann`` stays ``-Ann``): a study folder is lisa's own
    data, not a spreadsheet export.

    Parameters
    ----------
    study
        The study to write.
    path
        The folder (csv), or the ``.xlsx`` file or a folder for ``study.xlsx``.
    format
        ``csv`` or ``xlsx``.
    audit
        An event (:func:`lisa.io.audit.audit_event`) to append to the folder's
        ``audit.log`` in the same atomic step (folders only).

    Raises
    ------
    OutputError
        When the folder (or its parent, where the new version is built)
        cannot be written.
    ConfigError
        For an unknown format, or an audit event for a workbook.
    """
    path = Path(path)
    frames = study_frames(study)
    if format == "xlsx":
        if audit is not None:
            raise ConfigError("an audit event can only be written with a study folder")
        target = path if path.suffix.lower() == ".xlsx" else path / "study.xlsx"
        return _write_workbook(frames, target)
    if format != "csv":
        raise ConfigError(f"unknown study format '{format}': use csv or xlsx")
    with atomic_folder(path, owned=STUDY_FILES) as staging:
        for sheet, frame in frames.items():
            frame.write_csv(staging / f"{sheet}.csv")
        write_about(study, staging, path.resolve().name)
        if audit is not None:
            (staging / AUDIT_LOG).write_text(audit_text(path, audit), "utf-8")
    return path


#: A change to a study: the new study and the counts for the audit line, or None for no write.
StudyChange = Callable[[Study], tuple[Study, Mapping[str, int | str | None]] | None]


def update_study(
    path: str | Path, action: str, change: StudyChange, *, allow_empty: bool = False
) -> dict[str, object] | None:
    """Change a study folder in place: lock, load, change, validate, write, audit.

    Another lisa process changing the same study waits (:func:`lisa.files.folder_lock`);
    the changed study is checked like any loaded one before it replaces the
    folder as a whole, with one ``audit.log`` line (``action`` and counts).

    Parameters
    ----------
    path
        The study folder.
    action
        The audit action, e.g. ``import-survey``.
    change
        Given the loaded study, returns the new one and the audit counts (or
        None to write nothing, e.g. for a dry run).
    allow_empty
        Write the changed study even when it has no ties or people left
        (see :func:`validate_study`).

    Returns
    -------
    dict or None
        The audit event written, or None when nothing was.

    Raises
    ------
    OutputError
        When the study is a workbook, or the folder cannot be written.
    StudyInvalid
        When the stored or the changed study has errors (nothing is written).
    """
    folder = Path(path)
    if folder.is_file():
        raise OutputError(
            f"'{folder}' is a workbook, and {action} changes a study folder: save the workbook's "
            "sheets as people.csv, ties.csv and relations.csv in a folder first"
        )
    with folder_lock(folder):
        changed = change(load_study(folder))
        if changed is None:
            return None
        study, counts = changed
        event = audit_event(action, **counts)
        write_study(validate_study(study, allow_empty=allow_empty), folder, audit=event)
        return event
