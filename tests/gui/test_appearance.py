"""Light and dark: the agent's choice, remembered; and every text colour readable on what it is drawn on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.views.appearance import (
    DARK_ACCENTS,
    LIGHT_ACCENTS,
    TEXT_ON_BACKGROUND,
    THEME_KEY,
    Theme,
    apply_color_scheme,
    choose_theme,
    dark_palette,
    follow_color_scheme,
    is_dark,
    light_palette,
    saved_theme,
)
from app.views.conversation import DARK_CARDS, LIGHT_CARDS


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


# --- contrast: WCAG 2's ratio, at least 4.5:1 for every text colour on what it is drawn on -------------------


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    qt = QColor(colour)
    return 0.2126 * channel(qt.red()) + 0.7152 * channel(qt.green()) + 0.0722 * channel(qt.blue())


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_the_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#c62828", "#17181a") < 4.5  # the overdue red the issue measured on dark


def _pairs() -> list[tuple[str, str, str]]:
    """(what, text colour, background) for every text colour the desk draws, in light and in dark."""
    pairs: list[tuple[str, str, str]] = []
    for name, palette, colours, cards in (
        ("light", light_palette(), LIGHT_ACCENTS, LIGHT_CARDS),
        ("dark", dark_palette(), DARK_ACCENTS, DARK_CARDS),
    ):
        hex_of: dict[QPalette.ColorRole, str] = {
            role: palette.color(role).name() for role in QPalette.ColorRole if role != QPalette.ColorRole.NColorRoles
        }
        pairs += [
            (f"{name} {text.name} on {ground.name}", hex_of[text], hex_of[ground])
            for text, ground in TEXT_ON_BACKGROUND
        ]
        backgrounds = (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase, QPalette.ColorRole.Window)
        for field, colour in vars(colours).items():
            pairs += [(f"{name} {field} on {ground.name}", colour, hex_of[ground]) for ground in backgrounds]
        pairs += [
            (f"{name} conversation text", cards.ink, cards.page),
            (f"{name} muted on the page", cards.muted, cards.page),
        ]
        for kind, look in cards.looks.items():
            for what, colour in (
                ("label", look.ink),
                ("time", cards.muted),
                ("text", cards.ink),
                ("link", hex_of[QPalette.ColorRole.Link]),
            ):
                pairs.append((f"{name} {kind} card {what}", colour, look.background))
    return pairs


@pytest.mark.parametrize(("what", "text", "background"), _pairs(), ids=lambda value: str(value))
def test_every_text_colour_has_a_contrast_of_at_least_4_5_to_1(what: str, text: str, background: str) -> None:
    assert contrast(text, background) >= 4.5, f"{what}: {text} on {background} is {contrast(text, background):.2f}:1"


def test_the_choice_is_remembered_and_applied_at_the_next_start(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        choose_theme(app, Theme.DARK)
        assert QSettings().value(THEME_KEY) == "dark"
        apply_color_scheme(app, Qt.ColorScheme.Light)  # as a new start would be, before the choice is read
        assert not is_dark()
        follow_color_scheme(app)
        assert is_dark() and saved_theme() is Theme.DARK
        choose_theme(app, Theme.SYSTEM)
        assert saved_theme() is Theme.SYSTEM and not is_dark()  # offscreen reports no dark scheme
    finally:
        apply_color_scheme(app, Qt.ColorScheme.Light)
