"""Innovation assessment: the lifecycle, the strategic triangle and the six factors.

The method of the NESTA / Young Foundation study of local innovation made
repeatable: an assessor (or several) answers the item bank for one innovation;
lisa infers its lifecycle phase (0 latent … 4 embedding) with a confidence and
the evidence, its Utterback-Abernathy stage, whether it is progressing, stalled
or reversing, the strength of each corner and link of the strategic triangle
against what the phase needs, the risks the reports name for that phase, and
recommendations from the reports' three clusters - each with why it was chosen
and its source.

Modules, in the order the data flows::

    items.py       the item bank (data/items.yaml) and its scales
    answers.py     reading and checking YAML / CSV / Excel answer files
    combine.py     combining several assessors, with their disagreements
    rules.py       the rules (data/rules.yaml) and their condition language
    inference.py   phase, confidence, stage, trajectory, triangle
    recommend.py   risks and recommendations
    core.py        assess_* entry points and the Assessment result
    locality.py    a place's register of innovations, factors over time, stage
    template.py    blank templates (YAML, CSV, Excel)
    render.py      JSON document (schema_version) for one or many assessments
"""

from lisa.assess.answers import AnswerSet, HistoryEntry, check_answers, read_answers, read_many
from lisa.assess.combine import CombinedAnswers, Disagreement, combine
from lisa.assess.core import (
    SCHEMA_VERSION,
    Assessment,
    assess_answers,
    assess_combined,
    assess_files,
    assess_sets,
)
from lisa.assess.errors import AssessmentInvalid
from lisa.assess.items import PHASE_NAMES, Item, ItemBank, load_item_bank
from lisa.assess.recommend import Recommendation, Risk, parse_findings
from lisa.assess.rules import Context, Rules, load_rules

__all__ = [
    "PHASE_NAMES",
    "SCHEMA_VERSION",
    "AnswerSet",
    "Assessment",
    "AssessmentInvalid",
    "CombinedAnswers",
    "Context",
    "Disagreement",
    "HistoryEntry",
    "Item",
    "ItemBank",
    "Recommendation",
    "Risk",
    "Rules",
    "assess_answers",
    "assess_combined",
    "assess_files",
    "assess_sets",
    "check_answers",
    "combine",
    "load_item_bank",
    "load_rules",
    "parse_findings",
    "read_answers",
    "read_many",
]
