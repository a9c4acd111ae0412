"""Plain text as people type it: control characters (BEL, ESC, NUL, the C1 range, a stray DEL) come from
pasted terminal output and broken mail clients; they show as boxes, can steer a terminal that prints
them, and NUL cannot be stored at all. Lines and tabs stay in bodies; a one-line field keeps none."""

from __future__ import annotations

import re
import unicodedata

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Direction overrides and isolates: in a one-line field they only disguise ("invoice\u202efdp.exe" shows as
# "invoiceexe.pdf"); the marks that right-to-left text needs (U+200E, U+200F) stay.
_DIRECTION_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Every way text says "a new line": CR LF and CR, Word's manual line break (VT), a page break (FF), NEL and
# the Unicode line and paragraph separators. They were removed as controls, so "4711\vDelivery address"
# was stored as "4711Delivery address": words merged that nobody could find as written.
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


# Latin letters with accents and their plain letter, one for one (SQL's translate() and str.translate take
# the same pair): "muller" finds Müller, "jose" José, in searches that run in the database without an index.
_LOWER_ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž"
_LOWER_PLAIN = "aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz"
# Both cases: a database with the C locale lowers only ASCII, so the letters are plain before lower().
ACCENTED, PLAIN = _LOWER_ACCENTED + _LOWER_ACCENTED.upper(), _LOWER_PLAIN + _LOWER_PLAIN.upper()
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold_accents(text: str) -> str:
    """Lower case without the accents ACCENTED lists: what a database-side match compares
    (`lower(translate(column, ACCENTED, PLAIN))`)."""
    return text.translate(_FOLD).lower()


def like_contains(word: str) -> str:
    """A LIKE / ILIKE pattern (ESCAPE '\\') matching `word` anywhere, its own %, _ and \\ taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_body(text: str) -> str:
    """A message body: line breaks (every kind, `_LINE_BREAKS`) normalised to \\n, tabs kept, every other
    control character removed."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


# Characters that show nothing though they are not spaces: zero-width space, joiners, word joiner, the
# byte-order mark, the braille blank, the Hangul fillers. A reply of "\u200b\u200d\u2060" was sent to a
# customer (and met the first-response target); subjects of only U+200B or U+2800 made tickets.
_BLANK_LOOKING = "\u200b\u200c\u200d\u2060\ufeff\u2800\u3164\u115f\u1160\uffa0\u180e\u00ad\u034f"


def has_visible_text(text: str) -> bool:
    """Whether anything in `text` shows: not only spaces, line breaks, controls and invisible characters."""
    return any(not ch.isspace() and ch not in _BLANK_LOOKING and ch.isprintable() for ch in text)


def clean_line(text: str) -> str:
    """A one-line field (a subject, a tag, a name, a file name): controls and direction overrides removed,
    whitespace runs folded to one space, composed (NFC: "é" typed as e and a combining accent, as macOS
    pastes it, counted twice against a subject's length and made a second tag "café")."""
    spaced = _LINE_BREAKS.sub(" ", text)  # a break between two words is a space on one line, not nothing
    return unicodedata.normalize("NFC", " ".join(_DIRECTION_OVERRIDES.sub("", _CONTROLS.sub("", spaced)).split()))
