"""Item bank version 2: old answer files still load, through the documented migration."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from lisa.assess import AssessmentInvalid, Instrument, answers_from_mapping, read_answers
from lisa.assess.items import parse_item_bank
from lisa.assess.template import template_text
from lisa.errors import DefinitionInvalid

DATA = Path(__file__).parent / "data" / "assess"
BANK = Instrument.load().bank
ITEMS_FILE = Path(__file__).resolve().parent.parent / "lisa" / "assess" / "data" / "items.yaml"
META = {"meta.innovation": "Hubs", "meta.place": "Town"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_version_1_file_loads_and_is_not_changed() -> None:
    path = DATA / "version-1-answers.yaml"
    before = _digest(path)
    (answers,) = read_answers(path)
    assert _digest(path) == before
    given = answers.answers
    # sign.routine: 2 goes to both halves; sign.aligned_systems: 1 to the four systems
    assert given["sign.routine_practice"] == given["sign.mainstream_budget"] == 2
    assert [given[f"sign.aligned_{s}"] for s in ("finance", "hr", "it", "performance")] == [1] * 4
    assert given["stage.dominant_model"] == 2
    # the old external pressure is the trigger's; the licence to continue is left unanswered
    assert given["authority.pressure_trigger"] == 5
    assert "authority.licence_to_continue" not in given
    assert given["authority.local_mandate"] == 4 and "authority.national_mandate" not in given
    assert not any(old in given for old in BANK.retired)


def test_each_retired_id_used_gives_a_warning_naming_where_its_answer_went() -> None:
    from lisa.assess import check_answers

    _, problems = check_answers(DATA / "version-1-answers.yaml")
    migrated = {p.value: p for p in problems if p.code == "migrated-item"}
    assert all(p.severity == "warning" for p in problems)
    assert set(migrated) == {
        "sign.resources_diverted", "sign.dominant_model", "sign.routine", "sign.aligned_systems",
        "sign.spread", "authority.external_pressure", "authority.political_mandate",
    }  # fmt: skip
    assert "sign.spread_services, sign.spread_places" in migrated["sign.spread"].message
    assert migrated["sign.routine"].row is not None


def test_an_answer_under_the_new_id_wins_even_when_blank() -> None:
    sets, problems = answers_from_mapping(
        {"answers": {**META, "sign.routine": 4, "sign.mainstream_budget": 2, "sign.spread": 5,
                     "sign.spread_places": None}}
    )  # fmt: skip
    given = sets[0].answers
    assert given["sign.routine_practice"] == 4 and given["sign.mainstream_budget"] == 2
    assert given["sign.spread_services"] == 5 and "sign.spread_places" not in given
    (spread,) = [p for p in problems if p.value == "sign.spread"]
    assert "sign.spread_places answered in the file" in spread.message


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"sign.routine": 9}, "bad-answer"),
        ({"sign.routine": [4]}, "wrong-type"),
        ({"sign.routine": "often"}, "bad-answer"),
    ],
)
def test_a_retired_id_is_checked_against_its_old_scale(answers: dict[str, Any], code: str) -> None:
    sets, problems = answers_from_mapping({"answers": {**META, **answers}})
    assert [p.code for p in problems if p.severity == "error"] == [code]
    assert "sign.routine_practice" not in sets[0].answers


def test_a_retired_id_answered_twice_is_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "item,answer\nmeta.innovation,x\nmeta.place,y\nsign.routine,4\nsign.routine,2\n", "utf-8"
    )
    with pytest.raises(AssessmentInvalid) as info:
        read_answers(path)
    assert [p.code for p in info.value.problems if p.severity == "error"] == ["duplicate-item"]


def _bank_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ITEMS_FILE.read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["retired"].append({**d["retired"][0], "id": "sign.trigger"}), "never reused"),
        (lambda d: d["retired"][0].update(replaced_by=["sign.nothing"]), "no item of the bank"),
        (lambda d: d["retired"][0].update(replaced_by=["meta.place"]), "another scale"),
        (lambda d: d["retired"][0].update(replaced_by=[]), "replaced_by"),
        (lambda d: d["retired"].append(d["retired"][0]), "never reused"),
        (lambda d: d.update(retired={"a": 1}), "must be a list"),
    ],
)
def test_a_bad_retired_entry_is_refused(change: Any, message: str) -> None:
    data = _bank_data()
    change(data)
    with pytest.raises(DefinitionInvalid, match=message):
        parse_item_bank(data)


def test_every_phase_needs_a_key_sign() -> None:
    data = _bank_data()
    for item in data["items"]:
        if item.get("phase") == 4:
            item["role"] = "supporting"
    with pytest.raises(DefinitionInvalid, match="a key sign of phase 4"):
        parse_item_bank(data)


def test_the_template_asks_the_new_items_and_no_retired_one() -> None:
    text = template_text("yaml")
    for item in BANK:
        assert f"  {item.id}:" in text
    for old in BANK.retired:
        assert f"  {old}:" not in text
    assert "Item bank version 2" in text
    csv_ids = {line.split(",", 1)[0] for line in template_text("csv").splitlines()[1:]}
    assert set(BANK.ids) <= csv_ids and not csv_ids & set(BANK.retired)


def test_the_new_factor_roles_are_accepted() -> None:
    sets, problems = answers_from_mapping(
        {"answers": {**META, "factor.leadership": "both", "factor.networks": "unknown"}}
    )
    assert not problems
    assert sets[0].answers["factor.leadership"] == "both"
    assert sets[0].answers["factor.networks"] == "unknown"
