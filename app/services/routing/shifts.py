"""Weekly shifts as people write them ("mon-fri=09:00-17:00", "sat=10:00-14:00") and as routing stores
them (weekday "0" = Monday … "6" -> [[start, end] minutes of local time]). Pure: no I/O, importable by views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

from app.services.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


def parse_shift(specs: Iterable[str]) -> dict[str, list[list[int]]]:
    """Each spec is DAYS=HOURS: DAYS a day or a range ("mon", "mon-fri", "sat-sun"), HOURS one or more
    "HH:MM-HH:MM" joined by commas (24:00 ends a day). Later specs add to a day; overlaps are refused."""
    shift: dict[int, list[tuple[int, int]]] = {}
    for spec in specs:
        days, sep, hours = spec.strip().lower().partition("=")
        if not sep or not hours:
            raise InvalidInput(f"{spec!r}: write a shift as DAYS=HH:MM-HH:MM, e.g. mon-fri=09:00-17:00")
        spans = [_span(part, spec) for part in hours.split(",")]
        for day in _days(days, spec):
            shift.setdefault(day, []).extend(spans)
    for day, spans in shift.items():
        spans.sort()
        for (_, end), (start, _) in pairwise(spans):
            if start < end:
                raise InvalidInput(f"the hours of {DAYS[day]} overlap")
    return {str(day): [list(span) for span in spans] for day, spans in sorted(shift.items())}


def describe_shift(shift: Mapping[str, Sequence[Sequence[int]]] | None) -> list[str]:
    """One line per working day, Monday first ("mon 09:00-17:00"); none: always on shift."""
    if not shift:
        return []
    return [
        f"{DAYS[int(day)]} " + ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in sorted(map(tuple, shift[day])))
        for day in sorted(shift, key=int)
        if shift[day]
    ]


def _days(text: str, spec: str) -> list[int]:
    first, dash, last = text.strip().partition("-")
    try:
        start = DAYS.index(first.strip()[:3])
        end = DAYS.index(last.strip()[:3]) if dash else start
    except ValueError:
        raise InvalidInput(f"{spec!r}: days are mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri") from None
    if end < start:
        raise InvalidInput(f"{spec!r}: a range of days runs from Monday towards Sunday")
    return list(range(start, end + 1))


def _span(text: str, spec: str) -> tuple[int, int]:
    opens, dash, closes = text.strip().partition("-")
    start, end = _minutes(opens, spec), _minutes(closes, spec) if dash else -1
    if not 0 <= start < end <= MINUTES_PER_DAY:
        raise InvalidInput(f"{spec!r}: hours are HH:MM-HH:MM, the end after the start, within the day")
    return start, end


def _minutes(text: str, spec: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    try:
        value = int(hours) * 60 + int(minutes or 0)
    except ValueError:
        raise InvalidInput(f"{spec!r}: {text!r} is not a time of day such as 09:30") from None
    if not 0 <= int(minutes or 0) < 60:
        raise InvalidInput(f"{spec!r}: {text!r} is not a time of day such as 09:30")
    return value


def _clock(minutes: Any) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours:02d}:{rest:02d}"


def day_hours(shift: Mapping[str, Sequence[Sequence[int]]] | None, day: int) -> str:
    """One weekday's hours as a person edits them ("09:00-12:00, 13:00-17:00"; "" for a day off), the
    inverse of `parse_shift([f"{DAYS[day]}={text}"])`."""
    spans = sorted(tuple(map(int, span)) for span in (shift or {}).get(str(day), ()))
    return ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in spans)


def parse_week(hours_by_day: Sequence[str]) -> dict[str, list[list[int]]] | None:
    """Seven texts, Monday first, each a day's hours as `day_hours` writes them (blank: a day off), as the
    shift to store; None when every day is blank (no schedule: at work whenever available)."""
    specs = [f"{DAYS[day]}={text}" for day, text in enumerate(hours_by_day) if text.strip()]
    return parse_shift(specs) or None
