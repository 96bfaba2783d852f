"""Reading assessment answers from YAML, CSV and Excel files.

Every reader returns :class:`AnswerSet` objects (one per assessor) and checks
every answer against the item bank. All problems in a file are collected
before anything is raised, so one run lists them all: unknown item ids (with
suggestions), answers outside their scale or of the wrong kind, impossible
dates, a history that goes back in time, missing required items, and files
that are not what they claim (binary, too large, not a workbook, YAML with
repeated keys or aliases). Each problem names the file, the row, the item and
the value. Items simply left blank are allowed: they lower the confidence of
the inference instead of failing. Files are only read, never changed.

Formats (see ``docs/assessment.md``)::

    # YAML
    answers:
      meta.innovation: Youth services commissioning
      meta.place: Tower Hamlets
      sign.trigger: 5
    history:
      - {date: 2001, phase: 1, note: commissioning agreed}

    # CSV / Excel (sheet "answers" or the first sheet); extra columns ignored
    item,answer,date,note[,assessor]
    sign.trigger,5,,
    history,1,2001,commissioning agreed
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lisa.assess.errors import AssessmentInvalid
from lisa.assess.items import (
    AnswerError,
    Item,
    ItemBank,
    RetiredItem,
    WrongType,
    parse_date,
    parse_phase,
    suggest,
)
from lisa.errors import Problem, StudyNotFound
from lisa.io.yamlio import load_yaml

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument

HISTORY_ITEM = "history"
#: The sections of a YAML answer file.
YAML_SECTIONS = ("answers", HISTORY_ITEM, "notes")
#: Largest answer file read (bytes); a filled-in template is a few kilobytes. A
#: workbook is also held to the unpacking limits of the study files
#: (:class:`lisa.io.limits.ReadLimits`), so a zip bomb is refused unopened.
MAX_ANSWER_BYTES = 2_000_000


@dataclass(frozen=True)
class HistoryEntry:
    """The phase an innovation was in from a date (seed 002 §5.1 lifecycle)."""

    date: dt.date
    phase: int
    note: str = ""
    label: str = ""  # the date as written (2004, 2004-06 …)


@dataclass
class AnswerSet:
    """One assessor's checked answers for one innovation."""

    source: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def assessor(self) -> str:
        return str(self.answers.get("meta.assessor") or Path(self.source).stem)

    @property
    def innovation(self) -> str:
        return str(self.answers.get("meta.innovation", ""))

    @property
    def place(self) -> str:
        return str(self.answers.get("meta.place", ""))

    @property
    def key(self) -> tuple[str, str]:
        """Answer sets with the same key describe the same innovation."""
        return (self.place.strip().casefold(), self.innovation.strip().casefold())


def _shown(value: Any, limit: int = 120) -> str | None:
    """A value as a problem shows it: text, cut short."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_structure(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple)


class _Collector:
    """Accumulates checked answers and problems for one assessor in one file."""

    def __init__(self, source: str, bank: ItemBank):
        self.source = source
        self.bank = bank
        self.answer_set = AnswerSet(source=source)
        self.problems: list[Problem] = []
        self.rows: dict[str, int | None] = {}
        self.migrated: list[tuple[str, Any, int | None, Any]] = []  # retired id, value, row, note
        self._last_history: tuple[dt.date, str] | None = None

    def problem(
        self, code: str, message: str, row: int | None, column: str | None, value: Any
    ) -> None:
        self.problems.append(
            Problem(code=code, message=message, file=self.source, row=row, column=column,
                    value=_shown(value))
        )  # fmt: skip

    def answer(self, item_id: Any, raw: Any, row: int | None, note: Any = None) -> None:
        item_id = str(item_id).strip()
        if item_id not in self.bank and item_id not in self.bank.retired:
            self.problems.append(
                Problem(
                    code="unknown-item",
                    message=f"unknown item id '{_shown(item_id)}'",
                    file=self.source,
                    row=row,
                    column="item",
                    value=_shown(item_id),
                    suggestions=suggest(item_id, self.bank.ids),
                )
            )
            return
        if item_id in self.rows:
            where = f"row {self.rows[item_id]}" if self.rows[item_id] else "earlier"
            self.problem(
                "duplicate-item", f"item '{item_id}' is answered twice (also {where})", row, "item",
                item_id,
            )  # fmt: skip
            return
        if item_id in self.bank.retired:
            self._retired(item_id, raw, row, note)
            return
        self.rows[item_id] = row
        ok, value = self._parse(self.bank[item_id], raw, row)
        if not ok:
            return
        if value is not None:
            self.answer_set.answers[item_id] = value
        self.note(item_id, note, row)

    def _parse(self, item: Item | RetiredItem, raw: Any, row: int | None) -> tuple[bool, Any]:
        """The checked value, or ``(False, None)`` with the problem recorded."""
        try:
            return True, item.parse(raw)
        except WrongType as exc:
            self.problem("wrong-type", f"item '{item.id}': the answer is {exc}", row, "answer", raw)
        except AnswerError as exc:
            self.problem(
                "bad-answer", f"item '{item.id}': answer '{_shown(raw)}' is {exc}", row, "answer",
                raw,
            )  # fmt: skip
        return False, None

    def _retired(self, item_id: str, raw: Any, row: int | None, note: Any) -> None:
        """An answer to an id of an earlier bank: checked now, migrated in :meth:`finish`."""
        self.rows[item_id] = row
        ok, value = self._parse(self.bank.retired[item_id], raw, row)
        if ok and value is not None:
            self.migrated.append((item_id, value, row, note))

    def _migrate(self) -> None:
        """Give each retired id's answer to its successors the file does not answer itself."""
        for old, value, row, note in self.migrated:
            given = [new for new in self.bank.successors(old) if new not in self.rows]
            for new in given:
                self.rows[new] = row
                self.answer_set.answers[new] = value
                self.note(new, note, row)
            kept = [new for new in self.bank.successors(old) if new not in given]
            message = (
                f"item '{old}' was retired in item bank version {self.bank.retired[old].retired_in}; "
                + (f"its answer is used for {', '.join(given)}" if given else "its answer is not used")
                + (f" ({', '.join(kept)} answered in the file)" if kept else "")
            )
            self.problems.append(
                Problem("migrated-item", message, self.source, row=row, column="item", value=old,
                        severity="warning")
            )  # fmt: skip

    def note(self, item_id: str, note: Any, row: int | None) -> None:
        if note in (None, ""):
            return
        if _is_structure(note):
            self.problem("wrong-type", f"the note on '{item_id}' must be text", row, "note", note)
            return
        self.answer_set.notes[item_id] = str(note)

    def history(self, date_raw: Any, phase_raw: Any, row: int | None, note: Any = None) -> None:
        for column, raw in (("date", date_raw), ("answer", phase_raw), ("note", note)):
            if _is_structure(raw):
                what = {"date": "date", "answer": "phase", "note": "note"}[column]
                self.problem("wrong-type", f"a history {what} must be one value", row, column, raw)
                return
        if date_raw in (None, ""):
            self.problem("bad-history", "history entry has no date", row, "date", phase_raw)
            return
        try:
            date = parse_date(date_raw)
        except AnswerError as exc:
            self.problem(
                "bad-history", f"history date '{date_raw}' is {exc}", row, "date", date_raw
            )
            return
        try:
            phase: int | None = parse_phase(phase_raw)
        except AnswerError as exc:
            self.problem(
                "bad-history",
                f"history phase '{phase_raw}' (at {date_raw}) is not valid: {exc}",
                row,
                "answer",
                phase_raw,
            )
            phase = None
        label = _date_label(date_raw)
        if self._out_of_order(date, label, row):
            return
        self._last_history = (date, label)
        if phase is not None:
            self.answer_set.history.append(
                HistoryEntry(
                    date=date, phase=phase, note="" if note is None else str(note), label=label
                )
            )

    def _out_of_order(self, date: dt.date, label: str, row: int | None) -> bool:
        if self._last_history is None:
            return False
        last_date, last_label = self._last_history
        if date < last_date:
            self.problem(
                "history-backwards",
                f"history goes back in time: '{label}' comes after '{last_label}'; "
                "list the phases in date order",
                row,
                "date",
                label,
            )
            return True
        if date == last_date:
            self.problem(
                "history-duplicate-date", f"history has two entries for '{label}'", row, "date",
                label,
            )  # fmt: skip
            return True
        return False

    def finish(self) -> AnswerSet:
        self._migrate()
        for item in self.bank.required:
            if item.id not in self.answer_set.answers and not any(
                p.code in ("bad-answer", "duplicate-item", "wrong-type")
                and p.message.startswith(f"item '{item.id}'")
                for p in self.problems
            ):
                row = self.rows.get(item.id)
                self.problem(
                    "missing-required",
                    f"required item '{item.id}' is "
                    + ("left blank" if item.id in self.rows else "missing")
                    + f" ({item.text.rstrip('.')})",
                    row,
                    "answer" if item.id in self.rows else "item",
                    item.id,
                )
        return self.answer_set


def _date_label(date_raw: Any) -> str:
    """The date as written: ``2004``, ``2004-06``; Excel's dates and floats made plain."""
    if isinstance(date_raw, dt.datetime):
        return date_raw.date().isoformat()
    if isinstance(date_raw, dt.date):
        return date_raw.isoformat()
    if isinstance(date_raw, float) and date_raw.is_integer():
        return str(int(date_raw))
    return str(date_raw).strip()


# --------------------------------------------------------------------------- files


def _file_problem(code: str, message: str, path: Path | str, **where: Any) -> Problem:
    return Problem(code=code, message=message, file=str(path), **where)


def _binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16 (which has its byte-order mark): not a text file."""
    return b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text (UTF-8, UTF-16 with a byte-order mark, or Windows-1252 with a warning)."""
    from lisa.io.tables import decode_text  # the study tables' decoding, shared

    binary = _file_problem(
        "binary",
        "the file holds NUL bytes: it is not a text file (binary, or UTF-16 saved without a "
        "byte-order mark)",
        path,
    )
    data = path.read_bytes()
    if _binary(data):
        return None, [binary]
    problems: list[Problem] = []
    text = decode_text(data, str(path), problems)
    if text is None:
        return None, problems
    if "\x00" in text:  # UTF-16 with its byte-order mark, holding NUL characters
        return None, [*problems, binary]
    if not text.strip():
        problems.append(_file_problem("empty", "the file is empty", path))
        return None, problems
    return text, problems


def _yaml_lines(root: yaml.Node | None) -> tuple[dict[str, int], list[int]]:
    """Line numbers of the answer keys and history entries in a YAML file."""
    lines: dict[str, int] = {}
    history_lines: list[int] = []
    if not isinstance(root, yaml.MappingNode):
        return lines, history_lines
    for key, value in root.value:
        if key.value == "answers" and isinstance(value, yaml.MappingNode):
            for k, _ in value.value:
                lines.setdefault(str(k.value), k.start_mark.line + 1)
        if key.value == HISTORY_ITEM and isinstance(value, yaml.SequenceNode):
            history_lines = [n.start_mark.line + 1 for n in value.value]
    return lines, history_lines


def answers_from_yaml(
    text: str, source: str, instrument: Instrument | None = None
) -> tuple[list[AnswerSet], list[Problem]]:
    """Check answers written as YAML text (the form of ``lisa assess template``).

    Parameters
    ----------
    text
        The YAML document.
    source
        The file name the problems should name.
    instrument
        Whose item bank to check against; ``None``: the shipped one.

    Returns
    -------
    tuple
        The answer sets and every problem found (repeated keys and aliases
        are problems, as is a document that is not a mapping).

    Examples
    --------
    >>> sets, problems = answers_from_yaml("answers: {meta.place: Town}\\n", "a.yaml")
    >>> [p.code for p in problems]
    ['missing-required']
    """
    from lisa.assess.instrument import Instrument

    return _check_yaml(text, source, (instrument or Instrument.load()).bank)


def _check_yaml(text: str, source: str, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    data, node, problems = load_yaml(text, source, words=True)
    if problems:
        return [], problems
    if data is None:
        return [], [_file_problem("empty", "the file holds no YAML document", source)]
    return _check_mapping(data, source, bank, _yaml_lines(node))


def _read_yaml(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    text, problems = _read_text(path)
    if text is None:
        return [], problems
    sets, found = _check_yaml(text, str(path), bank)
    return sets, problems + found


def answers_from_mapping(
    data: Any,
    source: str = "<answers>",
    instrument: Instrument | None = None,
    lines: tuple[dict[str, int], list[int]] | None = None,
) -> tuple[list[AnswerSet], list[Problem]]:
    """Check answers given as a mapping ``{"answers": {...}, "history": [...]}``.

    This is the entry point for answers that do not come from a file (the web
    app, notebooks).

    Parameters
    ----------
    data
        ``{"answers": {item id: answer}, "history": [{date, phase, note}],
        "notes": {item id: text}}``; only ``answers`` is required.
    source
        What the problems should call the answers.
    instrument
        Whose item bank to check against; ``None``: the shipped one.
    lines
        Line numbers of the answers and history entries, when known.

    Returns
    -------
    tuple
        The answer sets (one) and the problems found.

    Examples
    --------
    >>> sets, problems = answers_from_mapping({"answers": {"meta.innovation": "x",
    ...     "meta.place": "y", "sign.trigger": [5]}})
    >>> [(p.code, p.value) for p in problems]
    [('wrong-type', '[5]')]
    """
    from lisa.assess.instrument import Instrument

    return _check_mapping(data, source, (instrument or Instrument.load()).bank, lines)


def _check_mapping(
    data: Any, source: str, bank: ItemBank, lines: tuple[dict[str, int], list[int]] | None
) -> tuple[list[AnswerSet], list[Problem]]:
    key_lines, history_lines = lines or ({}, [])
    collector = _Collector(source, bank)
    if not isinstance(data, Mapping) or not isinstance(data.get("answers"), Mapping):
        collector.problem(
            "bad-format",
            "expected a mapping with an 'answers' section (item id: answer); "
            "run 'lisa assess template' for an example",
            None,
            None,
            None,
        )
        return [], collector.problems
    for key in data:
        if key not in YAML_SECTIONS:
            collector.problems.append(
                Problem("unknown-section", f"unknown section '{_shown(key)}' (the sections are "
                        f"{', '.join(YAML_SECTIONS)})", source, value=_shown(key),
                        suggestions=suggest(str(key), YAML_SECTIONS))
            )  # fmt: skip
    notes = data.get("notes") or {}
    if not isinstance(notes, Mapping):
        collector.problem("wrong-type", "'notes' must map item ids to text", None, None, notes)
        notes = {}
    for item_id, raw in data["answers"].items():
        collector.answer(item_id, raw, key_lines.get(str(item_id)), notes.get(item_id))
    _check_history(collector, data.get(HISTORY_ITEM) or [], history_lines)
    answer_set = collector.finish()
    return [answer_set], collector.problems


def _check_history(collector: _Collector, history: Any, history_lines: list[int]) -> None:
    if not isinstance(history, list):
        collector.problem(
            "bad-history", "'history' must be a list of {date, phase} entries", None, None, None
        )
        return
    for index, entry in enumerate(history):
        row = history_lines[index] if index < len(history_lines) else None
        if not isinstance(entry, Mapping):
            collector.problem(
                "bad-history", "a history entry must have a date and a phase", row, None, entry
            )
            continue
        collector.history(entry.get("date"), entry.get("phase"), row, entry.get("note"))


# --------------------------------------------------------------------------- tables

_TABLE_COLUMNS = ("item", "answer", "date", "note", "assessor")


def _columns(header: Sequence[Any], source: str) -> tuple[dict[str, int], list[Problem]]:
    columns = [str(h).strip().lower() if h is not None else "" for h in header]
    problems = [
        Problem(
            code="missing-column",
            message=f"no '{needed}' column (the header is: {', '.join(c for c in columns if c)})",
            file=source,
            row=1,
            column=needed,
        )
        for needed in ("item", "answer")
        if needed not in columns
    ]
    return {name: columns.index(name) for name in _TABLE_COLUMNS if name in columns}, problems


def _collect_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], col: dict[str, int], source: str, bank: ItemBank
) -> dict[str, _Collector]:
    """One collector per assessor named in the ``assessor`` column ("" for none)."""

    def cell(values: Sequence[Any], name: str) -> Any:
        index = col.get(name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        return value.strip() if isinstance(value, str) else value

    collectors: dict[str, _Collector] = {}
    for row_number, values in rows:
        item_id = cell(values, "item")
        if item_id in (None, "") or str(item_id).startswith("#"):
            continue
        assessor = str(cell(values, "assessor") or "")
        collector = collectors.get(assessor)
        if collector is None:
            collector = collectors[assessor] = _Collector(source, bank)
            if assessor:
                collector.answer_set.answers["meta.assessor"] = assessor
                collector.rows["meta.assessor"] = row_number
        answer, date, note = cell(values, "answer"), cell(values, "date"), cell(values, "note")
        if str(item_id).strip().lower() == HISTORY_ITEM:
            if answer in (None, "") and date in (None, ""):
                continue  # an unused history row of the template
            collector.history(date, answer, row_number, note)
        else:
            collector.answer(item_id, answer, row_number, note)
    return collectors


def _share_unassigned(collectors: dict[str, _Collector]) -> None:
    """Meta items answered once (without an assessor) apply to every assessor."""
    if len(collectors) < 2:
        return
    shared = collectors.pop("", None)
    if shared is None:
        return
    for collector in collectors.values():
        for item_id, value in shared.answer_set.answers.items():
            collector.answer_set.answers.setdefault(item_id, value)
        if not collector.answer_set.history:
            collector.answer_set.history = list(shared.answer_set.history)
    next(iter(collectors.values())).problems.extend(shared.problems)


def _rows_from_table(
    header: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any]]], source: str, bank: ItemBank
) -> tuple[list[AnswerSet], list[Problem]]:
    col, problems = _columns(header, source)
    if problems:
        return [], problems
    collectors = _collect_rows(rows, col, source, bank)
    if not collectors:
        return [], [Problem(code="empty", message="no answers in the file", file=source)]
    _share_unassigned(collectors)
    sets: list[AnswerSet] = []
    for collector in collectors.values():
        sets.append(collector.finish())
        problems.extend(collector.problems)
    return sets, problems


def _read_csv(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    text, problems = _read_text(path)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        return [], problems + [
            _file_problem("bad-csv", f"not a readable CSV file: {exc}", path, row=reader.line_num)
        ]
    sets, found = _rows_from_table(header, rows, str(path), bank)
    return sets, problems + found


def _xlsx_problems(path: Path) -> list[Problem]:
    """Why the file is no workbook to open (the study reader's checks, zip bombs included)."""
    from lisa.io.limits import ReadLimits
    from lisa.io.workbook import inspect_workbook

    limits = ReadLimits.current()
    return inspect_workbook(path, limits.model_copy(update={"max_file_bytes": MAX_ANSWER_BYTES}))


def _sheet_rows(path: Path) -> tuple[str, str | None, list[tuple[Any, ...]]]:
    """The answer sheet's title, its part in the zip, and its cell values row by row."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        sheet = workbook["answers"] if "answers" in names else workbook.worksheets[0]
        return sheet.title, getattr(sheet, "_worksheet_path", None), list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _read_xlsx(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    from lisa.io.workbook import ZIP_ERRORS, scan_sheet

    unreadable: tuple[type[Exception], ...] = (*ZIP_ERRORS, KeyError, IndexError, TypeError)

    refused = _xlsx_problems(path)
    if refused:
        return [], refused
    try:
        title, member, all_rows = _sheet_rows(path)
    except unreadable as exc:
        return [], [_file_problem("malformed-xlsx", f"a damaged .xlsx workbook ({exc})", path)]
    if not all_rows:
        return [], [Problem(code="empty", message="the sheet is empty", file=str(path))]
    label = f"{path} [{title}]"
    problems: list[Problem] = []
    if member:  # formulas without a saved value, error cells, merged cells: not silently blank
        header = ["" if h is None else str(h) for h in all_rows[0]]
        scan_sheet(path, member, header, label, problems, cap=20)
    rows = [(number, row) for number, row in enumerate(all_rows[1:], start=2)]
    sets, found = _rows_from_table(all_rows[0], rows, label, bank)
    return sets, problems + found


READERS = {".yaml": _read_yaml, ".yml": _read_yaml, ".csv": _read_csv, ".xlsx": _read_xlsx}


def _check_file(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    if not path.exists():
        raise StudyNotFound(f"no such answer file: {path}")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return [], [
            _file_problem(
                "bad-format",
                f"cannot read '{path.suffix}' files; use .yaml, .csv or .xlsx",
                path,
                value=path.suffix,
            )
        ]
    if not path.is_file():
        return [], [_file_problem("bad-format", "not a file (a folder?)", path)]
    size = path.stat().st_size
    if size > MAX_ANSWER_BYTES:
        return [], [
            _file_problem(
                "too-large",
                f"the file is {size / 1e6:.1f} MB; lisa reads answer files up to "
                f"{MAX_ANSWER_BYTES / 1e6:.0f} MB (a filled-in template is a few kB)",
                path,
                value=str(size),
            )
        ]
    return reader(path, bank)


def check_answers(
    path: str | Path, instrument: Instrument | None = None
) -> tuple[list[AnswerSet], list[Problem]]:
    """Read one answer file and return the answer sets and every problem found.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` answer file.
    instrument
        Whose item bank to check against; ``None``: the shipped one.

    Returns
    -------
    tuple
        The answer sets (one per assessor) and the problems (errors and
        warnings, such as a file read as Windows-1252).

    Raises
    ------
    StudyNotFound
        When the file does not exist.
    """
    from lisa.assess.instrument import Instrument

    return _check_file(Path(path), (instrument or Instrument.load()).bank)


def read_answers(path: str | Path, instrument: Instrument | None = None) -> list[AnswerSet]:
    """Read and check one answer file (YAML, CSV or Excel).

    Parameters
    ----------
    path
        A ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` answer file.
    instrument
        Whose item bank to check against; ``None``: the shipped one.

    Returns
    -------
    list of AnswerSet
        One per assessor in the file.

    Raises
    ------
    AssessmentInvalid
        Listing every problem, when any is an error.
    StudyNotFound
        When the file does not exist.
    """
    sets, problems = check_answers(path, instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return sets


def check_many(
    paths: Sequence[str | Path], instrument: Instrument | None = None
) -> tuple[list[AnswerSet], list[Problem]]:
    """Read several answer files: all their answer sets and all their problems.

    Parameters
    ----------
    paths
        The answer files.
    instrument
        Whose item bank to check against; ``None``: the shipped one.

    Returns
    -------
    tuple
        Every answer set and every problem (errors and warnings) of every file.

    Raises
    ------
    StudyNotFound
        When a file does not exist.
    """
    from lisa.assess.instrument import Instrument

    bank = (instrument or Instrument.load()).bank
    sets: list[AnswerSet] = []
    problems: list[Problem] = []
    for path in paths:
        found, file_problems = _check_file(Path(path), bank)
        sets.extend(found)
        problems.extend(file_problems)
    return sets, problems


def read_many(paths: Sequence[str | Path], instrument: Instrument | None = None) -> list[AnswerSet]:
    """Read several answer files, listing the problems of all of them at once.

    Parameters
    ----------
    paths
        The answer files.
    instrument
        Whose item bank to check against; ``None``: the shipped one.

    Returns
    -------
    list of AnswerSet
        One per assessor per file.

    Raises
    ------
    AssessmentInvalid
        Listing every problem of every file, when any is an error.
    """
    sets, problems = check_many(paths, instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return sets
