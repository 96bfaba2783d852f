"""Compute everything the report shows, as plain data (no HTML here).

:func:`build_report` reads an :class:`~lisa.analysis.AnalysisResult` (and any
innovation assessments) and returns a :class:`ReportModel`: the executive
summary, the findings and recommendations, the map payload, the charts (SVG,
see :mod:`.charts`) with the tables of numbers behind them, the method notes
and the bibliography. Each section has its own builder in
:mod:`lisa.report.sections`; this module only assembles them. The templates
in ``templates/`` only lay the model out, so every number in the report is
computed once, from the analysis — and the tests compare them with it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lisa.privacy import Pseudonymiser
from lisa.report import charts
from lisa.report.assessment import InnovationView, innovation_views
from lisa.report.mapdata import build_map
from lisa.report.sections import (
    compare,
    cores,
    intermediaries,
    layers,
    method,
    network_map,
    resilience,
    response,
    whatif,
)
from lisa.report.sections.change import ChangeView, change_over_time
from lisa.report.sections.compare import CompareView
from lisa.report.sections.diffusion import DiffusionView
from lisa.report.sections.diffusion import diffusion as diffusion_view
from lisa.report.sections.executive import executive_summary
from lisa.report.sections.findings import PATTERN_NOTE
from lisa.report.sections.findings import findings as finding_views
from lisa.report.sections.networks import networks_table
from lisa.report.sections.recommendations import bibliography, network_recommendations
from lisa.report.sections.value import (
    PortfolioView,
    ValueView,
    portfolio_views,
    value_recommendations,
    value_views,
)
from lisa.report.sections.whatif import WhatIfSection, what_if_section
from lisa.report.views import (
    ExecutiveSummary,
    Figure,
    FindingView,
    RecommendationView,
    Reference,
    Table,
)
from lisa.sources import DOCUMENTS

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.assess import Assessment
    from lisa.change import WaveComparison
    from lisa.compare import Comparison
    from lisa.scenarios import BestTies, Diffusion, WhatIf
    from lisa.value import ValueResult

__all__ = [
    "SECTIONS",
    "ExecutiveSummary",
    "Figure",
    "FindingView",
    "RecommendationView",
    "Reference",
    "ReportModel",
    "Table",
    "build_report",
]


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
    executive: ExecutiveSummary
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
    excluded_groups_note: str  # what the patterns mean, in the analysis' words
    intermediaries: dict[str, Any] | None  # sections/intermediaries.py; None for a 2.1 result
    resilience: Figure
    response: dict[str, Any]
    response_text: str
    response_figures: list[Figure]
    assessments: list[InnovationView]
    method: list[dict[str, str]]
    thresholds: list[tuple[str, str, str]]
    caveats: list[str]
    bibliography: list[Reference]
    bibliography_cited: bool  # False: nothing is cited, the list is every source of the method
    values: list[ValueView] = field(default_factory=list)  # the value ledgers (sections/value.py)
    portfolio: list[PortfolioView] = field(default_factory=list)  # each place's pipeline
    extra: dict[str, Any] = field(default_factory=dict)
    change: ChangeView | None = None  # only for a study with more than one wave
    comparison: CompareView | None = None  # with other places (lisa compare --report)
    diffusion: DiffusionView | None = None  # how an idea would spread, when given a simulation
    whatif: WhatIfSection | None = None  # stored what-ifs and best new ties, when given

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(anchor, heading) of every section, in order: the table of contents."""
        optional = [
            section
            for section, present in (
                (CHANGE_SECTION, self.change),
                (DIFFUSION_SECTION, self.diffusion),
                ((whatif.ANCHOR, whatif.HEADING), self.whatif),
                ((compare.ANCHOR, compare.HEADING), self.comparison),
            )
            if present is not None
        ]
        if not optional:
            return list(SECTIONS)
        at = [a for a, _ in SECTIONS].index("resilience") + 1
        return [*SECTIONS[:at], *optional, *SECTIONS[at:]]


#: The sections after the executive summary, in order: (anchor, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary: what matters most"),
    ("recommendations", "Recommendations"),
    ("map", "The network map"),
    ("layers", "The layer picture"),
    ("mixing", "Who links with whom: layer and sector mixing"),
    ("cores", "Core consistency and excluded groups"),
    ("intermediaries", "Intermediaries for spreading"),
    ("resilience", "Resilience: if people leave"),
    ("innovations", "Innovation assessments"),
    ("value", "Value created and the pipeline"),
    ("response", "Response rates"),
    ("networks", "The networks in numbers"),
    ("method", "Method notes"),
)
#: The section a study with more than one wave adds, after resilience.
CHANGE_SECTION: tuple[str, str] = ("change", "Change over time")
#: The section shown only when the report is given a diffusion result (after resilience).
DIFFUSION_SECTION: tuple[str, str] = ("diffusion", "How an idea would spread")


# -- the innovation assessments ----------------------------------------------------


def _assessment_recommendations(views: Sequence[InnovationView]) -> list[RecommendationView]:
    return [
        RecommendationView(
            r["title"], r["action"], r["why"], r["cluster"], r["source"], view.name, r["ref"]
        )
        for view in views
        for r in view.recommendations
    ]


def _risk_references(views: Sequence[InnovationView]) -> list[str]:
    """The short references of the assessments' risks (for the bibliography)."""
    return [k["ref"] for view in views for k in view.risks] + [
        ref for view in views for ref in view.spreading.refs
    ]


# -- assembling the sections ---------------------------------------------------------


def _network_sections(
    result: AnalysisResult, pseudonymiser: Pseudonymiser | None, seed: int
) -> dict[str, Any]:
    """The map, layers, mixing, cores, resilience, response and networks sections."""
    mp = build_map(result, pseudonymiser=pseudonymiser, seed=seed)
    return {
        "map_payload": mp.payload,
        "map_snapshot": network_map.snapshot(result.study.n_people, mp),
        "map_views": mp.payload["views"],
        "key_people": network_map.key_people(result, pseudonymiser),
        "role_counts": result.role_counts(),
        "networks": networks_table(result),
        "layer_picture": layers.layer_picture(result),
        "layer_mixing": layers.layer_mixing(result),
        "sector_mixing": layers.sector_mixing(result),
        "core_overlap": cores.core_overlap(result),
        "core_counts": cores.core_counts(result),
        "core_representation": cores.core_representation(result),
        "stable_core": cores.stable_core(result, pseudonymiser),
        "excluded_groups": cores.excluded_groups(result),
        "excluded_groups_note": PATTERN_NOTE,
        "intermediaries": intermediaries.intermediaries(result, pseudonymiser),
        "resilience": resilience.resilience(result),
        "response": result.response.model_dump(),
        "response_text": response.who_answered(result.response),
        "response_figures": response.response_figures(result),
    }


def _front(result: AnalysisResult, title: str | None, pseudonymised: bool) -> dict[str, Any]:
    """The title block: place, size, date, versions."""
    from lisa import __version__

    summary = result.study_summary
    return {
        "title": title or summary.name or "Locality report",
        "subtitle": f"{summary.people:,} people · {len(summary.relations)} relations · "
        f"{summary.ties:,} ties",
        "generated": _dt.date.today().isoformat(),
        "lisa_version": __version__,
        "schema_version": result.schema_version,
        "pseudonymised": pseudonymised,
        "study": summary.model_dump(mode="json", exclude={"fingerprint"})
        | ({"source": None} if pseudonymised else {}),
        "response_level": result.response.level,
        "computation": result.computation.model_dump(),
    }


def build_report(
    result: AnalysisResult,
    assessments: Sequence[Assessment] = (),
    *,
    pseudonymise: bool | Pseudonymiser = False,
    title: str | None = None,
    seed: int = 0,
    values: Sequence[ValueResult] = (),
    change: WaveComparison | None = None,
    comparison: Comparison | None = None,
    diffusion: Diffusion | None = None,
    what_ifs: Sequence[WhatIf] = (),
    best_ties: BestTies | None = None,
) -> ReportModel:
    """Compute the report's content from an analysis (and optional assessments).

    Parameters
    ----------
    result
        The network analysis (:func:`lisa.analyse`, or a reloaded one with its study).
    assessments
        Zero or more assessed innovations (:class:`lisa.assess.Assessment`, computed
        or read back with :func:`lisa.assess.read_assessments`).
    pseudonymise
        Show people by role and group only: no names, no roster ids anywhere.
        True makes a fresh :class:`~lisa.privacy.Pseudonymiser`; pass the run's own
        to share its order and withheld organisations with the other outputs.
    title
        The report title (default: the study's name).
    seed
        Seed of the map layout (the same seed gives the same picture).
    values
        Value ledgers added up (:func:`lisa.value.value_of`): the value section,
        each place's pipeline, and the recommendations on a missing evidence base.
    change
        The comparison of two waves (:func:`lisa.change.compare_waves`): adds
        the "change over time" section. Leave it None for a single survey.
    comparison
        This place among others (:func:`lisa.compare.compare`): adds the section
        "Compared with other places". The place is found by the study's name.
    diffusion
        A simulation of how an idea would spread (:func:`lisa.scenarios.simulate`) on
        the same study: adds the section "How an idea would spread".
    what_ifs
        What-ifs (:func:`lisa.scenarios.what_if`) on the same study and settings, in order:
        each adds its part of the section "What if".
    best_ties
        Proposed new ties (:func:`lisa.scenarios.best_ties`) on the same study: adds them,
        explained, to the section "What if".

    Returns
    -------
    ReportModel
        Every section's content; lay it out with :func:`lisa.report.render_html`.
    """
    pseudonymiser = Pseudonymiser.of(result.study, pseudonymise)
    views = innovation_views(assessments)
    found = finding_views(result, pseudonymiser)
    recs = (
        _assessment_recommendations(views)
        + value_recommendations(assessments, values)
        + network_recommendations(result)
    )
    refs = [r.ref for r in recs] + _risk_references(views)
    sources = bibliography(refs)
    return ReportModel(
        **_front(result, title, pseudonymiser is not None),
        executive=executive_summary(result, found, recs),
        findings=found,
        recommendations=recs,
        **_network_sections(result, pseudonymiser, seed),
        assessments=views,
        method=method.definitions(result),
        thresholds=method.thresholds(result),
        caveats=method.caveats(result, pseudonymiser is not None),
        bibliography=sources or bibliography(list(DOCUMENTS)),
        bibliography_cited=bool(sources),
        values=value_views(values, assessments),
        portfolio=portfolio_views(assessments, values) if assessments else [],
        change=change_over_time(change) if change is not None else None,
        comparison=compare.compare_section(comparison, result.study_summary.name)
        if comparison is not None
        else None,
        diffusion=None if diffusion is None else diffusion_view(result, diffusion, pseudonymiser),
        whatif=what_if_section(result, what_ifs, best_ties, pseudonymiser),
    )
