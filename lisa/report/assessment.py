"""Innovation assessments as the report shows them, built from the typed result.

The report takes :class:`lisa.assess.Assessment` objects (read from ``lisa
assess --json`` files with :func:`lisa.assess.read_assessments`, or assessed
in the same program) and :func:`innovation_view` lays each out field by field
for the template: no guessing of names or scales, since the assessment's
shape is fixed by its models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lisa.assess.model import SCHEMA_VERSION, Assessment
from lisa.assess.recommend import Source
from lisa.assess.spread import Route, Spreading
from lisa.report import charts
from lisa.sources import cite
from lisa.vocabulary import CORNERS, FACTOR_TITLES, SCALE_CONDITION_TITLES, link_words


@dataclass
class SpreadingView:
    """The "Spreading it" part of one innovation: what the assessment decided, laid out."""

    assessed: bool = False
    conditions: list[dict[str, str]] = field(default_factory=list)
    weakest: str = ""
    risks: list[dict[str, str]] = field(default_factory=list)
    recommendations: list[dict[str, str]] = field(default_factory=list)
    routes: list[dict[str, str]] = field(default_factory=list)
    intermediaries: str = ""
    refs: list[str] = field(default_factory=list)


@dataclass
class InnovationView:
    """One assessed innovation, ready for the template."""

    name: str
    schema_version: str = SCHEMA_VERSION
    description: str = ""
    kind: str = ""
    extent: str = ""
    phase: int | None = None
    phase_name: str = ""
    confidence: float | None = None
    trend: str = ""
    stage: str = ""
    stage_reason: str = ""
    evidence: list[str] = field(default_factory=list)
    corners: dict[str, float | None] = field(default_factory=dict)
    links: dict[str, float | None] = field(default_factory=dict)
    needs: dict[str, float | None] = field(default_factory=dict)
    weakest_corner: str | None = None
    weakest_link: str | None = None
    balanced: bool | None = None
    triangle_verdict: str = ""
    history: list[tuple[str, int]] = field(default_factory=list)
    factors: list[dict[str, str]] = field(default_factory=list)
    risks: list[dict[str, str]] = field(default_factory=list)
    cases: list[dict[str, str]] = field(default_factory=list)
    recommendations: list[dict[str, str]] = field(default_factory=list)
    triangle_chart: charts.Chart | None = None
    curve_chart: charts.Chart | None = None
    spreading: SpreadingView = field(default_factory=SpreadingView)

    @property
    def has_triangle(self) -> bool:
        return any(v is not None for v in self.corners.values())


def source_text(source: Source) -> str:
    """A rule's source as the report cites it: the documents and sections in words."""
    return cite(source.ref)


def _description(a: Assessment) -> str:
    parts = (
        a.service or "",
        f"as of {a.as_of.isoformat()}" if a.as_of else "",
        "assessed by " + ", ".join(a.assessors) if a.assessors else "",
    )
    return " · ".join(x for x in parts if x)


def _trend(a: Assessment) -> str:
    return " — ".join(x for x in (a.trajectory.status, a.trajectory.reason) if x)


def _triangle_verdict(a: Assessment) -> str:
    """The triangle in one sentence: balanced for the phase, or which corner falls short."""
    t = a.triangle
    if t.weakest_corner is None:
        return ""
    lowest = t.corners[t.weakest_corner]
    value = "unanswered" if lowest.strength is None else charts.num(lowest.strength, 2)
    link = f" Weakest link: {link_words(t.weakest_link)}." if t.weakest_link else ""
    if not t.weakest_corner_falls_short:
        return (
            f"Balanced for this phase: no corner falls short of what {a.phase.name} needs "
            f"(lowest: {t.weakest_corner}, {value}).{link}"
        )
    return (
        f"Weakest corner: {t.weakest_corner} ({value} against {charts.num(lowest.need, 2)} "
        f"needed for {a.phase.name}).{link}"
    )


def _risks(a: Assessment) -> list[dict[str, str]]:
    return [
        {
            "title": r.title,
            "status": r.status,
            "detail": ("Showing: " if r.status == "showing" else "Watch: ")
            + r.detail
            + (" Because " + "; ".join(r.why) + "." if r.why else ""),
            "source": source_text(r.source),
            "ref": r.source.ref,
        }
        for r in a.risks
    ]


def _recommendations(a: Assessment) -> list[dict[str, str]]:
    return [
        {
            "title": r.title,
            "action": r.action,
            "why": "; ".join(r.why),
            "source": source_text(r.source),
            "ref": r.source.ref,
            "cluster": r.cluster_title,
        }
        for r in a.recommendations
    ]


def _cases(a: Assessment) -> list[dict[str, str]]:
    return [
        {
            "title": m.title,
            "similarity": charts.num(m.similarity, 2),
            "shared": "; ".join(m.shared),
            "differs": "; ".join(m.differs),
            "next": "; ".join(m.next_steps),
        }
        for m in a.closest_cases
    ]


def _weakest_text(s: Spreading) -> str:
    r = s.readiness
    if not r.weakest:
        return ""
    names = " and ".join(SCALE_CONDITION_TITLES[c] for c in r.weakest)
    tied = " (tied)" if len(r.weakest) > 1 else ""
    return f"Weakest condition{tied}: {names}" + ("." if r.weakest_is_weak else ", though none is weak.")


def _route_row(route: Route) -> dict[str, str]:
    why = [*route.reasons, *(f"against it: {x}" for x in route.against), *route.unmet, *route.unanswered]
    return {
        "title": route.title,
        "fit": route.fit,
        "why": "; ".join(why),
        "tradeoffs": " ".join(f"{t.text} ({source_text(t.source)})" for t in route.tradeoffs),
        "cases": ", ".join(f"{c.title} ({c.evidence})" for c in route.cases),
    }


def spreading_view(a: Assessment) -> SpreadingView:
    """The "Spreading it" part of an assessment, as the report shows it (it decides nothing)."""
    s = a.spreading
    if s is None or s.status == "not assessed":
        return SpreadingView(intermediaries=s.intermediaries.text if s else "")
    conditions = [
        {
            "name": c.title,
            "level": c.level,
            "strength": "" if c.strength is None else charts.num(c.strength, 2),
            "items": f"{c.answered} of {c.total}",
        }
        for c in s.readiness.conditions.values()
    ]
    risks = [
        {"title": r.title, "detail": r.detail + " Because " + "; ".join(r.why) + ".",
         "source": source_text(r.source)}
        for r in s.risks
    ]  # fmt: skip
    recs = [
        {"title": r.title, "action": r.action, "why": "; ".join(r.why), "source": source_text(r.source)}
        for r in s.recommendations
    ]
    refs = [r.source.ref for r in s.risks] + [r.source.ref for r in s.recommendations]
    refs += [t.source.ref for route in s.routes for t in route.tradeoffs]
    return SpreadingView(
        assessed=True,
        conditions=conditions,
        weakest=_weakest_text(s),
        risks=risks,
        recommendations=recs,
        routes=[_route_row(r) for r in s.routes],
        intermediaries=s.intermediaries.text,
        refs=refs,
    )


def innovation_view(a: Assessment) -> InnovationView:
    """One assessment as the report's innovation section shows it (with its two charts)."""
    t = a.triangle
    view = InnovationView(
        name=a.innovation + (f" ({a.place})" if a.place else ""),
        description=_description(a),
        kind=", ".join(a.type.kind),
        extent=a.type.extent or "",
        phase=a.phase.value,
        phase_name=a.phase.name,
        confidence=a.phase.confidence,
        trend=_trend(a),
        stage=a.stage.value,
        stage_reason=a.stage.reason,
        evidence=list(a.phase.evidence),
        corners={c: t.corners[c].strength for c in CORNERS},
        links={k: v.strength for k, v in t.links.items()},
        needs={c: t.corners[c].need for c in CORNERS},
        weakest_corner=t.weakest_corner,
        weakest_link=link_words(t.weakest_link) if t.weakest_link else None,
        balanced=t.balanced,
        triangle_verdict=_triangle_verdict(a),
        history=[(h.date, h.phase) for h in a.trajectory.history],
        factors=[
            {"name": FACTOR_TITLES[f], "status": role, "note": ""} for f, role in a.factors.items()
        ],
        risks=_risks(a),
        cases=_cases(a),
        recommendations=_recommendations(a),
        spreading=spreading_view(a),
    )
    if view.has_triangle:
        view.triangle_chart = charts.triangle(
            view.corners,
            view.links,
            needs=view.needs,
            weakest_corner=None if view.balanced else view.weakest_corner,
            weakest_link=view.weakest_link,
            title=f"Strategic triangle: {view.name}",
        )
    view.curve_chart = charts.value_curve(
        view.phase, view.history, title=f"Lifecycle position: {view.name}"
    )
    return view


def innovation_views(assessments: Sequence[Assessment]) -> list[InnovationView]:
    """Every assessment as the report shows it, in the order given."""
    return [innovation_view(a) for a in assessments]
