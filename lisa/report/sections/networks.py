"""The networks in numbers: one row per relation and one for all relations combined."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lisa.report import charts

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult


def networks_table(result: AnalysisResult) -> list[dict[str, str]]:
    """Size, density, reciprocity, cores and mixing of every network, formatted."""
    blocks = [("All relations combined", result.combined)] + [
        (block.label or name, block) for name, block in result.relations.items()
    ]
    rows = []
    for label, block in blocks:
        net = block.network
        rows.append(
            {
                "network": label,
                "people": f"{net.people:,}",
                "arcs": f"{net.arcs:,}",
                "density": charts.num(net.density, 4),
                "reciprocity": charts.pct(net.reciprocity),
                "ties_per_respondent": charts.num(net.ties_per_respondent, 2),
                "components": f"{net.components:,}",
                "core_size": f"{net.core_size:,}",
                "ei_sector": charts.num(net.ei_index.get("sector"), 2),
                "diversity_sector": charts.num(net.mean_contact_diversity.get("sector"), 2),
            }
        )
    return rows
