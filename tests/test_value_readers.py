"""Malformed and hostile value ledgers: each a named problem, exit 2, files untouched.

One table of ledgers in the three forms (YAML, a folder of CSV files, an Excel
workbook): for each, ``check_ledger`` names the problem (its code, and the row
where the form has one), ``lisa value`` exits with the documented code and
no traceback, and every file is byte-identical afterwards (sha256).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from lisa.cli import app
from lisa.value import LedgerInvalid, check_ledger, read_ledger, value_of

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "value"

ABOUT = "about:\n  innovation: Hub\n"
INPUTS = "inputs:\n  - {id: grant, cost: 1000}\n"
OUTCOME = ("  - {id: jobs, quantity: 10, proxy: 100, deadweight: 0.2, displacement: 0, "
           "attribution: 0, duration: 2}\n")  # fmt: skip
GOOD = ABOUT + INPUTS + "outcomes:\n" + OUTCOME


def outcome(**change: object) -> str:
    fields = {"id": "jobs", "quantity": 10, "proxy": 100, "deadweight": 0.2, "displacement": 0,
              "attribution": 0, "duration": 2} | change  # fmt: skip
    body = ", ".join(f"{k}: {v}" for k, v in fields.items() if v is not None)
    return ABOUT + INPUTS + "outcomes:\n  - {" + body + "}\n"


def alias_bomb() -> str:
    lines = [GOOD + "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 10):
        lines.append(f"x{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: name, YAML ledger, problem code, row (None: not checked)
YAML_CASES: list[tuple[str, str, str, int | None]] = [
    ("negative deadweight", outcome(deadweight=-0.1), "rate-out-of-range", 6),
    ("deadweight over 100 %", outcome(deadweight="150%"), "rate-out-of-range", 6),
    ("attribution written as 25", outcome(attribution=25), "rate-out-of-range", 6),
    ("drop-off over 1", outcome(drop_off=1.5), "rate-out-of-range", 6),
    ("negative quantity", outcome(quantity=-3), "negative", 6),
    ("text for a proxy", outcome(proxy="lots"), "not-a-number", 6),
    ("decimal comma", outcome(proxy="'12,5'"), "not-a-number", 6),
    ("infinite proxy", outcome(proxy=".inf"), "not-a-number", 6),
    ("not a number", outcome(proxy=".nan"), "not-a-number", 6),
    ("boolean quantity", outcome(quantity="true"), "not-a-number", 6),
    ("half a year", outcome(duration=1.5), "not-whole", 6),
    ("zero duration", outcome(duration=0), "out-of-range", 6),
    ("a thousand years", outcome(duration=1000), "out-of-range", 6),
    ("missing deadweight", outcome(deadweight=None), "missing-value", 6),
    ("unknown evidence strength", outcome(evidence_strength="solid"), "unknown-evidence-strength", 6),
    ("negative cost", ABOUT + "inputs:\n  - {id: g, cost: -5}\noutcomes:\n" + OUTCOME, "negative", 4),
    ("only zero costs", ABOUT + "inputs:\n  - {id: g, cost: 0}\noutcomes:\n" + OUTCOME, "no-costs", None),
    ("no inputs", ABOUT + "inputs: []\noutcomes:\n" + OUTCOME, "no-inputs", None),
    ("no outcomes table", ABOUT + INPUTS, "missing-table", None),
    ("no innovation", INPUTS + "outcomes:\n" + OUTCOME + "about: {place: X}\n", "missing-value", None),
    ("repeated id", GOOD + "  - {id: grant, quantity: 1, proxy: 1, deadweight: 0, displacement: 0, attribution: 0, duration: 1}\n", "duplicate-id", 7),
    ("unknown outcome in an assumption", GOOD + "assumptions:\n  - {target: job.deadweight, low: 0, high: 0.5}\n", "unknown-outcome", 8),
    ("unknown field in an assumption", GOOD + "assumptions:\n  - {target: jobs.colour, low: 0, high: 1}\n", "unknown-field", 8),
    ("assumption low above high", GOOD + "assumptions:\n  - {target: jobs.deadweight, low: 0.5, high: 0.1}\n", "bad-range", 8),
    ("assumption rate over 100 %", GOOD + "assumptions:\n  - {target: jobs.deadweight, low: 0.1, high: 2}\n", "rate-out-of-range", 8),
    ("negative discount rate", GOOD + "assumptions:\n  - {target: discount_rate, low: -0.01, high: 0.05}\n", "rate-out-of-range", 8),
    ("bad about discount rate", "about: {innovation: Hub, discount_rate: 0.9}\n" + INPUTS + "outcomes:\n" + OUTCOME, "rate-out-of-range", 1),
    ("unknown about key", "about: {innovation: Hub, colour: red}\n" + INPUTS + "outcomes:\n" + OUTCOME, "unknown-key", 1),
    ("unknown section", GOOD + "extras: []\n", "unknown-section", None),
    ("outcomes not a list", ABOUT + INPUTS + "outcomes: {id: jobs}\n", "bad-format", None),
    ("not a mapping", "- just\n- a list\n", "bad-format", None),
    ("repeated key", GOOD + "about: {innovation: Other}\n", "duplicate-key", 7),
    ("alias bomb", alias_bomb(), "yaml-alias", None),
    ("not YAML", "about: [unclosed\n", "bad-yaml", None),
    ("about is empty", "about:\n" + INPUTS + "outcomes:\n" + OUTCOME, "bad-format", None),
    ("a list for the innovation", "about: {innovation: [a, b]}\n" + INPUTS + "outcomes:\n" + OUTCOME, "wrong-type", 1),
    ("a list for an id", ABOUT + "inputs:\n  - {id: [1, 2], cost: 1}\noutcomes:\n" + OUTCOME, "wrong-type", 4),
    ("an outcome past year 200", outcome(start_year=5, duration=200), "bad-value", 6),
]  # fmt: skip


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _refused(path: Path, code: str, row: int | None) -> None:
    before = checksums(path.parent)
    ledger, problems = check_ledger(path)
    assert ledger is None
    hits = [p for p in problems if p.code == code and p.severity == "error"]
    assert hits, [str(p) for p in problems]
    if row is not None:
        assert row in {p.row for p in hits}, [str(p) for p in hits]
    result = runner.invoke(app, ["value", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    with pytest.raises(LedgerInvalid):
        read_ledger(path)
    assert checksums(path.parent) == before


@pytest.mark.parametrize(("name", "body", "code", "row"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_a_malformed_yaml_ledger_is_a_named_problem(
    tmp_path: Path, name: str, body: str, code: str, row: int | None
) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text(body, encoding="utf-8")
    _refused(path, code, row)


def test_the_good_ledger_of_the_table_is_read() -> None:
    ledger, problems = check_ledger_text(GOOD)
    assert ledger is not None and not [p for p in problems if p.severity == "error"]


def check_ledger_text(body: str):  # type: ignore[no-untyped-def]
    from lisa.value import ledger_from_yaml

    return ledger_from_yaml(body, "x.yaml")


# -- CSV folders ------------------------------------------------------------------------

ABOUT_CSV = "key,value\ninnovation,Hub\n"
INPUTS_CSV = "id,cost,year\ngrant,1000,0\n"
OUTCOMES_CSV = ("id,quantity,proxy,deadweight,displacement,attribution,duration\n"
                "jobs,10,100,20%,0,0,2\n")  # fmt: skip


def csv_folder(tmp_path: Path, **files: str | bytes) -> Path:
    folder = tmp_path / "ledger"
    folder.mkdir()
    tables = {"about": ABOUT_CSV, "inputs": INPUTS_CSV, "outcomes": OUTCOMES_CSV} | files
    for name, body in tables.items():
        if body is None:
            continue
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


CSV_CASES: list[tuple[str, dict[str, object], str, int | None]] = [
    ("missing column", {"outcomes": "id,quantity,proxy,deadweight,displacement,duration\njobs,1,1,0,0,1\n"}, "missing-column", 1),
    ("rate over 100 %", {"outcomes": OUTCOMES_CSV.replace("20%", "120%")}, "rate-out-of-range", 2),
    ("negative rate", {"outcomes": OUTCOMES_CSV.replace("20%", "-0.2")}, "rate-out-of-range", 2),
    ("thousands separator", {"inputs": 'id,cost\ngrant,"1,000"\n'}, "not-a-number", 2),
    ("blank cost on row 3", {"inputs": "id,cost\ngrant,1000\nstaff,\n"}, "missing-value", 3),
    ("unknown outcome reference", {"assumptions": "target,low,high\njbos.deadweight,0,0.4\n"}, "unknown-outcome", 2),
    ("no outcomes file", {"outcomes": None}, "missing-table", None),
    ("header but no rows", {"inputs": "id,cost\n"}, "empty-file", None),
    ("binary file", {"inputs": bytes(range(256)) * 8}, "binary-file", None),
    ("a workbook renamed .csv", {"inputs": b"PK\x03\x04" + b"\0" * 200}, "binary-file", None),
    ("ragged row", {"inputs": "id,cost\ngrant,1000,extra\n"}, "ragged-row", 2),
    ("unclosed quote", {"inputs": 'id,cost\n"grant,1000\n'}, "malformed-csv", None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "files", "code", "row"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_a_malformed_csv_ledger_is_a_named_problem(
    tmp_path: Path, name: str, files: dict[str, object], code: str, row: int | None
) -> None:
    folder = csv_folder(tmp_path, **files)  # type: ignore[arg-type]
    _refused(folder / "outcomes.csv" if (folder / "outcomes.csv").exists() else folder, code, row)


def test_a_csv_ledger_reads_like_the_yaml_one(tmp_path: Path) -> None:
    folder = csv_folder(tmp_path)
    from_csv = value_of(read_ledger(folder))
    from_yaml = value_of(check_ledger_text(GOOD)[0])
    assert from_csv.present_value == pytest.approx(from_yaml.present_value)
    # 10 x 100 x 0.8 = 800 a year for two years, discounted at 3.5 %
    assert from_csv.present_value == pytest.approx(800 / 1.035 + 800 / 1.035**2)


# -- workbooks ---------------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


GOOD_SHEETS: dict[str, list[list[object]]] = {
    "about": [["key", "value"], ["innovation", "Hub"], ["base_year", 2024]],
    "inputs": [["id", "cost"], ["grant", 1000]],
    "outcomes": [
        ["id", "quantity", "proxy", "deadweight", "displacement", "attribution", "duration"],
        ["jobs", 10, 100, 0.2, 0, 0, 2],
    ],
    "assumptions": [["target", "low", "high"], ["jobs.deadweight", 0.1, 0.3]],
}


def test_an_excel_ledger_reads_like_the_yaml_one(tmp_path: Path) -> None:
    result = value_of(read_ledger(workbook(tmp_path / "l.xlsx", GOOD_SHEETS)))
    assert result.present_value == pytest.approx(800 / 1.035 + 800 / 1.035**2)
    assert result.years[0].calendar_year == 2024
    assert [r.target for r in result.sensitivity.rows] == ["jobs.deadweight"]


def test_merged_cells_in_a_ledger_sheet_are_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "m.xlsx", GOOD_SHEETS)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["outcomes"].merge_cells("A2:B2")
    book.save(path)
    _refused(path, "merged-cells", 2)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    return buffer.getvalue()


XLSX_CASES: list[tuple[str, Callable[[Path], None], str, int | None]] = [
    ("rate over 100 %", lambda p: workbook(p, GOOD_SHEETS | {"outcomes": [GOOD_SHEETS["outcomes"][0], ["jobs", 10, 100, 1.2, 0, 0, 2]]}), "rate-out-of-range", 2),
    ("missing sheet", lambda p: workbook(p, {k: v for k, v in GOOD_SHEETS.items() if k != "inputs"}), "missing-table", None),
    ("unknown outcome", lambda p: workbook(p, GOOD_SHEETS | {"assumptions": [["target", "low", "high"], ["nope.quantity", 1, 2]]}), "unknown-outcome", 2),
    ("zip bomb", lambda p: p.write_bytes(_zip_bomb()), "workbook-too-large", None),
    ("formula without a saved value", lambda p: workbook(p, GOOD_SHEETS | {"inputs": [["id", "cost"], ["grant", "=500*2"]]}), "formula-without-value", 2),
    ("negative cost", lambda p: workbook(p, GOOD_SHEETS | {"inputs": [["id", "cost"], ["grant", -1]]}), "negative", 2),
    ("missing column", lambda p: workbook(p, GOOD_SHEETS | {"inputs": [["id", "amount"], ["grant", 1]]}), "missing-column", 1),
    ("not a workbook", lambda p: p.write_bytes(b"hello, this is text"), "malformed-xlsx", None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "code", "row"), XLSX_CASES, ids=[c[0] for c in XLSX_CASES])
def test_a_malformed_excel_ledger_is_a_named_problem(
    tmp_path: Path, name: str, make: Callable[[Path], None], code: str, row: int | None
) -> None:
    path = tmp_path / "ledger.xlsx"
    make(path)
    _refused(path, code, row)


def test_a_missing_ledger_and_an_unknown_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["value", str(tmp_path / "nothing.yaml")])
    assert result.exit_code == 3 and "no such ledger" in result.output
    (tmp_path / "l.txt").write_text("x")
    ledger, problems = check_ledger(tmp_path / "l.txt")
    assert ledger is None and [p.code for p in problems] == ["bad-format"]


def test_an_unknown_key_is_a_warning_on_its_own_row() -> None:
    body = GOOD + OUTCOME.replace("jobs", "more").replace("}", ", colour: red}")
    ledger, problems = check_ledger_text(body)
    assert ledger is not None and len(ledger.outcomes) == 2
    assert [(p.code, p.severity, p.row, p.column) for p in problems] == [
        ("unknown-column", "warning", 7, "colour")
    ]


def test_warnings_do_not_stop_the_ledger(tmp_path: Path) -> None:
    body = outcome(evidence_strength="strong") + "assumptions:\n  - {target: jobs.quantity, low: 20, high: 30}\n"
    ledger, problems = check_ledger_text(body)
    assert ledger is not None
    assert {p.code for p in problems} == {"no-evidence-source", "central-outside-range"}
    assert all(p.severity == "warning" for p in problems)


def test_value_json_and_settings(tmp_path: Path) -> None:
    out = tmp_path / "v.json"
    result = runner.invoke(app, ["value", str(DATA / "worked.yaml"), "--json", str(out),
                                 "--set", "discount_rate=0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert "SROI ratio 1.20 : 1" in shown and "Value JSON written" in shown
    from lisa.value import ValueResult

    back = ValueResult.model_validate_json(out.read_text("utf-8"))
    # undiscounted: (10,400 + 2,700 + 1,350) / 12,070
    assert back.ratio == pytest.approx(14_450 / 12_070)
    plain = " ".join(runner.invoke(app, ["value", str(DATA / "worked.yaml")]).output.split())
    assert "Present value 13,786 GBP · inputs 12,000 GBP · net present value 1,786 GBP" in plain
    assert "SROI ratio 1.15 : 1 · payback 2.8 years" in plain
    bad = runner.invoke(app, ["value", str(DATA / "worked.yaml"), "--set", "discount_rate=2"])
    assert bad.exit_code == 2 and "discount_rate" in bad.output


# -- bounds and encodings ------------------------------------------------------------------


def test_too_many_rows_is_refused_before_any_row_is_checked(tmp_path: Path) -> None:
    from lisa.value.readers import MAX_ROWS

    rows = "".join(f"o{k},1,1,0,0,0,1\n" for k in range(MAX_ROWS + 1))
    folder = csv_folder(tmp_path, outcomes="id,quantity,proxy,deadweight,displacement,attribution,duration\n" + rows)
    _refused(folder, "too-many-rows", None)


def test_a_yaml_ledger_over_the_size_limit_is_not_parsed(tmp_path: Path) -> None:
    from lisa.value.readers import MAX_LEDGER_BYTES

    path = tmp_path / "big.yaml"
    path.write_bytes(GOOD.encode() + b"#" * MAX_LEDGER_BYTES)
    _refused(path, "file-too-large", None)


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("NUL bytes", b"about:\x00 {innovation: Hub}\n", "binary-file"),
        ("empty", b"   \n", "empty-file"),
        ("not UTF-8 nor Windows-1252", b"about: {innovation: \x81\x8d\x8f}\n", "encoding"),
    ],
)
def test_a_yaml_file_that_is_not_text(tmp_path: Path, name: str, body: bytes, code: str) -> None:
    path = tmp_path / "l.yaml"
    path.write_bytes(body)
    _refused(path, code, None)


def test_windows_1252_and_utf16_csv_ledgers_are_read(tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, about="key,value\ninnovation,Café hub\n".encode("cp1252"))
    ledger, problems = check_ledger(folder)
    assert ledger is not None and ledger.innovation == "Café hub"
    assert [p.code for p in problems] == ["encoding"] and problems[0].severity == "warning"
    (folder / "about.csv").write_bytes("key,value\ninnovation,Café hub\n".encode("utf-16"))
    ledger, problems = check_ledger(folder)
    assert ledger is not None and ledger.innovation == "Café hub" and problems == []


def test_an_empty_folder_lists_every_missing_table(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    ledger, problems = check_ledger(tmp_path / "empty")
    assert ledger is None
    assert sorted(p.value or p.message for p in problems if p.code == "missing-table") == [
        "the ledger has no 'about' table",
        "the ledger has no 'inputs' table",
        "the ledger has no 'outcomes' table",
    ]


def test_a_control_character_in_a_cell_is_named(tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, inputs="id,cost,description\ngrant,1000,a\x07b\n")
    ledger, problems = check_ledger(folder)
    assert any(p.column == "description" for p in problems), [str(p) for p in problems]


def test_json_output_never_replaces_an_input(tmp_path: Path) -> None:
    path = tmp_path / "l.yaml"
    path.write_text(GOOD, encoding="utf-8")
    folder = csv_folder(tmp_path)
    before = checksums(tmp_path)
    for args in (
        ["value", str(path), "--json", str(path)],
        ["value", str(folder), "--json", str(folder / "outcomes.csv")],
        ["value", str(folder / "inputs.csv"), "--json", str(folder / "about.csv")],
        ["portfolio", str(tmp_path), "--json", str(path)],
        ["portfolio", str(tmp_path), "--json", str(folder / "inputs.csv")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 3 and "would overwrite" in " ".join(result.output.split()), args
    assert checksums(tmp_path) == before
