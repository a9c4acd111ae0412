"""Customer text never drives the terminal: every control character is shown, never obeyed."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from app.cli.output import escape, say, text_lines, to_json

HOSTILE = "Evil \x1b[31mred\x1b[0m\rforged\nline \x9b2J \x07bell \u202eevil\u202c \u2028sep \x7fdel \x00nul\ttab"
RAW_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + ["\u202e", "\u202c", "\u2028"]


def test_escape_makes_every_control_visible() -> None:
    shown = escape(HOSTILE)
    assert not any(char in shown for char in RAW_CONTROLS)
    for visible in ("\\x1b[31m", "\\r", "\\n", "\\x9b", "\\x07", "\\u202e", "\\u2028", "\\x7f", "\\x00", "\\t"):
        assert visible in shown
    assert escape("Zoë Ærøskøbing 日本 👩‍💻") == "Zoë Ærøskøbing 日本 👩‍💻"  # letters and emoji untouched


def test_say_prints_only_the_line_breaks_it_was_given() -> None:
    @click.command()
    def show() -> None:
        say(f"#1 {HOSTILE}", "second line")

    out = CliRunner().invoke(show).output
    assert out.count("\n") == 2 and not any(char in out.replace("\n", "") for char in RAW_CONTROLS)


def test_a_body_keeps_its_lines_and_loses_its_controls() -> None:
    assert text_lines("one\r\ntwo\nthree\rstill three") == ["one", "two", "three\rstill three"]
    assert [escape(line) for line in text_lines("a\r\nb\x1b[2J")] == ["a", "b\\x1b[2J"]
    assert text_lines("Steps:\n\t1. Open Billing") == ["Steps:", "    1. Open Billing"]  # a tab, not a literal \\t


@pytest.mark.parametrize("data", [{"subject": HOSTILE}, [HOSTILE, {"nested": HOSTILE}]])
def test_json_is_valid_the_same_data_and_inert(data: object) -> None:
    text = to_json(data)
    assert json.loads(text) == data
    assert not any(char in text.replace("\n", "") for char in RAW_CONTROLS)
