"""Reading a value ledger from YAML, a folder of CSV files, or an Excel workbook.

The three forms hold the same four tables (see ``docs/value.md``)::

    about        key, value           innovation (required), place, currency, base_year, discount_rate
    inputs       id, cost             [description, stakeholder, year]
    outcomes     id, quantity, proxy, deadweight, displacement, attribution, duration
                                      [stakeholder, outcome, indicator, proxy_source,
                                       evidence_source, evidence_strength, start_year, drop_off]
    assumptions  target, low, high    [note]          (optional)

A YAML ledger has the sections ``about`` (a mapping) and ``inputs``,
``outcomes``, ``assumptions`` (lists of mappings with those keys); a CSV
ledger is a folder with ``about.csv``, ``inputs.csv``, ``outcomes.csv`` and
optionally ``assumptions.csv``; a workbook has sheets of those names.

Every problem in a file is collected before anything is raised, each a
:class:`~lisa.errors.Problem` with a code, the file (or sheet), the row, the
column and the value: a missing table, column or value; a number that is not
one; a negative cost or quantity; a rate below 0 or above 100 %; a year that is
not whole or out of range; a repeated id; an assumption naming an outcome that
is not there; a low above its high. Tables are read with the study reader
(:mod:`lisa.io.tables`), so encodings, size limits, binary files and workbook
bombs are refused the same way; files are only read, never changed.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lisa.errors import Problem, StudyNotFound
from lisa.io.yamlio import load_yaml
from lisa.value.errors import LedgerInvalid
from lisa.value.model import (
    DISCOUNT_TARGET,
    INPUT_FIELDS,
    MAX_YEAR,
    OUTCOME_FIELDS,
    RATE_FIELDS,
    Assumption,
    Input,
    Ledger,
    Outcome,
)
from lisa.vocabulary import EVIDENCE_STRENGTHS

#: The tables of a ledger: (required columns, optional columns).
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "about": (("key", "value"), ()),
    "inputs": (("id", "cost"), ("description", "stakeholder", "year")),
    "outcomes": (
        ("id", "quantity", "proxy", "deadweight", "displacement", "attribution", "duration"),
        ("stakeholder", "outcome", "indicator", "proxy_source", "evidence_source",
         "evidence_strength", "start_year", "drop_off"),
    ),  # fmt: skip
    "assumptions": (("target", "low", "high"), ("note",)),
}
#: Tables a ledger must have (``assumptions`` may be left out).
REQUIRED_TABLES = ("about", "inputs", "outcomes")
#: What the ``about`` table may set.
ABOUT_KEYS = ("innovation", "place", "currency", "base_year", "discount_rate")
#: How each number is checked: money (>= 0), rate (0..1), whole years, or any number.
KINDS: dict[str, str] = {
    "cost": "money", "quantity": "money", "proxy": "any", "deadweight": "rate",
    "displacement": "rate", "attribution": "rate", "drop_off": "rate", "year": "year",
    "start_year": "year", "duration": "duration", "low": "any", "high": "any",
}  # fmt: skip
#: Largest YAML ledger read (bytes); tables are held to :class:`lisa.io.limits.ReadLimits`.
MAX_LEDGER_BYTES = 5_000_000
#: Most rows in one table (inputs, outcomes) and most assumptions: keeps the sensitivity bounded.
MAX_ROWS = 5_000
MAX_ASSUMPTIONS = 500
#: Longest text in one YAML value.
MAX_TEXT = 10_000


@dataclass
class _Record:
    """One row of one table: its cells (as read) and where it is."""

    table: str
    label: str
    row: int | None
    cells: dict[str, Any]


@dataclass
class _Read:
    """The tables as read from one file, with the problems found so far."""

    source: str
    records: dict[str, list[_Record]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # tables already refused with a problem

    def problem(self, code: str, message: str, rec: _Record | str | None = None, **where: Any) -> None:
        label = rec.label if isinstance(rec, _Record) else (rec or self.source)
        row = rec.row if isinstance(rec, _Record) else where.pop("row", None)
        self.problems.append(Problem(code, message, label, row=row, **where))


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _suggest(word: str, known: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(word.lower(), known, n=3, cutoff=0.6))


# -- numbers ---------------------------------------------------------------------------


def parse_number(raw: Any, percent: bool) -> float | str | None:
    """A cell as a number: None when blank, the reason as text when it is not a number.

    Parameters
    ----------
    raw
        The cell as read (text from a table, a number or text from YAML).
    percent
        Allow ``25%`` (read as 0.25), for rates.

    Returns
    -------
    float, str or None
        The number; the reason in words when it is not one (``true``, ``nan``
        and ``inf`` are not numbers); None when the cell is blank.

    Examples
    --------
    >>> parse_number("25%", True), parse_number(" 1e3 ", False), parse_number("", False)
    (0.25, 1000.0, None)
    >>> parse_number("12,5", False)
    "'12,5' is not a number (write 12.5, with a point and no thousands separators)"
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return f"'{_shown(raw)}' is not a number"
    text = str(raw).strip()
    scale = 1.0
    if percent and text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    try:
        value = float(text) * scale
    except ValueError:
        hint = " (write 12.5, with a point and no thousands separators)" if "," in text else ""
        if text.endswith("%"):
            hint = " (a percentage is only allowed for a rate)"
        return f"'{_shown(raw)}' is not a number{hint}"
    if not math.isfinite(value):
        return f"'{_shown(raw)}' is not a finite number"
    return value


def _range_error(kind: str, value: float) -> tuple[str, str] | None:
    """(code, message) when a parsed number does not fit its kind."""
    if kind == "money" and value < 0:
        return "negative", f"{value:g} is negative; costs and quantities are 0 or more"
    if kind == "rate" and not 0 <= value <= 1:
        return "rate-out-of-range", (
            f"{value:g} is not a rate from 0 to 1 (from 0% to 100%); write 25% as 0.25 or '25%'"
        )
    if kind in ("year", "duration"):
        if not value.is_integer():
            return "not-whole", f"{value:g} is not a whole number of years"
        low = 1 if kind == "duration" else 0
        if not low <= value <= MAX_YEAR:
            return "out-of-range", f"{value:g} is outside {low}..{MAX_YEAR} years"
    if kind == "discount" and not 0 <= value <= 0.5:
        return "rate-out-of-range", f"{value:g} is not a discount rate from 0 to 0.5 (50%)"
    return None


def _number_cell(read: _Read, rec: _Record, name: str, kind: str) -> float | None:
    """The cell as a checked number, or None (blank, or a problem recorded)."""
    raw = rec.cells.get(name)
    value = parse_number(raw, percent=kind in ("rate", "discount"))
    if isinstance(value, str):
        read.problem("not-a-number", f"{name}: {value}", rec, column=name, value=_shown(raw))
        return None
    if value is None:
        return None
    bad = _range_error(kind, value)
    if bad:
        read.problem(bad[0], f"{name}: {bad[1]}", rec, column=name, value=_shown(raw))
        return None
    return value


def _text(read: _Read, rec: _Record, name: str) -> str:
    raw = rec.cells.get(name)
    if raw is None:
        return ""
    if isinstance(raw, Mapping | list | tuple):
        read.problem("wrong-type", f"{name} must be one value, not a list or mapping", rec,
                     column=name, value=_shown(raw))  # fmt: skip
        return ""
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        read.problem("cell-too-long", f"{name} is longer than {MAX_TEXT:,} characters", rec,
                     column=name)  # fmt: skip
        return ""
    return text


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _fields(read: _Read, rec: _Record, numbers: tuple[str, ...], texts: tuple[str, ...],
            required: tuple[str, ...]) -> dict[str, Any] | None:  # fmt: skip
    """The record's checked fields (blank optional ones left out); None when any is wrong."""
    before = len(read.problems)
    out: dict[str, Any] = {}
    for name in (*texts, *numbers):
        raw = rec.cells.get(name)
        if _blank(raw):
            if name in required:
                read.problem("missing-value", f"{rec.table}: '{name}' is blank", rec, column=name)
            continue
        if name in texts:
            out[name] = _text(read, rec, name)
            continue
        number = _number_cell(read, rec, name, KINDS[name])
        if number is not None:
            out[name] = int(number) if KINDS[name] in ("year", "duration") else number
    return out if len(read.problems) == before else None


def _strength(read: _Read, rec: _Record) -> str | None:
    raw = _text(read, rec, "evidence_strength").lower()
    if not raw:
        return "none"
    if raw in EVIDENCE_STRENGTHS:
        return raw
    read.problem(
        "unknown-evidence-strength",
        f"evidence_strength '{_shown(raw)}' is not one of {', '.join(EVIDENCE_STRENGTHS)}",
        rec, column="evidence_strength", value=_shown(raw),
        suggestions=_suggest(raw, EVIDENCE_STRENGTHS),
    )  # fmt: skip
    return None


def _model(read: _Read, rec: _Record, cls: type[Any], data: dict[str, Any]) -> Any:
    """Build one row's model; a rule the checks above missed is still a named problem."""
    try:
        return cls(**data)
    except ValidationError as exc:
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"]) or None
            read.problem("bad-value", f"{rec.table}: {err['msg']}", rec, column=column,
                         value=_shown(err.get("input")) if column else None)  # fmt: skip
        return None


def _inputs(read: _Read) -> list[Input]:
    out = []
    required = TABLES["inputs"][0]
    for rec in read.records.get("inputs", []):
        data = _fields(read, rec, ("cost", "year"), ("id", "description", "stakeholder"), required)
        if data is not None and (item := _model(read, rec, Input, data)) is not None:
            out.append(item)
    return out


def _outcomes(read: _Read) -> list[Outcome]:
    out = []
    required = TABLES["outcomes"][0]
    numbers = ("quantity", "proxy", "deadweight", "displacement", "attribution", "duration",
               "start_year", "drop_off")  # fmt: skip
    texts = ("id", "stakeholder", "outcome", "indicator", "proxy_source", "evidence_source")
    for rec in read.records.get("outcomes", []):
        data = _fields(read, rec, numbers, texts, required)
        strength = _strength(read, rec)
        if data is None or strength is None:
            continue
        item = _model(read, rec, Outcome, data | {"evidence_strength": strength})
        if item is None:
            continue
        out.append(item)
        if item.evidence_strength != "none" and not item.evidence_source:
            read.problem("no-evidence-source", f"outcome '{item.id}' is evidenced as "
                         f"'{item.evidence_strength}' but names no evidence_source", rec,
                         column="evidence_source", severity="warning")  # fmt: skip
    return out


def _duplicates(read: _Read) -> None:
    """An id names one input or one outcome: assumptions refer to it."""
    seen: dict[str, _Record] = {}
    for table in ("inputs", "outcomes"):
        for rec in read.records.get(table, []):
            item = str(rec.cells.get("id") or "").strip()
            if not item:
                continue
            if item in seen:
                first = seen[item]
                read.problem("duplicate-id", f"the id '{item}' is used twice (also {first.table}"
                             + (f" row {first.row}" if first.row else "") + "); ids must be unique",
                             rec, column="id", value=item)  # fmt: skip
            seen.setdefault(item, rec)


def _about(read: _Read) -> dict[str, Any]:
    """The ledger's own fields from the ``about`` table (key, value rows)."""
    out: dict[str, Any] = {}
    given = False
    for rec in read.records.get("about", []):
        key = str(rec.cells.get("key") or "").strip().lower()
        if not key:
            continue
        if key not in ABOUT_KEYS:
            read.problem("unknown-key", f"about: unknown key '{_shown(key)}' (the keys are "
                         f"{', '.join(ABOUT_KEYS)})", rec, column="key", value=_shown(key),
                         suggestions=_suggest(key, ABOUT_KEYS))  # fmt: skip
            continue
        if key in out:
            read.problem("duplicate-key", f"about: '{key}' is given twice", rec, column="key", value=key)
            continue
        rec.cells[key] = rec.cells.get("value")
        given = given or (key == "innovation" and not _blank(rec.cells[key]))
        if key == "discount_rate":
            rate = _number_cell(read, rec, key, "discount")
            out[key] = rate
        elif key == "base_year":
            year = parse_number(rec.cells[key], False)
            if not isinstance(year, float) or not year.is_integer() or not 1800 <= year <= 2300:
                read.problem("bad-value", "about: base_year must be a calendar year (1800..2300)",
                             rec, column="value", value=_shown(rec.cells[key]))  # fmt: skip
            else:
                out[key] = int(year)
        else:
            out[key] = _text(read, rec, key)
    if not given and "about" in read.records and "about" not in read.failed:
        read.problem("missing-value", "about: the ledger names no innovation (a row 'innovation, "
                     "NAME', as its assessment names it)", read.source, column="innovation")  # fmt: skip
    return {k: v for k, v in out.items() if v not in (None, "")}


def _assumption_kind(read: _Read, rec: _Record, target: str, ids: dict[str, str]) -> str | None:
    """How the target's values are checked; None (and a problem) when it names nothing known."""
    if target == DISCOUNT_TARGET:
        return "discount"
    item, _, name = target.rpartition(".")
    if not item or item not in ids:
        read.problem("unknown-outcome", f"assumption '{_shown(target)}' names no outcome or input"
                     f" '{_shown(item or target)}' (write OUTCOME_ID.FIELD, INPUT_ID.cost or "
                     "discount_rate)", rec, column="target", value=_shown(target),
                     suggestions=_suggest(item or target, tuple(ids)))  # fmt: skip
        return None
    allowed = OUTCOME_FIELDS if ids[item] == "outcomes" else INPUT_FIELDS
    if name not in allowed:
        read.problem("unknown-field", f"assumption '{_shown(target)}': '{_shown(name)}' is not a "
                     f"field an assumption may vary ({', '.join(allowed)})", rec, column="target",
                     value=_shown(target), suggestions=_suggest(name, allowed))  # fmt: skip
        return None
    if name in RATE_FIELDS:
        return "rate"
    return {"duration": "duration", "proxy": "any"}.get(name, "money")


def _assumptions(read: _Read, ids: dict[str, str]) -> list[Assumption]:
    out: list[Assumption] = []
    seen: set[str] = set()
    for rec in read.records.get("assumptions", []):
        target = _text(read, rec, "target")
        if not target:
            read.problem("missing-value", "assumptions: 'target' is blank", rec, column="target")
            continue
        kind = _assumption_kind(read, rec, target, ids)
        if kind is None:
            continue
        if target in seen:
            read.problem("duplicate-id", f"assumption '{target}' is given twice", rec,
                         column="target", value=target)  # fmt: skip
            continue
        seen.add(target)
        ends = [_number_cell(read, rec, end, kind) for end in ("low", "high")]
        for end, value in zip(("low", "high"), ends, strict=True):
            if value is None and _blank(rec.cells.get(end)):
                read.problem("missing-value", f"assumption '{target}': '{end}' is blank", rec, column=end)
        low, high = ends
        if low is None or high is None:
            continue
        if low > high:
            read.problem("bad-range", f"assumption '{target}': low {low:g} is above high {high:g}",
                         rec, column="low", value=_shown(rec.cells.get("low")))  # fmt: skip
            continue
        if target.endswith(".cost") and low <= 0:
            read.problem("bad-range", f"assumption '{target}': a cost's low value must be above "
                         "0 (the ratio divides by the costs)", rec, column="low")  # fmt: skip
            continue
        out.append(Assumption(target=target, low=low, high=high, note=_text(read, rec, "note")))
    return out


def _central_check(read: _Read, ledger: Ledger) -> None:
    """A low and a high value should bracket what the ledger says (a warning otherwise)."""
    from lisa.value.compute import central_value, settings_for

    settings = settings_for(ledger)
    for a in ledger.assumptions:
        central = central_value(ledger, settings, a)
        if not a.low <= central <= a.high:
            read.problem("central-outside-range", f"assumption '{a.target}': the ledger's value "
                         f"{central:g} is outside its low..high ({a.low:g}..{a.high:g})",
                         "assumptions", severity="warning")  # fmt: skip


def _ledger(read: _Read) -> Ledger | None:
    """Check every table of what was read and build the ledger (None when any error)."""
    for table in REQUIRED_TABLES:
        if table not in read.records:
            read.problem("missing-table", f"the ledger has no '{table}' table", read.source)
    about = _about(read)
    _duplicates(read)
    inputs, outcomes = _inputs(read), _outcomes(read)
    ids = {i.id: "inputs" for i in inputs} | {o.id: "outcomes" for o in outcomes}
    for table in ("inputs", "outcomes"):
        if table in read.records and not read.records[table] and table not in read.failed:
            read.problem(f"no-{table}", f"the '{table}' table has no rows", read.source)
    assumptions = _assumptions(read, ids)
    if inputs and not any(i.cost > 0 for i in inputs) and len(inputs) == len(read.records["inputs"]):
        read.problem("no-costs", "the inputs add up to 0: the SROI ratio divides by the costs",
                     read.source)  # fmt: skip
    if any(p.severity == "error" for p in read.problems):
        return None
    try:
        ledger = Ledger(source=read.source, inputs=inputs, outcomes=outcomes,
                        assumptions=assumptions, **about)  # fmt: skip
    except ValidationError as exc:
        for err in exc.errors():
            read.problem("bad-value", f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
        return None
    _central_check(read, ledger)
    return ledger


def _columns(read: _Read, table: str, label: str, columns: list[str]) -> bool:
    """Whether the table has its required columns (a problem for each missing one)."""
    required, optional = TABLES[table]
    ok = True
    for name in required:
        if name not in columns:
            ok = False
            read.problem("missing-column", f"{table}: no '{name}' column (the header is: "
                         f"{', '.join(c for c in columns if c)})", label, row=1, column=name,
                         suggestions=_suggest(name, tuple(columns)))  # fmt: skip
    for name in columns:
        if name and name not in required + optional:
            read.problem("unknown-column", f"{table}: the column '{_shown(name)}' is not one lisa "
                         "reads; it is ignored", label, row=1, column=name, severity="warning",
                         suggestions=_suggest(name, required + optional))  # fmt: skip
    return ok


def _too_many(read: _Read, table: str, label: str, n: int) -> bool:
    most = MAX_ASSUMPTIONS if table == "assumptions" else MAX_ROWS
    if n > most:
        read.problem("too-many-rows", f"{table}: {n:,} rows, more than a ledger may hold "
                     f"({most:,})", label)  # fmt: skip
        return True
    return False


# -- tables: CSV folders and workbooks ----------------------------------------------------


def _from_table(read: _Read, table_name: str, table: Any) -> None:
    """Records from one :class:`lisa.io.tables.Table` (a CSV file or a sheet)."""
    read.problems.extend(table.problems)
    read.records[table_name] = []
    if any(p.severity == "error" for p in table.problems):
        read.failed.add(table_name)
    if not table.columns:
        return
    if not _columns(read, table_name, table.label, table.columns) or _too_many(
        read, table_name, table.label, len(table)
    ):
        read.failed.add(table_name)
        return
    read.records[table_name] = [
        _Record(table_name, table.label, table.row_number(i), dict(row))
        for i, row in enumerate(table.frame.to_dicts())
    ]


def _read_folder(folder: Path) -> _Read:
    from lisa.io.tables import read_csv

    read = _Read(str(folder))
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.is_file():
            _from_table(read, name, read_csv(path, f"{folder.name}/{path.name}"))
    return read


def _read_workbook(path: Path) -> _Read:
    from lisa.io.limits import ReadLimits
    from lisa.io.tables import read_sheet
    from lisa.io.workbook import inspect_workbook

    read = _Read(path.name)
    refused = inspect_workbook(path, ReadLimits.current())
    if refused:
        read.problems.extend(refused)
        read.records, read.failed = {t: [] for t in TABLES}, set(TABLES)
        return read
    for name in TABLES:
        table = read_sheet(path, name)
        if table is not None:
            _from_table(read, name, table)
    return read


# -- YAML ---------------------------------------------------------------------------------


def _entry_lines(root: yaml.Node | None) -> dict[str, list[int]]:
    """The line of each entry of each list section (and of each key of ``about``)."""
    lines: dict[str, list[int]] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(value, yaml.SequenceNode):
                lines[str(key.value)] = [n.start_mark.line + 1 for n in value.value]
            elif isinstance(value, yaml.MappingNode):
                lines[str(key.value)] = [k.start_mark.line + 1 for k, _ in value.value]
    return lines


def _yaml_records(read: _Read, data: Mapping[str, Any], lines: dict[str, list[int]]) -> None:
    for key in data:
        if key not in TABLES:
            read.problem("unknown-section", f"unknown section '{_shown(key)}' (the sections are "
                         f"{', '.join(TABLES)})", value=_shown(key),
                         suggestions=_suggest(str(key), tuple(TABLES)))  # fmt: skip
    for table in TABLES:
        if table not in data:
            continue
        section, rows = data[table], lines.get(table, [])
        if table == "about":
            if not isinstance(section, Mapping):
                read.problem("bad-format", "'about' must map keys to values (innovation: NAME)")
                read.records["about"] = []
                read.failed.add("about")
                continue
            section = [{"key": k, "value": v} for k, v in section.items()]
        if not isinstance(section, list) or not all(isinstance(e, Mapping) for e in section):
            read.problem("bad-format", f"'{table}' must be a list of entries (- id: ...)")
            read.records[table] = []
            read.failed.add(table)
            continue
        if _too_many(read, table, read.source, len(section)):
            read.records[table] = []
            read.failed.add(table)
            continue
        known = TABLES[table][0] + TABLES[table][1]
        for i, entry in enumerate(section if table != "about" else ()):
            for name in entry:
                if str(name).strip().lower() not in known:
                    read.problem("unknown-column", f"{table}: unknown key '{_shown(name)}'; it is "
                                 "ignored", read.source, row=rows[i] if i < len(rows) else None,
                                 column=str(name), suggestions=_suggest(str(name), known),
                                 severity="warning")  # fmt: skip
        read.records[table] = [
            _Record(table, read.source, rows[i] if i < len(rows) else None,
                    {str(k).strip().lower(): v for k, v in e.items()})
            for i, e in enumerate(section)
        ]  # fmt: skip


def ledger_from_yaml(text: str, source: str = "<ledger>") -> tuple[Ledger | None, list[Problem]]:
    """Check a ledger written as YAML text.

    Parameters
    ----------
    text
        The YAML document (sections ``about``, ``inputs``, ``outcomes``, ``assumptions``).
    source
        The file name the problems should name.

    Returns
    -------
    tuple
        The ledger (None when any problem is an error) and every problem.

    Examples
    --------
    >>> ledger, problems = ledger_from_yaml("about: {innovation: x}\\ninputs: []\\n")
    >>> sorted({p.code for p in problems})
    ['missing-table', 'no-inputs']
    """
    read = _Read(source)
    data, node, problems = load_yaml(text, source)
    if problems:
        return None, problems
    if not isinstance(data, Mapping):
        return None, [Problem("bad-format", "expected a mapping with the sections about, inputs, "
                              "outcomes and assumptions (see docs/value.md)", source)]  # fmt: skip
    _yaml_records(read, data, _entry_lines(node))
    return _ledger(read), read.problems


def _read_yaml(path: Path) -> tuple[Ledger | None, list[Problem]]:
    from lisa.io.tables import decode_text

    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem("binary-file", "the file holds NUL bytes: it is not a YAML text file",
                              path.name)]  # fmt: skip
    problems: list[Problem] = []
    text = decode_text(data, path.name, problems)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [*problems, Problem("empty-file", "the file is empty", path.name)]
    ledger, found = ledger_from_yaml(text, path.name)
    return ledger, problems + found


# -- any file -----------------------------------------------------------------------------


def _table_file(path: Path) -> bool:
    return path.suffix.lower() == ".csv" and path.stem.lower() in TABLES


def check_ledger(path: str | Path) -> tuple[Ledger | None, list[Problem]]:
    """Read one ledger: a ``.yaml``/``.yml`` file, an ``.xlsx`` workbook, or a folder of CSV files.

    Parameters
    ----------
    path
        The file or folder (a CSV file of the folder, such as ``outcomes.csv``, stands for it).

    Returns
    -------
    tuple
        The ledger (None when any problem is an error) and every problem found,
        warnings included.

    Raises
    ------
    StudyNotFound
        When nothing is at ``path``.
    """
    from lisa.io.tables import Reporter

    path = Path(path)
    if not path.exists():
        raise StudyNotFound(f"no such ledger file or folder: {path}")
    if _table_file(path):
        path = path.parent
    suffix = path.suffix.lower()
    if path.is_dir():
        read = _read_folder(path)
        ledger, problems = _ledger(read), read.problems
    elif suffix in (".yaml", ".yml"):
        size = path.stat().st_size
        if size > MAX_LEDGER_BYTES:
            return None, [Problem("file-too-large", f"the file is {size:,} bytes; lisa reads YAML "
                                  f"ledgers up to {MAX_LEDGER_BYTES:,} bytes", path.name)]  # fmt: skip
        ledger, problems = _read_yaml(path)
    elif suffix == ".xlsx":
        read = _read_workbook(path)
        ledger, problems = _ledger(read), read.problems
    else:
        return None, [Problem("bad-format", f"cannot read '{path.suffix or path.name}' as a ledger; "
                              "give a .yaml or .xlsx file, or a folder of CSV files", path.name,
                              value=path.suffix or None)]  # fmt: skip
    reporter = Reporter()
    for p in problems:
        reporter.add(p)
    return ledger, reporter.finish()


def read_ledger(path: str | Path) -> Ledger:
    """Read and check one ledger (YAML, a folder of CSV files, or Excel).

    Parameters
    ----------
    path
        The ledger file or folder.

    Returns
    -------
    Ledger
        The checked ledger.

    Raises
    ------
    LedgerInvalid
        Listing every problem, when any is an error.
    StudyNotFound
        When nothing is at ``path``.
    """
    ledger, problems = check_ledger(path)
    if ledger is None or any(p.severity == "error" for p in problems):
        raise LedgerInvalid(problems)
    return ledger
