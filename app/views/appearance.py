"""Light or dark, as the operating system is set — and again when it changes.

Qt's Fusion style draws with whatever palette it is given; where the platform does not hand over a dark
palette itself (Linux without a desktop theme plugin, for one), we build it from the colour scheme Qt
reports. Customer conversations stay dark ink on light cards in both, like a mail reader.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole
DARK = {
    Role.Window: "#202124",
    Role.WindowText: "#e8eaed",
    Role.Base: "#17181a",
    Role.AlternateBase: "#26282b",
    Role.Text: "#e8eaed",
    Role.Button: "#2d2f33",
    Role.ButtonText: "#e8eaed",
    Role.ToolTipBase: "#2d2f33",
    Role.ToolTipText: "#e8eaed",
    Role.Highlight: "#3d7bd9",
    Role.HighlightedText: "#ffffff",
    Role.PlaceholderText: "#9aa0a6",
    Role.Link: "#8ab4f8",
    Role.BrightText: "#ff8a80",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7378"))
    return palette


def apply_color_scheme(app: QApplication, scheme: Qt.ColorScheme | None = None) -> None:
    """The scheme the platform reports, unless one is given (as the test does: offscreen has none)."""
    if (scheme or app.styleHints().colorScheme()) == Qt.ColorScheme.Dark:
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def follow_color_scheme(app: QApplication) -> None:
    apply_color_scheme(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_color_scheme(app))
