"""What a person typed, understood leniently: words, "phrases", a prefix as they type, and field filters
(`status:waiting queue:billing customer:… tag:… created:>2026-01-01 #10423 kind:article`).

Pure: no I/O and no tantivy, and it never raises. Anything it cannot use (an unknown field, an unbalanced
quote, a date it cannot read, a query too long) is searched as words and reported in `notes`, so the
caller can say "searched for the words instead".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from app.services.search.marks import COMBINING_MARKS

MAX_QUERY_CHARS = 1000
MAX_TERMS = 24
MIN_FUZZY_LENGTH = 5  # typo tolerance only where a one-letter edit is unlikely to change the word
KINDS = ("ticket", "article", "customer")
KIND_ALIASES = {
    "ticket": "ticket",
    "tickets": "ticket",
    "article": "article",
    "articles": "article",
    "kb": "article",
    "customer": "customer",
    "customers": "customer",
}
FIELDS = ("status", "queue", "customer", "tag", "created", "updated", "kind", "number")

# As Tantivy's default tokenizer: letters and digits, and the combining marks within a word (vowel signs,
# viramas, Arabic and Hebrew points), which Rust counts as alphabetic and Python's \w does not.
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{COMBINING_MARKS}])*")
_WORD_CHARACTER = re.compile(rf"[^\W_]|[{COMBINING_MARKS}]")
_TOKEN = re.compile(
    r'(?P<field>[A-Za-z_]+):(?:"(?P<fquoted>[^"]*)"|(?P<fvalue>[^\s"]*))'
    r'|"(?P<phrase>[^"]*)"'
    r"|#(?P<number>\d{1,18})\b"
    r"|(?P<quote>\")"
    r"|(?P<other>[^\s\"]+)",
    re.UNICODE,
)
_STARRED = re.compile(r"(?:^|\s)[^\s:\"]*[^\W_]\*+\s*$")  # it ends in a plain word and a star (no field:)
_DATE_OP = re.compile(r"^(?P<op>>=|<=|>|<|=)?(?P<date>\d{4}-\d{2}(?:-\d{2})?)$")
_DATE_RANGE = re.compile(r"^(?P<start>\d{4}-\d{2}(?:-\d{2})?)\.\.(?P<end>\d{4}-\d{2}(?:-\d{2})?)$")


MAX_WORD_CHARS = 120  # the index keeps words of up to 120 bytes; a run of Chinese is a word per character


def composed(text: str) -> str:
    """Text as the index reads it (NFC): é written as e and a combining accent is one letter, not two words."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def words_of(text: str) -> list[str]:
    """Lower-cased words as the index's default tokenizer cuts them (letters and digits)."""
    return [w.lower() for w in _WORD.findall(text) if len(w) <= MAX_WORD_CHARS]


@dataclass(frozen=True)
class DateRange:
    """Half-open [start, end) in UTC; either side may be open."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class ParsedQuery:
    """Attributes:
    words: every word must match (in the title, the text or the customer).
    without: no hit holds any of these words (`-invoice`, `NOT invoice`).
    prefix: the last word while typing: it also matches as the start of a word.
    phrases: each must match word for word, in the title or the text: the exact words, no typo
        tolerance and no other forms ("refund" never finds "refunds").
    exact: words typed in quotes alone; each must match as typed (no typo tolerance, no prefix).
    filters: exact values per field (status, queue, tag, kind), any of the values of a field.
    customer_words: each must match the customer (name, addresses, organisation).
    numbers: ticket numbers (#10423); any of them.
    created, updated: date ranges.
    notes: what was not understood and was searched as words, for the person.
    """

    words: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    prefix: str | None = None
    phrases: tuple[tuple[str, ...], ...] = ()
    exact: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    customer_words: tuple[str, ...] = ()
    numbers: tuple[int, ...] = ()
    created: DateRange | None = None
    updated: DateRange | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.words
            or self.prefix
            or self.phrases
            or self.exact
            or self.filters
            or self.customer_words
            or self.numbers
        ) and (self.created is None and self.updated is None)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.prefix or self.phrases or self.exact or self.customer_words)

    def fuzzy(self, word: str) -> bool:
        return len(word) >= MIN_FUZZY_LENGTH and not word.isdigit()

    @property
    def highlight_words(self) -> tuple[str, ...]:
        return (
            *self.words,
            *((self.prefix,) if self.prefix else ()),
            *self.exact,
            *(w for p in self.phrases for w in p),
        )


# Dates a ticket or an article can have: beyond these a date is a typo (2962 for 2026), and past 2262 the
# index's nanosecond timestamps overflow (a search for created:9999-12-31 failed, and one for 2962 made the
# index refuse the query and be rebuilt).
FIRST_YEAR, LAST_YEAR = 1900, 2199


class UnreadableDate(ValueError):
    """Why a date in a query is not searched for, in words for the person who typed it."""


def _day(text: str) -> dt.date:
    day = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UnreadableDate(f"“{text}” is outside the years {FIRST_YEAR} to {LAST_YEAR}.")
    return day


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _next(text: str) -> dt.datetime:
    """The first instant after the day (or the month) `text` names."""
    day = _day(text)
    if len(text) == 7:
        return _midnight(dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1))
    return _midnight(day + dt.timedelta(days=1))


def parse_dates(value: str) -> DateRange | None:
    """`>2026-01-01`, `>=…`, `<…`, `<=…`, `2026-01` (that month), `2026-01-01..2026-02-01`; None if unreadable
    (UnreadableDate if readable but not searchable: out of range, or a range that ends before it starts)."""
    try:
        if match := _DATE_RANGE.match(value):
            start, end = _midnight(_day(match["start"])), _next(match["end"])
            if end <= start:
                raise UnreadableDate(f"“{value}” ends before it starts (write the earlier date first).")
            return DateRange(start, end)
        if match := _DATE_OP.match(value):
            op, text = match["op"] or "=", match["date"]
            if op == ">":
                return DateRange(start=_next(text))
            if op == ">=":
                return DateRange(start=_midnight(_day(text)))
            if op == "<":
                return DateRange(end=_midnight(_day(text)))
            if op == "<=":
                return DateRange(end=_next(text))
            return DateRange(_midnight(_day(text)), _next(text))
    except UnreadableDate:
        raise
    except ValueError:
        return None
    return None


def parse(text: str, *, typing: bool = False) -> ParsedQuery:
    """`typing`: the person is still typing, so the last word also matches as a prefix (as in the desktop's
    results-as-you-type); the CLI asks for whole words, unless the last one ends in a star (`refu*`)."""
    notes: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    text = composed(text.replace("\x00", " "))
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    exact: list[str] = []
    filters: dict[str, list[str]] = {}
    customer_words: list[str] = []
    numbers: list[int] = []
    created: DateRange | None = None
    updated: DateRange | None = None
    without: list[str] = []
    unbalanced = negated = False
    for match in _TOKEN.finditer(text):
        other = match["other"]
        if other in ("NOT", "AND", "OR"):  # as people write them elsewhere (in capitals: "not" is a word)
            negated = other == "NOT"
            if other == "OR":
                notes.append("OR is not understood: every word must match; search each word on its own instead.")
            continue
        if other is not None and (negated or (other.startswith("-") and len(other) > 1)):
            without += words_of(other[1:] if other.startswith("-") else other)
            negated = False
            continue
        negated = False
        if match["field"] is not None:
            name = match["field"].lower()
            value = match["fquoted"] if match["fquoted"] is not None else (match["fvalue"] or "")
            if name not in FIELDS:
                notes.append(f"There is no field “{name}”: searched for the words instead.")
                words += words_of(f"{name} {value}")
                continue
            if not value:
                notes.append(f"“{name}:” needs a value.")
                continue
            if name in ("created", "updated"):
                try:
                    dates = parse_dates(value)
                except UnreadableDate as why:
                    notes.append(str(why))
                    continue
                if dates is None:
                    notes.append(f"“{value}” is not a date (use 2026-01-31, >2026-01-01 or 2026-01..2026-03).")
                    continue
                if name == "created":
                    created = dates
                else:
                    updated = dates
            elif name == "customer":
                customer_words += words_of(value)
            elif name == "number":
                digits = value.lstrip("#")
                if digits.isdigit() and len(digits) <= 18:
                    numbers.append(int(digits))
                else:
                    notes.append(f"“{value}” is not a ticket number.")
            elif name == "kind":
                kind = KIND_ALIASES.get(value.lower())
                if kind is None:
                    notes.append(f"“{value}” is not a kind (tickets, articles or customers).")
                else:
                    filters.setdefault("kind", []).append(kind)
            else:
                filters.setdefault(name, []).append(value.lower())
        elif match["phrase"] is not None:
            phrase = tuple(words_of(match["phrase"]))
            if len(phrase) > 1:
                phrases.append(phrase)
            else:
                exact += phrase
        elif match["number"] is not None:
            numbers.append(int(match["number"]))
        elif match["quote"] is not None:
            unbalanced = True
        elif match["other"] is not None:
            words += words_of(match["other"])
    if unbalanced:
        notes.append("A quote was not closed: searched for the words instead.")
    prefix: str | None = None
    ends_in_word = bool(text) and not text[-1].isspace() and bool(_WORD_CHARACTER.match(text[-1]))
    starred = _STARRED.search(text) is not None  # "refu*": the start of a word, typed or not
    if words and ((typing and ends_in_word) or starred):
        prefix = words.pop()
    elif "*" in text and not starred:
        notes.append("A * searches the beginning of the last word only (refu*): searched for the words instead.")
    total = len(words) + len(phrases) + len(exact) + len(customer_words)
    if total > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} words were searched.")
        words = words[:MAX_TERMS]
        phrases = phrases[: max(0, MAX_TERMS - len(words))]
        exact = exact[: max(0, MAX_TERMS - len(words) - len(phrases))]
        customer_words = customer_words[: max(0, MAX_TERMS - len(words) - len(phrases) - len(exact))]
    return ParsedQuery(
        words=tuple(dict.fromkeys(words)),
        without=tuple(w for w in dict.fromkeys(without) if w not in words)[:MAX_TERMS],
        prefix=prefix,
        phrases=tuple(phrases),
        exact=tuple(w for w in dict.fromkeys(exact) if w not in words),
        filters={k: tuple(dict.fromkeys(v)) for k, v in filters.items()},
        customer_words=tuple(dict.fromkeys(customer_words)),
        numbers=tuple(dict.fromkeys(numbers)),
        created=created,
        updated=updated,
        notes=tuple(dict.fromkeys(notes)),
    )
