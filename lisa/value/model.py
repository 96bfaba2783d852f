"""The value ledger as typed models: what goes in, the settings, and what comes out.

A :class:`Ledger` holds one innovation's social-return accounts, following the
steps of the SROI Guide (Nicholls et al. 2012, :data:`SROI_GUIDE`): the inputs
(costs by year), the outcomes (each with its indicator, quantity, evidence and
a financial proxy the user supplies - lisa ships no proxy values), the share
of each outcome that would have happened anyway (deadweight), that only moved
a benefit from elsewhere (displacement) or that is owed to others
(attribution), how long it lasts and how fast it fades (duration, drop-off),
and the uncertain assumptions to test (low and high values).

:class:`ValueSettings` holds the discounting (HM Treasury's Green Book,
:data:`GREEN_BOOK`): 3.5 % a year by default, and the Green Book's lower rates
for the long term after year 30 (:data:`LONG_TERM_RATES`).

:class:`ValueResult` is the computation (:func:`lisa.value.compute.value_of`):
the value by year, each outcome's impact and present value, the present value,
net present value, the SROI ratio, the payback period and the sensitivity
(tornado) table. The formulas are in ``docs/value.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from lisa.config import Settings
from lisa.vocabulary import EvidenceStrength

#: The documents the ledger's method comes from (ids of :data:`lisa.sources.DOCUMENTS`).
SROI_GUIDE = "005"
GREEN_BOOK = "006"

#: The Green Book's long-term discount rates: (first year, rate) after year 30.
#: Each is used only where it is lower than the ledger's own rate.
LONG_TERM_RATES: tuple[tuple[int, float], ...] = (
    (31, 0.030),
    (76, 0.025),
    (126, 0.020),
)
#: The last year a ledger may reach (an input's year, an outcome's last year).
MAX_YEAR = 200

#: The outcome fields an assumption may vary, and the input field.
OUTCOME_FIELDS: tuple[str, ...] = (
    "quantity",
    "proxy",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "duration",
)
RATE_FIELDS: tuple[str, ...] = ("deadweight", "displacement", "attribution", "drop_off")
INPUT_FIELDS: tuple[str, ...] = ("cost",)
#: The one ledger-wide assumption.
DISCOUNT_TARGET = "discount_rate"

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Rate = float  # a share from 0 to 1, validated by the fields' bounds


class ValueSettings(Settings):
    """How a ledger is discounted and judged. All have defaults; see ``docs/value.md``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)

    discount_rate: float = Field(
        0.035,
        ge=0,
        le=0.5,
        description="Discount rate a year for years 1 to 30 (the Green Book's 3.5%); a ledger "
        "may set its own, and --set discount_rate=... overrides both.",
    )
    declining_long_term: bool = Field(
        True,
        description="After year 30 use the Green Book's lower long-term rates (3.0% from year "
        "31, 2.5% from 76, 2.0% from 126) where they are lower than discount_rate.",
    )
    evidenced_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Value counts as evidenced when at least this share of its present value "
        "rests on moderate or strong evidence.",
    )


class Input(BaseModel):
    """One cost of the innovation in one year (money, or time and goods valued as money)."""

    model_config = _FROZEN

    id: str = Field(min_length=1, description="The input's id (unique in the ledger).")
    description: str = Field("", description="What it is.")
    stakeholder: str = Field("", description="Who puts it in.")
    year: int = Field(0, ge=0, le=MAX_YEAR, description="Year of the cost (0: the base year).")
    cost: float = Field(ge=0, allow_inf_nan=False, description="The cost in that year.")


class Outcome(BaseModel):
    """One outcome for one stakeholder, with its indicator, evidence and financial proxy."""

    model_config = _FROZEN

    id: str = Field(min_length=1, description="The outcome's id (unique in the ledger).")
    stakeholder: str = Field("", description="Who gains (or loses).")
    outcome: str = Field("", description="The change, in words.")
    indicator: str = Field("", description="How the change is measured.")
    quantity: float = Field(ge=0, allow_inf_nan=False, description="How many (people, cases) a year.")
    proxy: float = Field(
        allow_inf_nan=False,
        description="The user's financial proxy: the value of one unit for one year (negative "
        "for a harm).",
    )
    proxy_source: str = Field("", description="Where the proxy comes from.")
    evidence_source: str = Field("", description="Where the quantity comes from.")
    evidence_strength: EvidenceStrength = Field("none", description="How well the quantity is evidenced.")
    deadweight: Rate = Field(ge=0, le=1, description="Share that would have happened anyway.")
    displacement: Rate = Field(ge=0, le=1, description="Share that only moved a benefit from elsewhere.")
    attribution: Rate = Field(ge=0, le=1, description="Share owed to other people or organisations.")
    start_year: int = Field(1, ge=0, le=MAX_YEAR, description="First year of the outcome.")
    duration: int = Field(ge=1, le=MAX_YEAR, description="How many years it lasts.")
    drop_off: Rate = Field(0.0, ge=0, le=1, description="Share lost each year after the first.")

    @model_validator(mode="after")
    def _ends_in_range(self) -> Outcome:
        if self.start_year + self.duration - 1 > MAX_YEAR:
            raise PydanticCustomError(
                "too_long",
                "the outcome would last past year {top} (start_year + duration - 1)",
                {"top": MAX_YEAR},
            )
        return self


class Assumption(BaseModel):
    """An uncertain value to test: its target, and a low and a high value."""

    model_config = _FROZEN

    target: str = Field(
        description="'OUTCOME_ID.FIELD', 'INPUT_ID.cost' or 'discount_rate'."
    )
    low: float = Field(allow_inf_nan=False, description="The low value.")
    high: float = Field(allow_inf_nan=False, description="The high value.")
    note: str = Field("", description="Why it is uncertain.")

    @property
    def ref(self) -> tuple[str, str]:
        """``(id, field)``: ``("jobs", "deadweight")``; ``("", "discount_rate")``."""
        if self.target == DISCOUNT_TARGET:
            return "", DISCOUNT_TARGET
        item, _, name = self.target.rpartition(".")
        return item, name


class Ledger(BaseModel):
    """One innovation's value ledger, as read from a file (:func:`lisa.value.read_ledger`)."""

    model_config = _FROZEN

    innovation: str = Field(min_length=1, description="The innovation (as in its assessment).")
    place: str = Field("", description="The place.")
    currency: str = Field("GBP", description="The currency of every amount.")
    base_year: int | None = Field(None, ge=1800, le=2300, description="Calendar year of year 0.")
    discount_rate: float | None = Field(
        None, ge=0, le=0.5, description="The ledger's own discount rate (default: the setting)."
    )
    source: str = Field("", description="The file it was read from.")
    inputs: tuple[Input, ...] = Field(min_length=1, description="The costs.")
    outcomes: tuple[Outcome, ...] = Field(min_length=1, description="The outcomes.")
    assumptions: tuple[Assumption, ...] = Field((), description="The assumptions to test.")

    @property
    def key(self) -> tuple[str, str]:
        """Matches an assessment's key: (place, innovation), without case or spaces."""
        return (self.place.strip().casefold(), self.innovation.strip().casefold())


# -- results ------------------------------------------------------------------------


class YearValue(BaseModel):
    """One year of the ledger: costs and value, as they fall and discounted."""

    model_config = _FROZEN

    year: int = Field(ge=0, description="Year (0: the base year).")
    calendar_year: int | None = Field(description="The calendar year, when the ledger has a base year.")
    rate: float = Field(description="The discount rate that applies to this year.")
    discount_factor: float = Field(description="1 / the product of (1 + rate) over years 1..year.")
    costs: float = Field(description="Inputs in the year.")
    value: float = Field(description="Impact of the outcomes in the year (after drop-off).")
    pv_costs: float = Field(description="costs x discount_factor.")
    pv_value: float = Field(description="value x discount_factor.")
    cumulative_net: float = Field(description="Sum of pv_value - pv_costs up to this year.")


class OutcomeValue(BaseModel):
    """One outcome worked through: gross value, the three deductions, impact, present value."""

    model_config = _FROZEN

    id: str
    stakeholder: str
    outcome: str
    indicator: str
    quantity: float
    proxy: float
    proxy_source: str
    evidence_source: str
    evidence_strength: EvidenceStrength
    gross: float = Field(description="quantity x proxy (one year).")
    after_deadweight: float = Field(description="gross x (1 - deadweight).")
    after_displacement: float = Field(description="... x (1 - displacement).")
    impact: float = Field(description="... x (1 - attribution): the impact in its first year.")
    years: tuple[int, int] = Field(description="First and last year of the outcome.")
    total_value: float = Field(description="Impact summed over its years, after drop-off.")
    present_value: float = Field(description="The same, discounted.")


class SensitivityRow(BaseModel):
    """One assumption at its low and its high value, the others as given."""

    model_config = _FROZEN

    target: str
    note: str
    central: float = Field(description="The value in the ledger.")
    low: float
    high: float
    ratio_low: float | None = Field(description="The SROI ratio with the low value.")
    ratio_high: float | None = Field(description="The SROI ratio with the high value.")
    npv_low: float
    npv_high: float
    swing: float = Field(description="|ratio_high - ratio_low| (the tornado's order).")


class Sensitivity(BaseModel):
    """The tornado table: assumptions by how far they move the ratio, widest first."""

    model_config = _FROZEN

    rows: tuple[SensitivityRow, ...]
    ratio_min: float | None = Field(description="The lowest ratio any one assumption gives.")
    ratio_max: float | None = Field(description="The highest ratio any one assumption gives.")
    ratio_all_low: float | None = Field(description="Every assumption at its least favourable value.")
    ratio_all_high: float | None = Field(description="Every assumption at its most favourable value.")


EvidenceVerdict = Literal["evidenced", "weakly evidenced", "no value shown"]


class ValueResult(BaseModel):
    """What one ledger adds up to (:func:`lisa.value.value_of`)."""

    model_config = _FROZEN

    schema_version: Literal["1.0"] = "1.0"
    kind: Literal["lisa-value"] = "lisa-value"
    innovation: str
    place: str
    currency: str
    source: str
    settings: ValueSettings
    discount_rate: float = Field(description="The rate used for years 1 to 30.")
    discounting: str = Field(description="The discounting in words.")
    years: tuple[YearValue, ...]
    outcomes: tuple[OutcomeValue, ...]
    total_inputs: float = Field(description="Inputs, undiscounted.")
    pv_inputs: float = Field(description="Inputs, discounted.")
    total_value: float = Field(description="Impact, undiscounted.")
    present_value: float = Field(description="Impact, discounted.")
    npv: float = Field(description="present_value - pv_inputs.")
    ratio: float | None = Field(description="present_value / pv_inputs (None when no costs).")
    net_ratio: float | None = Field(description="npv / pv_inputs.")
    payback_years: float | None = Field(
        description="Years from the start of year 0 until the discounted value has repaid the "
        "discounted inputs (None: never within the ledger)."
    )
    evidence: dict[EvidenceStrength, float] = Field(
        description="Share of the present value resting on each strength of evidence."
    )
    verdict: EvidenceVerdict = Field(description="What the ledger says of the value corner.")
    verdict_reason: str
    sensitivity: Sensitivity

    @property
    def key(self) -> tuple[str, str]:
        return (self.place.strip().casefold(), self.innovation.strip().casefold())
