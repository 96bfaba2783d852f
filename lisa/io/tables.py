"""Reading one table (CSV or an Excel sheet) into text columns, with problems.

Every cell is read as text: validation (:mod:`lisa.io.validate`) decides what
each column must hold and says so with the file, row and column. Reading
copes with what spreadsheets really produce:

* UTF-8 with or without a byte-order mark, UTF-16 ("Unicode text" from
  Excel), and Windows-1252 (Excel's "CSV" on Windows) — the last with a
  warning, since it is a guess;
* comma, semicolon (European Excel) or tab separators, detected from the
  header line;
* header names in any case and with stray spaces (``" Sector "`` is
  ``sector``).

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lisa.errors import Problem
from lisa.files import atomic_target

#: Excel sheet names lisa reads from a workbook, and the CSV files they stand for.
SHEETS = ("people", "ties", "relations")


@dataclass
class Table:
    """A table of text cells. ``frame`` columns are the normalised header names."""

    label: str
    frame: pl.DataFrame
    original_columns: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    problems: list[Problem] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def __len__(self) -> int:
        return self.frame.height

    def column(self, name: str) -> list[str]:
        return self.frame.get_column(name).to_list()


def normalise_header(name: str) -> str:
    """``" Survey Wave "`` → ``"survey_wave"``."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def _decode(data: bytes, label: str, problems: list[Problem]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    "encoding",
                    f"the file starts like UTF-16 but cannot be read as it ({exc.reason})",
                    label,
                )
            )
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    "encoding",
                    f"the file is neither UTF-8 nor Windows-1252 text (byte {exc.start} on row {line}); "
                    "save it as 'CSV UTF-8' and try again",
                    label,
                    row=line,
                )
            )
            return None
        problems.append(
            Problem(
                "encoding",
                f"the file is not UTF-8 (first non-UTF-8 byte on row {line}); it was read as "
                "Windows-1252, as Excel writes 'CSV' — check names with accents, or save as 'CSV UTF-8'",
                label,
                row=line,
                severity="warning",
            )
        )
        return text


def _separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _finish(frame: pl.DataFrame, label: str, problems: list[Problem]) -> Table:
    original: dict[str, str] = {}
    renames: dict[str, str] = {}
    for col in frame.columns:
        norm = normalise_header(col)
        if not norm:
            continue
        if norm in original:
            problems.append(
                Problem(
                    "duplicate-column",
                    f"the column '{col}' appears twice in the header",
                    label,
                    row=1,
                    column=col,
                )
            )
            continue
        original[norm] = str(col)
        renames[col] = norm
    frame = frame.select(list(renames)).rename(renames)
    frame = frame.with_columns(pl.all().cast(pl.Utf8).fill_null("").str.strip_chars())
    if frame.height == 0:
        problems.append(Problem("empty-file", "the table has a header but no rows", label))
    return Table(label, frame, original, problems)


def read_csv(path: Path, label: str | None = None) -> Table:
    """Read a CSV file as text columns; problems are on the returned table."""
    label = label or path.name
    problems: list[Problem] = []
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        problems.append(Problem("empty-file", "the file is empty", label))
        return Table(label, pl.DataFrame(), {}, problems)
    text = _decode(data, label, problems)
    if text is None:
        return Table(label, pl.DataFrame(), {}, problems)
    first = text.split("\n", 1)[0]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=_separator(first),
            infer_schema=False,
            has_header=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        message = str(exc).split("\n", 1)[0]
        problems.append(
            Problem(
                "malformed-csv",
                f"the file is not a well-formed CSV table: {message} "
                "(check for a row with more cells than the header, or an unclosed quote)",
                label,
            )
        )
        return Table(label, pl.DataFrame(), {}, problems)
    return _finish(frame, label, problems)


def read_sheet(path: Path, sheet: str) -> Table | None:
    """Read one sheet of an Excel workbook (sheet names match case-insensitively).

    Returns None when the workbook has no such sheet.
    """
    from openpyxl import load_workbook

    label = f"{path.name}:{sheet}"
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        return Table(
            label,
            pl.DataFrame(),
            {},
            [Problem("malformed-xlsx", f"cannot open the workbook: {exc}", path.name)],
        )
    try:
        names = {n.strip().lower(): n for n in book.sheetnames}
        if sheet not in names:
            return None
        rows = book[names[sheet]].iter_rows(values_only=True)
        header = next(rows, None)
        problems: list[Problem] = []
        if header is None or all(h is None for h in header):
            return Table(
                label, pl.DataFrame(), {}, [Problem("empty-file", "the sheet is empty", label)]
            )
        width = len(header)
        cols: list[list[str]] = [[] for _ in range(width)]
        for row in rows:
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            for j in range(width):
                v = row[j] if j < len(row) else None
                cols[j].append(_cell_text(v))
        names_in_header = [str(h) if h is not None else "" for h in header]
        frame = pl.DataFrame(
            {f"__c{j}": cols[j] for j in range(width)},
            schema={f"__c{j}": pl.Utf8 for j in range(width)},
        ).rename({f"__c{j}": names_in_header[j] or f"__blank{j}" for j in range(width)})
        frame = frame.select([c for c in frame.columns if not c.startswith("__blank")])
        return _finish(frame, label, problems)
    finally:
        book.close()


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write UTF-8 CSV atomically (a half-written file never replaces a good one)."""
    with atomic_target(path) as tmp:
        frame.write_csv(tmp)
    return path


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading ``'``.

    For CSV *exports* that people open in Excel or LibreOffice (OWASP's advice
    on CSV injection); study folders are lisa's own data and are written as
    they are. Number columns are left alone.

    >>> neutralise_formulas(pl.DataFrame({"a": ["=1+1", "Ann", "-Bo"]}))["a"].to_list()
    ["'=1+1", 'Ann', "'-Bo"]
    """
    pattern = "^[" + "".join(re.escape(c) for c in FORMULA_STARTS) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.Utf8
    )
