"""Findings: turning the network numbers into statements a place can act on.

Every finding has a stable ``code`` that other tools rely on, a severity, a
plain-English title and explanation, the numbers behind it (``evidence``) and
the people or groups it is about. The rules are one function each, registered
in :data:`RULES` in the order they are documented in ``docs/findings.md``; all
thresholds come from :class:`lisa.config.AnalysisConfig`.

Each rule reads the network result (the dict of ``docs/schema.md``) and, where
it needs roster facts such as a person's sector, the :class:`~lisa.study.Study`.
A rule returns ``None`` when the data do not show its pattern.

The patterns come from the Appendix C network experiment of the NESTA / Young
Foundation study of local innovation (an exclusive core of council officers
and head teachers in all seven networks; the voluntary sector, student council
and residents outside it; a sustainability risk if the core leaves; too little
"connected difference") and from the layer model of the same report (thin
horizontal or vertical links).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lisa.config import AnalysisConfig
from lisa.errors import DefinitionInvalid
from lisa.study import Study
from lisa.vocabulary import ADJACENT_LAYER_PAIRS, SEVERITY_ORDER, Severity

SeverityLevel = Severity

#: Every finding code lisa can produce, in documentation order.
FINDING_CODES: tuple[str, ...] = (
    "low-response",
    "exclusive-core",
    "excluded-group",
    "core-departure-risk",
    "low-connected-difference",
    "thin-horizontal-links",
    "thin-vertical-links",
    "isolated-people",
    "high-networking",
)


@dataclass
class Finding:
    """One statement about the place, with the numbers and people behind it."""

    code: str
    severity: SeverityLevel
    title: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Result = Mapping[str, Any]
Rule = Callable[[Result, Study, AnalysisConfig], "Finding | None"]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register a finding rule under its code."""
    if code not in FINDING_CODES:
        raise DefinitionInvalid(f"undocumented finding code '{code}'")

    def register(func: Rule) -> Rule:
        RULES[code] = func
        return func

    return register


def evaluate(result: Result, study: Study, config: AnalysisConfig) -> list[Finding]:
    """Run every rule; return the findings most severe first.

    When the response rate is below ``config.response_name_individuals`` no
    finding names individual people (the survey literature's rule for naming
    brokers), though groups are still named.
    """
    findings = [f for code in FINDING_CODES if (f := RULES[code](result, study, config))]
    if not _may_name_individuals(result):
        for f in findings:
            if f.people:
                f.evidence["people_not_named"] = len(f.people)
                f.people = []
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], FINDING_CODES.index(f.code)))
    return findings


# -- helpers ----------------------------------------------------------------


def _may_name_individuals(result: Result) -> bool:
    return result.get("response", {}).get("level", "individuals") == "individuals"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _fmt_list(items: Sequence[str], limit: int = 6) -> str:
    items = list(items)
    if len(items) <= limit:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def _stable_core(result: Result) -> list[str]:
    return list(result.get("core_consistency", {}).get("stable_core", []))


def _small_core(core: list[str], study: Study, config: AnalysisConfig) -> bool:
    """Whether the stable core is a small group, not a large share of the place."""
    return len(core) <= config.core_max_share * max(study.n_people, 1)


# -- the rules --------------------------------------------------------------


@rule("low-response")
def low_response(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """Too few answered to trust the picture, overall or for some groups."""
    resp = result.get("response", {})
    if not resp.get("known"):
        return None
    rate = float(resp["rate"])
    thin = {
        f"{name} ({label})": g
        for label, key in (("layer", "by_layer"), ("sector", "by_sector"))
        for name, g in resp.get(key, {}).items()
        if g.get("thin")
    }
    if rate >= config.response_name_individuals and not thin:
        return None
    if rate < config.response_broad_patterns:
        severity: SeverityLevel = "high"
        verdict = (
            "Below this level even broad patterns are unreliable, and betweenness (who "
            "brokers) is the measure that suffers most."
        )
    elif rate < config.response_name_individuals:
        severity = "medium"
        verdict = (
            "Broad patterns can be read, but individual hubs, gatekeepers and pulsetakers "
            "are not named below "
            f"{_pct(config.response_name_individuals)}."
        )
    else:
        severity = "low"
        verdict = "Overall response is good enough, but some groups answered too little to judge."
    detail = f"{resp['respondents']} of {resp['people']} people answered ({_pct(rate)}). {verdict}"
    if thin:
        detail += (
            " Groups too thin to judge: "
            + _fmt_list([f"{k}: {_pct(v['rate'])} of {v['people']}" for k, v in thin.items()])
            + "."
        )
    if resp.get("imputation") == "reciprocity":
        detail += f" {resp.get('imputed_arcs', 0)} ties were imputed by reciprocity."
    else:
        detail += " Consider re-running with reciprocity imputation (--impute reciprocity)."
    return Finding(
        code="low-response",
        severity=severity,
        title=f"Response rate {_pct(rate)}" + (" with thin groups" if thin else ""),
        detail=detail,
        evidence={
            "rate": rate,
            "respondents": resp["respondents"],
            "people": resp["people"],
            "thin_groups": {k: v["rate"] for k, v in thin.items()},
        },
        groups=list(thin),
    )


@rule("exclusive-core")
def exclusive_core(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """The same small group, drawn from few sectors, is the core of (nearly) every network."""
    cc = result.get("core_consistency", {})
    stable = _stable_core(result)
    n_rel = len(cc.get("cores", {}))
    if n_rel < 2 or len(stable) < config.core_min_size or not _small_core(stable, study, config):
        return None
    overlap = float(cc.get("mean_overlap", 0.0))
    sector_of = dict(zip(study.ids, study.sectors, strict=True))
    core_sectors = Counter(sector_of[p] or "(no sector)" for p in stable)
    top_two = core_sectors.most_common(2)
    concentration = sum(c for _, c in top_two) / len(stable)
    place_sectors = Counter(s for s in study.sectors if s)
    big_sectors = [s for s, c in place_sectors.items() if c >= config.min_group_size]
    place_share = sum(place_sectors.get(s, 0) for s, _ in top_two) / max(study.n_people, 1)
    if (
        overlap < config.exclusive_core_overlap
        or concentration < config.exclusive_core_concentration
        or len(big_sectors) <= 2
        or concentration <= place_share
    ):
        return None
    core_networks = {
        pid: p.get("core_networks", 0) for pid, p in result["combined"]["people"].items()
    }
    n_everywhere = sum(core_networks.get(p, 0) == n_rel for p in stable)
    names = [s for s, _ in top_two]
    return Finding(
        code="exclusive-core",
        severity="medium",
        title=f"The same {len(stable)} people form the core of the networks",
        detail=(
            f"{len(stable)} people are in the core of at least "
            f"{_pct(config.stable_core_share)} of the {n_rel} networks ({n_everywhere} of them "
            f"in every one), and the cores overlap strongly (mean Jaccard {overlap:.2f}). "
            f"{_pct(concentration)} of this group come from {_fmt_list(names)}, who are "
            f"{_pct(place_share)} of the people surveyed. A stable core is a strength for "
            "getting things done, but a core this closed can act as an exclusive clique that "
            "keeps ideas from other sources out."
        ),
        evidence={
            "stable_core_size": len(stable),
            "in_every_network": n_everywhere,
            "networks": n_rel,
            "mean_overlap": overlap,
            "top_two_sector_share_of_core": concentration,
            "top_two_sector_share_of_people": place_share,
            "core_sectors": dict(core_sectors),
        },
        people=stable,
        groups=names,
    )


@rule("excluded-group")
def excluded_group(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """Sizeable groups that are (almost) absent from the cores of the networks."""
    by_group = result.get("core_consistency", {}).get("by_group", {})
    excluded: dict[str, dict[str, Any]] = {}
    for grouping, suffix in (("sector", ""), ("layer", " layer")):
        for group, g in by_group.get(grouping, {}).items():
            if not group or g["people"] < config.min_group_size:
                continue
            if g["representation"] <= config.excluded_group_ratio:
                excluded[f"{group}{suffix}"] = {"grouping": grouping, "group": group, **g}
    if not excluded:
        return None
    # weak or excluded? compare how much each group reaches into the core with
    # how much the core reaches back (combined network, arcs as nominations)
    core = set(_stable_core(result)) or {
        pid for pid, p in result["combined"]["people"].items() if p.get("core")
    }
    src, tgt, _ = study.arcs(None)
    in_core = np.array([pid in core for pid in study.ids], bool)
    lines = []
    for label, g in excluded.items():
        members = np.array([v == g["group"] for v in study.group_values(g["grouping"])], bool)
        to_core = int(np.sum(members[src] & in_core[tgt]))
        from_core = int(np.sum(in_core[src] & members[tgt]))
        g["nominations_of_core"] = to_core
        g["nominated_by_core"] = from_core
        per_person = to_core / max(int(members.sum()), 1)
        if to_core > 2 * max(from_core, 1) and per_person >= 1:
            g["pattern"] = "excluded"
            why = "they name the core often but are rarely named back: a sign of exclusion"
        else:
            g["pattern"] = "weak"
            why = "they have few ties with the core either way: a sign of weak links"
        lines.append(
            f"{label} ({g['people']} people, {_pct(g['share_of_people'])} of the place, "
            f"{_pct(g['share_of_core'])} of core places; {why})"
        )
    return Finding(
        code="excluded-group",
        severity="high" if len(excluded) > 1 else "medium",
        title="Outside the core: " + _fmt_list(list(excluded)),
        detail=(
            "These groups are largely missing from the cores of the networks: "
            + "; ".join(lines)
            + ". This may not hold back delivery today, but it narrows where new ideas can "
            "come from and weakens the place if the current core moves on."
        ),
        evidence={
            label: {
                k: g[k]
                for k in (
                    "grouping",
                    "people",
                    "share_of_people",
                    "share_of_core",
                    "representation",
                    "nominations_of_core",
                    "nominated_by_core",
                    "pattern",
                )
            }
            for label, g in excluded.items()
        },
        groups=list(excluded),
    )


@rule("core-departure-risk")
def core_departure_risk(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """If the core group left their posts, the rest of the network would lose much of its reach."""
    scenarios = {s["name"]: s for s in result.get("resilience", {}).get("scenarios", [])}
    s = scenarios.get("stable-core")
    if not s or not s.get("removed") or not _small_core(list(s["removed"]), study, config):
        return None
    loss, random_loss = float(s["reach_loss"]), float(s.get("random_reach_loss") or 0.0)
    if loss < config.departure_reach_loss or loss < config.departure_vs_random * random_loss:
        return None
    baseline = result["resilience"]["baseline"]
    return Finding(
        code="core-departure-risk",
        severity="high",
        title=f"If the core group left, the others would lose {_pct(loss)} of their reach",
        detail=(
            f"Removing the {len(s['removed'])} people of the stable core cuts the average "
            f"two-step reach of everyone else by {_pct(loss)} (from "
            f"{_pct(baseline['reach2'])} to {_pct(s['reach2_after'])} of the place); as many "
            f"people chosen at random would cut it by {_pct(random_loss)}. The largest "
            f"connected part would hold {_pct(s['largest_component_share_after'])} of the "
            "remaining people. Innovation here depends on a few post-holders: succession "
            "and wider ties are a sustainability question."
        ),
        evidence={
            "removed": len(s["removed"]),
            "reach_loss": loss,
            "random_reach_loss": random_loss,
            "reach2_before": baseline["reach2"],
            "reach2_after": s["reach2_after"],
            "largest_component_share_after": s["largest_component_share_after"],
        },
        people=list(s["removed"]),
    )


@rule("low-connected-difference")
def low_connected_difference(
    result: Result, study: Study, config: AnalysisConfig
) -> Finding | None:
    """People's contacts are drawn from too few sectors: diversity is present but not connected."""
    net = result["combined"]["network"]
    diversity = net.get("mean_contact_diversity", {}).get("sector")
    if diversity is None or diversity >= config.connected_difference_min:
        return None
    ei = net.get("ei_index", {}).get("sector")
    sectors = sorted({s for s in study.sectors if s})
    detail = (
        f"On average, the sectors of a person's contacts reach {_pct(diversity)} of the "
        f"diversity they could have across the place's {len(sectors)} sectors (normalised "
        "Blau index, IQV)."
    )
    if ei is not None:
        detail += f" The E–I index between sectors is {ei:+.2f}" + (
            " (most ties stay within a sector)." if ei < 0 else "."
        )
    detail += (
        " The place has different kinds of people, but they are not connected to each other "
        "enough for that difference to feed new ideas."
    )
    return Finding(
        code="low-connected-difference",
        severity="medium",
        title=f"Too little connected difference (contact diversity {diversity:.2f})",
        detail=detail,
        evidence={
            "mean_contact_diversity_sector": diversity,
            "threshold": config.connected_difference_min,
            "ei_index_sector": ei,
            "sectors": len(sectors),
        },
    )


def _thin_blocks(blocks: Mapping[str, float], overall: float, ratio: float) -> dict[str, float]:
    return {k: float(v) for k, v in blocks.items() if v < ratio * overall}


def _layer_sizes(result: Result) -> Mapping[str, int]:
    return result.get("layers", {}).get("people", {})


@rule("thin-horizontal-links")
def thin_horizontal_links(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """Within a layer, people are much less tied to each other than the place is on average."""
    layers = result.get("layers", {})
    overall = float(layers.get("overall_density", 0.0))
    sizes = _layer_sizes(result)
    blocks = {
        k: v
        for k, v in layers.get("horizontal", {}).items()
        if sizes.get(k, 0) >= config.min_group_size
    }
    thin = _thin_blocks(blocks, overall, config.thin_links_ratio)
    if not thin or overall == 0:
        return None
    return Finding(
        code="thin-horizontal-links",
        severity="medium" if len(thin) > 1 else "low",
        title="Thin links within the " + _fmt_list(list(thin)) + " layer" + "s" * (len(thin) > 1),
        detail=(
            "Within "
            + _fmt_list([f"the {k} layer (density {v:.4f})" for k, v in thin.items()])
            + f", ties are below {_pct(config.thin_links_ratio)} of the place's overall density "
            f"({overall:.4f}). Peers at the same level are not learning from each other, as the "
            "study found among Pittsburgh's fragmented grassroots groups."
        ),
        evidence={"overall_density": overall, "thin": thin, "ratio": config.thin_links_ratio},
        groups=list(thin),
    )


@rule("thin-vertical-links")
def thin_vertical_links(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """Between adjacent layers there are too few ties for ideas to travel up and down."""
    layers = result.get("layers", {})
    overall = float(layers.get("overall_density", 0.0))
    sizes = _layer_sizes(result)
    blocks = {}
    for a, b in ADJACENT_LAYER_PAIRS:
        key = f"{a}-{b}"
        if key in layers.get("vertical", {}) and min(sizes.get(a, 0), sizes.get(b, 0)) >= (
            config.min_group_size
        ):
            blocks[key] = layers["vertical"][key]
    thin = _thin_blocks(blocks, overall, config.thin_links_ratio)
    if not thin or overall == 0:
        return None
    return Finding(
        code="thin-vertical-links",
        severity="high" if len(thin) > 1 else "medium",
        title="Thin links between the "
        + _fmt_list([k.replace("-", " and ") for k in thin])
        + " layers",
        detail=(
            "Between "
            + _fmt_list(
                [f"the {k.replace('-', ' and ')} layers (density {v:.4f})" for k, v in thin.items()]
            )
            + f", ties are below {_pct(config.thin_links_ratio)} of the overall density "
            f"({overall:.4f}). Ideas from the frontline and the public cannot reach those "
            "with authority to act, and strategy does not reach the frontline — the weakness "
            "the study saw in Gouda."
        ),
        evidence={"overall_density": overall, "thin": thin, "ratio": config.thin_links_ratio},
        groups=list(thin),
    )


@rule("isolated-people")
def isolated_people(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """People with no tie at all in any network."""
    isolates = list(result["combined"]["network"].get("isolates", []))
    n = max(study.n_people, 1)
    share = len(isolates) / n
    if not isolates or share <= config.isolated_share:
        return None
    responded = dict(zip(study.ids, study.responded.tolist(), strict=True))
    silent = [p for p in isolates if not responded[p]] if study.response_known else []
    sector_of = dict(zip(study.ids, study.sectors, strict=True))
    by_sector = Counter(sector_of[p] or "(no sector)" for p in isolates)
    detail = (
        f"{len(isolates)} people ({_pct(share)}) have no tie in any network: nobody named "
        "them and they named nobody."
    )
    if silent:
        detail += (
            f" {len(silent)} of them did not answer the survey, so they may be connected in "
            "ways the data cannot show."
        )
    detail += " By sector: " + _fmt_list([f"{s} {c}" for s, c in by_sector.most_common()]) + "."
    return Finding(
        code="isolated-people",
        severity="medium" if share >= 0.05 else "low",
        title=f"{len(isolates)} isolated " + ("person" if len(isolates) == 1 else "people"),
        detail=detail,
        evidence={
            "isolated": len(isolates),
            "share": share,
            "non_respondents": len(silent),
            "by_sector": dict(by_sector),
        },
        people=isolates,
        groups=[s for s, _ in by_sector.most_common()],
    )


@rule("high-networking")
def high_networking(result: Result, study: Study, config: AnalysisConfig) -> Finding | None:
    """Respondents name many people in each network: a lot of networking goes on."""
    per_relation = {
        name: float(block["network"].get("ties_per_respondent", 0.0))
        for name, block in result.get("relations", {}).items()
    }
    if not per_relation:
        return None
    mean = float(np.mean(list(per_relation.values())))
    if mean < config.high_networking_ties:
        return None
    best = max(per_relation, key=lambda k: per_relation[k])
    return Finding(
        code="high-networking",
        severity="info",
        title=f"High level of networking ({mean:.1f} people named per network)",
        detail=(
            f"Respondents name on average {mean:.1f} people in each of the {len(per_relation)} "
            f"networks (most in '{best}': {per_relation[best]:.1f}), at or above the "
            f"benchmark of {config.high_networking_ties:g}. Many people are actively using "
            "their networks — the study saw this as a strength in its innovative area."
        ),
        evidence={"mean_ties_per_respondent": mean, "by_relation": per_relation},
    )
