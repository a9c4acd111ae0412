"""Small text helpers the ticket widgets share: customer data as plain text (audit values: change_labels)."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy


def plain_tip(text: str) -> str:
    """Stored text (a subject, a name, a snippet) as a tooltip, shown as typed. Escaped and marked as rich
    text: Qt guesses a tooltip's format, and a subject like "<b>x</b>" rendered as markup, one with
    <img width=3000> asked for a tooltip 3000 px wide. Line breaks are kept."""
    return f'<p style="white-space:pre-wrap">{html.escape(text)}</p>'


def problem_style() -> str:
    """The ink of a line saying what stops a dialog: dark red on a light window, a light red on a dark one.
    The dark red alone measured 2.2:1 against the dark theme's window (a usability probe, 2026-12-07)."""
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    return "color: #ff8a80;" if window.lightness() < 128 else "color: #b00020;"


def plain_label(text: str = "") -> QLabel:
    """Customer data is never rich text: a subject like <b>x</b> shows as typed."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ElidedLabel(QLabel):
    """A one-line plain label that gives up its width: cut with "…" when its pane is narrow, the whole
    text in its tooltip. A QLabel asks for its whole text's width, and a line in the ticket header held the
    pane wide enough to squeeze the queue's subject column."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_text = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(plain_tip(text) if text else "")
        self._elide()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 4, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(0, self.width())))
