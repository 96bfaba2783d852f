"""Assessing innovations: the functions that run the whole method.

Each entry point takes the network findings (objects with ``code``,
``title``, ``groups`` and ``severity``: :class:`lisa.findings.Finding`) and an
``instrument`` (:class:`~lisa.assess.instrument.Instrument`; ``None`` loads
the shipped one once for the call).

>>> from lisa.assess import assess_answers
>>> result = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y",
...     "sign.trigger": 5, "sign.new_leadership": 4}})
>>> result.phase.value, result.phase.name
(1, 'design and discovery')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lisa.assess.answers import AnswerSet, answers_from_mapping, read_many
from lisa.assess.combine import CombinedAnswers, combine
from lisa.assess.errors import AssessmentInvalid
from lisa.assess.inference import (
    TriangleReading,
    infer_phase,
    infer_stage,
    infer_trajectory,
    infer_triangle,
    scaled_items,
    within_phase,
)
from lisa.assess.instrument import Instrument
from lisa.assess.items import FACTORS, ItemBank
from lisa.assess.model import Answered, Assessment, InnovationType, PhaseResult, Trajectory
from lisa.assess.recommend import recommend, risks_for
from lisa.assess.rules import Context
from lisa.assess.sensitivity import hinges
from lisa.assess.spread import Readiness, assess_spreading, readiness, readiness_context

if TYPE_CHECKING:
    from lisa.findings import Finding


def assess_combined(
    combined: CombinedAnswers,
    findings: Sequence[Finding] | None = None,
    *,
    instrument: Instrument | None = None,
) -> Assessment:
    """Run the inference, risks, recommendations and case comparison on combined answers.

    Parameters
    ----------
    combined
        One innovation's answers, combined over its assessors (:func:`combine`).
    findings
        The place's network findings, if a network analysis exists.
    instrument
        The item bank, rules, cases and settings; ``None``: the shipped ones.

    Returns
    -------
    Assessment
        The diagnosis; ``combined`` and ``context`` are kept in memory.

    Examples
    --------
    >>> from lisa.assess import Instrument, answers_from_mapping, combine
    >>> instrument = Instrument.load()
    >>> sets, _ = answers_from_mapping({"answers": {"meta.innovation": "x", "meta.place": "y",
    ...     "sign.routine": 5, "sign.dominant_model": 5}}, instrument=instrument)
    >>> assess_combined(combine(sets, instrument), instrument=instrument).phase.value
    3
    """
    from lisa.cases.library import compare

    instrument = instrument or Instrument.load()
    rules, answers = instrument.rules, combined.answers
    phase, trajectory, triangle, ctx, profile = _infer(combined, findings, instrument)
    assessment = Assessment(
        **_identity(combined, len(instrument.bank)),
        type=InnovationType(kind=tuple(answers.get("type.kind") or ()), extent=ctx.extent),
        phase=phase,
        stage=infer_stage(phase.value, answers, instrument.bank, rules, instrument.settings),
        trajectory=trajectory,
        triangle=triangle.model(),
        factors=ctx.factors,  # type: ignore[arg-type]
        risks=tuple(risks_for(ctx, rules)),
        recommendations=tuple(recommend(ctx, rules)),
        disagreements=tuple(combined.disagreements),
        network_findings=tuple(f.code for f in ctx.findings),
        closest_cases=(),
    )
    matches = compare(assessment, instrument=instrument)
    assessment = assessment.model_copy(
        update={
            "closest_cases": tuple(m.record() for m in matches),
            "sensitivity": hinges(combined, instrument),
            "spreading": assess_spreading(answers, ctx, profile, instrument, findings),
        }
    )
    assessment._combined, assessment._context = combined, ctx
    return assessment


def _infer(
    combined: CombinedAnswers, findings: Sequence[Finding] | None, instrument: Instrument
) -> tuple[PhaseResult, Trajectory, TriangleReading, Context, Readiness]:
    """The phase, trajectory and triangle, the facts the rules are evaluated on, and the
    readiness profile for spreading (computed once: the facts hold its verdicts)."""
    bank, settings = instrument.bank, instrument.settings
    answers = combined.answers
    scaled = scaled_items(answers, bank)
    phase = infer_phase(combined, bank, settings)
    following = phase.signs[phase.value + 1] if phase.value < 4 else None
    progress = within_phase(
        answers.get("progress.within_phase"),
        following.score if following is not None and following.decided_by == "key" else None,
        settings,
    )
    trajectory = infer_trajectory(
        combined.history, phase.value, answers.get("meta.date"), settings,
        extent=answers.get("type.extent"), progress=progress,
    )  # fmt: skip
    triangle = infer_triangle(scaled, phase.value, bank, instrument.rules)
    profile = readiness(answers, scaled, bank, settings)
    ctx = Context(
        phase=phase.value,
        corners=dict(triangle.corners),
        links=dict(triangle.links),
        weakest_corner=triangle.weakest_corner if triangle.corner_short else None,
        weakest_link=triangle.weakest_link if triangle.link_short else None,
        needs=dict(triangle.corner_needs),
        items=scaled,
        factors=_factors(answers, bank),
        extent=answers.get("type.extent"),
        findings=sorted(findings or (), key=lambda f: f.code),
        trajectory=trajectory.status,
        choices=_choices(answers, bank),
        **readiness_context(profile),
    )
    return phase, trajectory, triangle, ctx, profile


def _choices(answers: Mapping[str, Any], bank: ItemBank) -> dict[str, str]:
    """The answers of single-choice items outside the fixed parts (``scale.owner``)."""
    return {
        i.id: answers[i.id]
        for i in bank.section("scale")
        if i.scale.choices and not i.scale.multiple and i.id in answers
    }


def _factors(answers: Mapping[str, Any], bank: ItemBank) -> dict[str, str]:
    """Each answered factor's role, in the order of the six factors."""
    items = {f: bank.factor_item(f).id for f in FACTORS}
    return {f: answers[item] for f, item in items.items() if item in answers}


def _identity(combined: CombinedAnswers, bank_size: int) -> dict[str, Any]:
    """What the innovation is, when, who assessed it from which files, how much they answered."""
    answers, history = combined.answers, combined.history
    return {
        "innovation": str(answers.get("meta.innovation", "")),
        "place": str(answers.get("meta.place", "")),
        "service": answers.get("meta.service"),
        "as_of": answers.get("meta.date") or (history[-1].date if history else None),
        "assessors": tuple(combined.assessors),
        "sources": tuple(combined.sources),
        "answered": Answered(items=len(answers), of=bank_size),
    }


def group_answer_sets(sets: Sequence[AnswerSet]) -> list[list[AnswerSet]]:
    """Answer sets grouped by innovation (same place and innovation name)."""
    groups: dict[tuple[str, str], list[AnswerSet]] = defaultdict(list)
    for s in sets:
        groups[s.key].append(s)
    return [groups[k] for k in sorted(groups)]


def assess_sets(
    sets: Sequence[AnswerSet],
    findings: Sequence[Finding] | None = None,
    *,
    instrument: Instrument | None = None,
) -> list[Assessment]:
    """One assessment per innovation, combining its assessors.

    Parameters
    ----------
    sets
        Checked answer sets (:func:`read_many`); those with the same place and
        innovation are one innovation seen by several assessors.
    findings
        The place's network findings, if any.
    instrument
        ``None``: the shipped instrument.

    Returns
    -------
    list of Assessment
        Ordered by place, then innovation.

    Examples
    --------
    >>> from lisa.assess import answers_from_mapping
    >>> sets = [s for who in ("Ann", "Bob") for s in answers_from_mapping({"answers": {
    ...     "meta.innovation": "x", "meta.place": "y", "meta.assessor": who}})[0]]
    >>> [a.assessors for a in assess_sets(sets)]
    [('Ann', 'Bob')]
    """
    instrument = instrument or Instrument.load()
    return [
        assess_combined(combine(group, instrument), findings, instrument=instrument)
        for group in group_answer_sets(sets)
    ]


def assess_files(
    paths: Sequence[str | Path],
    findings: Sequence[Finding] | None = None,
    *,
    instrument: Instrument | None = None,
) -> list[Assessment]:
    """Read answer files (YAML, CSV, Excel) and assess each innovation in them.

    Parameters
    ----------
    paths
        The answer files; several files for one innovation are several assessors.
    findings
        The place's network findings, if any.
    instrument
        ``None``: the shipped instrument.

    Returns
    -------
    list of Assessment
        One per innovation.

    Raises
    ------
    AssessmentInvalid
        Listing every problem of every file.
    StudyNotFound
        When a file does not exist.
    """
    instrument = instrument or Instrument.load()
    return assess_sets(read_many(paths, instrument), findings, instrument=instrument)


def assess_answers(
    data: Mapping[str, Any],
    findings: Sequence[Finding] | None = None,
    *,
    instrument: Instrument | None = None,
) -> Assessment:
    """Assess one innovation from an in-memory mapping (``{"answers": ..., "history": ...}``).

    Parameters
    ----------
    data
        The answers as :func:`~lisa.assess.answers.answers_from_mapping` takes them.
    findings
        The place's network findings, if any.
    instrument
        ``None``: the shipped instrument.

    Returns
    -------
    Assessment
        The diagnosis of the innovation.

    Raises
    ------
    AssessmentInvalid
        When the answers have problems.

    Examples
    --------
    >>> a = assess_answers({"answers": {"meta.innovation": "x", "meta.place": "y"},
    ...                     "history": [{"date": 2004, "phase": 2}]})
    >>> a.phase.value, a.phase.basis, a.phase.confidence_label
    (2, 'history', 'low')
    """
    instrument = instrument or Instrument.load()
    sets, problems = answers_from_mapping(data, instrument=instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    return assess_sets(sets, findings, instrument=instrument)[0]
