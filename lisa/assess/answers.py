"""Reading assessment answers from YAML, CSV and Excel files.

Every reader returns :class:`AnswerSet` objects (one per assessor) and checks
every answer against the item bank. All problems in a file are collected
before anything is raised, so one run lists them all: unknown item ids (with
suggestions), answers outside their scale, a history that goes back in time,
and missing required items. Each problem names the file, the row, the item and
the value. Items simply left blank are allowed: they lower the confidence of
the inference instead of failing.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lisa.assess.errors import AssessmentInvalid
from lisa.assess.items import (
    AnswerError,
    ItemBank,
    load_item_bank,
    parse_date,
    parse_phase,
    suggest,
)
from lisa.errors import Problem, StudyNotFound

HISTORY_ITEM = "history"


@dataclass(frozen=True)
class HistoryEntry:
    """The phase an innovation was in from a date (seed 002 §5.1 lifecycle)."""

    date: dt.date
    phase: int
    note: str = ""
    label: str = ""  # the date as written (2004, 2004-06 …)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.label or self.date.isoformat(), "phase": self.phase, "note": self.note}


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


class _Collector:
    """Accumulates checked answers and problems for one assessor in one file."""

    def __init__(self, source: str, bank: ItemBank):
        self.source = source
        self.bank = bank
        self.answer_set = AnswerSet(source=source)
        self.problems: list[Problem] = []
        self.rows: dict[str, int | None] = {}
        self._last_history: tuple[dt.date, int | None, str] | None = None

    def problem(
        self, code: str, message: str, row: int | None, column: str | None, value: Any
    ) -> None:
        self.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.source,
                row=row,
                column=column,
                value=None if value is None else str(value),
            )
        )

    def answer(self, item_id: Any, raw: Any, row: int | None, note: Any = None) -> None:
        item_id = str(item_id).strip()
        if item_id not in self.bank:
            self.problems.append(
                Problem(
                    code="unknown-item",
                    message=f"unknown item id '{item_id}'",
                    file=self.source,
                    row=row,
                    column="item",
                    value=item_id,
                    suggestions=suggest(item_id, self.bank.ids),
                )
            )
            return
        if item_id in self.rows:
            where = f"row {self.rows[item_id]}" if self.rows[item_id] else "earlier"
            self.problem(
                "duplicate-item",
                f"item '{item_id}' is answered twice (also {where})",
                row,
                "item",
                item_id,
            )
            return
        self.rows[item_id] = row
        item = self.bank[item_id]
        try:
            value = item.parse(raw)
        except AnswerError as exc:
            self.problem(
                "bad-answer", f"item '{item_id}': answer '{raw}' is {exc}", row, "answer", raw
            )
            return
        if value is not None:
            self.answer_set.answers[item_id] = value
        if note not in (None, ""):
            self.answer_set.notes[item_id] = str(note)

    def history(self, date_raw: Any, phase_raw: Any, row: int | None, note: Any = None) -> None:
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
            phase = parse_phase(phase_raw)
        except AnswerError as exc:
            self.problem(
                "bad-history",
                f"history phase '{phase_raw}' (at {date_raw}) is not valid: {exc}",
                row,
                "answer",
                phase_raw,
            )
            phase = None
        label = date_raw.isoformat() if isinstance(date_raw, dt.date) else str(date_raw).strip()
        if isinstance(date_raw, float) and date_raw.is_integer():
            label = str(int(date_raw))
        if self._last_history is not None:
            last_date, _, last_label = self._last_history
            if date < last_date:
                self.problem(
                    "history-backwards",
                    f"history goes back in time: '{label}' comes after '{last_label}'; "
                    "list the phases in date order",
                    row,
                    "date",
                    label,
                )
                return
            if date == last_date:
                self.problem(
                    "history-duplicate-date",
                    f"history has two entries for '{label}'",
                    row,
                    "date",
                    label,
                )
                return
        self._last_history = (date, phase, label)
        if phase is not None:
            self.answer_set.history.append(
                HistoryEntry(
                    date=date, phase=phase, note="" if note is None else str(note), label=label
                )
            )

    def finish(self) -> AnswerSet:
        for item in self.bank.required:
            if item.id not in self.answer_set.answers and not any(
                p.code in ("bad-answer", "duplicate-item")
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


# --------------------------------------------------------------------------- YAML


def _yaml_lines(text: str) -> tuple[dict[str, int], list[int]]:
    """Line numbers of the answer keys and history entries in a YAML file."""
    lines: dict[str, int] = {}
    history_lines: list[int] = []
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines, history_lines
    if not isinstance(root, yaml.MappingNode):
        return lines, history_lines
    for key, value in root.value:
        if key.value == "answers" and isinstance(value, yaml.MappingNode):
            for k, _ in value.value:
                lines.setdefault(str(k.value), k.start_mark.line + 1)
        if key.value == HISTORY_ITEM and isinstance(value, yaml.SequenceNode):
            history_lines = [n.start_mark.line + 1 for n in value.value]
    return lines, history_lines


def _read_yaml(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    text = path.read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [
            Problem(
                code="bad-yaml",
                message=f"not valid YAML: {getattr(exc, 'problem', exc)}",
                file=str(path),
                row=mark.line + 1 if mark else None,
            )
        ]
    return answers_from_mapping(data, str(path), bank, _yaml_lines(text))


def answers_from_mapping(
    data: Any,
    source: str = "<answers>",
    bank: ItemBank | None = None,
    lines: tuple[dict[str, int], list[int]] | None = None,
) -> tuple[list[AnswerSet], list[Problem]]:
    """Check answers given as a mapping ``{"answers": {...}, "history": [...]}``.

    This is the entry point for answers that do not come from a file (the web
    app, notebooks). Returns the answer sets and the problems found.
    """
    bank = bank or load_item_bank()
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
    notes = data.get("notes") or {}
    for item_id, raw in data["answers"].items():
        collector.answer(item_id, raw, key_lines.get(str(item_id)), notes.get(item_id))
    history = data.get(HISTORY_ITEM) or []
    if not isinstance(history, list):
        collector.problem(
            "bad-history", "'history' must be a list of {date, phase} entries", None, None, None
        )
        history = []
    for index, entry in enumerate(history):
        row = history_lines[index] if index < len(history_lines) else None
        if not isinstance(entry, Mapping):
            collector.problem(
                "bad-history", "a history entry must have a date and a phase", row, None, entry
            )
            continue
        collector.history(entry.get("date"), entry.get("phase"), row, entry.get("note"))
    answer_set = collector.finish()
    return [answer_set], collector.problems


# --------------------------------------------------------------------------- tables


def _rows_from_table(
    header: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any]]], source: str, bank: ItemBank
) -> tuple[list[AnswerSet], list[Problem]]:
    columns = [str(h).strip().lower() if h is not None else "" for h in header]
    problems: list[Problem] = []
    for needed in ("item", "answer"):
        if needed not in columns:
            problems.append(
                Problem(
                    code="missing-column",
                    message=f"no '{needed}' column (the header is: {', '.join(c for c in columns if c)})",
                    file=source,
                    row=1,
                    column=needed,
                )
            )
    if problems:
        return [], problems
    col: dict[str, int] = {
        name: columns.index(name)
        for name in ("item", "answer", "date", "note", "assessor")
        if name in columns
    }

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
        if str(item_id).strip().lower() == HISTORY_ITEM:
            if cell(values, "answer") in (None, "") and cell(values, "date") in (None, ""):
                continue  # an unused history row of the template
            collector.history(
                cell(values, "date"), cell(values, "answer"), row_number, cell(values, "note")
            )
        else:
            collector.answer(item_id, cell(values, "answer"), row_number, cell(values, "note"))
    if not collectors:
        return [], [Problem(code="empty", message="no answers in the file", file=source)]
    if len(collectors) > 1:
        # Meta items answered once (without an assessor) apply to every assessor.
        shared = collectors.pop("", None)
        for collector in collectors.values():
            if shared is not None:
                for item_id, value in shared.answer_set.answers.items():
                    collector.answer_set.answers.setdefault(item_id, value)
                if not collector.answer_set.history:
                    collector.answer_set.history = list(shared.answer_set.history)
                collector.problems.extend(shared.problems)
                shared.problems = []
    sets: list[AnswerSet] = []
    for collector in collectors.values():
        sets.append(collector.finish())
        problems.extend(collector.problems)
    return sets, problems


def _read_csv(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return [], [Problem(code="empty", message="the file is empty", file=str(path))]
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    return _rows_from_table(header, rows, str(path), bank)


def _read_xlsx(path: Path, bank: ItemBank) -> tuple[list[AnswerSet], list[Problem]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook["answers"] if "answers" in workbook.sheetnames else workbook.worksheets[0]
        all_rows = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not all_rows:
        return [], [Problem(code="empty", message="the sheet is empty", file=str(path))]
    rows = [(number, row) for number, row in enumerate(all_rows[1:], start=2)]
    return _rows_from_table(all_rows[0], rows, f"{path} [{sheet.title}]", bank)


READERS = {".yaml": _read_yaml, ".yml": _read_yaml, ".csv": _read_csv, ".xlsx": _read_xlsx}


def read_answers(path: str | Path, bank: ItemBank | None = None) -> list[AnswerSet]:
    """Read and check one answer file (YAML, CSV or Excel).

    Returns one :class:`AnswerSet` per assessor in the file. Raises
    :class:`~lisa.assess.errors.AssessmentInvalid` listing every problem.
    """
    sets, problems = check_answers(path, bank)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return sets


def check_answers(
    path: str | Path, bank: ItemBank | None = None
) -> tuple[list[AnswerSet], list[Problem]]:
    """Read one answer file and return the answer sets and every problem found."""
    path = Path(path)
    bank = bank or load_item_bank()
    if not path.exists():
        raise StudyNotFound(f"no such answer file: {path}")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return [], [
            Problem(
                code="bad-format",
                message=f"cannot read '{path.suffix}' files; use .yaml, .csv or .xlsx",
                file=str(path),
                value=path.suffix,
            )
        ]
    return reader(path, bank)


def read_many(paths: Sequence[str | Path], bank: ItemBank | None = None) -> list[AnswerSet]:
    """Read several answer files, listing the problems of all of them at once."""
    sets: list[AnswerSet] = []
    problems: list[Problem] = []
    for path in paths:
        found, file_problems = check_answers(path, bank)
        sets.extend(found)
        problems.extend(file_problems)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return sets
