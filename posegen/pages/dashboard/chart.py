"""Geometry for the dashboard's server-rendered SVG bar charts (no chart library, no JavaScript).

Pure presentation: takes a daily series and returns bar rectangles, axis ticks and labels in the
SVG's own coordinates; the template only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats

from posegen.selectors.activity import DailyValue

WIDTH = 360
HEIGHT = 180
LEFT = 30  # room for the value ticks
RIGHT = 8
TOP = 12
BOTTOM = 24  # room for the date labels
LABEL_EVERY = 7  # a date label every week, counted back from today so today is always labelled


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day_label: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


def _nice_max(value: int) -> int:
    """Four equal steps of 1, 2 or 5 × 10^n reaching `value` (so every tick is a round whole number)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if 4 * factor * step >= value:
                return 4 * factor * step
        step *= 10


def bar_chart(*, series: Sequence[DailyValue]) -> dict:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = _nice_max(max((p.value for p in series), default=0))
    slot = plot_w / max(len(series), 1)
    gap = min(4.0, slot * 0.25)
    bars, labels = [], []
    for i, point in enumerate(series):
        shown = max(point.value, 0)  # a refund-heavy day (negative spend) draws no bar; the table shows it
        h = plot_h * shown / top_value
        x = LEFT + i * slot + gap / 2
        bars.append(Bar(x=round(x, 2), y=round(TOP + plot_h - h, 2), width=round(slot - gap, 2),
                        height=round(h, 2), day_label=formats.date_format(point.day, "j M"), value=point.value))
        if (len(series) - 1 - i) % LABEL_EVERY == 0:
            labels.append(XLabel(x=round(x + (slot - gap) / 2, 2), label=formats.date_format(point.day, "j M")))
    ticks = [Tick(y=round(TOP + plot_h - plot_h * k / 4, 2), label=str(top_value * k // 4)) for k in range(5)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "baseline": TOP + plot_h,
        "bars": bars, "ticks": ticks, "labels": labels,
        "total": sum(p.value for p in series), "peak": max((p.value for p in series), default=0),
    }
