"""Method notes: caveats, the definitions of every term, the settings used.

The definitions are data (:data:`DEFINITIONS`): a term and its wording, with
the settings it depends on as ``{name}`` fields filled from the analysis'
own configuration, so the notes always state the thresholds actually used.
The bibliography is built beside the recommendations that cite it
(:mod:`.recommendations`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lisa.report.sections.response import who_answered

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: (term, definition); ``{setting}`` fields are filled from the analysis' settings.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Network (relation)",
        "One survey question about one kind of relationship (day-to-day work, new ideas, "
        "expertise…). 'Combined' joins all relations: a tie in any of them counts.",
    ),
    (
        "Density",
        "The share of possible ties that exist: arcs / (n (n − 1)). Between two groups, the "
        "ties between them divided by the pairs there could be.",
    ),
    (
        "Hub",
        "Named by many: in-degree at or above the {hub_quantile} quantile of the network and "
        "at least {hub_min_in_degree} nominations.",
    ),
    (
        "Gatekeeper",
        "On the critical paths: betweenness at or above the {gatekeeper_quantile} quantile (and "
        "above zero), or an articulation point whose removal cuts off at least "
        "{gatekeeper_min_cut} people.",
    ),
    (
        "Pulsetaker",
        "Close to everyone through others: two-step reach at or above the "
        "{pulsetaker_reach_quantile} quantile with direct contacts at or below the "
        "{pulsetaker_degree_quantile} quantile.",
    ),
    (
        "Core",
        "The core–periphery split of each relation that best fits the ideal pattern (Borgatti "
        "& Everett 1999). The stable core is the people in the core of at least "
        "{stable_core_share:.0%} of the relations.",
    ),
    (
        "Core overlap",
        "For two relations, the people in both cores divided by the people in either (Jaccard).",
    ),
    (
        "Representation",
        "A group's share of all core places divided by its share of the people: 1 is as "
        "expected, 0 is absent from every core.",
    ),
    (
        "Horizontal and vertical links",
        "Tie density within a layer (horizontal) and between adjacent layers, both directions "
        "pooled (vertical).",
    ),
    (
        "Connected difference",
        "How spread a person's contacts are across sectors (normalised Blau index, IQV: 0 all "
        "in one sector, 1 evenly spread), averaged over people with contacts.",
    ),
    (
        "E–I index",
        "(ties between groups − ties within groups) / all ties: −1 all within, +1 all between "
        "(Krackhardt & Stern 1988).",
    ),
    (
        "Two-step reach",
        "The share of the others a person can reach in at most two steps, direction ignored. "
        "Resilience removes people and measures how much of it the rest lose, beside the mean "
        "loss when as many random others leave.",
    ),
    (
        "The map",
        "A line joins two people when either named the other in the selected relation. "
        "Positions come from a force-directed layout started from the layers (rings) and "
        "sectors (wedges).",
    ),
)


def definitions(result: AnalysisResult) -> list[dict[str, str]]:
    """Every term the report uses, with the thresholds of this analysis."""
    settings = result.config.model_dump()
    return [{"term": term, "text": text.format(**settings)} for term, text in DEFINITIONS]


def thresholds(result: AnalysisResult) -> list[tuple[str, str, str]]:
    """(setting, value, meaning) of every analysis setting used."""
    from lisa.config import AnalysisConfig

    help_of = {name: text for name, _, text in AnalysisConfig.describe()}
    return [
        (name, str(value), help_of.get(name, ""))
        for name, value in result.config.model_dump(mode="json").items()
        if name not in ("groupings",)
    ]


def caveats(result: AnalysisResult, pseudonymised: bool) -> list[str]:
    """What limits the reading: response, imputation, sampling, pseudonymisation."""
    resp = result.response
    comp = result.computation
    out = [who_answered(resp)]
    if resp.known and resp.not_recorded:
        out.append(
            f"For {resp.not_recorded:,} people the data do not say whether they answered; "
            "they are counted as not answering."
        )
    if resp.imputation != "none":
        out.append(
            f"Non-respondents' ties were filled in by {resp.imputation} "
            f"({resp.imputed_arcs:,} arcs added)."
        )
    if not comp.exact:
        out.append(
            f"Betweenness and closeness were estimated from {comp.samples} sampled people "
            "(the place is large); rankings are reliable, small differences are not."
        )
    out.append(
        "Non-respondents stay in every network with the ties others gave them; their own "
        "nominations are missing, which lowers their out-degree and can hide brokers."
    )
    if pseudonymised:
        out.append(
            "Pseudonymised report: people are shown by role and group only (sector, layer); "
            "no names or roster ids appear."
        )
        if result.privacy and result.privacy.coarsened_people:
            out.append(
                f"Organisations shared by fewer than {result.privacy.min_cell} people are withheld."
            )
    return out
