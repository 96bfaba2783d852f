"""The report's pieces as plain data: what a template lays out.

Each section builder in :mod:`lisa.report.sections` returns these; the
:class:`~lisa.report.model.ReportModel` holds them. Every string is already
worded and every number already formatted, so a template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lisa.report import charts


@dataclass
class Table:
    """A table: column headings and rows of formatted cells."""

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Figure:
    """A chart with the table of its numbers (the text alternative in full)."""

    chart: charts.Chart
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class FindingView:
    code: str
    severity: str
    title: str
    headline: str  # "the number" of the finding, e.g. "45%"
    detail: str
    groups: list[str]
    people: list[str]  # labels, [] in pseudonymised mode or when not named
    people_count: int
    table: Table | None = None  # per-group detail, where the finding has it


@dataclass
class RecommendationView:
    title: str
    action: str
    why: str
    cluster: str
    source: str  # as the reader sees it: the documents cited in words
    origin: str  # "network" or the innovation's name
    ref: str = ""  # the short reference it was cited from ("002 §6.1"), for the bibliography


@dataclass
class Reference:
    """One entry of the bibliography: a document and the sections this report cites."""

    number: int
    title: str
    publisher: str
    year: str
    kind: str
    sections: list[str] = field(default_factory=list)


@dataclass
class ExecutiveSummary:
    """Page 1 of the board paper: who answered, what was found, what to do first."""

    response: str  # who answered and what that allows, in one sentence
    thin_groups: list[str]  # groups with too few answers to judge
    findings: list[FindingView]  # most severe first, as the analysis orders them
    recommendations: list[RecommendationView]  # the top few
    more_recommendations: int  # how many more the Recommendations section holds
