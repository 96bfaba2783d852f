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

    settings.py    every threshold and weight of the inference (AssessmentSettings)
    items.py       the item bank (data/items.yaml) and its scales
    rules.py       the rules (data/rules.yaml) and their condition language
    instrument.py  item bank + rules + case library + settings, loaded once
    answers.py     reading and checking YAML / CSV / Excel answer files
    combine.py     combining several assessors, with their disagreements
    ladder.py      the ordered-scale placement (phases, stages) from points short
    inference.py   phase, confidence, stage, trajectory, triangle
    sensitivity.py the answers the placement hinges on
    recommend.py   risks and recommendations
    model.py       the result as typed models (Assessment and its parts)
    core.py        assess_* entry points
    locality.py    a place's register of innovations, factors over time, stage
    document.py    the JSON document (schema_version): written and read back
    schema.py      JSON Schema and docs reference generated from the models
    template.py    blank templates (YAML, CSV, Excel)
    placements.py  the reports' phase and stage ranges for six cases (data/placements.yaml)
    agreement.py   Cohen's kappa between independent fillings

>>> from lisa.assess import Instrument, assess_answers
>>> instrument = Instrument.load()
>>> a = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y",
...     "sign.pilots": 5, "sign.early_value": 4}}, instrument=instrument)
>>> a.phase.value, [r.id for r in a.risks][:1]
(2, ['pioneers-keep-control'])
"""

from lisa.assess.answers import (
    AnswerSet,
    HistoryEntry,
    answers_from_mapping,
    check_answers,
    check_many,
    read_answers,
    read_many,
)
from lisa.assess.combine import CombinedAnswers, combine
from lisa.assess.core import assess_answers, assess_combined, assess_files, assess_sets
from lisa.assess.document import (
    AssessmentDocument,
    assessment_document,
    read_assessments,
    read_document,
    write_json,
)
from lisa.assess.errors import AssessmentDocumentInvalid, AssessmentInvalid
from lisa.assess.instrument import Instrument
from lisa.assess.items import PHASE_NAMES, Item, ItemBank
from lisa.assess.locality import Locality, locality_summary
from lisa.assess.model import SCHEMA_VERSION, Assessment, Disagreement
from lisa.assess.recommend import Recommendation, Risk, for_network
from lisa.assess.rules import Context, Rules
from lisa.assess.settings import AssessmentSettings

__all__ = [
    "PHASE_NAMES",
    "SCHEMA_VERSION",
    "AnswerSet",
    "Assessment",
    "AssessmentDocument",
    "AssessmentDocumentInvalid",
    "AssessmentInvalid",
    "AssessmentSettings",
    "CombinedAnswers",
    "Context",
    "Disagreement",
    "HistoryEntry",
    "Instrument",
    "Item",
    "ItemBank",
    "Locality",
    "Recommendation",
    "Risk",
    "Rules",
    "answers_from_mapping",
    "assess_answers",
    "assess_combined",
    "assess_files",
    "assess_sets",
    "assessment_document",
    "check_answers",
    "check_many",
    "combine",
    "for_network",
    "locality_summary",
    "read_answers",
    "read_assessments",
    "read_document",
    "read_many",
    "write_json",
]
