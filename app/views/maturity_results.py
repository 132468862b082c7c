"""A round's results as the page draws them: numbers as the reader writes them, findings as
sentences, and the geometry of the radar and trend charts (server-drawn SVG, no script).

The figures come from `app/services/maturity/results.py`; this module only shapes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app import i18n
from app.maturity.model import Model
from app.models.maturity import MaturityUnit
from app.models.vocabulary import label_of
from app.services.maturity.results import Finding, Results, TrendPoint

# The radar: centre, radius of level 5, and the box it is drawn in (it scales to the screen).
RADAR_WIDTH, RADAR_HEIGHT = 640, 500
RADAR_CX, RADAR_CY, RADAR_R = 320, 250, 160
# One small trend chart per dimension.
TREND_WIDTH, TREND_HEIGHT = 260, 150
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 34, 20, 22, 120
LABEL_LINE = 22  # characters per line of an axis label


def level_text(value: float | None, digits: int = 1) -> str:
    """A level or spread as the reader writes it: "2,5" in Norwegian, "2.5" in English, "–"
    for none; whole numbers without decimals."""
    if value is None:
        return "–"
    shown = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return shown if i18n.current_language() == "en" else shown.replace(".", ",")


def title_of(model: Model, kind: str, key: str) -> str:
    """The title of a dimension or indicator in the current language."""
    language = i18n.current_language()
    if kind == "dimension":
        return next(d.title.in_(language) for d in model.dimensions() if d.key == key)
    return model.indicator(key).title.in_(language)


def finding_sentence(model: Model, finding: Finding) -> str:
    """A finding in plain words."""
    name = title_of(model, finding.kind, finding.key)
    parts = []
    if finding.high is not None and finding.low is not None:
        parts.append(
            i18n.gettext(
                "The units disagree on %(name)s: %(high_unit)s answered %(high)s and "
                "%(low_unit)s %(low)s (medians), %(difference)s levels apart.",
                name=name,
                high_unit=label_of(finding.high[0]),
                high=level_text(finding.high[1]),
                low_unit=label_of(finding.low[0]).lower(),
                low=level_text(finding.low[1]),
                difference=level_text(finding.difference),
            )
        )
    if finding.iqr is not None:
        parts.append(
            i18n.gettext(
                "The answers on %(name)s spread widely (interquartile range %(iqr)s levels): "
                "respondents see it differently.",
                name=name,
                iqr=level_text(finding.iqr),
            )
        )
    return " ".join(parts)


@dataclass(frozen=True)
class Axis:
    """One spoke of the radar: where it ends, and its label's lines and anchor."""

    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """One polygon of the radar: its name, its points, and the markers drawn on them."""

    name: str
    css: str
    points: str
    markers: tuple[tuple[float, float, str], ...]  # x, y and the value written


@dataclass(frozen=True)
class Radar:
    """The radar chart of a round: rings at levels 1 to 5, one spoke per dimension."""

    width: int
    height: int
    cx: int
    cy: int
    rings: tuple[tuple[int, str], ...]  # level and its ring's points
    axes: tuple[Axis, ...]
    series: tuple[Series, ...]


def _wrap(text: str, width: int = LABEL_LINE) -> tuple[str, ...]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _spoke(index: int, count: int, level: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADAR_R * level / 5
    return round(RADAR_CX + r * math.cos(angle), 1), round(RADAR_CY + r * math.sin(angle), 1)


def radar(
    titles: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]]
) -> Radar:
    """The radar of `titles` (one spoke each) with each named series' levels (None: no point)."""
    count = len(titles)
    rings = tuple(
        (level, " ".join(f"{x},{y}" for x, y in (_spoke(i, count, level) for i in range(count))))
        for level in range(1, 6)
    )
    axes = []
    for index, title in enumerate(titles):
        x, y = _spoke(index, count, 5)
        lx, ly = _spoke(index, count, 5.7)
        anchor = "middle" if abs(lx - RADAR_CX) < 20 else ("start" if lx > RADAR_CX else "end")
        lines = _wrap(title)
        if ly < RADAR_CY - 20:  # labels above the centre grow upwards
            ly -= (len(lines) - 1) * 15
        axes.append(Axis(x, y, lx, round(ly, 1), anchor, lines))
    drawn = []
    for name, css, levels in series:
        points = [(i, v) for i, v in enumerate(levels) if v is not None]
        spots = [(*_spoke(i, count, v), level_text(v)) for i, v in points]
        drawn.append(
            Series(
                name=name,
                css=css,
                points=" ".join(f"{x},{y}" for x, y, _ in spots),
                markers=tuple(spots),
            )
        )
    return Radar(RADAR_WIDTH, RADAR_HEIGHT, RADAR_CX, RADAR_CY, rings, tuple(axes), tuple(drawn))


@dataclass(frozen=True)
class TrendChart:
    """One dimension's medians over the rounds, as a small line chart."""

    key: str
    title: str
    line: str  # polyline points through the rounds that have a value
    points: tuple[tuple[float, float, str, str], ...]  # x, y, value written, round's label
    ticks: tuple[tuple[float, str], ...]  # x and the round's short label


def _trend_x(index: int, count: int) -> float:
    span = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    return TREND_LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def trend_y(level: float) -> float:
    """The height of a level on a small trend chart (level 1 at the bottom, 5 at the top)."""
    return round(TREND_BOTTOM - (TREND_BOTTOM - TREND_TOP) * (level - 1) / 4, 1)


def round_label(point: TrendPoint) -> str:
    """A round's short name under the trend: the month it closed ("nov. 2025"); the table
    beside the charts names the rounds."""
    return i18n.format_time(point.closes_at, "MMM y")


def trend_charts(model: Model, points: Sequence[TrendPoint]) -> list[TrendChart]:
    """A small chart per dimension of the current model over the rounds of the trend."""
    language = i18n.current_language()
    charts = []
    count = len(points)
    for dimension in model.dimensions():
        spots = []
        for index, point in enumerate(points):
            value = point.medians.get(dimension.key)
            if value is not None:
                x = round(_trend_x(index, count), 1)
                spots.append((x, trend_y(value), level_text(value), round_label(point)))
        charts.append(
            TrendChart(
                key=dimension.key,
                title=dimension.title.in_(language),
                line=" ".join(f"{x},{y}" for x, y, _, _ in spots),
                points=tuple(spots),
                ticks=tuple(
                    (round(_trend_x(i, count), 1), round_label(p)) for i, p in enumerate(points)
                ),
            )
        )
    return charts


def page_context(found: Results) -> dict[str, object]:
    """What the results page needs beside the results themselves."""
    model = found.model
    language = i18n.current_language()
    dimensions = list(model.dimensions())
    titles = [d.title.in_(language) for d in dimensions]
    own = [found.aggregate.dimensions[d.key].overall.median for d in dimensions]
    series = [(i18n.gettext("This municipality"), "own", own)]
    if found.comparison is not None:
        others = [found.comparison.medians.get(d.key) for d in dimensions]
        series.append((i18n.gettext("Median of municipalities"), "others", others))
    return {
        "results": found,
        "model": model,
        "language": language,
        "dimensions": dimensions,
        "radar": radar(titles, series),
        "trend_charts": trend_charts(model, found.trend),
        "trend_height": TREND_HEIGHT,
        "trend_width": TREND_WIDTH,
        "trend_levels": [(level, trend_y(level)) for level in range(1, 6)],
        "sentences": {(f.kind, f.key): finding_sentence(model, f) for f in found.findings},
        "level_text": level_text,
        "unit_label": label_of,
        "shown_units": [
            unit
            for unit in MaturityUnit
            if unit in found.aggregate.unit_sizes or unit in found.suppressed
        ],
    }
