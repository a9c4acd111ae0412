"""A customer's email address as people type or paste it: "jane@example.com", or "Jane Doe
<jane@example.com>" copied from a mail client — one mailbox, checked before it becomes a customer.

Only "has an @" was checked before: "a@@b", "a@b.example,c@d.example", a pasted "Jane Doe <jane@…>" (a
second customer beside Jane's own), an address with a line break and "Bcc: …" after it (a header once
replies go out by mail) and one starting with a right-to-left override each became a customer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.utils import getaddresses

from app.services.errors import InvalidInput

MAX_ADDRESS = 254  # the longest address a mail server takes (RFC 5321's path, less its brackets)
_LOCAL = re.compile(r"^[^\s@\"(),:;<>\[\]\\]{1,64}$")
_LABEL = re.compile(r"^[^\s@\"(),:;<>\[\]\\.]{1,63}$")


@dataclass(frozen=True)
class Mailbox:
    """One address and the display name that came with it ("" without one)."""

    name: str
    address: str


def parse_mailbox(text: str) -> Mailbox:
    """One mailbox from what a person typed, or InvalidInput saying what is wrong with it."""
    shown = text.strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise InvalidInput(f"{shown!r} holds a line break or an invisible control character; give one address")
    found = [(name, address) for name, address in getaddresses([shown]) if name or address]
    if len(found) != 1:
        raise InvalidInput(f"{shown!r} is not one email address; give one (a customer has one primary address)")
    name, address = found[0]
    typed = shown[shown.rfind("<") + 1 : shown.rfind(">")] if "<" in shown else shown
    local, at, domain = address.rpartition("@")
    if len(address) > MAX_ADDRESS or len(local) > 64:
        raise InvalidInput(f"{shown[:40]!r}… is longer than an email address may be ({MAX_ADDRESS} characters)")
    labels = domain.split(".")
    if (
        not at
        or typed.strip() != address  # the parser folds "jane@exa mple.com" into another address
        or not _LOCAL.match(local)
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidInput(f"{shown!r} is not an email address (name@example.com)")
    return Mailbox(name.strip(), address)
