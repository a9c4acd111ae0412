"""Windows and dialogs sized for the screen they open on: a 1100 x 740 editor on a 1366 x 768 laptop
(740 pixels of room under the panel, less the title bar) ran off the bottom edge, its buttons out of reach."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SCREEN_SHARE_WIDE, SCREEN_SHARE_HIGH = 0.95, 0.88  # of the screen's room: the title bar and frame fit too


def resize_on_screen(window: QWidget, width: int, height: int) -> None:
    """`window.resize(width, height)`, no larger than its screen's room allows (the parent's screen, else
    the primary one); a smaller screen gets a smaller window, which its layouts scroll or wrap."""
    parent = window.parentWidget()
    screen = (parent.screen() if parent is not None else None) or window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry().size()
        width = min(width, int(room.width() * SCREEN_SHARE_WIDE))
        height = min(height, int(room.height() * SCREEN_SHARE_HIGH))
    window.resize(width, height)
