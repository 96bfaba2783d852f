"""Core consistency: who is in the relations' cores, the stable core, the groups outside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lisa.findings import ExcludedGroupFinding
from lisa.network.results import GroupRepresentation
from lisa.privacy import Pseudonymiser
from lisa.report import charts
from lisa.report.sections.common import label
from lisa.report.sections.findings import excluded_row
from lisa.report.views import Figure

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: How many members of the stable core the report names at most.
STABLE_CORE_NAMED = 40


def core_overlap(result: AnalysisResult) -> Figure:
    """How much the relations' cores overlap (Jaccard), as a heatmap and a table."""
    cc = result.core_consistency
    labels = {r: (block.label or r) for r, block in result.relations.items()}
    names = list(labels.values())
    overlap: dict[str, dict[str, float | None]] = {
        labels[a]: {labels[b]: cc.overlap_of(a, b) for b in labels} for a in labels
    }
    chart = charts.heatmap(
        names,
        names,
        overlap,
        title="How much the relations' cores overlap (Jaccard)",
        value_label="Jaccard overlap",
        row_axis="relation",
        col_axis="relation",
    )
    return Figure(
        chart,
        ["relation", *names],
        [[a] + [charts.num(overlap[a].get(b), 2) for b in names] for a in names],
        f"Mean overlap between pairs of relations: {charts.num(cc.mean_overlap, 2)}.",
    )


def core_counts(result: AnalysisResult) -> Figure:
    """People by the number of network cores they are in."""
    n_rel = len(result.relations)
    counts = np.bincount(
        [p.core_networks for p in result.combined.people.values()], minlength=n_rel + 1
    )
    items = [(f"in {k} core{'s' if k != 1 else ''}", float(counts[k])) for k in range(n_rel + 1)]
    return Figure(
        charts.bars(items, title="People by the number of network cores they are in", fmt="num"),
        ["cores", "people"],
        [[name, f"{int(v):,}"] for name, v in items],
    )


def _representation(grouping: str, groups: dict[str, GroupRepresentation]) -> Figure:
    chart = charts.bars(
        [(g, v.representation) for g, v in groups.items()],
        title=f"Representation in the cores by {grouping} (1 = as expected)",
        fmt="num",
        colours=charts.category_colours(sorted(groups)),
        reference=(1.0, "as expected"),
    )
    rows = [
        [
            g,
            f"{v.people:,}",
            charts.pct(v.share_of_people),
            charts.pct(v.share_of_core),
            charts.num(v.representation, 2),
        ]
        for g, v in groups.items()
    ]
    columns = [grouping, "people", "share of people", "share of core places", "representation"]
    return Figure(chart, columns, rows)


def core_representation(result: AnalysisResult) -> list[Figure]:
    """Each layer's and sector's share of the core places against its share of the people."""
    by_group = result.core_consistency.by_group
    return [
        _representation(grouping, by_group[grouping])
        for grouping in ("layer", "sector")
        if by_group.get(grouping)
    ]


def stable_core(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> dict[str, Any]:
    """The stable core: its size, its share of the place, its sectors and (if allowed) who."""
    stable = result.core_consistency.stable_core
    n = result.study_summary.people
    named = pseudonymiser is None and result.names_individuals
    return {
        "size": len(stable),
        "share": len(stable) / n if n else 0.0,
        "by_sector": list(result.core_consistency.stable_core_by.get("sector", {}).items()),
        "people": [label(result, p, None) for p in stable[:STABLE_CORE_NAMED]] if named else [],
    }


def excluded_groups(result: AnalysisResult) -> list[dict[str, str]]:
    """The groups outside the core, as the excluded-group finding gives them."""
    f = result.finding("excluded-group")
    if not isinstance(f, ExcludedGroupFinding):
        return []
    return [excluded_row(g) for g in f.evidence.groups]
