"""Everything the command prints goes through here, because much of it is customer text.

A subject, a name or a body may hold ESC sequences (recolour, retitle or rewrite the terminal), a CR that
overwrites what was printed, a newline that forges a line, or bidi controls that reorder what is shown.
Human output is a list of lines; each line has every control character shown as a visible escape
(`\\x1b`, `\\r`, `\\u202e`), so the only line breaks are the ones the command meant. JSON output is
escaped by `json` already; the C1 controls, DEL and bidi controls it lets through are escaped too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import click

# C0 and C1 controls, DEL, line/paragraph separators and the bidi embedding/override/isolate controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Inside JSON strings json.dumps already escaped C0; these are the ones it leaves raw with ensure_ascii=False.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"


def escape(text: str) -> str:
    """One line of text with every control character made visible."""
    return _CONTROL.sub(_visible, text)


def text_lines(text: str) -> list[str]:
    """A multi-line text (a message body) as lines: CRLF and LF end lines, a tab is the spaces it stands for
    (it was printed as a literal \\t); any other control is escaped when the line is printed."""
    return [line.expandtabs(4) for line in text.replace("\r\n", "\n").split("\n")]


def say(*lines: str, err: bool = False) -> None:
    """Print lines for people: each line escaped, joined by the only newlines we mean."""
    click.echo("\n".join(escape(line) for line in lines), err=err)


def say_lines(lines: Iterable[str], *, err: bool = False) -> None:
    say(*lines, err=err)


def to_json(data: Any) -> str:
    """JSON for scripts: valid, and nothing in it a terminal would act on."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False))


def say_json(data: Any) -> None:
    click.echo(to_json(data))
