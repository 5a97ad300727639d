"""Charts drawn on the server as inline SVG: no JavaScript, no CDN."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 34
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#dc3545", "#6c757d")
TOTAL_COLOUR = "#212529"  # "All integrations", the same on every chart


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times 10^n at or above `value` (at least 1), for the top of the axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def axis_ticks(highest: float, *, whole: bool) -> list[float]:
    """Gridline values from 0 to the top, a round step apart (about four steps); whole numbers for counts."""
    step = nice_ceiling(highest / 4) if highest > 5 else max(highest, 1) / 4
    if whole:
        step = max(1, round(step))
    top = step * max(4 if highest <= 5 and not whole else 1, math.ceil(highest / step))
    return [step * tick for tick in range(round(top / step) + 1)]


def money_format(top: float) -> str:
    """One format for every label of a money axis: pennies only while the amounts are small."""
    return ",.2f" if top < 1000 else ",.0f"


def _number(value: float, money: bool, top: float) -> str:
    return format(value, money_format(top) if money else ",.0f")


def colour_for(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def line_chart(
    *,
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[int | Decimal]]],
    title: str,
    money: bool = False,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """One line per series over the days, with a y axis from 0 and a legend; a single series is drawn as bars.

    `colours` (one per series) keeps an integration's colour the same on every chart of a page.
    """
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [float(v) for _, points in series for v in points]
    ticks = axis_ticks(max(values, default=0), whole=not money)
    top = ticks[-1]
    count = max(len(days), 1)
    step = plot_width / count

    def x(position: int) -> float:
        return LEFT + step * (position + 0.5)

    def y(value: float) -> float:
        return TOP + plot_height - plot_height * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 18 * len(series) + 8}" '
        f'class="activity-chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for value in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#dee2e6"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#6c757d">'
            f"{_number(value, money, top)}</text>"
        )
    label_every = max(1, math.ceil(count / 8))
    for position, day in enumerate(days):
        last_labelled = (count - 1) // label_every * label_every
        closing = position == count - 1 and position - last_labelled > label_every / 2
        if position % label_every == 0 or closing:
            parts.append(
                f'<text x="{x(position):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                f'fill="#6c757d">{day.day} {day:%b}</text>'
            )
    for number, (label, points) in enumerate(series):
        colour = colours[number] if colours else colour_for(number)
        if len(series) == 1:
            width = max(step * 0.7, 1)
            for position, value in enumerate(points):
                height = plot_height * float(value) / top
                parts.append(
                    f'<rect x="{x(position) - width / 2:.1f}" y="{y(float(value)):.1f}" width="{width:.1f}" '
                    f'height="{height:.1f}" fill="{colour}"><title>{days[position]:%d %b %Y}: '
                    f"{_number(float(value), money, top)}</title></rect>"
                )
        else:
            coordinates = " ".join(f"{x(p):.1f},{y(float(v)):.1f}" for p, v in enumerate(points))
            parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2"/>')
        legend_y = HEIGHT + 6 + 18 * number
        parts.append(
            f'<rect x="{LEFT}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{LEFT + 18}" y="{legend_y + 10}" font-size="12">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above


def share_bar(shares: dict[str, int], labels: dict[str, str]) -> SafeString:
    """A single 100% bar of the order kinds."""
    colours = {"avasam": "#198754", "non_avasam": "#6c757d", "mixed": "#fd7e14"}
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 28" class="activity-share" role="img" '
        'aria-label="Share of Avasam, non-Avasam and mixed orders">'
    ]
    offset = 0.0
    for kind, share in shares.items():
        if share:
            parts.append(
                f'<rect x="{offset * 4:.1f}" y="0" width="{share * 4:.1f}" height="28" fill="{colours[kind]}">'
                f"<title>{escape(labels[kind])}: {share}%</title></rect>"
            )
            offset += share
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped above
