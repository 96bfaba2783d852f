"""Adding a ledger up: impact, discounting, present value, ratio, payback, sensitivity.

The steps are the SROI Guide's (stage 4, establishing impact, and stage 5,
calculating the SROI) and the discounting is the Green Book's; each formula is
written out in ``docs/value.md``. Briefly, for an outcome::

    impact   = quantity x proxy x (1 - deadweight) x (1 - displacement) x (1 - attribution)
    value(t) = impact x (1 - drop_off) ** (t - start_year)     for start_year <= t < start_year + duration
    DF(t)    = 1 / ((1 + r_1) x (1 + r_2) x ... x (1 + r_t)),  DF(0) = 1

and for the ledger ``PV = sum value(t) DF(t)``, ``PV inputs = sum cost(t) DF(t)``,
``NPV = PV - PV inputs``, ``ratio = PV / PV inputs``.

>>> from lisa.value.model import Input, Ledger, Outcome
>>> ledger = Ledger(innovation="x", inputs=[Input(id="grant", cost=1000)],
...     outcomes=[Outcome(id="o", quantity=10, proxy=100, deadweight=0, displacement=0,
...                       attribution=0, duration=1, start_year=0)])
>>> value_of(ledger).ratio
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

from lisa.errors import ConfigError
from lisa.value.model import (
    DISCOUNT_TARGET,
    LONG_TERM_RATES,
    MAX_YEAR,
    Assumption,
    Input,
    Ledger,
    Outcome,
    OutcomeValue,
    Sensitivity,
    SensitivityRow,
    ValueResult,
    ValueSettings,
    YearValue,
)
from lisa.vocabulary import EVIDENCE_STRENGTHS


def settings_for(ledger: Ledger, settings: ValueSettings | None = None) -> ValueSettings:
    """The settings in force for a ledger.

    Parameters
    ----------
    ledger
        The ledger (its ``discount_rate``, if it gives one).
    settings
        Settings given by the caller (the command line's ``--set``).

    Returns
    -------
    ValueSettings
        ``settings`` when given, else the defaults with the ledger's own rate.
    """
    if settings is not None:
        return settings
    if ledger.discount_rate is not None:
        return ValueSettings(discount_rate=ledger.discount_rate)
    return ValueSettings()


def rate_in(year: int, settings: ValueSettings) -> float:
    """The discount rate of one year: the setting, or a lower Green Book long-term rate.

    Parameters
    ----------
    year
        The year (1 or later; year 0 is not discounted).
    settings
        ``discount_rate`` and ``declining_long_term``.

    Returns
    -------
    float
        The rate for that year.

    Examples
    --------
    >>> s = ValueSettings()
    >>> rate_in(30, s), rate_in(31, s), rate_in(76, s)
    (0.035, 0.03, 0.025)
    """
    rate = settings.discount_rate
    if settings.declining_long_term:
        for first, long_rate in LONG_TERM_RATES:
            if year >= first:
                rate = min(settings.discount_rate, long_rate)
    return rate


def discount_factors(horizon: int, settings: ValueSettings) -> list[float]:
    """The discount factors of years 0 to ``horizon``.

    Parameters
    ----------
    horizon
        The last year.
    settings
        The rates (:func:`rate_in`).

    Returns
    -------
    list of float
        ``DF(0) = 1`` and ``DF(t) = DF(t - 1) / (1 + r_t)``: each year's rate
        compounds on the years before it.

    Examples
    --------
    >>> [round(f, 4) for f in discount_factors(2, ValueSettings())]
    [1.0, 0.9662, 0.9335]
    """
    factors = [1.0]
    for year in range(1, horizon + 1):
        factors.append(factors[-1] / (1.0 + rate_in(year, settings)))
    return factors


def impact(outcome: Outcome) -> tuple[float, float, float, float]:
    """An outcome's first-year value, step by step.

    Parameters
    ----------
    outcome
        The outcome.

    Returns
    -------
    tuple of float
        Gross value (quantity x proxy), then the value after deadweight, after
        displacement and after attribution in turn (each a multiplication by
        one minus the share).

    Examples
    --------
    >>> o = Outcome(id="o", quantity=10, proxy=1000, deadweight=0.2, displacement=0.1,
    ...             attribution=0.25, duration=1)
    >>> [round(v) for v in impact(o)]
    [10000, 8000, 7200, 5400]
    """
    gross = outcome.quantity * outcome.proxy
    after_deadweight = gross * (1 - outcome.deadweight)
    after_displacement = after_deadweight * (1 - outcome.displacement)
    return gross, after_deadweight, after_displacement, after_displacement * (1 - outcome.attribution)


def outcome_values(outcome: Outcome) -> dict[int, float]:
    """The outcome's value in each of its years, after drop-off.

    Parameters
    ----------
    outcome
        The outcome.

    Returns
    -------
    dict of int to float
        Year: value, ``impact x (1 - drop_off) ** (year - start_year)``.
    """
    first = impact(outcome)[3]
    return {
        outcome.start_year + k: first * (1 - outcome.drop_off) ** k for k in range(outcome.duration)
    }


def _horizon(ledger: Ledger) -> int:
    """The ledger's last year: its last cost or the end of its longest outcome."""
    ends = [i.year for i in ledger.inputs] + [o.start_year + o.duration - 1 for o in ledger.outcomes]
    return max(ends)


def _pv(values: dict[int, float], factors: Sequence[float]) -> float:
    return sum(v * factors[t] for t, v in values.items())


def _outcome_view(outcome: Outcome, factors: Sequence[float]) -> OutcomeValue:
    gross, dead, disp, first = impact(outcome)
    values = outcome_values(outcome)
    return OutcomeValue(
        **outcome.model_dump(
            include={"id", "stakeholder", "outcome", "indicator", "quantity", "proxy",
                     "proxy_source", "evidence_source", "evidence_strength"}
        ),  # fmt: skip
        gross=gross,
        after_deadweight=dead,
        after_displacement=disp,
        impact=first,
        years=(outcome.start_year, outcome.start_year + outcome.duration - 1),
        total_value=sum(values.values()),
        present_value=_pv(values, factors),
    )


def _years(ledger: Ledger, settings: ValueSettings, factors: Sequence[float]) -> list[YearValue]:
    costs = [0.0] * len(factors)
    value = [0.0] * len(factors)
    for i in ledger.inputs:
        costs[i.year] += i.cost
    for o in ledger.outcomes:
        for t, v in outcome_values(o).items():
            value[t] += v
    out, cumulative = [], 0.0
    for t, df in enumerate(factors):
        cumulative += (value[t] - costs[t]) * df
        out.append(
            YearValue(
                year=t,
                calendar_year=None if ledger.base_year is None else ledger.base_year + t,
                rate=0.0 if t == 0 else rate_in(t, settings),
                discount_factor=df,
                costs=costs[t],
                value=value[t],
                pv_costs=costs[t] * df,
                pv_value=value[t] * df,
                cumulative_net=cumulative,
            )
        )
    return out


def payback(years: Sequence[YearValue]) -> float | None:
    """When the discounted value has repaid the discounted inputs for good, in years from the start.

    Parameters
    ----------
    years
        The ledger's years, with their cumulative discounted net value.

    Returns
    -------
    float or None
        The payback time (see below).

    Year ``t``'s flows fall during the year from time ``t`` to ``t + 1``, evenly
    within it, so a crossing from below zero in year ``t`` is at
    ``t + (-N(t-1)) / (N(t) - N(t-1))``, with ``N`` the cumulative discounted
    net value. The last such crossing counts (later costs can make it negative
    again); 0 when it is never negative; None when it ends below zero.
    """
    before, crossed, negative = 0.0, None, False
    for y in years:
        now = y.cumulative_net
        if now < 0:
            negative, crossed = True, None
        elif before < 0:
            crossed = y.year + (-before) / (now - before)
        before = now
    if not negative:
        return 0.0
    return crossed


def _ratio(pv: float, pv_inputs: float) -> float | None:
    return pv / pv_inputs if pv_inputs > 0 else None


def _totals(ledger: Ledger, settings: ValueSettings) -> tuple[float, float]:
    """(PV of the outcomes, PV of the inputs): the cheap sum the sensitivity repeats."""
    factors = discount_factors(_horizon(ledger), settings)
    pv = sum(_pv(outcome_values(o), factors) for o in ledger.outcomes)
    return pv, sum(i.cost * factors[i.year] for i in ledger.inputs)


# -- sensitivity ----------------------------------------------------------------------


def central_value(ledger: Ledger, settings: ValueSettings, assumption: Assumption) -> float:
    """The value the ledger gives an assumption's target.

    Parameters
    ----------
    ledger, settings
        The ledger and the settings in force (for ``discount_rate``).
    assumption
        The assumption.

    Returns
    -------
    float
        The target's value in the ledger.

    Raises
    ------
    ConfigError
        When the target names no outcome or input (the readers refuse such a ledger first).
    """
    item, name = assumption.ref
    if name == DISCOUNT_TARGET:
        return settings.discount_rate
    records: list[Outcome | Input] = [*ledger.outcomes, *ledger.inputs]
    for record in records:
        if record.id == item:
            return float(getattr(record, name))
    raise ConfigError(f"the assumption '{assumption.target}' names no outcome or input of the ledger")


def _with_value(
    ledger: Ledger, settings: ValueSettings, assumption: Assumption, value: float
) -> tuple[Ledger, ValueSettings]:
    """The ledger (or the settings) with the assumption's target set to ``value``."""
    item, name = assumption.ref
    if name == DISCOUNT_TARGET:
        return ledger, settings.model_copy(update={"discount_rate": value})
    typed: float | int = int(value) if name == "duration" else value
    outcomes = tuple(
        o.model_copy(update={name: typed}) if o.id == item else o for o in ledger.outcomes
    )
    inputs = tuple(i.model_copy(update={name: typed}) if i.id == item else i for i in ledger.inputs)
    return ledger.model_copy(update={"outcomes": outcomes, "inputs": inputs}), settings


class _Base:
    """The ledger's present values once, so that varying one outcome or one cost
    recomputes only that one (the sensitivity stays linear in the ledger's size)."""

    def __init__(self, ledger: Ledger, settings: ValueSettings):
        self.factors = discount_factors(MAX_YEAR, settings)
        self.outcome_pv = {o.id: _pv(outcome_values(o), self.factors) for o in ledger.outcomes}
        self.outcomes = {o.id: o for o in ledger.outcomes}
        self.inputs: dict[str, list[Input]] = {}
        for i in ledger.inputs:
            self.inputs.setdefault(i.id, []).append(i)
        self.pv = sum(self.outcome_pv.values())
        self.pv_in = sum(i.cost * self.factors[i.year] for i in ledger.inputs)

    def totals(self, ledger: Ledger, settings: ValueSettings, a: Assumption, value: float) -> tuple[float, float]:
        """(PV, PV inputs) with the assumption's target at ``value``."""
        item, name = a.ref
        if name == DISCOUNT_TARGET:
            return _totals(*_with_value(ledger, settings, a, value))
        if item in self.outcomes:
            typed: float | int = int(value) if name == "duration" else value
            varied = self.outcomes[item].model_copy(update={name: typed})
            return self.pv - self.outcome_pv[item] + _pv(outcome_values(varied), self.factors), self.pv_in
        before = sum(i.cost * self.factors[i.year] for i in self.inputs[item])
        after = sum(value * self.factors[i.year] for i in self.inputs[item])
        return self.pv, self.pv_in - before + after


def _row(ledger: Ledger, settings: ValueSettings, a: Assumption, base: _Base) -> SensitivityRow:
    ends = []
    for v in (a.low, a.high):
        pv, pv_in = base.totals(ledger, settings, a, v)
        ends.append((_ratio(pv, pv_in), pv - pv_in))
    (r_low, n_low), (r_high, n_high) = ends
    swing = abs(r_high - r_low) if r_low is not None and r_high is not None else 0.0
    return SensitivityRow(
        target=a.target, note=a.note, central=central_value(ledger, settings, a), low=a.low,
        high=a.high, ratio_low=r_low, ratio_high=r_high, npv_low=n_low, npv_high=n_high,
        swing=swing,
    )  # fmt: skip


def _all_at(
    ledger: Ledger, settings: ValueSettings, rows: Sequence[SensitivityRow], favourable: bool
) -> float | None:
    """The ratio with every assumption at its least (or most) favourable end at once."""
    by_target = {a.target: a for a in ledger.assumptions}
    for row in rows:
        high_is_better = (row.ratio_high or 0.0) >= (row.ratio_low or 0.0)
        value = row.high if high_is_better == favourable else row.low
        ledger, settings = _with_value(ledger, settings, by_target[row.target], value)
    return _ratio(*_totals(ledger, settings))


def sensitivity(ledger: Ledger, settings: ValueSettings) -> Sensitivity:
    """Each assumption at its low and high value in turn (one at a time), widest swing first.

    Parameters
    ----------
    ledger
        The ledger; its ``assumptions`` are varied.
    settings
        The settings in force (the discount rate is varied from them).

    Returns
    -------
    Sensitivity
        The rows in tornado order, the range one assumption at a time, and the
        ratio with all of them at their least and most favourable ends together.
    """
    base = _Base(ledger, settings)
    rows = sorted(
        (_row(ledger, settings, a, base) for a in ledger.assumptions),
        key=lambda r: (-r.swing, r.target),
    )
    ratios = [r for row in rows for r in (row.ratio_low, row.ratio_high) if r is not None]
    return Sensitivity(
        rows=tuple(rows),
        ratio_min=min(ratios, default=None),
        ratio_max=max(ratios, default=None),
        ratio_all_low=_all_at(ledger, settings, rows, False) if rows else None,
        ratio_all_high=_all_at(ledger, settings, rows, True) if rows else None,
    )


# -- the whole ledger -------------------------------------------------------------------


def _evidence(outcomes: Sequence[OutcomeValue]) -> dict[str, float]:
    """Share of the (positive) present value resting on each strength of evidence."""
    total = sum(max(o.present_value, 0.0) for o in outcomes)
    return {
        s: (sum(max(o.present_value, 0.0) for o in outcomes if o.evidence_strength == s) / total)
        if total > 0
        else 0.0
        for s in EVIDENCE_STRENGTHS
    }


def verdict(
    present_value: float, ratio: float | None, evidence: dict[str, float], settings: ValueSettings
) -> tuple[str, str]:
    """What the ledger says of the innovation's value corner, and why.

    Parameters
    ----------
    present_value, ratio
        The ledger's present value and SROI ratio.
    evidence
        Share of the present value on each strength of evidence.
    settings
        ``evidenced_share``.

    Returns
    -------
    tuple of str
        ``no value shown`` (PV <= 0), ``evidenced`` (at least ``evidenced_share``
        of it on moderate or strong evidence) or ``weakly evidenced``; and why.
    """
    shown = f"present value {present_value:,.0f}" + (f", ratio {ratio:.2f}" if ratio is not None else "")
    if present_value <= 0:
        return "no value shown", f"the outcomes add up to no value ({shown})"
    backed = evidence.get("strong", 0.0) + evidence.get("moderate", 0.0)
    share = f"{backed:.0%} of it on moderate or strong evidence"
    if backed >= settings.evidenced_share:
        return "evidenced", f"{shown}; {share}"
    return "weakly evidenced", f"{shown}; only {share} (needs {settings.evidenced_share:.0%})"


def _discounting(settings: ValueSettings) -> str:
    text = f"{settings.discount_rate:.1%} a year"
    later = [(y, min(r, settings.discount_rate)) for y, r in LONG_TERM_RATES]
    if settings.declining_long_term and any(r < settings.discount_rate for _, r in later):
        text += ", then " + ", ".join(f"{r:.1%} from year {y}" for y, r in later if r < settings.discount_rate)
        text += " (the Green Book's long-term rates)"
    return text


def value_of(ledger: Ledger, settings: ValueSettings | None = None) -> ValueResult:
    """Add a ledger up: every year, every outcome, the totals, payback and sensitivity.

    Parameters
    ----------
    ledger
        The ledger (:func:`lisa.value.read_ledger`).
    settings
        The discounting; None: the ledger's own rate if it gives one, else the
        Green Book's 3.5 %.

    Returns
    -------
    ValueResult
        Present value, NPV, the SROI ratio and the rest; see ``docs/value.md``.
    """
    settings = settings_for(ledger, settings)
    factors = discount_factors(_horizon(ledger), settings)
    years = _years(ledger, settings, factors)
    outcomes = [_outcome_view(o, factors) for o in ledger.outcomes]
    pv = sum(o.present_value for o in outcomes)
    pv_in = sum(y.pv_costs for y in years)
    ratio = _ratio(pv, pv_in)
    evidence = _evidence(outcomes)
    word, reason = verdict(pv, ratio, evidence, settings)
    return ValueResult(
        innovation=ledger.innovation, place=ledger.place, currency=ledger.currency,
        source=ledger.source, settings=settings, discount_rate=settings.discount_rate,
        discounting=_discounting(settings), years=tuple(years), outcomes=tuple(outcomes),
        total_inputs=sum(i.cost for i in ledger.inputs), pv_inputs=pv_in,
        total_value=sum(o.total_value for o in outcomes), present_value=pv, npv=pv - pv_in,
        ratio=ratio, net_ratio=None if ratio is None else (pv - pv_in) / pv_in,
        payback_years=payback(years), evidence=evidence,  # type: ignore[arg-type]
        verdict=word, verdict_reason=reason,  # type: ignore[arg-type]
        sensitivity=sensitivity(ledger, settings),
    )  # fmt: skip

