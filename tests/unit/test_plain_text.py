"""Control characters never reach a stored subject, tag or body; lines and tabs stay in bodies."""

from __future__ import annotations

import pytest

from app.services.platform.plain_text import clean_body, clean_line, has_visible_text

HOSTILE = "Evil \x1b[31mred\x1b[0m\x07 bell\x00 \x9b2J \x7fdel"


def test_a_line_keeps_the_words_and_loses_every_control() -> None:
    assert clean_line(HOSTILE) == "Evil [31mred[0m bell 2J del"
    assert clean_line("  Two\n lines\tand  tabs ") == "Two lines and tabs"


def test_a_body_keeps_lines_and_tabs_and_normalises_line_breaks() -> None:
    assert clean_body("a\r\nb\rc\n\td\x07\x1b") == "a\nb\nc\n\td"
    assert clean_body("Zoë — ünïcode stays ✓") == "Zoë — ünïcode stays ✓"


@pytest.mark.parametrize(
    ("text", "shows"),
    [("", False), (" \n\t", False), ("\u200b\u200d\u2060", False), ("\u2800\ufeff\u3164", False), ("ok", True),
     ("\u200bx", True), ("日本", True), ("👍", True), ("\u0301", True)],
)  # fmt: skip
def test_visible_text_is_anything_that_shows(text: str, shows: bool) -> None:
    assert has_visible_text(text) is shows


def test_a_one_line_field_is_composed() -> None:
    assert clean_line("cafe\u0301  au lait") == "caf\u00e9 au lait"
    assert len(clean_line("e\u0301" * 10)) == 10


def test_every_kind_of_line_break_is_a_line_in_a_body_and_a_space_in_a_line() -> None:
    """Word's manual line break (VT), a page break, NEL and the Unicode separators were removed as controls:
    "4711\\vDelivery address" was stored as "4711Delivery address"."""
    pasted = "Order 4711\x0bDelivery address: Hauptstr. 5\x0bBerlin\x0cPage 2\x85NEL\u2028LS\u2029PS"
    assert clean_body(pasted) == "Order 4711\nDelivery address: Hauptstr. 5\nBerlin\nPage 2\nNEL\nLS\nPS"
    assert clean_line(pasted) == "Order 4711 Delivery address: Hauptstr. 5 Berlin Page 2 NEL LS PS"
