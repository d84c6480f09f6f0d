"""Charts drawn on the server as inline SVG (issue 15): crisp at any zoom, no JavaScript, and
accessible — each ``<svg role="img">`` is named by its ``<title>`` and described by its ``<desc>``,
and every page shows the same numbers in a table beside it (the table is what screen readers and
the tests read).

Colours come from classes styled in ``static/css/charts.css`` (with ``fill`` attributes as a fallback):
the Content-Security-Policy allows no inline ``style``. Callers pass text already translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

FONT = 12
FALLBACK_FILL = {"renewed": "#4c8c4a", "in-window": "#d9822b", "not-yet": "#5b7db1", "awaiting": "#d9822b",
                 "received": "#5b7db1", "count": "#5b7db1", "locks": "#d9822b", "blocks": "#b3372f",
                 "delivered": "#4c8c4a", "voided": "#b3372f", "valid": "#5b7db1", "window": "#d9822b"}


@dataclass(frozen=True)
class Series:
    key: str  # css class suffix: chart-<key>
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class Marker:
    """A dashed vertical line at category ``index`` (drawn at its left edge), labelled."""

    index: int
    label: str


def _svg_open(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-size="{FONT}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def text_width(text: str) -> float:
    """About how wide ``text`` is drawn: a full-width (CJK) character is one em, others about 0.6 em."""
    return sum(FONT if ord(character) >= 0x2E80 else FONT * 0.6 for character in text)


def nice_maximum(value: int) -> int:
    """A round top for the value axis: 1, 2, 5 × 10ⁿ (at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _ticks(top: int) -> list[int]:
    step = max(top // 5, 1) if top >= 5 else 1
    return list(range(0, top + 1, step))


def _legend(parts: list[str], series: Sequence[Series], x: float, y: float) -> None:
    for series_ in series:
        parts.append(f'<rect class="chart-{series_.key}" fill="{FALLBACK_FILL.get(series_.key, "#777")}" '
                     f'x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y:.1f}">{escape(series_.label)}</text>')
        x += 16 + text_width(series_.label) + 2 * FONT


def stacked_bars(*, chart_id: str, title: str, description: str, categories: Sequence[str],
                 series: Sequence[Series], marker: Marker | None = None, label_every: int = 1,
                 label_from_end: bool = False, width: int = 640, height: int = 260) -> Markup:
    """Vertical bars, one per category, each stacked from ``series`` (bottom first); every ``label_every``-th
    category labelled, counted from the first (or, ``label_from_end``, from the last: today on a day axis)."""
    left, right, top, bottom = 40, 10, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = nice_maximum(max(totals, default=0))
    slot = plot_w / max(len(categories), 1)
    bar_w = max(slot * 0.7, 1.0)
    parts = _svg_open(chart_id, title, description, width, height)
    _legend(parts, series, left, 14)
    for tick in _ticks(top_value):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line class="chart-grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text class="chart-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        for series_ in series:
            value = series_.values[index]
            if value:
                h = plot_h * value / top_value
                y -= h
                parts.append(
                    f'<rect class="chart-{series_.key}" fill="{FALLBACK_FILL.get(series_.key, "#777")}" '
                    f'x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                    f'<title>{escape(category)} {escape(series_.label)}: {value}</title></rect>')
        last = len(categories) - 1
        step = last - index if label_from_end else index
        if step % label_every == 0 or (index == last and not label_from_end and last % label_every > label_every // 2):
            parts.append(f'<text class="chart-axis" x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="middle">{escape(category)}</text>')
    parts.append(f'<line class="chart-baseline" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                 f'y2="{top + plot_h}" stroke="#333"/>')
    if marker is not None:
        x = left + slot * marker.index
        parts.append(f'<line class="chart-marker" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 18}" y2="{top + plot_h}" '
                     f'stroke="#b3372f" stroke-dasharray="4 3"/>')
        anchor = "end" if marker.index > len(categories) / 2 else "start"  # in the top margin, beside the line
        parts.append(f'<text class="chart-marker-label" x="{x + (-4 if anchor == "end" else 4):.1f}" '
                     f'y="{top - 8}" text-anchor="{anchor}" fill="#b3372f">{escape(marker.label)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def horizontal_bars(*, chart_id: str, title: str, description: str, labels: Sequence[str], values: Sequence[int],
                    key: str = "count", width: int = 640) -> Markup:
    """One horizontal bar per label (long Japanese labels read well on the left)."""
    row_h, right, top = 26, 40, 10
    left = int(min(width * 0.5, max(80.0, max((text_width(label) for label in labels), default=0) + 16)))
    height = top + row_h * len(labels) + 10
    top_value = nice_maximum(max(values, default=0))
    plot_w = width - left - right
    parts = _svg_open(chart_id, title, description, width, height)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + row_h * index
        parts.append(f'<text class="chart-axis" x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        w = plot_w * value / top_value
        if value:
            parts.append(f'<rect class="chart-{key}" fill="{FALLBACK_FILL.get(key, "#777")}" x="{left}" y="{y + 4}" '
                         f'width="{w:.1f}" height="{row_h - 8}"><title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text class="chart-value" x="{left + w + 6:.1f}" y="{y + 17}">{value}</text>')
    parts.append(f'<line class="chart-baseline" x1="{left}" x2="{left}" y1="{top}" y2="{height - 10}" stroke="#333"/>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


@dataclass(frozen=True)
class TimelineRow:
    label: str  # a user ID
    issued: date  # day 1
    window_opens: date  # day 336
    expires: date  # day 366, the last valid day
    note: str  # what the bar's tooltip adds, e.g. "更新期間中"


def timeline(*, chart_id: str, title: str, description: str, rows: Sequence[TimelineRow], today: date,
             today_label: str, legend: tuple[str, str], width: int = 720) -> Markup:
    """Each row a certificate's life: valid (issue → day 336), renewal window (day 336 → expiry); today marked."""
    row_h, left, right, top, bottom = 24, 110, 16, 34, 26
    height = top + row_h * max(len(rows), 1) + bottom
    start = min([row.issued for row in rows] + [today]) if rows else today - timedelta(days=30)
    end = max([row.expires for row in rows] + [today]) + timedelta(days=1) if rows else today + timedelta(days=30)
    span = max((end - start).days, 1)
    plot_w = width - left - right

    def x_of(day: date) -> float:
        return left + plot_w * (day - start).days / span

    parts = _svg_open(chart_id, title, description, width, height)
    _legend(parts, [Series("valid", legend[0], ()), Series("window", legend[1], ())], left, 14)
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            x = x_of(month)
            parts.append(f'<line class="chart-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom}" '
                         f'stroke="#e3e3e3"/>')
            if month.month in (1, 4, 7, 10) or (end - start).days < 200:
                parts.append(f'<text class="chart-axis" x="{x:.1f}" y="{height - bottom + 16}" '
                             f'text-anchor="middle">{month:%Y-%m}</text>')
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for index, row in enumerate(rows):
        y = top + row_h * index
        parts.append(f'<text class="chart-axis" x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(row.label)}'
                     f'</text>')
        for key, first, last in (("valid", row.issued, row.window_opens), ("window", row.window_opens,
                                                                          row.expires + timedelta(days=1))):
            parts.append(
                f'<rect class="chart-{key}" fill="{FALLBACK_FILL[key]}" x="{x_of(first):.1f}" y="{y + 5}" '
                f'width="{max(x_of(last) - x_of(first), 1):.1f}" height="{row_h - 10}">'
                f'<title>{escape(row.label)}: {row.issued.isoformat()} – {row.expires.isoformat()} '
                f'({escape(row.note)})</title></rect>')
    x = x_of(today)
    parts.append(f'<line class="chart-marker" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - bottom}" '
                 f'stroke="#b3372f" stroke-width="2"/>')
    parts.append(f'<text class="chart-marker-label" x="{x:.1f}" y="{top - 8}" text-anchor="middle" '
                 f'fill="#b3372f">{escape(today_label)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
