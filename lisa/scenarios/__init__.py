"""Scenarios: what would happen to a place's network (issue 11).

:mod:`lisa.scenarios.diffusion` simulates how an idea would spread from
chosen seed people (independent cascade, linear threshold; seed strategies
side by side, greedy influence maximisation). Each scenario takes a
:class:`~lisa.study.Study` and returns a typed result.
"""

from __future__ import annotations

from lisa.scenarios.diffusion import (
    Diffusion,
    DiffusionConfig,
    ReachCurve,
    StrategyOutcome,
    simulate,
)

__all__ = ["Diffusion", "DiffusionConfig", "ReachCurve", "StrategyOutcome", "simulate"]
