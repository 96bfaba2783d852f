"""From combined answers to a diagnosis: phase, stage, trajectory and triangle.

The method (documented in ``docs/assessment.md``):

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
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from lisa.assess.answers import HistoryEntry
from lisa.assess.combine import CombinedAnswers
from lisa.assess.items import CORNERS, LINKS, PHASE_NAMES, ItemBank
from lisa.assess.rules import Rules


@dataclass
class PhaseEvidence:
    phase: int
    score: float | None
    answered: int
    total: int
    present: bool
    items: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "name": PHASE_NAMES[self.phase],
            "score": None if self.score is None else round(self.score, 3),
            "answered": self.answered,
            "total": self.total,
            "present": self.present,
            "items": dict(self.items),
        }


@dataclass
class PhaseResult:
    phase: int
    confidence: float
    label: str
    evidence: list[str]
    by_phase: list[PhaseEvidence]
    basis: str  # "signs" or "history"
    factors: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return PHASE_NAMES[self.phase]


@dataclass
class Trajectory:
    status: str
    reason: str
    points: list[HistoryEntry]


@dataclass
class Triangle:
    corners: dict[str, float | None]
    links: dict[str, float | None]
    links_estimated: dict[str, bool]
    corner_needs: dict[str, float]
    link_needs: dict[str, float]
    weakest_corner: str | None
    weakest_link: str | None
    corner_short: bool
    link_short: bool

    def to_dict(self) -> dict[str, Any]:
        def entry(value: float | None, need: float, **extra: Any) -> dict[str, Any]:
            return {
                "strength": None if value is None else round(value, 3),
                "need": need,
                "gap": None if value is None else round(need - value, 3),
                **extra,
            }

        return {
            "corners": {c: entry(self.corners[c], self.corner_needs[c]) for c in CORNERS},
            "links": {
                link: entry(
                    self.links[link], self.link_needs[link], estimated=self.links_estimated[link]
                )
                for link in LINKS
            },
            "weakest_corner": self.weakest_corner,
            "weakest_corner_falls_short": self.corner_short,
            "weakest_link": self.weakest_link,
            "weakest_link_falls_short": self.link_short,
        }


def scaled_items(answers: dict[str, Any], bank: ItemBank) -> dict[str, float]:
    """Every answered agree5 item on 0..1."""
    out: dict[str, float] = {}
    for item_id, value in answers.items():
        if item_id in bank:
            scaled = bank[item_id].normalise(value)
            if scaled is not None:
                out[item_id] = scaled
    return out


def phase_evidence(answers: dict[str, Any], bank: ItemBank, rules: Rules) -> list[PhaseEvidence]:
    threshold = rules.thresholds["sign_present"]
    out = []
    for phase in PHASE_NAMES:
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
                present=score is not None and score >= threshold,
                items=given,
            )
        )
    return out


def infer_phase(combined: CombinedAnswers, bank: ItemBank, rules: Rules) -> PhaseResult:
    threshold = rules.thresholds["sign_present"]
    evidence = phase_evidence(combined.answers, bank, rules)
    later = [e for e in evidence if e.phase >= 1]
    present = [e.phase for e in later if e.present]
    answered_signs = sum(e.answered for e in evidence)
    total_signs = sum(e.total for e in evidence)
    history_phase = combined.history[-1].phase if combined.history else None
    lines: list[str] = []
    if answered_signs == 0 and history_phase is not None:
        phase, basis = history_phase, "history"
        lines.append(
            f"No phase signs answered: phase {phase} taken from the history "
            f"({combined.history[-1].label})."
        )
    else:
        phase, basis = (max(present) if present else 0), "signs"
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
    # --- confidence
    coverage = answered_signs / total_signs if total_signs else 0.0
    margin_scale = 0.25
    if basis == "history":
        clarity = 0.5
    elif phase >= 1:
        above = (evidence[phase].score or 0.0) - threshold
        nxt = evidence[phase + 1].score if phase < 4 else None
        below_next = 1.0 if nxt is None else (threshold - nxt) / margin_scale
        clarity = min(1.0, 0.5 + 0.5 * min(above / margin_scale, below_next))
    else:
        best = max((e.score for e in later if e.score is not None), default=None)
        clarity = 0.6 if best is None else min(1.0, 0.5 + 0.5 * (threshold - best) / margin_scale)
    clarity = max(0.2, clarity)
    sign_ids = {i.id for e in evidence for i in bank.phase_signs(e.phase)}
    split = [d for d in combined.disagreements if d.item in sign_ids]
    answered_ids = [i for i in sign_ids if i in combined.answers]
    agreement = 1.0 - 0.5 * (len(split) / len(answered_ids)) if answered_ids else 1.0
    if history_phase is None or basis == "history":
        history_factor = 0.9 if history_phase is None else 1.0
    else:
        history_factor = {0: 1.0, 1: 0.8}.get(abs(history_phase - phase), 0.6)
        if history_phase == phase:
            lines.append(
                f"The history agrees: phase {history_phase} since {_since(combined.history)}."
            )
        else:
            lines.append(
                f"The history's last recorded phase is {history_phase} "
                f"({combined.history[-1].label}), the signs say {phase}: confidence is lowered."
            )
    if phase == 0 and answered_signs and evidence[0].score is None:
        lines.append("No later phase has its signs present, so the innovation reads as latent.")
    confidence = round((0.3 + 0.7 * coverage) * clarity * agreement * history_factor, 2)
    label = (
        "high"
        if confidence >= rules.thresholds["confidence_high"]
        else "medium"
        if confidence >= rules.thresholds["confidence_medium"]
        else "low"
    )
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
        phase=phase,
        confidence=confidence,
        label=label,
        evidence=lines,
        by_phase=evidence,
        basis=basis,
        factors={
            "coverage": round(coverage, 3),
            "clarity": round(clarity, 3),
            "agreement": round(agreement, 3),
            "history": history_factor,
        },
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


def infer_stage(phase: int, scaled: dict[str, float], rules: Rules) -> tuple[str, str]:
    """The Utterback-Abernathy stage and the reason."""
    stages = rules.stages
    stage = str(stages["by_phase"][phase])
    reason = f"phase {phase} ({PHASE_NAMES[phase]}) reads as the {stage} stage"
    for shift in stages.get("shifts", []):
        value = scaled.get(shift["item"])
        if shift["phase"] == phase and value is not None and value >= shift["at_least"]:
            stage = str(shift["stage"])
            reason = f"phase {phase} with '{shift['item']}' high ({1 + 4 * value:g} of 5) reads as {stage}"
    return stage, reason


def _years(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def infer_trajectory(
    history: list[HistoryEntry], phase: int, as_of: dt.date | None, rules: Rules
) -> Trajectory:
    """Whether the innovation is progressing, stalled, reversing or sustained."""
    points = list(history)
    if points and as_of is not None and as_of > points[-1].date:
        points.append(
            HistoryEntry(date=as_of, phase=phase, note="this assessment", label=str(as_of))
        )
    elif points and as_of is None and points[-1].phase != phase:
        return Trajectory(
            status="progressing" if phase > points[-1].phase else "reversing",
            reason=f"the history ends in phase {points[-1].phase}; the signs now say {phase}",
            points=points,
        )
    if len(points) < 2:
        return Trajectory(
            "unknown", "not enough history to judge (two dated phases needed)", points
        )
    stall = rules.thresholds["stall_years"]
    last = points[-1]
    run_start = _run_start(points)
    held = _years(run_start.date, last.date)
    changes = [(a, b) for a, b in zip(points, points[1:], strict=False) if a.phase != b.phase]
    if held >= stall:
        if last.phase == 4:
            return Trajectory(
                "sustained", f"embedding held since {run_start.label} ({held:.0f} years)", points
            )
        return Trajectory(
            "stalled",
            f"in phase {last.phase} ({PHASE_NAMES[last.phase]}) since {run_start.label}, "
            f"{held:.0f} years without moving on (stalled after {stall:g})",
            points,
        )
    if not changes:
        return Trajectory("unknown", f"phase {last.phase} throughout a short history", points)
    before, after = changes[-1]
    if after.phase > before.phase:
        return Trajectory(
            "progressing",
            f"moved from phase {before.phase} to {after.phase} by {after.label}",
            points,
        )
    return Trajectory(
        "reversing",
        f"fell back from phase {before.phase} to {after.phase} by {after.label}",
        points,
    )


def infer_triangle(scaled: dict[str, float], phase: int, bank: ItemBank, rules: Rules) -> Triangle:
    corners: dict[str, float | None] = {}
    for corner in CORNERS:
        values = [scaled[i.id] for i in bank.corner_items(corner) if i.id in scaled]
        corners[corner] = statistics.fmean(values) if values else None
    links: dict[str, float | None] = {}
    estimated: dict[str, bool] = {}
    for link in LINKS:
        item = bank.link_item(link)
        if item.id in scaled:
            links[link], estimated[link] = scaled[item.id], False
        else:
            a, b = link.split("_")
            ends = [corners[a], corners[b]]
            known = [v for v in ends if v is not None]
            links[link] = min(known) if len(known) == 2 else None
            estimated[link] = True
    corner_needs = rules.corner_needs(phase)
    link_needs = rules.link_needs(phase)
    weakest_corner, corner_short = _weakest(corners, corner_needs, CORNERS)
    weakest_link, link_short = _weakest(links, link_needs, LINKS)
    return Triangle(
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
