"""Weekly hours as people write them, for a business calendar's opening hours and an agent's shift alike:
`mon-fri 09:00-12:00,13:00-17:00`, a week that wraps (`sun-thu`), `9am-5pm` or `10-14`, an en dash, a night
(`22:00-06:00`: until midnight, and from midnight on the next day). Pure: no I/O, importable by views."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.services.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

_HOURS = re.compile(r"^\s*(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(?P<times>.+)$")
_TIME = r"(\d{1,2})(?::(\d{2}))?(am|pm)?"
_INTERVAL = re.compile(rf"^{_TIME}-{_TIME}$")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})  # en dash, em dash, minus sign


def parse_hours(lines: Iterable[str]) -> dict[int, tuple[tuple[int, int], ...]]:
    """`mon-fri 09:00-12:00,13:00-17:00` and `sat 10:00-14:00` → weekday → intervals (minutes). As people
    write hours too: a week that wraps (`sun-thu`, the Middle East's), `9am-5pm` or `10-14`, an en dash, and a
    night shift (`22:00-06:00`: until midnight, and from midnight on the next day). Each of these was
    refused (a real-world probe and a team lead, 2026-12-07)."""
    weekly: dict[int, list[tuple[int, int]]] = {}
    for line in lines:
        match = _HOURS.match(line.lower().translate(_DASHES))
        if match is None:
            raise InvalidInput(f"{line!r}: write hours as 'mon-fri 09:00-17:00' (days, then intervals).")
        days = _days(match["days"])
        for text in _intervals_of(match["times"]):
            start, end = _interval(text)
            for day in days:
                if end > start:
                    weekly.setdefault(day, []).append((start, end))
                else:  # through midnight: the rest of this day, and the next day's start
                    weekly.setdefault(day, []).append((start, MINUTES_PER_DAY))
                    if end > 0:
                        weekly.setdefault((day + 1) % 7, []).append((0, end))
    if not weekly:
        raise InvalidInput("No hours were given (e.g. 'mon-fri 09:00-17:00').")
    return {day: tuple(sorted(intervals)) for day, intervals in sorted(weekly.items())}


def _intervals_of(times: str) -> list[str]:
    """`09:00-12:00, 13:00-17:00`, `08:00-12:00 13:00-17:00`, `9 am - 5 pm` → one text per interval (the
    spaces were dropped, and two intervals with a space between were refused as one '08:00-12:0013:00-17:00')."""
    joined = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", re.sub(r"\s*-\s*", "-", times.strip()))
    return [text for text in re.split(r"[,;\s]+", joined) if text]


def _days(text: str) -> list[int]:
    """`mon-fri,sat` → [0, 1, 2, 3, 4, 5]; a range may wrap past Sunday (`sun-thu`, `fri-mon`)."""
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise InvalidInput(f"{part!r} is not a day or range of days (mon … sun).")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days += [(a + n) % 7 for n in range((b - a) % 7 + 1)]
    return list(dict.fromkeys(days))


def _interval(text: str) -> tuple[int, int]:
    """`09:00-17:00`, `9am-5pm`, `10-14` → minutes of the day (an end at or before the start runs past midnight)."""
    interval = _INTERVAL.match(text)
    if interval is None:
        raise InvalidInput(f"{text!r} is not an interval like 09:00-17:00 (HH:MM-HH:MM, or 9am-5pm).")
    h1, m1, half1, h2, m2, half2 = interval.groups()
    start, end = _minutes(h1, m1, half1), _minutes(h2, m2, half2)
    if start is None or end is None or start >= MINUTES_PER_DAY or (start == end):
        raise InvalidInput(f"{text!r} is not an interval within the day (HH:MM-HH:MM, from 00:00 to 24:00).")
    bare = not any((m1, half1, m2, half2))
    if bare and end < start <= 12 * 60:  # "9-5": office hours meant, a night of 20 hours read
        raise InvalidInput(
            f"{text!r} reads as {start // 60:02d}:00 until {end // 60:02d}:00 the next morning: write"
            f" {start // 60:02d}:00-{end // 60 + 12:02d}:00 for the afternoon (a night: 22:00-06:00)."
        )
    return start, end


def _minutes(hours: str, minutes: str | None, half: str | None) -> int | None:
    h, m = int(hours), int(minutes or 0)
    if half is not None:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half == "pm" else 0)
    if m > 59 or h > 24 or (h == 24 and m > 0):
        return None
    return h * 60 + m
