"""Where each place stands among the others, and which places are most like it.

**The percentile rule.** A place's percentile on an indicator is the share
of the *other* places with a value for it that lie below it, counting places
with the same value as half below (the mid-rank rule):
``100 × (below + equal / 2) / n``. A place above all others stands at 100,
below all at 0, level with all at 50; the place itself is never in its own
reference set. ``n`` — the number of places behind the percentile — is always
given beside it. With fewer than ``reference_min_places`` other places
(:class:`lisa.config.AnalysisConfig`) no percentile is given: only the counts
(*higher than 2 of 3*), which say all there is to say about so few.

**Most alike.** Every indicator is standardised over the whole set (minus the
mean, over the standard deviation, population form; an indicator every place
shares the same value of is left out). The distance between two places is
the root mean square of their differences in standard deviations over the
indicators both have — 0 for identical profiles, about 1.4 for two unrelated
places — and is given only when they share at least :data:`MIN_SHARED`
indicators.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from pydantic import Field

from lisa.compare.indicators import PlaceIndicators
from lisa.config import AnalysisConfig
from lisa.findings import HighNetworking, Reference, networking_finding
from lisa.network.results import ResultModel

#: Indicators two places must share to be given a distance.
MIN_SHARED = 3
#: How many of the most alike places are listed for each place.
MOST_ALIKE = 3


class Standing(ResultModel):
    """One place on one indicator, among the others."""

    key: str
    value: float
    places: int = Field(description="Other places with a value: the n behind the percentile.")
    below: int = Field(description="Other places with a lower value.")
    equal: int = Field(description="Other places with the same value.")
    above: int = Field(description="Other places with a higher value.")
    percentile: float | None = Field(
        description="100 × (below + equal/2) / places; null with fewer than "
        "reference_min_places other places."
    )
    reference_median: float | None = Field(description="The other places' median.")


class Alike(ResultModel):
    """Another place and how far its profile is from this one's."""

    name: str
    distance: float = Field(description="RMS difference in standard deviations.")
    indicators: int = Field(description="Indicators the distance is over.")


class PlaceComparison(ResultModel):
    """One place against the others."""

    place: PlaceIndicators
    standings: list[Standing]
    most_alike: list[Alike]
    high_networking: HighNetworking | None = Field(
        description="high-networking judged against the other places (or the fixed number "
        "when they are too few)."
    )


def standing(key: str, value: float, others: Sequence[float], min_places: int) -> Standing:
    """Place ``value`` among ``others`` by the mid-rank rule (module docs).

    >>> standing("density", 0.2, [0.1, 0.2, 0.3, 0.4], min_places=3).percentile
    37.5
    """
    below = sum(1 for x in others if x < value)
    equal = sum(1 for x in others if x == value)
    n = len(others)
    return Standing(
        key=key,
        value=value,
        places=n,
        below=below,
        equal=equal,
        above=n - below - equal,
        percentile=100 * (below + equal / 2) / n if n >= max(1, min_places) else None,
        reference_median=statistics.median(others) if n else None,
    )


def _scales(places: Sequence[PlaceIndicators]) -> dict[str, tuple[float, float]]:
    """(mean, standard deviation) of every indicator that varies across the set."""
    keys = sorted({k for p in places for k in p.keys()})
    out = {}
    for key in keys:
        xs = [v for p in places if (v := p.value(key)) is not None]
        if len(xs) < 2:
            continue
        mean = sum(xs) / len(xs)
        sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
        if sd > 0:
            out[key] = (mean, sd)
    return out


def distance(
    a: PlaceIndicators, b: PlaceIndicators, scales: dict[str, tuple[float, float]]
) -> tuple[float, int] | None:
    """(RMS standardised difference, indicators used), or None if they share too few."""
    diffs = [
        ((va - vb) / sd) ** 2
        for key, (_, sd) in scales.items()
        if (va := a.value(key)) is not None and (vb := b.value(key)) is not None
    ]
    if len(diffs) < MIN_SHARED:
        return None
    return math.sqrt(sum(diffs) / len(diffs)), len(diffs)


def _most_alike(
    place: PlaceIndicators, others: Sequence[PlaceIndicators], scales: dict[str, tuple[float, float]]
) -> list[Alike]:
    found = [
        Alike(name=o.name, distance=d[0], indicators=d[1])
        for o in others
        if (d := distance(place, o, scales)) is not None
    ]
    return sorted(found, key=lambda a: (a.distance, a.name))[:MOST_ALIKE]


def compare_place(
    place: PlaceIndicators,
    others: Sequence[PlaceIndicators],
    config: AnalysisConfig,
    *,
    reference_name: str,
    scales: dict[str, tuple[float, float]],
) -> PlaceComparison:
    """One place against ``others`` (which must not contain it)."""
    standings = []
    for key in place.keys():
        value = place.value(key)
        assert value is not None
        ref = [v for o in others if (v := o.value(key)) is not None]
        standings.append(standing(key, value, ref, config.reference_min_places))
    networking = {r: v for r, v in place.networking_by_relation.items() if v is not None}
    return PlaceComparison(
        place=place,
        standings=standings,
        most_alike=_most_alike(place, others, scales),
        high_networking=networking_finding(
            networking, config, networking_reference(others, reference_name)
        ),
    )


def networking_reference(others: Sequence[PlaceIndicators], name: str) -> Reference:
    """The set high-networking is judged against: its name and the places' networking levels."""
    return name, [v for o in others if (v := o.value("networking")) is not None]


def compare_places(
    places: Sequence[PlaceIndicators], config: AnalysisConfig, reference_name: str
) -> list[PlaceComparison]:
    """Every place against all the others of ``places`` (names must be unique)."""
    scales = _scales(places)
    return [
        compare_place(
            p,
            [o for o in places if o is not p],
            config,
            reference_name=reference_name,
            scales=scales,
        )
        for p in places
    ]
