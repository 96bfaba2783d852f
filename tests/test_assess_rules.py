"""The rules file: well formed, and each risk and recommendation fires when
one of its conditions holds and not otherwise."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lisa.assess import AssessmentSettings, Instrument
from lisa.assess.core import assess_answers
from lisa.assess.items import CORNERS, FACTORS, LINKS
from lisa.assess.recommend import for_network, recommend, risks_for
from lisa.assess.rules import (
    NETWORK_FINDING_CODES,
    Context,
    RulesInvalid,
    evaluate,
    leaf_conditions,
    parse_rules,
)
from lisa.errors import DefinitionInvalid
from lisa.findings import Finding, Headline
from lisa.sources import documents_of

INSTRUMENT = Instrument.load()
RULES = INSTRUMENT.rules
AGREE5 = [i.id for i in INSTRUMENT.bank if i.scale.name == "agree5"]
RISK_ITEMS = [i.id for i in INSTRUMENT.bank.section("risk")]  # all quiet: answered 1


def finding(code: str, title: str = "", groups: tuple[str, ...] = ()) -> Finding:
    return Finding(
        code=code, severity="medium", title=title, detail="", groups=list(groups), headline=Headline(value=0, text="")
    )


def quiet_context(phase: int) -> Context:
    """A context in which no condition holds: everything middling-safe, no findings."""
    return Context(
        phase=phase,
        corners={c: 1.0 for c in CORNERS},
        links={link: 1.0 for link in LINKS},
        weakest_corner=None,
        weakest_link=None,
        needs=RULES.corner_needs(phase),
        items={item: 0.75 for item in AGREE5} | {item: 0.0 for item in RISK_ITEMS},
        factors={f: "driver" for f in FACTORS},
        extent="incremental",
        findings=[],
        trajectory="progressing",
    )


def satisfy(ctx: Context, key: str, arg: Any) -> Context:
    """A copy of ``ctx`` in which the leaf condition ``key: arg`` holds."""
    ctx = copy.deepcopy(ctx)
    if key == "phase_in":
        ctx.phase = arg[0]
    elif key == "corner_below":
        for corner, limit in arg.items():
            ctx.corners[corner] = limit - 0.25
    elif key == "link_below":
        for link, limit in arg.items():
            ctx.links[link] = limit - 0.25
    elif key == "weakest_corner":
        ctx.weakest_corner = arg
    elif key == "weakest_link":
        ctx.weakest_link = arg
    elif key == "item_below":
        for item, limit in arg.items():
            ctx.items[item] = max(0.0, limit - 0.25)
    elif key == "item_at_least":
        for item, limit in arg.items():
            ctx.items[item] = limit
    elif key == "factor_is":
        for factor, roles in arg.items():
            ctx.factors[factor] = roles[0]
    elif key == "extent_is":
        ctx.extent = arg[0]
    elif key == "finding":
        ctx.findings = [*ctx.findings, finding(arg, "t", ("residents",))]
    elif key == "trajectory_is":
        ctx.trajectory = arg[0]
    return ctx


def cases(kind: str) -> list[tuple[str, int, str, Any]]:
    out = []
    for rule in getattr(RULES, kind):
        for key, arg in leaf_conditions(rule["when"]):
            out.append((rule["id"], rule["phases"][-1], key, arg))
    return out


def rule_by_id(kind: str, rule_id: str) -> dict[str, Any]:
    return next(r for r in getattr(RULES, kind) if r["id"] == rule_id)


def quiet_phase(rule: dict[str, Any]) -> int | None:
    """A phase of the rule in which its conditions do not hold by phase alone."""
    gated = {p for key, arg in leaf_conditions(rule["when"]) if key == "phase_in" for p in arg}
    free = [p for p in rule["phases"] if p not in gated]
    return free[0] if free else None


@pytest.mark.parametrize("rule_id", [r["id"] for r in RULES.recommendations])
def test_recommendation_is_quiet_when_none_of_its_conditions_hold(rule_id: str) -> None:
    rule = rule_by_id("recommendations", rule_id)
    phase = quiet_phase(rule)
    if phase is None:  # fires on phase alone: then it must stay quiet outside its phases
        outside = next(p for p in range(5) if p not in rule["phases"])
        assert rule_id not in [r.id for r in recommend(quiet_context(outside), RULES)]
        return
    assert rule_id not in [r.id for r in recommend(quiet_context(phase), RULES)]


@pytest.mark.parametrize(("rule_id", "phase", "key", "arg"), cases("recommendations"))
def test_recommendation_fires_on_each_of_its_conditions(
    rule_id: str, phase: int, key: str, arg: Any
) -> None:
    ctx = satisfy(quiet_context(phase), key, arg)
    if ctx.phase not in rule_by_id("recommendations", rule_id)["phases"]:
        pytest.skip("phase condition outside the rule's phases")
    chosen = {r.id: r for r in recommend(ctx, RULES)}
    assert rule_id in chosen
    assert chosen[rule_id].why, "a chosen recommendation says why"
    assert chosen[rule_id].source.ref


@pytest.mark.parametrize(("rule_id", "phase", "key", "arg"), cases("risks"))
def test_risk_shows_on_each_of_its_conditions(rule_id: str, phase: int, key: str, arg: Any) -> None:
    quiet = {r.id: r for r in risks_for(quiet_context(phase), RULES)}
    assert quiet[rule_id].status == "watch"
    fired = {r.id: r for r in risks_for(satisfy(quiet_context(phase), key, arg), RULES)}
    assert fired[rule_id].status == "showing" and fired[rule_id].why


def test_risks_are_only_those_named_for_the_phase() -> None:
    for phase in range(5):
        named = {r.id for r in risks_for(quiet_context(phase), RULES)}
        expected = {r["id"] for r in RULES.risks if phase in r["phases"]}
        assert named == expected
    assert "pioneers-keep-control" in {r.id for r in risks_for(quiet_context(2), RULES)}
    assert "complacency" in {r.id for r in risks_for(quiet_context(4), RULES)}


def test_every_cluster_has_recommendations_and_sources_resolve() -> None:
    assert {r["cluster"] for r in RULES.recommendations} == {"pressure", "capacity", "networks"}
    for rule in RULES.recommendations + RULES.risks:
        assert documents_of(rule["source"]), rule["id"]  # cites a known document


def test_every_network_finding_code_is_used_by_some_recommendation() -> None:
    used = {
        arg
        for rule in RULES.recommendations
        for key, arg in leaf_conditions(rule["when"])
        if key == "finding"
    }
    assert used == set(NETWORK_FINDING_CODES)


def test_finding_codes_match_the_network_engine() -> None:
    findings = pytest.importorskip("lisa.findings")
    assert set(NETWORK_FINDING_CODES) == set(findings.FINDING_CODES)


def test_network_findings_drive_recommendations_with_their_groups() -> None:
    answers = {"meta.innovation": "x", "meta.place": "y", "sign.pilots": 5, "sign.early_value": 5}
    plain = assess_answers({"answers": answers}, instrument=INSTRUMENT)
    with_network = assess_answers(
        {"answers": answers},
        [finding("excluded-group", "Outside the core", ("VCS", "residents"))],
        instrument=INSTRUMENT,
    )
    assert "open-the-core" not in [r.id for r in plain.recommendations]
    (rec,) = [r for r in with_network.recommendations if r.id == "open-the-core"]
    assert any("VCS, residents" in why for why in rec.why)


def test_findings_are_the_network_engines_finding_objects(demo_result) -> None:  # type: ignore[no-untyped-def]
    answers = {"answers": {"meta.innovation": "x", "meta.place": "y", "sign.pilots": 5}}
    a = assess_answers(answers, demo_result.findings, instrument=INSTRUMENT)
    assert list(a.network_findings) == sorted(f.code for f in demo_result.findings)
    assert assess_answers(answers, None, instrument=INSTRUMENT).network_findings == ()
    recs = for_network(demo_result.findings, INSTRUMENT)
    assert recs and all(any("network finding" in w for w in r.why) for r in recs)


def test_conditions_all_not_and_reasons() -> None:
    ctx = quiet_context(2)
    ok, reasons = evaluate({"all": [{"phase_in": [2]}, {"extent_is": ["incremental"]}]}, ctx)
    assert ok and len(reasons) == 2
    ok, _ = evaluate({"not": {"phase_in": [2]}}, ctx)
    assert not ok
    ok, reasons = evaluate({"not": {"phase_in": [3]}}, ctx)
    assert ok and reasons


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"nonsense": 1}, "unknown condition"),
        ({"item_below": {"sign.nope": 0.5}}, "unknown item"),
        ({"finding": "no-such-finding"}, "unknown network finding"),
        ({"factor_is": {"luck": ["driver"]}}, "bad factor"),
        ({"weakest_corner": "money"}, "unknown corner"),
    ],
)
def test_malformed_rules_are_rejected(bad: dict[str, Any], message: str) -> None:
    from importlib import resources

    import yaml

    data = yaml.safe_load(
        resources.files("lisa.assess").joinpath("data/rules.yaml").read_text("utf-8")
    )
    data["recommendations"][0]["when"] = bad
    with pytest.raises(RulesInvalid, match=message):
        parse_rules(data, INSTRUMENT.bank)


# ---------------------------------------------------------------- named limits and settings


def test_named_limits_take_the_settings_values() -> None:
    rule = next(r for r in INSTRUMENT.rules.risks if r["id"] == "pioneers-keep-control")
    assert ("item_below", {"sign.delivery_team": 0.5}) in leaf_conditions(rule["when"])
    raw = next(r for r in INSTRUMENT.rules.raw["risks"] if r["id"] == "pioneers-keep-control")
    assert ("item_below", {"sign.delivery_team": "weak"}) in leaf_conditions(raw["when"])
    stricter = INSTRUMENT.with_settings(AssessmentSettings(weak=0.7, strong=0.9))
    rule = next(r for r in stricter.rules.risks if r["id"] == "pioneers-keep-control")
    assert ("item_below", {"sign.delivery_team": 0.7}) in leaf_conditions(rule["when"])
    ctx = quiet_context(2)
    ctx.items["sign.delivery_team"] = 0.6  # not weak at 0.5, weak at 0.7
    assert {r.id: r.status for r in risks_for(ctx, RULES)}["pioneers-keep-control"] == "watch"
    shown = {r.id: r.status for r in risks_for(ctx, stricter.rules)}
    assert shown["pioneers-keep-control"] == "showing"


def test_settings_change_the_assessment() -> None:
    # phase 1 answered too: a blank phase is passed through, so with phase 1 blank a
    # stricter threshold would leave the innovation one phase lower (1), not two
    answers = {"answers": {"meta.innovation": "x", "meta.place": "y", "sign.pilots": 4,
                           "sign.delivery_team": 4, "sign.early_value": 4, "sign.trigger": 4,
                           "sign.strategy": 4}}  # fmt: skip
    assert assess_answers(answers, instrument=INSTRUMENT).phase.value == 2  # mean 0.75 >= 0.6
    strict = Instrument.load(AssessmentSettings(sign_present=0.8))
    assert assess_answers(answers, instrument=strict).phase.value == 0


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"thresholds": {"sign_present": 0.6}}, "thresholds are settings now"),
        ({"extra": 1}, "unknown section"),
        ({"link_need": {"key": "high"}}, "bad phases or link_need"),
    ],
)
def test_malformed_rules_sections_are_rejected(patch: dict[str, Any], message: str) -> None:
    data = {**copy.deepcopy(dict(RULES.raw)), **patch}
    with pytest.raises(RulesInvalid, match=message):
        parse_rules(data, INSTRUMENT.bank)


@pytest.mark.parametrize(
    ("limit", "message"),
    [("feeble", "is not a setting"), (1.5, "from 0 to 1"), (True, "from 0 to 1")],
)
def test_bad_limits_are_rejected(limit: Any, message: str) -> None:
    data = copy.deepcopy(dict(RULES.raw))
    data["recommendations"][0]["when"] = {"item_below": {"sign.trigger": limit}}
    with pytest.raises(RulesInvalid, match=message):
        parse_rules(data, INSTRUMENT.bank)


def test_a_researchers_own_rules_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = copy.deepcopy(dict(RULES.raw))
    data["recommendations"] = [r for r in data["recommendations"] if r["id"] == "parallel-trials"]
    own = tmp_path / "rules.yaml"
    own.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    instrument = Instrument.from_paths(rules=own)
    answers = {"answers": {"meta.innovation": "x", "meta.place": "y", "sign.strategy": 5}}
    assert [r.id for r in assess_answers(answers, instrument=instrument).recommendations] == [
        "parallel-trials"
    ]
    repeated = tmp_path / "repeated.yaml"
    repeated.write_text("version: 1\nversion: 2\n", "utf-8")
    with pytest.raises(DefinitionInvalid, match="appears twice"):
        Instrument.from_paths(rules=repeated)
    with pytest.raises(DefinitionInvalid, match="no such instrument file"):
        Instrument.from_paths(items=tmp_path / "none.yaml")
