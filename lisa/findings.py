"""Findings: turning the network numbers into statements a place can act on.

Every finding has a stable ``code`` that other tools rely on, a severity, a
plain-English title and explanation, a ``headline`` (the one number that sums
it up, already worded), the numbers behind it as a typed ``evidence`` model,
and the people or groups it is about. The rules are one function each,
registered in :data:`RULES` in the order they are documented in
``docs/findings.md``; all thresholds come from :class:`lisa.config.AnalysisConfig`.

Each rule reads the typed network result (:class:`~lisa.network.results.NetworkAnalysis`)
and, where it needs roster facts such as a person's sector, the
:class:`~lisa.study.Study`. A rule returns ``None`` when the data do not show
its pattern.

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
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from lisa.config import AnalysisConfig
from lisa.errors import DefinitionInvalid
from lisa.network.results import (
    BetweenReach,
    BrokerageShare,
    Departure,
    LayerLink,
    NetworkAnalysis,
    ResultModel,
)
from lisa.study import Study
from lisa.vocabulary import PEOPLE, SEVERITY_ORDER, IntermediaryReason, Nouns, Severity

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
    "no-intermediaries",
)


def pct(x: float) -> str:
    """A share as a whole percentage: ``0.456`` → ``"46%"``."""
    return f"{100 * x:.0f}%"


def fmt_list(items: Sequence[str], limit: int = 6) -> str:
    """``a, b and c`` (and ``… and 3 more`` past ``limit``)."""
    items = list(items)
    if len(items) <= limit:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


class Headline(ResultModel):
    """The one number that sums a finding up, with its wording."""

    value: float
    text: str = Field(description="As a reader sees it, e.g. '46%' or '12 people'.")




# -- the findings and their evidence -------------------------------------------------


class Finding(ResultModel):
    """What every finding has. Each code below adds its own typed ``evidence``."""

    code: str
    severity: Severity
    title: str
    detail: str = Field(description="Plain-English explanation with the numbers.")
    headline: Headline
    people: list[str] = Field(
        default_factory=list, description="Ids (empty when individuals may not be named)."
    )
    people_not_named: int = Field(
        default=0, description="How many people the finding is about but does not name."
    )
    groups: list[str] = Field(default_factory=list)


class LowResponseEvidence(ResultModel):
    """The numbers behind low-response."""

    rate: float
    respondents: int
    people: int
    thin_groups: dict[str, float] = Field(description="'NAME (layer|sector)' → response rate.")


class LowResponse(Finding):
    """low-response: too few answered to trust the picture, overall or for some groups."""

    code: Literal["low-response"] = "low-response"
    evidence: LowResponseEvidence


class ExclusiveCoreEvidence(ResultModel):
    """The numbers behind exclusive-core."""

    stable_core_size: int
    in_every_network: int
    networks: int
    mean_overlap: float
    top_two_sector_share_of_core: float
    top_two_sector_share_of_people: float
    core_sectors: dict[str, int]


class ExclusiveCore(Finding):
    """exclusive-core: the same small group, from few sectors, is the core of every network."""

    code: Literal["exclusive-core"] = "exclusive-core"
    evidence: ExclusiveCoreEvidence


class ExcludedGroup(ResultModel):
    """One group largely missing from the cores."""

    label: str = Field(description="As named in the finding's groups, e.g. 'vcs' or 'public layer'.")
    grouping: str
    group: str
    people: int
    share_of_people: float
    share_of_core: float
    representation: float
    nominations_of_core: int = Field(description="Arcs from the group to the core.")
    nominated_by_core: int = Field(description="Arcs from the core to the group.")
    pattern: Literal["excluded", "weak"] = Field(
        description="excluded: they name the core often but are rarely named back; "
        "weak: few ties with the core either way."
    )


class ExcludedGroupEvidence(ResultModel):
    """The groups behind excluded-group."""

    groups: list[ExcludedGroup]

    def group(self, label: str) -> ExcludedGroup:
        return next(g for g in self.groups if g.label == label)


class ExcludedGroupFinding(Finding):
    """excluded-group: sizeable groups (almost) absent from the cores."""

    code: Literal["excluded-group"] = "excluded-group"
    evidence: ExcludedGroupEvidence


#: Why core-departure-risk fired: overall reach, reach between groups, or brokerage.
DepartureTrigger = Literal["reach", "between-reach", "brokerage"]


class CoreDepartureEvidence(ResultModel):
    """The numbers behind core-departure-risk."""

    removed: int
    reach_loss: float
    random_reach_loss: float
    reach2_before: float
    reach2_after: float
    largest_component_share_after: float
    triggers: list[DepartureTrigger] = Field(
        default_factory=list, description="Which of the three tests fired, in this order."
    )
    between_reach: dict[str, BetweenReach] = Field(
        default_factory=dict, description="Reach between sectors and between layers, per grouping."
    )
    brokerage: dict[str, BrokerageShare] = Field(
        default_factory=dict, description="The core's share of between-group brokerage."
    )


class CoreDepartureRisk(Finding):
    """core-departure-risk: the others would lose much of their reach if the core left."""

    code: Literal["core-departure-risk"] = "core-departure-risk"
    evidence: CoreDepartureEvidence


class ConnectedDifferenceEvidence(ResultModel):
    """The numbers behind low-connected-difference."""

    mean_contact_diversity_sector: float
    threshold: float
    ei_index_sector: float | None
    sectors: int


class LowConnectedDifference(Finding):
    """low-connected-difference: contacts drawn from too few sectors."""

    code: Literal["low-connected-difference"] = "low-connected-difference"
    evidence: ConnectedDifferenceEvidence


class ThinLinksEvidence(ResultModel):
    """The thin links behind thin-horizontal-links and thin-vertical-links."""

    overall_density: float
    ratio: float = Field(description="thin_links_ratio: thin is below this × overall.")
    thin: list[LayerLink]


class ThinHorizontalLinks(Finding):
    """thin-horizontal-links: people within a layer barely tied to each other."""

    code: Literal["thin-horizontal-links"] = "thin-horizontal-links"
    evidence: ThinLinksEvidence


class ThinVerticalLinks(Finding):
    """thin-vertical-links: too few ties between adjacent layers."""

    code: Literal["thin-vertical-links"] = "thin-vertical-links"
    evidence: ThinLinksEvidence


class IsolatedEvidence(ResultModel):
    """The numbers behind isolated-people."""

    isolated: int
    share: float
    non_respondents: int
    by_sector: dict[str, int]


class IsolatedPeople(Finding):
    """isolated-people: people with no tie in any network."""

    code: Literal["isolated-people"] = "isolated-people"
    evidence: IsolatedEvidence


class NetworkingReference(ResultModel):
    """The other places high-networking was judged against (``lisa compare``)."""

    name: str = Field(description="The reference set, as the user named it.")
    places: int = Field(description="Places in the set with a networking level.")
    quantile: float = Field(description="The quantile a place must be above (the setting).")


class HighNetworkingEvidence(ResultModel):
    """The numbers behind high-networking."""

    mean_ties_per_respondent: float
    by_relation: dict[str, float]
    benchmark: float = Field(
        description="The level to reach: the fixed setting, or the reference set's quantile."
    )
    reference: NetworkingReference | None = Field(
        default=None, description="The set the benchmark came from (null: the fixed setting)."
    )


class HighNetworking(Finding):
    """high-networking: respondents name many people in each network."""

    code: Literal["high-networking"] = "high-networking"
    evidence: HighNetworkingEvidence


#: The reports no-intermediaries follows (ids of :mod:`lisa.sources`).
INTERMEDIARIES_SOURCE = "002 §6.1 (supporting intermediaries); 003 (the missing middle); 004"


class NoIntermediariesEvidence(ResultModel):
    """The numbers behind no-intermediaries."""

    people: int = Field(description="People in the place.")
    measured: list[IntermediaryReason] = Field(description="The positions the data could show.")
    sector_brokerage: int = Field(description="Between-sector brokerage of everyone together.")
    layer_brokerage: int = Field(description="Between-layer brokerage of everyone together.")
    most_organisations_reached: int = Field(
        description="The most other organisations anyone is tied to."
    )
    min_organisations: int = Field(description="intermediary_min_organisations.")
    source: str = Field(description="The reports it follows (lisa.sources ids and sections).")


class NoIntermediaries(Finding):
    """no-intermediaries: no one is placed to carry an innovation between sectors, layers,
    organisations or places (the "missing middle")."""

    code: Literal["no-intermediaries"] = "no-intermediaries"
    evidence: NoIntermediariesEvidence


#: Any finding; the ``code`` says which (and which evidence it carries).
AnyFinding = Annotated[
    LowResponse
    | ExclusiveCore
    | ExcludedGroupFinding
    | CoreDepartureRisk
    | LowConnectedDifference
    | ThinHorizontalLinks
    | ThinVerticalLinks
    | IsolatedPeople
    | HighNetworking
    | NoIntermediaries,
    Field(discriminator="code"),
]

Rule = Callable[[NetworkAnalysis, Study, AnalysisConfig], Finding | None]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register a finding rule under its code."""
    if code not in FINDING_CODES:
        raise DefinitionInvalid(f"undocumented finding code '{code}'")

    def register(func: Rule) -> Rule:
        RULES[code] = func
        return func

    return register


#: Other places to judge against: (the set's name, their networking levels) — see
#: :func:`networking_finding`.
Reference = tuple[str, Sequence[float]]


def evaluate(
    result: NetworkAnalysis,
    study: Study,
    config: AnalysisConfig,
    *,
    reference: Reference | None = None,
) -> list[Finding]:
    """Run every rule; return the findings most severe first.

    When the response rate is below ``config.response_name_individuals`` no
    finding names individual people (the survey literature's rule for naming
    brokers), though groups are still named. With a ``reference`` set of other
    places, high-networking is judged against them (:func:`networking_finding`).
    """
    rules = dict(RULES)
    if reference is not None:
        rules["high-networking"] = lambda r, s, c: networking_finding(
            networking_levels(r), c, reference, nodes=s.nodes
        )
    findings = [f for code in FINDING_CODES if (f := rules[code](result, study, config))]
    if not result.response.names_individuals:
        for f in findings:
            if f.people:
                f.people_not_named, f.people = len(f.people), []
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], FINDING_CODES.index(f.code)))
    return findings


# -- helpers ----------------------------------------------------------------


def _small_core(core: Sequence[str], study: Study, config: AnalysisConfig) -> bool:
    """Whether the stable core is a small group, not a large share of the place."""
    return len(core) <= config.core_max_share * max(study.n_people, 1)


# -- the rules --------------------------------------------------------------


@rule("low-response")
def low_response(result: NetworkAnalysis, study: Study, config: AnalysisConfig) -> LowResponse | None:
    """Too few answered to trust the picture, overall or for some groups."""
    resp = result.response
    if not resp.known:
        return None
    thin = {
        f"{name} ({label})": g
        for label, groups in (("layer", resp.by_layer), ("sector", resp.by_sector))
        for name, g in groups.items()
        if g.thin
    }
    if resp.rate >= config.response_name_individuals and not thin:
        return None
    severity: Severity
    if resp.rate < config.response_broad_patterns:
        severity = "high"
        verdict = (
            "Below this level even broad patterns are unreliable, and betweenness (who "
            "brokers) is the measure that suffers most."
        )
    elif resp.rate < config.response_name_individuals:
        severity = "medium"
        verdict = (
            "Broad patterns can be read, but individual hubs, gatekeepers and pulsetakers "
            f"are not named below {pct(config.response_name_individuals)}."
        )
    else:
        severity = "low"
        verdict = "Overall response is good enough, but some groups answered too little to judge."
    detail = f"{resp.respondents:,} of {study.nodes.count(resp.people)} answered ({pct(resp.rate)}). {verdict}"
    if thin:
        detail += (
            " Groups too thin to judge: "
            + fmt_list([f"{k}: {pct(v.rate)} of {v.people}" for k, v in thin.items()])
            + "."
        )
    if resp.imputation == "reciprocity":
        detail += f" {resp.imputed_arcs} ties were imputed by reciprocity."
    else:
        detail += " Consider re-running with reciprocity imputation (--impute reciprocity)."
    return LowResponse(
        severity=severity,
        title=f"Response rate {pct(resp.rate)}" + (" with thin groups" if thin else ""),
        detail=detail,
        headline=Headline(value=resp.rate, text=pct(resp.rate)),
        evidence=LowResponseEvidence(
            rate=resp.rate,
            respondents=resp.respondents,
            people=resp.people,
            thin_groups={k: v.rate for k, v in thin.items()},
        ),
        groups=list(thin),
    )


@rule("exclusive-core")
def exclusive_core(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> ExclusiveCore | None:
    """The same small group, drawn from few sectors, is the core of (nearly) every network."""
    cc = result.core_consistency
    stable = cc.stable_core
    n_rel = len(cc.cores)
    if n_rel < 2 or len(stable) < config.core_min_size or not _small_core(stable, study, config):
        return None
    core_sectors = cc.stable_core_by.get("sector") or dict(
        Counter(study.sectors[study.index_of(p)] or "(none)" for p in stable).most_common()
    )
    top_two = list(core_sectors.items())[:2]
    concentration = sum(c for _, c in top_two) / len(stable)
    place_sectors = Counter(s for s in study.sectors if s)
    big_sectors = [s for s, c in place_sectors.items() if c >= config.min_group_size]
    place_share = sum(place_sectors.get(s, 0) for s, _ in top_two) / max(study.n_people, 1)
    if (
        cc.mean_overlap < config.exclusive_core_overlap
        or concentration < config.exclusive_core_concentration
        or len(big_sectors) <= 2
        or concentration <= place_share
    ):
        return None
    people = result.combined.people
    n_everywhere = sum(people[p].core_networks == n_rel for p in stable if p in people)
    names = [s for s, _ in top_two]
    nodes = study.nodes
    return ExclusiveCore(
        severity="medium",
        title=f"The same {nodes.count(len(stable))} form the core of the networks",
        detail=(
            f"{nodes.count(len(stable))} are in the core of at least "
            f"{pct(config.stable_core_share)} of the {n_rel} networks ({n_everywhere} of them "
            f"in every one), and the cores overlap strongly (mean Jaccard {cc.mean_overlap:.2f}). "
            f"{pct(concentration)} of this group come from {fmt_list(names)}, who are "
            f"{pct(place_share)} of the {nodes.many} surveyed. A stable core is a strength for "
            "getting things done, but a core this closed can act as an exclusive clique that "
            "keeps ideas from other sources out."
        ),
        headline=Headline(value=len(stable), text=nodes.count(len(stable))),
        evidence=ExclusiveCoreEvidence(
            stable_core_size=len(stable),
            in_every_network=n_everywhere,
            networks=n_rel,
            mean_overlap=cc.mean_overlap,
            top_two_sector_share_of_core=concentration,
            top_two_sector_share_of_people=place_share,
            core_sectors=dict(core_sectors),
        ),
        people=list(stable),
        groups=names,
    )


def _excluded_groups(result: NetworkAnalysis, config: AnalysisConfig) -> list[tuple[str, str, str]]:
    """(label, grouping, group) of every sizeable group (almost) absent from the cores."""
    out = []
    for grouping, suffix in (("sector", ""), ("layer", " layer")):
        for group, g in result.core_consistency.by_group.get(grouping, {}).items():
            if group and g.people >= config.min_group_size:
                if g.representation <= config.excluded_group_ratio:
                    out.append((f"{group}{suffix}", grouping, group))
    return out


class _CoreTies:
    """Nominations between a group and the core (the stable core, else everyone in the
    combined core), on the combined network's arcs, read once for every group."""

    def __init__(self, result: NetworkAnalysis, study: Study):
        core = set(result.core_consistency.stable_core) or {
            pid for pid, p in result.combined.people.items() if p.core
        }
        self.study = study
        self.src, self.tgt, _ = study.arcs(None)
        self.in_core = np.array([pid in core for pid in study.ids], bool)

    def of(self, grouping: str, group: str) -> tuple[int, int, int]:
        """(members, nominations of the core by them, nominations of them by the core)."""
        members = np.array([v == group for v in self.study.group_values(grouping)], bool)
        return (
            int(members.sum()),
            int(np.sum(members[self.src] & self.in_core[self.tgt])),
            int(np.sum(self.in_core[self.src] & members[self.tgt])),
        )


@rule("excluded-group")
def excluded_group(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> ExcludedGroupFinding | None:
    """Sizeable groups that are (almost) absent from the cores of the networks."""
    found = _excluded_groups(result, config)
    if not found:
        return None
    groups = []
    ties = _CoreTies(result, study)
    for label, grouping, group in found:
        g = result.core_consistency.by_group[grouping][group]
        members, to_core, from_core = ties.of(grouping, group)
        excluded = to_core > 2 * max(from_core, 1) and to_core / max(members, 1) >= 1
        groups.append(
            ExcludedGroup(
                label=label,
                grouping=grouping,
                group=group,
                people=g.people,
                share_of_people=g.share_of_people,
                share_of_core=g.share_of_core,
                representation=g.representation,
                nominations_of_core=to_core,
                nominated_by_core=from_core,
                pattern="excluded" if excluded else "weak",
            )
        )
    labels = [g.label for g in groups]
    shut_out = [g.label for g in groups if g.pattern == "excluded"]
    weak = [g.label for g in groups if g.pattern == "weak"]
    parts = []
    if shut_out:
        parts.append(
            f"{fmt_list(shut_out)} name the core often but are rarely named back (a sign of "
            "exclusion)"
        )
    if weak:
        parts.append(f"{fmt_list(weak)} have few ties with the core either way (weak links)")
    return ExcludedGroupFinding(
        severity="high" if len(groups) > 1 else "medium",
        title="Outside the core: " + fmt_list(labels),
        detail=(
            f"{len(groups)} group{'s are' if len(groups) != 1 else ' is'} largely missing from the "
            f"cores of the networks, holding at most {pct(config.excluded_group_ratio)} of the "
            "core places their size would give them: "
            + "; ".join(parts)
            + ". This may not hold back delivery today, but it narrows where new ideas can "
            "come from and weakens the place if the current core moves on."
        ),
        headline=Headline(
            value=len(groups), text=f"{len(groups)} group{'s' if len(groups) != 1 else ''}"
        ),
        evidence=ExcludedGroupEvidence(groups=groups),
        groups=labels,
    )


def _departure_triggers(s: Departure, config: AnalysisConfig) -> list[DepartureTrigger]:
    """Which of the core-departure tests the stable-core scenario passes."""
    out: list[DepartureTrigger] = []
    random_loss = s.random_reach_loss or 0.0
    if s.reach_loss >= config.departure_reach_loss and (
        s.reach_loss >= config.departure_vs_random * random_loss
    ):
        out.append("reach")
    if any(
        b.before > 0
        and b.loss >= config.departure_between_loss
        and b.loss >= config.departure_vs_random * (b.random_loss or 0.0)
        for b in s.between_reach.values()
    ):
        out.append("between-reach")
    if any(
        b.total > 0
        and b.share >= config.departure_brokerage_share
        and b.share >= config.departure_vs_random * b.share_of_people
        for b in s.brokerage.values()
    ):
        out.append("brokerage")
    return out


def _between_words(grouping: str) -> str:
    return {"sector": "between sectors", "layer": "between layers"}.get(grouping, f"between {grouping}s")


def _departure_wording(s: Departure, triggers: list[DepartureTrigger]) -> tuple[str, Headline]:
    """The title and headline of core-departure-risk, led by its first trigger."""
    if triggers[0] == "reach":
        return (
            f"If the core group left, the others would lose {pct(s.reach_loss)} of their reach",
            Headline(value=s.reach_loss, text=f"−{pct(s.reach_loss)} reach"),
        )
    if triggers[0] == "between-reach":
        g, b = max(s.between_reach.items(), key=lambda kv: kv[1].loss)
        return (
            f"If the core group left, reach {_between_words(g)} would fall by {pct(b.loss)}",
            Headline(value=b.loss, text=f"−{pct(b.loss)} reach {_between_words(g)}"),
        )
    g, k = max(s.brokerage.items(), key=lambda kv: kv[1].share)
    return (
        f"The core group carries {pct(k.share)} of the brokerage {_between_words(g)}",
        Headline(value=k.share, text=f"{pct(k.share)} of brokerage"),
    )


def _departure_detail(s: Departure, reach2_before: float, nodes: Nouns) -> str:
    random_loss = s.random_reach_loss or 0.0
    parts = [
        f"Removing the {nodes.count(len(s.removed))} of the stable core cuts the average "
        f"two-step reach of all the others by {pct(s.reach_loss)} (from {pct(reach2_before)} to "
        f"{pct(s.reach2_after)} of the place); as many {nodes.many} chosen at random would cut "
        f"it by {pct(random_loss)}. The largest connected part of those who stay would hold "
        f"{pct(s.largest_component_share_after)} of the place's {nodes.many}."
    ]
    for g, b in s.between_reach.items():
        if b.before > 0:
            parts.append(
                f"Reach {_between_words(g)} would fall by {pct(b.loss)} (random: "
                f"{pct(b.random_loss or 0.0)})."
            )
    for g, k in s.brokerage.items():
        if k.total:
            parts.append(
                f"The core, {pct(k.share_of_people)} of the {nodes.many}, holds {pct(k.share)} of the "
                f"brokerage {_between_words(g)}."
            )
    parts.append(
        "Innovation here depends on a few post-holders: succession and wider ties are a "
        "sustainability question."
    )
    return " ".join(parts)


@rule("core-departure-risk")
def core_departure_risk(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> CoreDepartureRisk | None:
    """If the core left, the others would lose much of their reach, or of their reach between
    groups, or the core carries most of the brokerage between groups."""
    s = result.resilience.scenario("stable-core")
    if not s or not s.removed or not _small_core(s.removed, study, config):
        return None
    triggers = _departure_triggers(s, config)
    if not triggers:
        return None
    baseline = result.resilience.baseline
    title, headline = _departure_wording(s, triggers)
    return CoreDepartureRisk(
        severity="high",
        title=title,
        detail=_departure_detail(s, baseline.reach2, study.nodes),
        headline=headline,
        evidence=CoreDepartureEvidence(
            removed=len(s.removed),
            reach_loss=s.reach_loss,
            random_reach_loss=s.random_reach_loss or 0.0,
            reach2_before=baseline.reach2,
            reach2_after=s.reach2_after,
            largest_component_share_after=s.largest_component_share_after,
            triggers=triggers,
            between_reach=dict(s.between_reach),
            brokerage=dict(s.brokerage),
        ),
        people=list(s.removed),
    )


@rule("low-connected-difference")
def low_connected_difference(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> LowConnectedDifference | None:
    """People's contacts are drawn from too few sectors: diversity is present but not connected."""
    net = result.combined.network
    diversity = net.mean_contact_diversity.get("sector")
    if diversity is None or diversity >= config.connected_difference_min:
        return None
    ei = net.ei_index.get("sector")
    sectors = sorted({s for s in study.sectors if s})
    detail = (
        f"On average, the sectors of each {study.nodes.one}'s contacts reach {pct(diversity)} of the "
        f"diversity they could have across the place's {len(sectors)} sectors (normalised "
        "Blau index, IQV)."
    )
    if ei is not None:
        detail += f" The E–I index between sectors is {ei:+.2f}" + (
            " (most ties stay within a sector)." if ei < 0 else "."
        )
    detail += (
        f" The place has different kinds of {study.nodes.many}, but they are not connected to each other "
        "enough for that difference to feed new ideas."
    )
    return LowConnectedDifference(
        severity="medium",
        title=f"Too little connected difference (contact diversity {diversity:.2f})",
        detail=detail,
        headline=Headline(value=diversity, text=f"{diversity:.2f}"),
        evidence=ConnectedDifferenceEvidence(
            mean_contact_diversity_sector=diversity,
            threshold=config.connected_difference_min,
            ei_index_sector=ei,
            sectors=len(sectors),
        ),
    )


def _link_name(link: LayerLink) -> str:
    return link.a if link.kind == "horizontal" else f"{link.a} and {link.b}"


def _thin_headline(thin: Sequence[LayerLink]) -> Headline:
    return Headline(value=len(thin), text=f"{len(thin)} thin link" + ("s" if len(thin) != 1 else ""))


@rule("thin-horizontal-links")
def thin_horizontal_links(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> ThinHorizontalLinks | None:
    """Within a layer, people are much less tied to each other than the place is on average."""
    layers = result.layers
    thin = layers.thin("horizontal")
    if not thin:
        return None
    names = [_link_name(x) for x in thin]
    return ThinHorizontalLinks(
        severity="medium" if len(thin) > 1 else "low",
        title="Thin links within the " + fmt_list(names) + " layer" + "s" * (len(thin) > 1),
        detail=(
            "Within "
            + fmt_list([f"the {_link_name(x)} layer (density {x.density:.4f})" for x in thin])
            + f", ties are below {pct(layers.thin_links_ratio)} of the place's overall density "
            f"({layers.overall_density:.4f}). Peers at the same level are not learning from each "
            "other, as the study found among Pittsburgh's fragmented grassroots groups."
        ),
        headline=_thin_headline(thin),
        evidence=ThinLinksEvidence(
            overall_density=layers.overall_density, ratio=layers.thin_links_ratio, thin=thin
        ),
        groups=names,
    )


@rule("thin-vertical-links")
def thin_vertical_links(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> ThinVerticalLinks | None:
    """Between adjacent layers there are too few ties for ideas to travel up and down."""
    layers = result.layers
    thin = layers.thin("vertical")
    if not thin:
        return None
    names = [_link_name(x) for x in thin]
    return ThinVerticalLinks(
        severity="high" if len(thin) > 1 else "medium",
        title="Thin links between the " + fmt_list(names) + " layers",
        detail=(
            "Between "
            + fmt_list([f"the {_link_name(x)} layers (density {x.density:.4f})" for x in thin])
            + f", ties are below {pct(layers.thin_links_ratio)} of the overall density "
            f"({layers.overall_density:.4f}). Ideas from the frontline and the public cannot "
            "reach those with authority to act, and strategy does not reach the frontline — the "
            "weakness the study saw in Gouda."
        ),
        headline=_thin_headline(thin),
        evidence=ThinLinksEvidence(
            overall_density=layers.overall_density, ratio=layers.thin_links_ratio, thin=thin
        ),
        groups=names,
    )


@rule("isolated-people")
def isolated_people(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> IsolatedPeople | None:
    """People with no tie at all in any network."""
    isolates = list(result.combined.network.isolates)
    share = len(isolates) / max(study.n_people, 1)
    if not isolates or share <= config.isolated_share:
        return None
    non_respondents = set(result.response.non_respondents) if result.response.known else set()
    silent = [p for p in isolates if p in non_respondents]
    by_sector = Counter(study.sectors[study.index_of(p)] or "(no sector)" for p in isolates)
    detail = (
        f"{study.nodes.count(len(isolates))} ({pct(share)}) have no tie in any network: nobody "
        "named them and they named nobody."
    )
    if silent:
        detail += (
            f" {len(silent)} of them did not answer the survey, so they may be connected in "
            "ways the data cannot show."
        )
    detail += " By sector: " + fmt_list([f"{s} {c}" for s, c in by_sector.most_common()]) + "."
    return IsolatedPeople(
        severity="medium" if share >= 0.05 else "low",
        title=f"{len(isolates):,} isolated {study.nodes.one if len(isolates) == 1 else study.nodes.many}",
        detail=detail,
        headline=Headline(value=len(isolates), text=study.nodes.count(len(isolates))),
        evidence=IsolatedEvidence(
            isolated=len(isolates),
            share=share,
            non_respondents=len(silent),
            by_sector=dict(by_sector),
        ),
        people=isolates,
        groups=[s for s, _ in by_sector.most_common()],
    )


@rule("high-networking")
def high_networking(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> HighNetworking | None:
    """Respondents name many people in each network: a lot of networking goes on."""
    return networking_finding(networking_levels(result), config, nodes=study.nodes)


def networking_levels(result: NetworkAnalysis) -> dict[str, float]:
    """People named per respondent in each relation."""
    return {name: block.network.ties_per_respondent for name, block in result.relations.items()}


def networking_finding(
    per_relation: dict[str, float],
    config: AnalysisConfig,
    reference: Reference | None = None,
    nodes: Nouns = PEOPLE,
) -> HighNetworking | None:
    """high-networking from the people (or ``nodes``) named per respondent in each relation.

    Without a ``reference`` the mean must reach ``config.high_networking_ties``.
    With one — (the set's name, the other places' networking levels) of at
    least ``config.reference_min_places`` places — it must be above the set's
    ``config.high_networking_reference_quantile`` (NumPy's linear quantile);
    a smaller set is not used and the fixed number applies.
    """
    if not per_relation:
        return None
    mean = float(np.mean(list(per_relation.values())))
    used: NetworkingReference | None = None
    benchmark = config.high_networking_ties
    if reference is not None and len(reference[1]) >= config.reference_min_places:
        q = config.high_networking_reference_quantile
        used = NetworkingReference(name=reference[0], places=len(reference[1]), quantile=q)
        benchmark = float(np.quantile(np.asarray(reference[1], float), q))
        if mean <= benchmark:
            return None
    elif mean < benchmark:
        return None
    best = max(per_relation, key=lambda k: per_relation[k])
    against = (
        f"above the {100 * used.quantile:g}th percentile ({benchmark:.1f}) of the "
        f"{used.places} other places in '{used.name}'"
        if used
        else f"at or above the benchmark of {benchmark:g}"
    )
    return HighNetworking(
        severity="info",
        title=f"High level of networking ({mean:.1f} {nodes.many} named per network)",
        detail=(
            f"Respondents name on average {mean:.1f} {nodes.many} in each of the "
            f"{len(per_relation)} networks (most in '{best}': {per_relation[best]:.1f}), "
            f"{against}. Many {nodes.many} are actively using their networks — the study saw this as a strength in its "
            "innovative area."
        ),
        headline=Headline(value=mean, text=f"{mean:.1f} per network"),
        evidence=HighNetworkingEvidence(
            mean_ties_per_respondent=mean,
            by_relation=per_relation,
            benchmark=benchmark,
            reference=used,
        ),
    )


def _brokerage_total(result: NetworkAnalysis, grouping: str) -> int:
    from lisa.network.resilience import BETWEEN_ROLES

    total = 0
    for p in result.combined.people.values():
        if grouping in p.brokerage:
            counts: Mapping[str, int] = p.brokerage[grouping]  # type: ignore[assignment]
            total += sum(counts[r] for r in BETWEEN_ROLES)
    return total


@rule("no-intermediaries")
def no_intermediaries(
    result: NetworkAnalysis, study: Study, config: AnalysisConfig
) -> NoIntermediaries | None:
    """No one is placed to act as an intermediary for spreading (the "missing middle")."""
    from lisa.sources import cite

    inter = result.intermediaries
    if inter is None or inter.anyone or inter.uncertain or inter.level == "unreliable":
        return None
    groups = [len({v for v in study.group_values(g) if v}) for g in ("sector", "layer")]
    if max(groups) < 2:  # one sector and at most one layer: nothing to bridge
        return None
    most = inter.most_organisations_reached
    evidence = NoIntermediariesEvidence(
        people=study.n_people,
        measured=list(inter.measured),
        sector_brokerage=_brokerage_total(result, "sector"),
        layer_brokerage=_brokerage_total(result, "layer"),
        most_organisations_reached=most,
        min_organisations=config.intermediary_min_organisations,
        source=INTERMEDIARIES_SOURCE,
    )
    outside = (
        "nobody is tied to anyone the roster marks as outside the place"
        if "outside-the-place" in inter.measured
        else "the roster does not say who is outside the place (an 'outside' column)"
    )
    return NoIntermediaries(
        severity="medium",
        title="No one is placed to carry innovations between sectors, layers or places",
        detail=(
            "No person and no organisation links sectors or layers that are not otherwise "
            f"linked (between-sector brokerage {evidence.sector_brokerage}, between-layer "
            f"{evidence.layer_brokerage}); the most other organisations anyone is tied to is "
            f"{most} (needed {config.intermediary_min_organisations}); {outside}. An "
            "innovation that works here has no one to spot, adapt and carry it to other "
            "services or places — the reports' 'missing middle' between top-down programmes "
            f"and grassroots projects ({cite(INTERMEDIARIES_SOURCE)})."
        ),
        headline=Headline(value=0, text="0 intermediaries"),
        evidence=evidence,
    )

