"""The reports' placements: lisa's case answers and every independent filling land in range,
and the agreement between fillings (Cohen's kappa) is computed correctly."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from lisa.assess import Instrument, answers_from_mapping, assess_sets, read_answers
from lisa.assess.agreement import AgreementError, cohen_kappa, item_agreement
from lisa.assess.answers import answers_from_yaml
from lisa.assess.placements import (
    UnknownPlacement,
    find_placement,
    parse_placements,
    read_placements,
)
from lisa.cases import get_case
from lisa.errors import DefinitionInvalid
from lisa.sources import documents_of

INSTRUMENT = Instrument.load()
PLACEMENTS = read_placements()
INDEPENDENT = Path(__file__).parent / "data" / "assess" / "independent"
FILLINGS = sorted(
    p for p in INDEPENDENT.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".csv", ".xlsx")
)


def test_the_six_cases_are_placed_with_sources() -> None:
    assert set(PLACEMENTS) == {
        "knowsley", "highland", "south-tyneside", "tower-hamlets", "oldham-in-control", "southampton",
    }  # fmt: skip
    for p in PLACEMENTS.values():
        assert documents_of(p.phase.source) and documents_of(p.stage.source), p.key
        assert p.answer_file.is_file(), p.answers


@pytest.mark.parametrize("key", list(PLACEMENTS))
def test_lisas_own_case_answers_land_in_the_reports_range(key: str) -> None:
    placement = PLACEMENTS[key]
    sets, problems = answers_from_yaml(placement.answer_file.read_text("utf-8"), placement.answers, INSTRUMENT)
    assert not problems, [str(p) for p in problems]  # written for item bank version 2: no migration
    (assessment,) = assess_sets(sets, instrument=INSTRUMENT)
    assert placement.misses(assessment) == []


@pytest.mark.parametrize("key", ["knowsley", "highland", "south-tyneside", "tower-hamlets"])
def test_the_uk_ranges_agree_with_the_case_library(key: str) -> None:
    case = get_case(key)
    low, high = PLACEMENTS[key].phase.range
    assert set(case.data["placement"]["phases"]) == set(range(low, high + 1))
    assert PLACEMENTS[key].stage.range == (case.stage,)


def test_a_placement_outside_the_range_is_named() -> None:
    sets, _ = answers_from_mapping({"answers": {"meta.innovation": "x", "meta.place": "y",
                                                "sign.trigger": 5, "sign.strategy": 5}})  # fmt: skip
    (a,) = assess_sets(sets, instrument=INSTRUMENT)
    misses = PLACEMENTS["tower-hamlets"].misses(a)
    assert misses == ["phase 1 (design and discovery) is outside 4-4 (seed 002 §5.1)",
                      "stage fluid is not specific (seed 001 §3 (Figure 3))"]  # fmt: skip


def test_cases_are_found_by_key_or_alias() -> None:
    assert find_placement(PLACEMENTS, "Oldham").key == "oldham-in-control"
    with pytest.raises(UnknownPlacement, match="known: knowsley"):
        find_placement(PLACEMENTS, "lille")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "needs 'version' and 'cases'"),
        ({"cases": {"x": {"title": "t"}}}, "case 'x'"),
        ({"cases": {"x": {"title": "t", "answers": "a.yaml", "phase": {"range": [3, 1], "source": "002",
                          "reading": "r"}, "stage": {"range": ["fluid"], "source": "001", "reading": "r"}}}},
         "phase range"),
        ({"cases": {"x": {"title": "t", "answers": "a.yaml", "phase": {"range": [1, 2], "source": "002",
                          "reading": "r"}, "stage": {"range": ["liquid"], "source": "001", "reading": "r"}}}},
         "case 'x'"),
    ],
)  # fmt: skip
def test_a_malformed_placements_file_is_refused(data: object, message: str) -> None:
    with pytest.raises(DefinitionInvalid, match=message):
        parse_placements(data)


# ---------------------------------------------------------------- independent fillings


def _case_of(path: Path) -> str:
    case, sep, evaluator = path.stem.partition("--")
    assert sep and case and evaluator, f"{path.name}: name it <case>--<evaluator>{path.suffix}"
    return find_placement(PLACEMENTS, case).key


@pytest.mark.parametrize("path", FILLINGS, ids=[p.name for p in FILLINGS])
def test_every_independent_filling_lands_in_the_reports_range(path: Path) -> None:
    placement = PLACEMENTS[_case_of(path)]
    (assessment,) = assess_sets(read_answers(path, INSTRUMENT), instrument=INSTRUMENT)
    assert placement.misses(assessment) == [], path.name


def test_agreement_over_the_independent_fillings_can_be_computed() -> None:
    by_case = defaultdict(list)
    for path in FILLINGS:
        by_case[_case_of(path)].extend(read_answers(path, INSTRUMENT))
    pairs = [pair for sets in by_case.values() for pair in itertools.combinations(sets, 2)]
    if not pairs:
        pytest.skip("no case has two independent fillings yet")
    rows = item_agreement(pairs, INSTRUMENT.bank)
    assert all(r.kappa is None or -1.0 <= r.kappa <= 1.0 for r in rows)


# ---------------------------------------------------------------- kappa, by hand


def test_kappa_on_a_hand_computed_two_by_two_table() -> None:
    # 50 units: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # observed 35/50 = 0.70; chance 0.5 x 0.6 + 0.5 x 0.4 = 0.50; kappa (0.70-0.50)/0.50 = 0.40
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.40)


def test_weighted_kappa_on_a_hand_computed_ordinal_example() -> None:
    # a = 1,2,3 and b = 2,3,3 on a 3-point scale; weights 1, 0.5, 0 for 0, 1, 2 apart.
    # observed (0.5 + 0.5 + 1) / 3 = 2/3; chance sum w_ij pa_i pb_j = 10/18 = 5/9;
    # weighted kappa (2/3 - 5/9) / (1 - 5/9) = 0.25; unweighted: observed 1/3, chance 1/3 -> 0
    assert cohen_kappa([1, 2, 3], [2, 3, 3], [1, 2, 3], weights="linear") == pytest.approx(0.25)
    assert cohen_kappa([1, 2, 3], [2, 3, 3], [1, 2, 3]) == pytest.approx(0.0)


def test_kappa_edge_cases() -> None:
    assert cohen_kappa(["a", "b"], ["a", "b"]) == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # chance agreement is already 1
    with pytest.raises(AgreementError, match="equally long"):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(AgreementError, match="weights"):
        cohen_kappa(["a"], ["a"], weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(AgreementError, match="outside the categories"):
        cohen_kappa([1], [7], categories=[1, 2])


def test_item_agreement_pairs_fillings_case_by_case() -> None:
    def filling(**answers: object) -> object:
        (s,), _ = answers_from_mapping({"answers": {"meta.innovation": "x", "meta.place": "y", **answers}})
        return s

    pairs = [
        (filling(**{"sign.trigger": 5, "factor.leadership": "driver"}),
         filling(**{"sign.trigger": 5, "factor.leadership": "driver"})),
        (filling(**{"sign.trigger": 2, "factor.leadership": "enabler"}),
         filling(**{"sign.trigger": 3, "factor.leadership": "enabler"})),
    ]  # fmt: skip
    rows = {r.item: r for r in item_agreement(pairs, INSTRUMENT.bank)}  # type: ignore[arg-type]
    trigger, leadership = rows["sign.trigger"], rows["factor.leadership"]
    assert (trigger.cases, trigger.exact) == (2, 0.5)
    # trigger: a = 5,2 b = 5,3 on 1..5; unweighted observed 1/2, chance 1/4 -> kappa 1/3
    assert trigger.kappa == pytest.approx(1 / 3)
    assert (leadership.cases, leadership.exact, leadership.kappa) == (2, 1.0, 1.0)
    assert rows["sign.strategy"].cases == 0 and rows["sign.strategy"].kappa is None
    assert "meta.place" not in rows and "type.kind" not in rows


def test_the_agreement_table_for_the_docs(tmp_path: Path) -> None:
    from lisa.assess.agreement import agreement_table, main

    text = PLACEMENTS["highland"].answer_file.read_text("utf-8")
    (tmp_path / "highland--a.yaml").write_text(text, "utf-8")
    (tmp_path / "highland--b.yaml").write_text(text.replace("sign.trigger: 5", "sign.trigger: 3"), "utf-8")
    (tmp_path / "notes.md").write_text("ignored", "utf-8")
    table = agreement_table(tmp_path)
    assert table.startswith("1 pairs of fillings over 1 cases.")
    assert "| `sign.trigger` | 1 | 0.00 | 0.00 | 0.00 |" in table
    (tmp_path / "lille--a.yaml").write_text(text, "utf-8")
    assert main([str(tmp_path)]) == 1  # an unknown case: a named error, no traceback
    assert main([]) == 2


def test_the_agreement_of_two_named_evaluators_has_one_unit_per_case(tmp_path: Path) -> None:
    from lisa.assess.agreement import agreement_table, main

    text = PLACEMENTS["highland"].answer_file.read_text("utf-8")
    (tmp_path / "highland--A.yaml").write_text(text, "utf-8")
    (tmp_path / "highland--B.yaml").write_text(text.replace("sign.trigger: 5", "sign.trigger: 3"), "utf-8")
    (tmp_path / "highland--c.yaml").write_text(text, "utf-8")  # a third filling of the same case
    assert agreement_table(tmp_path).startswith("3 pairs of fillings over 1 cases.")
    table = agreement_table(tmp_path, ("A", "B"))
    assert table.startswith("1 pairs of fillings over 1 cases.")
    assert "| `sign.trigger` | 1 | 0.00 | 0.00 | 0.00 |" in table
    assert main([str(tmp_path), "A", "B"]) == 0
    assert main([str(tmp_path), "A"]) == 2

