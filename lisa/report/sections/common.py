"""Helpers shared by the section builders: how a person is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lisa.privacy import Pseudonymiser

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult


def label(result: AnalysisResult, pid: str, pseudonymiser: Pseudonymiser | None) -> str:
    """A person as the report shows them: name and organisation, or role and group only."""
    s = result.study
    i = s.index_of(pid)
    if pseudonymiser is not None:
        return pseudonymiser.label(i, result.combined.people[pid].roles)
    return f"{s.names[i] or s.ids[i]} ({s.organisations[i] or s.sectors[i]})"


