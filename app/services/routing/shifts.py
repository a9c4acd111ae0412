"""Weekly shifts as people write them ("mon-fri=09:00-17:00", "sat=10:00-14:00") and as routing stores
them (weekday "0" = Monday … "6" -> [[start, end] minutes of local time]). Pure: no I/O, importable by views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

from app.services.errors import InvalidInput
from app.services.platform.week_hours import WEEKDAYS, parse_hours

DAYS = WEEKDAYS


def parse_shift(specs: Iterable[str]) -> dict[str, list[list[int]]]:
    """Each spec is DAYS=HOURS, with days and hours as a calendar's opening hours are written
    (`parse_hours`: "mon-fri=09:00-17:00", "sun-thu=9am-5pm", a night "mon-fri=22:00-06:00" that runs into
    the next morning); shifts took only "HH:MM-HH:MM" on days from Monday on, and refused what a calendar
    took (a real-world probe, 2026-12-07). Later specs add to a day; overlaps are refused."""
    shift: dict[int, list[tuple[int, int]]] = {}
    for spec in specs:
        days, sep, hours = spec.strip().partition("=")
        if not sep or not hours.strip():
            raise InvalidInput(f"{spec!r}: write a shift as DAYS=HOURS, e.g. mon-fri=09:00-17:00")
        for day, added in parse_hours([f"{days.strip()} {hours.strip()}"]).items():
            shift.setdefault(day, []).extend(added)
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
