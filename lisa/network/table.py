"""The per-person numbers of an analysis as one columnar table (Parquet).

A 100,000-person place's analysis JSON is large; analysts who want the people
in a dataframe read ``people.parquet`` instead (polars, pandas, R's arrow,
DuckDB). The table holds exactly what the JSON's ``relations.*.people`` and
``combined.people`` hold, long format:

``network`` (a relation's name, or ``combined``), ``id``, then each scalar
metric of :class:`~lisa.network.results.PersonMetrics` under its own name,
``roles`` (a list), ``diversity_<grouping>`` and ``brokerage_<grouping>_<role>``;
``core_networks`` is filled on the combined rows only (null elsewhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from lisa.files import atomic_target
from lisa.network.brokerage import ROLES as BROKERAGE_ROLES
from lisa.network.results import CombinedPersonMetrics, Network, PersonMetrics

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

COMBINED = "combined"
#: The one-value-per-person fields, in the order of the model.
SCALARS = tuple(
    name
    for name, info in PersonMetrics.model_fields.items()
    if name not in ("brokerage", "diversity", "roles")
)


def _columns(name: str, network: Network, combined: bool) -> dict[str, list[Any] | pl.Series]:
    people = network.people
    rows = list(people.values())
    cols: dict[str, list[Any] | pl.Series] = {"network": [name] * len(rows), "id": list(people)}
    values = [p.__dict__ for p in rows]
    for field in SCALARS:
        cols[field] = [v[field] for v in values]
    cols["roles"] = _lists([v["roles"] for v in values])
    groupings = sorted({g for p in rows for g in p.diversity})
    for g in groupings:
        cols[f"diversity_{g}"] = [p.diversity.get(g) for p in rows]
    for g in sorted({g for p in rows for g in p.brokerage}):
        counts = [cast(dict[str, int], p.brokerage[g]) for p in rows]
        for role in BROKERAGE_ROLES:
            cols[f"brokerage_{g}_{role}"] = [c[role] for c in counts]
    cols["core_networks"] = [
        p.core_networks if combined and isinstance(p, CombinedPersonMetrics) else None
        for p in rows
    ]
    return cols


def _lists(lists: list[list[str]]) -> pl.Series:
    """A list-of-strings column from per-person lists, built from the few distinct ones.

    (Everyone's roles are one of a handful of lists; polars would otherwise build one
    inner series per person.)
    """
    distinct: dict[tuple[str, ...], int] = {}
    codes = [distinct.setdefault(tuple(x), len(distinct)) for x in lists]
    lookup = pl.Series([list(k) for k in distinct], dtype=pl.List(pl.String))
    return lookup.gather(pl.Series(codes, dtype=pl.UInt32)) if codes else lookup


def people_table(result: AnalysisResult) -> pl.DataFrame:
    """The long per-person table of ``result`` (see the module docs)."""
    frames = [
        pl.DataFrame(_columns(name, net, False), strict=False)
        for name, net in result.relations.items()
    ]
    frames.append(pl.DataFrame(_columns(COMBINED, result.combined, True), strict=False))
    table = pl.concat(frames, how="diagonal_relaxed")
    return table.with_columns(pl.col("core_networks").cast(pl.Int64))


def write_parquet(table: pl.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` as Parquet (zstd), atomically."""
    with atomic_target(path) as tmp:
        table.write_parquet(tmp, compression="zstd")
    return Path(path)
