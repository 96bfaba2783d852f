"""Intermediaries for spreading: who the analysis found placed to carry an innovation on.

Presents ``result.intermediaries`` (:mod:`lisa.network.intermediaries` decided
who qualifies and what may be named); this module only formats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lisa.privacy import Pseudonymiser
from lisa.report.sections.common import label
from lisa.vocabulary import INTERMEDIARY_REASON_TEXT, RESPONSE_LEVEL_TEXT

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: How many people and organisations the report lists at most (the JSON has them all).
INTERMEDIARIES_LISTED = 12


def _people(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> list[dict[str, str]]:
    inter, study = result.intermediaries, result.study
    assert inter is not None
    rows = []
    for pid, p in list(inter.people.items())[:INTERMEDIARIES_LISTED]:
        i = study.index_of(pid)
        rows.append(
            {
                "person": label(result, pid, pseudonymiser)
                if pseudonymiser
                else (study.names[i] or pid),
                "organisation": pseudonymiser.organisations[i]
                if pseudonymiser
                else study.organisations[i],
                "sector": p.sector,
                "layer": p.layer or "",
                "why": p.why,
            }
        )
    return rows


def _lead(result: AnalysisResult) -> str:
    inter = result.intermediaries
    assert inter is not None
    who = f"{inter.count} {'person is' if inter.count == 1 else 'people are'}"
    text = f"{who} placed to act as intermediaries for spreading an innovation"
    if inter.count:
        text += ": " + ", ".join(
            f"{n} {INTERMEDIARY_REASON_TEXT[r]}" for r, n in inter.by_reason.items() if n
        )
    text += "."
    if not inter.named:
        text += (
            f" Response is {100 * result.response.rate:.0f}%: "
            + RESPONSE_LEVEL_TEXT[inter.level]
        )
    if inter.uncertain:
        text += (
            f" {inter.uncertain} more would qualify but their gatekeeper role is uncertain "
            "(estimated betweenness): they are not named or counted."
        )
    if "outside-the-place" not in inter.measured:
        text += (
            " The roster does not say who is outside the place (an 'outside' column), so "
            "ties outside the place are not shown."
        )
    return text


def intermediaries(
    result: AnalysisResult, pseudonymiser: Pseudonymiser | None
) -> dict[str, Any] | None:
    """The section's content, or None for a result without intermediaries (schema 2.1).

    People are listed only where the analysis named them (response level
    ``individuals``); otherwise the counts by sector and layer stand in.
    """
    inter = result.intermediaries
    if inter is None:
        return None
    shown = set(pseudonymiser.organisations) if pseudonymiser is not None else None
    orgs = [
        {"organisation": o, "sector": v.sector, "people": str(v.people), "why": v.why}
        for o, v in inter.organisations.items()
        if shown is None or o in shown
    ][:INTERMEDIARIES_LISTED]
    return {
        "lead": _lead(result),
        "count": inter.count,
        "named": inter.named,
        "people": _people(result, pseudonymiser) if inter.named else [],
        "more": max(0, len(inter.people) - INTERMEDIARIES_LISTED) if inter.named else 0,
        "by_sector": list(inter.by_sector.items()),
        "by_layer": list(inter.by_layer.items()),
        "organisations": orgs,
        "organisations_not_named": inter.organisations_not_named,
        "missing": result.finding("no-intermediaries") is not None,
    }
