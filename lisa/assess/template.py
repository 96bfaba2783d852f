"""Blank answer templates in YAML, CSV and Excel, generated from the item bank."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from lisa.assess.items import PHASE_NAMES, ItemBank
from lisa.errors import ConfigError
from lisa.files import atomic_target, atomic_write_text

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument

FORMATS = ("yaml", "csv", "xlsx")
COLUMNS = ("item", "section", "question", "scale", "answer", "date", "note", "help")
SECTION_TITLES = {
    "meta": "About this assessment",
    "type": "Type and extent of the innovation",
    "sign": "Signs of each lifecycle phase (agree5)",
    "triangle": "Strategic triangle: authority, capacity, value and their links (agree5)",
    "stage": "Utterback-Abernathy stage: fluid, transitional or specific (agree5)",
    "progress": "Progress within the current phase: advancing, holding or slipping",
    "factor": "The six factors: driver, enabler, both, absent, blocking or unknown",
    "risk": "Risk signs (agree5)",
    "network": "The local innovation system (agree5)",
}
PHASE_HELP = ", ".join(f"{n} {name}" for n, name in PHASE_NAMES.items())


def _bank(instrument: Instrument | None) -> ItemBank:
    from lisa.assess.instrument import Instrument

    return (instrument or Instrument.load()).bank


def template_text(fmt: str = "yaml", instrument: Instrument | None = None) -> str:
    """The blank template as text: every item with its scale, help and source.

    Parameters
    ----------
    fmt
        ``"yaml"`` or ``"csv"``.
    instrument
        Whose item bank to write; ``None``: the shipped one.

    Raises
    ------
    ConfigError
        For any other format (Excel is a file: :func:`write_template`).

    Examples
    --------
    >>> text = template_text("csv")
    >>> text.splitlines()[0]
    'item,section,question,scale,answer,date,note,help'
    """
    bank = _bank(instrument)
    if fmt == "yaml":
        return _yaml(bank)
    if fmt == "csv":
        return _csv(bank)
    raise ConfigError(f"no text template for format '{fmt}'; use yaml or csv")


def write_template(
    path: str | Path, fmt: str | None = None, instrument: Instrument | None = None
) -> Path:
    """Write a blank template (atomically); the format comes from ``fmt`` or the file suffix.

    Parameters
    ----------
    path
        Where to write it.
    fmt
        ``"yaml"``, ``"csv"`` or ``"xlsx"``; default from the suffix (``.yml`` is YAML).
    instrument
        Whose item bank to write; ``None``: the shipped one.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ConfigError
        For an unknown format.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "yaml").lower()
    fmt = "yaml" if fmt == "yml" else fmt
    if fmt not in FORMATS:
        raise ConfigError(f"unknown template format '{fmt}'; use one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        with atomic_target(path) as tmp:
            _xlsx(tmp, _bank(instrument))
    else:
        atomic_write_text(path, template_text(fmt, instrument))
    return path


def _wrap(text: str, indent: str) -> list[str]:
    return [indent + "# " + line for line in textwrap.wrap(text, 86 - len(indent))]


def _yaml(bank: ItemBank) -> str:
    out = [
        "# lisa innovation assessment - one innovation, one assessor.",
        "# Fill in what you can: blank answers are allowed and lower the confidence.",
        "# Required: " + ", ".join(i.id for i in bank.required) + ".",
        "# Check and read it with:  lisa assess THIS_FILE",
        f"# Item bank version {bank.version}; see docs/assessment.md.",
        "answers:",
    ]
    section = None
    for item in bank:
        if item.section != section:
            section = item.section
            out += ["", f"  # --- {SECTION_TITLES.get(section, section)}"]
        out += _wrap(item.text + (" (required)" if item.required else ""), "  ")
        out += _wrap(f"Scale {item.scale.name}: {item.scale.description}", "  ")
        out += _wrap(f"Help: {item.help} [source: seed {item.source}]", "  ")
        out.append(f"  {item.id}:")
    out += [
        "",
        "# The phase the innovation was in from each date, oldest first",
        f"# (phases: {PHASE_HELP}). Example:",
        "#   - {date: 2001, phase: 1, note: strategy agreed}",
        "history: []",
        "",
        "# Optional notes per item, e.g.  sign.trigger: OFSTED inspection 1999",
        "notes: {}",
        "",
    ]
    return "\n".join(out)


def _rows(bank: ItemBank) -> list[list[str]]:
    rows = [
        [
            item.id,
            item.section,
            item.text + (" (required)" if item.required else ""),
            item.scale.name,
            "",
            "",
            "",
            f"{item.help} [source: seed {item.source}]",
        ]
        for item in bank
    ]
    for _ in range(3):
        rows.append(
            [
                "history",
                "history",
                "Phase the innovation was in from this date (one row per change, oldest first)",
                "phase 0-4",
                "",
                "",
                "",
                f"Phases: {PHASE_HELP}. Put the phase in 'answer' and the date in 'date'.",
            ]
        )
    return rows


def _csv(bank: ItemBank) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_rows(bank))
    return buffer.getvalue()


def _xlsx(path: Path, bank: ItemBank) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "answers"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = _rows(bank)
    for row in rows:
        sheet.append(row)
    widths = {"A": 30, "B": 10, "C": 70, "D": 12, "E": 14, "F": 12, "G": 30, "H": 90}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    validations: dict[str, DataValidation] = {}
    for index, item in enumerate(bank, start=2):
        scale = item.scale
        if scale.name == "agree5":
            formula = '"1,2,3,4,5"'
        elif scale.choices and not scale.multiple:
            formula = '"' + ",".join(scale.choices) + '"'
        else:
            continue
        if formula not in validations:
            validations[formula] = DataValidation(type="list", formula1=formula, allow_blank=True)
            sheet.add_data_validation(validations[formula])
        validations[formula].add(f"E{index}")
    scales = workbook.create_sheet("scales")
    scales.append(["scale", "meaning"])
    for name, scale in bank.scales.items():
        scales.append([name, scale.description])
    scales.append(["phase 0-4", PHASE_HELP])
    scales.column_dimensions["B"].width = 120
    workbook.save(path)
