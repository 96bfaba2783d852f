"""The locality report: one self-contained HTML file and a PDF for board papers.

:func:`build_report` turns an :class:`~lisa.analysis.AnalysisResult` (and,
optionally, assessed innovations, :class:`lisa.assess.Assessment`) into a :class:`ReportModel`:
plain data, every number already computed. :func:`render_html`,
:func:`write_html` and :func:`write_pdf` only lay that model out through the
Jinja2 templates in ``templates/``; no analysis happens in a template.
:func:`write_report` does both steps for the command line and ``lisa demo``.

Example::

    from lisa import analyse, generate
    from lisa.report import write_report
    write_report(analyse(generate(300, seed=7)), "report.html", pdf="report.pdf")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lisa.report.model import ReportModel, build_report
from lisa.report.render import render_html, write_html, write_pdf

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.assess import Assessment
    from lisa.change import WaveComparison
    from lisa.compare import Comparison
    from lisa.privacy import Pseudonymiser
    from lisa.scenarios import BestTies, Diffusion, WhatIf
    from lisa.value import ValueResult

__all__ = ["ReportModel", "build_report", "render_html", "write_html", "write_pdf", "write_report"]


def write_report(
    result: AnalysisResult,
    html: str | Path | None = "report.html",
    *,
    pdf: str | Path | None = None,
    assessments: Sequence[Assessment] = (),
    pseudonymise: bool | Pseudonymiser = False,
    title: str | None = None,
    values: Sequence[ValueResult] = (),
    change: WaveComparison | None = None,
    comparison: Comparison | None = None,
    diffusion: Diffusion | None = None,
    what_ifs: Sequence[WhatIf] = (),
    best_ties: BestTies | None = None,
) -> list[Path]:
    """Build the report once and write it as HTML and/or PDF; returns the paths written.

    ``change`` (a :class:`lisa.change.WaveComparison`) adds the "change over time" section;
    ``comparison`` (a :class:`lisa.compare.Comparison`) adds "compared with other places";
    ``diffusion`` (a :class:`lisa.scenarios.Diffusion`) "How an idea would spread";
    ``what_ifs`` (:class:`lisa.scenarios.WhatIf`) and ``best_ties`` (a
    :class:`lisa.scenarios.BestTies`) "What if".
    """
    model = build_report(
        result,
        assessments,
        pseudonymise=pseudonymise,
        title=title,
        values=values,
        change=change,
        comparison=comparison,
        diffusion=diffusion,
        what_ifs=what_ifs,
        best_ties=best_ties,
    )
    written = []
    if html is not None:
        written.append(write_html(model, html))
    if pdf is not None:
        written.append(write_pdf(model, pdf))
    return written
