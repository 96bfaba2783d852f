"""docs/assessment.md and docs/cases.md cannot drift from the item bank, rules and cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from lisa.assess import assess_answers, load_item_bank, load_rules
from lisa.cases import load_cases

DOCS = Path(__file__).resolve().parent.parent / "docs"
ASSESSMENT = (DOCS / "assessment.md").read_text("utf-8")
CASES = (DOCS / "cases.md").read_text("utf-8")


@pytest.mark.parametrize("item_id", load_item_bank().ids)
def test_every_item_is_documented(item_id: str) -> None:
    assert f"`{item_id}`" in ASSESSMENT


@pytest.mark.parametrize(
    "rule_id", [r["id"] for r in load_rules().risks + load_rules().recommendations]
)
def test_every_rule_is_documented(rule_id: str) -> None:
    assert f"`{rule_id}`" in ASSESSMENT


def test_every_json_field_is_documented() -> None:
    doc = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y"}}).to_dict()
    for key in doc:
        assert key in ASSESSMENT, key
    assert "schema_version" in ASSESSMENT


@pytest.mark.parametrize("name", [c.name for c in load_cases()])
def test_every_case_is_listed(name: str) -> None:
    assert f"`{name}`" in CASES
