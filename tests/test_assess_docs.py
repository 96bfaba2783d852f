"""docs/assessment.md, docs/cases.md and the JSON Schema cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import jsonschema
import pytest

import lisa
from lisa.assess import AssessmentSettings, Instrument, assess_answers, assessment_document
from lisa.assess.schema import DOC_BLOCKS, render_docs, schema_text
from lisa.cases import load_cases

DOCS = Path(__file__).resolve().parent.parent / "docs"
ASSESSMENT = (DOCS / "assessment.md").read_text("utf-8")
CASES = (DOCS / "cases.md").read_text("utf-8")
INSTRUMENT = Instrument.load()
RULES = INSTRUMENT.rules
SCHEMA_FILE = Path(lisa.__file__).parent / "schema" / "assessment.schema.json"


@pytest.mark.parametrize("item_id", INSTRUMENT.bank.ids)
def test_every_item_is_documented(item_id: str) -> None:
    assert f"`{item_id}`" in ASSESSMENT


@pytest.mark.parametrize("rule_id", [r["id"] for r in RULES.risks + RULES.recommendations])
def test_every_rule_is_documented(rule_id: str) -> None:
    assert f"`{rule_id}`" in ASSESSMENT


def test_every_json_field_is_documented() -> None:
    doc = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y"}}).model_dump()
    for key in doc:
        assert f"`{key}`" in ASSESSMENT, key
    assert "schema_version" in ASSESSMENT


@pytest.mark.parametrize("name", list(AssessmentSettings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    default = AssessmentSettings.model_fields[name].default
    assert f"| `{name}` | {default!r} |" in ASSESSMENT, f"setting '{name}' (default {default!r})"


@pytest.mark.parametrize("block", list(DOC_BLOCKS))
def test_generated_docs_blocks_match_the_code(block: str) -> None:
    """Run 'python -m lisa.assess.schema' after changing a model, a setting or a rule."""
    assert render_docs(ASSESSMENT, {block: DOC_BLOCKS[block]}) == ASSESSMENT


def test_committed_json_schema_is_generated_from_the_models() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == schema_text(), "run 'python -m lisa.assess.schema'"


def test_a_written_document_meets_the_schema() -> None:
    a = assess_answers(
        {"answers": {"meta.innovation": "x", "meta.place": "y", "sign.pilots": 5}},
        instrument=INSTRUMENT,
    )
    doc = json.loads(assessment_document([a], instrument=INSTRUMENT).to_json())
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text("utf-8")))


@pytest.mark.parametrize("name", [c.name for c in load_cases()])
def test_every_case_is_listed(name: str) -> None:
    assert f"`{name}`" in CASES


MODULES = [
    "lisa.assess",
    "lisa.assess.answers",
    "lisa.assess.core",
    "lisa.assess.document",
    "lisa.assess.instrument",
    "lisa.assess.items",
    "lisa.assess.locality",
    "lisa.assess.model",
    "lisa.assess.recommend",
    "lisa.assess.rules",
    "lisa.assess.settings",
    "lisa.assess.template",
    "lisa.io.yamlio",
    "lisa.cases",
    "lisa.cases.library",
    "lisa.config",
]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_agreement_table_in_the_docs_is_generated_from_the_fillings() -> None:
    """Run 'python -m lisa.assess.schema' after adding or changing an independent filling."""
    from lisa.assess.schema import agreement_block

    root = DOCS.parent
    blocks = agreement_block(root)
    assert set(blocks) == {"agreement"}
    assert render_docs(ASSESSMENT, blocks) == ASSESSMENT
    assert "6 pairs of fillings over 6 cases." in ASSESSMENT
