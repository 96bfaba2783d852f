"""The assessment JSON document (its fields are documented in docs/assessment.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lisa.assess.core import SCHEMA_VERSION, Assessment
from lisa.assess.items import load_item_bank
from lisa.assess.locality import locality_summary
from lisa.assess.rules import load_rules
from lisa.files import atomic_write_text


def assessment_document(
    assessments: Sequence[Assessment], network_source: str | None = None
) -> dict[str, Any]:
    """The versioned JSON document for one or more assessed innovations.

    Each assessment carries its three ``closest_cases`` from the case library
    (:func:`lisa.cases.compare`), so a report can show them without the library.
    """
    from lisa import __version__
    from lisa.cases import compare

    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "lisa-assessment",
        "lisa_version": __version__,
        "item_bank_version": load_item_bank().version,
        "rules_version": load_rules().version,
        "network_source": network_source,
        "assessments": [
            {**a.to_dict(), "closest_cases": [m.to_dict() for m in compare(a)]} for a in assessments
        ],
        "localities": [loc.to_dict() for loc in locality_summary(assessments)],
    }


def write_json(
    assessments: Sequence[Assessment], path: str | Path, network_source: str | None = None
) -> Path:
    doc = assessment_document(assessments, network_source)
    return atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
