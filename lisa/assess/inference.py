"""From combined answers to a diagnosis: phase, stage, trajectory and triangle.

The method (documented in ``docs/assessment.md``; every number it uses is a
setting of :class:`~lisa.assess.settings.AssessmentSettings`):

1. **Phase.** Each phase 1-4 has key signs (milestones that distinguish it;
   key signs sharing a ``milestone`` are alternative evidence of it and count
   once, at the higher answer), supporting signs (used only when no key sign
   is answered) and shared signs (never deciding: a crisis, reputation). A phase's shortfall is the points its deciding signs fall
   short of a mean of ``sign_present``; the phase is read on the ladder of
   :mod:`lisa.assess.ladder`, so no phase is passed without its own signs and
   a one-point change in one answer moves the phase by at most one. With no
   sign answered at all, the last phase of the history is used, at low
   confidence.
2. **Confidence** multiplies coverage (share of signs answered), clarity (how
   far the decisive evidence is from the threshold), assessor agreement on the
   signs, and agreement with the history.
3. **Stage** (fluid/transitional/specific, seed 001 §3) from the stage items
   on the same ladder; the phase stands in for a stage none of whose items is
   answered.
4. **Trajectory** from the history (and the current phase at the assessment
   date): progressing, stalled, reversing, sustained or unknown; the stall
   limit grows with the extent, and progress within the phase prevents a stall.
5. **Triangle.** Corner strength is the mean of its items; a link is its own
   item, or (estimated) the weaker of its two corners. Each is compared with
   what the phase needs; the weakest corner and link are those furthest short,
   and the triangle is balanced for the phase when no corner falls short.

The rules read the unrounded numbers (:class:`TriangleReading`); the result
models hold them as the JSON shows them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lisa.assess.answers import HistoryEntry
from lisa.assess.combine import CombinedAnswers
from lisa.assess.items import CORNERS, LINKS, PHASE_NAMES, STAGES, Item, ItemBank
from lisa.assess.ladder import Rung, climb, shortfall
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
    """One phase's signs as answered, unrounded (the inference's working numbers).

    ``deciding`` are the signs whose answers decide the phase (its key signs,
    or its supporting ones when no key sign is answered); ``shortfall`` is how
    many points they fall short of ``sign_present`` (0: present; ``None``:
    none answered).
    """

    phase: int
    score: float | None
    answered: int
    total: int
    items: dict[str, Any]
    decided_by: str | None
    deciding: tuple[str, ...]
    shortfall: Fraction | None
    counted: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.shortfall is not None and self.shortfall == 0

    def model(self) -> PhaseSigns:
        return PhaseSigns(
            phase=self.phase,
            name=PHASE_NAMES[self.phase],
            score=_round(self.score),
            answered=self.answered,
            total=self.total,
            present=self.present,
            items=dict(self.items),
            decided_by=self.decided_by,  # type: ignore[arg-type]
            deciding=self.deciding,
            shortfall=None if self.shortfall is None else round(float(self.shortfall), 3),
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


def _deciding(answers: dict[str, Any], bank: ItemBank, phase: int) -> tuple[str | None, list[Item]]:
    """The signs that decide a phase: its key signs answered, else its supporting ones."""
    for role in ("key", "supporting"):
        signs = [i for i in bank.phase_signs(phase, role) if i.id in answers]
        if signs:
            return role, signs
    return None, []


def milestone_values(answers: dict[str, Any], deciding: list[Item]) -> list[tuple[Item, Any]]:
    """One (item, answer) per milestone: key signs that share a ``milestone`` count once.

    Alternative evidence of one milestone (money moved, new money: resources
    committed) counts at its highest answer, so that it is not demanded twice
    and one answer changed by one point still changes the milestone by at
    most one point.

    Parameters
    ----------
    answers
        The combined answers, by item id.
    deciding
        The answered signs that decide a phase (all answered in ``answers``).

    Returns
    -------
    list of tuple
        (the item counted, its answer), one per milestone, in the order first seen.

    Examples
    --------
    >>> from lisa.assess.instrument import Instrument
    >>> bank = Instrument.load().bank
    >>> answers = {"sign.structures_created": 4, "sign.resources_reallocated": 2, "sign.new_money": 5}
    >>> [(i.id, v) for i, v in milestone_values(answers, bank.phase_signs(2, "key"))]
    [('sign.structures_created', 4), ('sign.new_money', 5)]
    """
    best: dict[str, tuple[Item, Any]] = {}
    for item in deciding:
        name = item.milestone or item.id
        if name not in best or answers[item.id] > answers[best[name][0].id]:
            best[name] = (item, answers[item.id])
    return list(best.values())


def phase_evidence(
    answers: dict[str, Any], bank: ItemBank, settings: AssessmentSettings
) -> list[PhaseEvidence]:
    """The evidence of each phase 0..4: its deciding signs, their mean and shortfall."""
    out = []
    for phase in PHASE_NAMES:
        signs = bank.phase_signs(phase)
        role, deciding = _deciding(answers, bank, phase)
        counted = milestone_values(answers, deciding)
        values = [v for _, v in counted]
        scaled = [i.normalise(v) or 0.0 for i, v in counted]
        lo, hi = (deciding[0].scale.min or 1, deciding[0].scale.max or 5) if deciding else (1, 5)
        out.append(
            PhaseEvidence(
                phase=phase,
                score=statistics.fmean(scaled) if scaled else None,
                answered=sum(i.id in answers for i in signs),
                total=len(signs),
                items={i.id: answers[i.id] for i in signs if i.id in answers},
                decided_by=role,
                deciding=tuple(i.id for i in deciding),
                shortfall=shortfall(values, lo, hi, settings.sign_present),
                counted=tuple(i.id for i, _ in counted),
            )
        )
    return out


def place_phase(evidence: list[PhaseEvidence], settings: AssessmentSettings) -> int:
    """The phase the signs reach: the ladder of phases 1-4 (:mod:`lisa.assess.ladder`)."""
    rungs = [Rung(e.phase, e.shortfall, "skip") for e in evidence if e.phase >= 1]
    return climb(rungs, settings.shortfall_per_phase)[0]


def _evidence_lines(evidence: list[PhaseEvidence]) -> list[str]:
    lines = []
    for e in evidence:
        if not e.items:
            lines.append(f"Phase {e.phase} ({PHASE_NAMES[e.phase]}): no signs answered.")
            continue
        head = f"Phase {e.phase} ({PHASE_NAMES[e.phase]})"
        if e.shortfall is None or e.score is None:
            lines.append(f"{head}: no key or supporting sign answered, so it decides nothing "
                         f"({_detail(e.items)}).")  # fmt: skip
            continue
        verdict = "present" if e.present else f"not present ({float(e.shortfall):g} points short)"
        if e.phase == 0:
            verdict = "latent signs " + ("strong" if e.present else "weak")
        deciding = {k: v for k, v in e.items.items() if k in e.counted}
        lower = {k: v for k, v in e.items.items() if k in e.deciding and k not in e.counted}
        others = {k: v for k, v in e.items.items() if k not in e.deciding}
        alternative = (
            f"; {_detail(lower)} is the same milestone, counted once at the higher answer" if lower else ""
        )
        lines.append(
            f"{head}: {verdict} - mean {e.score:.2f} of its {e.decided_by} signs "
            f"({_detail(deciding)}{alternative})"
            + (f"; also answered: {_detail(others)}." if others else ".")
        )
    return lines


def _detail(items: dict[str, Any]) -> str:
    return ", ".join(f"{k.split('.', 1)[1]} {v:g}" for k, v in items.items())


def _held_back_lines(evidence: list[PhaseEvidence], phase: int) -> list[str]:
    """Why a later phase whose signs are present is not the placement."""
    lines = []
    later = [e.phase for e in evidence if e.phase > phase and e.present]
    if later:
        short = [
            f"phase {e.phase} {float(e.shortfall):g} points short"
            for e in evidence
            if 1 <= e.phase <= max(later) and e.shortfall
        ]
        lines.append(
            f"Phase {max(later)}'s signs are present, but the phases before it fall short "
            f"({', '.join(short)}): no phase is passed without its own signs."
        )
    embedding = evidence[-1]
    if phase < 4 and embedding.decided_by is None and embedding.items:
        lines.append(
            "Reputation and growing value are also true of mainstreaming: embedding needs "
            "evidence that the gains have spread to other services or fields (sign.spread_services)."
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
        phase, basis = place_phase(evidence, settings), "signs"
    lines += _evidence_lines(evidence)
    if basis == "signs":
        lines += _held_back_lines(evidence, phase)
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


def _stage_values(answers: dict[str, Any], bank: ItemBank, stage: str) -> list[float]:
    """A stage's answered items; transitional also counts competing designs, reversed."""
    values = [float(answers[i.id]) for i in bank.stage_items(stage) if i.id in answers]
    if stage == "transitional":  # several competing versions: evidence against a dominant model
        for item in bank.stage_items("fluid"):
            if item.id in answers:
                lo, hi = item.scale.min or 1, item.scale.max or 5
                values.append(lo + hi - float(answers[item.id]))
    return values


def infer_stage(
    phase: int, answers: dict[str, Any], bank: ItemBank, rules: Rules, settings: AssessmentSettings
) -> StageResult:
    """The Utterback-Abernathy stage, read from its own items; the phase stands in for blanks.

    The stages are a ladder (:mod:`lisa.assess.ladder`): fluid, then
    transitional (a dominant model; competing designs count against it), then
    specific (standardised practice, a focus on efficiency). A stage none of
    whose items is answered is taken as reached when the phase reads as that
    stage or a later one (``stages.by_phase`` of the rules), and as not
    reached otherwise.
    """
    by_phase = str(rules.stages["by_phase"][phase])
    rungs, scores, blanks = [], {}, []
    for level, stage in enumerate(STAGES):
        values = _stage_values(answers, bank, stage)
        scores[stage] = _round((statistics.fmean(values) - 1) / 4) if values else None
        if level == 0:
            continue
        if not values:
            blanks.append(stage)
        reached_by_phase = STAGES.index(by_phase) >= level
        rungs.append(
            Rung(level, shortfall(values, 1, 5, settings.stage_present),
                 "pass" if reached_by_phase else "skip")
        )  # fmt: skip
    level = climb(rungs, settings.shortfall_per_phase)[0]
    stage = STAGES[level]
    answered = [s for s in STAGES if scores[s] is not None]
    if not answered:
        reason = f"no stage item answered: phase {phase} ({PHASE_NAMES[phase]}) reads as the {by_phase} stage"
        return StageResult(value=stage, reason=reason, basis="phase", scores=scores)  # type: ignore[arg-type]
    shown = ", ".join(f"{s} {scores[s]:.2f}" for s in answered)
    reason = f"the stage items read as {stage} ({shown}; present at {settings.stage_present:g})"
    basis = "items"
    if blanks:
        basis = "items and phase"
        reason += (
            f"; {' and '.join(blanks)} unanswered, taken from phase {phase} "
            f"({PHASE_NAMES[phase]}, which reads as {by_phase})"
        )
    return StageResult(value=stage, reason=reason, basis=basis, scores=scores)  # type: ignore[arg-type]


def _years(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def _point(entry: HistoryEntry) -> HistoryPoint:
    return HistoryPoint(
        date=entry.label or entry.date.isoformat(), phase=entry.phase, note=entry.note
    )


def stall_years(extent: str | None, settings: AssessmentSettings) -> float:
    """Years in one phase after which an innovation of this extent counts as stalled."""
    if extent == "incremental":
        return settings.stall_years_incremental
    if extent == "systemic":
        return settings.stall_years_systemic
    return settings.stall_years


def within_phase(
    answer: str | None, next_score: float | None, settings: AssessmentSettings
) -> str | None:
    """Progress within the phase: the answer to progress.within_phase, else the next phase's signs."""
    if answer is not None:
        return answer
    if next_score is not None and next_score >= settings.within_phase_progress:
        return "advancing"
    return None


def infer_trajectory(
    history: list[HistoryEntry],
    phase: int,
    as_of: dt.date | None,
    settings: AssessmentSettings,
    *,
    extent: str | None = None,
    progress: str | None = None,
) -> Trajectory:
    """Whether the innovation is progressing, stalled, reversing or sustained.

    A phase held for :func:`stall_years` (which grows with the extent of the
    innovation) is a stall only when the innovation is not still advancing
    within it (``progress``: :func:`within_phase`).
    """
    limit = stall_years(extent, settings)
    points = list(history)
    if points and as_of is not None and as_of > points[-1].date:
        points.append(
            HistoryEntry(date=as_of, phase=phase, note="this assessment", label=str(as_of))
        )
    elif points and as_of is None and points[-1].phase != phase:
        return _trajectory(
            "progressing" if phase > points[-1].phase else "reversing",
            f"the history ends in phase {points[-1].phase}; the signs now say {phase}",
            points, limit, progress,
        )  # fmt: skip
    if len(points) < 2:
        return _trajectory(
            "unknown", "not enough history to judge (two dated phases needed)", points, limit, progress
        )
    status, reason = _verdict(points, limit, progress)
    return _trajectory(status, reason, points, limit, progress)


def _trajectory(
    status: TrajectoryStatus,
    reason: str,
    points: list[HistoryEntry],
    limit: float | None = None,
    progress: str | None = None,
) -> Trajectory:
    return Trajectory(
        status=status,
        reason=reason,
        history=tuple(_point(p) for p in points),
        stall_after_years=limit,
        progress=progress,  # type: ignore[arg-type]
    )


def _verdict(
    points: list[HistoryEntry], stall: float, progress: str | None
) -> tuple[TrajectoryStatus, str]:
    last = points[-1]
    run_start = _run_start(points)
    held = _years(run_start.date, last.date)
    changes = [(a, b) for a, b in zip(points, points[1:], strict=False) if a.phase != b.phase]
    since = f"in phase {last.phase} ({PHASE_NAMES[last.phase]}) since {run_start.label}"
    if held >= stall:
        if last.phase == 4:
            return "sustained", f"embedding held since {run_start.label} ({held:.0f} years)"
        if progress == "advancing":
            return "progressing", (
                f"{since}, {held:.0f} years, but still advancing within it (stalled only after "
                f"{stall:g} years without progress)"
            )
        word = {"slipping": ", and slipping", "holding": ", holding"}.get(progress or "", "")
        return "stalled", (
            f"{since}, {held:.0f} years without moving on{word} (stalled after {stall:g} for "
            "its extent)"
        )
    if not changes:
        if progress == "advancing":
            return "progressing", f"{since}, advancing within the phase"
        return "unknown", f"phase {last.phase} throughout a short history"
    before, after = changes[-1]
    if after.phase > before.phase:
        return "progressing", f"moved from phase {before.phase} to {after.phase} by {after.label}"
    return "reversing", f"fell back from phase {before.phase} to {after.phase} by {after.label}"


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
            balanced=any(v is not None for v in self.corners.values()) and not self.corner_short,
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
