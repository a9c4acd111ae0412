"""SLA policies, calendars and dry runs as plain values (no SQLAlchemy here: the views import this module)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.services.platform.week_hours import WEEKDAYS as WEEKDAYS

POLICY_FIELDS = ("name", "position", "conditions", "targets", "business_hours", "calendar", "warn_share", "ladder")


@dataclass(frozen=True)
class PolicyInfo:
    id: int
    name: str
    position: int
    conditions: Mapping[str, Any]
    targets: Mapping[str, Any]
    business_hours: bool
    calendar: str | None
    warn_share: float
    ladder: tuple[Mapping[str, Any], ...]
    is_active: bool
    version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "position": self.position,
            "conditions": dict(self.conditions),
            "targets": dict(self.targets),
            "business_hours": self.business_hours,
            "calendar": self.calendar,
            "warn_share": self.warn_share,
            "ladder": [dict(step) for step in self.ladder],
            "active": self.is_active,
            "version": self.version,
        }


MAX_DATE_NAME = 100  # characters of the name of a team's own closed date
MANY_CLOSED_DAYS = 60  # an .ics import closing more is asked about: more than a team closes in a year


def busiest_year(days: Iterable[dt.date]) -> tuple[int, int]:
    """The year with the most of these days, and how many (0, 0 for none): an import reaches two or three
    years ahead, so a feed of 25 company days a year made 75 and was asked about as "more than a year's"."""
    counted = Counter(day.year for day in days)
    return max(((count, year) for year, count in counted.items()), default=(0, 0))[::-1]


@dataclass(frozen=True)
class CalendarInfo:
    id: int
    name: str
    time_zone: str
    weekly_hours: Mapping[str, Any]
    country: str | None
    subdivision: str | None
    closed_dates: tuple[dt.date, ...]
    version: int
    regions_left_out: tuple[str, ...] = ()  # the country's regions, when none was chosen
    closed_date_names: Mapping[dt.date, str] = field(default_factory=dict)  # the named ones among closed_dates

    @property
    def own_dates(self) -> dict[dt.date, str]:
        """The team's own closed dates with their names ("" for a date without one)."""
        return {day: self.closed_date_names.get(day, "") for day in self.closed_dates}

    @property
    def region_note(self) -> str | None:
        """Why a country without a region closes on fewer days than a team there may expect (the United
        Kingdom's nationwide holidays are 8 of England's 10 and Scotland's 12)."""
        if not self.regions_left_out:
            return None
        shown = ", ".join(self.regions_left_out[:12]) + (", …" if len(self.regions_left_out) > 12 else "")
        return (
            f"only {self.country}'s nationwide public holidays close it: its regions ({shown}) have more of "
            "their own; choose one (--subdivision) to count them"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "time_zone": self.time_zone,
            "weekly_hours": dict(self.weekly_hours),
            "hours": describe_hours(self.weekly_hours),
            "country": self.country,
            "subdivision": self.subdivision,
            "closed_dates": [d.isoformat() for d in self.closed_dates],
            "closed_date_names": {d.isoformat(): name for d, name in sorted(self.closed_date_names.items())},
            "version": self.version,
            "regions_left_out": list(self.regions_left_out),
        }


def describe_hours(weekly: Mapping[str, Any]) -> list[str]:
    lines = []
    for day in sorted(weekly, key=int):
        intervals = ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in weekly[day])
        lines.append(f"{WEEKDAYS[int(day)]} {intervals}")
    return lines


@dataclass(frozen=True)
class MovedTicket:
    number: int
    subject: str
    queue: str
    due_before: dt.datetime | None
    due_after: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket": self.number,
            "subject": self.subject,
            "queue": self.queue,
            "due_before": None if self.due_before is None else self.due_before.isoformat(),
            "due_after": None if self.due_after is None else self.due_after.isoformat(),
        }


@dataclass(frozen=True)
class DryRun:
    as_of: dt.datetime
    open_tickets: int
    moved: int
    earlier: int
    later: int
    newly_breached_count: int
    newly_breached: tuple[MovedTicket, ...]
    lose_clock: int = 0  # had a due time and would have none (a policy matching no ticket it used to)
    gain_clock: int = 0

    def summary(self) -> str:
        """The outcome in one sentence, the same in the CLI and the policy editor's preview."""
        parts = [f"{self.earlier} would be due earlier, {self.later} later"] if self.earlier or self.later else []
        if self.lose_clock:  # a policy that no longer matches: no due time at all, which "moved" hid
            parts.append(f"{self.lose_clock} would have no due time any more")
        if self.gain_clock:
            parts.append(f"{self.gain_clock} would get one")
        direction = f" ({'; '.join(parts)})" if parts else ""
        return (
            f"{self.moved} of {self.open_tickets} open tickets would move{direction}; "
            f"{self.newly_breached_count} would become breached at once."
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "open_tickets": self.open_tickets,
            "moved": self.moved,
            "earlier": self.earlier,
            "later": self.later,
            "lose_clock": self.lose_clock,
            "gain_clock": self.gain_clock,
            "newly_breached": self.newly_breached_count,
            "breached_tickets": [t.as_json() for t in self.newly_breached],
        }


@dataclass(frozen=True)
class SlaSetup:
    """What the admin views show, read at one moment.

    Attributes:
        policies: every policy, retired ones too, in match order (position, id).
        calendars: every business calendar, by name.
        queues: (id, name) of the queues one sees; led: the ids of those one may give a policy for.
        may_edit_calendars: admins only (calendars are shared by every queue).
        everyone: an admin (policies without queue conditions are theirs).
    """

    policies: tuple[PolicyInfo, ...]
    calendars: tuple[CalendarInfo, ...]
    queues: tuple[tuple[int, str], ...]
    led: frozenset[int]
    may_edit_calendars: bool
    everyone: bool
