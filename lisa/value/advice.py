"""What a missing or thin evidence base of value calls for: lisa's own small rule module.

The reports hold that value created for the public is the only genuine measure
of an innovation's success (seed 002 §5.1), and that value begins to appear
in mobilisation. So an innovation assessed in mobilisation or later
(:data:`VALUE_EXPECTED_FROM`) with no value ledger, or with a ledger whose
value rests mostly on weak or no evidence, gets a recommendation to build that
evidence, citing the reports and the SROI Guide. These rules live here rather
than in ``lisa/assess/data/rules.yaml`` because they read the ledgers, which
the assessment's rule context does not hold; the report (and ``lisa
portfolio``) call :func:`value_recommendations`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lisa.assess.recommend import Recommendation, resolve_source
from lisa.value.model import SROI_GUIDE
from lisa.vocabulary import PHASE_NAMES

if TYPE_CHECKING:
    from lisa.assess.model import Assessment
    from lisa.value.model import ValueResult

#: From this phase on (mobilisation) value for the public should begin to show.
VALUE_EXPECTED_FROM = 2
#: Where the rules come from.
VALUE_SOURCE = f"002 §5.1; {SROI_GUIDE}"


def ledger_for(a: Assessment, results: Sequence[ValueResult]) -> ValueResult | None:
    """The ledger of an assessed innovation: same place and name (a ledger without a place
    matches on the name alone)."""
    place, name = a.place.strip().casefold(), a.innovation.strip().casefold()
    for r in results:
        if r.key == (place, name) or (not r.place.strip() and r.key[1] == name):
            return r
    return None


def _missing(a: Assessment) -> Recommendation:
    return Recommendation(
        id="value-build-evidence-base",
        cluster="pressure",
        title="Build an evidence base for the value created",
        action="Set out the innovation's inputs, outcomes and their evidence in a value ledger "
        "(lisa value): the value created for the public is what earns the licence to continue "
        "and to spread.",
        why=(
            f"'{a.innovation}' is in {a.phase.name} (phase {a.phase.value}), where value should "
            f"show from {PHASE_NAMES[VALUE_EXPECTED_FROM]} on, but no value ledger counts it",
        ),
        source=resolve_source(VALUE_SOURCE),
    )


def _weak(a: Assessment, r: ValueResult) -> Recommendation:
    return Recommendation(
        id="value-strengthen-evidence",
        cluster="pressure",
        title="Strengthen the evidence behind the value claimed",
        action="Measure the outcomes whose evidence is weak or missing (monitoring data, a "
        "comparison group), starting with the assumptions the ratio is most sensitive to.",
        why=(f"the value ledger of '{a.innovation}' is {r.verdict}: {r.verdict_reason}",),
        source=resolve_source(VALUE_SOURCE),
    )


def corner_check(a: Assessment, r: ValueResult) -> str:
    """The assessed value corner beside what the ledger counts, and whether they agree.

    The corner is the assessors' judgement (0..1, against what the phase needs);
    the ledger is the value counted. They disagree when the corner meets the
    phase's need but the ledger is not ``evidenced``, or falls short while the
    ledger is.
    """
    c = a.triangle.corners["value"]
    if c.strength is None:
        return (f"The value corner is unanswered in the assessment; the ledger finds the value "
                f"{r.verdict}.")  # fmt: skip
    text = (f"Assessed value corner: {c.strength:.2f} (phase {a.phase.value}, {a.phase.name}, "
            f"needs {c.need:.2f}); the ledger finds the value {r.verdict}.")  # fmt: skip
    meets = c.strength >= c.need
    if meets and r.verdict != "evidenced":
        return text + " The answers credit more value than the ledger can show."
    if not meets and r.verdict == "evidenced":
        return text + " The ledger shows more value than the answers credit."
    return text + " The two agree."


def value_recommendations(
    assessments: Sequence[Assessment], results: Sequence[ValueResult]
) -> list[tuple[Assessment, Recommendation]]:
    """The value recommendations for each assessed innovation that needs one.

    Parameters
    ----------
    assessments
        Assessed innovations.
    results
        The value ledgers added up (:func:`lisa.value.value_of`).

    Returns
    -------
    list of (Assessment, Recommendation)
        An innovation in mobilisation or later with no ledger: build one; with a
        ledger that is not ``evidenced``: strengthen it.
    """
    out = []
    for a in assessments:
        r = ledger_for(a, results)
        if r is None and a.phase.value >= VALUE_EXPECTED_FROM:
            out.append((a, _missing(a)))
        elif r is not None and r.verdict != "evidenced":
            out.append((a, _weak(a, r)))
    return out
