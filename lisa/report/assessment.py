"""Read innovation assessments (``lisa assess`` JSON) tolerantly for the report.

The assessment JSON is versioned (``schema_version``) but its shape is still
settling, so the report does not insist on one: :func:`normalise_assessment`
looks for each piece under the names it is likely to have (see
``docs/report.md``), renders what it finds, and keeps anything it does not
recognise as plain key–value rows so nothing supplied is silently dropped.
A document may hold one innovation or a list of them (``innovations`` or
``assessments``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lisa.report import charts

CORNERS = ("authority", "capacity", "value")
CORNER_ALIASES = {
    "authority": ("authority",),
    "capacity": ("capacity", "organisational_capacity", "organizational_capacity"),
    "value": ("value", "public_value"),
}
LEVEL_WORDS = {
    "very weak": 0.1,
    "absent": 0.0,
    "weak": 0.25,
    "low": 0.25,
    "moderate": 0.5,
    "medium": 0.5,
    "fair": 0.5,
    "strong": 0.8,
    "high": 0.8,
    "very strong": 0.95,
}
#: The six factors of the reports, in their order.
SIX_FACTORS = (
    "recognition of underperformance",
    "pressures from stakeholders",
    "strong leadership",
    "responsive organisational culture",
    "formal and informal networks",
    "resources",
)
KNOWN_KEYS = {
    "schema_version", "lisa_version", "innovation", "name", "title", "id", "phase",
    "lifecycle", "triangle", "strategic_triangle", "history", "phase_history", "factors",
    "six_factors", "risks", "closest_cases", "cases", "case_comparison", "recommendations",
    "confidence", "type", "extent", "description", "trend", "stage", "evidence",
    "needs", "phase_needs", "assessors", "disagreements",
}  # fmt: skip


def _first(d: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in d and d[key] not in (None, "", [], {}):
            return d[key]
    return None


def _as_list(value: Any) -> list[Any]:
    """A list from a list or tuple, ``[value]`` from a lone string, else empty."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str) and value:
        return [value]
    return []


def strength(value: Any) -> float | None:
    """A corner/link/factor strength on 0–1 from a number (0–1, 1–5, 0–10, 0–100) or a word."""
    if isinstance(value, Mapping):
        value = _first(value, "strength", "score", "value", "level", "mean")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        x = float(value)
        if not math.isfinite(x):
            return None
        for top in (1.0, 5.0, 10.0, 100.0):
            if x <= top:
                return max(0.0, x / top)
        return 1.0
    if isinstance(value, str):
        return LEVEL_WORDS.get(value.strip().lower())
    return None


def _text(item: Any, *keys: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        got = _first(item, *keys)
        return str(got) if got is not None else ""
    return "" if item is None else str(item)


@dataclass
class InnovationView:
    """One assessed innovation, ready for the template; absent pieces are None or empty."""

    name: str
    schema_version: str | None = None
    description: str = ""
    kind: str = ""
    extent: str = ""
    phase: int | None = None
    phase_name: str = ""
    confidence: float | None = None
    trend: str = ""
    evidence: list[str] = field(default_factory=list)
    corners: dict[str, float | None] = field(default_factory=dict)
    links: dict[str, float | None] = field(default_factory=dict)
    needs: dict[str, float | None] = field(default_factory=dict)
    needs_text: str = ""
    weakest_corner: str | None = None
    weakest_link: str | None = None
    history: list[tuple[str, int]] = field(default_factory=list)
    factors: list[dict[str, str]] = field(default_factory=list)
    risks: list[dict[str, str]] = field(default_factory=list)
    cases: list[dict[str, str]] = field(default_factory=list)
    recommendations: list[dict[str, str]] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)
    triangle_chart: charts.Chart | None = None
    curve_chart: charts.Chart | None = None

    @property
    def has_triangle(self) -> bool:
        return any(v is not None for v in self.corners.values())


def _phase(value: Any) -> tuple[int | None, str]:
    if isinstance(value, Mapping):
        number = _first(value, "phase", "number", "index", "id")
        name = _text(value, "name", "label", "title")
        p, n2 = _phase(number)
        return p, name or n2
    if isinstance(value, bool):
        return None, ""
    if isinstance(value, int | float) and 0 <= int(value) <= 4:
        return int(value), charts.PHASES[int(value)]
    if isinstance(value, str):
        low = value.strip().lower()
        if low.isdigit():
            return _phase(int(low))
        for i, name in enumerate(charts.PHASES):
            if name.lower().split()[0] in low:
                return i, name
        return None, value
    return None, ""


def _history(value: Any) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if isinstance(value, Mapping):
        value = [{"date": k, "phase": v} for k, v in value.items()]
    for item in _as_list(value):
        if isinstance(item, Mapping):
            date = _text(item, "date", "when", "year", "period")
            p, _ = _phase(_first(item, "phase", "stage"))
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            date, (p, _) = str(item[0]), _phase(item[1])
        else:
            continue
        if p is not None:
            out.append((date, p))
    return out


def _factor_rows(value: Any) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    if isinstance(value, Mapping):
        items: list[Any] = [
            {"name": k, **(v if isinstance(v, Mapping) else {"status": v})}
            for k, v in value.items()
        ]
    else:
        items = _as_list(value)
    for item in items:
        if isinstance(item, str):
            rows.append({"name": item, "status": "", "note": ""})
            continue
        if not isinstance(item, Mapping):
            continue
        status = _first(item, "status", "role", "as", "classification", "kind", "answer")
        score = strength(item)
        rows.append(
            {
                "name": _text(item, "name", "factor", "id", "label"),
                "status": str(status)
                if status is not None
                else (charts.pct(score) if score is not None else ""),
                "note": _text(item, "note", "why", "evidence", "detail", "comment"),
            }
        )
    return rows


def _items(
    value: Any, title_keys: tuple[str, ...], extra: Mapping[str, tuple[str, ...]]
) -> list[dict[str, str]]:
    rows = []
    for item in _as_list(value):
        row = {"title": _text(item, *title_keys)}
        for name, keys in extra.items():
            got = _first(item, *keys) if isinstance(item, Mapping) else None
            if isinstance(got, list):
                got = "; ".join(str(g) for g in got)
            elif isinstance(got, float):
                got = charts.num(got, 2)
            row[name] = "" if got is None else str(got)
        if row["title"]:
            rows.append(row)
    return rows


def _corner_values(tri: Mapping[str, Any], source_key: str) -> dict[str, float | None]:
    block = tri.get(source_key) if isinstance(tri.get(source_key), Mapping) else tri
    out: dict[str, float | None] = {}
    for corner, aliases in CORNER_ALIASES.items():
        out[corner] = strength(_first(block, *aliases)) if isinstance(block, Mapping) else None
    return out


def _source_text(source: Any) -> str:
    """``{"ref": "002 §5.3", "documents": [...]}`` → ``002 §5.3 (document titles)``."""
    if isinstance(source, Mapping):
        docs = "; ".join(str(d) for d in source.get("documents", []))
        return f"{source.get('ref', '')} ({docs})" if docs else str(source.get("ref", ""))
    return "" if source is None else str(source)


def _from_lisa(a: Mapping[str, Any], version: str | None) -> InnovationView:
    """One assessment of a ``lisa assess`` document (docs/assessment.md), read exactly."""
    place = a.get("place") or ""
    view = InnovationView(
        name=f"{a.get('innovation', 'Unnamed innovation')}" + (f" ({place})" if place else ""),
        schema_version=version,
    )
    view.description = " · ".join(
        x
        for x in (
            a.get("service") or "",
            f"as of {a['as_of']}" if a.get("as_of") else "",
            "assessed by " + ", ".join(a.get("assessors", [])) if a.get("assessors") else "",
        )
        if x
    )
    kind = a.get("type") or {}
    view.kind = ", ".join(kind.get("kind") or [])
    view.extent = kind.get("extent") or ""
    phase = a.get("phase") or {}
    view.phase, view.phase_name = phase.get("value"), phase.get("name", "")
    view.confidence = phase.get("confidence")
    view.evidence = list(phase.get("evidence", []))
    traj = a.get("trajectory") or {}
    stage = (a.get("stage") or {}).get("value", "")
    view.trend = " — ".join(x for x in (traj.get("status", ""), traj.get("reason", "")) if x)
    if stage:
        view.trend += f" (stage: {stage})"
    view.history = [
        (str(h.get("date", "")), int(h["phase"])) for h in traj.get("history", []) if "phase" in h
    ]
    tri = a.get("triangle") or {}
    corners = tri.get("corners") or {}
    links = tri.get("links") or {}
    view.corners = {c: corners.get(c, {}).get("strength") for c in CORNERS}
    view.needs = {c: corners.get(c, {}).get("need") for c in CORNERS}
    view.links = {k: v.get("strength") for k, v in links.items()}
    view.weakest_corner = tri.get("weakest_corner")
    view.weakest_link = (tri.get("weakest_link") or "").replace("_", "→") or None
    view.factors = [
        {"name": k, "status": v, "note": ""} for k, v in (a.get("factors") or {}).items()
    ]
    view.risks = [
        {
            "title": r.get("title", ""),
            "detail": ("Showing: " if r.get("status") == "showing" else "Watch: ")
            + r.get("detail", "")
            + (" Because " + "; ".join(r["why"]) + "." if r.get("why") else ""),
            "source": _source_text(r.get("source")),
        }
        for r in a.get("risks", [])
    ]
    view.recommendations = [
        {
            "title": r.get("title", ""),
            "action": r.get("action", ""),
            "why": "; ".join(r.get("why", [])),
            "source": _source_text(r.get("source")),
            "cluster": r.get("cluster_title") or r.get("cluster", ""),
        }
        for r in a.get("recommendations", [])
    ]
    view.cases = [
        {
            "title": m.get("title") or m.get("case", ""),
            "similarity": charts.num(float(m.get("similarity", 0.0)), 2),
            "shared": "; ".join(m.get("shared", [])),
            "differs": "; ".join(m.get("differs", [])),
            "next": m.get("next_steps", "")
            if isinstance(m.get("next_steps"), str)
            else "; ".join(m.get("next_steps") or []),
        }
        for m in a.get("closest_cases", [])
    ]
    return _with_charts(view)


def _with_charts(view: InnovationView) -> InnovationView:
    if view.has_triangle:
        view.triangle_chart = charts.triangle(
            view.corners,
            view.links,
            needs=view.needs or None,
            weakest_corner=view.weakest_corner,
            weakest_link=view.weakest_link,
            title=f"Strategic triangle: {view.name}",
        )
    if view.phase is not None or view.history:
        view.curve_chart = charts.value_curve(
            view.phase, view.history, title=f"Lifecycle position: {view.name}"
        )
    return view


def normalise_assessment(doc: Mapping[str, Any]) -> list[InnovationView]:
    """Every innovation in an assessment document, as :class:`InnovationView`.

    A ``lisa assess`` document (``kind: lisa-assessment``) is read field by
    field; any other JSON object is read tolerantly, by common key names.
    """
    if doc.get("kind") == "lisa-assessment" and isinstance(doc.get("assessments"), list):
        version = doc.get("schema_version")
        return [_from_lisa(a, version) for a in doc["assessments"] if isinstance(a, Mapping)]
    for key in ("innovations", "assessments", "register"):
        many = doc.get(key)
        if isinstance(many, list) and many and all(isinstance(x, Mapping) for x in many):
            version = doc.get("schema_version")
            return [
                v
                for item in many
                for v in normalise_assessment({"schema_version": version, **item})
            ]
    innovation = doc.get("innovation")
    info: Mapping[str, Any] = innovation if isinstance(innovation, Mapping) else {}
    name = (
        _text(info, "name", "title", "id")
        or (innovation if isinstance(innovation, str) else "")
        or _text(doc, "name", "title", "id")
        or "Unnamed innovation"
    )
    view = InnovationView(name=name, schema_version=_text(doc, "schema_version") or None)
    view.description = _text(info, "description", "summary") or _text(doc, "description")
    view.kind = _text(info, "type", "kind") or _text(doc, "type")
    view.extent = _text(info, "extent") or _text(doc, "extent")

    life = _first(doc, "lifecycle", "phase")
    life_map: Mapping[str, Any] = life if isinstance(life, Mapping) else {}
    view.phase, view.phase_name = _phase(_first(life_map, "phase", "number") if life_map else life)
    if life_map and not view.phase_name:
        view.phase_name = _text(life_map, "name", "label")
    conf = _first(life_map, "confidence") if life_map else None
    conf = conf if conf is not None else doc.get("confidence")
    view.confidence = strength(conf) if conf is not None else None
    view.trend = _text(life_map, "trend", "direction", "status") or _text(doc, "trend")
    evidence = _first(life_map, "evidence") if life_map else doc.get("evidence")
    if isinstance(evidence, list):
        view.evidence = [_text(e, "text", "item", "statement", "id") for e in evidence]
    elif isinstance(evidence, str):
        view.evidence = [evidence]
    view.history = _history(_first(life_map, "history") if life_map else None) or _history(
        _first(doc, "history", "phase_history")
    )

    tri = _first(doc, "triangle", "strategic_triangle")
    if isinstance(tri, Mapping):
        view.corners = _corner_values(tri, "corners")
        links = tri.get("links")
        if isinstance(links, Mapping):
            view.links = {k: strength(v) for k, v in links.items()}
        elif isinstance(links, list):
            view.links = {
                _text(x, "name", "link", "id"): strength(x) for x in links if isinstance(x, Mapping)
            }
        needs = _first(tri, "needs", "phase_needs", "expected", "required")
        if isinstance(needs, Mapping):
            view.needs = {c: strength(_first(needs, *CORNER_ALIASES[c])) for c in CORNERS}
        elif isinstance(needs, str):
            view.needs_text = needs
        weak_c = _first(tri, "weakest_corner", "weak_corner")
        weak_l = _first(tri, "weakest_link", "weak_link")
        view.weakest_corner = _text(weak_c, "name", "corner") or None
        view.weakest_link = _text(weak_l, "name", "link") or None
        if view.weakest_corner:
            view.weakest_corner = view.weakest_corner.lower().split()[-1]
            for corner, aliases in CORNER_ALIASES.items():
                if view.weakest_corner in aliases:
                    view.weakest_corner = corner
    if not view.needs_text:
        view.needs_text = _text(doc, "phase_needs", "needs")

    view.factors = _factor_rows(_first(doc, "factors", "six_factors"))
    view.risks = _items(
        _first(doc, "risks"),
        ("title", "name", "risk", "text", "id"),
        {
            "detail": ("detail", "description", "why", "explanation"),
            "source": ("source", "sources"),
        },
    )
    view.cases = _items(
        _first(doc, "closest_cases", "cases", "case_comparison"),
        ("name", "case", "title", "id"),
        {
            "similarity": ("similarity", "score", "distance"),
            "shared": ("shared", "shares", "similarities", "common"),
            "differs": ("differs", "differences", "different"),
            "next": ("next", "what_next", "what_they_did_next", "outcome"),
        },
    )
    view.recommendations = _items(
        _first(doc, "recommendations"),
        ("title", "text", "recommendation", "name", "id"),
        {
            "why": ("why", "reason", "because", "rationale"),
            "source": ("source", "sources", "reference", "section"),
            "cluster": ("cluster", "group", "theme"),
        },
    )
    for key, value in doc.items():
        if key not in KNOWN_KEYS and value not in (None, "", [], {}):
            view.other.append((key, _short(value)))

    return [_with_charts(view)]


def _short(value: Any, limit: int = 300) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
