"""SLA compliance as a chart, behind a small interface: the rest of the supervisor view hands in days and
counts and never touches QtCharts (deprecated since Qt 6.10 but shipped and working in 6.11; if it goes,
only this module changes). QtCharts comes from `pyside6-addons`, pinned like the essentials.

Attributes of ComplianceChart:
    shown: the series on screen (tests and screenshots read it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QStackedBarSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.views.appearance import is_dark

MET_COLOUR = QColor("#3a9d5d")
BREACHED_COLOUR = QColor("#d64545")


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


class ComplianceChart(QWidget):
    """Met and breached clocks per day as stacked bars."""

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
        chart.addSeries(bars)
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
        chart.setTitle(f"{series.title}: {series.summary}")
        self.shown = series


def day_labels(days: tuple[dt.date, ...]) -> list[str]:
    """A category per day: its number (categories must be unique, so a repeated number gets its month)."""
    labels: list[str] = []
    for day in days:
        label = day.strftime("%d")
        labels.append(day.strftime("%d %b") if label in labels else label)
    return labels
