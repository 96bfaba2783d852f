"""The assessment rules and the small condition language they are written in.

The rules themselves - thresholds, what each phase needs from the strategic
triangle, the risks each phase carries, the recommendations and when each is
chosen - are data in ``lisa/assess/data/rules.yaml`` so that a researcher can
read and adjust them without touching code. This module loads that file,
checks it, and evaluates its conditions against a :class:`Context` (the facts
the inference established about one innovation). Every condition that holds
also says, in words, why - that text becomes the "why" of a recommendation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from lisa.assess.items import load_item_bank
from lisa.errors import DefinitionInvalid
from lisa.findings import FINDING_CODES
from lisa.vocabulary import (
    CLUSTERS,
    CORNERS,
    FACTOR_ROLES,
    FACTORS,
    LINKS,
    PHASE_NAMES,
    TRAJECTORIES,
)
from lisa.vocabulary import link_words as _link_words

#: Network finding codes the rules may refer to (those of lisa.findings).
NETWORK_FINDING_CODES: tuple[str, ...] = FINDING_CODES
LEAVES: tuple[str, ...] = (
    "phase_in",
    "corner_below",
    "link_below",
    "weakest_corner",
    "weakest_link",
    "item_below",
    "item_at_least",
    "factor_is",
    "extent_is",
    "finding",
    "trajectory_is",
)


@dataclass
class Finding:
    """A network finding as the rules see it (code, title and the groups it names)."""

    code: str
    title: str = ""
    groups: tuple[str, ...] = ()
    severity: str = ""

    @classmethod
    def parse(cls, raw: Any) -> Finding:
        if isinstance(raw, str):
            return cls(code=raw)
        groups = raw.get("groups") or ()
        if isinstance(groups, Mapping):
            groups = tuple(groups)
        return cls(
            code=str(raw["code"]),
            title=str(raw.get("title") or ""),
            groups=tuple(str(g) for g in groups),
            severity=str(raw.get("severity") or ""),
        )


@dataclass
class Context:
    """Everything the rules may ask about one assessed innovation.

    ``items`` holds the scaled (0..1) agree5 answers; ``weakest_corner`` and
    ``weakest_link`` are set only when they fall short of what the phase needs.
    """

    phase: int
    corners: dict[str, float | None] = field(default_factory=dict)
    links: dict[str, float | None] = field(default_factory=dict)
    weakest_corner: str | None = None
    weakest_link: str | None = None
    needs: dict[str, float] = field(default_factory=dict)
    items: dict[str, float] = field(default_factory=dict)
    factors: dict[str, str] = field(default_factory=dict)
    extent: str | None = None
    findings: list[Finding] = field(default_factory=list)
    trajectory: str = "unknown"


@dataclass(frozen=True)
class Rules:
    """The parsed rules file."""

    version: int
    sources: dict[str, str]
    thresholds: dict[str, float]
    phases: dict[int, dict[str, Any]]
    link_need: dict[str, float]
    stages: dict[str, Any]
    risks: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]

    def corner_needs(self, phase: int) -> dict[str, float]:
        return {c: float(v) for c, v in self.phases[phase]["needs"].items()}

    def link_needs(self, phase: int) -> dict[str, float]:
        key = set(self.phases[phase]["key_links"])
        return {
            link: self.link_need["key"] if link in key else self.link_need["other"]
            for link in LINKS
        }


class RulesInvalid(DefinitionInvalid):
    """The rules file is malformed (message names the rule and the condition)."""


def _check_condition(cond: Any, where: str, item_ids: set[str]) -> None:
    if isinstance(cond, list):
        for c in cond:
            _check_condition(c, where, item_ids)
        return
    if not isinstance(cond, Mapping) or len(cond) != 1:
        raise RulesInvalid(f"{where}: a condition must be a mapping with one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in ("any", "all"):
        _check_condition(list(arg), where, item_ids)
    elif key == "not":
        _check_condition(arg, where, item_ids)
    elif key not in LEAVES:
        raise RulesInvalid(f"{where}: unknown condition '{key}'")
    elif key in ("item_below", "item_at_least"):
        for item_id in arg:
            if item_id not in item_ids:
                raise RulesInvalid(f"{where}: unknown item '{item_id}'")
    elif key == "corner_below" and not set(arg) <= set(CORNERS):
        raise RulesInvalid(f"{where}: unknown corner in {arg}")
    elif key == "link_below" and not set(arg) <= set(LINKS):
        raise RulesInvalid(f"{where}: unknown link in {arg}")
    elif key == "weakest_corner" and arg not in CORNERS:
        raise RulesInvalid(f"{where}: unknown corner '{arg}'")
    elif key == "weakest_link" and arg not in LINKS:
        raise RulesInvalid(f"{where}: unknown link '{arg}'")
    elif key == "finding" and arg not in NETWORK_FINDING_CODES:
        raise RulesInvalid(f"{where}: unknown network finding '{arg}'")
    elif key == "factor_is":
        for factor, roles in arg.items():
            if factor not in FACTORS or not set(roles) <= set(FACTOR_ROLES):
                raise RulesInvalid(f"{where}: bad factor condition {arg}")
    elif key == "phase_in" and not set(arg) <= set(PHASE_NAMES):
        raise RulesInvalid(f"{where}: unknown phase in {arg}")
    elif key == "trajectory_is" and not set(arg) <= set(TRAJECTORIES):
        raise RulesInvalid(f"{where}: unknown trajectory in {arg}")


def parse_rules(data: Mapping[str, Any]) -> Rules:
    """Build and check :class:`Rules` from the parsed YAML."""
    item_ids = set(load_item_bank().ids)
    phases = {int(k): v for k, v in data["phases"].items()}
    if set(phases) != set(PHASE_NAMES):
        raise RulesInvalid("rules must describe phases 0 to 4")
    seen: set[str] = set()
    for kind in ("risks", "recommendations"):
        for rule in data[kind]:
            where = f"{kind[:-1]} '{rule.get('id')}'"
            if rule["id"] in seen:
                raise RulesInvalid(f"{where}: duplicate id")
            seen.add(rule["id"])
            for key in ("title", "source", "when", "phases"):
                if key not in rule:
                    raise RulesInvalid(f"{where}: missing '{key}'")
            if kind == "recommendations" and rule.get("cluster") not in CLUSTERS:
                raise RulesInvalid(f"{where}: cluster must be one of {', '.join(CLUSTERS)}")
            _check_condition(rule["when"], where, item_ids)
    return Rules(
        version=int(data["version"]),
        sources={str(k): str(v) for k, v in data["sources"].items()},
        thresholds={k: float(v) for k, v in data["thresholds"].items()},
        phases=phases,
        link_need={k: float(v) for k, v in data["link_need"].items()},
        stages=data["stages"],
        risks=list(data["risks"]),
        recommendations=list(data["recommendations"]),
    )


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The rules shipped with lisa (``lisa/assess/data/rules.yaml``)."""
    text = resources.files("lisa.assess").joinpath("data/rules.yaml").read_text("utf-8")
    return parse_rules(yaml.safe_load(text))


def _fmt(x: float | None) -> str:
    return "unanswered" if x is None else f"{x:.2f}"


def evaluate(cond: Any, ctx: Context) -> tuple[bool, list[str]]:
    """Whether ``cond`` holds for ``ctx``, and the reasons (in words) if it does."""
    if isinstance(cond, list):
        cond = {"all": cond}
    ((key, arg),) = cond.items()
    if key == "any":
        results = [evaluate(c, ctx) for c in arg]
        reasons = [r for ok, rs in results if ok for r in rs]
        return any(ok for ok, _ in results), reasons
    if key == "all":
        results = [evaluate(c, ctx) for c in arg]
        ok = all(ok for ok, _ in results)
        return ok, [r for _, rs in results for r in rs] if ok else []
    if key == "not":
        ok, _ = evaluate(arg, ctx)
        return (not ok), ([f"not ({_describe(arg)})"] if not ok else [])
    return _leaf(key, arg, ctx)


def _leaf(key: str, arg: Any, ctx: Context) -> tuple[bool, list[str]]:
    reasons: list[str] = []
    if key == "phase_in":
        if ctx.phase in arg:
            reasons.append(f"the innovation is in phase {ctx.phase} ({PHASE_NAMES[ctx.phase]})")
    elif key == "corner_below":
        for corner, limit in arg.items():
            value = ctx.corners.get(corner)
            if value is not None and value < limit:
                reasons.append(f"{corner} is weak ({value:.2f}, below {limit:.2f})")
    elif key == "link_below":
        for link, limit in arg.items():
            value = ctx.links.get(link)
            if value is not None and value < limit:
                reasons.append(
                    f"the {_link_words(link)} link is weak ({value:.2f}, below {limit:.2f})"
                )
    elif key == "weakest_corner":
        if ctx.weakest_corner == arg:
            reasons.append(
                f"{arg} is the weakest corner for {PHASE_NAMES[ctx.phase]} "
                f"({_fmt(ctx.corners.get(arg))} against {ctx.needs.get(arg, 0):.2f} needed)"
            )
    elif key == "weakest_link":
        if ctx.weakest_link == arg:
            reasons.append(
                f"{_link_words(arg)} is the weakest link for {PHASE_NAMES[ctx.phase]} "
                f"({_fmt(ctx.links.get(arg))})"
            )
    elif key == "item_below":
        for item_id, limit in arg.items():
            value = ctx.items.get(item_id)
            if value is not None and value < limit:
                reasons.append(f"'{item_id}' is low ({1 + 4 * value:g} of 5)")
    elif key == "item_at_least":
        for item_id, limit in arg.items():
            value = ctx.items.get(item_id)
            if value is not None and value >= limit:
                reasons.append(f"'{item_id}' is high ({1 + 4 * value:g} of 5)")
    elif key == "factor_is":
        for factor, roles in arg.items():
            role = ctx.factors.get(factor)
            if role in roles:
                reasons.append(f"the factor '{factor}' is {role}")
    elif key == "extent_is":
        if ctx.extent in arg:
            reasons.append(f"the innovation is {ctx.extent}")
    elif key == "finding":
        for finding in ctx.findings:
            if finding.code == arg:
                text = f"network finding '{arg}'"
                if finding.title:
                    text += f": {finding.title}"
                if finding.groups:
                    text += f" (groups: {', '.join(finding.groups)})"
                reasons.append(text)
                break
    elif key == "trajectory_is":
        if ctx.trajectory in arg:
            reasons.append(f"the history shows the innovation {ctx.trajectory}")
    else:  # pragma: no cover - rejected by parse_rules
        raise RulesInvalid(f"unknown condition '{key}'")
    return bool(reasons), reasons


def _describe(cond: Any) -> str:
    return yaml.safe_dump(cond, default_flow_style=True).strip()


def leaf_conditions(cond: Any) -> list[tuple[str, Any]]:
    """Every leaf condition in ``cond`` (used by the tests and the docs)."""
    if isinstance(cond, list):
        return [leaf for c in cond for leaf in leaf_conditions(c)]
    ((key, arg),) = cond.items()
    if key in ("any", "all"):
        return leaf_conditions(list(arg))
    if key == "not":
        return leaf_conditions(arg)
    return [(key, arg)]


def choose(
    rules: Sequence[Mapping[str, Any]], ctx: Context
) -> list[tuple[Mapping[str, Any], bool, list[str]]]:
    """Evaluate each rule for the context's phase: (rule, fired, reasons)."""
    out = []
    for rule in rules:
        if ctx.phase not in rule["phases"]:
            continue
        fired, reasons = evaluate(rule["when"], ctx)
        out.append((rule, fired, reasons))
    return out
