"""A place's indicators: the handful of numbers that make places comparable.

Every indicator is read from the typed analysis result
(:class:`~lisa.analysis.AnalysisResult`); nothing is computed again. Each is
a number for the whole place (never for a person or a small group), so the
same figures can travel in a benchmark pack (:mod:`lisa.compare.pack`).
:data:`INDICATORS` is the one list of them, with the wording the command
line, the report and ``docs/compare.md`` use; the networking level of each
relation adds one indicator per relation (``networking.<relation>``),
compared only among places that have that relation.

Every indicator but the response rate rests on what respondents said (the
ties are their answers), and all of them are withheld (``None``) for a place
with fewer respondents than the small-cell threshold
:data:`lisa.privacy.MIN_CELL`: a figure from two or three people's answers is
about those people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from lisa.findings import networking_levels
from lisa.network.results import ResultModel
from lisa.privacy import MIN_CELL

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: Prefix of the per-relation networking indicators (``networking.work``).
NETWORKING = "networking."


@dataclass(frozen=True)
class Indicator:
    """One comparable number: its key, how it reads, and where it comes from."""

    key: str
    label: str
    description: str
    read: Callable[[AnalysisResult], float | None]
    percent: bool = False  # shown as a percentage


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _networking(r: AnalysisResult) -> float | None:
    return _mean(list(networking_levels(r).values()))


def _link_ratio(r: AnalysisResult, kind: str) -> float | None:
    return _mean(
        [x.ratio for x in r.layers.links if x.kind == kind and x.judged and x.ratio is not None]
    )


def _within_sector(r: AnalysisResult) -> float | None:
    ties = r.sectors.ties
    total = sum(sum(row.values()) for row in ties.values())
    return sum(ties[g].get(g, 0) for g in ties) / total if total else None


def _share(count: int, people: int) -> float | None:
    return count / people if people else None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "networking",
        "networking level",
        "People named per respondent, averaged over the relations (what high-networking judges).",
        _networking,
    ),
    Indicator(
        "density",
        "density",
        "Arcs over possible arcs in the combined network.",
        lambda r: r.combined.network.density,
        percent=True,
    ),
    Indicator(
        "reciprocity",
        "reciprocity",
        "Share of the combined network's arcs that are returned.",
        lambda r: r.combined.network.reciprocity,
        percent=True,
    ),
    Indicator(
        "core_share",
        "core size",
        "People in the combined network's core, as a share of everyone.",
        lambda r: _share(r.combined.network.core_size, r.combined.network.people),
        percent=True,
    ),
    Indicator(
        "core_closure",
        "core closure",
        "Borgatti–Everett fit of the combined core: 1 when the core is fully tied among "
        "itself and the periphery has no ties of its own.",
        lambda r: r.combined.network.core_fit,
    ),
    Indicator(
        "stable_core_share",
        "stable core",
        "People in the core of most relations (the stable core), as a share of everyone.",
        lambda r: _share(len(r.core_consistency.stable_core), r.combined.network.people),
        percent=True,
    ),
    Indicator(
        "core_overlap",
        "core overlap across networks",
        "Mean Jaccard overlap of the relations' cores: 1 when every network has the same core.",
        lambda r: r.core_consistency.mean_overlap,
    ),
    Indicator(
        "ei_sector",
        "E–I index (sector)",
        "Ties across sectors minus ties within, over all ties: -1 all within, +1 all across.",
        lambda r: r.combined.network.ei_index.get("sector"),
    ),
    Indicator(
        "ei_layer",
        "E–I index (layer)",
        "The E–I index between the four layers.",
        lambda r: r.combined.network.ei_index.get("layer"),
    ),
    Indicator(
        "connected_difference",
        "connected difference",
        "Mean sector diversity (IQV) of each person's contacts: 0 all alike, 1 evenly mixed.",
        lambda r: r.combined.network.mean_contact_diversity.get("sector"),
    ),
    Indicator(
        "horizontal_links",
        "horizontal links (layer mixing)",
        "Mean density within a layer over the whole network's density (judged layers).",
        lambda r: _link_ratio(r, "horizontal"),
    ),
    Indicator(
        "vertical_links",
        "vertical links (layer mixing)",
        "Mean density between adjacent layers over the whole network's density.",
        lambda r: _link_ratio(r, "vertical"),
    ),
    Indicator(
        "within_sector",
        "ties within a sector (sector mixing)",
        "Share of the combined network's arcs that stay inside one sector.",
        _within_sector,
        percent=True,
    ),
    Indicator(
        "response",
        "response rate",
        "Share of the people who answered the survey.",
        lambda r: r.response.rate,
        percent=True,
    ),
)

#: Indicators that rest on respondents' answers (withheld under MIN_CELL respondents): every
#: one but the response rate, since the ties, and so the cores and the mixing, are their answers.
FROM_ANSWERS = frozenset(i.key for i in INDICATORS if i.key != "response")

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}


def label_of(key: str) -> str:
    """How an indicator key reads (``networking.work`` → ``networking level: work``)."""
    if key.startswith(NETWORKING):
        return f"networking level: {key.removeprefix(NETWORKING)}"
    return BY_KEY[key].label if key in BY_KEY else key


def is_percent(key: str) -> bool:
    """Whether the indicator is a share, shown as a percentage."""
    return key in BY_KEY and BY_KEY[key].percent


class PlaceIndicators(ResultModel):
    """One place's indicators, with nothing about any person in it."""

    name: str = Field(description="The place (the study's name, or as the pack says).")
    people: int = Field(description="People on the roster.")
    respondents: int = Field(description="People who answered the survey.")
    relations: list[str] = Field(description="The relations surveyed.")
    values: dict[str, float | None] = Field(
        description="Indicator key → value (null where undefined or withheld)."
    )
    networking_by_relation: dict[str, float | None] = Field(
        description="People named per respondent in each relation (networking.<relation>)."
    )

    def value(self, key: str) -> float | None:
        """One indicator's value, per-relation networking included."""
        if key.startswith(NETWORKING):
            return self.networking_by_relation.get(key.removeprefix(NETWORKING))
        return self.values.get(key)

    def keys(self) -> list[str]:
        """Every indicator key this place has a value for."""
        keys = [k for k, v in self.values.items() if v is not None]
        return keys + [NETWORKING + r for r, v in self.networking_by_relation.items() if v is not None]


def indicators_of(result: AnalysisResult, name: str | None = None) -> PlaceIndicators:
    """Read a place's indicators from its analysis.

    Parameters
    ----------
    result
        The place's analysis (computed or reloaded; the study is not needed).
    name
        The place's name (default: the study's name).

    Returns
    -------
    PlaceIndicators

    Examples
    --------
    >>> import lisa
    >>> place = indicators_of(lisa.analyse(lisa.generate(80, seed=1)), "A")
    >>> place.people, 0 <= place.values["density"] <= 1
    (80, True)
    """
    respondents = result.response.respondents
    withheld = respondents < MIN_CELL
    values = {
        i.key: None if withheld and i.key in FROM_ANSWERS else _finite(i.read(result))
        for i in INDICATORS
    }
    networking = {
        rel: None if withheld else _finite(level) for rel, level in networking_levels(result).items()
    }
    return PlaceIndicators(
        name=name or result.study_summary.name,
        people=result.study_summary.people,
        respondents=respondents,
        relations=list(result.relations),
        values=values,
        networking_by_relation=networking,
    )


def _finite(x: float | None) -> float | None:
    return None if x is None or x != x or x in (float("inf"), float("-inf")) else float(x)
