"""Assessing innovations: the one function that runs the whole method.

>>> from lisa.assess import assess_answers
>>> result = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y",
...     "sign.trigger": 5, "sign.new_leadership": 4}})
>>> result.phase.phase, result.phase.name
(1, 'design and discovery')
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lisa.assess.answers import AnswerSet, answers_from_mapping, read_many
from lisa.assess.combine import CombinedAnswers, Disagreement, combine
from lisa.assess.errors import AssessmentInvalid
from lisa.assess.inference import (
    PhaseResult,
    Trajectory,
    Triangle,
    infer_phase,
    infer_stage,
    infer_trajectory,
    infer_triangle,
    scaled_items,
)
from lisa.assess.items import FACTORS, ItemBank, load_item_bank
from lisa.assess.recommend import Recommendation, Risk, parse_findings, recommend, risks_for
from lisa.assess.rules import Context, Finding, Rules, load_rules

#: Version of the assessment JSON (docs/assessment.md). Bump the major part on
#: any change that removes or renames a field.
SCHEMA_VERSION = "1.0"


@dataclass
class Assessment:
    """The diagnosis of one innovation (possibly from several assessors)."""

    innovation: str
    place: str
    service: str | None
    as_of: dt.date | None
    combined: CombinedAnswers
    phase: PhaseResult
    stage: str
    stage_reason: str
    trajectory: Trajectory
    triangle: Triangle
    factors: dict[str, str]
    kind: tuple[str, ...]
    extent: str | None
    risks: list[Risk]
    recommendations: list[Recommendation]
    findings: list[Finding] = field(default_factory=list)
    context: Context | None = None

    @property
    def disagreements(self) -> list[Disagreement]:
        return self.combined.disagreements

    def to_dict(self) -> dict[str, Any]:
        bank = load_item_bank()
        answered = [i for i in bank.ids if i in self.combined.answers]
        return {
            "innovation": self.innovation,
            "place": self.place,
            "service": self.service,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "assessors": list(self.combined.assessors),
            "sources": list(self.combined.sources),
            "answered": {"items": len(answered), "of": len(bank)},
            "type": {"kind": list(self.kind), "extent": self.extent},
            "phase": {
                "value": self.phase.phase,
                "name": self.phase.name,
                "confidence": self.phase.confidence,
                "confidence_label": self.phase.label,
                "basis": self.phase.basis,
                "confidence_factors": dict(self.phase.factors),
                "evidence": list(self.phase.evidence),
                "signs": [e.to_dict() for e in self.phase.by_phase],
            },
            "stage": {"value": self.stage, "reason": self.stage_reason},
            "trajectory": {
                "status": self.trajectory.status,
                "reason": self.trajectory.reason,
                "history": [p.to_dict() for p in self.trajectory.points],
            },
            "triangle": self.triangle.to_dict(),
            "factors": dict(self.factors),
            "risks": [r.to_dict() for r in self.risks],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "network_findings": [f.code for f in self.findings],
        }


def assess_combined(
    combined: CombinedAnswers,
    findings: Iterable[Any] | Mapping[str, Any] | None = None,
    *,
    bank: ItemBank | None = None,
    rules: Rules | None = None,
) -> Assessment:
    """Run the inference, risks and recommendations on combined answers."""
    bank = bank or load_item_bank()
    rules = rules or load_rules()
    answers = combined.answers
    scaled = scaled_items(answers, bank)
    phase = infer_phase(combined, bank, rules)
    stage, stage_reason = infer_stage(phase.phase, scaled, rules)
    as_of = answers.get("meta.date") or (combined.history[-1].date if combined.history else None)
    trajectory = infer_trajectory(combined.history, phase.phase, answers.get("meta.date"), rules)
    triangle = infer_triangle(scaled, phase.phase, bank, rules)
    factors = {
        f: answers[bank.factor_item(f).id] for f in FACTORS if bank.factor_item(f).id in answers
    }
    parsed = sorted(parse_findings(findings), key=lambda f: f.code)
    ctx = Context(
        phase=phase.phase,
        corners=dict(triangle.corners),
        links=dict(triangle.links),
        weakest_corner=triangle.weakest_corner if triangle.corner_short else None,
        weakest_link=triangle.weakest_link if triangle.link_short else None,
        needs=dict(triangle.corner_needs),
        items=scaled,
        factors=factors,
        extent=answers.get("type.extent"),
        findings=parsed,
        trajectory=trajectory.status,
    )
    return Assessment(
        innovation=str(answers.get("meta.innovation", "")),
        place=str(answers.get("meta.place", "")),
        service=answers.get("meta.service"),
        as_of=as_of,
        combined=combined,
        phase=phase,
        stage=stage,
        stage_reason=stage_reason,
        trajectory=trajectory,
        triangle=triangle,
        factors=factors,
        kind=tuple(answers.get("type.kind") or ()),
        extent=answers.get("type.extent"),
        risks=risks_for(ctx, rules),
        recommendations=recommend(ctx, rules),
        findings=parsed,
        context=ctx,
    )


def group_answer_sets(sets: Sequence[AnswerSet]) -> list[list[AnswerSet]]:
    """Answer sets grouped by innovation (same place and innovation name)."""
    groups: dict[tuple[str, str], list[AnswerSet]] = defaultdict(list)
    for s in sets:
        groups[s.key].append(s)
    return [groups[k] for k in sorted(groups)]


def assess_sets(
    sets: Sequence[AnswerSet], findings: Iterable[Any] | Mapping[str, Any] | None = None
) -> list[Assessment]:
    """One assessment per innovation, combining its assessors."""
    rules = load_rules()
    spread = int(rules.thresholds["disagreement_spread"])
    return [
        assess_combined(combine(group, spread=spread), findings, rules=rules)
        for group in group_answer_sets(sets)
    ]


def assess_files(
    paths: Sequence[str | Path], findings: Iterable[Any] | Mapping[str, Any] | None = None
) -> list[Assessment]:
    """Read answer files (YAML, CSV, Excel) and assess each innovation in them."""
    return assess_sets(read_many(paths), findings)


def assess_answers(
    data: Mapping[str, Any], findings: Iterable[Any] | Mapping[str, Any] | None = None
) -> Assessment:
    """Assess one innovation from an in-memory mapping (``{"answers": ..., "history": ...}``)."""
    sets, problems = answers_from_mapping(data)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return assess_sets(sets, findings)[0]
