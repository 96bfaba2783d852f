"""Hostile and malformed assessment inputs (issue 9): each a named problem, exit 2, files untouched.

One table of answer files: for each, ``check_answers`` names the problem (its
code, and where the format allows the row and the value), ``lisa assess``
exits with the documented code and no traceback, and every file in the
folder is byte-identical afterwards. Then the options and the other files
``lisa assess`` and ``lisa report`` read: findings, settings, assessment
documents.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.assess import AssessmentDocumentInvalid, check_answers, read_assessments
from lisa.cli import app

runner = CliRunner()
HEAD = "answers:\n  meta.innovation: Hubs\n  meta.place: Exampletown\n"
CSV_HEAD = "item,answer,date\nmeta.innovation,Hubs,\nmeta.place,Exampletown,\n"


def text(body: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: body.encode(encoding)


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):  # 9**10 strings once expanded
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return (HEAD + "notes:\n" + "\n".join("  " + line for line in lines) + "\n").encode()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    return buffer.getvalue()


def garbage() -> bytes:
    return bytes(range(256)) * 8


#: name, file name, content, problem code, exit code of 'lisa assess', row (None: not checked)
CASES: list[tuple[str, str, Callable[[], bytes], str, int, int | None]] = [
    ("impossible day", "a.yaml", text(HEAD + "  meta.date: 2023-02-30\n"), "bad-answer", 2, 4),
    ("impossible month", "a.yaml", text(HEAD + "  meta.date: 2023-13\n"), "bad-answer", 2, 4),
    ("impossible history date", "a.csv", text(CSV_HEAD + "history,1,2023-02-30\n"), "bad-history", 2, 4),
    ("list where text belongs", "a.yaml", text("answers:\n  meta.innovation: [a, b]\n  meta.place: X\n"), "wrong-type", 2, 2),
    ("mapping where a number belongs", "a.yaml", text(HEAD + "  sign.trigger: {a: 1}\n"), "wrong-type", 2, 4),
    ("number where a choice belongs", "a.yaml", text(HEAD + "  factor.culture: 3\n"), "bad-answer", 2, 4),
    ("list as a history note", "a.yaml", text(HEAD + "history:\n  - {date: 2004, phase: 1, note: [x]}\n"), "wrong-type", 2, 5),
    ("notes not a mapping", "a.yaml", text(HEAD + "notes: [1, 2]\n"), "wrong-type", 2, None),
    ("history a mapping", "a.yaml", text(HEAD + "history: {2004: 1}\n"), "bad-history", 2, None),
    ("unknown section", "a.yaml", text(HEAD + "histroy:\n  - {date: 2004, phase: 1}\n"), "unknown-section", 2, None),
    ("duplicate answer key", "a.yaml", text(HEAD + "  sign.trigger: 5\n  sign.trigger: 1\n"), "duplicate-key", 2, 5),
    ("duplicate section", "a.yaml", text(HEAD + "answers:\n  sign.trigger: 5\n"), "duplicate-key", 2, 4),
    ("YAML alias bomb", "a.yaml", alias_bomb, "yaml-alias", 2, None),
    ("YAML that is a list", "a.yaml", text("- meta.innovation\n- Hubs\n"), "bad-format", 2, None),
    ("YAML that is a scalar", "a.yaml", text("just some words\n"), "bad-format", 2, None),
    ("not YAML", "a.yaml", text("answers: [unclosed\n"), "bad-yaml", 2, 2),
    ("UTF-16 without a byte-order mark", "a.yaml", text(HEAD, "utf-16-le"), "binary", 2, None),
    ("binary garbage as YAML", "a.yaml", garbage, "binary", 2, None),
    ("binary garbage as CSV", "a.csv", garbage, "binary", 2, None),
    ("undecodable bytes", "a.csv", lambda: b"item,answer\n\x81\x8d\x8f\x90\x9d,1\n", "encoding", 2, 2),
    ("empty YAML", "a.yaml", text(""), "empty", 2, None),
    ("blank YAML", "a.yaml", text("\n  \n"), "empty", 2, None),
    ("YAML of comments only", "a.yaml", text("# nothing\n"), "empty", 2, None),
    ("empty CSV", "a.csv", text(""), "empty", 2, None),
    ("CSV field over the csv limit", "a.csv", text(CSV_HEAD + "meta.service,\"" + "x" * 200_000 + "\",\n"), "bad-csv", 2, None),
    ("empty xlsx", "a.xlsx", text(""), "malformed-xlsx", 2, None),
    ("xlsx that is not a zip", "a.xlsx", text(CSV_HEAD), "malformed-xlsx", 2, None),
    ("old .xls renamed", "a.xlsx", lambda: OLE + b"\0" * 600, "xls-workbook", 2, None),
    ("encrypted workbook", "a.xlsx", lambda: OLE + "EncryptedPackage".encode("utf-16-le"), "encrypted-workbook", 2, None),
    ("a zip that is no workbook", "a.xlsx", lambda: _zip({"hello.txt": b"hi"}), "malformed-xlsx", 2, None),
    ("xlsx zip bomb", "a.xlsx", zip_bomb, "workbook-too-large", 2, None),
    ("formula without a saved value", "a.xlsx", lambda: workbook([["sign.pilots", "=2+2"]]), "formula-without-value", 2, 4),
    ("merged cells", "a.xlsx", lambda: workbook([], merge="A5:B5"), "merged-cells", 2, 5),
    ("answer file over 2 MB", "a.yaml", text(HEAD + "# " + "x" * 2_100_000 + "\n"), "too-large", 2, None),
]  # fmt: skip


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def workbook(rows: list[list[str]], merge: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "answers"
    for row in [["item", "answer"], ["meta.innovation", "Hubs"], ["meta.place", "X"], *rows]:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("name", "filename", "content", "code", "exit_code", "row"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_answer_file(
    tmp_path: Path,
    name: str,
    filename: str,
    content: Callable[[], bytes],
    code: str,
    exit_code: int,
    row: int | None,
) -> None:
    path = tmp_path / filename
    path.write_bytes(content())
    before = checksums(tmp_path)
    _, problems = check_answers(path)
    errors = [p for p in problems if p.severity == "error"]
    assert code in {p.code for p in errors}, [str(p) for p in problems]
    named = next(p for p in errors if p.code == code)
    assert named.file and filename in named.file
    if row is not None:
        assert named.row == row, str(named)
    result = runner.invoke(app, ["assess", str(path), "--json", str(tmp_path / "out.json")])
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert filename in " ".join(result.stderr.split())
    assert checksums(tmp_path) == before  # nothing written, input unchanged


def test_alias_bomb_is_refused_before_expanding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_bytes(alias_bomb())
    (problem,) = check_answers(path)[1]
    assert problem.code == "yaml-alias" and "alias" in problem.message


# ---------------------------------------------------------------- encodings that are read


@pytest.mark.parametrize(
    ("filename", "encoding", "warned"),
    [
        ("a.csv", "latin-1", True),
        ("a.yaml", "latin-1", True),
        ("a.csv", "cp1252", True),
        ("a.csv", "utf-16", False),  # with its byte-order mark, as Excel writes "Unicode text"
        ("a.yaml", "utf-16", False),
        ("a.csv", "utf-8-sig", False),
    ],
)
def test_other_encodings_are_read_like_the_study_tables(
    tmp_path: Path, filename: str, encoding: str, warned: bool
) -> None:
    body = (
        "item,answer\nmeta.innovation,Réseau des écoles\nmeta.place,Montréal\nsign.pilots,4\n"
        if filename.endswith(".csv")
        else "answers:\n  meta.innovation: Réseau des écoles\n  meta.place: Montréal\n  sign.pilots: 4\n"
    )
    path = tmp_path / filename
    path.write_bytes(body.encode(encoding))
    before = checksums(tmp_path)
    (answers,), problems = check_answers(path)
    assert answers.place == "Montréal" and answers.innovation == "Réseau des écoles"
    assert [p.code for p in problems] == (["encoding"] if warned else [])
    assert all(p.severity == "warning" for p in problems)
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["assess", str(path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert ("Windows-1252" in result.stderr) == warned
    assert json.loads(out.read_text("utf-8"))["assessments"][0]["place"] == "Montréal"
    assert checksums(tmp_path) == {**before, "out.json": checksums(tmp_path)["out.json"]}


def test_yaml_words_and_dates_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "answers:\n  meta.innovation: yes\n  meta.place: 'No'\n  meta.service: on\n"
        "  meta.date: 2008-09-30\n",
        "utf-8",
    )
    (answers,), problems = check_answers(path)
    assert problems == []
    assert (answers.innovation, answers.place, answers.answers["meta.service"]) == ("yes", "No", "on")
    assert answers.answers["meta.date"].isoformat() == "2008-09-30"


# ---------------------------------------------------------------- options and other inputs


def _answers(tmp_path: Path) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(HEAD + "  sign.pilots: 5\n", "utf-8")
    return path


def _edited_analysis(edit: str) -> bytes:
    """A real analysis JSON of a small place, with one hostile edit."""
    import json as _json

    from lisa.analysis import analyse
    from lisa.synth import generate

    doc = analyse(generate(60, seed=1)).to_dict()
    if edit == "severity":
        doc["findings"] = [{"code": "low-response", "severity": "dire"}]
    elif edit == "unknown-code":
        doc["findings"] = [{"code": "no-such-finding"}]
    elif edit == "code-type":
        doc["findings"] = [{"code": 5}]
    elif edit == "findings-type":
        doc["findings"] = {"code": "x"}
    return _json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        ("{\"findings\": []}".encode("utf-16"), "not UTF-8"),
        (b"[1, 2]", "not a lisa analysis of schema 2.x"),
        (b'{"findings": [{"code": "low-response"}]}', "not a lisa analysis of schema 2.x"),
        ("findings-type", "findings"),
        ("severity", "findings.0"),
        ("code-type", "findings.0"),
        ("unknown-code", "'no-such-finding'"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
)
def test_bad_findings_file_is_exit_2_naming_the_file(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    findings = tmp_path / "f.json"
    findings.write_bytes(_edited_analysis(content) if isinstance(content, str) else content)
    answers = _answers(tmp_path)
    before = checksums(tmp_path)
    result = runner.invoke(app, ["assess", str(answers), "--findings", str(findings)])
    assert result.exit_code == 2, result.output
    err = " ".join(result.stderr.split())
    assert "f.json" in err and message in err
    assert checksums(tmp_path) == before


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("nonsense=1", "unknown setting 'nonsense'"),
        ("sign_present=1.5", "bad value for setting 'sign_present': '1.5'"),
        ("stall_years=soon", "bad value for setting 'stall_years': 'soon'"),
        ("disagreement_spread=0", "bad value for setting 'disagreement_spread': '0'"),
        ("weak=0.9", "weak (0.9) must not be above strong (0.75)"),
        ("stall_years", "--rule expects NAME=VALUE"),
    ],
)
def test_bad_rule_setting_is_exit_2_naming_setting_and_value(
    tmp_path: Path, rule: str, message: str
) -> None:
    result = runner.invoke(app, ["assess", str(_answers(tmp_path)), "--rule", rule])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "bad-json"),
        (b"\xff\xfe\x00garbage" * 10, "encoding"),
        (bytes(range(256)), "encoding"),
        (b'{"kind": "lisa-assessment", "schema_version": "one"}', "unknown-schema-version"),
        (b'{"kind": "lisa-assessment", "schema_version": "1.1"}', "bad-field"),
        (b"[" * 100_000, "bad-json"),
    ],
)
def test_hostile_assessment_document(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    before = checksums(tmp_path)
    with pytest.raises(AssessmentDocumentInvalid) as info:
        read_assessments(path)
    assert code in {p.code for p in info.value.problems}
    assert checksums(tmp_path) == before
