"""The value ledger's arithmetic, checked against a worked example done by hand.

The ledger is ``tests/data/value/worked.yaml`` (made-up numbers). Every number
below is worked out in the comments first, then compared with lisa's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lisa.value import Input, Ledger, Outcome, ValueSettings, read_ledger, value_of
from lisa.value.compute import discount_factors, payback, rate_in

DATA = Path(__file__).parent / "data" / "value"
R = 1.035  # the Green Book's 3.5 %


@pytest.fixture(scope="module")
def worked():  # type: ignore[no-untyped-def]
    return value_of(read_ledger(DATA / "worked.yaml"))


def test_each_outcome_takes_its_three_deductions_in_turn(worked) -> None:  # type: ignore[no-untyped-def]
    jobs, wellbeing = worked.outcomes
    # jobs: 10 people x 1,000 = 10,000 gross; x (1 - 0.2) deadweight = 8,000;
    # x (1 - 0.1) displacement = 7,200; x (1 - 0.25) attribution ("25%") = 5,400
    assert jobs.gross == pytest.approx(10_000)
    assert jobs.after_deadweight == pytest.approx(8_000)
    assert jobs.after_displacement == pytest.approx(7_200)
    assert jobs.impact == pytest.approx(5_400)
    # drop-off 50 % a year over 3 years: 5,400 + 2,700 + 1,350 = 9,450
    assert jobs.years == (1, 3)
    assert jobs.total_value == pytest.approx(9_450)
    # wellbeing: 20 x 500 = 10,000, x 0.5 deadweight = 5,000, one year
    assert wellbeing.impact == pytest.approx(5_000)
    assert wellbeing.present_value == pytest.approx(5_000 / R)


def test_the_years_costs_value_and_discount_factors(worked) -> None:  # type: ignore[no-untyped-def]
    years = worked.years
    assert [y.year for y in years] == [0, 1, 2, 3]
    assert [y.calendar_year for y in years] == [2024, 2025, 2026, 2027]
    assert [y.costs for y in years] == [10_000, 2_070, 0, 0]
    # year 1: 5,400 jobs + 5,000 wellbeing; then 2,700 and 1,350
    assert [y.value for y in years] == pytest.approx([0, 10_400, 2_700, 1_350])
    assert [y.discount_factor for y in years] == pytest.approx([1, 1 / R, 1 / R**2, 1 / R**3])


def test_present_value_npv_ratio_and_payback(worked) -> None:  # type: ignore[no-untyped-def]
    # inputs: 10,000 now + 2,070 / 1.035 = 10,000 + 2,000 = 12,000
    assert worked.total_inputs == pytest.approx(12_070)
    assert worked.pv_inputs == pytest.approx(12_000)
    # value: 10,400 / 1.035 + 2,700 / 1.035^2 + 1,350 / 1.035^3
    #      = 10,048.309 + 2,520.479 + 1,217.623 = 13,786.41
    pv = 10_400 / R + 2_700 / R**2 + 1_350 / R**3
    assert pv == pytest.approx(13_786.41, abs=0.01)
    assert worked.present_value == pytest.approx(pv)
    assert worked.total_value == pytest.approx(10_400 + 2_700 + 1_350)
    assert worked.npv == pytest.approx(pv - 12_000)  # 1,786.41
    assert worked.ratio == pytest.approx(pv / 12_000)  # 1.149 : 1
    assert worked.net_ratio == pytest.approx((pv - 12_000) / 12_000)
    # cumulative net: year 0 -10,000; year 1 -10,000 + 8,330 / 1.035 = -1,951.69;
    # year 2 -1,951.69 + 2,520.48 = +568.79: it crosses during year 2, at
    # 2 + 1,951.69 / 2,520.48 = 2.774 years from the start
    n1 = -10_000 + (10_400 - 2_070) / R
    assert worked.years[1].cumulative_net == pytest.approx(n1)
    assert worked.payback_years == pytest.approx(2 + -n1 / (2_700 / R**2))
    assert worked.payback_years == pytest.approx(2.774, abs=0.001)


def test_evidence_shares_and_the_value_corner_verdict(worked) -> None:  # type: ignore[no-untyped-def]
    # jobs is 'moderate': PV 5,400/1.035 + 2,700/1.035^2 + 1,350/1.035^3 = 8,955.21 of 13,786.41
    jobs_pv = 5_400 / R + 2_700 / R**2 + 1_350 / R**3
    assert worked.evidence["moderate"] == pytest.approx(jobs_pv / worked.present_value)
    assert worked.evidence["none"] == pytest.approx(1 - jobs_pv / worked.present_value)
    assert worked.verdict == "evidenced"  # 65 % >= the 50 % setting
    weak = value_of(read_ledger(DATA / "worked.yaml"), ValueSettings(evidenced_share=0.7))
    assert weak.verdict == "weakly evidenced" and "only 65%" in weak.verdict_reason


def test_sensitivity_one_assumption_at_a_time_in_tornado_order(worked) -> None:  # type: ignore[no-untyped-def]
    rows = {r.target: r for r in worked.sensitivity.rows}
    # wellbeing.proxy 0: the wellbeing outcome is worth nothing, PV = 8,955.21
    jobs_pv = 5_400 / R + 2_700 / R**2 + 1_350 / R**3
    assert rows["wellbeing.proxy"].ratio_low == pytest.approx(jobs_pv / 12_000)
    # at 1,000 it is worth 10,000 / 1.035 instead of 5,000 / 1.035
    assert rows["wellbeing.proxy"].ratio_high == pytest.approx((jobs_pv + 10_000 / R) / 12_000)
    # jobs.deadweight 0.4: jobs' impact is 10,000 x 0.6 x 0.9 x 0.75 = 4,050 (0.75 of 5,400)
    assert rows["jobs.deadweight"].ratio_high == pytest.approx(
        (0.75 * jobs_pv + 5_000 / R) / 12_000
    )
    assert rows["jobs.deadweight"].central == 0.2
    # discount at 5 %: every factor changes, the inputs too
    d = 1.05
    pv5 = 10_400 / d + 2_700 / d**2 + 1_350 / d**3
    assert rows["discount_rate"].ratio_high == pytest.approx(pv5 / (10_000 + 2_070 / d))
    assert [r.target for r in worked.sensitivity.rows] == [
        "wellbeing.proxy",  # swing 0.81
        "jobs.deadweight",  # 0.28
        "discount_rate",  # 0.05
    ]
    assert worked.sensitivity.ratio_min == pytest.approx(rows["wellbeing.proxy"].ratio_low)
    assert worked.sensitivity.ratio_max == pytest.approx(rows["wellbeing.proxy"].ratio_high)
    # all at once, least favourable: proxy 0, deadweight 0.4, discount 5 %
    low_pv = 0.75 * (5_400 / d + 2_700 / d**2 + 1_350 / d**3)
    assert worked.sensitivity.ratio_all_low == pytest.approx(low_pv / (10_000 + 2_070 / d))


def test_green_book_long_term_rates_after_year_30() -> None:
    s = ValueSettings()
    assert [rate_in(t, s) for t in (1, 30, 31, 75, 76, 125, 126, 200)] == [
        0.035, 0.035, 0.03, 0.03, 0.025, 0.025, 0.02, 0.02,
    ]  # fmt: skip
    factors = discount_factors(32, s)
    assert factors[30] == pytest.approx(1 / R**30)
    assert factors[32] == pytest.approx(1 / (R**30 * 1.03**2))
    flat = ValueSettings(declining_long_term=False)
    assert discount_factors(32, flat)[32] == pytest.approx(1 / R**32)
    # a rate below the long-term ones is never raised by them
    low = ValueSettings(discount_rate=0.01)
    assert rate_in(100, low) == 0.01


def test_ledger_rate_and_the_setting() -> None:
    ledger = Ledger(
        innovation="x",
        discount_rate=0.0,
        inputs=[Input(id="g", cost=100)],
        outcomes=[Outcome(id="o", quantity=1, proxy=50, deadweight=0, displacement=0,
                          attribution=0, duration=3)],
    )  # fmt: skip
    assert value_of(ledger).ratio == pytest.approx(1.5)  # the ledger's own 0 %: 150 / 100
    assert value_of(ledger, ValueSettings()).ratio == pytest.approx(
        (50 / R + 50 / R**2 + 50 / R**3) / 100
    )


def test_payback_never_and_later_costs() -> None:
    ledger = Ledger(
        innovation="x",
        inputs=[Input(id="g", cost=1000)],
        outcomes=[Outcome(id="o", quantity=1, proxy=10, deadweight=0, displacement=0,
                          attribution=0, duration=2)],
    )  # fmt: skip
    result = value_of(ledger)
    assert result.payback_years is None and result.npv < 0
    assert result.verdict == "weakly evidenced"  # positive value, but no evidence at all
    harm = ledger.model_copy(update={"outcomes": (ledger.outcomes[0].model_copy(update={"proxy": -10}),)})
    assert value_of(harm).verdict == "no value shown"
    # a later cost that makes the cumulative value negative again moves the payback
    assert payback(value_of(ledger.model_copy(update={"inputs": (
        Input(id="a", cost=5), Input(id="b", year=2, cost=1000))})).years) is None  # fmt: skip


def test_the_illustrative_example_ledger_reads_and_says_it_is_illustrative() -> None:
    path = Path(__file__).parent.parent / "lisa" / "examples" / "value" / "youth-hub.yaml"
    text = path.read_text("utf-8")
    assert "ILLUSTRATIVE" in text.splitlines()[0]
    result = value_of(read_ledger(path))
    assert result.ratio is not None and len(result.sensitivity.rows) == 5
    # the same ledger as a CSV folder adds up to the same
    same = value_of(read_ledger(path.parent / "youth-hub-csv"))
    assert same.present_value == pytest.approx(result.present_value)
    assert same.sensitivity == result.sensitivity
    assert "ILLUSTRATIVE" in same.outcomes[0].proxy_source
