"""Compared with other places: where this place stands on each indicator, and who is most alike.

Built from a :class:`lisa.compare.Comparison` (``lisa compare --report``), so
every number is the comparison's own: the percentile of each indicator
among the other places (with the number of places behind it), one chart per
headline indicator with every place's value and this place picked out, and
the places most like it by the stated distance (``docs/compare.md``). The
section holds place-level figures only, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lisa.compare.indicators import is_percent, label_of
from lisa.report import charts
from lisa.report.views import Figure, Table

if TYPE_CHECKING:
    from lisa.compare.run import Comparison
    from lisa.compare.standing import PlaceComparison, Standing

#: The indicators drawn one chart each, every place's value beside this one's.
HEADLINE = ("networking", "density", "core_share", "core_overlap", "connected_difference")
#: This place's colour in the charts; the others are grey.
HIGHLIGHT, OTHERS = charts.OKABE_ITO[5], charts.NO_GROUP_COLOUR
ANCHOR, HEADING = "compare", "Compared with other places"


@dataclass
class CompareView:
    """The section's content, already worded."""

    reference: str
    places: int
    lead: str
    standing: Figure
    indicators: list[Figure]
    alike: Table
    high_networking: str


def _shown(key: str, value: float | None) -> str:
    return charts.pct(value, 1) if is_percent(key) else charts.num(value, 3)


def _where(s: Standing) -> str:
    if s.percentile is None:
        return f"above {s.below} of {s.places} (too few places for a percentile)"
    return f"{s.percentile:.0f}"


def _standing_figure(p: PlaceComparison, min_places: int) -> Figure:
    items = [(label_of(s.key), None if s.percentile is None else s.percentile / 100)
             for s in p.standings]  # fmt: skip
    marks = {label_of(s.key): f"of {s.places}" for s in p.standings}
    chart = charts.bars(
        items,
        title=f"Where {p.place.name} stands among the other places (percentile)",
        vmax=1.0,
        marks=marks,
        reference=(0.5, "the middle"),
    )
    rows = [[label_of(s.key), _shown(s.key, s.value), _where(s), f"{s.places}",
             _shown(s.key, s.reference_median)] for s in p.standings]  # fmt: skip
    return Figure(
        chart,
        ["indicator", "value", "percentile", "other places", "their median"],
        rows,
        "Percentile: the share of the other places below this one, ties counting half; "
        f"none is given with fewer than {min_places} other places.",
    )


def _indicator_figure(c: Comparison, name: str, key: str) -> Figure | None:
    values = [(q.place.name, q.place.value(key)) for q in c.places]
    known = sorted(((n, v) for n, v in values if v is not None), key=lambda t: -t[1])
    if name not in dict(known) or len(known) < 2:
        return None
    fmt = "pct" if is_percent(key) else "num"
    chart = charts.bars(
        known,
        title=f"{label_of(key)[0].upper()}{label_of(key)[1:]}: every place",
        fmt=fmt,
        colours={n: HIGHLIGHT if n == name else OTHERS for n, _ in known},
        marks={name: "this place"},
    )
    rows = [[n, _shown(key, v)] for n, v in known]
    return Figure(chart, ["place", label_of(key)], rows, f"{name} is picked out.")


def compare_section(comparison: Comparison, name: str) -> CompareView:
    """The section for place ``name`` of ``comparison``.

    Raises
    ------
    ConfigError
        ``name`` is not a place of the comparison.
    """
    p = comparison.place(name)
    figures = [f for key in HEADLINE if (f := _indicator_figure(comparison, name, key))]
    alike = Table(
        ["place", "distance", "indicators compared"],
        [[a.name, f"{a.distance:.2f}", str(a.indicators)] for a in p.most_alike],
        "Distance: the root mean square difference over the shared indicators, each in "
        "standard deviations of the set; 0 is the same profile, about 1.4 two places at random.",
    )
    others = len(comparison.places) - 1
    hn = p.high_networking
    return CompareView(
        reference=comparison.reference,
        places=others,
        lead=f"{name} among the {others} other places of '{comparison.reference}'.",
        standing=_standing_figure(p, comparison.reference_min_places),
        indicators=figures,
        alike=alike,
        high_networking=hn.detail if hn else
        "Against these places, the networking level is not high (not above their upper quartile,"
        " or the fixed benchmark where they are too few).",
    )  # fmt: skip
