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
from typing import Any

from lisa.assess.answers import AnswerSet, HistoryEntry
from lisa.assess.items import ItemBank, load_item_bank
from lisa.errors import ConfigError


@dataclass(frozen=True)
class Disagreement:
    """Assessors who answered the same item differently."""

    item: str
    values: dict[str, Any]
    combined: Any
    spread: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "values": {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()},
            "combined": list(self.combined) if isinstance(self.combined, tuple) else self.combined,
            "spread": self.spread,
        }


@dataclass
class CombinedAnswers:
    """The answers of all assessors of one innovation, combined."""

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


def combine(
    sets: Sequence[AnswerSet], bank: ItemBank | None = None, spread: int = 2
) -> CombinedAnswers:
    """Combine one or more assessors' answers for one innovation."""
    if not sets:
        raise ConfigError("combine() needs at least one answer set")
    bank = bank or load_item_bank()
    ordered = sorted(sets, key=lambda s: (s.assessor, s.source))
    names = _unique_names(ordered)
    per_assessor = {name: s.answers for name, s in zip(names, ordered, strict=True)}
    combined: dict[str, Any] = {}
    disagreements: list[Disagreement] = []
    item_ids = [i for i in bank.ids if any(i in s.answers for s in ordered)]
    for item_id in item_ids:
        if item_id == "meta.assessor":
            continue
        item = bank[item_id]
        given = {n: a[item_id] for n, a in per_assessor.items() if item_id in a}
        values = list(given.values())
        scale = item.scale
        value: Any
        gap: float | None = None
        differ = False
        if scale.name == "agree5":
            value = statistics.median(values)
            gap = float(max(values) - min(values))
            differ = gap >= spread
        elif scale.multiple:
            counts = Counter(v for vs in values for v in vs)
            value = tuple(c for c in scale.choices if counts[c] * 2 >= len(values)) or tuple(
                c for c in scale.choices if counts[c] == max(counts.values())
            )
            differ = len({tuple(v) for v in values}) > 1
        elif scale.choices:
            counts = Counter(values)
            best = max(counts.values())
            value = next(c for c in scale.choices if counts.get(c) == best)
            differ = len(counts) > 1
        elif scale.name == "date":
            value = max(values)
        else:
            value = sorted(values, key=lambda v: (-values.count(v), str(v)))[0]
            differ = item.section != "meta" and len(set(values)) > 1
        combined[item_id] = value
        if differ:
            disagreements.append(Disagreement(item_id, given, value, gap))
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
