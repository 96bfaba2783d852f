"""Value created and the pipeline: each value ledger beside its value corner, and each
place's portfolio of innovations.

For every ledger (:class:`lisa.value.ValueResult`) the section shows the value
created as numbers with their evidence - each outcome's impact and present
value, the totals, the ratio, the payback - the value over time (discounted
value and costs by year, a value curve measured rather than sketched), the
tornado of its assumptions, and, when the same innovation is assessed, its
value corner's score from the answers next to the ledger's verdict. The
portfolio part lays out :func:`lisa.assess.portfolio.portfolios`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lisa.report import charts
from lisa.report.views import Figure, RecommendationView, Table
from lisa.sources import cite

if TYPE_CHECKING:
    from lisa.assess.model import Assessment
    from lisa.assess.portfolio import Portfolio
    from lisa.value.model import ValueResult


@dataclass
class ValueView:
    """One ledger as the report shows it."""

    name: str
    headline: str  # present value, NPV, ratio, payback in one sentence
    verdict: str
    corner: str  # the assessed value corner beside the verdict ("" when not assessed)
    discounting: str
    outcomes: Table
    over_time: Figure
    tornado: Figure | None
    sensitivity_text: str
    source: str = field(default="")


def _money(x: float | None, currency: str) -> str:
    return "–" if x is None else f"{x:,.0f} {currency}"


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} : 1"


def _outcomes(r: ValueResult) -> Table:
    return Table(
        ["outcome", "stakeholder", "indicator", "evidence", "impact a year", "years", "present value"],
        [
            [o.outcome or o.id, o.stakeholder, o.indicator,
             o.evidence_strength + (f" ({o.evidence_source})" if o.evidence_source else ""),
             _money(o.impact, r.currency), f"{o.years[0]}–{o.years[1]}",
             _money(o.present_value, r.currency)]  # fmt: skip
            for o in r.outcomes
        ],
    )


def _over_time(r: ValueResult) -> Figure:
    label = (lambda y: str(y.calendar_year)) if r.years[0].calendar_year else (lambda y: f"year {y.year}")
    chart = charts.bars(
        [(label(y), y.cumulative_net) for y in r.years],
        title=f"Value curve: cumulative discounted value less costs, {r.innovation}",
        fmt="num",
        reference=(0.0, "paid back"),
    )
    rows = [[label(y), _money(y.costs, r.currency), _money(y.value, r.currency),
             charts.num(y.discount_factor, 3), _money(y.cumulative_net, r.currency)]
            for y in r.years]  # fmt: skip
    return Figure(chart, ["year", "costs", "value", "discount factor", "cumulative net (discounted)"], rows)


def _tornado(r: ValueResult) -> Figure | None:
    rows = r.sensitivity.rows
    if not rows:
        return None
    chart = charts.bars(
        [(row.target, row.swing) for row in rows],
        title=f"What the ratio hinges on: {r.innovation}",
        fmt="num",
    )
    table = [[row.target, f"{row.low:g} / {row.central:g} / {row.high:g}", _ratio(row.ratio_low),
              _ratio(row.ratio_high), row.note] for row in rows]  # fmt: skip
    return Figure(chart, ["assumption", "low / ledger / high", "ratio at low", "ratio at high", "note"],
                  table, "Each assumption at its low and high value, the others as the ledger has them.")  # fmt: skip


def _corner(r: ValueResult, assessments: Sequence[Assessment]) -> str:
    from lisa.value.advice import corner_check, ledger_for

    for a in assessments:
        if ledger_for(a, [r]) is r:
            return corner_check(a, r)
    return ""


def value_view(r: ValueResult, assessments: Sequence[Assessment] = ()) -> ValueView:
    """One ledger for the report: headline, outcomes with evidence, value over time, tornado."""
    payback = "not within the ledger" if r.payback_years is None else f"{r.payback_years:.1f} years"
    s = r.sensitivity
    return ValueView(
        name=r.innovation + (f" ({r.place})" if r.place else ""),
        headline=f"Present value {_money(r.present_value, r.currency)} for inputs of "
        f"{_money(r.pv_inputs, r.currency)}: net present value {_money(r.npv, r.currency)}, an "
        f"SROI ratio of {_ratio(r.ratio)}, payback {payback}.",
        verdict=f"{r.verdict[0].upper()}{r.verdict[1:]}: {r.verdict_reason}.",
        corner=_corner(r, assessments),
        discounting=f"Discounted at {r.discounting}. The financial proxies are the ledger's own.",
        outcomes=_outcomes(r),
        over_time=_over_time(r),
        tornado=_tornado(r),
        sensitivity_text=(f"One assumption at a time the ratio runs from {_ratio(s.ratio_min)} to "
                          f"{_ratio(s.ratio_max)}; with all at their ends, {_ratio(s.ratio_all_low)} "
                          f"to {_ratio(s.ratio_all_high)}.") if s.rows else "",  # fmt: skip
        source=cite("005; 006"),
    )


def value_views(results: Sequence[ValueResult], assessments: Sequence[Assessment] = ()) -> list[ValueView]:
    """Every ledger as the report shows it, in the order given."""
    return [value_view(r, assessments) for r in results]


def value_recommendations(
    assessments: Sequence[Assessment], results: Sequence[ValueResult]
) -> list[RecommendationView]:
    """The value recommendations (missing or weak evidence) as the report lists them."""
    from lisa.value.advice import value_recommendations as advise

    return [
        RecommendationView(rec.title, rec.action, "; ".join(rec.why), rec.cluster_title,
                           cite(rec.source.ref), a.innovation + (f" ({a.place})" if a.place else ""),
                           rec.source.ref)  # fmt: skip
        for a, rec in advise(assessments, results)
    ]


@dataclass
class PortfolioView:
    """One place's pipeline as the report shows it."""

    place: str
    phases: Table
    balance: list[str]
    value: str
    gaps: list[str]
    accountability: str


def portfolio_views(
    assessments: Sequence[Assessment], results: Sequence[ValueResult]
) -> list[PortfolioView]:
    """Each place's pipeline of innovations, with the value its ledgers show."""
    from lisa.assess.portfolio import portfolios

    return [_portfolio_view(p) for p in portfolios(assessments, results)]


def _portfolio_view(p: Portfolio) -> PortfolioView:
    v = p.value
    value = ("No value ledger for these innovations." if not v.ledgers else
             f"{v.ledgers} ledger(s): present value {charts.num(v.present_value)}, net "
             f"{charts.num(v.npv)} ({', '.join(v.currencies)}).")  # fmt: skip
    return PortfolioView(
        place=p.place,
        phases=Table(["phase", "innovations", "stalled or reversing"],
                     [[f"{s.phase} — {s.name}", ", ".join(s.innovations) or "none",
                       ", ".join(s.stalled)] for s in p.phases]),  # fmt: skip
        balance=[f"By {name}: " + (", ".join(f"{k} {n}" for k, n in counts.items()) or "not stated")
                 for name, counts in (("trajectory", dict(p.trajectories)), ("type", p.kinds),
                                      ("extent", p.extents), ("service", p.services))],  # fmt: skip
        value=value,
        gaps=[g.text for g in p.gaps],
        accountability=f"{p.accountability} ({cite(p.source.ref)})",
    )
