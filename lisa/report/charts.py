"""The report's charts: small, dependency-free SVG drawn in Python.

One chart library used everywhere: the same SVG goes inline into the HTML
report and, unchanged, into the PDF (WeasyPrint draws SVG), so the two never
disagree. Every chart is an :class:`Chart` with a title and a text
alternative (``alt``); the templates put the SVG in a ``<figure>`` beside a
table of the same numbers.

Colours are colour-blind safe: categories use the Okabe–Ito palette
(Okabe & Ito 2008), quantities the viridis scale (van der Walt & Smith 2015),
whose lightness rises steadily so it also reads in greyscale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

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
    """An SVG chart and its text alternative."""

    svg: str
    alt: str
    title: str = ""

    def __html__(self) -> str:  # Jinja2 treats it as safe markup
        return self.svg


def _svg(width: float, height: float, body: list[str], title: str, alt: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" class="chart" '
        f'font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(alt)}</desc>" + "".join(body) + "</svg>"
    )


def _label(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


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
    left = 12 + 7 * max((len(r) for r in rows), default=4)
    top = 30 + 6.2 * max((len(c) for c in cols), default=4) * 0.75
    width = left + cell * len(cols) + 16
    height = top + cell * len(rows) + 34
    flat = [v for r in rows for c in cols if (v := values.get(r, {}).get(c)) is not None]
    vmax = max(flat, default=0.0) or 1.0
    body: list[str] = []
    for j, c in enumerate(cols):
        x = left + cell * j + cell / 2
        body.append(
            f'<text x="{x:.1f}" y="{top - 6:.1f}" text-anchor="start" '
            f'transform="rotate(-40 {x:.1f} {top - 6:.1f})">{escape(c)}</text>'
        )
    for i, r in enumerate(rows):
        y = top + cell * i
        body.append(_label(left - 6, y + cell / 2 + 4, r, "end"))
        for j, c in enumerate(cols):
            v = values.get(r, {}).get(c)
            x = left + cell * j
            colour = viridis(v / vmax) if v is not None else "#eeeeee"
            text = "–" if v is None else (pct(v) if fmt == "pct" else num(v, 3))
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{colour}"><title>{escape(f"{r} → {c}: {text}")}</title></rect>'
            )
            body.append(
                _label(
                    x + (cell - 2) / 2,
                    y + cell / 2 + 3,
                    text,
                    "middle",
                    fill=_text_on(colour),
                    font_size="11",
                )
            )
    body.append(
        _label(left, height - 12, f"rows: {row_axis}; columns: {col_axis}; colour: {value_label}")
    )
    alt = (
        f"{title}. Heatmap of {value_label} for {len(rows)} × {len(cols)} groups; "
        f"the highest is {num(vmax)}. The numbers are in the table below."
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


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
    left = 14 + 7 * max((len(k) for k, _ in items), default=4)
    left = min(left, 220)
    bar_h, gap, top = 20, 8, 10
    plot_w = width - left - 110
    height = top + (bar_h + gap) * len(items) + (28 if reference else 12)
    finite = [abs(v) for _, v in items if v is not None]
    scale_max = vmax or max(finite + ([reference[0]] if reference else []), default=1.0) or 1.0
    body: list[str] = []
    for i, (name, v) in enumerate(items):
        y = top + (bar_h + gap) * i
        body.append(_label(left - 6, y + bar_h * 0.72, name, "end"))
        w = 0.0 if v is None else max(0.0, min(1.0, v / scale_max)) * plot_w
        colour = (colours or {}).get(name, OKABE_ITO[0])
        text = "–" if v is None else (pct(v) if fmt == "pct" else num(v))
        if marks and marks.get(name):
            text += f" ({marks[name]})"
        body.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{escape(f'{name}: {text}')}</title></rect>"
        )
        body.append(_label(left + w + 5, y + bar_h * 0.72, text))
    if reference:
        x = left + min(1.0, reference[0] / scale_max) * plot_w
        y_end = top + (bar_h + gap) * len(items)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{y_end}" stroke="#333" '
            'stroke-dasharray="4 3"/>'
        )
        body.append(_label(x, y_end + 14, reference[1], "middle", font_size="11"))
    alt = f"{title}. " + "; ".join(
        f"{k}: {'–' if v is None else (pct(v) if fmt == 'pct' else num(v))}" for k, v in items
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


def paired_bars(
    items: Sequence[tuple[str, float, float]],
    *,
    title: str,
    labels: tuple[str, str],
    width: int = 560,
) -> Chart:
    """Two bars per item (e.g. a scenario's loss beside the random baseline), as shares."""
    left = min(14 + 7 * max((len(k) for k, _, _ in items), default=4), 230)
    bar_h, top = 11, 30
    row_h = 2 * bar_h + 10
    plot_w = width - left - 70
    height = top + row_h * len(items) + 8
    scale_max = max([max(a, b) for _, a, b in items] + [0.05])
    colours = (OKABE_ITO[5], OKABE_ITO[7])
    body = [
        f'<rect x="{left}" y="6" width="12" height="12" fill="{colours[0]}"/>',
        _label(left + 16, 16, labels[0]),
        f'<rect x="{left + 160}" y="6" width="12" height="12" fill="{colours[1]}"/>',
        _label(left + 176, 16, labels[1]),
    ]
    for i, (name, a, b) in enumerate(items):
        y = top + row_h * i
        body.append(_label(left - 6, y + bar_h + 4, name, "end"))
        for k, v in enumerate((a, b)):
            w = max(0.0, v) / scale_max * plot_w
            yy = y + k * bar_h
            body.append(
                f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" '
                f'fill="{colours[k]}"><title>{escape(f"{name}, {labels[k]}: {pct(v)}")}</title></rect>'
            )
            body.append(_label(left + w + 4, yy + bar_h - 2, pct(v), font_size="10"))
    alt = f"{title}. " + "; ".join(
        f"{n}: {labels[0]} {pct(a)}, {labels[1]} {pct(b)}" for n, a, b in items
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


def layer_picture(
    layers: Sequence[str],
    people: Mapping[str, int],
    horizontal: Mapping[str, float | None],
    vertical: Mapping[str, float | None],
    overall: float,
    thin_ratio: float,
    *,
    title: str = "The four layers and the links between them",
) -> Chart:
    """The reports' picture of a local innovation system, drawn from the data.

    Each layer is a band; the number of links drawn inside it grows with its
    within-layer (horizontal) density, and the connectors between adjacent
    layers grow with their (vertical) density. A link is *thin* below
    ``thin_ratio`` × the overall density and *dense* at or above the overall
    density (the thresholds of the ``thin-*-links`` findings).
    """

    def verdict(d: float | None) -> str:
        if d is None:
            return "no data"
        if d < thin_ratio * overall:
            return "thin"
        if d >= overall:
            return "dense"
        return "moderate"

    def stroke(d: float | None) -> float:
        if not d or overall <= 0:
            return 0.6
        return max(0.6, min(14.0, 3.0 * d / overall))

    width, band_h, gap, left = 640, 58, 46, 150
    height = 20 + len(layers) * band_h + (len(layers) - 1) * gap + 20
    body: list[str] = []
    ys: dict[str, float] = {}
    for i, layer in enumerate(layers):
        y = 20 + i * (band_h + gap)
        ys[layer] = y
        colour = LAYER_COLOURS.get(layer, NO_GROUP_COLOUR)
        d = horizontal.get(layer)
        v = verdict(d)
        body.append(
            f'<rect x="{left}" y="{y}" width="{width - left - 180}" height="{band_h}" rx="8" '
            f'fill="{colour}" fill-opacity="0.18" stroke="{colour}" stroke-width="2"/>'
        )
        body.append(_label(left - 10, y + band_h / 2 - 2, layer, "end", font_weight="bold"))
        body.append(
            _label(left - 10, y + band_h / 2 + 14, f"{people.get(layer, 0):,} people", "end")
        )
        # horizontal links: a zig-zag whose weight and dash show the density
        x0, x1 = left + 24, width - 180 - 24
        pts = " ".join(
            f"{x0 + (x1 - x0) * k / 8:.1f},{y + band_h / 2 + (10 if k % 2 else -10):.1f}"
            for k in range(9)
        )
        dash = ' stroke-dasharray="3 5"' if v == "thin" else ""
        body.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" '
            f'stroke-width="{stroke(d):.1f}"{dash} stroke-linejoin="round"/>'
        )
        body.append(
            _label(width - 170, y + band_h / 2 + 4, f"within: {num(d)} ({v})", font_size="12")
        )
    for upper, lower in zip(layers, layers[1:], strict=False):
        key = f"{upper}-{lower}"
        d = vertical.get(key)
        v = verdict(d)
        y_a, y_b = ys[upper] + band_h, ys[lower]
        dash = ' stroke-dasharray="3 5"' if v == "thin" else ""
        band_w = width - left - 180
        for x in (left + band_w * 0.2, left + band_w * 0.5, left + band_w * 0.8):
            body.append(
                f'<line x1="{x:.1f}" y1="{y_a}" x2="{x:.1f}" y2="{y_b}" stroke="#333" '
                f'stroke-width="{stroke(d):.1f}"{dash}/>'
            )
        body.append(
            _label(width - 170, (y_a + y_b) / 2 + 4, f"between: {num(d)} ({v})", font_size="12")
        )
    alt = (
        f"{title}. Overall density {num(overall)}. "
        + "; ".join(
            f"within {k}: {num(horizontal.get(k))} ({verdict(horizontal.get(k))})" for k in layers
        )
        + "; "
        + "; ".join(f"between {k}: {num(d)} ({verdict(d)})" for k, d in vertical.items())
        + "."
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


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
    pos = {"authority": (210.0, 66.0), "capacity": (70.0, 270.0), "value": (350.0, 270.0)}
    body: list[str] = []
    pairs = (("authority", "capacity"), ("capacity", "value"), ("value", "authority"))
    for a, b in pairs:
        key = f"{a}-{b}"
        s = _lookup_link(links, a, b)
        weak = weakest_link is not None and _same_link(weakest_link, a, b)
        (x1, y1), (x2, y2) = pos[a], pos[b]
        w = 1.5 + 10 * (s or 0)
        colour = "#D55E00" if weak else "#555"
        dash = ' stroke-dasharray="6 4"' if s is None else ""
        body.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
            f'stroke-width="{w:.1f}"{dash}><title>{escape(f"{key}: {num(s, 2)}")}</title></line>'
        )
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        label = f"{a}→{b}: {num(s, 2)}" + (" (weakest)" if weak else "")
        dy = 18 if a == "capacity" else 0
        dx = -64 if a == "authority" else (64 if a == "value" else 0)
        body.append(_label(mx + dx, my + dy, label, "middle", font_size="11", fill=colour))
    for name, (x, y) in pos.items():
        s = corners.get(name)
        r = 14 + 30 * (s or 0)
        weak = weakest_corner == name
        if needs and needs.get(name) is not None:
            rn = 14 + 30 * float(needs[name] or 0)
            body.append(
                f'<circle cx="{x}" cy="{y}" r="{rn:.1f}" fill="none" stroke="#000" '
                'stroke-dasharray="3 3"/>'
            )
        body.append(
            f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="#0072B2" fill-opacity="0.75" '
            f'stroke="{"#D55E00" if weak else "#0072B2"}" stroke-width="{4 if weak else 1}"/>'
        )
        body.append(_label(x, y + 4, num(s, 2), "middle", fill="#fff", font_weight="bold"))
        reach = max(r, 14 + 30 * float((needs or {}).get(name) or 0))
        ty = y - reach - 8 if name == "authority" else y + reach + 16
        body.append(
            _label(x, ty, name + (" (weakest)" if weak else ""), "middle", font_weight="bold")
        )
    alt = (
        f"{title}. Corners: "
        + ", ".join(f"{k} {num(corners.get(k), 2)}" for k in pos)
        + ". Links: "
        + ", ".join(f"{a}→{b} {num(_lookup_link(links, a, b), 2)}" for a, b in pairs)
        + (f". Weakest corner: {weakest_corner}" if weakest_corner else "")
        + (f". Weakest link: {weakest_link}" if weakest_link else "")
        + (
            ". Dashed rings: what the phase needs ("
            + ", ".join(f"{k} {num(v, 2)}" for k, v in needs.items())
            + ")"
            if needs
            else ""
        )
        + "."
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


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


PHASES: tuple[str, ...] = (
    "Latent",
    "Design and discovery",
    "Mobilisation",
    "Mainstreaming",
    "Embedding",
)


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
    width, height, left, right, top, bottom = 620, 260, 50, 60, 20, 70
    pw, ph = width - left - right, height - top - bottom

    def xy(p: float) -> tuple[float, float]:
        x = left + pw * p / 4
        v = 1 / (1 + math.exp(-(p - 2.3) * 1.9))
        return x, top + ph * (1 - v)

    pts = " ".join(f"{xy(k / 10)[0]:.1f},{xy(k / 10)[1]:.1f}" for k in range(41))
    body = [
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#333"/>',
        _label(14, top + ph / 2, "value", "middle", transform=f"rotate(-90 14 {top + ph / 2})"),
        f'<polyline points="{pts}" fill="none" stroke="#0072B2" stroke-width="3"/>',
    ]
    for k, name in enumerate(PHASES):
        x, _ = xy(k)
        body.append(
            f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 5}" stroke="#333"/>'
        )
        words = f"{k} {name}".split(" ", 2)
        body.append(_label(x, top + ph + 18, " ".join(words[:2]), "middle", font_size="11"))
        if len(words) > 2:
            body.append(_label(x, top + ph + 31, words[2], "middle", font_size="11"))
    for n, (date, p) in enumerate(history, start=1):
        x, y = xy(p)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#fff" stroke="#555"/>'
            + _label(x, y + 4, str(n), "middle", font_size="10")
            + f"<title>{escape(f'{date}: phase {p}')}</title>"
        )
    if phase is not None:
        x, y = xy(phase)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#D55E00" stroke="#000"/>')
        body.append(_label(x, y - 16, "now", "middle", font_weight="bold"))
    alt = (
        f"{title}. "
        + (
            f"Now in phase {phase} ({PHASES[phase]})."
            if phase is not None and 0 <= phase < len(PHASES)
            else "Phase not given."
        )
        + (" History: " + "; ".join(f"{d}: phase {p}" for d, p in history) + "." if history else "")
    )
    return Chart(_svg(width, height, body, title, alt), alt, title)


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
    """A static picture of the network map (for the PDF and for printing)."""
    width, height, pad = 640, 520, 12
    xmin, xmax = min(x, default=0.0), max(x, default=1.0)
    ymin, ymax = min(y, default=0.0), max(y, default=1.0)
    sx = (width - 2 * pad - 150) / ((xmax - xmin) or 1)
    sy = (height - 2 * pad) / ((ymax - ymin) or 1)
    s = min(sx, sy)

    def px(i: int) -> tuple[float, float]:
        return pad + (x[i] - xmin) * s, pad + (ymax - y[i]) * s

    body = ['<g stroke="#999" stroke-opacity="0.25" stroke-width="0.4">']
    for a, b in edges:
        (x1, y1), (x2, y2) = px(a), px(b)
        body.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    body.append("</g><g>")
    order = sorted(range(len(x)), key=lambda i: sizes[i])
    for i in order:
        cx, cy = px(i)
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{sizes[i]:.1f}" fill="{colours[i]}"/>')
    body.append("</g>")
    lx = width - 140
    for k, (name, colour) in enumerate(legend.items()):
        body.append(f'<circle cx="{lx}" cy="{20 + 18 * k}" r="6" fill="{colour}"/>')
        body.append(_label(lx + 12, 24 + 18 * k, name))
    return Chart(_svg(width, height, body, title, alt), alt, title)
