"""Recommendations, with their sources in words, and the bibliography they cite.

The network recommendations are the analysis' own (``result.recommendations``,
chosen by the same rules as ``lisa assess``, most-supported first); the
assessments bring theirs. Each cites the source reports by a short reference
(``"002 §6.1"``); :func:`lisa.sources.cite` puts that in words for the reader,
and :func:`bibliography` lists every document cited, once, with the sections
cited from it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lisa.report.views import RecommendationView, Reference
from lisa.sources import DOCUMENTS, cite, pieces

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult


def network_recommendations(result: AnalysisResult) -> list[RecommendationView]:
    """The recommendations the network findings call for, in the analysis' order."""
    return [
        RecommendationView(
            rec.title,
            rec.action,
            "; ".join(rec.why),
            rec.cluster_title,
            cite(rec.source.ref),
            "network",
            rec.source.ref,
        )
        for rec in result.recommendations
    ]


_SECTION = re.compile(r"§\s*\d+(?:\.\d+)*")


def _section_key(section: str) -> tuple[tuple[int, ...], str]:
    numbers = tuple(int(n) for n in re.findall(r"\d+", section))
    return numbers, section


def bibliography(refs: Sequence[str]) -> list[Reference]:
    """The documents ``refs`` cite, numbered, each with the sections cited from it.

    Two parts of one report (the same title, publisher and year) are one
    entry; entries follow the documents' ids. A section is its number
    (``§5.4``) when the reference gives one, in reading order.
    """
    sections: dict[str, set[str]] = {}
    for ref in refs:
        for doc, section in pieces(ref):
            if doc is not None:
                number = _SECTION.match(section)
                here = sections.setdefault(doc.id, set())
                if section:
                    here.add(number.group(0) if number else section)
    entries: dict[str, Reference] = {}
    for doc_id in sorted(sections):
        doc = DOCUMENTS[doc_id]
        entry = entries.setdefault(
            doc.citation(),
            Reference(len(entries) + 1, doc.title, doc.publisher, doc.year, doc.kind),
        )
        entry.sections = sorted(set(entry.sections) | sections[doc_id], key=_section_key)
    return list(entries.values())
