"""From combined answers to a diagnosis: phase, stage, trajectory and triangle.

The method (documented in ``docs/assessment.md``; every number it uses is a
setting of :class:`~lisa.assess.settings.AssessmentSettings`):

1. **Phase.** Each phase 1-4 has sign items (seed 002 §5.3, seed 004). A
   phase's evidence is the mean of its answered signs on 0..1; its signs are
   *present* at ``sign_present`` or above. The lifecycle is a sequence, so the
   phase is the latest phase whose signs are present; when none is, the
   innovation is latent (0). With no sign answered at all, the last phase of the
   history is used, at low confidence. Raising a later phase's signs can
   therefore never move an innovation to an earlier phase.
2. **Confidence** multiplies coverage (share of signs answered), clarity (how
   far the decisive evidence is from the threshold), assessor agreement on the
   signs, and agreement with the history.
3. **Stage** (fluid/transitional/specific, seed 001 §3) follows the phase,
   shifted by the dominant-model and standardisation signs.
4. **Trajectory** from the history (and the current phase at the assessment
   date): progressing, stalled, reversing, sustained or unknown.
5. **Triangle.** Corner strength is the mean of its items; a link is its own
   item, or (estimated) the weaker of its two corners. Each is compared with
   what the phase needs; the weakest corner and link are those furthest short.

The rules read the unrounded numbers (:class:`TriangleReading`); the result
models hold them as the JSON shows them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from lisa.assess.answers import HistoryEntry
from lisa.assess.combine import CombinedAnswers
from lisa.assess.items import CORNERS, LINKS, PHASE_NAMES, ItemBank
from lisa.assess.model import (
    ConfidenceFactors,
    CornerStrength,
    HistoryPoint,
    LinkStrength,
    PhaseResult,
    PhaseSigns,
    StageResult,
    Trajectory,
    Triangle,
)
from lisa.assess.rules import Rules
from lisa.assess.settings import AssessmentSettings
from lisa.vocabulary import TrajectoryStatus, link_ends


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class PhaseEvidence:
    """One phase's signs as answered, unrounded (the inference's working numbers)."""

    phase: int
    score: float | None
    answered: int
    total: int
    present: bool
    items: dict[str, Any]

    def model(self) -> PhaseSigns:
        return PhaseSigns(
            phase=self.phase,
            name=PHASE_NAMES[self.phase],
            score=_round(self.score),
            answered=self.answered,
            total=self.total,
            present=self.present,
            items=dict(self.items),
        )


def scaled_items(answers: dict[str, Any], bank: ItemBank) -> dict[str, float]:
    """Every answered agree5 item on 0..1."""
    out: dict[str, float] = {}
    for item_id, value in answers.items():
        if item_id in bank:
            scaled = bank[item_id].normalise(value)
            if scaled is not None:
                out[item_id] = scaled
    return out


def phase_evidence(
    answers: dict[str, Any], bank: ItemBank, settings: AssessmentSettings
) -> list[PhaseEvidence]:
    """The evidence of each phase 0..4: the mean of its answered signs."""
    out = []
    for phase in PHASE_NAMES:
        signs = bank.phase_signs(phase, "key")
        given = {i.id: answers[i.id] for i in signs if i.id in answers}
        if not given:  # no key sign answered: the supporting ones stand in
            signs = bank.phase_signs(phase)
            given = {i.id: answers[i.id] for i in signs if i.id in answers}
        scaled = [bank[i].normalise(v) or 0.0 for i, v in given.items()]
        score = statistics.fmean(scaled) if scaled else None
        out.append(
            PhaseEvidence(
                phase=phase,
                score=score,
                answered=len(given),
                total=len(signs),
                present=score is not None and score >= settings.sign_present,
                items=given,
            )
        )
    return out


def _evidence_lines(evidence: list[PhaseEvidence]) -> list[str]:
    lines = []
    for e in evidence:
        if e.score is None:
            lines.append(f"Phase {e.phase} ({PHASE_NAMES[e.phase]}): no signs answered.")
            continue
        verdict = "present" if e.present else "not present"
        if e.phase == 0:
            verdict = "latent signs " + ("strong" if e.present else "weak")
        detail = ", ".join(f"{k.split('.', 1)[1]} {v}" for k, v in e.items.items())
        lines.append(
            f"Phase {e.phase} ({PHASE_NAMES[e.phase]}): {verdict} - mean {e.score:.2f} "
            f"over {e.answered} of {e.total} signs ({detail})."
        )
    return lines


def _clarity(
    evidence: list[PhaseEvidence], phase: int, basis: str, settings: AssessmentSettings
) -> float:
    """How far the decisive evidence is from the threshold, 0..1."""
    threshold, margin = settings.sign_present, settings.margin_scale
    if basis == "history":
        clarity = settings.clarity_from_history
    elif phase >= 1:
        above = (evidence[phase].score or 0.0) - threshold
        nxt = evidence[phase + 1].score if phase < 4 else None
        below_next = 1.0 if nxt is None else (threshold - nxt) / margin
        clarity = min(1.0, 0.5 + 0.5 * min(above / margin, below_next))
    else:
        later = [e.score for e in evidence if e.phase >= 1 and e.score is not None]
        best = max(later, default=None)
        clarity = (
            settings.clarity_no_later_signs
            if best is None
            else min(1.0, 0.5 + 0.5 * (threshold - best) / margin)
        )
    return max(settings.clarity_floor, clarity)


def _history_term(
    combined: CombinedAnswers, phase: int, basis: str, settings: AssessmentSettings
) -> tuple[float, list[str]]:
    """The history's term of the confidence, and what it says in words."""
    history_phase = combined.history[-1].phase if combined.history else None
    if history_phase is None:
        return settings.history_missing, []
    if basis == "history":
        return 1.0, []
    if history_phase == phase:
        return 1.0, [f"The history agrees: phase {history_phase} since {_since(combined.history)}."]
    gap = abs(history_phase - phase)
    term = settings.history_one_apart if gap == 1 else settings.history_further
    return term, [
        f"The history's last recorded phase is {history_phase} "
        f"({combined.history[-1].label}), the signs say {phase}: confidence is lowered."
    ]


def _label(confidence: float, settings: AssessmentSettings) -> str:
    if confidence >= settings.confidence_high:
        return "high"
    return "medium" if confidence >= settings.confidence_medium else "low"


def infer_phase(
    combined: CombinedAnswers, bank: ItemBank, settings: AssessmentSettings
) -> PhaseResult:
    """The lifecycle phase, its confidence and the evidence, in words and numbers."""
    evidence = phase_evidence(combined.answers, bank, settings)
    present = [e.phase for e in evidence if e.phase >= 1 and e.present]
    answered_signs = sum(e.answered for e in evidence)
    total_signs = sum(e.total for e in evidence)
    lines: list[str] = []
    if answered_signs == 0 and combined.history:
        phase, basis = combined.history[-1].phase, "history"
        lines.append(
            f"No phase signs answered: phase {phase} taken from the history "
            f"({combined.history[-1].label})."
        )
    else:
        phase, basis = (max(present) if present else 0), "signs"
    lines += _evidence_lines(evidence)
    coverage = answered_signs / total_signs if total_signs else 0.0
    clarity = _clarity(evidence, phase, basis, settings)
    sign_ids = {i.id for e in evidence for i in bank.phase_signs(e.phase)}
    split = [d for d in combined.disagreements if d.item in sign_ids]
    answered_ids = [i for i in sign_ids if i in combined.answers]
    agreement = (
        1.0 - settings.disagreement_weight * (len(split) / len(answered_ids))
        if answered_ids
        else 1.0
    )
    history, history_lines = _history_term(combined, phase, basis, settings)
    lines += history_lines
    if phase == 0 and answered_signs and evidence[0].score is None:
        lines.append("No later phase has its signs present, so the innovation reads as latent.")
    floor = settings.coverage_floor
    confidence = round((floor + (1 - floor) * coverage) * clarity * agreement * history, 2)
    if coverage < 1:
        lines.append(
            f"{answered_signs} of {total_signs} phase signs answered: confidence is lowered."
        )
    if split:
        lines.append(
            "Assessors disagree on "
            + ", ".join(sorted(d.item for d in split))
            + ": confidence is lowered."
        )
    return PhaseResult(
        value=phase,
        name=PHASE_NAMES[phase],
        confidence=confidence,
        confidence_label=_label(confidence, settings),  # type: ignore[arg-type]
        basis=basis,  # type: ignore[arg-type]
        confidence_factors=ConfidenceFactors(
            coverage=round(coverage, 3),
            clarity=round(clarity, 3),
            agreement=round(agreement, 3),
            history=history,
        ),
        evidence=tuple(lines),
        signs=tuple(e.model() for e in evidence),
    )


def _run_start(history: list[HistoryEntry]) -> HistoryEntry:
    """The first entry of the last unbroken run of the same phase."""
    last = history[-1]
    start = last
    for entry in reversed(history):
        if entry.phase != last.phase:
            break
        start = entry
    return start


def _since(history: list[HistoryEntry]) -> str:
    return _run_start(history).label


def infer_stage(phase: int, scaled: dict[str, float], rules: Rules) -> StageResult:
    """The Utterback-Abernathy stage and the reason."""
    stages = rules.stages
    stage = str(stages["by_phase"][phase])
    reason = f"phase {phase} ({PHASE_NAMES[phase]}) reads as the {stage} stage"
    for shift in stages.get("shifts", []):
        value = scaled.get(shift["item"])
        if shift["phase"] == phase and value is not None and value >= shift["at_least"]:
            stage = str(shift["stage"])
            reason = f"phase {phase} with '{shift['item']}' high ({1 + 4 * value:g} of 5) reads as {stage}"
    return StageResult(value=stage, reason=reason)  # type: ignore[arg-type]


def _years(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def _point(entry: HistoryEntry) -> HistoryPoint:
    return HistoryPoint(
        date=entry.label or entry.date.isoformat(), phase=entry.phase, note=entry.note
    )


def infer_trajectory(
    history: list[HistoryEntry], phase: int, as_of: dt.date | None, settings: AssessmentSettings
) -> Trajectory:
    """Whether the innovation is progressing, stalled, reversing or sustained."""
    points = list(history)
    if points and as_of is not None and as_of > points[-1].date:
        points.append(
            HistoryEntry(date=as_of, phase=phase, note="this assessment", label=str(as_of))
        )
    elif points and as_of is None and points[-1].phase != phase:
        return _trajectory(
            "progressing" if phase > points[-1].phase else "reversing",
            f"the history ends in phase {points[-1].phase}; the signs now say {phase}",
            points,
        )
    if len(points) < 2:
        return _trajectory("unknown", "not enough history to judge (two dated phases needed)", points)
    return _verdict(points, settings.stall_years)


def _trajectory(status: TrajectoryStatus, reason: str, points: list[HistoryEntry]) -> Trajectory:
    return Trajectory(
        status=status,
        reason=reason,
        history=tuple(_point(p) for p in points),
    )


def _verdict(points: list[HistoryEntry], stall: float) -> Trajectory:
    last = points[-1]
    run_start = _run_start(points)
    held = _years(run_start.date, last.date)
    changes = [(a, b) for a, b in zip(points, points[1:], strict=False) if a.phase != b.phase]
    if held >= stall:
        if last.phase == 4:
            return _trajectory(
                "sustained", f"embedding held since {run_start.label} ({held:.0f} years)", points
            )
        return _trajectory(
            "stalled",
            f"in phase {last.phase} ({PHASE_NAMES[last.phase]}) since {run_start.label}, "
            f"{held:.0f} years without moving on (stalled after {stall:g})",
            points,
        )
    if not changes:
        return _trajectory("unknown", f"phase {last.phase} throughout a short history", points)
    before, after = changes[-1]
    if after.phase > before.phase:
        return _trajectory(
            "progressing", f"moved from phase {before.phase} to {after.phase} by {after.label}", points
        )
    return _trajectory(
        "reversing", f"fell back from phase {before.phase} to {after.phase} by {after.label}", points
    )


@dataclass(frozen=True)
class TriangleReading:
    """The triangle's unrounded strengths, needs and weakest parts (what the rules read)."""

    corners: dict[str, float | None]
    links: dict[str, float | None]
    links_estimated: dict[str, bool]
    corner_needs: dict[str, float]
    link_needs: dict[str, float]
    weakest_corner: str | None
    weakest_link: str | None
    corner_short: bool
    link_short: bool

    def model(self) -> Triangle:
        def gap(value: float | None, need: float) -> float | None:
            return None if value is None else round(need - value, 3)

        return Triangle(
            corners={
                c: CornerStrength(
                    strength=_round(self.corners[c]),
                    need=self.corner_needs[c],
                    gap=gap(self.corners[c], self.corner_needs[c]),
                )
                for c in CORNERS
            },
            links={
                link: LinkStrength(
                    strength=_round(self.links[link]),
                    need=self.link_needs[link],
                    gap=gap(self.links[link], self.link_needs[link]),
                    estimated=self.links_estimated[link],
                )
                for link in LINKS
            },
            weakest_corner=self.weakest_corner,  # type: ignore[arg-type]
            weakest_corner_falls_short=self.corner_short,
            weakest_link=self.weakest_link,  # type: ignore[arg-type]
            weakest_link_falls_short=self.link_short,
        )


def infer_triangle(
    scaled: dict[str, float], phase: int, bank: ItemBank, rules: Rules
) -> TriangleReading:
    """Each corner and link's strength against what the phase needs; the weakest of each."""
    corners: dict[str, float | None] = {}
    for corner in CORNERS:
        values = [
            scaled[i.id] for i in bank.corner_items(corner) if i.id in scaled and i.counts_in(phase)
        ]
        corners[corner] = statistics.fmean(values) if values else None
    links: dict[str, float | None] = {}
    estimated: dict[str, bool] = {}
    for link in LINKS:
        item = bank.link_item(link)
        if item.id in scaled:
            links[link], estimated[link] = scaled[item.id], False
        else:
            known = [v for v in (corners[end] for end in link_ends(link)) if v is not None]
            links[link] = min(known) if len(known) == 2 else None
            estimated[link] = True
    corner_needs = rules.corner_needs(phase)
    link_needs = rules.link_needs(phase)
    weakest_corner, corner_short = _weakest(corners, corner_needs, CORNERS)
    weakest_link, link_short = _weakest(links, link_needs, LINKS)
    return TriangleReading(
        corners=corners,
        links=links,
        links_estimated=estimated,
        corner_needs=corner_needs,
        link_needs=link_needs,
        weakest_corner=weakest_corner,
        weakest_link=weakest_link,
        corner_short=corner_short,
        link_short=link_short,
    )


def _weakest(
    values: dict[str, float | None], needs: dict[str, float], order: tuple[str, ...]
) -> tuple[str | None, bool]:
    known = [k for k in order if values[k] is not None]
    if not known:
        return None, False

    def key(k: str) -> tuple[float, float, int]:
        value = values[k]
        assert value is not None
        return (-(needs[k] - value), value, order.index(k))

    best = min(known, key=key)
    value = values[best]
    assert value is not None
    return best, needs[best] - value > 0
