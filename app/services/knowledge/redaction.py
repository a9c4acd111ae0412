"""Customer data out of a solved ticket's text, before it becomes an article others read.

Pure functions. What they find is replaced by a marker the agent sees in the draft ("[customer]",
"[email]", "[phone]", "[address]") and counted, so the draft says what was taken out; the agent checks the
rest before an editor publishes it. Greetings and sign-offs go too: an article speaks to every reader.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Every quantifier is bounded and address patterns only look at short lines: a customer's message is
# hostile input, and unbounded overlapping quantifiers backtrack for minutes on a long run of spaces or
# dots (16,000 spaces took 55 s before these bounds).
MAX_ADDRESS_LINE = 80
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# International or local numbers with at least 7 digits, spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w/-])(?:\+|00|\()?\d[\d ().-]{5,20}\d(?![\w/])")
# A street line: a number and a street word, either order ("12 Baker Street", "Hauptstraße 5", "Flat 3").
STREET = re.compile(
    r"^\s*(?:\d+[a-z]?\s+[\w'. -]+\s(?:street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|way|drive|dr\.?|"
    r"boulevard|blvd\.?|place|square|court|close|terrace|gardens)\b.*"
    r"|[\w'. -]*(?:straße|strasse|str\.|weg|gasse|platz|allee|rue|via|calle|laan|gatan|vej)\s+\d+[a-z]?\b.*"
    r"|\d+[a-z]?,?\s+(?:rue|avenue|boulevard|bd|chemin|allée|place|via|viale|piazza|calle|avenida|rua)\s.*"
    r"|(?:flat|apt\.?|apartment|suite|unit|p\.?o\.? box)\s+\w+.*)$",
    re.IGNORECASE,
)
# A postcode line: "10115 Berlin", "SW1A 1AA London", "75008 Paris, France", "NY 10001".
POSTCODE = re.compile(
    r"^\s*(?:\d{4,5}\s+[A-Z][\w -]+|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}(?:\s+[A-Z][\w -]+)?|[A-Z]{2}\s+\d{5}"
    r"|[A-Z][\w -]+\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"
    r"(?:,\s*[A-Z][\w ]+)?\s*$"
)
GREETING = re.compile(r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^\n]{0,60}$", re.IGNORECASE)
SIGN_OFF = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|cheers|best|best regards|kind regards|regards|"
    r"sincerely|all the best|br|mit freundlichen grüßen|cordialement)[\s,.!]*$",
    re.IGNORECASE,
)
QUOTE_HEADER = re.compile(r"^\s*(?:on .{3,200} wrote:|-----\s*original message\s*-----)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Redacted:
    text: str
    removed: Counter[str]


def redact(text: str, *, names: Iterable[str] = (), emails: Iterable[str] = ()) -> Redacted:
    """The text without the customer's names (given: the full name and each part of 3+ letters), without
    any email address (the customer's and others), phone number or postal address line; quoted earlier
    mail, greetings and the sign-off with what follows it are dropped."""
    removed: Counter[str] = Counter()
    lines = _without_quotes_and_courtesies(text.splitlines(), removed)
    kept: list[str] = []
    for line in lines:
        short = len(line) <= MAX_ADDRESS_LINE
        if short and (STREET.match(line) or POSTCODE.match(line)):
            removed["address"] += 1
            kept.append("[address]")
            continue
        kept.append(line)
    result = "\n".join(kept)
    for address in sorted({e.strip() for e in emails if e.strip()}, key=len, reverse=True):
        result, count = re.subn(re.escape(address), "[email]", result, flags=re.IGNORECASE)
        removed["email"] += count
    result, count = EMAIL.subn("[email]", result)
    removed["email"] += count
    markers_before = result.count("[phone]")
    result = PHONE.sub(_phone_or_keep, result)
    removed["phone"] += result.count("[phone]") - markers_before
    for name in _name_forms(names):
        result, count = re.subn(rf"(?<!\w){re.escape(name)}(?!\w)", "[customer]", result, flags=re.IGNORECASE)
        removed["name"] += count
    result = re.sub(r"(?:\[address\]\n?){2,}", "[address]\n", result)
    return Redacted(result.strip(), +removed)


def describe(removed: Counter[str]) -> tuple[str, ...]:
    """("2 names", "1 email address") for the agent: what was taken out, never the data itself."""
    words = {
        "name": ("name", "names"),
        "email": ("email address", "email addresses"),
        "phone": ("phone number", "phone numbers"),
        "address": ("address line", "address lines"),
        "greeting": ("greeting", "greetings"),
        "sign-off": ("sign-off", "sign-offs"),
        "quote": ("quoted earlier message", "quoted earlier messages"),
    }
    return tuple(
        f"{count} {words.get(kind, (kind, kind))[0 if count == 1 else 1]}" for kind, count in sorted(removed.items())
    )


def _phone_or_keep(match: re.Match[str]) -> str:
    """Seven or more digits that are not a date, a version or an amount read like a phone number."""
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if digits < 7 or re.fullmatch(r"\d{4}-\d{2}-\d{2}", found) or re.fullmatch(r"[\d.]+", found):
        return found
    return "[phone]"


def _name_forms(names: Iterable[str]) -> list[str]:
    forms: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        forms.add(name)
        forms.update(part for part in name.replace("-", " ").split() if len(part) >= 3)
    return sorted(forms, key=len, reverse=True)


def _without_quotes_and_courtesies(lines: list[str], removed: Counter[str]) -> list[str]:
    kept: list[str] = []
    for line in lines:
        if QUOTE_HEADER.match(line):
            removed["quote"] += 1
            break  # everything below is the earlier conversation
        if line.lstrip().startswith(">"):
            removed["quote"] += 1
            continue
        kept.append(line)
    while kept and not kept[0].strip():
        kept.pop(0)
    if kept and GREETING.match(kept[0]):
        removed["greeting"] += 1
        kept.pop(0)
    for index in range(len(kept) - 1, -1, -1):
        if SIGN_OFF.match(kept[index]) and len(kept) - index <= 6:
            removed["sign-off"] += 1
            del kept[index:]
            break
    return kept
