"""Summary: what matters most — every finding, most severe first, with its numbers.

Each finding is shown with its headline number, its explanation, the groups
and (when the response rate allows) the people it is about. A finding whose
evidence is per group (excluded-group) also gets that evidence as a table,
so the reader compares the groups down a column instead of reading one
sentence per group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lisa.findings import ExcludedGroup, ExcludedGroupFinding, Finding
from lisa.privacy import Pseudonymiser
from lisa.report import charts
from lisa.report.sections.common import label
from lisa.report.views import FindingView, Table

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: How many people a finding names at most (the rest are counted).
NAMED_PER_FINDING = 12

#: The columns of the per-group table of the excluded-group finding.
EXCLUDED_COLUMNS = ["group", "people", "share of people", "share of core places", "pattern"]

#: What the two patterns of an excluded group mean, in the analysis' own words.
_PATTERN_TEXT = ExcludedGroup.model_fields["pattern"].description or ""
PATTERN_NOTE = _PATTERN_TEXT[:1].upper() + _PATTERN_TEXT[1:].rstrip(".") + "."


def excluded_row(g: ExcludedGroup) -> dict[str, str]:
    """One group outside the core, formatted (the finding's table and the cores section)."""
    return {
        "group": g.label,
        "grouping": g.grouping,
        "people": f"{g.people:,}",
        "share_of_people": charts.pct(g.share_of_people),
        "share_of_core": charts.pct(g.share_of_core),
        "pattern": g.pattern,
    }


def _excluded_table(f: Finding) -> Table | None:
    if not isinstance(f, ExcludedGroupFinding):
        return None
    rows = [excluded_row(g) for g in f.evidence.groups]
    return Table(
        EXCLUDED_COLUMNS,
        [
            [r["group"], r["people"], r["share_of_people"], r["share_of_core"], r["pattern"]]
            for r in rows
        ],
        PATTERN_NOTE,
    )


#: The findings that carry their evidence as a table, by code.
FINDING_TABLES: dict[str, Callable[[Finding], Table | None]] = {
    "excluded-group": _excluded_table,
}


def findings(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> list[FindingView]:
    """Every finding of the analysis, in its order, ready to lay out."""
    views = []
    for f in result.findings:
        people = (
            [] if pseudonymiser else [label(result, p, None) for p in f.people[:NAMED_PER_FINDING]]
        )
        table = FINDING_TABLES.get(f.code)
        views.append(
            FindingView(
                code=f.code,
                severity=f.severity,
                title=f.title,
                headline=f.headline.text,
                detail=f.detail,
                groups=list(f.groups),
                people=people,
                people_count=len(f.people) or f.people_not_named,
                table=table(f) if table else None,
            )
        )
    return views
