"""The report's charts: Vega-Lite specifications built with Altair, rendered to SVG.

One chart library used everywhere: every chart is a Vega-Lite specification
(built with Altair, its data bundled in the specification's ``data.values``)
rendered to static SVG in Python by ``vl-convert`` — no JavaScript and no
network. The same SVG goes inline into the HTML report and, unchanged, into
the PDF (WeasyPrint draws SVG), so the two never disagree. Every chart is a
:class:`Chart` with a title and a text alternative (``alt``), carried in the
SVG as ``role="img"`` with ``<title>`` and ``<desc>``; the templates put the
SVG in a ``<figure>`` beside a table of the same numbers.

Colours are colour-blind safe: categories use the Okabe–Ito palette
(Okabe & Ito 2008), quantities the viridis scale (van der Walt & Smith 2015),
whose lightness rises steadily so it also reads in greyscale.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, cast

import altair
import altair as alt
import vl_convert as vlc

from lisa.errors import LisaError
from lisa.network.results import LayerLink
from lisa.vocabulary import PHASE_TITLES as PHASES

#: Okabe–Ito categorical palette (black last: it is used for text).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
)

#: The four layers of a local innovation system always have the same colours.
LAYER_COLOURS: dict[str, str] = {
    "systemic": "#0072B2",
    "sectoral": "#009E73",
    "frontline": "#E69F00",
    "public": "#CC79A7",
}
NO_GROUP_COLOUR = "#BBBBBB"

#: Severity colours (with a text label always beside them: never colour alone).
SEVERITY_COLOURS: dict[str, str] = {
    "high": "#D55E00",
    "medium": "#E69F00",
    "low": "#56B4E9",
    "info": "#009E73",
}

#: Viridis sampled at 9 stops (matplotlib's values).
_VIRIDIS: tuple[tuple[int, int, int], ...] = (
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
)

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def category_colours(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per category: layers by :data:`LAYER_COLOURS`, others Okabe–Ito."""
    out: dict[str, str] = {}
    k = 0
    for name in names:
        if name in LAYER_COLOURS:
            out[name] = LAYER_COLOURS[name]
        elif not name:
            out[name] = NO_GROUP_COLOUR
        else:
            out[name] = OKABE_ITO[k % len(OKABE_ITO)]
            k += 1
    return out


def viridis(t: float) -> str:
    """The viridis colour at ``t`` in [0, 1] as ``#rrggbb``."""
    t = min(1.0, max(0.0, t if math.isfinite(t) else 0.0))
    x = t * (len(_VIRIDIS) - 1)
    i = min(int(x), len(_VIRIDIS) - 2)
    f = x - i
    a, b = _VIRIDIS[i], _VIRIDIS[i + 1]
    r, g, bl = (round(a[j] + (b[j] - a[j]) * f) for j in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _text_on(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000" if luminance > 0.45 else "#fff"


def pct(x: float | None, digits: int = 0) -> str:
    """``0.456`` → ``46%``; None → an en dash."""
    if x is None or not math.isfinite(x):
        return "–"
    text = f"{x * 100:.{digits}f}%"
    return text[1:] if text.startswith("-") and float(text[:-1]) == 0 else text


def num(x: float | None, digits: int = 3) -> str:
    """A compact number for a chart label (``0.0123`` → ``0.012``)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, int) or float(x).is_integer() and abs(x) >= 1:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".") if x else "0"


@dataclass
class Chart:
    """A chart rendered to SVG, and its text alternative."""

    svg: str
    alt: str
    title: str = ""

    def __html__(self) -> str:  # Jinja2 treats it as safe markup
        return self.svg


# -- rendering ---------------------------------------------------------------

_INK = "#222222"
_VERMILLION = "#D55E00"
_OPENING = re.compile(r"<svg\b[^>]*>")

#: At most this many links are drawn in the static network picture.
SNAPSHOT_MAX_LINKS = 6000


#: The house style, shared by every chart (a Vega-Lite ``config``).
_CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": _INK,
        "titleColor": _INK,
        "titleFontWeight": "normal",
        "domainColor": "#888888",
        "tickColor": "#888888",
        "gridColor": "#e6e6e6",
    },
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": _INK,
        "titleColor": _INK,
        "titleFontWeight": "normal",
    },
}

#: In layered charts, pass-through (``scale=None``) colours and sizes cannot
#: share a scale with the layers that do use one.
_INDEPENDENT = ("color", "fill", "stroke", "size", "strokeDash", "strokeWidth")


def spec_of(
    chart: Any,
    *,
    validate: bool = False,
    values: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The Vega-Lite specification (a dict) of an Altair chart, house style on.

    The data are bundled in the specification (``data.values``). ``values``
    fills layers built on ``alt.NamedData(name)`` after the conversion, which
    spares Altair copying large data (the network picture's links).
    """
    # Altair's schema validation costs more than the rendering, and every
    # chained Altair call deep-copies the data: the house style is added to the
    # dict; vl-convert compiles the specification and fails loudly on a bad one.
    spec: dict[str, Any] = chart.to_dict(validate=validate)
    spec.update(background="transparent", padding=6, config=json.loads(json.dumps(_CONFIG)))
    if "layer" in spec:
        spec["resolve"] = {"scale": {channel: "independent" for channel in _INDEPENDENT}}
    if values:
        for part in [spec, *spec.get("layer", [])]:
            name = str((part.get("data") or {}).get("name", ""))
            if name in values:
                part["data"] = {"values": values[name]}
    return spec


def _render(
    chart: Any,
    title: str,
    alt_text: str,
    values: Mapping[str, list[dict[str, Any]]] | None = None,
) -> str:
    """Render a chart to static SVG with vl-convert; mark it as an image with a text alternative.

    Element ids (gradients, clip paths) are prefixed with a digest of the SVG so
    that several charts inlined in one page never share an id.
    """
    # the data are in the specification: no data may be fetched from anywhere
    svg = vlc.vegalite_to_svg(spec_of(chart, values=values), allowed_base_urls=[])
    # geometry to 2 decimals (labels never carry more than 3, so they are kept)
    svg = re.sub(r"(\.\d\d)\d{3,}", r"\1", svg)
    prefix = "c" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    match = _OPENING.search(svg)
    if match is None:  # pragma: no cover - vl-convert always returns an <svg> element
        raise LisaError("vl-convert did not return SVG")
    tag = re.sub(r'\s(class|role)="[^"]*"', "", match.group(0))
    tag = tag[:-1].rstrip("/") + ' role="img" class="chart">'
    return (
        svg[: match.start()]
        + tag
        + f"<title>{escape(title)}</title><desc>{escape(alt_text)}</desc>"
        + svg[match.end() :]
    )


def _values(rows: Sequence[Mapping[str, Any]]) -> alt.Data:
    """Inline data: the numbers travel inside the specification."""
    return alt.Data(values=[dict(r) for r in rows])


def _canvas(width: float, height: float) -> dict[str, Any]:
    """x/y encodings in pixels, origin top left (for the drawn diagrams)."""
    return {
        "x": alt.X("x:Q", scale=alt.Scale(domain=[0, width], nice=False, zero=False), axis=None),
        "y": alt.Y("y:Q", scale=alt.Scale(domain=[height, 0], nice=False, zero=False), axis=None),
    }


def _fmt(v: float | None, fmt: str, digits: int = 3) -> str:
    if v is None:
        return "–"
    return pct(v) if fmt == "pct" else num(v, digits)


# -- charts ------------------------------------------------------------------


def _heatmap_cells(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Mapping[str, Mapping[str, float | None]],
    fmt: str,
) -> tuple[list[dict[str, Any]], float]:
    """One record per cell (value, label, fill-contrasting ink) and the largest value."""
    flat = [v for r in rows for c in cols if (v := values.get(r, {}).get(c)) is not None]
    vmax = max(flat, default=0.0) or 1.0
    data = []
    for r in rows:
        for c in cols:
            v = values.get(r, {}).get(c)
            text = _fmt(v, fmt)
            fill = viridis(v / vmax) if v is not None else "#eeeeee"
            data.append(
                {
                    "row": r,
                    "col": c,
                    "value": v,
                    "text": text,
                    "ink": _text_on(fill),
                    "label": f"{r} → {c}: {text}",
                }
            )
    return data, vmax


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Mapping[str, Mapping[str, float | None]],
    *,
    title: str,
    value_label: str = "density",
    fmt: str = "num",
    row_axis: str = "from",
    col_axis: str = "to",
) -> Chart:
    """A matrix of cells coloured by value (viridis), each cell labelled with its number."""
    cell = 56 if len(cols) <= 6 else 46
    data, vmax = _heatmap_cells(rows, cols, values, fmt)
    base = alt.Chart(_values(data)).encode(
        x=alt.X(
            "col:N",
            sort=list(cols),
            title=col_axis,
            axis=alt.Axis(orient="top", labelAngle=-40, ticks=False, domain=False, labelLimit=200),
        ),
        y=alt.Y(
            "row:N",
            sort=list(rows),
            title=row_axis,
            axis=alt.Axis(ticks=False, domain=False, labelLimit=220),
        ),
    )
    empty = base.mark_rect(fill="#eeeeee", stroke="white", strokeWidth=2, aria=False)
    legend = alt.Legend(title=value_label, gradientLength=max(80, cell * len(rows) - 30))
    cells = (
        base.transform_filter("isValid(datum.value)")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            color=alt.Color(
                "value:Q", scale=alt.Scale(scheme="viridis", domain=[0, vmax]), legend=legend
            ),
            description=alt.Description("label:N"),
        )
    )
    labels = base.mark_text(fontSize=11, baseline="middle", aria=False).encode(
        text="text:N", color=alt.Color("ink:N", scale=None)
    )
    chart = alt.layer(empty, cells, labels).properties(width=alt.Step(cell), height=alt.Step(cell))
    alt_text = (
        f"{title}. Heatmap of {value_label} for {len(rows)} × {len(cols)} groups; "
        f"the highest is {num(vmax)}. The numbers are in the table below."
    )
    return Chart(_render(chart, title, alt_text), alt_text, title)


def _bar_rows(
    items: Sequence[tuple[str, float | None]],
    fmt: str,
    scale_max: float,
    colours: Mapping[str, str] | None,
    marks: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """One record per bar: its clipped value, its label (with any mark) and colour."""
    data = []
    for name, v in items:
        text = _fmt(v, fmt)
        if marks and marks.get(name):
            text += f" ({marks[name]})"
        data.append(
            {
                "name": name,
                "value": 0.0 if v is None else max(0.0, min(float(v), scale_max)),
                "text": text,
                "colour": (colours or {}).get(name, OKABE_ITO[0]),
                "label": f"{name}: {text}",
            }
        )
    return data


def _reference_marks(reference: tuple[float, str], scale_max: float, x_scale: Any) -> list[Any]:
    """A dashed line at a reference value, labelled at the top."""
    ref = alt.Chart(
        _values([{"value": min(reference[0], scale_max), "label": reference[1]}])
    ).encode(x=alt.X("value:Q", scale=x_scale))
    return [
        ref.mark_rule(color="#333333", strokeDash=[4, 3], aria=False),
        ref.mark_text(baseline="bottom", dy=-4, fontSize=11, fontStyle="italic", aria=False).encode(
            y=alt.value(0), text="label:N"
        ),
    ]


def _bar_names(order: Sequence[str]) -> Any:
    """The y axis of horizontal bars: one row per name, in this order, labels without ticks."""
    return alt.Y(
        "name:N",
        sort=list(order),
        title=None,
        axis=alt.Axis(ticks=False, domain=False, labelLimit=220, labelPadding=6),
    )


def bars(
    items: Sequence[tuple[str, float | None]],
    *,
    title: str,
    fmt: str = "pct",
    vmax: float | None = None,
    colours: Mapping[str, str] | None = None,
    marks: Mapping[str, str] | None = None,
    reference: tuple[float, str] | None = None,
    width: int = 560,
) -> Chart:
    """Horizontal bars, one per item, each labelled with its value.

    ``marks`` adds a note after a bar's value (e.g. "thin"); ``reference``
    draws a dashed line at a value with a label (e.g. a threshold).
    """
    left = min(14 + 7 * max((len(k) for k, _ in items), default=4), 220)
    plot_w = max(160, width - left - 110)
    finite = [abs(v) for _, v in items if v is not None]
    scale_max = vmax or max(finite + ([reference[0]] if reference else []), default=1.0) or 1.0
    data = _bar_rows(items, fmt, scale_max, colours, marks)
    x_scale = alt.Scale(domain=[0, scale_max], nice=False, zero=True)
    axis_format = ".0%" if fmt == "pct" else ",~f"
    base = alt.Chart(_values(data)).encode(
        y=_bar_names([k for k, _ in items]),
        x=alt.X(
            "value:Q",
            scale=x_scale,
            title=None,
            axis=alt.Axis(format=axis_format, tickCount=5, labelColor="#555555", labelFontSize=11),
        ),
    )
    layers: list[Any] = [
        base.mark_bar(size=20).encode(
            color=alt.Color("colour:N", scale=None), description=alt.Description("label:N")
        ),
        base.mark_text(align="left", baseline="middle", dx=5, aria=False).encode(text="text:N"),
    ]
    if reference:
        layers += _reference_marks(reference, scale_max, x_scale)
    chart = alt.layer(*layers).properties(width=plot_w, height=alt.Step(28))
    alt_text = f"{title}. " + "; ".join(f"{k}: {_fmt(v, fmt)}" for k, v in items)
    return Chart(_render(chart, title, alt_text), alt_text, title)


def paired_bars(
    items: Sequence[tuple[str, float, float]],
    *,
    title: str,
    labels: tuple[str, str],
    width: int = 560,
) -> Chart:
    """Two bars per item (e.g. a scenario's loss beside the random baseline), as shares."""
    left = min(14 + 7 * max((len(k) for k, _, _ in items), default=4), 230)
    plot_w = max(160, width - left - 70)
    scale_max = max([max(a, b) for _, a, b in items] + [0.05])
    colours = [OKABE_ITO[5], OKABE_ITO[7]]
    data = [
        {
            "name": name,
            "series": labels[k],
            "value": max(0.0, v),
            "text": pct(v),
            "label": f"{name}, {labels[k]}: {pct(v)}",
        }
        for name, a, b in items
        for k, v in enumerate((a, b))
    ]
    base = alt.Chart(_values(data)).encode(
        y=alt.Y(
            "name:N",
            sort=[k for k, _, _ in items],
            title=None,
            axis=alt.Axis(ticks=False, domain=False, labelLimit=230, labelPadding=6),
        ),
        yOffset=alt.YOffset("series:N", sort=list(labels)),
        x=alt.X(
            "value:Q",
            scale=alt.Scale(domain=[0, scale_max], nice=False),
            title=None,
            axis=alt.Axis(format=".0%", tickCount=5, labelColor="#555555", labelFontSize=11),
        ),
    )
    chart = alt.layer(
        base.mark_bar(size=10).encode(
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=list(labels), range=colours),
                legend=alt.Legend(title=None, orient="top", direction="horizontal", labelLimit=320),
            ),
            description=alt.Description("label:N"),
        ),
        base.mark_text(align="left", baseline="middle", dx=4, fontSize=10, aria=False).encode(
            text="text:N"
        ),
    ).properties(width=plot_w, height=32 * max(1, len(items)))
    alt_text = f"{title}. " + "; ".join(
        f"{n}: {labels[0]} {pct(a)}, {labels[1]} {pct(b)}" for n, a, b in items
    )
    return Chart(_render(chart, title, alt_text), alt_text, title)


# -- curves over steps ------------------------------------------------------------


def reach_curves(
    series: Sequence[tuple[str, Sequence[float], Sequence[float], Sequence[float]]],
    *,
    title: str,
    y_title: str = "share who have heard",
    width: int = 520,
) -> Chart:
    """One line per series over steps 0, 1, 2, … with its band shaded (shares, 0 to 1).

    Each series is ``(name, mean, low, high)``, one value per step (e.g. a seed
    strategy's mean share of people who have heard, and its percentile band).
    """
    names = [name for name, *_ in series]
    colours = [OKABE_ITO[k % len(OKABE_ITO)] for k in range(len(names))]
    rows = [
        {
            "series": name,
            "step": t,
            "mean": m,
            "low": lo,
            "high": hi,
            "label": f"{name}, step {t}: {pct(m)} ({pct(lo)}–{pct(hi)})",
        }
        for name, mean, low, high in series
        for t, (m, lo, hi) in enumerate(zip(mean, low, high, strict=True))
    ]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=colours),
        legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=420),
    )
    x = alt.X("step:Q", title="step", axis=alt.Axis(tickMinStep=1, format="d", grid=False))
    y = alt.Y("mean:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%"))
    base = alt.Chart(_values(rows))
    chart = alt.layer(
        base.mark_area(opacity=0.07, aria=False).encode(
            x=x,
            y="low:Q",
            y2="high:Q",
            color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colours), legend=None),
        ),
        base.mark_line(strokeWidth=2.5, point=True).encode(
            x=x, y=y, color=colour, description=alt.Description("label:N")
        ),
    ).properties(width=width, height=240)
    alt_text = f"{title}. " + "; ".join(
        f"{name}: {pct(mean[0])} at step 0, {pct(mean[-1])} at step {len(mean) - 1}"
        for name, mean, _, _ in series
    )
    return Chart(_render(chart, title, alt_text), alt_text, title)


# -- the layer picture ---------------------------------------------------------

#: The layer picture's geometry, in pixels.
_LP_WIDTH, _LP_BAND, _LP_GAP, _LP_LEFT, _LP_NOTES = 640, 58, 46, 150, 180


def _density(link: LayerLink | None) -> float | None:
    return None if link is None else link.density


def _verdict(link: LayerLink | None) -> str:
    return "no data" if link is None else link.verdict


def _link_stroke(d: float | None, overall: float) -> float:
    """Line weight of a block of links: grows with its density against the overall one."""
    if not d or overall <= 0:
        return 0.6
    return max(0.6, min(14.0, 3.0 * d / overall))


def _dash(link: LayerLink | None) -> str:
    return "thin" if _verdict(link) == "thin" else "solid"


def _layer_bands(
    layers: Sequence[str],
    people: Mapping[str, int],
    horizontal: Mapping[str, LayerLink],
    overall: float,
) -> dict[str, list[dict[str, Any]]]:
    """Each layer as a band with its name, size, within-layer zig-zag and note."""
    band_w = _LP_WIDTH - _LP_LEFT - _LP_NOTES
    x0, x1 = _LP_LEFT + 24, _LP_WIDTH - _LP_NOTES - 24
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("bands", "names", "zigzag", "notes")}
    for i, layer in enumerate(layers):
        y = 20 + i * (_LP_BAND + _LP_GAP)
        mid = y + _LP_BAND / 2
        colour = LAYER_COLOURS.get(layer, NO_GROUP_COLOUR)
        link = horizontal.get(layer)
        out["bands"].append(
            {"x": _LP_LEFT, "x2": _LP_LEFT + band_w, "y": y, "y2": y + _LP_BAND, "colour": colour}
        )
        out["names"].append({"x": _LP_LEFT - 10, "y": mid - 2, "text": layer})
        out["notes"].append(
            {
                "x": _LP_WIDTH - 170,
                "y": mid + 4,
                "text": f"within: {num(_density(link))} ({_verdict(link)})",
            }
        )
        out["zigzag"] += [
            {
                "layer": layer,
                "k": k,
                "x": x0 + (x1 - x0) * k / 8,
                "y": mid + (10 if k % 2 else -10),
                "colour": colour,
                "w": _link_stroke(_density(link), overall),
                "dash": _dash(link),
            }
            for k in range(9)
        ]
    out["counts"] = [
        {"x": _LP_LEFT - 10, "y": n["y"] + 16, "text": f"{people.get(n['text'], 0):,} people"}
        for n in out["names"]
    ]
    return out


def _layer_connectors(
    layers: Sequence[str], vertical: Mapping[tuple[str, str], LayerLink], overall: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The vertical connectors between adjacent layers, and their notes."""
    band_w = _LP_WIDTH - _LP_LEFT - _LP_NOTES
    rules, notes = [], []
    for i, (upper, lower) in enumerate(zip(layers, layers[1:], strict=False)):
        link = vertical.get((upper, lower))
        y_a = 20 + i * (_LP_BAND + _LP_GAP) + _LP_BAND
        y_b = y_a + _LP_GAP
        w = _link_stroke(_density(link), overall)
        rules += [
            {"x": _LP_LEFT + band_w * f, "y": y_a, "y2": y_b, "w": w, "dash": _dash(link)}
            for f in (0.2, 0.5, 0.8)
        ]
        notes.append(
            {
                "x": _LP_WIDTH - 170,
                "y": (y_a + y_b) / 2 + 4,
                "text": f"between: {num(_density(link))} ({_verdict(link)})",
            }
        )
    return rules, notes


def _layer_marks(parts: Mapping[str, list[dict[str, Any]]], height: float) -> Any:
    """The picture's marks: bands, zig-zags, connectors and their text."""
    xy = _canvas(_LP_WIDTH, height)
    dash = alt.StrokeDash(
        "dash:N", scale=alt.Scale(domain=["solid", "thin"], range=[[1, 0], [3, 5]]), legend=None
    )
    text: dict[str, Any] = {"baseline": "alphabetic", "aria": False}
    return alt.layer(
        alt.Chart(_values(parts["bands"]))
        .mark_rect(cornerRadius=8, fillOpacity=0.18, strokeWidth=2, aria=False)
        .encode(
            **xy,
            x2="x2:Q",
            y2="y2:Q",
            fill=alt.Fill("colour:N", scale=None),
            stroke=alt.Stroke("colour:N", scale=None),
        ),
        alt.Chart(_values(parts["zigzag"]))
        .mark_line(strokeJoin="round", aria=False)
        .encode(
            **xy,
            order="k:Q",
            detail="layer:N",
            color=alt.Color("colour:N", scale=None),
            size=alt.Size("w:Q", scale=None),
            strokeDash=dash,
        ),
        alt.Chart(_values(parts["rules"]))
        .mark_rule(color="#333333", aria=False)
        .encode(**xy, y2="y2:Q", size=alt.Size("w:Q", scale=None), strokeDash=dash),
        alt.Chart(_values(parts["names"]))
        .mark_text(align="right", fontWeight="bold", **text)
        .encode(**xy, text="text:N"),
        alt.Chart(_values(parts["counts"]))
        .mark_text(align="right", **text)
        .encode(**xy, text="text:N"),
        alt.Chart(_values(parts["notes"]))
        .mark_text(align="left", **text)
        .encode(**xy, text="text:N"),
    ).properties(width=_LP_WIDTH, height=height)


def _layer_alt(
    title: str,
    layers: Sequence[str],
    horizontal: Mapping[str, LayerLink],
    vertical: Mapping[tuple[str, str], LayerLink],
    overall: float,
) -> str:
    """The layer picture in words: every block of links with its density and verdict."""
    within = [
        f"within {k}: {num(_density(horizontal.get(k)))} ({_verdict(horizontal.get(k))})"
        for k in layers
    ]
    between = [f"between {a}-{b}: {num(x.density)} ({x.verdict})" for (a, b), x in vertical.items()]
    return (
        f"{title}. Overall density {num(overall)}. "
        + "; ".join(within)
        + "; "
        + "; ".join(between)
        + "."
    )


def layer_picture(
    layers: Sequence[str],
    people: Mapping[str, int],
    links: Sequence[LayerLink],
    overall: float,
    *,
    title: str = "The four layers and the links between them",
) -> Chart:
    """The reports' picture of a local innovation system, drawn from the data.

    Each layer is a band; the zig-zag of links drawn inside it grows with its
    within-layer (horizontal) density, and the connectors between adjacent
    layers grow with their (vertical) density. Thin links (the analysis'
    verdict, the rule of the ``thin-*-links`` findings) are drawn dashed.
    """
    horizontal = {x.a: x for x in links if x.kind == "horizontal"}
    vertical = {(x.a, x.b): x for x in links if x.kind == "vertical"}
    height = 20 + len(layers) * _LP_BAND + (len(layers) - 1) * _LP_GAP + 20
    parts = _layer_bands(layers, people, horizontal, overall)
    rules, notes = _layer_connectors(layers, vertical, overall)
    parts["rules"] = rules
    parts["notes"] = parts["notes"] + notes
    alt_text = _layer_alt(title, layers, horizontal, vertical, overall)
    return Chart(_render(_layer_marks(parts, height), title, alt_text), alt_text, title)


# -- the strategic triangle ------------------------------------------------------


#: Where the corners sit: authority at the top, capacity and value below.
_CORNER_POS: dict[str, tuple[float, float]] = {
    "authority": (210.0, 66.0),
    "capacity": (70.0, 270.0),
    "value": (350.0, 270.0),
}
_SIDES = (("authority", "capacity"), ("capacity", "value"), ("value", "authority"))


def _radius(strength: float | None) -> float:
    return 14 + 30 * float(strength or 0)


def _triangle_links(
    links: Mapping[str, float | None], weakest_link: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The three sides (width grows with strength) and their labels; the weakest in vermillion."""
    rows, labels = [], []
    for a, b in _SIDES:
        s = _lookup_link(links, a, b)
        weak = weakest_link is not None and _same_link(weakest_link, a, b)
        (x1, y1), (x2, y2) = _CORNER_POS[a], _CORNER_POS[b]
        colour = _VERMILLION if weak else "#555555"
        rows.append(
            {
                "x": x1,
                "y": y1,
                "x2": x2,
                "y2": y2,
                "w": 1.5 + 10 * (s or 0),
                "colour": colour,
                "dash": "none" if s is None else "solid",
                "label": f"{a}-{b}: {num(s, 2)}",
            }
        )
        # labels beside the slanted links (clear of their width), below the base
        dy = 18 if a == "capacity" else 4
        dx = -16 if a == "authority" else (16 if a == "value" else 0)
        labels.append(
            {
                "x": (x1 + x2) / 2 + dx,
                "y": (y1 + y2) / 2 + dy,
                "align": {"authority": "right", "value": "left"}.get(a, "center"),
                "colour": colour,
                "text": f"{a}→{b}: {num(s, 2)}" + (" (weakest)" if weak else ""),
            }
        )
    return rows, labels


def _triangle_corners(
    corners: Mapping[str, float | None],
    needs: Mapping[str, float | None] | None,
    weakest_corner: str | None,
) -> dict[str, list[dict[str, Any]]]:
    """Corner circles (size grows with strength), need rings, values and names."""
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("rings", "dots", "values", "names")}
    for name, (x, y) in _CORNER_POS.items():
        s = corners.get(name)
        r = _radius(s)
        weak = weakest_corner == name
        if needs and needs.get(name) is not None:
            out["rings"].append({"x": x, "y": y, "size": (2 * _radius(needs[name])) ** 2})
        out["dots"].append(
            {
                "x": x,
                "y": y,
                "size": (2 * r) ** 2,
                "edge": _VERMILLION if weak else "#0072B2",
                "ew": 4 if weak else 1,
                "label": f"{name}: {num(s, 2)}",
            }
        )
        out["values"].append({"x": x, "y": y + 4, "text": num(s, 2)})
        reach = max(r, _radius((needs or {}).get(name)))
        out["names"].append(
            {
                "x": x,
                "y": y - reach - 8 if name == "authority" else y + reach + 16,
                "text": name + (" (weakest)" if weak else ""),
            }
        )
    return out


def _triangle_side_marks(
    rows: list[dict[str, Any]], labels: list[dict[str, Any]], xy: dict[str, Any]
) -> list[Any]:
    dash = alt.StrokeDash(
        "dash:N", scale=alt.Scale(domain=["solid", "none"], range=[[1, 0], [6, 4]]), legend=None
    )
    sides = (
        alt.Chart(_values(rows))
        .mark_rule()
        .encode(
            **xy,
            x2="x2:Q",
            y2="y2:Q",
            size=alt.Size("w:Q", scale=None),
            color=alt.Color("colour:N", scale=None),
            strokeDash=dash,
            description=alt.Description("label:N"),
        )
    )
    return [sides] + [
        alt.Chart(_values([row]))
        .mark_text(fontSize=11, baseline="alphabetic", align=cast(Any, row["align"]), aria=False)
        .encode(**xy, text="text:N", color=alt.Color("colour:N", scale=None))
        for row in labels
    ]


def _triangle_corner_marks(
    parts: Mapping[str, list[dict[str, Any]]], xy: dict[str, Any]
) -> list[Any]:
    text: dict[str, Any] = {"align": "center", "baseline": "alphabetic", "aria": False}
    marks: list[Any] = []
    if parts["rings"]:
        marks.append(
            alt.Chart(_values(parts["rings"]))
            .mark_point(
                shape="circle",
                filled=False,
                color="#000000",
                strokeDash=[3, 3],
                strokeWidth=1,
                opacity=1,
            )
            .encode(**xy, size=alt.Size("size:Q", scale=None))
        )
    return marks + [
        alt.Chart(_values(parts["dots"]))
        .mark_point(shape="circle", filled=True, fill="#0072B2", fillOpacity=0.75, opacity=1)
        .encode(
            **xy,
            size=alt.Size("size:Q", scale=None),
            stroke=alt.Stroke("edge:N", scale=None),
            strokeWidth=alt.StrokeWidth("ew:Q", scale=None),
            description=alt.Description("label:N"),
        ),
        alt.Chart(_values(parts["values"]))
        .mark_text(color="#ffffff", fontWeight="bold", **text)
        .encode(**xy, text="text:N"),
        alt.Chart(_values(parts["names"]))
        .mark_text(fontWeight="bold", **text)
        .encode(**xy, text="text:N"),
    ]


def _triangle_alt(
    title: str,
    corners: Mapping[str, float | None],
    links: Mapping[str, float | None],
    needs: Mapping[str, float | None] | None,
    weakest_corner: str | None,
    weakest_link: str | None,
) -> str:
    """The triangle in words: corners, links, the weakest, what the phase needs."""
    needed = ", ".join(f"{k} {num(v, 2)}" for k, v in (needs or {}).items())
    return (
        f"{title}. Corners: "
        + ", ".join(f"{k} {num(corners.get(k), 2)}" for k in _CORNER_POS)
        + ". Links: "
        + ", ".join(f"{a}→{b} {num(_lookup_link(links, a, b), 2)}" for a, b in _SIDES)
        + (f". Weakest corner: {weakest_corner}" if weakest_corner else "")
        + (f". Weakest link: {weakest_link}" if weakest_link else "")
        + (f". Dashed rings: what the phase needs ({needed})" if needs else "")
        + "."
    )


def triangle(
    corners: Mapping[str, float | None],
    links: Mapping[str, float | None],
    *,
    needs: Mapping[str, float | None] | None = None,
    weakest_corner: str | None = None,
    weakest_link: str | None = None,
    title: str = "Strategic triangle",
) -> Chart:
    """The strategic triangle: authority at the top, capacity and value below.

    Corner circles grow with their strength (0–1); link lines grow with theirs.
    ``needs`` (what the phase needs, 0–1) is drawn as a dashed ring; the
    weakest corner and link are outlined in vermillion and named in text.
    """
    width, height = 420, 350
    xy = _canvas(width, height)
    rows, labels = _triangle_links(links, weakest_link)
    parts = _triangle_corners(corners, needs, weakest_corner)
    layers = _triangle_side_marks(rows, labels, xy) + _triangle_corner_marks(parts, xy)
    chart = alt.layer(*layers).properties(width=width, height=height)
    alt_text = _triangle_alt(title, corners, links, needs, weakest_corner, weakest_link)
    return Chart(_render(chart, title, alt_text), alt_text, title)


def _norm_link(name: str) -> tuple[str, str]:
    for sep in ("->", "→", "_to_", "-", "_", ">", " to "):
        if sep in name:
            a, b = name.split(sep, 1)
            return a.strip().lower(), b.strip().lower()
    return name.lower(), ""


def _same_link(name: str, a: str, b: str) -> bool:
    x, y = _norm_link(name)
    return {x, y} == {a, b}


def _lookup_link(links: Mapping[str, float | None], a: str, b: str) -> float | None:
    for key, value in links.items():
        if _same_link(key, a, b):
            return value
    return None


def _curve(p: float) -> float:
    return 1 / (1 + math.exp(-(p - 2.3) * 1.9))


def _curve_axes() -> tuple[Any, Any]:
    """The phases along x (numbered, named on two lines), value up y (no scale: a sketch)."""
    ticks = [f"{k} {name}".split(" ", 2) for k, name in enumerate(PHASES)]
    tick_lines = [[" ".join(w[:2])] + w[2:] for w in ticks]
    x = alt.X(
        "p:Q",
        scale=alt.Scale(domain=[0, len(PHASES) - 1], nice=False, zero=False),
        title=None,
        axis=alt.Axis(
            values=list(range(len(PHASES))),
            labelExpr=f"{json.dumps(tick_lines)}[datum.value]",
            labelFontSize=11,
            labelFlush=False,
            grid=False,
        ),
    )
    y = alt.Y(
        "v:Q",
        scale=alt.Scale(domain=[0, 1], nice=False),
        title="value",
        axis=alt.Axis(labels=False, ticks=False, grid=False),
    )
    return x, y


def _curve_marks(
    x: Any, y: Any, phase: int | None, history: Sequence[tuple[str, int]]
) -> list[Any]:
    """The curve, the numbered history points and the "now" point."""
    curve = [{"p": k / 10, "v": _curve(k / 10)} for k in range(10 * (len(PHASES) - 1) + 1)]
    marks: list[Any] = [
        alt.Chart(_values(curve))
        .mark_line(color="#0072B2", strokeWidth=3, aria=False)
        .encode(x=x, y=y),
    ]
    past = [
        {"p": p, "v": _curve(p), "n": str(n), "label": f"{date}: phase {p}"}
        for n, (date, p) in enumerate(history, start=1)
    ]
    if past:
        marks += [
            alt.Chart(_values(past))
            .mark_point(
                shape="circle", filled=True, fill="#ffffff", stroke="#555555", size=324, opacity=1
            )
            .encode(x=x, y=y, description=alt.Description("label:N")),
            alt.Chart(_values(past))
            .mark_text(fontSize=10, baseline="middle", aria=False)
            .encode(x=x, y=y, text="n:N"),
        ]
    if phase is not None:
        now = [{"p": phase, "v": _curve(phase), "text": "now"}]
        marks += [
            alt.Chart(_values(now))
            .mark_point(
                shape="circle", filled=True, fill=_VERMILLION, stroke="#000000", opacity=1, size=484
            )
            .encode(x=x, y=y),
            alt.Chart(_values(now))
            .mark_text(fontWeight="bold", baseline="alphabetic", dy=-16, aria=False)
            .encode(x=x, y=y, text="text:N"),
        ]
    return marks


def value_curve(
    phase: int | None,
    history: Sequence[tuple[str, int]] = (),
    *,
    title: str = "Position on the lifecycle value curve",
) -> Chart:
    """The lifecycle's S-shaped value curve with the innovation's phase marked.

    The curve is the reports' sketch (value low through design, rising in
    mobilisation and mainstreaming, highest when embedded), not a measurement.
    ``history`` is ``(date, phase)`` pairs, drawn as numbered points.
    """
    x, y = _curve_axes()
    chart = alt.layer(*_curve_marks(x, y, phase, history)).properties(width=510, height=170)
    alt_text = (
        f"{title}. "
        + (
            f"Now in phase {phase} ({PHASES[phase]})."
            if phase is not None and 0 <= phase < len(PHASES)
            else "Phase not given."
        )
        + (" History: " + "; ".join(f"{d}: phase {p}" for d, p in history) + "." if history else "")
    )
    return Chart(_render(chart, title, alt_text), alt_text, title)


# -- the static network picture --------------------------------------------------


def _snapshot_rows(
    x: Sequence[float],
    y: Sequence[float],
    colours: Sequence[str],
    sizes: Sequence[float],
    edges: Sequence[tuple[int, int]],
    names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The links (an even sample past :data:`SNAPSHOT_MAX_LINKS`) and the people, smallest first."""
    if len(edges) > SNAPSHOT_MAX_LINKS:
        stride = len(edges) / SNAPSHOT_MAX_LINKS
        edges = [edges[int(k * stride)] for k in range(SNAPSHOT_MAX_LINKS)]
    links = [
        {"x": round(x[a], 4), "y": round(y[a], 4), "x2": round(x[b], 4), "y2": round(y[b], 4)}
        for a, b in edges
    ]
    people = [
        {
            "x": round(x[i], 4),
            "y": round(y[i], 4),
            "group": names.get(colours[i], colours[i]),
            "size": round((2 * sizes[i]) ** 2, 2),
        }
        for i in sorted(range(len(x)), key=lambda i: sizes[i])
    ]
    return links, people


def _one_line_style(svg: str) -> str:
    """Every link has the same stroke: say it once, on their group (a smaller file)."""
    line_style = ' stroke="#999999" stroke-opacity="0.25" stroke-width="0.4"'
    return svg.replace(line_style + "/>", "/>").replace(
        '<g class="mark-rule role-mark layer_0_marks"',
        '<g class="mark-rule role-mark layer_0_marks"' + line_style,
        1,
    )


def network_snapshot(
    x: Sequence[float],
    y: Sequence[float],
    colours: Sequence[str],
    sizes: Sequence[float],
    edges: Sequence[tuple[int, int]],
    *,
    title: str,
    alt: str,
    legend: Mapping[str, str],
) -> Chart:
    """A static picture of the network map (for the PDF and for printing).

    People are points (``sizes`` are radii in pixels), links are rules; beyond
    :data:`SNAPSHOT_MAX_LINKS` links an evenly spaced sample is drawn.
    """
    xmin, xmax = min(x, default=0.0), max(x, default=1.0)
    ymin, ymax = min(y, default=0.0), max(y, default=1.0)
    s = min((640 - 24 - 150) / ((xmax - xmin) or 1), (520 - 24) / ((ymax - ymin) or 1))
    names = {colour: name for name, colour in legend.items()}
    links, people = _snapshot_rows(x, y, colours, sizes, edges, names)
    others = sorted({c for c in colours if c not in names})
    pos = {
        "x": altair.X(
            "x:Q", scale=altair.Scale(domain=[xmin, xmax or 1.0], nice=False, zero=False), axis=None
        ),
        "y": altair.Y(
            "y:Q", scale=altair.Scale(domain=[ymin, ymax or 1.0], nice=False, zero=False), axis=None
        ),
    }
    colour = altair.Color(
        "group:N",
        scale=altair.Scale(domain=[*legend, *others], range=[*legend.values(), *others]),
        legend=altair.Legend(title=None, values=list(legend), symbolSize=120, offset=24),
    )
    chart = altair.layer(
        altair.Chart(altair.NamedData(name="links"))
        .mark_rule(color="#999999", strokeOpacity=0.25, strokeWidth=0.4, aria=False)
        .encode(**pos, x2="x2:Q", y2="y2:Q"),
        altair.Chart(altair.NamedData(name="people"))
        .mark_circle(opacity=1, aria=False)
        .encode(**pos, size=altair.Size("size:Q", scale=None), color=colour),
    ).properties(width=max(40, (xmax - xmin) * s), height=max(40, (ymax - ymin) * s))
    svg = _render(chart, title, alt, {"links": links, "people": people})
    return Chart(_one_line_style(svg), alt, title)


# -- change over time ----------------------------------------------------------

#: The three parts of a network's tie change, in order, with their colours.
TIE_CHANGE_PARTS: tuple[tuple[str, str], ...] = (
    ("kept", OKABE_ITO[0]),
    ("gained", OKABE_ITO[2]),
    ("lost", OKABE_ITO[5]),
)


def stacked_counts(
    items: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    parts: Sequence[tuple[str, str]] = TIE_CHANGE_PARTS,
    width: int = 560,
) -> Chart:
    """Horizontal bars split into counted parts (e.g. ties kept, gained and lost per network)."""
    names = [p for p, _ in parts]
    left = min(14 + 7 * max((len(k) for k, _ in items), default=4), 220)
    plot_w = max(160, width - left - 40)
    data = []
    for name, counts in items:
        start = 0
        for part, count in zip(names, counts, strict=True):
            data.append(
                {
                    "name": name,
                    "part": part,
                    "start": start,
                    "end": start + count,
                    "label": f"{name}, {part}: {count:,}",
                }
            )
            start += count
    chart = (
        alt.Chart(_values(data))
        .mark_bar(size=18)
        .encode(
            y=_bar_names([k for k, _ in items]),
            x=alt.X(
                "start:Q",
                title="ties",
                axis=alt.Axis(format=",~f", tickCount=5, labelColor="#555555", labelFontSize=11),
            ),
            x2="end:Q",
            color=alt.Color(
                "part:N",
                scale=alt.Scale(domain=names, range=[c for _, c in parts]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal"),
            ),
            description=alt.Description("label:N"),
        )
        .properties(width=plot_w, height=alt.Step(26))
    )
    alt_text = f"{title}. " + "; ".join(
        f"{name}: " + ", ".join(f"{p} {c:,}" for p, c in zip(names, counts, strict=True))
        for name, counts in items
    )
    return Chart(_render(chart, title, alt_text), alt_text, title)
