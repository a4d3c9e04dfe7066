"""Small inline SVG bar charts: no script, no network, readable in any browser and in print."""

from __future__ import annotations

from html import escape

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 6, 230, 360


def bar_chart(title: str, bars: list[tuple[str, float]], color: str = "#3b6ea8", unit: str = "") -> str:
    """Horizontal bars, one per (label, value), with the value written at the bar's end."""
    top = max((value for _, value in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + GAP) + 30
    rows = []
    for i, (label, value) in enumerate(bars):
        y = 28 + i * (BAR_HEIGHT + GAP)
        width = BAR_WIDTH * value / top
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{color}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{value:g}{escape(unit)}</text>'
        )
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{LABEL_WIDTH + BAR_WIDTH + 60}" '
        f'height="{height}" font-size="13"><text x="0" y="16" font-weight="bold">{escape(title)}</text>'
        + "".join(rows) + "</svg>"
    )
