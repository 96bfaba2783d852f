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

from lisa.findings import ExcludedGroupFinding
from lisa.network.results import Departure
from lisa.privacy import Pseudonymiser
from lisa.report import charts
from lisa.report.assessment import InnovationView, innovation_views, source_text
from lisa.report.mapdata import ROLE_BITS, MapData, build_map
from lisa.vocabulary import LAYERS, RESPONSE_LEVEL_TEXT

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


def _label(result: AnalysisResult, pid: str, pseudonymiser: Pseudonymiser | None) -> str:
    """A person as the report shows them: name and organisation, or role and group only."""
    s = result.study
    i = s.index_of(pid)
    if pseudonymiser is not None:
        return pseudonymiser.label(i, result.combined.people[pid].roles)
    return f"{s.names[i] or s.ids[i]} ({s.organisations[i] or s.sectors[i]})"


def _figure_matrix(
    groups: Sequence[str], values: Mapping[str, Mapping[str, float | None]], title: str
) -> Figure:
    chart = charts.heatmap(groups, groups, values, title=title, value_label="density", fmt="num")
    rows = [[g] + [charts.num(values.get(g, {}).get(h), 4) for h in groups] for g in groups]
    return Figure(chart, ["from \\ to", *groups], rows)


# -- one builder per section -------------------------------------------------------


def _findings(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> list[FindingView]:
    views = []
    for f in result.findings:
        people = [] if pseudonymiser else [_label(result, p, None) for p in f.people[:12]]
        views.append(
            FindingView(
                code=f.code,
                severity=f.severity,
                title=f.title,
                headline=f.headline.text,
                detail=f.detail,
                groups=list(f.groups),
                people=people,
                people_count=len(f.people) or f.people_not_named,
            )
        )
    return views


def _network_recommendations(result: AnalysisResult) -> list[RecommendationView]:
    return [
        RecommendationView(
            rec.title,
            rec.action,
            "; ".join(rec.why),
            rec.cluster_title,
            source_text(rec.source),
            "network",
        )
        for rec in result.recommendations
    ]


def _assessment_recommendations(views: Sequence[InnovationView]) -> list[RecommendationView]:
    return [
        RecommendationView(r["title"], r["action"], r["why"], r["cluster"], r["source"], view.name)
        for view in views
        for r in view.recommendations
    ]


def _key_people(
    result: AnalysisResult, pseudonymiser: Pseudonymiser | None
) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for role in ROLE_BITS:
        rows = []
        for kp in result.key_people(role, limit=8):
            rows.append(
                {
                    "person": _label(result, kp.id, pseudonymiser)
                    if pseudonymiser
                    else (kp.name or kp.id),
                    "organisation": "" if pseudonymiser else kp.organisation,
                    "sector": kp.sector,
                    "layer": kp.layer or "",
                    "value": charts.num(kp.value, 3),
                }
            )
        out[role] = rows
    return out


def _networks_table(result: AnalysisResult) -> list[dict[str, str]]:
    blocks = [("All relations combined", result.combined)] + [
        (block.label or name, block) for name, block in result.relations.items()
    ]
    rows = []
    for label, block in blocks:
        net = block.network
        rows.append(
            {
                "network": label,
                "people": f"{net.people:,}",
                "arcs": f"{net.arcs:,}",
                "density": charts.num(net.density, 4),
                "reciprocity": charts.pct(net.reciprocity),
                "ties_per_respondent": charts.num(net.ties_per_respondent, 2),
                "components": f"{net.components:,}",
                "core_size": f"{net.core_size:,}",
                "ei_sector": charts.num(net.ei_index.get("sector"), 2),
                "diversity_sector": charts.num(net.mean_contact_diversity.get("sector"), 2),
            }
        )
    return rows


def _layer_picture(result: AnalysisResult) -> Figure:
    lay = result.layers
    overall = lay.overall_density
    picture = charts.layer_picture(
        [g for g in LAYERS if g in lay.groups], lay.people, lay.links, overall
    )
    rows = [
        [
            ("within " + x.a) if x.kind == "horizontal" else f"between {x.a}-{x.b}",
            charts.num(x.density, 4),
            charts.num(x.ratio, 2),
        ]
        for x in lay.links
    ]
    return Figure(
        picture,
        ["links", "density", "× overall"],
        rows,
        f"Overall density of the combined network: {charts.num(overall, 4)}. Thin: below "
        f"{lay.thin_links_ratio} × overall; dense: at or above overall.",
    )


def _core_overlap(result: AnalysisResult) -> Figure:
    cc = result.core_consistency
    labels = {r: (block.label or r) for r, block in result.relations.items()}
    names = list(labels.values())
    overlap: dict[str, dict[str, float | None]] = {
        labels[a]: {labels[b]: cc.overlap_of(a, b) for b in labels} for a in labels
    }
    return Figure(
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
        f"Mean overlap between pairs of relations: {charts.num(cc.mean_overlap, 2)}.",
    )


def _core_counts(result: AnalysisResult) -> Figure:
    n_rel = len(result.relations)
    counts = np.bincount(
        [p.core_networks for p in result.combined.people.values()], minlength=n_rel + 1
    )
    items = [(f"in {k} core{'s' if k != 1 else ''}", float(counts[k])) for k in range(n_rel + 1)]
    return Figure(
        charts.bars(items, title="People by the number of network cores they are in", fmt="num"),
        ["cores", "people"],
        [[name, f"{int(v):,}"] for name, v in items],
    )


def _core_representation(result: AnalysisResult) -> list[Figure]:
    figures = []
    for grouping in ("layer", "sector"):
        groups = result.core_consistency.by_group.get(grouping, {})
        if not groups:
            continue
        items = [(g, v.representation) for g, v in groups.items()]
        figures.append(
            Figure(
                charts.bars(
                    items,
                    title=f"Representation in the cores by {grouping} (1 = as expected)",
                    fmt="num",
                    colours=charts.category_colours(sorted(groups)),
                    reference=(1.0, "as expected"),
                ),
                [grouping, "people", "share of people", "share of core places", "representation"],
                [
                    [
                        g,
                        f"{v.people:,}",
                        charts.pct(v.share_of_people),
                        charts.pct(v.share_of_core),
                        charts.num(v.representation, 2),
                    ]
                    for g, v in groups.items()
                ],
            )
        )
    return figures


def _stable_core(result: AnalysisResult, pseudonymiser: Pseudonymiser | None) -> dict[str, Any]:
    stable = result.core_consistency.stable_core
    n = result.study_summary.people
    named = pseudonymiser is None and result.names_individuals
    return {
        "size": len(stable),
        "share": len(stable) / n if n else 0.0,
        "by_sector": list(result.core_consistency.stable_core_by.get("sector", {}).items()),
        "people": [_label(result, p, None) for p in stable[:40]] if named else [],
    }


def _excluded_groups(result: AnalysisResult) -> list[dict[str, str]]:
    f = result.finding("excluded-group")
    if not isinstance(f, ExcludedGroupFinding):
        return []
    return [
        {
            "group": g.label,
            "grouping": g.grouping,
            "people": f"{g.people:,}",
            "share_of_people": charts.pct(g.share_of_people),
            "share_of_core": charts.pct(g.share_of_core),
            "pattern": g.pattern,
        }
        for g in f.evidence.groups
    ]


def scenario_text(s: Departure) -> str:
    """A resilience scenario in words."""
    if s.kind == "stable-core":
        return "the stable core leaves"
    if s.kind == "top-hubs":
        return f"the top {len(s.removed)} hubs leave"
    return f"{s.group} leave"


def _resilience(result: AnalysisResult) -> Figure:
    res = result.resilience
    scen = res.scenarios
    return Figure(
        charts.paired_bars(
            [(scenario_text(s), s.reach_loss, s.random_reach_loss or 0.0) for s in scen],
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
                scenario_text(s),
                f"{len(s.removed):,}",
                charts.pct(s.reach2_after),
                charts.pct(s.reach_loss, 1),
                charts.pct(s.random_reach_loss, 1),
                charts.pct(s.largest_component_share_after),
            ]
            for s in scen
        ],
        f"Before anyone leaves, people reach {charts.pct(res.baseline.reach2)} "
        "of the others within two steps on average.",
    )


def _response_figures(result: AnalysisResult) -> list[Figure]:
    resp = result.response
    figures = []
    for grouping, groups in (("layer", resp.by_layer), ("sector", resp.by_sector)):
        if not groups:
            continue
        order = (
            [g for g in LAYERS if g in groups] + [g for g in groups if g not in LAYERS]
            if grouping == "layer"
            else sorted(groups)
        )
        figures.append(
            Figure(
                charts.bars(
                    [(g, groups[g].rate) for g in order],
                    title=f"Response rate by {grouping}",
                    fmt="pct",
                    vmax=1.0,
                    colours=charts.category_colours(order),
                    marks={g: "thin" for g in order if groups[g].thin},
                    reference=(result.config.response_name_individuals, "name individuals"),
                ),
                [grouping, "people", "respondents", "rate", "thin"],
                [
                    [
                        g,
                        f"{groups[g].people:,}",
                        f"{groups[g].respondents:,}",
                        charts.pct(groups[g].rate),
                        "yes" if groups[g].thin else "no",
                    ]
                    for g in order
                ],
            )
        )
    return figures


def _pseudonymiser(study: Any, pseudonymise: bool | Pseudonymiser) -> Pseudonymiser | None:
    if isinstance(pseudonymise, Pseudonymiser):
        return pseudonymise
    return Pseudonymiser(study) if pseudonymise else None


def build_report(
    result: AnalysisResult,
    assessments: Sequence[Assessment] = (),
    *,
    pseudonymise: bool | Pseudonymiser = False,
    title: str | None = None,
    seed: int = 0,
) -> ReportModel:
    """Compute the report's content from an analysis (and optional assessments).

    Parameters
    ----------
    result
        The network analysis (:func:`lisa.analyse`, or a reloaded one with its study).
    assessments
        Zero or more assessed innovations (:class:`lisa.assess.Assessment`,
        e.g. read with :func:`lisa.assess.read_assessments`).
    pseudonymise
        Show people by role and group only: no names, no roster ids anywhere.
        True makes a fresh :class:`~lisa.privacy.Pseudonymiser`; pass the run's own
        to share its order and withheld organisations with the other outputs.
    title
        The report title (default: the study's name).
    seed
        Seed of the map layout (the same seed gives the same picture).
    """
    from lisa import __version__

    study = result.study
    pseudonymiser = _pseudonymiser(study, pseudonymise)
    views = innovation_views(assessments)
    mp = build_map(result, pseudonymiser=pseudonymiser, seed=seed)
    summary = result.study_summary
    method, thresholds, caveats = _method(result, pseudonymiser is not None)
    return ReportModel(
        title=title or summary.name or "Locality report",
        subtitle=f"{summary.people:,} people · {len(summary.relations)} relations · "
        f"{summary.ties:,} ties",
        generated=_dt.date.today().isoformat(),
        lisa_version=__version__,
        schema_version=result.schema_version,
        pseudonymised=pseudonymiser is not None,
        study=summary.model_dump(mode="json", exclude={"fingerprint"})
        | ({"source": None} if pseudonymiser else {}),
        response_level=result.response.level,
        computation=result.computation.model_dump(),
        findings=_findings(result, pseudonymiser),
        recommendations=_assessment_recommendations(views) + _network_recommendations(result),
        map_payload=mp.payload,
        map_snapshot=_snapshot(study.n_people, mp),
        map_views=mp.payload["views"],
        key_people=_key_people(result, pseudonymiser),
        role_counts=result.role_counts(),
        networks=_networks_table(result),
        layer_picture=_layer_picture(result),
        layer_mixing=_figure_matrix(
            result.layers.groups,
            result.layers.density,
            "Tie density between layers (combined network)",
        ),
        sector_mixing=_figure_matrix(
            result.sectors.groups,
            result.sectors.density,
            "Tie density between sectors (combined network)",
        ),
        core_overlap=_core_overlap(result),
        core_counts=_core_counts(result),
        core_representation=_core_representation(result),
        stable_core=_stable_core(result, pseudonymiser),
        excluded_groups=_excluded_groups(result),
        resilience=_resilience(result),
        response=result.response.model_dump(),
        response_figures=_response_figures(result),
        assessments=views,
        method=method,
        thresholds=thresholds,
        caveats=caveats,
    )


def _snapshot(n: int, mp: MapData) -> charts.Chart:
    """The static map for print and PDF: the best-connected people and a sample of links."""
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
    result: AnalysisResult, pseudonymised: bool
) -> tuple[list[dict[str, str]], list[tuple[str, str, str]], list[str]]:
    from lisa.config import AnalysisConfig

    config = result.config
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
            "text": f"Named by many: in-degree at or above the {config.hub_quantile} quantile of the network and at least {config.hub_min_in_degree} nominations.",
        },
        {
            "term": "Gatekeeper",
            "text": f"On the critical paths: betweenness at or above the {config.gatekeeper_quantile} quantile (and above zero), or an articulation point whose removal cuts off at least {config.gatekeeper_min_cut} people.",
        },
        {
            "term": "Pulsetaker",
            "text": f"Close to everyone through others: two-step reach at or above the {config.pulsetaker_reach_quantile} quantile with direct contacts at or below the {config.pulsetaker_degree_quantile} quantile.",
        },
        {
            "term": "Core",
            "text": "The core–periphery split of each relation that best fits the ideal pattern (Borgatti & Everett 1999). The stable core is the people in the core of at least "
            + f"{charts.pct(config.stable_core_share)} of the relations.",
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
        for name, value in config.model_dump(mode="json").items()
        if name not in ("groupings",)
    ]
    return method, thresholds, _caveats(result, pseudonymised)


def _caveats(result: AnalysisResult, pseudonymised: bool) -> list[str]:
    resp = result.response
    comp = result.computation
    caveats = []
    if resp.known:
        caveats.append(
            f"{resp.respondents:,} of {resp.people:,} people answered "
            f"({charts.pct(resp.rate)}): " + RESPONSE_LEVEL_TEXT[resp.level]
        )
    else:
        caveats.append("The data did not say who answered, so everyone counts as a respondent.")
    if resp.imputation != "none":
        caveats.append(
            f"Non-respondents' ties were filled in by {resp.imputation} "
            f"({resp.imputed_arcs:,} arcs added)."
        )
    if not comp.exact:
        caveats.append(
            f"Betweenness and closeness were estimated from {comp.samples} sampled people "
            "(the place is large); rankings are reliable, small differences are not."
        )
    caveats.append(
        "Non-respondents stay in every network with the ties others gave them; their own "
        "nominations are missing, which lowers their out-degree and can hide brokers."
    )
    if pseudonymised:
        caveats.append(
            "Pseudonymised report: people are shown by role and group only (sector, layer); "
            "no names or roster ids appear."
        )
        if result.privacy and result.privacy.coarsened_people:
            caveats.append(
                f"Organisations shared by fewer than {result.privacy.min_cell} people are withheld."
            )
    return caveats
