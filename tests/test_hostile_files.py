"""Hostile study files: each gets a named problem and its documented exit code, and is left unchanged.

Every case builds its files in ``tmp_path`` (two real workbooks that need
other tools to make — a password-protected .xlsx and an old .xls — are in
``tests/data/hostile/``), then checks three things a user relies on:

* ``check_study`` names the problem by its code (``docs/formats.md``);
* ``lisa validate DIR`` and ``lisa analyse DIR`` exit with the documented
  code (``docs/cli.md``: 2 for bad data, 3 for a missing file, 0 when only
  warnings) and print no traceback;
* the input files are byte-identical afterwards (sha256 before and after).
"""

from __future__ import annotations

import hashlib
import os
import random
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from lisa.cli import app
from lisa.errors import LisaError, StudyNotFound
from lisa.io import check_study, export_study, load_study, read_survey_export
from lisa.io.limits import ReadLimits

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
PEOPLE = "id,name,organisation,layer\na,Ann Lee,Council,systemic\nb,Bob Ray,Council,sectoral\nc,Cara Sen,Food Bank,frontline\n"
TIES = "source,target,relation\na,b,work\nb,c,work\nc,a,innovation\n"

runner = CliRunner()


def folder(tmp: Path, people: str | bytes = PEOPLE, ties: str | bytes = TIES, **more: str | bytes) -> Path:
    study = tmp / "study"
    study.mkdir()
    files = {"people.csv": people, "ties.csv": ties, **{f"{k}.csv": v for k, v in more.items()}}
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (study / name).write_bytes(data)
    return study


def workbook(tmp: Path, build: Callable[[Workbook], None] | None = None, name: str = "study.xlsx") -> Path:
    book = Workbook()
    people = book.active
    people.title = "people"
    for row in [["id", "name", "organisation"], ["a", "Ann Lee", "Council"], ["b", "Bob Ray", "Council"], ["c", "Cara Sen", "Food Bank"]]:
        people.append(row)
    ties = book.create_sheet("ties")
    for row in [["source", "target", "relation"], ["a", "b", "work"], ["b", "c", "work"]]:
        ties.append(row)
    if build:
        build(book)
    path = tmp / name
    book.save(path)
    return path


def fingerprint(path: Path) -> dict[str, str]:
    """sha256 of every file (size and mtime for sparse giants, which are never read)."""
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    out = {}
    for f in files:
        if not f.is_file():
            continue
        st = f.stat()
        if st.st_size > 64 * 1024 * 1024:
            out[str(f)] = f"{st.st_size}:{st.st_mtime_ns}"
        else:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


@dataclass
class Case:
    make: Callable[[Path], Path]
    code: str | None  # the problem code; None: StudyNotFound (exit 3)
    exit: int = 2
    env: dict[str, str] | None = None


def _ole_renamed(tmp: Path, fixture: str, name: str) -> Path:
    path = tmp / name
    path.write_bytes((HOSTILE / fixture).read_bytes())
    return path


def _zip_bomb(tmp: Path, mib: int, name: str = "xl/worksheets/sheet1.xml") -> Path:
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open(name, "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(mib):
                fh.write(chunk)
    return path


def _many_members(tmp: Path) -> Path:
    path = workbook(tmp)
    with zipfile.ZipFile(path, "a") as z:
        for i in range(30):
            z.writestr(f"junk/{i}.txt", "x")
    return path


def _sparse(tmp: Path) -> Path:
    study = folder(tmp)
    with open(study / "ties.csv", "r+b") as fh:
        fh.truncate(ReadLimits().max_file_bytes + 1)  # sparse: no disk used, never read
    return study


def _truncated_workbook(tmp: Path) -> Path:
    path = workbook(tmp)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _formula(book: Workbook) -> None:
    book["people"]["B3"] = '=UPPER("bob")'  # openpyxl saves no cached value


def _error_cell(book: Workbook) -> None:
    book["people"]["C3"] = "#REF!"


def _merged(book: Workbook) -> None:
    book["people"].merge_cells("C2:C3")


def _rename(title: str) -> Callable[[Workbook], None]:
    def build(book: Workbook) -> None:
        book["people"].title = title

    return build


def _two_people_sheets(book: Workbook) -> None:
    extra = book.create_sheet("People ")
    extra.append(["id"])
    extra.append(["z"])


def _random_bytes(n: int) -> bytes:
    return random.Random(9).randbytes(n)


NFD_JOSE = "Jose\u0301"  # "José" with the accent as a second character
CASES: dict[str, Case] = {
    # -- size and expansion -------------------------------------------------------
    "file over a low size limit": Case(lambda t: folder(t, ties=TIES * 20), "file-too-large", env={"LISA_MAX_FILE_BYTES": "200"}),
    "sparse file one byte over the default": Case(_sparse, "file-too-large"),
    "more rows than the limit": Case(lambda t: folder(t), "too-many-rows", env={"LISA_MAX_ROWS": "2"}),
    "more columns than the limit": Case(lambda t: folder(t, people=",".join(f"c{i}" for i in range(2_500)) + "\nx\n"), "too-many-columns"),
    "a 10 MB single line": Case(lambda t: folder(t, people=PEOPLE + "d," + "x" * 10_000_000 + ",Council,public\n"), "cell-too-long"),
    "a 10 MB quoted cell": Case(lambda t: folder(t, people=PEOPLE + 'd,"' + "x," * 5_000_000 + '",Council,public\n'), "cell-too-long"),
    "zip bomb: a 640 MiB sheet": Case(lambda t: _zip_bomb(t, 640), "workbook-too-large"),
    "zip bomb: an 8 MiB sheet packed 1000-fold": Case(lambda t: _zip_bomb(t, 8), "workbook-too-large"),
    "zip bomb: over a low unpacked limit": Case(lambda t: _zip_bomb(t, 2), "workbook-too-large", env={"LISA_MAX_XLSX_UNPACKED_BYTES": "1000000"}),
    "zip with many parts": Case(_many_members, "workbook-too-large", env={"LISA_MAX_XLSX_MEMBERS": "20"}),
    # -- control and invisible characters -----------------------------------------
    "NUL byte in a name": Case(lambda t: folder(t, people=PEOPLE.replace("Bob Ray", "Bob\x00Ray").encode()), "control-character"),
    "vertical tab in an organisation": Case(lambda t: folder(t, people=PEOPLE.replace("Food Bank", "Food\x0bBank")), "control-character"),
    "escape code in an id": Case(lambda t: folder(t, people=PEOPLE.replace("c,Cara", "c\x1b[31m,Cara")), "control-character"),
    "U+FFFE in a relation": Case(lambda t: folder(t, ties=TIES.replace("innovation", "inno\ufffe")), "control-character"),
    "control character in a header": Case(lambda t: folder(t, people=PEOPLE.replace("layer", "lay\x07er")), "control-character"),
    "byte-order mark in the middle (two files joined)": Case(lambda t: folder(t, people=PEOPLE + "\ufeff" + PEOPLE), "byte-order-mark"),
    "zero-width space in an id": Case(lambda t: folder(t, people=PEOPLE.replace("b,Bob", "b\u200b,Bob")), "invisible-character"),
    "ids differing only by a word joiner": Case(lambda t: folder(t, people=PEOPLE + "a\u2060,Ann Other,School,public\n"), "lookalike-id"),
    "ids differing only in accent encoding": Case(lambda t: folder(t, people=PEOPLE + f"José,J,X,public\n{NFD_JOSE},K,Y,public\n"), "lookalike-id"),
    "names equal after NFC": Case(lambda t: folder(t, people=PEOPLE + f"d,José Lee,Council,public\ne,{NFD_JOSE} Lee,Council,public\n"), "duplicate-person"),
    "names equal but for a zero-width joiner": Case(lambda t: folder(t, people=PEOPLE + "d,Ann\u200d Lee,Council,public\n"), "duplicate-person"),
    "tie naming an id with a zero-width space": Case(lambda t: folder(t, ties=TIES + "a\u200b,c,work\n"), "unknown-person"),
    # -- not text, or not CSV -----------------------------------------------------
    "binary garbage": Case(lambda t: folder(t, ties=_random_bytes(4096)), "binary-file"),
    "a workbook renamed ties.csv": Case(lambda t: folder(t, ties=workbook(t).read_bytes()), "binary-file"),
    "an .xls renamed people.csv": Case(lambda t: folder(t, people=(HOSTILE / "old-excel.xls").read_bytes()), "binary-file"),
    "UTF-16 without a byte-order mark": Case(lambda t: folder(t, people=PEOPLE.encode("utf-16-le")), "encoding"),
    "unclosed quote": Case(lambda t: folder(t, people=PEOPLE.replace("Bob Ray", '"Bob Ray')), "malformed-csv"),
    "stray quote inside a cell": Case(lambda t: folder(t, people=PEOPLE.replace("Bob Ray", 'Bob "Ray')), "malformed-csv"),
    "text after a closing quote": Case(lambda t: folder(t, people=PEOPLE.replace("Bob Ray", '"Bob" Ray')), "malformed-csv"),
    "row with more cells than the header": Case(lambda t: folder(t, ties=TIES + "a,c,work,9,extra\n"), "ragged-row"),
    "quoted row with more cells than the header": Case(lambda t: folder(t, ties=TIES + '"a",c,work,"9"\n'), "ragged-row"),
    "row with fewer cells (warning)": Case(lambda t: folder(t, people=PEOPLE + "d,Dev Patel\n"), "ragged-row", exit=0),
    "empty header cell over data": Case(lambda t: folder(t, people=PEOPLE.replace(",layer", ",").replace("systemic", "x")), "unnamed-column"),
    "header that is all blank": Case(lambda t: folder(t, people=",,,\n" + PEOPLE.split("\n", 1)[1]), "blank-header"),
    "only a header": Case(lambda t: folder(t, people="id,name,organisation,sector,layer\n"), "empty-file"),  # (a header-only ties.csv is a roster awaiting its survey: test_io)
    "empty file": Case(lambda t: folder(t, people=b""), "empty-file"),
    "exact duplicate header names": Case(lambda t: folder(t, people=PEOPLE.replace("organisation", "name")), "duplicate-column"),
    "duplicate header names by case and spaces": Case(lambda t: folder(t, people=PEOPLE.replace("organisation", " Name ")), "duplicate-column"),
    # -- waves and relations --------------------------------------------------------
    "waves baseline and followup": Case(lambda t: folder(t, ties="source,target,relation,wave\na,b,work,baseline\nb,c,work,followup\n"), "unorderable-waves"),
    "waves 2023 and pilot": Case(lambda t: folder(t, ties="source,target,relation,wave\na,b,work,2023\nb,c,work,pilot\n"), "unorderable-waves"),
    "waves 2023-Spring and 2023-spring": Case(lambda t: folder(t, ties="source,target,relation,wave\na,b,work,2023-Spring\nb,c,work,2023-spring\n"), "unorderable-waves"),
    "roster waves naming a wave ties.csv lacks": Case(lambda t: folder(t, people="id,name,organisation,waves\na,Ann,Council,2023\nb,Bob,Council,2032\nc,Cara,Bank,\n", ties="source,target,relation,wave\na,b,work,2023\nb,c,work,2024\n"), "unknown-wave"),
    "tie naming someone outside its wave (warning)": Case(lambda t: folder(t, people="id,name,organisation,waves\na,Ann,Council,2023\nb,Bob,Council,2023;2024\nc,Cara,Bank,2024\n", ties="source,target,relation,wave\na,b,work,2023\na,c,work,2024\n"), "tie-outside-wave", exit=0),
    "more relations than the limit": Case(lambda t: folder(t, ties=TIES + "a,c,career\n"), "too-many-relations", env={"LISA_MAX_RELATIONS": "2"}),
    "more waves than the limit": Case(lambda t: folder(t, ties="source,target,relation,wave\n" + "".join(f"a,b,work,{i}\n" for i in range(5))), "too-many-waves", env={"LISA_MAX_WAVES": "3"}),
    # -- workbooks --------------------------------------------------------------------
    "password-protected workbook": Case(lambda t: _ole_renamed(t, "encrypted.xlsx", "study.xlsx"), "encrypted-workbook"),
    "old .xls workbook": Case(lambda t: _ole_renamed(t, "old-excel.xls", "study.xls"), "xls-workbook"),
    "an .xls renamed .xlsx": Case(lambda t: _ole_renamed(t, "old-excel.xls", "study.xlsx"), "xls-workbook"),
    "a CSV renamed .xlsx": Case(lambda t: (t / "study.xlsx", (t / "study.xlsx").write_text(PEOPLE))[0], "malformed-xlsx"),
    "a truncated (corrupt) zip": Case(_truncated_workbook, "malformed-xlsx"),
    "a zip that is not a workbook": Case(lambda t: _zip_bomb(t, 0, name="word/document.xml"), "malformed-xlsx"),
    "formula without a saved value": Case(lambda t: workbook(t, _formula), "formula-without-value"),
    "Excel error in a cell": Case(lambda t: workbook(t, _error_cell), "formula-error"),
    "merged cells": Case(lambda t: workbook(t, _merged), "merged-cells"),
    "sheet named 'people ' (warning)": Case(lambda t: workbook(t, _rename("people ")), "sheet-name", exit=0),
    "two sheets that could be people": Case(lambda t: workbook(t, _two_people_sheets), "duplicate-sheet"),
    "no people sheet": Case(lambda t: workbook(t, _rename("persons")), None, exit=3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_gets_a_named_problem_and_is_left_unchanged(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    for key, value in (case.env or {}).items():
        monkeypatch.setenv(key, value)
    path = case.make(tmp_path)
    before = fingerprint(path)
    if case.code is None:
        with pytest.raises(StudyNotFound):
            check_study(path)
    else:
        problems = check_study(path)
        codes = {p.code for p in problems}
        assert case.code in codes, [str(p) for p in problems]
        wanted = [p for p in problems if p.code == case.code]
        assert all(p.file for p in wanted)
        if case.exit == 0:
            assert all(p.severity == "warning" for p in problems), [str(p) for p in problems]
    for command in ("validate", "analyse"):
        result = runner.invoke(app, [command, str(path), "--quiet"] if command == "analyse" else [command, str(path)])
        assert result.exit_code == case.exit, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        if case.code and case.exit:
            assert "error" in result.output or "problem" in result.output
    assert fingerprint(path) == before


def test_problems_name_file_row_and_column(tmp_path: Path) -> None:
    study = folder(tmp_path, people=PEOPLE.replace("Food Bank", "Food\x0bBank"))
    [p] = [p for p in check_study(study) if p.code == "control-character"]
    assert (p.file, p.row, p.column) == ("people.csv", 4, "organisation")
    assert "Food<U+000B>Bank" in str(p) and "\x0b" not in str(p)


def test_zero_width_characters_are_shown_visibly(tmp_path: Path) -> None:
    study = folder(tmp_path, ties=TIES + "a\u200b,c,work\n")
    [p] = [p for p in check_study(study) if p.code == "unknown-person"]
    assert p.value == "a\u200b"  # the data as it is, for programs
    assert "'a<U+200B>'" in str(p) and "\u200b" not in str(p)
    assert "only by invisible characters" in str(p) and p.suggestions[0] == "a"
    result = runner.invoke(app, ["validate", str(study)])
    assert "a<U+200B>" in result.output


def test_xlsx_formula_problem_names_the_cell(tmp_path: Path) -> None:
    [p] = [p for p in check_study(workbook(tmp_path, _formula)) if p.code == "formula-without-value"]
    assert (p.file, p.row, p.column) == ("study.xlsx:people", 3, "name")
    assert "B3" in p.message


def test_merged_cells_name_the_range(tmp_path: Path) -> None:
    [p] = [p for p in check_study(workbook(tmp_path, _merged)) if p.code == "merged-cells"]
    assert (p.row, p.column) == (2, "organisation") and "C2:C3" in p.message


def test_cr_only_and_crlf_line_endings_are_read(tmp_path: Path) -> None:
    for ending in ("\r", "\r\n"):
        sub = tmp_path / repr(ending)
        sub.mkdir()
        study = load_study(folder(sub, people=PEOPLE.replace("\n", ending), ties=TIES.replace("\n", ending)))
        assert study.names == ["Ann Lee", "Bob Ray", "Cara Sen"] and len(study.ties) == 3


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    people = PEOPLE + "\n,,,\n" + "d,Dev,X,galactic\n\n\n"
    [p] = [p for p in check_study(folder(tmp_path, people=people)) if p.severity == "error"]
    assert (p.code, p.row) == ("unknown-layer", 7)


def test_short_rows_are_read_as_blank_cells_with_a_warning(tmp_path: Path) -> None:
    study = load_study(folder(tmp_path, people=PEOPLE + "d,Dev Patel\n"))
    assert study.organisations[-1] == "" and study.layers[-1] is None


def test_sheet_name_with_spaces_is_read_with_a_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path, _rename("people "))
    [p] = check_study(path)
    assert (p.code, p.severity) == ("sheet-name", "warning")
    assert load_study(path).n_people == 3


def test_a_bomb_is_refused_before_openpyxl_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to parse a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = _zip_bomb(tmp_path, 8)
    assert [p.code for p in check_study(path)] == ["workbook-too-large"]


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _sparse(tmp_path)
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        assert self.name != "ties.csv", "the oversized file was opened"
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", guarded)
    [p] = [p for p in check_study(study) if p.file == "ties.csv"]
    assert p.code == "file-too-large" and f"{ReadLimits().max_file_bytes + 1:,}" in p.message


def test_limits_are_settings_with_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ReadLimits().max_file_bytes == 256 * 1024 * 1024
    monkeypatch.setenv("LISA_MAX_ROWS", "7")
    assert ReadLimits.current().max_rows == 7
    assert ReadLimits.current(max_rows=9).max_rows == 9
    monkeypatch.setenv("LISA_MAX_ROWS", "many")
    with pytest.raises(LisaError, match="LISA_MAX_ROWS"):
        ReadLimits.current()
    monkeypatch.delenv("LISA_MAX_ROWS")
    with pytest.raises(LisaError, match="max_rowz"):
        ReadLimits.current(max_rowz=1)


def test_a_bad_limit_setting_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISA_MAX_FILE_BYTES", "-5")
    result = runner.invoke(app, ["validate", str(folder(tmp_path))])
    assert result.exit_code == 2 and "LISA_MAX_FILE_BYTES" in result.output


def test_hostile_survey_exports_get_named_problems(tmp_path: Path) -> None:
    roster = load_study(folder(tmp_path))
    cases = {
        "nul.csv": b"respondent,work\nAnn Lee,Bob\x00Ray\n",
        "binary.csv": _random_bytes(2048),
        "quote.csv": b'respondent,work\nAnn Lee,"Bob Ray\n',
        "bom.xlsx": b"respondent,work\n",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            problems = read_survey_export(path, roster).problems
        except LisaError:
            continue  # a named error is fine too; a traceback is not
        assert any(p.severity == "error" for p in problems), (name, [str(p) for p in problems])


def test_import_survey_with_a_hostile_export_changes_nothing(tmp_path: Path) -> None:
    study = folder(tmp_path)
    export = tmp_path / "export.csv"
    export.write_bytes(b"respondent,work\nAnn Lee,Bob\x00Ray\n")
    before = fingerprint(study)
    result = runner.invoke(app, ["import-survey", str(export), "--study", str(study)])
    assert result.exit_code == 2 and "control character" in result.output
    assert fingerprint(study) == before


HARD_TEXT = ["Zoë \u200bBrontë", "\u202eevil\u202c", "<b>&amp;</b> \"q\" 'a'", "]]> 🧭 \U0001f600", "\u05e9\u05dc\u05d5\u05dd"]


def test_exports_of_a_study_with_hard_text_are_valid_xml(tmp_path: Path) -> None:
    people = "id,name,organisation,layer\n" + "".join(
        f'p{i},"{name.replace(chr(34), 2 * chr(34))}",Org,public\n' for i, name in enumerate(HARD_TEXT)
    )
    ties = "source,target,relation\n" + "".join(
        f"p{i},p{(i + 1) % len(HARD_TEXT)},work\n" for i in range(len(HARD_TEXT))
    )
    study = load_study(folder(tmp_path, people=people, ties=ties))
    assert study.names == HARD_TEXT
    for fmt in ("graphml", "gexf"):
        path = export_study(study, tmp_path / f"net.{fmt}", fmt)
        names = {el.text for el in ET.parse(path).iter() if el.text} | {
            v for el in ET.parse(path).iter() for v in el.attrib.values()
        }
        assert set(HARD_TEXT) <= names, fmt
    out = Path(export_study(study, tmp_path / "csv", "csv"))
    again = tmp_path / "again"
    again.mkdir()
    back = load_study(folder(again, people=(out / "people.csv").read_bytes(), ties=ties))
    assert back.names == HARD_TEXT


def test_text_never_reaches_an_export_with_a_control_character(tmp_path: Path) -> None:
    study = folder(tmp_path, people=PEOPLE.replace("Ann Lee", "Ann\x0cLee"))
    result = runner.invoke(app, ["export", str(study), "--no-with-metrics", "--out", str(tmp_path / "x.graphml")])
    assert result.exit_code == 2 and not (tmp_path / "x.graphml").exists()


def test_read_limits_are_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "formats.md").read_text("utf-8")
    for name, env, default, _ in ReadLimits.describe():
        shown = f"{default:,}" if isinstance(default, int) else f"{default:g}"
        assert f"| `{name}` | `{env}` | {shown}" in text, name


def test_every_problem_code_is_documented() -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "formats.md").read_text("utf-8")
    codes: set[str] = set()
    for module in ("tables.py", "validate.py", "workbook.py", "limits.py", "survey.py"):
        source = (root / "lisa" / "io" / module).read_text("utf-8")
        codes |= set(
            re.findall(r'(?:Problem|_refuse|_wave_problem)\(\s*(?:table,\s*)?"([a-z]+(?:-[a-z]+)*)"', source)
        )
        codes |= set(re.findall(r'^\s+"([a-z]+(?:-[a-z]+)+)": "', source, re.M))
        codes |= set(re.findall(r'append\(\("([a-z]+(?:-[a-z]+)*)",', source))
    assert {"formula-without-value", "merged-cells", "control-character"} <= codes
    missing = sorted(c for c in codes if f"`{c}`" not in text)
    assert missing == []


def test_io_never_writes_a_file_while_reading(tmp_path: Path) -> None:
    study = folder(tmp_path, people=PEOPLE + "a,dup,X,public\n")
    before = sorted(os.listdir(study))
    check_study(study)
    assert sorted(os.listdir(study)) == before


def test_workbooks_made_by_lisa_are_read_back_with_text_that_looks_like_formulas(tmp_path: Path) -> None:
    from lisa.io import study_from_records, write_study

    s = study_from_records(
        [{"id": "a", "name": "=SUM(A1)"}, {"id": "b", "name": "#REF!"}],
        [{"source": "a", "target": "b", "relation": "work"}],
    )
    back = load_study(write_study(s, tmp_path / "s.xlsx", format="xlsx"))
    assert back.names == ["=SUM(A1)", "#REF!"]


@pytest.mark.parametrize("block", [5, 16, 1 << 24])
def test_ragged_rows_are_found_the_same_however_the_text_is_cut(
    block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lisa.io import tables

    monkeypatch.setattr(tables, "_BLOCK", block)
    ties = TIES + "a,c\n" + "c,b,work\n" * 3 + "a,c,work,x\nb,a,work"
    found = [(p.row, p.severity) for p in check_study(folder(tmp_path, ties=ties)) if p.code == "ragged-row"]
    assert found == [(5, "warning"), (9, "error")]
