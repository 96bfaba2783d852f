"""Looking inside an ``.xlsx`` workbook before and beside openpyxl.

An ``.xlsx`` file is a zip archive of XML parts. Before openpyxl parses any
of it, :func:`inspect_workbook` reads only the zip's directory and refuses,
with a named problem:

* a file too large (``file-too-large``); an old ``.xls`` or a
  password-protected workbook, both OLE files rather than zips
  (``xls-workbook``, ``encrypted-workbook``); a file that is not a zip at all
  or a damaged one (``malformed-xlsx``);
* a zip bomb: too many parts, parts that unpack to too many bytes in all or
  one by one, or that grow suspiciously much (``workbook-too-large``) — the
  limits of :class:`lisa.io.limits.ReadLimits`.

openpyxl's fast read-only mode does not show what a sheet's XML says about
formulas and merged cells, so :func:`scan_sheet` streams the sheet's XML
(with expat, no tree kept) for what would otherwise silently become blank:
a formula with no saved value (``formula-without-value``), an Excel error
such as ``#REF!`` (``formula-error``), and merged cells (``merged-cells``).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections import Counter
from pathlib import Path
from xml.parsers import expat

from lisa.errors import LisaError, Problem
from lisa.io.limits import RATIO_CHECK_ABOVE, ReadLimits, file_too_large

#: What the standard library's zipfile raises for a damaged or unusual archive (a
#: "version needed" it does not support is NotImplementedError; bad compression, RuntimeError).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_END_OF_DIRECTORY = b"PK\x05\x06"
#: Whether a sheet's XML mentions a formula, a merge or an error cell at all (cheap pre-check).
_WORTH_PARSING = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s>/]|\st=\"e\"")


def _refuse(code: str, message: str, path: Path) -> list[Problem]:
    return [Problem(code, message, path.name)]


def _ole(path: Path, head: bytes) -> list[Problem]:
    """An OLE (compound) file: a password-protected workbook, or an old .xls."""
    with path.open("rb") as fh:
        start = fh.read(4 * 1024 * 1024)
    if _ENCRYPTED in start:
        return _refuse(
            "encrypted-workbook",
            "the workbook is protected with a password, so lisa cannot read it; open it in Excel, "
            "remove the password (File › Info › Protect Workbook › Encrypt with Password) and save",
            path,
        )
    return _refuse(
        "xls-workbook",
        "this is an Excel 97–2003 workbook (.xls), which lisa does not read; open it in Excel "
        "or LibreOffice and save it as .xlsx (Excel Workbook)",
        path,
    )


def _zip_directory(path: Path, size: int, limits: ReadLimits) -> list[Problem]:
    """Check the zip's end record (number of parts) before Python reads its directory."""
    with path.open("rb") as fh:
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        return _refuse(
            "malformed-xlsx",
            "the workbook is damaged: its zip archive has no directory (was the file cut short "
            "while copying or downloading?)",
            path,
        )
    entries, directory_bytes = struct.unpack("<xxxxxxxxxxHI", tail[at : at + 16])
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF or entries > limits.max_xlsx_members:
        return _refuse(
            "workbook-too-large",
            f"the workbook's zip archive holds {'very many' if entries == 0xFFFF else f'{entries:,}'} "
            f"parts; an Excel workbook has a few dozen (limit {limits.max_xlsx_members:,}, setting "
            "LISA_MAX_XLSX_MEMBERS)",
            path,
        )
    return []


def _members(path: Path, infos: list[zipfile.ZipInfo], limits: ReadLimits) -> list[Problem]:
    """What the parts unpack to: in all, one by one, and against their packed size."""
    total = sum(i.file_size for i in infos)
    for info in infos:
        if info.file_size > limits.max_xlsx_member_bytes:
            return _refuse(
                "workbook-too-large",
                f"the workbook part '{info.filename}' unpacks to {info.file_size:,} bytes, more "
                f"than lisa reads ({limits.max_xlsx_member_bytes:,}, setting LISA_MAX_XLSX_MEMBER_BYTES)",
                path,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_ABOVE and ratio > limits.max_xlsx_ratio:
            return _refuse(
                "workbook-too-large",
                f"the workbook part '{info.filename}' grows {ratio:,.0f}-fold when unpacked "
                f"(to {info.file_size:,} bytes); real sheets grow far less, so lisa does not unpack "
                f"it (limit {limits.max_xlsx_ratio:g}, setting LISA_MAX_XLSX_RATIO)",
                path,
            )
        if info.flag_bits & 0x1:
            return _refuse("encrypted-workbook", "the workbook's zip archive is encrypted", path)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return _refuse(
                "malformed-xlsx",
                f"the workbook part '{info.filename}' is packed with a method Excel does not use "
                f"(zip method {info.compress_type}); save the workbook again from Excel",
                path,
            )
    if total > limits.max_xlsx_unpacked_bytes:
        return _refuse(
            "workbook-too-large",
            f"the workbook unpacks to {total:,} bytes, more than lisa reads "
            f"({limits.max_xlsx_unpacked_bytes:,}, setting LISA_MAX_XLSX_UNPACKED_BYTES)",
            path,
        )
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        return _refuse(
            "malformed-xlsx",
            "this zip file is not an Excel workbook (it has no xl/workbook.xml: an OpenDocument "
            ".ods, a Word file, or another archive?); save the data from Excel as .xlsx",
            path,
        )
    return []


def inspect_workbook(path: Path, limits: ReadLimits) -> list[Problem]:
    """The reasons not to open ``path`` with openpyxl; [] when it may be opened.

    Parameters
    ----------
    path
        A file that should be an ``.xlsx`` workbook.
    limits
        The size limits to hold it to.

    Returns
    -------
    list of Problem
        At most one problem, naming the file.
    """
    big = file_too_large(path, path.name, limits)
    if big is not None:
        return [big]
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        return _ole(path, head)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        looks = "text: a CSV file renamed .xlsx?" if head.isascii() and head.strip() else "something else"
        return _refuse(
            "malformed-xlsx",
            f"this is not an Excel workbook: an .xlsx file is a zip archive, and this one looks like {looks}",
            path,
        )
    refused = _zip_directory(path, size, limits)
    if refused:
        return refused
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as exc:
        return _refuse("malformed-xlsx", f"the workbook is damaged: its zip archive cannot be read ({exc})", path)
    return _members(path, infos, limits)


# -- what the sheet's XML says --------------------------------------------------------


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _split_ref(ref: str) -> tuple[int, int]:
    """``"C12"`` → ``(12, 3)`` (row, column), or ``(0, 0)`` when it is not a cell reference."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.upper())
    return (int(m.group(2)), _column_index(m.group(1))) if m else (0, 0)


class _SheetScan:
    """expat handlers that remember formula cells without values, error cells and merges."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []  # (code, cell ref, detail)
        self._cell: dict[str, str] | None = None
        self._in: str | None = None
        self._text: list[str] = []
        self._has_f = self._has_v = False
        self._formula = self._value = ""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag == "c":
            self._cell, self._has_f, self._has_v = attrs, False, False
            self._formula = self._value = ""
        elif tag in ("f", "v") and self._cell is not None:
            self._in, self._text = tag, []
            if tag == "f":
                self._has_f = True
            else:
                self._has_v = True
        elif tag == "mergeCell":
            self.found.append(("merged-cells", attrs.get("ref", ""), ""))

    def text(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def end(self, name: str) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag in ("f", "v") and self._in == tag:
            if tag == "f":
                self._formula = "".join(self._text)
            else:
                self._value = "".join(self._text)
            self._in = None
        elif tag == "c" and self._cell is not None:
            ref = self._cell.get("r", "")
            empty = not self._has_v or (self._value == "" and self._cell.get("t") != "str")
            if self._has_f and empty:  # no value saved (an empty text result has t="str")
                self.found.append(("formula-without-value", ref, self._formula))
            elif self._cell.get("t") == "e":
                self.found.append(("formula-error", ref, self._value))
            self._cell = None


class _DoctypeFound(LisaError):
    """A sheet's XML declares a DTD (entities), which Excel never writes: not parsed further."""


def _refuse_dtd(*_args: object) -> None:
    raise _DoctypeFound("the sheet declares a DTD (entity definitions), which Excel never writes")


def _worth_parsing(archive: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 20):
            if _WORTH_PARSING.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _parse_sheet(path: Path, member: str) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(path) as archive:
        if not _worth_parsing(archive, member):
            return []
        scan = _SheetScan()
        parser = expat.ParserCreate()
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        parser.CharacterDataHandler = scan.text
        parser.StartDoctypeDeclHandler = _refuse_dtd
        with archive.open(member) as fh:
            parser.ParseFile(fh)
    return scan.found


def _cell_problem(code: str, ref: str, detail: str, header: list[str], label: str) -> Problem:
    row, col = _split_ref(ref.split(":", 1)[0])
    column = header[col - 1] if 0 < col <= len(header) else None
    if code == "merged-cells":
        message = (
            f"the cells {ref} are merged: only the first holds a value, so the others would be read "
            "as blank; unmerge them and fill in every cell"
        )
    elif code == "formula-error":
        message = f"the cell {ref} holds the Excel error '{detail}' instead of a value; fix the formula"
    else:
        message = (
            f"the cell {ref} holds a formula (={detail}) with no saved value, so it would be read as "
            "blank; open the workbook in Excel and save it, or paste the values in"
        )
    return Problem(code, message, label, row=row or None, column=column)


#: What reading one sheet's XML can raise (its parser's errors as well as the zip's).
SHEET_ERRORS: tuple[type[Exception], ...] = (expat.ExpatError, _DoctypeFound, KeyError, *ZIP_ERRORS)


def scan_sheet(
    path: Path, member: str, header: list[str], label: str, problems: list[Problem], cap: int
) -> Counter[str]:
    """Add problems for formulas without values, error cells and merged cells in one sheet.

    At most ``cap`` problems of each code are added; the returned counter
    holds how many more were found.
    """
    try:
        found = _parse_sheet(path, member.lstrip("/"))
    except SHEET_ERRORS as exc:
        problems.append(Problem("malformed-xlsx", f"cannot read the sheet's XML: {exc}", label))
        return Counter()
    shown: Counter[str] = Counter()
    unshown: Counter[str] = Counter()
    for code, ref, detail in found:
        if shown[code] >= cap:
            unshown[code] += 1
            continue
        shown[code] += 1
        problems.append(_cell_problem(code, ref, detail, header, label))
    return unshown
