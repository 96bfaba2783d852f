"""Reading one table (CSV or an Excel sheet) into text columns, with problems.

Every cell is read as text: validation (:mod:`lisa.io.validate`) decides what
each column must hold and says so with the file, row and column. Reading
copes with what spreadsheets really produce:

* UTF-8 with or without a byte-order mark, UTF-16 ("Unicode text" from
  Excel), and Windows-1252 (Excel's "CSV" on Windows) — the last with a
  warning, since it is a guess;
* comma, semicolon (European Excel) or tab separators, detected from the
  header line; line endings LF, CRLF or CR alone (old Macs);
* header names in any case and with stray spaces (``" Sector "`` is
  ``sector``); wholly blank rows are skipped.

…and refuses what it cannot read faithfully, each with a named problem and
within the limits of :mod:`lisa.io.limits`: a file too large (checked before
reading it), a workbook that would unpack to too much (checked from the zip's
directory before openpyxl parses it), binary data, control characters, ragged
rows, unclosed quotes, duplicate or unnamed columns, encrypted or old ``.xls``
workbooks, formulas without a saved value, error cells and merged cells.

Rows are numbered as a spreadsheet shows them: the header is row 1, and a
skipped blank row keeps its number (``Table.row_number``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lisa.errors import Problem
from lisa.files import atomic_target
from lisa.io.limits import ReadLimits, file_too_large
from lisa.io.workbook import inspect_workbook, scan_sheet
from lisa.text import CONTROL, CONTROL_PATTERN, strip_invisible

#: Excel sheet names lisa reads from a workbook, and the CSV files they stand for.
SHEETS = ("people", "ties", "relations")

#: Cap on problems reported per (file, code), so a wholly wrong file stays readable.
MAX_PER_KIND = 50


@dataclass
class Table:
    """A table of text cells. ``frame`` columns are the normalised header names.

    ``rows`` holds each frame row's number as a spreadsheet shows it (None:
    row ``i`` is number ``i + 2``); ``unshown`` counts problems of each code
    left out of ``problems`` beyond :data:`MAX_PER_KIND`.
    """

    label: str
    frame: pl.DataFrame
    original_columns: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    problems: list[Problem] = field(default_factory=list)
    rows: list[int] | None = None
    unshown: Counter[str] = field(default_factory=Counter)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def __len__(self) -> int:
        return self.frame.height

    def column(self, name: str) -> list[str]:
        return self.frame.get_column(name).to_list()

    def row_number(self, i: int) -> int:
        """The spreadsheet row number of frame row ``i``."""
        return self.rows[i] if self.rows is not None else i + 2

    def row_numbers(self) -> pl.Series:
        """Every frame row's spreadsheet row number, as a polars column ``row``."""
        if self.rows is not None:
            return pl.Series("row", self.rows, dtype=pl.Int64)
        return pl.int_range(2, self.frame.height + 2, dtype=pl.Int64, eager=True).alias("row")


class Reporter:
    """Collects problems, capping each kind per file with a summary line."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: Counter[tuple[str | None, str]] = Counter()

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.code)
        self._counts[key] += 1
        if self._counts[key] <= MAX_PER_KIND:
            self.problems.append(problem)

    def full(self, file: str | None, code: str) -> bool:
        """Whether this kind is already at its cap (then count it without building it)."""
        return self._counts[(file, code)] >= MAX_PER_KIND

    def count(self, file: str | None, code: str, n: int = 1) -> None:
        self._counts[(file, code)] += n

    def add_table(self, table: Table) -> None:
        """A table's own problems (each once) and the count of those it left out."""
        for p in dict.fromkeys(table.problems):
            if p not in self.problems:
                self.add(p)
        for code, n in table.unshown.items():
            self.count(table.label, code, n)

    def finish(self) -> list[Problem]:
        for (file, code), n in self._counts.items():
            if n > MAX_PER_KIND:
                sev = next(p.severity for p in self.problems if p.file == file and p.code == code)
                self.problems.append(
                    Problem(
                        code,
                        f"... and {n - MAX_PER_KIND} more '{code}' problems like those above",
                        file,
                        severity=sev,
                    )
                )
        return self.problems


def normalise_header(name: str) -> str:
    """``" Survey Wave "`` → ``"survey_wave"`` (invisible characters are ignored too)."""
    return "_".join(strip_invisible(str(name)).strip().lower().replace("-", " ").split())


def _empty(label: str, problems: list[Problem]) -> Table:
    return Table(label, pl.DataFrame(), {}, problems)


# -- bytes and text -------------------------------------------------------------

#: How files that are not text begin, and what they then are.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive, such as an Excel workbook (.xlsx) renamed .csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or other Office file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"{\\rtf", "an RTF document"),
)


def _read_bytes(path: Path, label: str, limits: ReadLimits, problems: list[Problem]) -> bytes | None:
    big = file_too_large(path, label, limits)
    if big is None:
        with path.open("rb") as fh:  # never more than the limit, even if the file grows
            data = fh.read(limits.max_file_bytes + 1)
        if len(data) <= limits.max_file_bytes:
            return data
        big = Problem("file-too-large", "the file grew past the size limit while read", label)
    problems.append(big)
    return None


def _binary(data: bytes, label: str) -> Problem | None:
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            return Problem(
                "binary-file",
                f"this is not a CSV text file: it is {what}; give the study folder's CSV "
                "files or the .xlsx workbook itself",
                label,
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with its byte-order mark: NUL bytes are expected
    head = data[:8192]
    if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
        return Problem(
            "encoding",
            "the file looks like UTF-16 text without a byte-order mark; save it as 'CSV UTF-8'",
            label,
        )
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    if controls >= 8 and controls * 20 > len(head):
        return Problem(
            "binary-file",
            f"this is not a CSV text file: {controls} of its first {len(head)} bytes are binary "
            "control codes; give the study's CSV files or its .xlsx workbook",
            label,
        )
    return None


def decode_text(data: bytes, label: str, problems: list[Problem]) -> str | None:
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


# -- the shape of a CSV: header, records, quotes -------------------------------


@dataclass
class _Shape:
    header: list[str]
    records: int  # data records, blank ones included


def _malformed(message: str, label: str, row: int | None = None) -> Problem:
    return Problem(
        "malformed-csv", f"the file is not a well-formed CSV table: {message}", label, row=row
    )


def _lines(text: str) -> pl.Series:
    """The text's lines (without a last empty one after a final newline), in polars."""
    lines = pl.Series("line", [text]).str.split("\n").explode()
    return lines.head(lines.len() - 1) if text.endswith("\n") else lines


def _unclosed_quote(lines: pl.Series, label: str) -> Problem:
    """Where the quote that is never closed opens (the last line where quoting starts)."""
    parity = (lines.str.count_matches('"', literal=True).cum_sum() % 2).to_list()
    start = max(i for i, p in enumerate(parity) if p == 1 and (i == 0 or parity[i - 1] == 0))
    row = 1 + sum(1 for p in parity[:start] if p == 0)
    return _malformed(
        f"a quoted cell opened on line {start + 1} is never closed (an odd number of quote "
        'marks); close it, or write a quote inside a cell as two quotes ("")',
        label,
        row=row,
    )


def _ragged(
    found: Sequence[tuple[int, int, bool]], more: int, width: int, label: str, problems: list[Problem]
) -> Counter[str]:
    """``ragged-row`` problems from ``(row, cells, extra cells hold data)``, ``more`` not shown.

    An error when cells past the header hold data (they have no column and
    would be lost), a warning when a row has fewer cells (read as blank).
    """
    for row, n, extra in found:
        problems.append(
            Problem(
                "ragged-row",
                f"this row has {n} cells but the header has {width}; "
                + (
                    "the cells past the header would be lost: remove them or name their column"
                    if extra
                    else "the missing cells are read as blank"
                ),
                label,
                row=row,
                severity="error" if extra else "warning",
            )
        )
    return Counter({"ragged-row": more} if more else {})


#: Characters of CSV text examined at a time when looking for ragged rows (bounds memory).
_BLOCK = 1 << 24


def _blocks(text: str) -> Iterator[str]:
    """The text in pieces of whole lines, about :data:`_BLOCK` characters each."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _BLOCK) if start + _BLOCK < len(text) else -1
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _ragged_lines(block: str, first: int, width: int, sep: str) -> pl.DataFrame:
    """The lines of a block (the first is line ``first``) whose cells do not fit the header."""
    lines = _lines(block)
    frame = pl.DataFrame(
        {"n": lines.str.count_matches(sep, literal=True) + 1, "line": lines}
    ).with_row_index("row", offset=first)
    bad = frame.filter(
        (pl.col("n") != width)
        & (pl.col("row") > 1)
        & (pl.col("line").str.replace_all(sep, "", literal=True).str.strip_chars() != "")
    )
    bad = bad.with_columns(
        extra=pl.col("line").str.split(sep).list.slice(width).list.join("").str.strip_chars() != ""
    )
    return bad.filter((pl.col("n") < width) | pl.col("extra")).select("row", "n", "extra")


def _shape_plain(
    text: str, width: int, sep: str, label: str, problems: list[Problem]
) -> tuple[int, Counter[str]]:
    """Records and ragged rows of a CSV without quote marks (one record per line)."""
    found: list[tuple[int, int, bool]] = []
    more, line = 0, 1
    for block in _blocks(text):
        bad = _ragged_lines(block, line, width, sep)
        line += block.count("\n") + (0 if block.endswith("\n") else 1)
        room = MAX_PER_KIND - len(found)
        found.extend(bad.head(max(room, 0)).iter_rows())
        more += max(bad.height - max(room, 0), 0)
    return line - 2, _ragged(found, more, width, label, problems)


def _shape_quoted(
    text: str, width: int, sep: str, label: str, problems: list[Problem]
) -> tuple[int, Counter[str]] | None:
    """Records and ragged rows of a CSV with quote marks (Python's csv module, strictly)."""
    if text.count('"') % 2:
        problems.append(_unclosed_quote(_lines(text), label))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    found: list[tuple[int, int, bool]] = []
    more, n = 0, 0
    try:
        for n, record in enumerate(reader, start=1):
            if len(record) == width or n == 1 or not any(c.strip() for c in record):
                continue
            extra = any(c.strip() for c in record[width:])
            if len(record) > width and not extra:
                continue  # only empty cells past the header: nothing is lost
            if len(found) < MAX_PER_KIND:
                found.append((n, len(record), extra))
            else:
                more += 1
    except csv.Error as exc:
        problems.append(_csv_error(exc, reader.line_num, n + 1, label))
        return None
    return n - 1, _ragged(found, more, width, label, problems)


def _csv_error(exc: csv.Error, line: int, row: int, label: str) -> Problem:
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return Problem("cell-too-long", f"a cell is longer than {limit:,} characters", label, row=row)
    return _malformed(
        f"{exc} on line {line} (text after a closing quote? put the whole cell in quotes and "
        'write a quote inside it as "")',
        label,
        row=row,
    )


def _header_text(text: str) -> str:
    """The text of the header record: its first line, or more while a quote is open."""
    end, quotes = 0, 0
    while True:
        nl = text.find("\n", end)
        stop = len(text) if nl < 0 else nl + 1
        quotes += text.count('"', end, stop)
        end = stop
        if nl < 0 or quotes % 2 == 0:
            return text[:end]


def _header(
    text: str, sep: str, label: str, limits: ReadLimits, problems: list[Problem]
) -> list[str] | None:
    first = _header_text(text)
    if first.count(sep) + 1 > limits.max_columns and '"' not in first:
        problems.append(_too_many_columns(first.count(sep) + 1, label, limits))
        return None
    try:
        header = next(csv.reader(io.StringIO(first, newline=""), delimiter=sep))
    except (csv.Error, StopIteration) as exc:
        problems.append(_malformed(f"the header cannot be read ({exc})", label, row=1))
        return None
    if len(header) > limits.max_columns:
        problems.append(_too_many_columns(len(header), label, limits))
        return None
    if not any(strip_invisible(h).strip() for h in header):
        problems.append(_blank_header(label))
        return None
    return header


def _blank_header(label: str) -> Problem:
    return Problem(
        "blank-header",
        "the first row (the header) is blank; it must name the columns (id, name, …)",
        label,
        row=1,
    )


def _too_many_columns(n: int, label: str, limits: ReadLimits) -> Problem:
    return Problem(
        "too-many-columns",
        f"the header has {n:,} columns, more than lisa reads ({limits.max_columns:,}, "
        "setting LISA_MAX_COLUMNS); is the separator right?",
        label,
        row=1,
    )


def _too_many_rows(n: int, label: str, limits: ReadLimits) -> Problem:
    return Problem(
        "too-many-rows",
        f"the table has {n:,} rows, more than lisa reads ({limits.max_rows:,}, "
        "setting LISA_MAX_ROWS)",
        label,
    )


def _shape(
    text: str,
    sep: str,
    label: str,
    limits: ReadLimits,
    problems: list[Problem],
    unshown: Counter[str],
) -> _Shape | None:
    header = _header(text, sep, label, limits, problems)
    if header is None:
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines - 1 > limits.max_rows and '"' not in text:  # one record per line: refuse early
        problems.append(_too_many_rows(lines - 1, label, limits))
        return None
    if '"' in text:
        found = _shape_quoted(text, len(header), sep, label, problems)
    else:
        found = _shape_plain(text, len(header), sep, label, problems)
    if found is None:
        return None
    records, ragged = found
    unshown.update(ragged)
    if records > limits.max_rows:
        problems.append(_too_many_rows(records, label, limits))
        return None
    return _Shape(header, records)


def read_csv(path: Path, label: str | None = None, *, limits: ReadLimits | None = None) -> Table:
    """Read a CSV file as text columns; problems are on the returned table.

    Parameters
    ----------
    path
        The CSV file.
    label
        How problems name the file (default: its name).
    limits
        Size limits (default: :meth:`ReadLimits.current`, so ``LISA_*`` variables apply).

    Returns
    -------
    Table
        The cells as text; an empty frame (and an error among ``problems``)
        when the file cannot be read as a table at all.
    """
    label = label or path.name
    limits = limits or ReadLimits.current()
    problems: list[Problem] = []
    data = _read_bytes(path, label, limits, problems)
    if data is None:
        return _empty(label, problems)
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        return _empty(label, [Problem("empty-file", "the file is empty", label)])
    binary = _binary(data, label)
    if binary is not None:
        return _empty(label, [binary])
    text = decode_text(data, label, problems)
    if text is None:
        return _empty(label, problems)
    del data
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sep = _separator(text[: text.find("\n")] if "\n" in text else text)
    unshown: Counter[str] = Counter()
    shape = _shape(text, sep, label, limits, problems, unshown)
    if shape is None:
        return _empty(label, problems)
    frame = _parse(text, sep, shape, label, problems)
    del text  # the parsed frame is all that is needed from here on
    if frame is None:
        return _empty(label, problems)
    table = _finish(frame, label, problems, headers=shape.header, limits=limits)
    table.unshown.update(unshown)
    return table


def _parse(
    text: str, sep: str, shape: _Shape, label: str, problems: list[Problem]
) -> pl.DataFrame | None:
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=sep,
            infer_schema=False,
            has_header=True,
            new_columns=[f"__c{j}" for j in range(len(shape.header))],
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        message = str(exc).split("\n", 1)[0]
        problems.append(
            _malformed(
                f"{message} (check for a row with more cells than the header, or an unclosed quote)",
                label,
            )
        )
        return None
    if frame.height != shape.records:
        problems.append(
            _malformed(
                f"its quoting can be read two ways ({frame.height} or {shape.records} rows); "
                'put each cell that holds a quote mark in quotes, with the quote written as ""',
                label,
            )
        )
        return None
    return frame


# -- from cells to a table --------------------------------------------------------


def _flag_cells(
    frame: pl.DataFrame,
    column: str,
    mask: pl.Series,
    rows: list[int],
    code: str,
    make: Callable[[int, str], Problem],
    problems: list[Problem],
    unshown: Counter[str],
) -> None:
    """A problem for each cell where ``mask`` holds (at most MAX_PER_KIND, the rest counted)."""
    hits = frame.select(pl.int_range(pl.len()).alias("i"), column).filter(mask)
    for n, (i, value) in enumerate(hits.iter_rows()):
        if n >= MAX_PER_KIND:
            unshown[code] += hits.height - n
            break
        problems.append(make(rows[i], value))


def _too_long(label: str, limits: ReadLimits, column: str) -> Callable[[int, str], Problem]:
    def make(row: int, value: str) -> Problem:
        return Problem(
            "cell-too-long",
            f"a cell of {len(value):,} characters, more than lisa reads ({limits.max_cell_chars:,}, "
            f"setting LISA_MAX_CELL_CHARS); it begins '{value[:40]}…'",
            label,
            row=row,
            column=column,
        )

    return make


#: What a cell holding a character that does not belong is told (``control-character``, ``byte-order-mark``).
CHARACTER_PROBLEMS = {
    "control-character": "the cell holds a control character (shown as <U+…>), which no text "
    "should contain; delete it in the spreadsheet or a text editor",
    "byte-order-mark": "the cell holds a byte-order mark (U+FEFF), the invisible mark that begins "
    "a file: were two files joined? Remove it, and any repeated header row",
}


def _character(code: str, label: str, column: str) -> Callable[[int, str], Problem]:
    def make(row: int, value: str) -> Problem:
        message = CHARACTER_PROBLEMS[code]
        return Problem(code, message, label, row=row, column=column, value=value)

    return make


def _check_cells(
    frame: pl.DataFrame,
    names: dict[str, str],
    rows: list[int],
    label: str,
    limits: ReadLimits,
    problems: list[Problem],
    unshown: Counter[str],
) -> bool:
    """Cell length, control characters, stray byte-order marks. False when a cell is too long."""
    fits = True
    for col, written in names.items():
        s = frame.get_column(col)
        if not s.len():
            continue
        if (s.str.len_bytes().max() or 0) > limits.max_cell_chars:  # type: ignore[operator]
            long = s.str.len_chars() > limits.max_cell_chars
        else:  # no cell has more bytes than the limit, so none has more characters
            long = pl.Series([False] * 0, dtype=pl.Boolean)
        if long.any():
            fits = False
            make = _too_long(label, limits, written)
            _flag_cells(frame, col, long, rows, "cell-too-long", make, problems, unshown)
            continue
        if not s.str.contains(f"{CONTROL_PATTERN}|\ufeff").any():
            continue  # one pass over the column finds nothing: the usual case
        for code, mask in (
            ("control-character", s.str.contains(CONTROL_PATTERN)),
            ("byte-order-mark", s.str.contains("\ufeff", literal=True)),
        ):
            make = _character(code, label, written)
            _flag_cells(frame, col, mask, rows, code, make, problems, unshown)
    return fits


def _check_header(
    headers: list[str], label: str, limits: ReadLimits, problems: list[Problem]
) -> bool:
    """Header cells: length and control characters. False when one is too long."""
    for written in headers:
        if len(written) > limits.max_cell_chars:
            problems.append(_too_long(label, limits, written[:40])(1, written))
            return False
        if CONTROL.search(written):
            problems.append(_character("control-character", label, written)(1, written))
    return True


def _name_columns(
    frame: pl.DataFrame, headers: list[str], label: str, problems: list[Problem]
) -> dict[str, str]:
    """Positional column -> header as written, for the columns kept (named, first of each name)."""
    kept: dict[str, str] = {}
    first: dict[str, str] = {}
    for j, written in enumerate(headers):
        col = f"__c{j}"
        norm = normalise_header(written)
        if not norm:
            if (frame.get_column(col) != "").any():
                problems.append(
                    Problem(
                        "unnamed-column",
                        f"column {j + 1} has no name in the header but holds data; name it, or "
                        "delete the column",
                        label,
                        row=1,
                    )
                )
            continue
        if norm in first:
            problems.append(
                Problem(
                    "duplicate-column",
                    f"the column '{written}' appears twice in the header (columns "
                    f"{headers.index(first[norm]) + 1} and {j + 1})",
                    label,
                    row=1,
                    column=str(written),
                )
            )
            continue
        first[norm] = written
        kept[col] = written
    return kept


def _finish(
    frame: pl.DataFrame,
    label: str,
    problems: list[Problem],
    *,
    headers: Sequence[str] | None = None,
    rows: Sequence[int] | None = None,
    limits: ReadLimits | None = None,
) -> Table:
    """Name, clean and check the cells of a table read by position.

    ``headers`` are the header cells as written, one per frame column (default:
    the frame's column names); ``rows`` the spreadsheet row of each frame row.
    Wholly blank rows are dropped (their numbers are kept out of ``rows``).
    """
    limits = limits or ReadLimits.current()
    headers = [str(h) for h in (frame.columns if headers is None else headers)]
    frame = frame.rename({c: f"__c{j}" for j, c in enumerate(frame.columns)})
    frame = frame.with_columns(pl.all().cast(pl.Utf8).fill_null("").str.strip_chars())
    numbers = list(rows) if rows is not None else list(range(2, frame.height + 2))
    if frame.width:
        keep = frame.select(~pl.all_horizontal(pl.all() == "")).to_series()
        numbers = pl.Series(numbers, dtype=pl.Int64).filter(keep).to_list()
        frame = frame.filter(keep)
    if frame.height > limits.max_rows:
        return _empty(label, [*problems, _too_many_rows(frame.height, label, limits)])
    if not _check_header(headers, label, limits, problems):
        return _empty(label, problems)
    unshown: Counter[str] = Counter()
    names = _name_columns(frame, headers, label, problems)
    if not _check_cells(frame, names, numbers, label, limits, problems, unshown):
        return _empty(label, problems)
    frame = frame.select(list(names)).rename({c: normalise_header(w) for c, w in names.items()})
    original = {normalise_header(w): w for w in names.values()}
    if frame.height == 0:
        problems.append(Problem("empty-file", "the table has a header but no rows", label))
    return Table(label, frame, original, problems, numbers, unshown)


# -- Excel ------------------------------------------------------------------------


def read_sheet(path: Path, sheet: str | None, *, limits: ReadLimits | None = None) -> Table | None:
    """Read one sheet of an Excel workbook (sheet names match ignoring case and spaces).

    Parameters
    ----------
    path
        The ``.xlsx`` workbook.
    sheet
        The sheet's name in lower case (``"people"``), or None for the first sheet.
    limits
        Size limits (default: :meth:`ReadLimits.current`).

    Returns
    -------
    Table or None
        The sheet's cells as text, with problems; None when the workbook has
        no such sheet.
    """
    limits = limits or ReadLimits.current()
    label = f"{path.name}:{sheet}" if sheet else path.name
    refused = inspect_workbook(path, limits)
    if refused:
        return _empty(label, refused)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        return _empty(
            label, [Problem("malformed-xlsx", f"cannot open the workbook: {exc}", path.name)]
        )
    try:
        return _read_open_sheet(book, path, sheet, limits)
    finally:
        book.close()


def _find_sheet(
    sheetnames: list[str], sheet: str | None, path: Path, problems: list[Problem]
) -> str | None:
    if sheet is None:
        return sheetnames[0] if sheetnames else None
    matches = [n for n in sheetnames if strip_invisible(n).strip().lower() == sheet]
    label = f"{path.name}:{sheet}"
    if len(matches) > 1:
        problems.append(
            Problem(
                "duplicate-sheet",
                f"the workbook has {len(matches)} sheets that could be '{sheet}' ("
                + ", ".join(f"'{m}'" for m in matches)
                + "); rename or delete all but one",
                label,
            )
        )
    elif matches and matches[0].strip().lower() != matches[0].lower():
        problems.append(
            Problem(
                "sheet-name",
                f"the sheet is named '{matches[0]}', with stray spaces or invisible characters; "
                f"it was read as '{sheet}' — rename it to be sure",
                label,
                severity="warning",
            )
        )
    return matches[0] if matches else None


def _read_open_sheet(book: object, path: Path, sheet: str | None, limits: ReadLimits) -> Table | None:
    problems: list[Problem] = []
    name = _find_sheet(list(book.sheetnames), sheet, path, problems)  # type: ignore[attr-defined]
    if name is None and sheet is None:
        return _empty(path.name, [Problem("empty-file", "the workbook has no sheets", path.name)])
    if name is None:
        return None
    label = f"{path.name}:{sheet or name.strip().lower()}"
    if any(p.severity == "error" for p in problems):
        return _empty(label, problems)
    ws = book[name]  # type: ignore[index]
    try:
        header, columns, rows = _sheet_cells(ws, label, limits, problems)
    except Exception as exc:  # a damaged sheet inside a readable workbook
        problems.append(Problem("malformed-xlsx", f"cannot read the sheet: {exc}", label))
        return _empty(label, problems)
    if header is None:
        return _empty(label, problems)
    member = getattr(ws, "_worksheet_path", None)
    unshown: Counter[str] = Counter()
    if member:
        unshown.update(scan_sheet(path, member, header, label, problems, MAX_PER_KIND))
    width = len(header)
    frame = pl.DataFrame(
        {f"__c{j}": columns[j] for j in range(width)},
        schema={f"__c{j}": pl.Utf8 for j in range(width)},
    )
    table = _finish(frame, label, problems, headers=header, rows=rows, limits=limits)
    table.unshown.update(unshown)
    return table


def _sheet_cells(
    ws: object, label: str, limits: ReadLimits, problems: list[Problem]
) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """The header, the columns of text cells, and each row's number (blank rows included)."""
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)  # type: ignore[attr-defined]
    cells = list(first or ())
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    if not cells:
        problems.append(Problem("empty-file", "the sheet is empty", label))
        return None, [], []
    if len(cells) > limits.max_columns:
        problems.append(_too_many_columns(len(cells), label, limits))
        return None, [], []
    header = [_cell_text(h) for h in cells]
    if not any(strip_invisible(h).strip() for h in header):
        problems.append(_blank_header(label))
        return None, [], []
    width = len(header)
    columns: list[list[str]] = [[] for _ in range(width)]
    rows: list[int] = []
    for n, row in enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2):  # type: ignore[attr-defined]
        if n - 1 > limits.max_rows:
            problems.append(_too_many_rows(n - 1, label, limits))
            return None, [], []
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        rows.append(n)
        for j in range(width):
            columns[j].append(_cell_text(row[j] if j < len(row) else None))
    return header, columns, rows


def _cell_text(v: object) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
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
