"""The composer's two modes read at a glance in both themes: the chosen one filled with the highlight colour
(in the dark theme the chosen mode was a faint grey dot and the other a solid dark disc, so "Internal note"
looked chosen while the reply went to the customer)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from app.views.appearance import dark_palette, light_palette
from app.views.composer import MODE_STYLE


@pytest.mark.parametrize("palette", [dark_palette(), light_palette()], ids=["dark", "light"])
def test_the_chosen_mode_is_filled_with_the_highlight(qtbot: QtBot, palette: QPalette) -> None:
    before = QApplication.palette()
    QApplication.setPalette(palette)  # as the client sets its theme: style sheets read the application's
    row = QWidget()
    qtbot.addWidget(row)
    layout = QHBoxLayout(row)
    reply, note = QRadioButton("Reply to customer"), QRadioButton("Internal note")
    for button in (reply, note):
        button.setStyleSheet(MODE_STYLE)
        layout.addWidget(button)
    reply.setChecked(True)
    row.show()
    qtbot.waitExposed(row)
    highlight = palette.color(QPalette.ColorRole.Highlight)

    def centre(button: QRadioButton) -> QColor:
        image = button.grab().toImage()
        return image.pixelColor(7, image.height() // 2)  # the middle of the 12-pixel indicator

    def near(a: QColor, b: QColor) -> bool:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 60

    try:
        assert near(centre(reply), highlight) and not near(centre(note), highlight)
    finally:
        QApplication.setPalette(before)
