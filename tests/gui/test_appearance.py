from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.views.appearance import apply_color_scheme


def test_a_dark_desktop_gets_a_dark_window_and_back(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    widget = QWidget()
    qtbot.addWidget(widget)
    try:
        apply_color_scheme(app, Qt.ColorScheme.Dark)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 60
        assert app.palette().color(QPalette.ColorRole.WindowText).lightness() > 200
        apply_color_scheme(app, Qt.ColorScheme.Light)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        apply_color_scheme(app)
