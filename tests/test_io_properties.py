"""Properties of reading study files: whatever the junk, lisa's own error or a result, never a traceback.

Hypothesis generates study folders and workbooks full of random bytes,
random Unicode, random cells and random headers. ``check_study`` must return
problems (or raise one of lisa's errors) and ``load_study`` must return a
study or raise one of lisa's errors — nothing else — and each case must
finish within the deadline hypothesis enforces (bounded time per case).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from lisa.errors import LisaError, Problem
from lisa.io import check_study, load_study
from lisa.io.waves import order_waves
from lisa.study import Study

CASE = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PEOPLE = "id,name,organisation,layer\na,Ann,Council,systemic\nb,Bob,School,public\n"
TIES = "source,target,relation\na,b,work\nb,a,work\n"

# text that stresses readers: separators, quotes, line breaks, controls, invisible and astral characters
junk_chars = st.one_of(
    st.sampled_from(list(',;\t"\'\r\n \x00\x0b\x1b\u200b\u200d\u2060\ufeff\ufffe\u0301\u202eé🧭=#')),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)
junk_text = st.text(alphabet=junk_chars, max_size=40)
header_names = st.one_of(
    st.sampled_from(["id", "name", "organisation", "layer", "responded", "source", "target",
                     "relation", "weight", "wave", "ID ", " Source", "from", "to", "", "id", "weight"]),
    junk_text,
)  # fmt: skip


def _study_folder(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def _fresh(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return tmp_path_factory.mktemp("junk")


def assert_no_traceback(path: Path) -> None:
    """The property: problems or lisa's own errors, nothing else."""
    try:
        problems = check_study(path)
    except LisaError:
        problems = None
    if problems is not None:
        assert all(isinstance(p, Problem) and p.code and str(p) for p in problems)
    try:
        study = load_study(path)
    except LisaError as exc:
        assert str(exc)
    else:
        assert isinstance(study, Study)
        assert problems is not None and not any(p.severity == "error" for p in problems)


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


@CASE
@given(people=st.binary(max_size=600), ties=st.binary(max_size=600))
def test_random_bytes(tmp_path_factory, people: bytes, ties: bytes) -> None:  # type: ignore[no-untyped-def]
    assert_no_traceback(_study_folder(_fresh(tmp_path_factory), {"people.csv": people, "ties.csv": ties}))


@CASE
@given(
    people=junk_text,
    ties=junk_text,
    relations=st.none() | junk_text,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_random_unicode_text(tmp_path_factory, people: str, ties: str, relations: str | None, encoding: str) -> None:  # type: ignore[no-untyped-def]
    files = {
        "people.csv": (PEOPLE + people).encode(encoding, "replace"),
        "ties.csv": (TIES + ties).encode(encoding, "replace"),
    }
    if relations is not None:
        files["relations.csv"] = ("name,directed\n" + relations).encode(encoding, "replace")
    assert_no_traceback(_study_folder(_fresh(tmp_path_factory), files))


@CASE
@given(
    header=st.lists(header_names, min_size=0, max_size=6),
    people=st.lists(st.lists(junk_text, max_size=7), max_size=8),
    ties=st.lists(st.lists(st.sampled_from(["a", "b", "work", "1", "", "x"]) | junk_text, max_size=6), max_size=8),
    ties_header=st.lists(header_names, min_size=0, max_size=6),
)
def test_random_cells_and_headers(tmp_path_factory, header, people, ties, ties_header) -> None:  # type: ignore[no-untyped-def]
    files = {
        "people.csv": _csv([["id", *header], *people]),
        "ties.csv": _csv([["source", "target", "relation", *ties_header], *ties]),
    }
    assert_no_traceback(_study_folder(_fresh(tmp_path_factory), files))


@CASE
@given(
    waves=st.lists(
        st.one_of(
            st.sampled_from(["2023", "2023-05", "2023-spring", "2024-q1", "wave 2", "baseline", "1", ""]),
            junk_text,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_waves(tmp_path_factory, waves: list[str]) -> None:  # type: ignore[no-untyped-def]
    rows = [["a", "b", "work", w] for w in waves]
    files = {"people.csv": PEOPLE.encode(), "ties.csv": _csv([["source", "target", "relation", "wave"], *rows])}
    assert_no_traceback(_study_folder(_fresh(tmp_path_factory), files))
    order = order_waves([w for w in waves if w])
    if order.order is not None:
        assert sorted(order.order) == sorted(set(w for w in waves if w))
    else:
        assert order.reason


_xlsx_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20
)
_cell = st.one_of(st.none(), _xlsx_text, st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans())


@settings(CASE, max_examples=30, deadline=timedelta(seconds=10))
@given(
    sheet=st.sampled_from(["people", "People", "people ", " PEOPLE", "peop1e"]),
    header=st.lists(st.one_of(st.none(), header_names.filter(lambda s: s.isprintable())), max_size=5),
    cells=st.lists(st.lists(_cell, max_size=6), max_size=6),
    formula=st.booleans(),
    merge=st.booleans(),
)
def test_random_workbooks(tmp_path_factory, sheet, header, cells, formula, merge) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(["id", *header])
    for row in cells:
        ws.append(row)
    if formula:
        ws["B2"] = "=A2&A3"
    if merge:
        ws.merge_cells("A2:B3")
    ties = book.create_sheet("ties")
    ties.append(["source", "target", "relation"])
    ties.append(["a", "b", "work"])
    path = _fresh(tmp_path_factory) / "study.xlsx"
    book.save(path)
    assert_no_traceback(path)


def _small_workbook() -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "people"
    for row in [["id", "name"], ["a", "Ann"], ["b", "Bob"]]:
        ws.append(row)
    ties = book.create_sheet("ties")
    for row in [["source", "target", "relation"], ["a", "b", "work"]]:
        ties.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


WORKBOOK = _small_workbook()


@CASE
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    truncate=st.none() | st.integers(0, len(WORKBOOK)),
)
def test_damaged_workbooks(tmp_path_factory, cuts, truncate) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(WORKBOOK)
    for at, byte in cuts:
        data[at] = byte
    if truncate is not None:
        data = data[:truncate]
    path = _fresh(tmp_path_factory) / "study.xlsx"
    path.write_bytes(bytes(data))
    assert_no_traceback(path)


@CASE
@given(
    members=st.lists(
        st.tuples(
            st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml",
                             "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "junk"]),
            st.binary(max_size=300) | junk_text.map(str.encode),
        ),
        max_size=6,
    )
)  # fmt: skip
def test_random_zip_archives(tmp_path_factory, members) -> None:  # type: ignore[no-untyped-def]
    path = _fresh(tmp_path_factory) / "study.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in dict(members).items():
            z.writestr(name, data)
    assert_no_traceback(path)
