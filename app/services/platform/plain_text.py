"""Plain text as people type it: control characters (BEL, ESC, NUL, the C1 range, a stray DEL) come from
pasted terminal output and broken mail clients; they show as boxes, can steer a terminal that prints
them, and NUL cannot be stored at all. Lines and tabs stay in bodies; a one-line field keeps none."""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?")


def clean_body(text: str) -> str:
    """A message body: line breaks normalised to \\n, tabs kept, every other control character removed."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str) -> str:
    """A one-line field (a subject, a tag, a name): controls removed, whitespace runs folded to one space."""
    return " ".join(_CONTROLS.sub("", text).split())
