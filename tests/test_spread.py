"""Spreading it (issue 14): readiness for scaling, its risks and recommendations, the routes.

Hand-built answer sets make every spreading rule fire on each of its
conditions and stay quiet otherwise; each route fits, is possible, does not
fit or is unknown as its requirements say; the routes lisa proposes for the
case library's spreading cases include the route their seeds report; old and
hostile inputs give named problems and leave the files as they were.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import lisa
from lisa.assess import (
    AssessmentInvalid,
    Instrument,
    assess_answers,
    assess_files,
    check_answers,
    read_assessments,
    write_json,
)
from lisa.assess.rules import RulesInvalid, leaf_conditions
from lisa.assess.spread import parse_spread_rules
from lisa.cases import load_cases
from lisa.cli import app
from lisa.findings import Finding, Headline
from lisa.vocabulary import SCALE_CONDITIONS, SPREAD_ROUTES

INSTRUMENT = Instrument.load()
SPREAD = INSTRUMENT.spread
BANK = INSTRUMENT.bank
SCALE = [i for i in BANK.section("scale") if i.scale.name == "agree5"]
ASSESSMENTS = Path(lisa.__file__).parent / "cases" / "data" / "assessments"
runner = CliRunner()


def items_of(condition: str) -> list[str]:
    return [i.id for i in SCALE if i.condition == condition]


def neutral() -> dict[str, Any]:
    """Every agree5 scale item at 3 (neither): 0.5, which is not below weak and not strong."""
    return {"meta.innovation": "Hubs", "meta.place": "Town", **{i.id: 3 for i in SCALE}}


def spreading(answers: dict[str, Any], findings: list[Finding] | None = None) -> Any:
    result = assess_answers({"answers": answers}, findings, instrument=INSTRUMENT).spreading
    assert result is not None
    return result


def finding(code: str) -> Finding:
    return Finding(code=code, severity="medium", title="t", detail="", headline=Headline(value=0.1, text="x"))


def satisfy(answers: dict[str, Any], findings: list[Finding], key: str, arg: Any) -> None:
    """Change the answers (or findings) so that the leaf condition ``key: arg`` holds."""
    if key == "item_below":
        answers.update({item: 1 for item in arg})
    elif key == "item_at_least":
        answers.update({item: 5 for item in arg})
    elif key in ("readiness_below", "weakest_condition"):
        for condition in arg if key == "readiness_below" else [arg]:
            answers.update({item: 1 for item in items_of(condition)})
    elif key == "choice_is":
        answers.update({item: choices[0] for item, choices in arg.items()})
    elif key == "finding":
        findings.append(finding(arg))
    else:  # pragma: no cover - a new condition needs a line here
        raise AssertionError(f"no way to satisfy {key}")


def leaf_cases(kind: str) -> list[tuple[str, str, Any]]:
    """(rule id, key, arg) for each leaf of each 'any' rule; 'all' rules as one case."""
    out = []
    for rule in getattr(SPREAD, kind):
        ((top, _),) = rule["when"].items()
        if top == "all":
            out.append((rule["id"], "all", None))
        else:
            out += [(rule["id"], key, arg) for key, arg in leaf_conditions(rule["when"])]
    return out


def rule(kind: str, rule_id: str) -> dict[str, Any]:
    return next(r for r in getattr(SPREAD, kind) if r["id"] == rule_id)


# --------------------------------------------------------------------------- readiness


def test_each_condition_level_and_the_weakest() -> None:
    answers = neutral() | {"scale.pull_need": 5, "scale.pull_demand": 5, "scale.pull_money": 5}
    answers |= {"scale.push_results": 1, "scale.push_codified": 2}  # push 0.125: weak
    s = spreading(answers)
    r = s.readiness.conditions
    assert (r["pull"].level, r["pull"].strength) == ("strong", 1.0)
    assert (r["push"].level, r["push"].strength) == ("weak", 0.125)
    assert r["form"].level == r["learning"].level == "fair"
    assert s.readiness.weakest == ("push",) and s.readiness.weakest_is_weak
    assert r["pull"].answered == r["pull"].total == 3


def test_tied_weakest_conditions_are_all_named() -> None:
    answers = neutral() | {i: 1 for i in items_of("form") + items_of("learning")}
    s = spreading(answers)
    assert s.readiness.weakest == ("form", "learning")
    assert s.readiness.conditions["form"].strength == s.readiness.conditions["learning"].strength == 0.0


def test_no_weak_condition_means_no_weakest_condition_rule() -> None:
    s = spreading(neutral() | {i: 4 for i in items_of("pull")})
    assert s.readiness.weakest_is_weak is False  # the weakest (0.5) is not below weak
    assert not s.risks and not s.recommendations


def test_an_unanswered_condition_is_not_assessed_and_never_weakest() -> None:
    answers = {"meta.innovation": "x", "meta.place": "y", "scale.pull_need": 2}
    s = spreading(answers)
    assert s.status == "assessed" and s.answered == 1
    assert s.readiness.conditions["push"].level == "not assessed"
    assert s.readiness.conditions["push"].strength is None
    assert s.readiness.weakest == ("pull",)


def test_without_scale_answers_the_spreading_part_is_not_assessed() -> None:
    s = spreading({"meta.innovation": "x", "meta.place": "y", "sign.pilots": 5})
    assert s.status == "not assessed" and s.answered == 0 and s.of == len(BANK.section("scale"))
    assert all(c.level == "not assessed" for c in s.readiness.conditions.values())
    assert {r.fit for r in s.routes} == {"unknown"}
    assert not s.risks and not s.recommendations


def test_the_weak_setting_moves_the_levels() -> None:
    loose = Instrument.load(INSTRUMENT.settings.model_copy(update={"weak": 0.2}))
    answers = {"answers": neutral() | {i: 2 for i in items_of("form")}}  # form 0.25
    strict = assess_answers(answers, instrument=INSTRUMENT).spreading
    relaxed = assess_answers(answers, instrument=loose).spreading
    assert strict is not None and relaxed is not None
    assert strict.readiness.conditions["form"].level == "weak"
    assert relaxed.readiness.conditions["form"].level == "fair"
    assert "no-organisational-form" in {r.id for r in strict.risks}
    assert "no-organisational-form" not in {r.id for r in relaxed.risks}


# --------------------------------------------------------------------------- rules


def test_neutral_answers_fire_no_spreading_rule() -> None:
    s = spreading(neutral())
    assert s.risks == () and s.recommendations == ()


@pytest.mark.parametrize(("kind", "rule_id", "key", "arg"), [
    (kind, *case) for kind in ("risks", "recommendations") for case in leaf_cases(kind)
])  # fmt: skip
def test_each_spreading_rule_fires_on_each_of_its_conditions(
    kind: str, rule_id: str, key: str, arg: Any
) -> None:
    answers, findings = neutral(), []
    leaves = leaf_conditions(rule(kind, rule_id)["when"]) if key == "all" else [(key, arg)]
    for k, a in leaves:
        satisfy(answers, findings, k, a)
    s = spreading(answers, findings)
    fired = {r.id: r for r in (s.risks if kind == "risks" else s.recommendations)}
    assert rule_id in fired
    assert fired[rule_id].why and fired[rule_id].source.documents


@pytest.mark.parametrize("rule_id", [r["id"] for r in SPREAD.risks + SPREAD.recommendations if "all" in r["when"]])
def test_an_all_rule_is_quiet_when_one_of_its_conditions_fails(rule_id: str) -> None:
    kind = "risks" if rule_id in {r["id"] for r in SPREAD.risks} else "recommendations"
    leaves = leaf_conditions(rule(kind, rule_id)["when"])
    for skip in range(len(leaves)):
        answers, findings = neutral(), []
        for index, (k, a) in enumerate(leaves):
            if index != skip:
                satisfy(answers, findings, k, a)
        s = spreading(answers, findings)
        assert rule_id not in {r.id for r in (*s.risks, *s.recommendations)}


def test_risks_and_recommendations_of_the_weakest_condition_come_first() -> None:
    answers = neutral() | {i: 1 for i in items_of("learning")} | {"scale.pull_money": 2}
    s = spreading(answers)
    assert s.readiness.weakest == ("learning",)
    assert s.risks[0].condition == "learning" and s.recommendations[0].condition == "learning"
    assert "fragile-market" in {r.id for r in s.risks}


def test_every_condition_has_risks_and_recommendations_with_sources() -> None:
    for condition in SCALE_CONDITIONS:
        assert any(r["condition"] == condition for r in SPREAD.risks), condition
        assert any(r["condition"] == condition for r in SPREAD.recommendations), condition
    for r in SPREAD.risks + SPREAD.recommendations:
        assert r["source"][:3] in {"001", "002", "003", "004"}, r["id"]


# --------------------------------------------------------------------------- routes


def route_of(answers: dict[str, Any], name: str) -> Any:
    return next(r for r in spreading(answers).routes if r.route == name)


#: For each route: answers that meet every requirement, from the neutral set.
MEETS: dict[str, dict[str, Any]] = {
    "diffusion": {"scale.push_codified": 4, "scale.pull_demand": 4},
    "parent": {"scale.form_parent": 5, "scale.push_codified": 4},
    "takeover": {"scale.form_adopter": 5},
    "growth": {"scale.form_owner_growth": 4, "scale.pull_money": 4},
}


@pytest.mark.parametrize("name", SPREAD_ROUTES)
def test_a_route_fits_when_its_requirements_hold(name: str) -> None:
    route = route_of(neutral() | MEETS[name], name)
    assert route.fit == "fits", (route.unmet, route.against)
    assert len(route.reasons) >= len(SPREAD.routes[name]["requires"])
    assert route.tradeoffs and all(t.source.documents for t in route.tradeoffs)


@pytest.mark.parametrize("name", SPREAD_ROUTES)
def test_a_route_does_not_fit_when_an_answered_requirement_is_contradicted(name: str) -> None:
    disagree = {k: 2 if isinstance(v, int) else v for k, v in neutral().items()}
    route = route_of(disagree, name)  # every requirement asks for agreement; 2 disagrees
    assert route.fit == "does not fit" and route.unmet and not route.partly


@pytest.mark.parametrize("name", SPREAD_ROUTES)
def test_a_requirement_answered_neutrally_leaves_the_route_possible(name: str) -> None:
    route = route_of(neutral(), name)  # 3 (neither) neither meets nor contradicts
    assert route.fit == "possible" and route.partly and not route.unmet
    assert all("neutral" in p for p in route.partly)


@pytest.mark.parametrize("name", SPREAD_ROUTES)
def test_a_route_is_unknown_when_its_requirements_are_unanswered(name: str) -> None:
    answers = {"meta.innovation": "x", "meta.place": "y", "scale.learning_adapt": 4}
    route = route_of(answers, name)
    assert route.fit == "unknown" and route.unanswered


@pytest.mark.parametrize(("name", "index"), [
    (name, index) for name in SPREAD_ROUTES for index in range(len(SPREAD.routes[name]["against"]))
])  # fmt: skip
def test_a_route_is_only_possible_when_something_speaks_against_it(name: str, index: int) -> None:
    answers, findings = neutral() | MEETS[name], []
    against = SPREAD.routes[name]["against"][index]
    for key, arg in leaf_conditions(against["when"]):
        satisfy(answers, findings, key, arg)
    route = route_of(answers, name)
    if route.fit == "does not fit":  # the fact against it undid a requirement: not this test's case
        pytest.skip("the condition against it also fails a requirement")
    assert route.fit == "possible"
    assert any(x.startswith(against["why"]) for x in route.against)


def test_routes_are_listed_best_fitting_first() -> None:
    s = spreading(neutral() | MEETS["takeover"])
    order = {"fits": 0, "possible": 1, "unknown": 2, "does not fit": 3}
    assert [order[r.fit] for r in s.routes] == sorted(order[r.fit] for r in s.routes)
    assert s.routes[0].route == "takeover"


# --------------------------------------------------------------------------- the seeds' cases

#: The cases whose seed says how the innovation spread: route, and words that must stand
#: together (within a few lines) in the cited seed, as the evidence the route rests on.
SEED_ROUTES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "oldham-in-control": ("parent", "003", ("seventh member", "122 adult", "independent In Control networks")),
    "highland": ("takeover", "001", ("Pathfinder", "rolled out", "other Scottish authorities")),
    "south-tyneside": ("growth", "001", ("Neighbourhood Renewal Fund", "scaled up")),
    "beacons": ("diffusion", "003", ("share their learning", "Beacon")),
}
SEEDS = Path(os.environ.get("LISA_SEEDS", "/work/shared/seeds"))


def test_the_library_records_the_routes_the_seeds_report() -> None:
    spreading_cases = {c.name: c for c in load_cases() if c.spread}
    assert set(spreading_cases) == set(SEED_ROUTES)
    for name, (route, seed, _) in SEED_ROUTES.items():
        case = spreading_cases[name]
        assert case.spread is not None
        assert case.spread["route"] == route and case.spread["source"].startswith(seed)


@pytest.mark.parametrize("name", list(SEED_ROUTES))
def test_each_route_fact_stands_in_its_seed(name: str) -> None:
    route, seed, words = SEED_ROUTES[name]
    files = sorted(SEEDS.glob(f"{seed}_*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip("the seed reports are not on this machine (set LISA_SEEDS)")
    text = " ".join(files[0].read_text("utf-8").split())
    starts = [i for i in range(len(text)) if text.startswith(words[0], i)]
    assert starts, words[0]
    windows = [text[max(0, i - 3000) : i + 3000] for i in starts]
    assert any(all(w in window for w in words[1:]) for window in windows), (name, words)


@pytest.mark.parametrize("name", ["oldham-in-control", "highland", "south-tyneside"])
def test_lisa_proposes_the_route_the_seed_reports_for_the_case(name: str) -> None:
    a = assess_files([ASSESSMENTS / f"{name}.yaml"], instrument=INSTRUMENT)[0]
    assert a.spreading is not None and a.spreading.status == "assessed"
    route = next(r for r in a.spreading.routes if r.route == SEED_ROUTES[name][0])
    assert route.fit == "fits", (route.unmet, route.against, route.unanswered)
    assert name in {c.name for c in route.cases}


def test_oldham_is_carried_by_a_parent_not_taken_over() -> None:
    a = assess_files([ASSESSMENTS / "oldham-in-control.yaml"], instrument=INSTRUMENT)[0]
    assert a.spreading is not None
    fits = {r.route: r.fit for r in a.spreading.routes}
    assert a.spreading.routes[0].route == "parent"
    assert fits["parent"] == "fits"
    assert fits["takeover"] == "possible"  # Whitehall only 'starting to take notice': neutral


def test_southampton_stuck_on_pilot_money_has_weak_pull_and_form() -> None:
    a = assess_files([ASSESSMENTS / "southampton.yaml"], instrument=INSTRUMENT)[0]
    s = a.spreading
    assert s is not None
    assert s.readiness.weakest == ("form",) and s.readiness.conditions["pull"].level == "weak"
    assert {"missing-middle", "fragile-market"} <= {r.id for r in s.risks}
    assert {r.route: r.fit for r in s.routes}["growth"] == "does not fit"


# --------------------------------------------------------------------------- intermediaries


def test_intermediaries_point_to_the_network_study_only_when_there_is_one() -> None:
    assert spreading(neutral()).intermediaries.status == "no-network-study"
    with_study = spreading(neutral(), [finding("low-response")])
    assert with_study.intermediaries.status == "see-network-study"
    assert "Intermediaries for spreading" in with_study.intermediaries.text
    none = spreading(neutral(), [finding("no-intermediaries")])
    assert none.intermediaries.status == "none-placed"
    assert "missing-middle" in {r.id for r in none.risks}


def test_low_connected_difference_shows_the_missing_middle() -> None:
    s = spreading(neutral(), [finding("low-connected-difference")])
    assert "missing-middle" in {r.id for r in s.risks}


# --------------------------------------------------------------------------- old and hostile input


def test_an_old_answer_file_without_scale_items_still_loads() -> None:
    old = Path(__file__).parent / "data" / "assess" / "version-1-answers.yaml"
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    a = assess_files([old], instrument=INSTRUMENT)[0]
    assert a.spreading is not None and a.spreading.status == "not assessed"
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(("line", "code"), [
    ("  scale.owner: charity\n", "bad-answer"),
    ("  scale.pull_need: 7\n", "bad-answer"),
    ("  scale.pull_need: [4, 5]\n", "wrong-type"),
    ("  scale.pull_nede: 4\n", "unknown-item"),
])  # fmt: skip
def test_bad_scale_answers_are_named_problems_and_the_file_is_untouched(
    tmp_path: Path, line: str, code: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  meta.innovation: Hubs\n  meta.place: Town\n" + line, "utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    problems = [p for p in check_answers(path, INSTRUMENT)[1] if p.severity == "error"]
    assert [p.code for p in problems] == [code]
    result = runner.invoke(app, ["assess", "spread", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert line.split(":")[0].strip() in result.output  # the message names the item
    with pytest.raises(AssessmentInvalid):
        assess_files([path], instrument=INSTRUMENT)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_document_of_schema_1_2_reads_with_spreading_null(tmp_path: Path) -> None:
    a = assess_answers({"answers": neutral()}, instrument=INSTRUMENT)
    path = tmp_path / "a.json"
    write_json([a], path, None, instrument=INSTRUMENT)
    data = json.loads(path.read_text("utf-8"))
    assert data["assessments"][0]["spreading"]["status"] == "assessed"
    assert read_assessments(path)[0].spreading == a.spreading
    data["schema_version"] = "1.2"
    for entry in data["assessments"]:
        del entry["spreading"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), "utf-8")
    assert read_assessments(old)[0].spreading is None


@pytest.mark.parametrize(("patch", "message"), [
    (lambda d: d.pop("routes"), "exactly the sections"),
    (lambda d: d["routes"].pop("growth"), "'routes' must describe"),
    (lambda d: d["conditions"].pop("pull"), "'conditions' must describe"),
    (lambda d: d["risks"][0].update(condition="luck"), "condition must be one of"),
    (lambda d: d["risks"].append(dict(d["risks"][0])), "duplicate id"),
    (lambda d: d["recommendations"][0].update(when={"item_below": {"scale.nope": 0.5}}), "unknown item"),
    (lambda d: d["routes"]["takeover"]["requires"][0].pop("need"), "needs 'need' and 'when'"),
    (lambda d: d["routes"]["takeover"]["against"][0].update(when={"choice_is": {"scale.owner": ["guild"]}}), "no choice"),
    (lambda d: d["routes"]["parent"]["tradeoffs"].append({"text": "x"}), "needs 'text' and 'source'"),
    (lambda d: d["risks"][0].update(when={"weakest_condition": "money"}), "unknown condition for scaling"),
])  # fmt: skip
def test_malformed_spreading_rules_are_refused(patch: Any, message: str) -> None:
    data = copy.deepcopy(dict(SPREAD.raw))
    patch(data)
    with pytest.raises(RulesInvalid, match=message):
        parse_spread_rules(data, BANK)


# --------------------------------------------------------------------------- outputs


def test_lisa_assess_prints_the_spreading_profile() -> None:
    result = runner.invoke(app, ["assess", str(ASSESSMENTS / "southampton.yaml")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Spreading it" in out and "◀ weakest" in out and "Find or build an intermediary" in out


def test_lisa_assess_spread_prints_routes_with_trade_offs_and_cases() -> None:
    result = runner.invoke(app, ["assess", "spread", str(ASSESSMENTS / "oldham-in-control.yaml")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "FITS direct diffusion by a parent organisation" in out
    assert "trade-off:" in out and "cases: oldham-in-control" in out


def test_lisa_assess_says_when_spreading_is_not_assessed() -> None:
    old = Path(__file__).parent / "data" / "assess" / "version-1-answers.yaml"
    result = runner.invoke(app, ["assess", "spread", str(old)])
    assert result.exit_code == 0, result.output
    assert "Not assessed" in result.output


def test_the_report_shows_spreading_it_per_innovation(demo_result) -> None:  # type: ignore[no-untyped-def]
    from lisa.report import build_report
    from lisa.report.render import render_html

    stuck = assess_files([ASSESSMENTS / "southampton.yaml"], instrument=INSTRUMENT)[0]
    bare = assess_answers({"answers": {"meta.innovation": "Bare", "meta.place": "X"}})
    page = render_html(build_report(demo_result, [stuck, bare])).replace("&#39;", "'")
    assert page.count("<h4>Spreading it</h4>") == 2
    assert "Weakest condition: an organisational form connecting the two." in page
    assert "No one connects the innovation with those who need it" in page
    assert "Find or build an intermediary" in page
    assert "takeover by an existing organisation" in page and "Highland" in page
    assert 'class="empty no-spreading"' in page
    assert "Social innovation: new approaches to transforming public services" in page


@pytest.mark.parametrize(("spread", "message"), [
    ({"route": "teleport", "evidence": "x", "source": "003"}, "not one of"),
    ({"route": "parent", "evidence": "x"}, "exactly 'route', 'evidence' and 'source'"),
    ({"route": "parent", "evidence": "", "source": "003"}, "must be text"),
    ("parent", "exactly 'route'"),
])  # fmt: skip
def test_a_case_with_a_malformed_spread_is_refused(spread: Any, message: str) -> None:
    from lisa.cases.library import CaseInvalid, check_case

    case = next(c for c in load_cases() if c.name == "oldham-in-control")
    with pytest.raises(CaseInvalid, match=message):
        check_case({**case.data, "spread": spread}, "oldham-in-control.yaml")
