"""Each finding rule fires on data showing its pattern and stays quiet otherwise.

The rules read the typed network result, so these tests build small result
documents by hand around a 36-person study (validated into the models); the
end-to-end checks on generated places are in tests/test_analysis.py.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import numpy as np
import pytest

from lisa.config import AnalysisConfig
from lisa.findings import FINDING_CODES, RULES, evaluate
from lisa.network.mixing import link_verdict
from lisa.network.results import NetworkAnalysis
from lisa.study import DEFAULT_RELATIONS, Study, Ties

SECTORS = [
    ("council", "systemic"),
    ("schools", "sectoral"),
    ("health", "sectoral"),
    ("vcs", "frontline"),
    ("student council", "public"),
    ("residents", "public"),
]
RELATIONS = [r.name for r in DEFAULT_RELATIONS]


def make_study(response: list[bool] | None = None) -> Study:
    ids, sectors, layers = [], [], []
    for sector, layer in SECTORS:
        for k in range(6):
            ids.append(f"{sector[:3]}{k}")
            sectors.append(sector)
            layers.append(layer)
    n = len(ids)
    # a ring inside each sector plus a tie from each person to the first council officer
    src, tgt = [], []
    for i in range(n):
        block = i // 6 * 6
        src.append(i)
        tgt.append(block + (i + 1) % 6)
        if i:
            src.append(i)
            tgt.append(0)
    m = len(src)
    return Study(
        name="t",
        ids=ids,
        names=[f"Person {i}" for i in ids],
        organisations=[f"{s} org" for s in sectors],
        sectors=sectors,
        layers=layers,
        relations=list(DEFAULT_RELATIONS),
        ties=Ties(
            np.array(src, np.int32),
            np.array(tgt, np.int32),
            np.zeros(m, np.int16),
            np.ones(m),
            np.full(m, -1, np.int16),
        ),
        responded=np.array(response if response is not None else [True] * n),
        response_known=response is not None,
    )


STUDY = make_study()
CORE = [p for p in STUDY.ids if p.startswith(("cou", "sch"))][:10]  # council + schools
MIXED_CORE = [p for i, p in enumerate(STUDY.ids) if i % 6 == 0]  # one per sector


def group_block(core: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for grouping in ("sector", "layer"):
        values = dict(zip(STUDY.ids, STUDY.group_values(grouping), strict=True))
        groups = sorted(set(values.values()))
        out[grouping] = {}
        for g in groups:
            people = sum(v == g for v in values.values())
            in_core = sum(values[p] == g for p in core)
            share_people = people / STUDY.n_people
            share_core = in_core / len(core)
            out[grouping][g] = {
                "people": people,
                "core_places": in_core * len(RELATIONS),
                "share_of_people": share_people,
                "share_of_core": share_core,
                "representation": share_core / share_people,
            }
    return out


def composition(core: list[str]) -> dict[str, dict[str, int]]:
    """The stable core's members per sector and layer, largest first (as the engine gives)."""
    out = {}
    for grouping in ("sector", "layer"):
        values = dict(zip(STUDY.ids, STUDY.group_values(grouping), strict=True))
        counts = Counter(values[p] for p in core)
        out[grouping] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def network_stats(**changes: Any) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "people": 36,
        "arcs": 70,
        "density": 0.05,
        "reciprocity": 0.1,
        "mean_out_degree": 2.0,
        "ties_per_respondent": 2.0,
        "components": 1,
        "largest_component_share": 1.0,
        "isolates": [],
        "core_size": 6,
        "core_fit": 0.5,
        "ei_index": {"sector": 0.3},
        "mean_contact_diversity": {"sector": 0.8, "layer": 0.7},
        "exact": True,
        "samples": None,
    }
    return {**stats, **changes}


def person(**changes: Any) -> dict[str, Any]:
    metrics: dict[str, Any] = {
        "in_degree": 2,
        "out_degree": 2,
        "betweenness": 0.0,
        "closeness": 0.5,
        "coreness": 1,
        "core": False,
        "reach2": 0.3,
        "articulation": False,
        "cut_off": 0,
        "brokerage": {},
        "diversity": {},
        "roles": [],
        "core_networks": 0,
    }
    return {**metrics, **changes}


def layer_links(horizontal: dict[str, float], vertical: dict[str, float]) -> list[dict[str, Any]]:
    people = {"systemic": 6, "sectoral": 12, "frontline": 6, "public": 12}
    links = [("horizontal", a, a, d) for a, d in horizontal.items()]
    links += [("vertical", *pair.split("-"), d) for pair, d in vertical.items()]
    return [
        {
            "kind": kind,
            "a": a,
            "b": b,
            "density": d,
            "ratio": d / 0.05,
            "judged": min(people[a], people[b]) >= AnalysisConfig().min_group_size,
            "verdict": link_verdict(d, 0.05, AnalysisConfig().thin_links_ratio),
        }
        for kind, a, b, d in links
    ]


def set_link_density(result: dict[str, Any], a: str, b: str, density: float) -> None:
    """Change one layer link's density; the verdict follows by the engine's own rule."""
    for link in result["layers"]["links"]:
        if {link["a"], link["b"]} == {a, b}:
            link.update(
                density=density,
                ratio=density / result["layers"]["overall_density"],
                verdict=link_verdict(
                    density, result["layers"]["overall_density"], result["layers"]["thin_links_ratio"]
                ),
            )


def neutral_result() -> dict[str, Any]:
    """A result in which no rule should fire: open core, mixed, resilient, modest networking."""
    people = {"systemic": 6, "sectoral": 12, "frontline": 6, "public": 12}
    return {
        "computation": {"exact": True, "samples": None, "seconds": 0.0},
        "response": {
            "known": True,
            "people": 36,
            "respondents": 36,
            "rate": 1.0,
            "level": "individuals",
            "imputation": "none",
            "imputed_arcs": 0,
            "by_layer": {},
            "by_sector": {},
            "non_respondents": [],
            "not_recorded": 0,
        },
        "relations": {
            r: {"label": r, "directed": True, "network": network_stats(), "people": {}}
            for r in RELATIONS
        },
        "combined": {
            "label": "All relations combined",
            "directed": True,
            "network": network_stats(),
            "people": {p: person() for p in STUDY.ids},
        },
        "core_consistency": {
            "cores": {r: MIXED_CORE for r in RELATIONS},
            "stable_core": MIXED_CORE,
            "stable_core_min_networks": 6,
            "stable_core_by": composition(MIXED_CORE),
            "mean_overlap": 0.3,
            "overlap": [],
            "by_group": group_block(MIXED_CORE),
        },
        "layers": {
            "groups": list(people),
            "people": people,
            "ties": {},
            "density": {},
            "overall_density": 0.05,
            "ei_index": 0.2,
            "thin_links_ratio": AnalysisConfig().thin_links_ratio,
            "links": layer_links(
                {"systemic": 0.06, "sectoral": 0.05, "frontline": 0.07, "public": 0.04},
                {"systemic-sectoral": 0.05, "sectoral-frontline": 0.06, "frontline-public": 0.04},
            ),
        },
        "sectors": {
            "groups": [],
            "people": {},
            "ties": {},
            "density": {},
            "overall_density": 0.05,
            "ei_index": 0.3,
        },
        "resilience": {
            "baseline": {"reach2": 0.6, "largest_component_share": 1.0, "sampled_people": None},
            "scenarios": [
                {
                    "kind": "stable-core",
                    "grouping": None,
                    "group": None,
                    "removed": MIXED_CORE,
                    "reach2_before": 0.6,
                    "reach2_after": 0.55,
                    "reach_loss": 0.08,
                    "largest_component_share_after": 1.0,
                    "random_reach_loss": 0.06,
                }
            ],
        },
    }


def closed_core(result: dict[str, Any]) -> None:
    cc = result["core_consistency"]
    cc.update(
        cores={r: CORE for r in RELATIONS},
        stable_core=CORE,
        stable_core_by=composition(CORE),
        mean_overlap=0.9,
        by_group=group_block(CORE),
    )
    for p in CORE:
        result["combined"]["people"][p].update(core=True, core_networks=len(RELATIONS))


def fragile_core(result: dict[str, Any]) -> None:
    closed_core(result)
    result["resilience"]["scenarios"][0].update(
        removed=CORE, reach2_after=0.2, reach_loss=0.6, random_reach_loss=0.1
    )


def low_response(result: dict[str, Any]) -> None:
    result["response"].update(respondents=25, rate=25 / 36, level="patterns")


def thin_group(result: dict[str, Any]) -> None:
    result["response"]["by_sector"] = {
        "residents": {"people": 6, "respondents": 2, "rate": 2 / 6, "thin": True}
    }


def segregated(result: dict[str, Any]) -> None:
    result["combined"]["network"]["mean_contact_diversity"]["sector"] = 0.2
    result["combined"]["network"]["ei_index"]["sector"] = -0.7


def thin_public_layer(result: dict[str, Any]) -> None:
    set_link_density(result, "public", "public", 0.01)


def thin_vertical(result: dict[str, Any]) -> None:
    set_link_density(result, "frontline", "public", 0.005)


def isolates(result: dict[str, Any]) -> None:
    result["combined"]["network"]["isolates"] = ["res5"]


def busy(result: dict[str, Any]) -> None:
    for block in result["relations"].values():
        block["network"]["ties_per_respondent"] = 7.5


def no_middle(result: dict[str, Any]) -> None:
    """Nobody holds an intermediary position (see tests/test_intermediaries.py end to end)."""
    result["intermediaries"] = {
        "level": "individuals",
        "named": True,
        "measured": ["between-sectors", "between-layers", "across-organisations"],
        "cuts": dict.fromkeys(
            [
                "sector_brokerage",
                "layer_brokerage",
                "organisations_reached",
                "outside_contacts",
                "organisation_sector_brokerage",
                "organisation_layer_brokerage",
            ]
        ),
        "count": 0,
        "people": {},
        "not_named": 0,
        "uncertain": 0,
        "by_reason": {},
        "by_sector": {},
        "by_layer": {},
        "organisations": {},
        "organisations_not_named": 0,
        "most_organisations_reached": 1,
    }


PATTERNS = {
    "low-response": low_response,
    "exclusive-core": closed_core,
    "excluded-group": closed_core,
    "core-departure-risk": fragile_core,
    "low-connected-difference": segregated,
    "thin-horizontal-links": thin_public_layer,
    "thin-vertical-links": thin_vertical,
    "isolated-people": isolates,
    "high-networking": busy,
    "no-intermediaries": no_middle,
}


#: The hand-made place has 36 people and a core of 10 (28 %): allow that core size.
SMALL_PLACE = AnalysisConfig(core_max_share=0.3)


def run(result: dict[str, Any], config: AnalysisConfig | None = None) -> dict[str, Any]:
    typed = NetworkAnalysis.model_validate(result)
    return {f.code: f for f in evaluate(typed, STUDY, config or SMALL_PLACE)}


def test_every_code_has_a_rule_and_a_pattern_test() -> None:
    assert set(RULES) == set(FINDING_CODES) == set(PATTERNS)


def test_neutral_result_has_no_findings() -> None:
    assert run(neutral_result()) == {}


@pytest.mark.parametrize("code", FINDING_CODES)
def test_rule_fires_on_its_pattern(code: str) -> None:
    result = neutral_result()
    PATTERNS[code](result)
    found = run(result)
    assert code in found
    f = found[code]
    assert f.title and f.detail and f.evidence
    assert f.severity in {"high", "medium", "low", "info"}


@pytest.mark.parametrize("code", FINDING_CODES)
def test_rule_only_fires_on_its_own_pattern(code: str) -> None:
    """Showing one pattern does not trigger unrelated findings."""
    result = neutral_result()
    PATTERNS[code](result)
    related = {
        "exclusive-core": {"exclusive-core", "excluded-group"},
        "excluded-group": {"exclusive-core", "excluded-group"},
        "core-departure-risk": {"exclusive-core", "excluded-group", "core-departure-risk"},
    }.get(code, {code})
    assert set(run(result)) <= related


def test_excluded_group_names_the_groups_outside_the_core() -> None:
    result = neutral_result()
    closed_core(result)
    f = run(result)["excluded-group"]
    assert {"vcs", "student council", "residents"} <= set(f.groups)
    assert "council" not in f.groups and "schools" not in f.groups
    assert f.evidence.group("vcs").representation == 0


def test_exclusive_core_names_its_people_and_sectors() -> None:
    result = neutral_result()
    closed_core(result)
    f = run(result)["exclusive-core"]
    assert f.people == CORE
    assert set(f.groups) == {"council", "schools"}
    assert f.evidence.in_every_network == len(CORE)


def test_exclusive_core_needs_the_same_core_everywhere() -> None:
    result = neutral_result()
    closed_core(result)
    result["core_consistency"]["mean_overlap"] = 0.2
    assert "exclusive-core" not in run(result)


def test_departure_risk_needs_more_than_random_loss() -> None:
    result = neutral_result()
    fragile_core(result)
    result["resilience"]["scenarios"][0]["random_reach_loss"] = 0.5
    assert "core-departure-risk" not in run(result)


def test_a_core_of_a_large_share_of_the_place_is_no_small_core_group() -> None:
    result = neutral_result()
    fragile_core(result)
    assert {"exclusive-core", "core-departure-risk"} <= set(run(result))
    share = len(CORE) / STUDY.n_people
    tighter = AnalysisConfig(core_max_share=share * 0.9)
    assert share > AnalysisConfig().core_max_share  # so the default would not fire either
    assert not {"exclusive-core", "core-departure-risk"} & set(run(result, tighter))


def test_individuals_are_not_named_below_the_response_threshold() -> None:
    result = neutral_result()
    fragile_core(result)
    low_response(result)
    found = run(result)
    assert found["core-departure-risk"].people == []
    assert found["core-departure-risk"].people_not_named == len(CORE)
    assert found["low-response"].severity == "medium"


def test_very_low_response_is_high_severity() -> None:
    result = neutral_result()
    result["response"].update(respondents=18, rate=0.5, level="unreliable")
    assert run(result)["low-response"].severity == "high"


def test_thin_group_alone_is_a_low_severity_response_finding() -> None:
    result = neutral_result()
    thin_group(result)
    f = run(result)["low-response"]
    assert f.severity == "low"
    assert f.groups == ["residents (sector)"]


def test_unknown_response_never_fires_low_response() -> None:
    result = neutral_result()
    result["response"].update(known=False, rate=0.1)
    assert "low-response" not in run(result)


def test_thresholds_come_from_the_config() -> None:
    result = neutral_result()
    busy(result)
    assert "high-networking" not in run(result, AnalysisConfig(high_networking_ties=8))
    assert "high-networking" in run(result, AnalysisConfig(high_networking_ties=7))


def test_findings_are_sorted_most_severe_first() -> None:
    result = neutral_result()
    for pattern in PATTERNS.values():
        pattern(result)
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    typed = NetworkAnalysis.model_validate(result)
    severities = [order[f.severity] for f in evaluate(typed, STUDY, AnalysisConfig())]
    assert severities == sorted(severities)


def test_evaluate_does_not_change_the_result() -> None:
    result = neutral_result()
    closed_core(result)
    before = copy.deepcopy(result)
    run(result)
    assert result == before
