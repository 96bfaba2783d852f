"""Spreading an innovation: readiness for scaling and the routes to spread.

The policy briefing (seed 004) names four conditions for scaling an
innovation up - real need pulling it (*pull*), a workable and communicable
idea (*push*), an organisational form connecting the two (*form*) and the
ability to keep learning (*learning*) - and the routes an innovation can take:
uncontrolled diffusion, direct diffusion by a parent organisation, takeover by
an existing organisation, and growth of the owning organisation. The essays
(seed 003, the missing middle) add that the intermediaries who connect
innovators with those who need the innovation are scarce.

The items are the ``scale`` section of the item bank (``items.yaml``, each
with its ``condition``); the risks, recommendations and routes are data in
``lisa/assess/data/spread.yaml``, written in the condition language of
:mod:`lisa.assess.rules` and evaluated by it; the thresholds are the settings
``weak`` and ``strong``. This module reads that file and builds the
:class:`Spreading` part of an assessment.

>>> from lisa.assess import assess_answers
>>> a = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y",
...     "scale.pull_need": 5, "scale.pull_demand": 4, "scale.push_results": 4,
...     "scale.push_codified": 2, "scale.form_parent": 2, "scale.learning_evaluation": 4}})
>>> a.spreading.readiness.weakest, a.spreading.readiness.conditions["form"].level
(('form',), 'weak')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lisa.assess.items import ItemBank
from lisa.assess.recommend import Source, resolve_source
from lisa.assess.rules import (
    Context,
    RulesInvalid,
    _check_condition,
    _describe,
    _resolve,
    evaluate,
    leaf_conditions,
)
from lisa.assess.settings import AssessmentSettings
from lisa.io.yamlio import load_definition
from lisa.vocabulary import (
    SCALE_CONDITION_TITLES,
    SCALE_CONDITIONS,
    SPREAD_ROUTE_TITLES,
    SPREAD_ROUTES,
    ReadinessLevel,
    RouteFit,
    ScaleCondition,
    SpreadRoute,
)

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument
    from lisa.cases.library import Case
    from lisa.findings import Finding

#: The parts of a spreading rules file.
SECTIONS = ("version", "conditions", "risks", "recommendations", "routes")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConditionReadiness(_Part):
    """One condition for scaling and how strong the answers show it to be."""

    title: str = Field(description="The condition in a few words.")
    strength: float | None = Field(
        description="Mean of its answered items on 0..1 (3 places); null when none is answered."
    )
    level: ReadinessLevel = Field(
        description="strong (at least the setting strong), fair, weak (below the setting weak) or "
        "not assessed."
    )
    answered: int = Field(ge=0, description="Its items answered.")
    total: int = Field(ge=0, description="Its items in the bank.")
    items: dict[str, int | float] = Field(description="Each answered item and its agree5 answer.")


class Readiness(_Part):
    """The readiness profile: the four conditions and which is weakest."""

    conditions: dict[ScaleCondition, ConditionReadiness] = Field(
        description="pull, push, form and learning."
    )
    weakest: tuple[ScaleCondition, ...] = Field(
        description="The assessed condition(s) with the lowest strength; several when tied."
    )
    weakest_is_weak: bool = Field(description="The weakest is below the setting weak.")


class _Advice(_Part):
    """What a spreading risk and a recommendation share: the rule, its condition, why, source."""

    id: str = Field(description="The rule's id in spread.yaml.")
    condition: ScaleCondition = Field(description="The condition for scaling it belongs to.")
    title: str = Field(description="The rule in a few words.")
    why: tuple[str, ...] = Field(description="The conditions that hold, in words.")
    source: Source = Field(description="Where in the reports it comes from.")


class SpreadRisk(_Advice):
    """A risk of spreading that belongs to one condition, listed when its signs are present."""

    detail: str = Field(description="What it means.")


class SpreadRecommendation(_Advice):
    """A recommendation for a weak condition, with why it was chosen."""

    action: str = Field(description="What to do.")


class TradeOff(_Part):
    """What a route costs or gives, as the reports and cases describe it."""

    text: str = Field(description="The trade-off in lisa's words.")
    source: Source = Field(description="Where in the reports it comes from.")


class RouteCase(_Part):
    """A case of the library that took a route, as its seed says."""

    name: str = Field(description="The case's name (lisa cases show NAME).")
    title: str = Field(description="The case's title.")
    evidence: str = Field(description="What the seed says happened, in lisa's words.")
    source: str = Field(description="Seed file and section.")


class Route(_Part):
    """One route to spread and how well it fits the innovation."""

    route: SpreadRoute = Field(description="diffusion, parent, takeover or growth.")
    title: str = Field(description="The route in a few words.")
    summary: str = Field(description="What the route is.")
    fit: RouteFit = Field(
        description="fits (every requirement holds, nothing against), possible (requirements hold "
        "or are answered neutrally, and something speaks against it or a requirement is only "
        "neutral), does not fit (an answer contradicts a requirement), unknown (a requirement's "
        "items are unanswered)."
    )
    reasons: tuple[str, ...] = Field(description="The requirements that hold, in words.")
    against: tuple[str, ...] = Field(description="What speaks against the route, in words.")
    unmet: tuple[str, ...] = Field(
        description="The requirements the answers contradict (answered below 'weak')."
    )
    partly: tuple[str, ...] = Field(
        default=(),
        description="The requirements answered neutrally: neither met nor contradicted (the "
        "route is then at best 'possible').",
    )
    unanswered: tuple[str, ...] = Field(description="The requirements whose items are unanswered.")
    tradeoffs: tuple[TradeOff, ...] = Field(description="What the route costs and gives.")
    cases: tuple[RouteCase, ...] = Field(description="Cases of the library that took this route.")
    source: Source = Field(description="Where in the reports the route is described.")


class Intermediaries(_Part):
    """Who could act as an intermediary for spreading: from the network study, when there is one."""

    status: Literal["see-network-study", "none-placed", "no-network-study"] = Field(
        description="Whether a network study was given to the assessment."
    )
    text: str = Field(description="What to read, in words.")


class Spreading(_Part):
    """Whether and how the innovation can spread beyond its first service or place."""

    status: Literal["assessed", "not assessed"] = Field(
        description="'not assessed' when no item of the scale section is answered."
    )
    answered: int = Field(ge=0, description="Scale items answered.")
    of: int = Field(ge=0, description="Scale items in the bank.")
    owner: str | None = Field(description="Who owns the innovation (scale.owner).")
    readiness: Readiness = Field(description="The four conditions for scaling.")
    risks: tuple[SpreadRisk, ...] = Field(description="The risks showing, weakest condition first.")
    recommendations: tuple[SpreadRecommendation, ...] = Field(
        description="The recommendations chosen, weakest condition first."
    )
    routes: tuple[Route, ...] = Field(description="The four routes, best fitting first.")
    intermediaries: Intermediaries = Field(description="Where to find the intermediaries.")


# --------------------------------------------------------------------------- the rules file


@dataclass(frozen=True)
class SpreadRules:
    """The parsed spreading rules, with every named limit replaced by its setting's value."""

    version: int
    conditions: dict[str, dict[str, Any]]
    risks: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    routes: dict[str, dict[str, Any]]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    bank: ItemBank | None = field(default=None, repr=False, compare=False)

    def with_settings(self, settings: AssessmentSettings) -> SpreadRules:
        """The same rules with the named limits taken from ``settings``."""
        assert self.bank is not None
        return parse_spread_rules(self.raw, self.bank, settings)


def _check_choices(cond: Any, where: str, bank: ItemBank) -> None:
    """Every ``choice_is`` names choices of its item's scale."""
    for key, arg in leaf_conditions(cond):
        if key != "choice_is":
            continue
        for item_id, choices in arg.items():
            allowed = bank[item_id].scale.choices
            if not allowed or not set(choices) <= set(allowed):
                raise RulesInvalid(f"{where}: '{item_id}' has no choice(s) {choices}")


def _check_entry(kind: str, rule: Any, seen: set[str], bank: ItemBank) -> None:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("id"), str):
        raise RulesInvalid(f"spread {kind}: each needs an 'id', got {rule!r}")
    where = f"spread {kind[:-1]} '{rule['id']}'"
    if rule["id"] in seen:
        raise RulesInvalid(f"{where}: duplicate id")
    seen.add(rule["id"])
    for key in ("condition", "title", "source", "when"):
        if key not in rule:
            raise RulesInvalid(f"{where}: missing '{key}'")
    if rule["condition"] not in SCALE_CONDITIONS:
        raise RulesInvalid(f"{where}: condition must be one of {', '.join(SCALE_CONDITIONS)}")
    _check_condition(rule["when"], where, frozenset(bank.ids))
    _check_choices(rule["when"], where, bank)


def _check_route(name: str, route: Any, bank: ItemBank) -> None:
    where = f"spread route '{name}'"
    if not isinstance(route, Mapping):
        raise RulesInvalid(f"{where}: must be a mapping")
    for key in ("summary", "source", "requires", "against", "tradeoffs"):
        if key not in route:
            raise RulesInvalid(f"{where}: missing '{key}'")
    for key, label in (("requires", "need"), ("against", "why")):
        if not isinstance(route[key], list):
            raise RulesInvalid(f"{where}: '{key}' must be a list")
        for entry in route[key]:
            if not isinstance(entry, Mapping) or set(entry) != {label, "when"}:
                raise RulesInvalid(f"{where}: each of '{key}' needs '{label}' and 'when', got {entry!r}")
    conds = [n["when"] for n in route["requires"] + route["against"]]
    _check_condition(conds, where, frozenset(bank.ids))
    _check_choices(conds, where, bank)
    for t in route["tradeoffs"]:
        if not isinstance(t, Mapping) or set(t) != {"text", "source"}:
            raise RulesInvalid(f"{where}: each trade-off needs 'text' and 'source', got {t!r}")


def parse_spread_rules(
    data: Any, bank: ItemBank, settings: AssessmentSettings | None = None, *, source: str = "spread"
) -> SpreadRules:
    """Build and check :class:`SpreadRules` from the parsed YAML.

    Parameters
    ----------
    data
        The spreading rules file as parsed.
    bank
        The item bank whose ids the conditions may name.
    settings
        Where named limits (``weak``, ``strong``) take their values.
    source
        The file name the messages should name.

    Returns
    -------
    SpreadRules
        The checked rules, limits resolved.

    Raises
    ------
    RulesInvalid
        Naming the section, rule or route that is malformed.
    """
    settings = settings or AssessmentSettings()
    if not isinstance(data, Mapping) or set(data) != set(SECTIONS):
        raise RulesInvalid(f"{source}: a spreading rules file has exactly the sections {', '.join(SECTIONS)}")
    if not isinstance(data["conditions"], Mapping) or set(data["conditions"]) != set(SCALE_CONDITIONS):
        raise RulesInvalid(f"{source}: 'conditions' must describe {', '.join(SCALE_CONDITIONS)}")
    if not isinstance(data["routes"], Mapping) or set(data["routes"]) != set(SPREAD_ROUTES):
        raise RulesInvalid(f"{source}: 'routes' must describe {', '.join(SPREAD_ROUTES)}")
    seen: set[str] = set()
    for kind in ("risks", "recommendations"):
        if not isinstance(data[kind], list):
            raise RulesInvalid(f"{source}: '{kind}' must be a list")
        for rule in data[kind]:
            _check_entry(kind, rule, seen, bank)
    for name, route in data["routes"].items():
        _check_route(name, route, bank)

    def resolved(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "when": _resolve(r["when"], settings)} for r in rules]

    routes = {
        name: {
            **r,
            "requires": [
                {
                    **n,
                    "when": _resolve(n["when"], settings),
                    "partly": _resolve(_relaxed(n["when"]), settings),
                }
                for n in r["requires"]
            ],
            "against": [{**a, "when": _resolve(a["when"], settings)} for a in r["against"]],
        }
        for name, r in data["routes"].items()
    }
    return SpreadRules(
        version=int(data["version"]),
        conditions=dict(data["conditions"]),
        risks=resolved(data["risks"]),
        recommendations=resolved(data["recommendations"]),
        routes={name: routes[name] for name in SPREAD_ROUTES},
        raw=data,
        bank=bank,
    )


def read_spread_rules(
    path: Path | Traversable, bank: ItemBank, settings: AssessmentSettings | None = None
) -> SpreadRules:
    """Read and check a spreading rules file (``lisa/assess/data/spread.yaml``).

    Raises
    ------
    DefinitionInvalid
        When the file is not strict YAML; :class:`RulesInvalid` when it is malformed.
    """
    data = load_definition(path.read_text("utf-8"), str(path))
    return parse_spread_rules(data, bank, settings, source=str(path))


# --------------------------------------------------------------------------- readiness


def _level(strength: float | None, settings: AssessmentSettings) -> ReadinessLevel:
    if strength is None:
        return "not assessed"
    if strength < settings.weak:
        return "weak"
    return "strong" if strength >= settings.strong else "fair"


def readiness(
    answers: Mapping[str, Any], scaled: Mapping[str, float], bank: ItemBank, settings: AssessmentSettings
) -> Readiness:
    """The readiness profile: each condition's strength from its items, and the weakest.

    Parameters
    ----------
    answers
        The combined answers (agree5 as given, medians may end in .5).
    scaled
        The agree5 answers scaled to 0..1 (:func:`lisa.assess.inference.scaled_items`).
    bank
        The item bank; a condition's items are its ``scale`` items with that ``condition``.
    settings
        ``weak`` and ``strong`` set the levels.

    Returns
    -------
    Readiness
        The four conditions; ``weakest`` lists every assessed condition tied
        for the lowest strength (empty when none is assessed).
    """
    conditions: dict[ScaleCondition, ConditionReadiness] = {}
    for condition in SCALE_CONDITIONS:
        items = [i for i in bank.section("scale") if i.condition == condition]
        values = [scaled[i.id] for i in items if i.id in scaled]
        strength = round(sum(values) / len(values), 3) if values else None
        conditions[condition] = ConditionReadiness(
            title=SCALE_CONDITION_TITLES[condition],
            strength=strength,
            level=_level(strength, settings),
            answered=len(values),
            total=len(items),
            items={i.id: answers[i.id] for i in items if i.id in scaled},
        )
    assessed = {c: r.strength for c, r in conditions.items() if r.strength is not None}
    low = min(assessed.values(), default=None)
    weakest = tuple(c for c, s in assessed.items() if s == low)
    return Readiness(
        conditions=conditions,
        weakest=weakest,
        weakest_is_weak=low is not None and low < settings.weak,
    )


def readiness_context(profile: Readiness) -> dict[str, Any]:
    """The facts of the profile the rules read (:class:`~lisa.assess.rules.Context` fields)."""
    return {
        "readiness": {c: r.strength for c, r in profile.conditions.items()},
        "weakest_conditions": profile.weakest if profile.weakest_is_weak else (),
    }


# --------------------------------------------------------------------------- routes


def _names_items(cond: Any) -> set[str]:
    """The items a condition reads; a condition for scaling stands for its own items."""
    out: set[str] = set()
    for key, arg in leaf_conditions(cond):
        if key in ("item_below", "item_at_least", "choice_is"):
            out |= set(arg)
        elif key == "readiness_below":
            out |= {f"condition:{c}" for c in arg}
    return out


def _answered(ids: set[str], ctx: Context) -> bool:
    return any(
        (i in ctx.items or i in ctx.choices)
        or (i.startswith("condition:") and ctx.readiness.get(i.split(":", 1)[1]) is not None)
        for i in ids
    )


def _route_cases(route: str, cases: Sequence[Case]) -> tuple[RouteCase, ...]:
    return tuple(
        RouteCase(name=c.name, title=c.title, evidence=c.spread["evidence"], source=c.spread["source"])
        for c in cases
        if c.spread and c.spread["route"] == route
    )


def _relaxed(cond: Any) -> Any:
    """``cond`` with each ``strong`` limit of an ``item_at_least`` lowered to ``weak``.

    A requirement answered neither agree nor disagree (3 of 5) holds this
    relaxed form but not the requirement itself: the route is then
    "possible", not "does not fit" — only a disagreeing answer rules it out.
    """
    if isinstance(cond, list):
        return [_relaxed(c) for c in cond]
    ((key, arg),) = cond.items()
    if key in ("any", "all"):
        return {key: _relaxed(arg)}
    if key == "item_at_least":
        return {key: {name: "weak" if limit == "strong" else limit for name, limit in arg.items()}}
    return {key: arg}


def fit_route(name: str, spec: Mapping[str, Any], ctx: Context, cases: Sequence[Case]) -> Route:
    """How well one route fits: its requirements and what speaks against it, evaluated on ``ctx``.

    Parameters
    ----------
    name
        The route (one of :data:`lisa.vocabulary.SPREAD_ROUTES`).
    spec
        The route as the spreading rules give it (limits resolved).
    ctx
        The facts of the innovation (items, choices, readiness).
    cases
        The case library; those whose ``spread.route`` is this route are shown.

    Returns
    -------
    Route
        The fit with its reasons, trade-offs and cases.
    """
    reasons: list[str] = []
    unmet: list[str] = []
    partly: list[str] = []
    unanswered: list[str] = []
    for need in spec["requires"]:
        ok, why = evaluate(need["when"], ctx)
        if ok:
            reasons += [f"{need['need']}: {w}" for w in why]
        elif not _answered(_names_items(need["when"]), ctx):
            unanswered.append(f"needs {need['need']} (unanswered)")
        elif evaluate(need["partly"], ctx)[0]:
            partly.append(f"needs {need['need']} ({_describe(need['when'])}): the answer is neutral")
        else:
            unmet.append(f"needs {need['need']} ({_describe(need['when'])})")
    against = [f"{a['why']}: {w}" for a in spec["against"] for w in evaluate(a["when"], ctx)[1]]
    fit: RouteFit = (
        "does not fit"
        if unmet
        else "unknown"
        if unanswered
        else "possible"
        if against or partly
        else "fits"
    )
    return Route(
        route=name,  # type: ignore[arg-type]
        title=SPREAD_ROUTE_TITLES[name],
        summary=str(spec["summary"]).strip(),
        fit=fit,
        reasons=tuple(dict.fromkeys(reasons)),
        against=tuple(dict.fromkeys(against)),
        unmet=tuple(unmet),
        partly=tuple(partly),
        unanswered=tuple(unanswered),
        tradeoffs=tuple(TradeOff(text=t["text"], source=resolve_source(t["source"])) for t in spec["tradeoffs"]),
        cases=_route_cases(name, cases),
        source=resolve_source(spec["source"]),
    )


# --------------------------------------------------------------------------- the whole part


def intermediaries_from_network(findings: Sequence[Finding] | None) -> Intermediaries:
    """Where the spreading part points for intermediaries.

    The one place the network study's intermediaries come in. Naming the
    people and organisations placed to broker between sectors and layers is
    the network analysis's job (``AnalysisResult.intermediaries``, under its
    response-rate rule for naming people); the assessment reads its verdict
    from the findings: the finding ``no-intermediaries`` says no one holds
    that position.

    Parameters
    ----------
    findings
        The network findings given to the assessment, if any.

    Returns
    -------
    Intermediaries
        ``none-placed`` when the study found no one placed, ``see-network-study``
        when a network study was given otherwise, else ``no-network-study``.
    """
    if findings is None:
        return Intermediaries(
            status="no-network-study",
            text="No network study was given: a network survey (lisa analyse) shows who could act "
            "as an intermediary.",
        )
    if any(f.code == "no-intermediaries" for f in findings):
        return Intermediaries(
            status="none-placed",
            text="The network study found no one placed to act as an intermediary between "
            "sectors, layers or organisations (finding no-intermediaries): the missing middle "
            "is missing here too.",
        )
    return Intermediaries(
        status="see-network-study",
        text="Intermediaries: the network study names who is placed to broker between sectors, "
        "layers and organisations ('Intermediaries for spreading' in its report and printout).",
    )


def _order(condition: str, weakest: Sequence[str]) -> tuple[int, int]:
    return (condition not in weakest, SCALE_CONDITIONS.index(condition))  # type: ignore[arg-type]


def _advice(ctx: Context, rules: SpreadRules) -> tuple[list[SpreadRisk], list[SpreadRecommendation]]:
    risks, recs = [], []
    for rule in rules.risks:
        ok, why = evaluate(rule["when"], ctx)
        if ok:
            risks.append(SpreadRisk(
                id=rule["id"], condition=rule["condition"], title=rule["title"],
                detail=str(rule.get("detail", "")).strip(), why=tuple(dict.fromkeys(why)),
                source=resolve_source(rule["source"]),
            ))  # fmt: skip
    for rule in rules.recommendations:
        ok, why = evaluate(rule["when"], ctx)
        if ok:
            recs.append(SpreadRecommendation(
                id=rule["id"], condition=rule["condition"], title=rule["title"],
                action=str(rule.get("action", "")).strip(), why=tuple(dict.fromkeys(why)),
                source=resolve_source(rule["source"]),
            ))  # fmt: skip
    weakest = ctx.weakest_conditions
    risks.sort(key=lambda r: _order(r.condition, weakest))
    recs.sort(key=lambda r: _order(r.condition, weakest))
    return risks, recs


_FIT_ORDER: dict[str, int] = {"fits": 0, "possible": 1, "unknown": 2, "does not fit": 3}


def assess_spreading(
    answers: Mapping[str, Any],
    ctx: Context,
    profile: Readiness,
    instrument: Instrument,
    findings: Sequence[Finding] | None = None,
) -> Spreading:
    """The spreading part of an assessment: readiness, risks, recommendations and routes.

    Parameters
    ----------
    answers
        The combined answers.
    ctx
        The facts the rules read, with ``readiness``, ``weakest_conditions``
        and ``choices`` filled (:func:`readiness_context`).
    profile
        The readiness profile those facts came from (:func:`readiness`).
    instrument
        The item bank, spreading rules, case library and settings.
    findings
        The network findings, if a network study was given.

    Returns
    -------
    Spreading
        ``status`` 'not assessed' (no risks or recommendations, routes
        unknown) when no scale item is answered.
    """
    bank = instrument.bank
    scale_items = [i.id for i in bank.section("scale")]
    answered = sum(i in answers for i in scale_items)
    risks, recs = _advice(ctx, instrument.spread) if answered else ([], [])
    routes = [fit_route(n, s, ctx, instrument.cases) for n, s in instrument.spread.routes.items()]
    return Spreading(
        status="assessed" if answered else "not assessed",
        answered=answered,
        of=len(scale_items),
        owner=answers.get("scale.owner"),
        readiness=profile,
        risks=tuple(risks),
        recommendations=tuple(recs),
        routes=tuple(sorted(routes, key=lambda r: _FIT_ORDER[r.fit])),
        intermediaries=intermediaries_from_network(findings),
    )
