"""The executive summary: page 1 of the board paper, and the top of the HTML report.

It says who answered and what that allows, lists the findings as a short
table (severity, headline number, title) and gives the first few
recommendations. It decides nothing: the findings come in the analysis'
order (most severe first) and the recommendations in their rules' order
(most-supported first); the summary only takes the first few of each origin
in turn, so one innovation's list cannot crowd out the network's, and shows
a recommendation two origins share once.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING

from lisa.report.sections.response import thin_groups, who_answered
from lisa.report.views import ExecutiveSummary, FindingView, RecommendationView

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: How many recommendations page 1 shows at most.
TOP_RECOMMENDATIONS = 5


def top_recommendations(
    recommendations: Sequence[RecommendationView], limit: int = TOP_RECOMMENDATIONS
) -> list[RecommendationView]:
    """The first ``limit`` recommendations, taking each origin's next one in turn.

    A recommendation two origins share (the same title) is shown once.
    """
    by_origin: dict[str, list[RecommendationView]] = {}
    for rec in recommendations:
        by_origin.setdefault(rec.origin, []).append(rec)
    picked: dict[str, RecommendationView] = {}
    for turn in zip_longest(*by_origin.values()):
        for rec in turn:
            if rec is not None and rec.title not in picked:
                picked[rec.title] = rec
    return list(picked.values())[:limit]


def executive_summary(
    result: AnalysisResult,
    findings: Sequence[FindingView],
    recommendations: Sequence[RecommendationView],
) -> ExecutiveSummary:
    """Page 1: who answered, the findings with their headlines, the top recommendations."""
    top = top_recommendations(recommendations)
    return ExecutiveSummary(
        response=who_answered(result.response),
        thin_groups=thin_groups(result.response),
        findings=list(findings),
        recommendations=top,
        more_recommendations=len(recommendations) - len(top),
    )
