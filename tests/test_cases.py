"""The case library: every case loads and is sourced; the four UK cases come
out where the reports place them; compare and the cases commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.assess import assess_files
from lisa.cases import UnknownCase, case_assessment, compare, get_case, load_cases
from lisa.cases.library import CaseInvalid, check_case
from lisa.cli import app

DATA = Path(__file__).parent / "data" / "assess"
UK = ["knowsley", "highland", "south-tyneside", "tower-hamlets"]
runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_library_holds_every_kind_of_case() -> None:
    names = {c.name for c in load_cases()}
    assert set(UK) <= names
    assert {"pittsburgh", "gouda", "lille", "portland", "appendix-c"} <= names
    essays = {c.name for c in load_cases("council-essay")}
    assert {
        "oldham-in-control",
        "camden",
        "greater-manchester",
        "east-of-england-peterborough",
    } <= essays
    assert len(essays) >= 10


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: c.name)
def test_every_case_is_versioned_and_sourced(case) -> None:  # type: ignore[no-untyped-def]
    assert case.version >= 1
    assert any(seed in case.source for seed in ("000", "001", "002", "003", "004"))
    assert case.data["summary"].strip()


# The reports' placements: interim report Figure 3 (fluid / transitional /
# specific) and the final report's phases (seed 001 §3, seed 002 §5.1).
PLACED = {
    "knowsley": ("fluid", {1, 2}),
    "highland": ("transitional", {2, 3}),
    "south-tyneside": ("transitional", {3, 4}),
    "tower-hamlets": ("specific", {4}),
}


@pytest.mark.parametrize("name", UK)
def test_uk_case_is_placed_where_the_reports_place_it(name: str) -> None:
    stage, phases = PLACED[name]
    case = get_case(name)
    assert case.stage == stage
    result = case_assessment(case)
    assert result.stage.value == stage
    assert result.phase.value in phases
    assert result.phase.value == case.phase
    assert result.trajectory.status == "progressing"
    assert result.phase.confidence_label in ("medium", "high")


def test_uk_cases_show_the_risks_their_case_studies_describe() -> None:
    highland = case_assessment("highland")
    showing = {r.id for r in highland.risks if r.status == "showing"}
    assert "depends-on-few-people" in showing  # frontline fear of over-reliance on leaders
    assert "align-systems" in {r.id for r in highland.recommendations}  # differing pay scales


def test_tower_hamlets_is_the_most_advanced_and_knowsley_the_earliest() -> None:
    phases = {name: case_assessment(name).phase.value for name in UK}
    assert max(phases, key=phases.__getitem__) == "tower-hamlets"
    assert min(phases, key=phases.__getitem__) == "knowsley"


def test_get_case_suggests_close_names() -> None:
    with pytest.raises(UnknownCase) as info:
        get_case("knowsly")
    assert "knowsley" in str(info.value)
    assert get_case("South Tyneside").name == "south-tyneside"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"kind": "novel"}, "kind"),
        ({"stage": "liquid"}, "stage"),
        ({"factors": {"luck": "driver"}}, "bad factor"),
        ({"version": 0}, "version"),
        ({"timeline": [{"date": 2001}]}, "timeline"),
    ],
)
def test_case_schema_checks(patch: dict[str, object], message: str) -> None:
    data = dict(get_case("knowsley").data) | patch
    with pytest.raises(CaseInvalid, match=message):
        check_case(data, "test.yaml")


def test_compare_finds_close_cases_and_says_why() -> None:
    (a,) = assess_files([DATA / "board-chair.yaml"])
    matches = compare(a, top=3)
    assert len(matches) == 3
    assert matches[0].score >= matches[1].score >= matches[2].score
    best = matches[0]
    assert best.shared and best.case.phase is not None
    assert all(m.case.place != "Exampletown" for m in matches)


def test_compare_leaves_out_the_same_place() -> None:
    a = case_assessment("knowsley")
    assert "knowsley" not in [m.case.name for m in compare(a, top=30)]
    assert compare(a, top=1, include_same_place=True)[0].case.name == "knowsley"


def test_cases_list_show_compare_commands(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["cases", "list"])
    assert listed.exit_code == 0 and "tower-hamlets" in listed.stdout
    shown = runner.invoke(app, ["cases", "show", "highland"])
    assert shown.exit_code == 0
    assert "Timeline" in shown.stdout and "Six factors" in shown.stdout
    as_json = runner.invoke(app, ["cases", "show", "appendix-c", "--json"])
    assert as_json.exit_code == 0 and '"name": "appendix-c"' in as_json.stdout
    out = tmp_path / "c.json"
    compared = runner.invoke(
        app, ["cases", "compare", str(DATA / "board-chair.yaml"), "--top", "2", "--json", str(out)]
    )
    assert compared.exit_code == 0, compared.output
    text = flat(compared.stdout)
    assert "shares:" in text and "differs:" in text
    assert '"schema_version"' in out.read_text("utf-8")


def test_unknown_case_command_exits_2() -> None:
    result = runner.invoke(app, ["cases", "show", "atlantis"])
    assert result.exit_code == 2
    assert "no case named 'atlantis'" in flat(result.stderr)
