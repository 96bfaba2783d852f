"""The locality report: one self-contained HTML file and a PDF for board papers.

:func:`build_report` turns an :class:`~lisa.analysis.AnalysisResult` (and,
optionally, innovation assessments as JSON dicts) into a :class:`ReportModel`:
plain data, every number already computed. :func:`render_html` and
:func:`render_pdf` only lay that model out through the Jinja2 templates in
``templates/``; no analysis happens in a template.
"""
