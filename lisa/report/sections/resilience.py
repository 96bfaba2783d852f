"""Resilience: the reach the others lose when people leave, beside random departures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lisa.network.results import Departure
from lisa.report import charts
from lisa.report.views import Figure

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

COLUMNS = [
    "scenario",
    "people leaving",
    "reach after",
    "reach loss",
    "random loss",
    "largest part after",
]


def scenario_text(s: Departure) -> str:
    """A resilience scenario in words."""
    if s.kind == "stable-core":
        return "the stable core leaves"
    if s.kind == "top-hubs":
        return f"the top {len(s.removed)} hubs leave"
    return f"{s.group} leave"


def _row(s: Departure) -> list[str]:
    return [
        scenario_text(s),
        f"{len(s.removed):,}",
        charts.pct(s.reach2_after),
        charts.pct(s.reach_loss, 1),
        charts.pct(s.random_reach_loss, 1),
        charts.pct(s.largest_component_share_after),
    ]


def resilience(result: AnalysisResult) -> Figure:
    """Every departure scenario: the chart of losses and the table of its numbers."""
    res = result.resilience
    chart = charts.paired_bars(
        [(scenario_text(s), s.reach_loss, s.random_reach_loss or 0.0) for s in res.scenarios],
        title="Loss of two-step reach when people leave",
        labels=("these people leave", "as many random others leave"),
    )
    return Figure(
        chart,
        COLUMNS,
        [_row(s) for s in res.scenarios],
        f"Before anyone leaves, people reach {charts.pct(res.baseline.reach2)} "
        "of the others within two steps on average.",
    )
