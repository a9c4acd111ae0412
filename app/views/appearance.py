"""Light or dark: as the operating system is set (and again when it changes), or as the agent chose in
View ▸ Appearance — a choice remembered in QSettings.

Qt's Fusion style draws with whatever palette it is given; both palettes are ours, complete, so every text
colour has been measured against the backgrounds it is drawn on: WCAG's contrast ratio is at least 4.5:1 for
all text in both (tests/gui/test_appearance.py computes them). The few colours that carry meaning (overdue, at
risk, urgent, connected) come in a light and a dark variant (`accents()`), and meaning is never carried by
colour alone: the text says it too, and the queue adds a shape.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole
THEME_KEY = "appearance/theme"


class Theme(enum.StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @property
    def label(self) -> str:
        return {"system": "Follow the system", "light": "Light", "dark": "Dark"}[self.value]


LIGHT = {
    Role.Window: "#f3f4f6",
    Role.WindowText: "#1f2328",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f3f5f8",
    Role.Text: "#1f2328",
    Role.Button: "#e8eaee",
    Role.ButtonText: "#1f2328",
    Role.ToolTipBase: "#ffffe8",
    Role.ToolTipText: "#1f2328",
    Role.Highlight: "#1a5fb4",
    Role.HighlightedText: "#ffffff",
    Role.PlaceholderText: "#5f6368",
    Role.Link: "#1a5fb4",
    Role.LinkVisited: "#6a3ab2",
    Role.BrightText: "#b3261e",
}
DARK = {
    Role.Window: "#202124",
    Role.WindowText: "#e8eaed",
    Role.Base: "#292a2d",  # lighter than the window: fields and unticked boxes read as fields, not holes
    Role.AlternateBase: "#2f3034",
    Role.Text: "#e8eaed",
    Role.Button: "#2d2f33",
    Role.ButtonText: "#e8eaed",
    Role.ToolTipBase: "#2d2f33",
    Role.ToolTipText: "#e8eaed",
    Role.Highlight: "#2f5fa8",
    Role.HighlightedText: "#ffffff",
    Role.PlaceholderText: "#9aa0a6",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9",
    Role.BrightText: "#ff8a80",
}
TEXT_ON_BACKGROUND = [
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.WindowText, Role.Window),
    (Role.ButtonText, Role.Button),
    (Role.PlaceholderText, Role.Base),
    (Role.PlaceholderText, Role.AlternateBase),
    (Role.PlaceholderText, Role.Window),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.Link, Role.Base),
    (Role.BrightText, Role.Base),
]
"""The text colours of the palettes and the backgrounds each is drawn on (the contrast test walks them)."""


@dataclass(frozen=True)
class Accents:
    """Colours that carry meaning, drawn as text on Base, AlternateBase and Window."""

    overdue: str
    at_risk: str
    urgent: str
    high: str
    connected: str


LIGHT_ACCENTS = Accents(overdue="#b3261e", at_risk="#8f4700", urgent="#b3261e", high="#8f4700", connected="#1e6b2e")
DARK_ACCENTS = Accents(overdue="#ff8a80", at_risk="#ffb74d", urgent="#ff8a80", high="#ffb74d", connected="#81c995")


class AppearanceNotifier(QObject):
    """Signals:
    changed(): the application's palette was switched (light to dark or back). Widgets that paint colours
        of their own (the conversation's cards) draw again; a style sheet keeps a widget from hearing the
        palette change itself.
    """

    changed = Signal()


_notifier: AppearanceNotifier | None = None


def appearance_changes() -> AppearanceNotifier:
    """The one notifier (made on first use, when the application exists)."""
    global _notifier
    if _notifier is None:
        _notifier = AppearanceNotifier()
    return _notifier


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether a palette (the application's by default) is a dark one: its window is darker than its text."""
    if palette is None:
        palette = QApplication.palette()
    return palette.color(Role.Window).lightness() < palette.color(Role.WindowText).lightness()


def accents(palette: QPalette | None = None) -> Accents:
    return DARK_ACCENTS if is_dark(palette) else LIGHT_ACCENTS


def _palette(colours: dict[QPalette.ColorRole, str], disabled: str) -> QPalette:
    # Built from the button and window colours, so Fusion's bevels (Light, Mid, Dark, Shadow) match them.
    palette = QPalette(QColor(colours[Role.Button]), QColor(colours[Role.Window]))
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


def dark_palette() -> QPalette:
    return _palette(DARK, "#6f7378")


def light_palette() -> QPalette:
    return _palette(LIGHT, "#9aa0a6")


def saved_theme() -> Theme:
    value = QSettings().value(THEME_KEY, Theme.SYSTEM.value)
    try:
        return Theme(str(value))
    except ValueError:
        return Theme.SYSTEM


def apply_color_scheme(app: QApplication, scheme: Qt.ColorScheme | None = None) -> None:
    """The given scheme, or the one the platform reports (the test gives one: offscreen has none)."""
    if (scheme or app.styleHints().colorScheme()) == Qt.ColorScheme.Dark:
        app.setPalette(dark_palette())
    else:
        app.setPalette(light_palette())
    for widget in app.allWidgets():
        if widget.styleSheet():  # a widget with a style sheet keeps the palette it was polished with
            widget.setStyleSheet(widget.styleSheet())
    appearance_changes().changed.emit()


def apply_theme(app: QApplication, theme: Theme) -> None:
    if theme is Theme.SYSTEM:
        apply_color_scheme(app)
    else:
        apply_color_scheme(app, Qt.ColorScheme.Dark if theme is Theme.DARK else Qt.ColorScheme.Light)


def choose_theme(app: QApplication, theme: Theme) -> None:
    """The agent's choice: applied at once, and remembered for the next start."""
    QSettings().setValue(THEME_KEY, theme.value)
    apply_theme(app, theme)


def follow_color_scheme(app: QApplication) -> None:
    """At start: the remembered choice; while it is "follow the system", every change of the system's scheme."""
    apply_theme(app, saved_theme())
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: _system_changed(app))


def _system_changed(app: QApplication) -> None:
    if saved_theme() is Theme.SYSTEM:
        apply_color_scheme(app)
