"""SLA compliance as a chart, behind a small interface: the rest of the supervisor view hands in days and
counts and never touches QtCharts (deprecated since Qt 6.10 but shipped and working in 6.11; if it goes,
only this module changes). QtCharts comes from `pyside6-addons`, pinned like the essentials.

Attributes of ComplianceChart:
    shown: the series on screen (tests and screenshots read it); share_points() its share line's points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from app.views.appearance import is_dark

# Blue and vermillion from Okabe and Ito's palette: told apart with every common colour blindness, where the
# green and red they replace looked alike to about one man in twelve.
MET_COLOUR = QColor("#0072b2")
BREACHED_COLOUR = QColor("#d55e00")
SHARE_COLOURS = {False: QColor("#333333"), True: QColor("#e0e0e0")}  # the share line, light and dark theme


TRAILING_DAYS = 7


@dataclass(frozen=True)
class ComplianceSeries:
    title: str
    days: tuple[dt.date, ...]
    met: tuple[int, ...]
    breached: tuple[int, ...]

    @property
    def share_met(self) -> float | None:
        total = sum(self.met) + sum(self.breached)
        return None if total == 0 else sum(self.met) / total

    @property
    def summary(self) -> str:
        """The share in words that say what it counts: clocks that finished in these days. "97% met" beside a
        header saying 30 tickets are breached read as a contradiction to a lead (those are still open)."""
        met, total = sum(self.met), sum(self.met) + sum(self.breached)
        if total == 0:
            return f"no clock finished in these {len(self.days)} days"
        return (
            f"{met:,} of {total:,} finished clocks met ({met / total:.0%}) in these {len(self.days)} days;"
            " open tickets past due are on the escalation board"
        )

    def share_on(self, index: int) -> float | None:
        """The share of the day's finished clocks that met their target; None on a day none finished."""
        return self.trailing_share(index, days=1)

    def trailing_share(self, index: int, days: int = TRAILING_DAYS) -> float | None:
        """The share met over the `days` up to and including this one (fewer at the start of the series);
        None if no clock finished in them. A day's own share swings from 100 % to 0 % on one quiet day's
        single breach; the week's is the trend a lead reads."""
        first = max(0, index - days + 1)
        met, breached = sum(self.met[first : index + 1]), sum(self.breached[first : index + 1])
        return None if met + breached == 0 else met / (met + breached)

    def describe_day(self, index: int) -> str:
        """One day in words, for the bar's tooltip: a bar's height says how many, not which day or what share."""
        met, breached, share = self.met[index], self.breached[index], self.share_on(index)
        day = f"{self.days[index]:%a %d %b %Y}"
        week = self.trailing_share(index)
        trend = "" if week is None else f"; {week:.0%} met in the {TRAILING_DAYS} days to it"
        if share is None:
            return f"{day}: no clock finished{trend}"
        return f"{day}: {met:,} met, {breached:,} breached ({share:.0%} met){trend}"


class ComplianceChart(QWidget):
    """Met and breached clocks per day as stacked bars, with the share met over the trailing week as a line on
    its own axis (a lead asks "are we getting better?", which counts alone answer badly); each bar
    says its day, counts and share when the pointer rests on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown: ComplianceSeries | None = None
        self._chart = QChart()
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._view = QChartView(self._chart)
        self._view.setRenderHint(QPainter.RenderHint.Antialiasing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)

    def show_series(self, series: ComplianceSeries) -> None:
        chart = self._chart
        chart.removeAllSeries()
        # The window's theme (a white card sat on the dark window); set before the bars take their colours.
        dark = is_dark(self.palette())
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        for axis in chart.axes():
            chart.removeAxis(axis)  # the chart lets go of it: deleted here, on the GUI thread
            axis.deleteLater()
        met, breached = QBarSet("Met"), QBarSet("Breached")
        met.setColor(MET_COLOUR)
        breached.setColor(BREACHED_COLOUR)
        met.append([float(v) for v in series.met])
        breached.append([float(v) for v in series.breached])
        bars = QStackedBarSeries()
        bars.append(met)
        bars.append(breached)
        bars.hovered.connect(self._show_day)
        chart.addSeries(bars)
        share = _share_line(series, dark)
        chart.addSeries(share)
        days = QBarCategoryAxis()
        if series.days:
            days.setTitleText(f"{series.days[0]:%d %b} to {series.days[-1]:%d %b %Y}")
        days.append(day_labels(series.days))
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(days)
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        top = max([m + b for m, b in zip(series.met, series.breached, strict=True)] or [0])
        counts.setRange(0, max(top, 1))
        counts.applyNiceNumbers()
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(counts)
        share.attachAxis(days)
        share.attachAxis(_share_axis(chart))
        chart.setTitle(f"{series.title}: {series.summary}")
        self.shown = series

    def share_points(self) -> list[tuple[float, float]]:
        """The share line's points on screen as (day's index, per cent met)."""
        lines = [series for series in self._chart.series() if isinstance(series, QLineSeries)]
        return [(point.x(), point.y()) for line in lines for point in line.points()]

    def _show_day(self, status: bool, index: int, _bars: QBarSet) -> None:
        if status and self.shown is not None and 0 <= index < len(self.shown.days):
            QToolTip.showText(QCursor.pos(), self.shown.describe_day(index), self._view)
        else:
            QToolTip.hideText()


def _share_line(series: ComplianceSeries, dark: bool) -> QLineSeries:
    """The share met over the last seven days, a point on each day that has one (a quiet week is no 0 %)."""
    line = QLineSeries()
    line.setName(f"Share met, last {TRAILING_DAYS} days")
    line.setPen(QPen(SHARE_COLOURS[dark], 2))
    line.setPointsVisible(True)
    for index in range(len(series.days)):
        share = series.trailing_share(index)
        if share is not None:
            line.append(QPointF(index, share * 100))
    return line


def _share_axis(chart: QChart) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, 100)
    axis.setLabelFormat("%d%%")
    axis.setTickCount(6)
    axis.setGridLineVisible(False)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignRight)
    return axis


def day_labels(days: tuple[dt.date, ...]) -> list[str]:
    """A category per day: its number (categories must be unique, so a repeated number gets its month)."""
    labels: list[str] = []
    for day in days:
        label = day.strftime("%d")
        labels.append(day.strftime("%d %b") if label in labels else label)
    return labels
