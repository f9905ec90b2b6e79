"""Charts as inline SVG, drawn on the server: no scripts, no external resources.

``week_chart`` draws one or more series over weeks, as lines (with a point per
week and a gap where a week has no value) or as grouped bars; optional shaded
bands mark periods (før/efter) and a dashed reference line a target.
``bar_chart`` draws grouped bars over categories (the continuity distribution).
Every chart has a title, a y-axis label with its unit, an x-axis label, a
legend, and a tooltip (``<title>``) on each point saying the value and the
number of observations. Numbers are written the Danish way (decimal comma).
A chart without a single value draws no axes: it says so in a Danish sentence
(``empty``), in a frame the size of a chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 18, 40, 52
#: A legend character's width at up to 17 px: the stylesheet enlarges the chart's text on
#: phones, where the chart is scaled down to the screen's width.
LEGEND_CHAR = 10.4

#: Series colours (Okabe–Ito, readable with colour blindness) and dash patterns.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
BAND_COLOURS = {"before": "#8c9bab", "after": "#2a7f62"}
#: What an empty chart says when its caller has nothing more particular to say.
EMPTY_DA = "Ingen tal i perioden endnu."


@dataclass(frozen=True)
class Series:
    """One named series: a value (or None) per x position, and observations behind each."""

    name: str
    values: Sequence[float | None]
    observations: Sequence[int] = field(default_factory=tuple)


@dataclass(frozen=True)
class Band:
    """Shade the x positions ``first`` .. ``last`` (inclusive) and label them."""

    first: int
    last: int
    label: str
    kind: str = "before"


@dataclass(frozen=True)
class Reference:
    """A dashed horizontal line at ``value`` with a label (a target)."""

    value: float
    label: str


def number(value: float | None, decimals: int = 1) -> str:
    """A number the Danish way: ``1 234,5``; ``–`` for None; no ``,0`` on whole numbers."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    if decimals and text.endswith("." + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text.replace(",", " ").replace(".", ",").replace("-", "−")


def nice_ticks(low: float, high: float, count: int = 6, integer: bool = False) -> list[float]:
    """Round tick values covering ``low`` .. ``high`` (steps of 1, 2 or 5 × 10ⁿ; whole
    numbers only if ``integer``)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)
    if integer:
        step = max(1, round(step))
    value = math.floor(low / step + 1e-9) * step
    ticks = [round(value, 10)]
    while ticks[-1] < high - 1e-9:
        value += step
        ticks.append(round(value, 10))
    return ticks


def _decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return 0 if step >= 1 else (1 if step >= 0.1 else 2)


class _Frame:
    """Scales from data to the drawing area."""

    def __init__(self, positions: int, ticks: list[float]) -> None:
        self.positions = max(1, positions)
        self.low, self.high = ticks[0], ticks[-1]
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def x(self, index: float) -> float:
        return LEFT + self.plot_w * (index + 0.5) / self.positions

    def slot(self) -> float:
        return self.plot_w / self.positions

    def y(self, value: float) -> float:
        span = self.high - self.low or 1
        return TOP + self.plot_h * (1 - (value - self.low) / span)


def _open(title: str, description: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
        f'font-size="13" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]


def _empty(title: str, message: str, css: str) -> Markup:
    """A chart with nothing to draw: the sentence in a dashed frame, no axes or legend."""
    parts = _open(title, f"{title}. {message}", f"{css} empty")
    parts.append(f'<rect class="empty-frame" x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
                 f'height="{HEIGHT - TOP - BOTTOM}" rx="8" fill="#f6f8fa" stroke="#c5ced8" '
                 'stroke-dasharray="6 4"/>')
    parts.append(f'<text class="empty-message" x="{WIDTH / 2:.1f}" '
                 f'y="{TOP + (HEIGHT - TOP - BOTTOM) / 2 + 5:.1f}" text-anchor="middle" '
                 f'font-size="16" fill="#3b4753">{escape(message)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _axes(frame: _Frame, ticks: list[float], labels: Sequence[str], y_label: str,
          x_label: str, every: int) -> list[str]:
    parts = []
    decimals = _decimals(ticks)
    for tick in ticks:
        y = frame.y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#e3e7ec"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="#4f5d6b">{number(tick, decimals)}</text>')
    if frame.low < 0 < frame.high:
        y = frame.y(0)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#4f5d6b"/>')
    bottom = HEIGHT - BOTTOM
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" '
                 'stroke="#4f5d6b"/>')
    for index, label in enumerate(labels):
        if index % every:
            continue
        parts.append(f'<text x="{frame.x(index):.1f}" y="{bottom + 17}" text-anchor="middle" '
                     f'fill="#1a2430">{escape(label)}</text>')
    parts.append(f'<text x="{LEFT + frame.plot_w / 2:.1f}" y="{HEIGHT - 8}" '
                 f'text-anchor="middle" fill="#4f5d6b">{escape(x_label)}</text>')
    middle = TOP + frame.plot_h / 2
    parts.append(f'<text transform="translate(16 {middle:.1f}) rotate(-90)" '
                 f'text-anchor="middle" fill="#4f5d6b">{escape(y_label)}</text>')
    return parts


def _legend(entries: list[tuple[str, str, str, str]]) -> list[str]:
    """Entries (name, colour, dash, kind: line|bar|band|ref) in a row above the plot."""
    parts = ['<g class="chart-legend">']
    x = LEFT
    for name, colour, dash, kind in entries:
        if kind == "line":
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x}" x2="{x + 22}" y1="16" y2="16" stroke="{colour}" '
                         f'stroke-width="3"{dashed}/><circle cx="{x + 11}" cy="16" r="3.5" '
                         f'fill="{colour}"/>')
        elif kind == "ref":
            parts.append(f'<line x1="{x}" x2="{x + 22}" y1="16" y2="16" stroke="{colour}" '
                         'stroke-width="2" stroke-dasharray="5 4"/>')
        elif kind == "band":
            parts.append(f'<rect x="{x}" y="9" width="22" height="14" fill="{colour}" '
                         'fill-opacity="0.22"/>')
        else:
            parts.append(f'<rect x="{x + 4}" y="9" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{x + 28}" y="21" fill="#1a2430">{escape(name)}</text>')
        x += 28 + LEGEND_CHAR * len(name) + 18
    parts.append("</g>")
    return parts


def _range(values: list[float], reference: Reference | None, zero: bool, unit: str,
           integer: bool) -> list[float]:
    if reference is not None:
        values = [*values, reference.value]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if zero:
        low, high = min(0.0, low), max(0.0, high)
    if high == low:
        high = low + 1
    if unit == "%" and 0 <= low and high <= 100:
        high = max(high, min(100.0, high * 1.1))  # a share's axis never passes 100 %
    return nice_ticks(low, high, integer=integer)


def _tip(series: Series, index: int, label: str, unit: str, decimals: int) -> str:
    value = series.values[index]
    n = series.observations[index] if index < len(series.observations) else None
    text = f"{series.name}, {label}: {number(value, decimals)} {unit}".strip()
    if n is not None:
        text += f" (n = {n})"
    return f"<title>{escape(text)}</title>"


def week_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str, y_label: str,
    x_label: str = "Uge", bars: bool = False, bands: Sequence[Band] = (),
    reference: Reference | None = None, decimals: int = 1, zero: bool = True,
    colours: Sequence[str] = COLOURS, empty: str = EMPTY_DA, zero_is_empty: bool = False,
) -> Markup:
    """Series over weeks (``labels`` per position) as lines, or grouped bars if ``bars``.

    Without a value (or, if ``zero_is_empty``, with only zeros: a count of nothing)
    the chart is the ``empty`` sentence instead of an empty axis.
    """
    values = [v for s in series for v in s.values if v is not None]
    if not values or (zero_is_empty and not any(values)):
        return _empty(title, empty, "bars" if bars else "lines")
    ticks = _range(values, reference, zero or bars, unit, integer=decimals == 0)
    frame = _Frame(len(labels), ticks)
    description = f"{title}. " + "; ".join(
        f"{s.name}: " + ", ".join(f"{label} {number(v, decimals)}"
                                  for label, v in zip(labels, s.values, strict=False))
        for s in series)
    parts = _open(title, description, "bars" if bars else "lines")
    for band in bands:
        x0 = frame.x(band.first) - frame.slot() / 2
        x1 = frame.x(band.last) + frame.slot() / 2
        colour = BAND_COLOURS.get(band.kind, "#8c9bab")
        parts.append(f'<rect class="band {band.kind}" x="{x0:.1f}" y="{TOP}" '
                     f'width="{x1 - x0:.1f}" height="{frame.plot_h}" fill="{colour}" '
                     'fill-opacity="0.16"/>')
        parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{TOP + 15}" text-anchor="middle" '
                     f'font-weight="600" fill="#3b4753">{escape(band.label)}</text>')
    every = max(1, math.ceil(len(labels) / 14))
    parts += _axes(frame, ticks, labels, y_label, x_label, every)
    if reference is not None:
        y = frame.y(reference.value)
        parts.append(f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#6b7785" stroke-width="2" stroke-dasharray="5 4"/>')
    base = frame.y(max(ticks[0], min(0.0, ticks[-1])))
    for number_, one in enumerate(series):
        colour, dash = colours[number_ % len(colours)], DASHES[number_ % len(DASHES)]
        if bars:
            width = frame.slot() * 0.8 / max(1, len(series))
            for index, value in enumerate(one.values):
                if value is None:
                    continue
                x = frame.x(index) - frame.slot() * 0.4 + number_ * width
                y = frame.y(value)
                top, height = min(y, base), abs(base - y)
                parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width - 1:.1f}" '
                             f'height="{max(height, 0.5):.1f}" fill="{colour}">'
                             f"{_tip(one, index, labels[index], unit, decimals)}</rect>")
            continue
        segments: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(one.values):
            if value is None:
                segments.append([])
            else:
                segments[-1].append((frame.x(index), frame.y(value)))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                             f'stroke-width="2.5"{dashed}/>')
        for index, value in enumerate(one.values):
            if value is not None:
                parts.append(f'<circle cx="{frame.x(index):.1f}" cy="{frame.y(value):.1f}" '
                             f'r="4.5" fill="{colour}" stroke="#fff" stroke-width="1.5">'
                             f"{_tip(one, index, labels[index], unit, decimals)}</circle>")
    entries = [(s.name, colours[i % len(colours)], DASHES[i % len(DASHES)],
                "bar" if bars else "line") for i, s in enumerate(series)]
    if reference is not None:
        entries.append((reference.label, "#6b7785", "", "ref"))
    parts += _legend(entries)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, unit: str,
              y_label: str, x_label: str, decimals: int = 0,
              colours: Sequence[str] = COLOURS, empty: str = EMPTY_DA) -> Markup:
    """Grouped bars over categories (e.g. 1, 2, … 10+ distinct staff), before and after."""
    return week_chart(title, categories, series, unit=unit, y_label=y_label, x_label=x_label,
                      bars=True, decimals=decimals, colours=colours, empty=empty)
