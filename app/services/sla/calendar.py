"""Business time: when a team is at work, as pure functions over a calendar (no I/O, no clock).

A calendar is a time zone, weekly hours (several intervals a day, in local time, as minutes from
midnight so that a day may end at 24:00) and the local dates it is closed (public holidays from the
`holidays` package for a country and region, plus the team's own dates). Every instant handed in or out
is timezone-aware; local intervals are turned into instants day by day through `zoneinfo`, so a
daylight-saving change makes that day's hours an hour shorter or longer, as the wall clock says.

A calendar that is always open (`ALWAYS`) turns business minutes into calendar minutes: policies measured
in calendar time use the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# How far ahead a due time is looked for: twelve years, so that the longest target a policy may have
# (525,600 minutes) falls due on any calendar open 14 hours a week or more (800 days placed it on none
# open 40 hours a week, and a dry run of that target failed). Further away: never (`due_or_none`).
SEARCH_DAYS = 4_400
Interval = tuple[int, int]  # [start, end) in minutes from local midnight, 0 … 1440
REMEMBERED_DAYS = 20_000  # of one calendar's open periods (about 3 MB at most)


class CalendarNeverOpen(ValueError):
    """The calendar has no open hours within reach: no due time can be computed on it."""


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _hours(intervals: Iterable[Interval]) -> str:
    """(540, 780), (720, 1020) as 09:00-13:00, 12:00-17:00."""
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in intervals)


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    weekly_hours: Mapping[int, tuple[Interval, ...]]  # weekday (0 = Monday) -> open intervals
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)
    name: str = ""
    # Each day's open periods as instants, once worked out: a sweep asks for the same days for every ticket
    # on the calendar, and each is a few zone conversions (more on a day the clocks change).
    _days: dict[dt.date, tuple[tuple[dt.datetime, dt.datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not in the middle of a sweep
        for weekday, intervals in self.weekly_hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
            ordered = sorted(intervals)
            for (start, end), (next_start, _) in zip(ordered, [*ordered[1:], (MINUTES_PER_DAY + 1, 0)], strict=True):
                if not 0 <= start < end <= MINUTES_PER_DAY or end > next_start:
                    day = _DAY_NAMES[weekday]
                    raise ValueError(f"the hours of {day} overlap or leave the day: {_hours(intervals)}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def open_periods(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The business periods within [start, end), in order, as aware instants."""
        if end <= start:
            return
        zone = self.zone
        day = start.astimezone(zone).date() - dt.timedelta(days=1)
        last = end.astimezone(zone).date() + dt.timedelta(days=1)
        while day <= last:
            for opens, closes in self._periods_on(day, zone):
                if closes > start and opens < end:
                    yield max(opens, start), min(closes, end)
            day += dt.timedelta(days=1)

    def business_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        """How much business time lies between two instants (0 when end is not after start)."""
        return sum((b - a).total_seconds() for a, b in self.open_periods(start, end)) / 60

    def due_or_none(self, start: dt.datetime, minutes: float) -> dt.datetime | None:
        """`add_business_minutes`, or None when the calendar is not open that long within `SEARCH_DAYS`: a
        clock that cannot fall due (a policy saved before its calendar lost its hours, or written in SQL)."""
        try:
            return self.add_business_minutes(start, minutes)
        except CalendarNeverOpen:
            return None

    def add_business_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The instant at which `minutes` of business time have passed since `start`."""
        if minutes <= 0:
            return start
        remaining = dt.timedelta(minutes=minutes)
        zone = self.zone
        day = start.astimezone(zone).date() - dt.timedelta(days=1)
        for _ in range(SEARCH_DAYS):
            for opens, closes in self._periods_on(day, zone):
                if closes <= start:
                    continue
                opens = max(opens, start)
                if closes - opens >= remaining:
                    return opens + remaining
                remaining -= closes - opens
            day += dt.timedelta(days=1)
        raise CalendarNeverOpen(
            f"the calendar {self.name or self.time_zone} has no open hours for {minutes:.0f} minutes"
        )

    def is_open(self, moment: dt.datetime) -> bool:
        return any(
            a <= moment < b for a, b in self.open_periods(moment - dt.timedelta(days=1), moment + dt.timedelta(days=1))
        )

    def _periods_on(self, day: dt.date, zone: ZoneInfo) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        known = self._days.get(day)
        if known is not None:
            return known
        periods: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
        if day not in self.closed_dates:
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
            instants = (
                (_local(midnight, start, zone), _local(midnight, end, zone))
                for start, end in sorted(self.weekly_hours.get(day.weekday(), ()))
            )
            periods = tuple((opens, closes) for opens, closes in instants if opens < closes)  # none in a skipped hour
        if len(self._days) >= REMEMBERED_DAYS:
            self._days.clear()
        self._days[day] = periods
        return periods


def _local(midnight: dt.datetime, minutes: int, zone: ZoneInfo) -> dt.datetime:
    """Minutes after local midnight as an instant in UTC; 1440 is the next day's midnight. A wall time that
    does not exist (the hour skipped in spring) is the instant the clock jumps forward (`_jump`); a repeated
    one (autumn) is its first occurrence (fold 0)."""
    day = midnight.date() + dt.timedelta(days=minutes // MINUTES_PER_DAY)
    hour, minute = divmod(minutes % MINUTES_PER_DAY, 60)
    wall = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
    instant = wall.astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    return _jump(wall, zone)


def _jump(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The instant the clock jumps over `wall`, a time it skips. Read with the offset before the change
    (fold 0) a skipped time lands after the jump by as much as it lay in the gap: hours of 02:30-03:15 on
    the night Berlin skips 02:00-03:00 opened at 03:30 and closed at 03:15, a day of -15 business minutes,
    and a due time half an hour late (a real-world probe, 2026-12-07). The jump lies between that reading
    and the one with the offset after (fold 1): found by halving, to the second (zones jump on whole
    seconds)."""
    early, late = wall.replace(fold=1).astimezone(dt.UTC), wall.astimezone(dt.UTC)
    naive = wall.replace(tzinfo=None)
    while late - early > dt.timedelta(seconds=1):
        middle = early + (late - early) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            late = middle
        else:
            early = middle
    return late.replace(microsecond=0)  # the one whole second in (early, late]


def weekdays(opens: str, closes: str, days: Iterable[int] = range(5)) -> dict[int, tuple[Interval, ...]]:
    """Helper for the common case: the same hours (`"09:00"`, `"17:30"`) on each of `days`."""
    interval = (_minutes(opens), _minutes(closes))
    return {day: (interval,) for day in days}


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 24:00)")
    return value


def public_holidays(country: str, subdivision: str | None, years: Iterable[int]) -> frozenset[dt.date]:
    """The public holidays of a country (and region) from the `holidays` package: offline, no download."""
    import holidays

    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    except NotImplementedError as error:
        raise ValueError(f"no public holidays are known for {country!r}: {error}") from None
    return frozenset(table.keys())


ALWAYS = BusinessCalendar("UTC", {day: ((0, MINUTES_PER_DAY),) for day in range(7)}, name="calendar time")
