"""Scenarios: what a place would look like after a change (issue 11).

:mod:`lisa.scenarios.whatif` removes people or groups, adds ties or an
intermediary, merges organisations, and compares the analyses before and
after; :mod:`lisa.scenarios.ties` proposes the few new ties that would most
raise connected difference or cut the core-departure risk;
:mod:`lisa.scenarios.diffusion` simulates how an idea would spread from
chosen seed people (independent cascade, linear threshold; seed strategies
side by side, greedy influence maximisation).
"""

from lisa.scenarios.diffusion import (
    Diffusion,
    DiffusionConfig,
    ReachCurve,
    StrategyOutcome,
    simulate,
)
from lisa.scenarios.ties import BestTies, ProposedTie, best_ties
from lisa.scenarios.whatif import (
    AddIntermediary,
    AddTies,
    MergeOrganisations,
    RemoveGroup,
    RemovePeople,
    StaffExchange,
    WhatIf,
    compare,
    what_if,
)

__all__ = [
    "AddIntermediary",
    "AddTies",
    "BestTies",
    "Diffusion",
    "DiffusionConfig",
    "MergeOrganisations",
    "ProposedTie",
    "RemoveGroup",
    "ReachCurve",
    "RemovePeople",
    "StaffExchange",
    "StrategyOutcome",
    "WhatIf",
    "best_ties",
    "compare",
    "simulate",
    "what_if",
]
