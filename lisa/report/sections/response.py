"""Response rates: who answered, overall and by layer and sector, thin groups marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lisa.network.results import Response, ResponseGroup
from lisa.report import charts
from lisa.report.views import Figure
from lisa.vocabulary import LAYERS, RESPONSE_LEVEL_TEXT

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult


def who_answered(response: Response) -> str:
    """Who answered and what that allows, in one sentence (summary, section and caveats)."""
    if not response.known:
        return "The data did not say who answered, so everyone counts as a respondent."
    return (
        f"{response.respondents:,} of {response.people:,} people answered "
        f"({charts.pct(response.rate)}): " + RESPONSE_LEVEL_TEXT[response.level]
    )


def thin_groups(response: Response) -> list[str]:
    """The layers and sectors the analysis marks thin (too few answered to judge)."""
    return [
        f"{g} ({grouping})"
        for grouping, groups in (("layer", response.by_layer), ("sector", response.by_sector))
        for g, v in groups.items()
        if v.thin
    ]


def _order(grouping: str, groups: dict[str, ResponseGroup]) -> list[str]:
    if grouping == "layer":
        return [g for g in LAYERS if g in groups] + [g for g in groups if g not in LAYERS]
    return sorted(groups)


def _figure(result: AnalysisResult, grouping: str, groups: dict[str, ResponseGroup]) -> Figure:
    order = _order(grouping, groups)
    chart = charts.bars(
        [(g, groups[g].rate) for g in order],
        title=f"Response rate by {grouping}",
        fmt="pct",
        vmax=1.0,
        colours=charts.category_colours(order),
        marks={g: "thin" for g in order if groups[g].thin},
        reference=(result.config.response_name_individuals, "name individuals"),
    )
    rows = [
        [
            g,
            f"{groups[g].people:,}",
            f"{groups[g].respondents:,}",
            charts.pct(groups[g].rate),
            "yes" if groups[g].thin else "no",
        ]
        for g in order
    ]
    return Figure(chart, [grouping, "people", "respondents", "rate", "thin"], rows)


def response_figures(result: AnalysisResult) -> list[Figure]:
    """The response rate by layer and by sector (where the study has them)."""
    resp = result.response
    return [
        _figure(result, grouping, groups)
        for grouping, groups in (("layer", resp.by_layer), ("sector", resp.by_sector))
        if groups
    ]
