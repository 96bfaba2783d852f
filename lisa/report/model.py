"""Compute everything the report shows, as plain data (no HTML here).

:func:`build_report` reads an :class:`~lisa.analysis.AnalysisResult` (and any
innovation assessments) and returns a :class:`ReportModel`: the findings and
recommendations, the map payload, the charts (SVG, see :mod:`.charts`) with
the tables of numbers behind them, and the method notes. The templates in
``templates/`` only lay this out, so every number in the report is computed
once, here, from the analysis — and the tests compare them with it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lisa.assess.recommend import for_network
from lisa.report import charts
from lisa.report.assessment import InnovationView, innovation_views, source_text
from lisa.report.mapdata import ROLE_BITS, MapData, build_map
from lisa.vocabulary import LAYERS

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.assess import Assessment


#: Largest number of people and links drawn in the static map (PDF, print).
SNAPSHOT_PEOPLE = 2500
SNAPSHOT_LINKS = 4000


@dataclass
class FindingView:
    code: str
    severity: str
    title: str
    headline: str  # "the number" of the finding, e.g. "45%"
    detail: str
    groups: list[str]
    people: list[str]  # labels, [] in pseudonymised mode or when not named
    people_count: int


@dataclass
class RecommendationView:
    title: str
    action: str
    why: str
    cluster: str
    source: str
    origin: str  # "network" or the innovation's name


@dataclass
class Figure:
    """A chart with the table of its numbers (the text alternative in full)."""

    chart: charts.Chart
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class ReportModel:
    """The whole report as data; :func:`lisa.report.render_html` lays it out."""

    title: str
    subtitle: str
    generated: str
    lisa_version: str
    schema_version: str
    pseudonymised: bool
    study: dict[str, Any]
    response_level: str
    computation: dict[str, Any]
    findings: list[FindingView]
    recommendations: list[RecommendationView]
    map_payload: dict[str, Any]
    map_snapshot: charts.Chart
    map_views: list[dict[str, str]]
    key_people: dict[str, list[dict[str, str]]]
    role_counts: dict[str, int]
    networks: list[dict[str, str]]
    layer_picture: Figure
    layer_mixing: Figure
    sector_mixing: Figure
    core_overlap: Figure
    core_counts: Figure
    core_representation: list[Figure]
    stable_core: dict[str, Any]
    excluded_groups: list[dict[str, str]]
    resilience: Figure
    response: dict[str, Any]
    response_figures: list[Figure]
    assessments: list[InnovationView]
    method: list[dict[str, str]]
    thresholds: list[tuple[str, str, str]]
    caveats: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(anchor, heading) of every section, in order: the table of contents."""
        return list(SECTIONS)


SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary: what matters most"),
    ("recommendations", "Recommendations"),
    ("map", "The network map"),
    ("layers", "The layer picture"),
    ("mixing", "Who links with whom: layer and sector mixing"),
    ("cores", "Core consistency and excluded groups"),
    ("resilience", "Resilience: if people leave"),
    ("innovations", "Innovation assessments"),
    ("response", "Response rates"),
    ("networks", "The networks in numbers"),
    ("method", "Method notes"),
)


def _headline(code: str, ev: Mapping[str, Any], groups: Sequence[str]) -> str:
    if code == "low-response":
        return charts.pct(ev.get("rate"))
    if code == "exclusive-core":
        return f"{ev.get('stable_core_size', 0)} people"
    if code == "excluded-group":
        return f"{len(groups)} groups"
    if code == "core-departure-risk":
        return f"−{charts.pct(ev.get('reach_loss'))} reach"
    if code == "low-connected-difference":
        return charts.num(ev.get("mean_contact_diversity_sector"), 2)
    if code in ("thin-horizontal-links", "thin-vertical-links"):
        return f"{len(ev.get('thin') or groups)} thin"
    if code == "isolated-people":
        return f"{ev.get('isolated', 0)} people"
    if code == "high-networking":
        return f"{charts.num(ev.get('mean_ties_per_respondent'), 1)} per network"
    for value in ev.values():
        if isinstance(value, int | float) and not isinstance(value, bool):
            return charts.num(value)
    return ""


def _person_text(result: AnalysisResult, i: int, pseudonymise: bool, roles: list[str]) -> str:
    s = result.study
    if pseudonymise:
        return f"{', '.join(roles) or 'person'} · {s.sectors[i]}" + (
            f" ({s.layers[i]})" if s.layers[i] else ""
        )
    return f"{s.names[i] or s.ids[i]} ({s.organisations[i] or s.sectors[i]})"


def _figure_matrix(
    block: Mapping[str, Any], title: str, key: str = "density", fmt: str = "num"
) -> Figure:
    groups = list(block.get("groups") or [])
    values = block.get(key) or {}
    chart = charts.heatmap(groups, groups, values, title=title, value_label=key, fmt=fmt)
    rows = [
        [g]
        + [
            (
                charts.pct(values.get(g, {}).get(h))
                if fmt == "pct"
                else charts.num(values.get(g, {}).get(h), 4)
            )
            for h in groups
        ]
        for g in groups
    ]
    return Figure(chart, ["from \\ to", *groups], rows)


def build_report(
    result: AnalysisResult,
    assessments: Sequence[Assessment] = (),
    *,
    pseudonymise: bool = False,
    title: str | None = None,
    seed: int = 0,
    data: dict[str, Any] | None = None,
) -> ReportModel:
    """Compute the report's content from an analysis (and optional assessments).

    Parameters
    ----------
    result
        The network analysis (:func:`lisa.analyse`).
    assessments
        Zero or more assessed innovations (:class:`lisa.assess.Assessment`,
        e.g. read with :func:`lisa.assess.read_assessments`).
    pseudonymise
        Show people by role and group only: no names, no roster ids anywhere.
    title
        The report title (default: the study's name).
    seed
        Seed of the map layout (the same seed gives the same picture).
    data
        ``result.to_dict()`` if the caller already has it.
    """
    from lisa import __version__

    data = data if data is not None else result.to_dict()
    study = result.study
    config = data["config"]
    index = {pid: i for i, pid in enumerate(study.ids)}
    combined = data["combined"]["people"]

    def roles_of(pid: str) -> list[str]:
        return list(combined.get(pid, {}).get("roles", []))

    # -- findings and recommendations ---------------------------------------
    findings = []
    for f in data["findings"]:
        people = [
            _person_text(result, index[p], pseudonymise, roles_of(p)) for p in f["people"][:12]
        ]
        findings.append(
            FindingView(
                code=f["code"],
                severity=f["severity"],
                title=f["title"],
                headline=_headline(f["code"], f["evidence"], f["groups"]),
                detail=f["detail"],
                groups=list(f["groups"]),
                people=[] if pseudonymise else people,
                people_count=len(f["people"]) or int(f["evidence"].get("people_not_named", 0)),
            )
        )
    views = innovation_views(assessments)
    recs = [
        RecommendationView(r["title"], r["action"], r["why"], r["cluster"], r["source"], view.name)
        for view in views
        for r in view.recommendations
    ]
    for rec in for_network(result.findings):
        why = "; ".join(rec.why)
        recs.append(
            RecommendationView(
                rec.title, rec.action, why, rec.cluster_title, source_text(rec.source), "network"
            )
        )

    # -- the map ---------------------------------------------------------------
    mp = build_map(result, data, pseudonymise=pseudonymise, seed=seed)
    snapshot = _snapshot(result, mp)

    key_people: dict[str, list[dict[str, str]]] = {}
    for role in ROLE_BITS:
        rows = []
        for kp in result.key_people(role, limit=8):
            i = index[kp.id]
            rows.append(
                {
                    "person": _person_text(result, i, pseudonymise, roles_of(kp.id))
                    if pseudonymise
                    else (kp.name or kp.id),
                    "organisation": "" if pseudonymise else kp.organisation,
                    "sector": kp.sector,
                    "layer": kp.layer or "",
                    "value": charts.num(kp.value, 3),
                }
            )
        key_people[role] = rows

    # -- networks table --------------------------------------------------------
    networks = []
    blocks = [("All relations combined", data["combined"])] + [
        (block.get("label") or name, block) for name, block in data["relations"].items()
    ]
    for label, block in blocks:
        net = block["network"]
        networks.append(
            {
                "network": label,
                "people": f"{net['people']:,}",
                "arcs": f"{net['arcs']:,}",
                "density": charts.num(net["density"], 4),
                "reciprocity": charts.pct(net.get("reciprocity")),
                "ties_per_respondent": charts.num(net.get("ties_per_respondent"), 2),
                "components": f"{net.get('components', 0):,}",
                "core_size": f"{net.get('core_size', 0):,}",
                "ei_sector": charts.num((net.get("ei_index") or {}).get("sector"), 2),
                "diversity_sector": charts.num(
                    (net.get("mean_contact_diversity") or {}).get("sector"), 2
                ),
            }
        )

    # -- layers and mixing -----------------------------------------------------
    lay = data["layers"]
    overall = float(lay.get("overall_density") or 0.0)
    picture = charts.layer_picture(
        [g for g in LAYERS if g in lay.get("groups", LAYERS)],
        lay.get("people", {}),
        lay.get("horizontal", {}),
        lay.get("vertical", {}),
        overall,
        float(config.get("thin_links_ratio", 0.5)),
    )
    picture_rows = [
        [
            "within " + g,
            charts.num(d, 4),
            charts.num(d / overall if overall and d is not None else None, 2),
        ]
        for g, d in lay.get("horizontal", {}).items()
    ] + [
        [
            "between " + g,
            charts.num(d, 4),
            charts.num(d / overall if overall and d is not None else None, 2),
        ]
        for g, d in lay.get("vertical", {}).items()
    ]
    layer_picture = Figure(
        picture,
        ["links", "density", "× overall"],
        picture_rows,
        f"Overall density of the combined network: {charts.num(overall, 4)}. Thin: below "
        f"{config.get('thin_links_ratio', 0.5)} × overall; dense: at or above overall.",
    )
    layer_mixing = _figure_matrix(lay, "Tie density between layers (combined network)")
    sector_mixing = _figure_matrix(
        data["sectors"], "Tie density between sectors (combined network)"
    )

    # -- cores -------------------------------------------------------------------
    cc = data["core_consistency"]
    rels = list(data["relations"])
    labels = {r: (data["relations"][r].get("label") or r) for r in rels}
    overlap: dict[str, dict[str, float | None]] = {labels[r]: {} for r in rels}
    for key, jac in cc.get("overlap", {}).items():
        a, _, b = key.partition("|")
        if a in labels and b in labels:
            overlap[labels[a]][labels[b]] = jac
            overlap[labels[b]][labels[a]] = jac
    for r in rels:
        overlap[labels[r]][labels[r]] = 1.0
    names = [labels[r] for r in rels]
    core_overlap = Figure(
        charts.heatmap(
            names,
            names,
            overlap,
            title="How much the relations' cores overlap (Jaccard)",
            value_label="Jaccard overlap",
            row_axis="relation",
            col_axis="relation",
        ),
        ["relation", *names],
        [[a] + [charts.num(overlap[a].get(b), 2) for b in names] for a in names],
        f"Mean overlap between pairs of relations: {charts.num(cc.get('mean_overlap'), 2)}.",
    )
    counts = np.bincount(
        [int(p.get("core_networks", 0)) for p in combined.values()], minlength=len(rels) + 1
    )
    count_items = [
        (f"in {k} core{'s' if k != 1 else ''}", float(counts[k])) for k in range(len(rels) + 1)
    ]
    core_counts = Figure(
        charts.bars(
            count_items, title="People by the number of network cores they are in", fmt="num"
        ),
        ["cores", "people"],
        [[name, f"{int(v):,}"] for name, v in count_items],
    )
    representation = []
    for grouping in ("layer", "sector"):
        groups = cc.get("by_group", {}).get(grouping, {})
        items = [(g, v.get("representation")) for g, v in groups.items()]
        if not items:
            continue
        colours = charts.category_colours(sorted(g for g, _ in items))
        representation.append(
            Figure(
                charts.bars(
                    items,
                    title=f"Representation in the cores by {grouping} (1 = as expected)",
                    fmt="num",
                    colours=colours,
                    reference=(1.0, "as expected"),
                ),
                [grouping, "people", "share of people", "share of core places", "representation"],
                [
                    [
                        g,
                        f"{v.get('people', 0):,}",
                        charts.pct(v.get("share_of_people")),
                        charts.pct(v.get("share_of_core")),
                        charts.num(v.get("representation"), 2),
                    ]
                    for g, v in groups.items()
                ],
            )
        )
    stable = list(cc.get("stable_core", []))
    by_sector: dict[str, int] = {}
    for pid in stable:
        s = study.sectors[index[pid]]
        by_sector[s] = by_sector.get(s, 0) + 1
    stable_core = {
        "size": len(stable),
        "share": len(stable) / study.n_people if study.n_people else 0.0,
        "by_sector": sorted(by_sector.items(), key=lambda kv: -kv[1]),
        "people": []
        if pseudonymise or not result.names_individuals
        else [_person_text(result, index[p], False, []) for p in stable[:40]],
    }
    excluded = []
    ex = next((f for f in data["findings"] if f["code"] == "excluded-group"), None)
    if ex:
        for g, v in ex["evidence"].items():
            if isinstance(v, Mapping):
                excluded.append(
                    {
                        "group": g,
                        "grouping": str(v.get("grouping", "")),
                        "people": f"{v.get('people', 0):,}",
                        "share_of_people": charts.pct(v.get("share_of_people")),
                        "share_of_core": charts.pct(v.get("share_of_core")),
                        "pattern": str(v.get("pattern", "")),
                    }
                )

    # -- resilience ---------------------------------------------------------------
    res = data["resilience"]
    scen = res.get("scenarios", [])

    def scen_name(s: Mapping[str, Any]) -> str:
        name = str(s.get("name", ""))
        if name == "stable-core":
            return "the stable core leaves"
        if name == "top-hubs":
            return f"the top {len(s.get('removed', []))} hubs leave"
        if name.startswith("group:"):
            return name.split("=", 1)[-1] + " leave"
        return name

    resilience = Figure(
        charts.paired_bars(
            [
                (
                    scen_name(s),
                    float(s.get("reach_loss") or 0),
                    float(s.get("random_reach_loss") or 0),
                )
                for s in scen
            ],
            title="Loss of two-step reach when people leave",
            labels=("these people leave", "as many random others leave"),
        ),
        [
            "scenario",
            "people leaving",
            "reach after",
            "reach loss",
            "random loss",
            "largest part after",
        ],
        [
            [
                scen_name(s),
                f"{len(s.get('removed', [])):,}",
                charts.pct(s.get("reach2_after")),
                charts.pct(s.get("reach_loss"), 1),
                charts.pct(s.get("random_reach_loss"), 1),
                charts.pct(s.get("largest_component_share_after")),
            ]
            for s in scen
        ],
        f"Before anyone leaves, people reach {charts.pct(res.get('baseline', {}).get('reach2'))} "
        "of the others within two steps on average.",
    )

    # -- response -------------------------------------------------------------------
    resp = data["response"]
    response_figures = []
    for grouping, key in (("layer", "by_layer"), ("sector", "by_sector")):
        groups = resp.get(key, {})
        if not groups:
            continue
        if grouping == "layer":
            order = [g for g in LAYERS if g in groups] + [g for g in groups if g not in LAYERS]
        else:
            order = sorted(groups)
        items = [(g, groups[g].get("rate")) for g in order]
        response_figures.append(
            Figure(
                charts.bars(
                    items,
                    title=f"Response rate by {grouping}",
                    fmt="pct",
                    vmax=1.0,
                    colours=charts.category_colours(order),
                    marks={g: "thin" for g in order if groups[g].get("thin")},
                    reference=(
                        float(config.get("response_name_individuals", 0.8)),
                        "name individuals",
                    ),
                ),
                [grouping, "people", "respondents", "rate", "thin"],
                [
                    [
                        g,
                        f"{groups[g].get('people', 0):,}",
                        f"{groups[g].get('respondents', 0):,}",
                        charts.pct(groups[g].get("rate")),
                        "yes" if groups[g].get("thin") else "no",
                    ]
                    for g in order
                ],
            )
        )

    # -- method ---------------------------------------------------------------------
    method, thresholds, caveats = _method(data, config, pseudonymise)
    comp = dict(data.get("computation", {}))

    return ReportModel(
        title=title or study.name or "Locality report",
        subtitle=f"{study.n_people:,} people · {len(rels)} relations · {data['study']['ties']:,} ties",
        generated=_dt.date.today().isoformat(),
        lisa_version=__version__,
        schema_version=str(data.get("schema_version")),
        pseudonymised=pseudonymise,
        study=dict(data["study"]) if not pseudonymise else {**data["study"], "source": None},
        response_level=str(resp.get("level", "")),
        computation=comp,
        findings=findings,
        recommendations=recs,
        map_payload=mp.payload,
        map_snapshot=snapshot,
        map_views=mp.payload["views"],
        key_people=key_people,
        role_counts=result.role_counts(),
        networks=networks,
        layer_picture=layer_picture,
        layer_mixing=layer_mixing,
        sector_mixing=sector_mixing,
        core_overlap=core_overlap,
        core_counts=core_counts,
        core_representation=representation,
        stable_core=stable_core,
        excluded_groups=excluded,
        resilience=resilience,
        response=resp,
        response_figures=response_figures,
        assessments=views,
        method=method,
        thresholds=thresholds,
        caveats=caveats,
    )


def _snapshot(result: AnalysisResult, mp: MapData) -> charts.Chart:
    """The static map for print and PDF: the best-connected people and a sample of links."""
    n = result.study.n_people
    keep = np.arange(n)
    if n > SNAPSHOT_PEOPLE:
        order = np.argsort(-mp.sizes * 1000 - np.bincount(mp.pairs.reshape(-1), minlength=n))
        keep = np.sort(order[:SNAPSHOT_PEOPLE])
    local = {int(i): k for k, i in enumerate(keep)}
    pairs = [
        (local[int(a)], local[int(b)]) for a, b in mp.pairs if int(a) in local and int(b) in local
    ]
    if len(pairs) > SNAPSHOT_LINKS:
        rng = np.random.default_rng(0)
        pick = rng.choice(len(pairs), SNAPSHOT_LINKS, replace=False)
        pairs = [pairs[int(i)] for i in np.sort(pick)]
    scale = 1.0 if n <= 500 else 0.6
    alt = (
        f"A static picture of the network: {len(keep):,} of {n:,} people"
        + (
            f" (the best connected) and {len(pairs):,} sampled links"
            if n > SNAPSHOT_PEOPLE
            else f" and {len(pairs):,} links"
        )
        + ", coloured by layer, larger for hubs, gatekeepers and pulsetakers."
    )
    legend = {k: v for k, v in charts.LAYER_COLOURS.items()}
    return charts.network_snapshot(
        mp.x[keep].tolist(),
        mp.y[keep].tolist(),
        [mp.colours_by_layer[int(i)] for i in keep],
        (mp.sizes[keep] * scale).tolist(),
        pairs,
        title="The network (all relations combined)",
        alt=alt,
        legend=legend,
    )


def _method(
    data: Mapping[str, Any], config: Mapping[str, Any], pseudonymise: bool
) -> tuple[list[dict[str, str]], list[tuple[str, str, str]], list[str]]:
    from lisa.config import AnalysisConfig

    method = [
        {
            "term": "Network (relation)",
            "text": "One survey question about one kind of relationship (day-to-day work, new ideas, expertise…). 'Combined' joins all relations: a tie in any of them counts.",
        },
        {
            "term": "Density",
            "text": "The share of possible ties that exist: arcs / (n (n − 1)). Between two groups, the ties between them divided by the pairs there could be.",
        },
        {
            "term": "Hub",
            "text": f"Named by many: in-degree at or above the {config.get('hub_quantile')} quantile of the network and at least {config.get('hub_min_in_degree')} nominations.",
        },
        {
            "term": "Gatekeeper",
            "text": f"On the critical paths: betweenness at or above the {config.get('gatekeeper_quantile')} quantile (and above zero), or an articulation point whose removal cuts off at least {config.get('gatekeeper_min_cut')} people.",
        },
        {
            "term": "Pulsetaker",
            "text": f"Close to everyone through others: two-step reach at or above the {config.get('pulsetaker_reach_quantile')} quantile with direct contacts at or below the {config.get('pulsetaker_degree_quantile')} quantile.",
        },
        {
            "term": "Core",
            "text": "The core–periphery split of each relation that best fits the ideal pattern (Borgatti & Everett 1999). The stable core is the people in the core of at least "
            + f"{charts.pct(config.get('stable_core_share'))} of the relations.",
        },
        {
            "term": "Core overlap",
            "text": "For two relations, the people in both cores divided by the people in either (Jaccard).",
        },
        {
            "term": "Representation",
            "text": "A group's share of all core places divided by its share of the people: 1 is as expected, 0 is absent from every core.",
        },
        {
            "term": "Horizontal and vertical links",
            "text": "Tie density within a layer (horizontal) and between adjacent layers, both directions pooled (vertical).",
        },
        {
            "term": "Connected difference",
            "text": "How spread a person's contacts are across sectors (normalised Blau index, IQV: 0 all in one sector, 1 evenly spread), averaged over people with contacts.",
        },
        {
            "term": "E–I index",
            "text": "(ties between groups − ties within groups) / all ties: −1 all within, +1 all between (Krackhardt & Stern 1988).",
        },
        {
            "term": "Two-step reach",
            "text": "The share of the others a person can reach in at most two steps, direction ignored. Resilience removes people and measures how much of it the rest lose, beside the mean loss when as many random others leave.",
        },
        {
            "term": "The map",
            "text": "A line joins two people when either named the other in the selected relation. Positions come from a force-directed layout started from the layers (rings) and sectors (wedges).",
        },
    ]
    help_of = {name: text for name, _, text in AnalysisConfig.describe()}
    thresholds = [
        (name, str(value), help_of.get(name, ""))
        for name, value in config.items()
        if name not in ("groupings",)
    ]
    resp = data["response"]
    comp = data.get("computation", {})
    caveats = []
    if resp.get("known"):
        caveats.append(
            f"{resp.get('respondents', 0):,} of {resp.get('people', 0):,} people answered "
            f"({charts.pct(resp.get('rate'))}): "
            + {
                "individuals": "high enough to name individual people.",
                "patterns": "broad patterns can be trusted, but individuals are not named.",
                "unreliable": "too low even for broad patterns: read everything with care.",
            }.get(str(resp.get("level")), "")
        )
    else:
        caveats.append("The data did not say who answered, so everyone counts as a respondent.")
    if resp.get("imputation") not in (None, "none"):
        caveats.append(
            f"Non-respondents' ties were filled in by {resp.get('imputation')} "
            f"({resp.get('imputed_arcs', 0):,} arcs added)."
        )
    if not comp.get("exact", True):
        caveats.append(
            f"Betweenness and closeness were estimated from {comp.get('samples')} sampled people "
            "(the place is large); rankings are reliable, small differences are not."
        )
    caveats.append(
        "Non-respondents stay in every network with the ties others gave them; their own "
        "nominations are missing, which lowers their out-degree and can hide brokers."
    )
    if pseudonymise:
        caveats.append(
            "Pseudonymised report: people are shown by role and group only (sector, layer); "
            "no names or roster ids appear."
        )
    return method, thresholds, caveats
