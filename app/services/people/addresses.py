"""A customer's email address as people type or paste it: "jane@example.com", or "Jane Doe
<jane@example.com>" copied from a mail client — one mailbox, checked before it becomes a customer.

Only "has an @" was checked before: "a@@b", "a@b.example,c@d.example", a pasted "Jane Doe <jane@…>" (a
second customer beside Jane's own), an address with a line break and "Bcc: …" after it (a header once
replies go out by mail) and one starting with a right-to-left override each became a customer.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header

from app.services.errors import InvalidInput
from app.services.platform.plain_text import clean_line

MAX_ADDRESS = 254  # the longest address a mail server takes (RFC 5321's path, less its brackets)
_LOCAL = re.compile(r"^[^\s@\"(),:;<>\[\]\\]{1,64}$")
_LABEL = re.compile(r"^(?!-)[^\s@\"'(),:;<>\[\]\\.]{1,63}(?<!-)$")
_NAMED = re.compile(r"(?s)(.*?)\s*<([^<>]*)>")  # "Jane Doe <jane@…>", "Doe, Jane <jane@…>" (Outlook, unquoted)
_COMMENTED = re.compile(r"(?s)([^\s()]+)\s*\(([^()]*)\)")  # "jane@example.com (Jane Doe)": the older form


@dataclass(frozen=True)
class Mailbox:
    """One address and the display name that came with it ("" without one)."""

    name: str
    address: str


def parse_mailbox(text: str) -> Mailbox:
    """One mailbox from what a person typed or pasted, or InvalidInput saying what is wrong with it. The
    address itself holds no space, control or invisible character; the name may (a Persian name's
    zero-width non-joiner, an emoji's joiner), less what only disguises (`clean_line`)."""
    shown = text.strip()
    if "\n" in shown or "\r" in shown:
        raise InvalidInput(f"{shown!r} holds a line break; give one address")
    if named := _NAMED.fullmatch(shown):
        written, address = named.group(1), named.group(2).strip()
    elif commented := _COMMENTED.fullmatch(shown):
        address, written = commented.group(1), commented.group(2)
    else:
        written, address = "", shown
    name = _display_name(written)  # decoded before it is checked: "=?utf-8?Q?ceo=40example.com?=" is an address
    if ("@" in name and name != address) or any(sign in address for sign in ",;"):
        raise InvalidInput(f"{shown!r} is not one email address; give one (a customer has one primary address)")
    if "@" not in address:
        raise InvalidInput(f"{shown!r} holds no email address; give one (name@example.com)")
    if any(unicodedata.category(c)[0] in "CZ" for c in address):
        raise InvalidInput(f"{shown!r} holds a space or an invisible control character in its address")
    local, at, domain = address.rpartition("@")
    if len(address) > MAX_ADDRESS or len(local) > 64:
        raise InvalidInput(f"{shown[:40]!r}… is longer than an email address may be ({MAX_ADDRESS} characters)")
    labels = domain.split(".")
    if (
        not at
        or not _LOCAL.match(local)
        or len(labels) < 2
        or not all(map(_LABEL.match, labels))
        or labels[-1].isdigit()
    ):
        raise InvalidInput(f"{shown!r} is not an email address (name@example.com)")
    canonical = canonical_address(address)
    return Mailbox(name if name != address else "", canonical)


def canonical_address(address: str) -> str:
    """One spelling of an address: Unicode composed (NFC: macOS pastes "ü" as u and a combining mark), its
    domain in lower case and in Unicode ("xn--bcher-kva.de" is bücher.de). Each pair of spellings made two
    customers of one mailbox (a real-world probe); the local part keeps its case, as mail servers may."""
    local, at, domain = unicodedata.normalize("NFC", address).rpartition("@")
    if not at:
        return address
    labels = []
    for label in domain.lower().split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return f"{local}@{'.'.join(labels)}"


def comparable_address(address: str) -> str:
    """What two addresses are compared by: their canonical spelling, case aside."""
    return canonical_address(address.strip()).lower()


def _display_name(name: str) -> str:
    """The name as people read it: quotes taken off, encoded words (=?utf-8?q?…?=) decoded, cleaned."""
    name = name.strip().strip('"').strip()
    # A charset nobody knows, an encoded word that is not base64 after all: the name as typed.
    with contextlib.suppress(ValueError, LookupError, UnicodeDecodeError, HeaderParseError):
        name = str(make_header(decode_header(name)))
    return clean_line(name)
