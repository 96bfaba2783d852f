"""The assessment rules and the small condition language they are written in.

The rules themselves - what each phase needs from the strategic triangle, the
risks each phase carries, the recommendations and when each is chosen - are
data in ``lisa/assess/data/rules.yaml`` so that a researcher can read and
adjust them without touching code. This module reads that file, checks it,
puts the settings' values where a condition names one (``weak``, ``strong``)
and evaluates the conditions against a :class:`Context` (the facts the
inference established about one innovation). Every condition that holds also
says, in words, why - that text becomes the "why" of a recommendation.

>>> ctx = Context(phase=2, corners={"capacity": 0.25})
>>> evaluate({"corner_below": {"capacity": 0.5}}, ctx)
(True, ['capacity is weak (0.25, below 0.50)'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lisa.assess.items import ItemBank
from lisa.assess.settings import AssessmentSettings
from lisa.errors import DefinitionInvalid
from lisa.findings import FINDING_CODES
from lisa.io.yamlio import load_definition
from lisa.vocabulary import (
    CLUSTERS,
    CORNERS,
    FACTOR_ROLES,
    FACTORS,
    LINKS,
    PHASE_NAMES,
    SCALE_CONDITION_TITLES,
    SCALE_CONDITIONS,
    STAGES,
    TRAJECTORIES,
)
from lisa.vocabulary import link_words as _link_words

if TYPE_CHECKING:
    from lisa.findings import Finding

#: Network finding codes the rules may refer to (those of lisa.findings).
NETWORK_FINDING_CODES: tuple[str, ...] = FINDING_CODES
#: Conditions whose argument maps names to limits (a number or a setting's name).
LIMITED = ("corner_below", "link_below", "item_below", "item_at_least", "readiness_below")
#: The parts of a rules file.
SECTIONS = ("version", "phases", "link_need", "stages", "risks", "recommendations")


@dataclass
class Context:
    """Everything the rules may ask about one assessed innovation.

    ``items`` holds the scaled (0..1) agree5 answers; ``weakest_corner`` and
    ``weakest_link`` are set only when they fall short of what the phase needs.
    ``findings`` are the network findings (:class:`lisa.findings.Finding`).
    ``readiness`` holds each condition for scaling (pull, push, form,
    learning) and its strength (0..1, ``None`` when none of its items is
    answered); ``weakest_conditions`` the weakest of them when they fall
    below the setting ``weak`` (ties: all of them); ``choices`` the answers
    of single-choice items (``scale.owner``).
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
    findings: Sequence[Finding] = field(default_factory=list)
    trajectory: str = "unknown"
    readiness: dict[str, float | None] = field(default_factory=dict)
    weakest_conditions: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """The parsed rules file, with every named limit replaced by its setting's value.

    ``raw`` is the file as parsed (limits still named), kept so that the same
    rules can be read again under other settings (:meth:`with_settings`).
    """

    version: int
    phases: dict[int, dict[str, Any]]
    link_need: dict[str, float]
    stages: dict[str, Any]
    risks: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    item_ids: frozenset[str] = field(default_factory=frozenset, repr=False, compare=False)

    def corner_needs(self, phase: int) -> dict[str, float]:
        """What the phase needs from each corner (0..1)."""
        return {c: float(v) for c, v in self.phases[phase]["needs"].items()}

    def link_needs(self, phase: int) -> dict[str, float]:
        """What the phase needs from each link: its key links more than the others."""
        key = set(self.phases[phase]["key_links"])
        return {
            link: self.link_need["key"] if link in key else self.link_need["other"]
            for link in LINKS
        }

    def with_settings(self, settings: AssessmentSettings) -> Rules:
        """The same rules with the named limits taken from ``settings``."""
        return _build_rules(self.raw, self.item_ids, settings, "rules")


class RulesInvalid(DefinitionInvalid):
    """The rules file is malformed (message names the rule and the condition)."""


def _check_limits(key: str, arg: Any, where: str, item_ids: set[str] | frozenset[str]) -> None:
    known: set[str] | frozenset[str] = item_ids
    if key == "corner_below":
        known = set(CORNERS)
    elif key == "link_below":
        known = set(LINKS)
    elif key == "readiness_below":
        known = set(SCALE_CONDITIONS)
    if not isinstance(arg, Mapping):
        raise RulesInvalid(f"{where}: '{key}' needs a mapping of names to limits, got {arg!r}")
    for name, limit in arg.items():
        if name not in known:
            what = {"corner_below": "corner", "link_below": "link", "readiness_below": "condition"}.get(
                key, "item"
            )
            raise RulesInvalid(f"{where}: unknown {what} '{name}'")
        if isinstance(limit, str):
            if limit not in AssessmentSettings.model_fields:
                raise RulesInvalid(f"{where}: limit '{limit}' is not a setting or a number")
        elif isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 <= limit <= 1:
            raise RulesInvalid(f"{where}: limit {limit!r} must be a number from 0 to 1")


def _check_leaf(key: str, arg: Any, where: str, item_ids: set[str] | frozenset[str]) -> None:
    if key in LIMITED:
        _check_limits(key, arg, where, item_ids)
    elif key == "weakest_corner" and arg not in CORNERS:
        raise RulesInvalid(f"{where}: unknown corner '{arg}'")
    elif key == "weakest_link" and arg not in LINKS:
        raise RulesInvalid(f"{where}: unknown link '{arg}'")
    elif key == "weakest_condition" and arg not in SCALE_CONDITIONS:
        raise RulesInvalid(f"{where}: unknown condition for scaling '{arg}'")
    elif key == "choice_is" and not (
        isinstance(arg, Mapping)
        and all(i in item_ids and isinstance(c, list) and c for i, c in arg.items())
    ):
        raise RulesInvalid(f"{where}: 'choice_is' needs items of the bank, each with a list of choices")
    elif key == "finding" and arg not in NETWORK_FINDING_CODES:
        raise RulesInvalid(f"{where}: unknown network finding '{arg}'")
    elif key == "factor_is" and not (
        isinstance(arg, Mapping)
        and all(f in FACTORS and set(r) <= set(FACTOR_ROLES) for f, r in arg.items())
    ):
        raise RulesInvalid(f"{where}: bad factor condition {arg}")
    elif key in ("phase_in", "trajectory_is", "extent_is") and not isinstance(arg, list):
        raise RulesInvalid(f"{where}: '{key}' needs a list, got {arg!r}")
    elif key == "phase_in" and not set(arg) <= set(PHASE_NAMES):
        raise RulesInvalid(f"{where}: unknown phase in {arg}")
    elif key == "trajectory_is" and not set(arg) <= set(TRAJECTORIES):
        raise RulesInvalid(f"{where}: unknown trajectory in {arg}")


def _check_condition(cond: Any, where: str, item_ids: set[str] | frozenset[str]) -> None:
    if isinstance(cond, list):
        for c in cond:
            _check_condition(c, where, item_ids)
        return
    if not isinstance(cond, Mapping) or len(cond) != 1:
        raise RulesInvalid(f"{where}: a condition must be a mapping with one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in ("any", "all"):
        if not isinstance(arg, list):
            raise RulesInvalid(f"{where}: '{key}' needs a list of conditions")
        _check_condition(arg, where, item_ids)
    elif key == "not":
        _check_condition(arg, where, item_ids)
    elif key not in LEAVES:
        raise RulesInvalid(f"{where}: unknown condition '{key}'")
    else:
        _check_leaf(key, arg, where, item_ids)


def _resolve(cond: Any, settings: AssessmentSettings) -> Any:
    """``cond`` with every named limit replaced by the setting's value."""
    if isinstance(cond, list):
        return [_resolve(c, settings) for c in cond]
    ((key, arg),) = cond.items()
    if key in ("any", "all", "not"):
        return {key: _resolve(arg, settings)}
    if key in LIMITED:
        return {key: {name: _limit(value, settings) for name, value in arg.items()}}
    return {key: arg}


def _limit(value: float | str, settings: AssessmentSettings) -> float:
    return float(getattr(settings, value) if isinstance(value, str) else value)


def _check_rule(kind: str, rule: Any, seen: set[str], item_ids: frozenset[str]) -> None:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("id"), str):
        raise RulesInvalid(f"{kind}: each rule needs an 'id', got {rule!r}")
    where = f"{kind[:-1]} '{rule['id']}'"
    if rule["id"] in seen:
        raise RulesInvalid(f"{where}: duplicate id")
    seen.add(rule["id"])
    for key in ("title", "source", "when", "phases"):
        if key not in rule:
            raise RulesInvalid(f"{where}: missing '{key}'")
    if not isinstance(rule["phases"], list) or not set(rule["phases"]) <= set(PHASE_NAMES):
        raise RulesInvalid(f"{where}: 'phases' must be a list of phases 0 to 4")
    if kind == "recommendations" and rule.get("cluster") not in CLUSTERS:
        raise RulesInvalid(f"{where}: cluster must be one of {', '.join(CLUSTERS)}")
    _check_condition(rule["when"], where, item_ids)


def _check_stages(stages: Any) -> None:
    by_phase = stages.get("by_phase") if isinstance(stages, Mapping) else None
    if not isinstance(by_phase, Mapping) or set(by_phase) != set(PHASE_NAMES):
        raise RulesInvalid("stages: 'by_phase' must give a stage for each phase 0 to 4")
    if any(stage not in STAGES for stage in by_phase.values()):
        raise RulesInvalid(f"stages: each stage of 'by_phase' must be one of {', '.join(STAGES)}")
    if "shifts" in stages:
        raise RulesInvalid("stages: 'shifts' are no longer read - the stage items decide the stage")


def parse_rules(
    data: Any,
    bank: ItemBank,
    settings: AssessmentSettings | None = None,
    *,
    source: str = "rules",
) -> Rules:
    """Build and check :class:`Rules` from the parsed YAML.

    Parameters
    ----------
    data
        The rules file as parsed.
    bank
        The item bank whose ids the conditions may name.
    settings
        Where named limits (``weak``, ``strong``) take their values; default
        :class:`~lisa.assess.settings.AssessmentSettings()`.
    source
        The file name the messages should name.

    Raises
    ------
    RulesInvalid
        Naming the rule and the condition that is malformed.
    """
    return _build_rules(data, frozenset(bank.ids), settings or AssessmentSettings(), source)


def _build_rules(
    data: Any, item_ids: frozenset[str], settings: AssessmentSettings, source: str
) -> Rules:
    if not isinstance(data, Mapping):
        raise RulesInvalid(f"{source}: a rules file must be a mapping")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        hint = " (thresholds are settings now: see 'lisa assess settings')" if "thresholds" in unknown else ""
        raise RulesInvalid(f"{source}: unknown section(s) {', '.join(map(str, unknown))}{hint}")
    missing = [s for s in SECTIONS if s not in data]
    if missing:
        raise RulesInvalid(f"{source}: missing section(s) {', '.join(missing)}")
    try:
        phases = {int(k): v for k, v in data["phases"].items()}
        if set(phases) != set(PHASE_NAMES):
            raise RulesInvalid("rules must describe phases 0 to 4")
        needs = {p: {c: float(v) for c, v in phases[p]["needs"].items()} for p in phases}
        if any(set(n) != set(CORNERS) for n in needs.values()):
            raise RulesInvalid("each phase must say what it needs from every corner")
        link_need = {k: float(data["link_need"][k]) for k in ("key", "other")}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise RulesInvalid(f"{source}: bad phases or link_need ({exc!r})") from None
    seen: set[str] = set()
    for kind in ("risks", "recommendations"):
        for rule in data[kind] or []:
            _check_rule(kind, rule, seen, item_ids)
    _check_stages(data["stages"])

    def resolved(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "when": _resolve(r["when"], settings)} for r in rules or []]

    return Rules(
        version=int(data["version"]),
        phases=phases,
        link_need=link_need,
        stages=dict(data["stages"]),
        risks=resolved(data["risks"]),
        recommendations=resolved(data["recommendations"]),
        raw=data,
        item_ids=item_ids,
    )


def read_rules(
    path: Path | Traversable, bank: ItemBank, settings: AssessmentSettings | None = None
) -> Rules:
    """Read and check a rules file (``lisa/assess/data/rules.yaml`` or a researcher's own).

    Raises
    ------
    DefinitionInvalid
        When the file is not strict YAML; :class:`RulesInvalid` when a rule is malformed.
    """
    data = load_definition(path.read_text("utf-8"), str(path))
    return parse_rules(data, bank, settings, source=str(path))


def _fmt(x: float | None) -> str:
    return "unanswered" if x is None else f"{x:.2f}"


def evaluate(cond: Any, ctx: Context) -> tuple[bool, list[str]]:
    """Whether ``cond`` holds for ``ctx``, and the reasons (in words) if it does.

    >>> evaluate({"not": {"phase_in": [3]}}, Context(phase=2))
    (True, ['not ({phase_in: [3]})'])
    """
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
    reasons = LEAVES[key](arg, ctx)
    return bool(reasons), reasons


# --------------------------------------------------------------------------- leaves
# Each leaf condition returns the reasons it holds (in words); none: it does not.


def _phase_in(arg: Any, ctx: Context) -> list[str]:
    if ctx.phase in arg:
        return [f"the innovation is in phase {ctx.phase} ({PHASE_NAMES[ctx.phase]})"]
    return []


def _below(values: Mapping[str, float | None], arg: Any, what: Callable[[str], str]) -> list[str]:
    return [
        f"{what(name)} is weak ({value:.2f}, below {limit:.2f})"
        for name, limit in arg.items()
        if (value := values.get(name)) is not None and value < limit
    ]


def _corner_below(arg: Any, ctx: Context) -> list[str]:
    return _below(ctx.corners, arg, lambda corner: corner)


def _link_below(arg: Any, ctx: Context) -> list[str]:
    return _below(ctx.links, arg, lambda link: f"the {_link_words(link)} link")


def _weakest_corner(arg: Any, ctx: Context) -> list[str]:
    if ctx.weakest_corner != arg:
        return []
    return [
        f"{arg} is the weakest corner for {PHASE_NAMES[ctx.phase]} "
        f"({_fmt(ctx.corners.get(arg))} against {ctx.needs.get(arg, 0):.2f} needed)"
    ]


def _weakest_link(arg: Any, ctx: Context) -> list[str]:
    if ctx.weakest_link != arg:
        return []
    return [
        f"{_link_words(arg)} is the weakest link for {PHASE_NAMES[ctx.phase]} "
        f"({_fmt(ctx.links.get(arg))})"
    ]


def _readiness_below(arg: Any, ctx: Context) -> list[str]:
    return _below(ctx.readiness, arg, lambda c: f"the condition '{SCALE_CONDITION_TITLES[c]}'")


def _weakest_condition(arg: Any, ctx: Context) -> list[str]:
    if arg not in ctx.weakest_conditions:
        return []
    return [
        f"{SCALE_CONDITION_TITLES[arg]} is the weakest condition for scaling "
        f"({_fmt(ctx.readiness.get(arg))})"
    ]


def _choice_is(arg: Any, ctx: Context) -> list[str]:
    return [
        f"'{item_id}' is {ctx.choices[item_id]}"
        for item_id, choices in arg.items()
        if ctx.choices.get(item_id) in choices
    ]


def _item_limit(arg: Any, ctx: Context, below: bool) -> list[str]:
    """Items below (or at least) their limits, each as '<item>' is low/high (n of 5)."""
    word = "low" if below else "high"
    return [
        f"'{item_id}' is {word} ({1 + 4 * value:g} of 5)"
        for item_id, limit in arg.items()
        if (value := ctx.items.get(item_id)) is not None and (value < limit) == below
    ]


def _item_below(arg: Any, ctx: Context) -> list[str]:
    return _item_limit(arg, ctx, below=True)


def _item_at_least(arg: Any, ctx: Context) -> list[str]:
    return _item_limit(arg, ctx, below=False)


def _factor_is(arg: Any, ctx: Context) -> list[str]:
    return [
        f"the factor '{factor}' is {ctx.factors.get(factor)}"
        for factor, roles in arg.items()
        if ctx.factors.get(factor) in roles
    ]


def _extent_is(arg: Any, ctx: Context) -> list[str]:
    return [f"the innovation is {ctx.extent}"] if ctx.extent in arg else []


def _finding(arg: Any, ctx: Context) -> list[str]:
    for finding in ctx.findings:
        if finding.code == arg:
            text = f"network finding '{arg}'"
            if finding.title:
                text += f": {finding.title}"
            if finding.groups:
                text += f" (groups: {', '.join(finding.groups)})"
            return [text]
    return []


def _trajectory_is(arg: Any, ctx: Context) -> list[str]:
    if ctx.trajectory in arg:
        return [f"the history shows the innovation {ctx.trajectory}"]
    return []


#: Every leaf condition of the language, and how it is evaluated.
LEAVES: dict[str, Callable[[Any, Context], list[str]]] = {
    "phase_in": _phase_in,
    "corner_below": _corner_below,
    "link_below": _link_below,
    "weakest_corner": _weakest_corner,
    "weakest_link": _weakest_link,
    "item_below": _item_below,
    "item_at_least": _item_at_least,
    "factor_is": _factor_is,
    "extent_is": _extent_is,
    "finding": _finding,
    "trajectory_is": _trajectory_is,
    "readiness_below": _readiness_below,
    "weakest_condition": _weakest_condition,
    "choice_is": _choice_is,
}


def _describe(cond: Any) -> str:
    return yaml.safe_dump(cond, default_flow_style=True).strip()


def leaf_conditions(cond: Any) -> list[tuple[str, Any]]:
    """Every leaf condition in ``cond`` (used by the tests and the docs).

    >>> leaf_conditions({"any": [{"phase_in": [0]}, {"not": {"finding": "low-response"}}]})
    [('phase_in', [0]), ('finding', 'low-response')]
    """
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
