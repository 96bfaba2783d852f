"""The case library: the reports' places and innovations as versioned data.

Every case is one YAML file in ``lisa/cases/data/`` with its source (seed file
and section) and a ``version`` that is raised whenever its facts change. The
four UK localities studied in depth also have a filled-in assessment in
``lisa/cases/data/assessments/``, written from their case studies, which lisa
assesses like any other answer file. See ``docs/cases.md``.

>>> from lisa.cases import get_case
>>> get_case("knowsley").stage
'fluid'
"""

from lisa.cases.library import (
    CASE_KINDS,
    Case,
    CaseMatch,
    UnknownCase,
    case_assessment,
    compare,
    get_case,
    load_cases,
)

__all__ = [
    "CASE_KINDS",
    "Case",
    "CaseMatch",
    "UnknownCase",
    "case_assessment",
    "compare",
    "get_case",
    "load_cases",
]
