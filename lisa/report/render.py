"""Lay a :class:`~lisa.report.model.ReportModel` out as HTML or PDF.

The HTML is one self-contained file: styles, scripts (sigma.js and
graphology, vendored in ``static/``) and data are inline, so it opens offline
and can be mailed. The PDF is the same templates in print mode (no scripts;
the static map picture instead of the interactive one), typeset by WeasyPrint.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from lisa.errors import ConfigError, MissingDependency
from lisa.files import atomic_target, atomic_write_text
from lisa.report import charts
from lisa.report.model import ReportModel
from lisa.vocabulary import ROLE_MEASURE
from lisa.vocabulary import ROLE_TITLE as ROLE_TEXT

STATIC = ("graphology.umd.min.js", "sigma.min.js", "report.js")


@cache
def _static(name: str) -> str:
    return resources.files("lisa.report").joinpath("static", name).read_text("utf-8")


def _json_script(value: Any) -> Markup:
    """JSON safe to put inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _script(text: str) -> Markup:
    # A closing tag inside a script would end it early.
    return Markup(text.replace("</script", "<\\/script"))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("lisa.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = charts.pct
    env.filters["num"] = charts.num
    env.filters["values_list"] = lambda d: list(d.values())
    env.filters["enumerate_history"] = lambda h: [
        [str(k), date, f"{p} — {charts.PHASES[p]}"] for k, (date, p) in enumerate(h, start=1)
    ]
    env.filters["factor_row"] = lambda f: [
        f.get("name", ""),
        f.get("status", ""),
        f.get("note", ""),
    ]
    env.filters["case_row"] = lambda c: [
        c.get(k, "") for k in ("title", "similarity", "shared", "differs", "next")
    ]
    env.filters["spread_condition_row"] = lambda c: [
        c.get(k, "") for k in ("name", "level", "strength", "items")
    ]
    env.filters["spread_route_row"] = lambda r: [
        r.get(k, "") for k in ("title", "fit", "why", "tradeoffs", "cases")
    ]
    env.globals["severity_colours"] = charts.SEVERITY_COLOURS
    env.globals["role_text"] = ROLE_TEXT
    env.globals["role_measure"] = ROLE_MEASURE
    return env


def render_html(model: ReportModel, *, mode: str = "html") -> str:
    """The report as one HTML document. ``mode="pdf"`` leaves out the scripts."""
    if mode not in ("html", "pdf"):
        raise ConfigError(f"mode must be 'html' or 'pdf', got '{mode}'")
    template = environment().get_template("report.html.j2")
    context: dict[str, Any] = {"r": model, "mode": mode, "css": Markup(_static("report.css"))}
    if mode == "html":
        context["map_json"] = _json_script(model.map_payload)
        context["scripts"] = [_script(_static(name)) for name in STATIC]
    return template.render(**context)


def write_html(model: ReportModel, path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8); returns the path."""
    return atomic_write_text(path, render_html(model))


def write_pdf(model: ReportModel, path: str | Path) -> Path:
    """Typeset the report as a PDF with WeasyPrint; returns the path.

    Raises :class:`~lisa.errors.MissingDependency` when the optional ``pdf``
    extra (WeasyPrint) is not installed, or names the missing system libraries
    when WeasyPrint cannot load them (the HTML report needs neither).
    """
    try:
        from weasyprint import HTML
    except ModuleNotFoundError:
        raise MissingDependency(
            "the PDF needs the optional 'pdf' part of lisa: pip install 'lisa[pdf]' "
            "(the HTML report works without it)"
        ) from None
    except (OSError, ImportError) as exc:
        raise MissingDependency(
            f"the PDF needs WeasyPrint and its system libraries ({exc}); on Debian or Ubuntu: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 — "
            "the HTML report works without them"
        ) from None

    html = render_html(model, mode="pdf")
    with atomic_target(path) as tmp:
        HTML(string=html).write_pdf(tmp)
    return Path(path)
