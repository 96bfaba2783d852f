"""The layer picture and who links with whom (layer and sector mixing)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from lisa.report import charts
from lisa.report.views import Figure
from lisa.vocabulary import LAYERS

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult


def layer_picture(result: AnalysisResult) -> Figure:
    """The four layers drawn from the data, with the density and verdict of every link."""
    lay = result.layers
    overall = lay.overall_density
    picture = charts.layer_picture(
        [g for g in LAYERS if g in lay.groups], lay.people, lay.links, overall
    )
    rows = [
        [
            ("within " + x.a) if x.kind == "horizontal" else f"between {x.a}-{x.b}",
            charts.num(x.density, 4),
            charts.num(x.ratio, 2),
        ]
        for x in lay.links
    ]
    return Figure(
        picture,
        ["links", "density", "× overall"],
        rows,
        f"Overall density of the combined network: {charts.num(overall, 4)}. Thin: below "
        f"{lay.thin_links_ratio} × overall; dense: at or above overall.",
    )


def mixing(
    groups: Sequence[str], values: Mapping[str, Mapping[str, float | None]], title: str
) -> Figure:
    """A heatmap of tie density between groups, with its table."""
    chart = charts.heatmap(groups, groups, values, title=title, value_label="density", fmt="num")
    rows = [[g] + [charts.num(values.get(g, {}).get(h), 4) for h in groups] for g in groups]
    return Figure(chart, ["from \\ to", *groups], rows)


def layer_mixing(result: AnalysisResult) -> Figure:
    """Tie density between the layers."""
    return mixing(
        result.layers.groups,
        result.layers.density,
        "Tie density between layers (combined network)",
    )


def sector_mixing(result: AnalysisResult) -> Figure:
    """Tie density between the sectors."""
    return mixing(
        result.sectors.groups,
        result.sectors.density,
        "Tie density between sectors (combined network)",
    )
