"""Dialogs open no larger than their screen's room (a 1100 x 740 editor ran off a 1366 x 768 laptop)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.views.sizing import SCREEN_SHARE_HIGH, SCREEN_SHARE_WIDE, resize_on_screen


def test_a_dialog_asked_to_be_larger_than_the_screen_fits_on_it(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    room = screen.availableGeometry().size()
    resize_on_screen(dialog, room.width() * 2, room.height() * 2)
    assert dialog.width() <= room.width() * SCREEN_SHARE_WIDE and dialog.height() <= room.height() * SCREEN_SHARE_HIGH
    resize_on_screen(dialog, 300, 200)  # what fits is left as asked
    assert (dialog.width(), dialog.height()) == (300, 200)
