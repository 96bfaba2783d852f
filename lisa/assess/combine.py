"""Combining several assessors' answers for the same innovation.

Scaled answers (agree5) are combined by their median; choices by the most
common answer (ties go to the earlier choice on the scale, so the result never
depends on the order of files or answers); types (product/service/process) by
those named by at least half the assessors. Where assessors differ by
``disagreement_spread`` points or more on a scale, or give different choices,
the item is reported as a disagreement with everyone's answer.

Histories are merged by date. When assessors give different phases for the
same date the lower median is kept and the difference is reported.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lisa.assess.answers import AnswerSet, HistoryEntry
from lisa.assess.items import Item
from lisa.assess.model import Disagreement
from lisa.errors import ConfigError

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument


@dataclass
class CombinedAnswers:
    """The answers of all assessors of one innovation, combined (in memory only)."""

    answers: dict[str, Any]
    history: list[HistoryEntry]
    assessors: list[str]
    sources: list[str]
    disagreements: list[Disagreement] = field(default_factory=list)
    per_assessor: dict[str, dict[str, Any]] = field(default_factory=dict)


def _unique_names(sets: Sequence[AnswerSet]) -> list[str]:
    names: list[str] = []
    for s in sets:
        name, n = s.assessor, 2
        while name in names:
            name, n = f"{s.assessor} ({n})", n + 1
        names.append(name)
    return names


def _combine_item(item: Item, values: list[Any], spread: int) -> tuple[Any, bool, float | None]:
    """The combined value of one item, whether the assessors differ, and their spread."""
    scale = item.scale
    if scale.name == "agree5":
        gap = float(max(values) - min(values))
        return statistics.median(values), gap >= spread, gap
    if scale.multiple:
        counts = Counter(v for vs in values for v in vs)
        value = tuple(c for c in scale.choices if counts[c] * 2 >= len(values)) or tuple(
            c for c in scale.choices if counts[c] == max(counts.values())
        )
        return value, len({tuple(v) for v in values}) > 1, None
    if scale.choices:
        counts = Counter(values)
        best = max(counts.values())
        return next(c for c in scale.choices if counts.get(c) == best), len(counts) > 1, None
    if scale.name == "date":
        return max(values), False, None
    value = sorted(values, key=lambda v: (-values.count(v), str(v)))[0]
    return value, item.section != "meta" and len(set(values)) > 1, None


def combine(sets: Sequence[AnswerSet], instrument: Instrument | None = None) -> CombinedAnswers:
    """Combine one or more assessors' answers for one innovation.

    Parameters
    ----------
    sets
        The answer sets of one innovation (one per assessor).
    instrument
        Whose item bank and ``disagreement_spread`` setting to use; ``None``:
        the shipped instrument.

    Returns
    -------
    CombinedAnswers
        The combined answers and history, the assessors' names (made unique)
        and every disagreement.

    Raises
    ------
    ConfigError
        When ``sets`` is empty.
    """
    from lisa.assess.instrument import Instrument

    if not sets:
        raise ConfigError("combine() needs at least one answer set")
    instrument = instrument or Instrument.load()
    bank, spread = instrument.bank, instrument.settings.disagreement_spread
    ordered = sorted(sets, key=lambda s: (s.assessor, s.source))
    names = _unique_names(ordered)
    per_assessor = {name: s.answers for name, s in zip(names, ordered, strict=True)}
    combined: dict[str, Any] = {}
    disagreements: list[Disagreement] = []
    for item_id in [i for i in bank.ids if any(i in s.answers for s in ordered)]:
        if item_id == "meta.assessor":
            continue
        given = {n: a[item_id] for n, a in per_assessor.items() if item_id in a}
        value, differ, gap = _combine_item(bank[item_id], list(given.values()), spread)
        combined[item_id] = value
        if differ:
            disagreements.append(
                Disagreement(item=item_id, values=given, combined=value, spread=gap)
            )
    history, history_disagreements = _merge_history(ordered, names)
    disagreements.extend(history_disagreements)
    return CombinedAnswers(
        answers=combined,
        history=history,
        assessors=names,
        sources=sorted({s.source for s in ordered}),
        disagreements=disagreements,
        per_assessor=per_assessor,
    )


def _merge_history(
    sets: Sequence[AnswerSet], names: Sequence[str]
) -> tuple[list[HistoryEntry], list[Disagreement]]:
    by_date: dict[dt.date, dict[str, HistoryEntry]] = defaultdict(dict)
    for name, s in zip(names, sets, strict=True):
        for entry in s.history:
            by_date[entry.date][name] = entry
    merged: list[HistoryEntry] = []
    disagreements: list[Disagreement] = []
    for date in sorted(by_date):
        entries = by_date[date]
        phases = sorted(e.phase for e in entries.values())
        phase = int(statistics.median_low(phases))
        first = entries[sorted(entries)[0]]
        notes = "; ".join(sorted({e.note for e in entries.values() if e.note}))
        merged.append(HistoryEntry(date=date, phase=phase, note=notes, label=first.label))
        if len(set(phases)) > 1:
            disagreements.append(
                Disagreement(
                    item=f"history {first.label}",
                    values={n: e.phase for n, e in entries.items()},
                    combined=phase,
                    spread=float(max(phases) - min(phases)),
                )
            )
    return merged, disagreements
