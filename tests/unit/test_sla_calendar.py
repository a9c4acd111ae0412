"""Business time on a calendar: weekends, holidays, several intervals a day, daylight saving both ways,
time zones, and the properties that must hold for any instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.sla.calendar import (
    ALWAYS,
    BusinessCalendar,
    CalendarNeverOpen,
    public_holidays,
    weekdays,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessCalendar("Europe/Berlin", weekdays("09:00", "17:00"), name="Berlin office")
SPLIT = BusinessCalendar("Europe/Berlin", {d: ((8 * 60, 12 * 60), (13 * 60, 17 * 60)) for d in range(5)})


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_a_day_of_hours_and_a_weekend_in_between() -> None:
    friday_4pm = berlin(2026, 12, 4, 16, 0)
    assert OFFICE.add_business_minutes(friday_4pm, 120) == berlin(2026, 12, 7, 10, 0)  # Monday 10:00
    assert OFFICE.business_minutes(friday_4pm, berlin(2026, 12, 7, 10, 0)) == 120


def test_created_outside_hours_starts_counting_at_the_next_opening() -> None:
    saturday_night = berlin(2026, 12, 5, 23, 30)
    assert OFFICE.add_business_minutes(saturday_night, 30) == berlin(2026, 12, 7, 9, 30)
    assert not OFFICE.is_open(saturday_night) and OFFICE.is_open(berlin(2026, 12, 7, 9, 0))


def test_a_lunch_break_does_not_count() -> None:
    assert SPLIT.add_business_minutes(berlin(2026, 12, 7, 11, 0), 120) == berlin(2026, 12, 7, 14, 0)


def test_holidays_close_the_whole_day() -> None:
    closed = public_holidays("DE", "BE", [2026])
    assert dt.date(2026, 12, 25) in closed and dt.date(2026, 3, 8) in closed  # Women's Day is Berlin's own
    christmas = BusinessCalendar("Europe/Berlin", weekdays("09:00", "17:00"), closed_dates=closed)
    christmas_eve_4pm = berlin(2026, 12, 24, 16, 0)  # a Thursday; 25 and 26 are holidays, then a weekend
    assert christmas.add_business_minutes(christmas_eve_4pm, 120) == berlin(2026, 12, 28, 10, 0)


def test_an_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no public holidays are known for 'XX'"):
        public_holidays("XX", None, [2026])


def test_spring_forward_makes_the_night_shorter_and_office_hours_stay_on_the_wall_clock() -> None:
    night = BusinessCalendar("Europe/Berlin", {6: ((0, 24 * 60),)})  # Sundays, round the clock
    assert night.business_minutes(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0)) == 23 * 60
    monday = berlin(2026, 3, 30, 9, 0)
    assert OFFICE.add_business_minutes(berlin(2026, 3, 27, 16, 0), 120) == monday.replace(hour=10)


@pytest.mark.parametrize(
    ("zone", "day", "hours", "minutes"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 29), (150, 195), 15),  # 02:30-03:15: open from the jump at 03:00
        ("Europe/Berlin", dt.date(2026, 3, 29), (120, 180), 0),  # 02:00-03:00: all of it skipped
        ("America/New_York", dt.date(2026, 3, 8), (90, 200), 50),  # 01:30-03:20 less the skipped 02:00-03:00
        ("America/New_York", dt.date(2026, 3, 8), (135, 200), 20),  # 02:15-03:20: from the jump at 03:00
    ],
)
def test_hours_that_begin_in_the_skipped_hour_open_when_the_clock_jumps(
    zone: str, day: dt.date, hours: tuple[int, int], minutes: int
) -> None:
    """Read with the offset before the change, 02:30 on the night Berlin skips 02:00-03:00 opened at 03:30
    and the day counted -15 business minutes, its due times half an hour late (a real-world probe)."""
    calendar = BusinessCalendar(zone, {d: (hours,) for d in range(7)})
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    assert calendar.business_minutes(midnight, midnight + dt.timedelta(days=1)) == minutes
    assert all(opens < closes for opens, closes in calendar.open_periods(midnight, midnight + dt.timedelta(days=1)))


def test_fall_back_makes_the_night_longer() -> None:
    night = BusinessCalendar("Europe/Berlin", {6: ((0, 24 * 60),)})
    assert night.business_minutes(berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 26, 0, 0)) == 25 * 60
    two_thirty = night.add_business_minutes(berlin(2026, 10, 25, 0, 0), 150)
    assert two_thirty.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST


def test_hours_in_another_time_zone_and_across_midnight() -> None:
    new_york = BusinessCalendar("America/New_York", weekdays("09:00", "17:00"))
    late_in_berlin = berlin(2026, 12, 7, 22, 0)  # 16:00 in New York
    due = new_york.add_business_minutes(late_in_berlin, 120)
    assert due == dt.datetime(2026, 12, 8, 10, 0, tzinfo=NEW_YORK)
    night_shift = BusinessCalendar("Europe/Berlin", {d: ((22 * 60, 24 * 60),) for d in range(7)})
    assert night_shift.add_business_minutes(berlin(2026, 12, 7, 23, 0), 90) == berlin(2026, 12, 8, 22, 30)


def test_calendar_time_is_business_time_on_the_always_open_calendar() -> None:
    start = berlin(2026, 12, 5, 23, 0)
    assert ALWAYS.add_business_minutes(start, 90) == start + dt.timedelta(minutes=90)


def test_a_calendar_that_never_opens_says_so() -> None:
    closed = BusinessCalendar("UTC", {}, name="Nobody home")
    with pytest.raises(CalendarNeverOpen, match="Nobody home has no open hours"):
        closed.add_business_minutes(berlin(2026, 12, 7, 9, 0), 1)


@pytest.mark.parametrize(
    "hours", [{0: ((600, 540),)}, {0: ((0, 1441),)}, {0: ((60, 120), (90, 180))}, {7: ((60, 120),)}]
)
def test_impossible_hours_are_refused(hours: dict[int, tuple[tuple[int, int], ...]]) -> None:
    with pytest.raises(ValueError, match=r"the hours of Monday|weekday 7"):
        BusinessCalendar("UTC", hours)


instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)
)
calendars = st.sampled_from([OFFICE, SPLIT, ALWAYS, BusinessCalendar("America/New_York", weekdays("08:00", "20:00"))])


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants)
def test_business_time_never_exceeds_calendar_time(calendar: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> None:
    start, end = min(a, b), max(a, b)
    assert 0 <= calendar.business_minutes(start, end) <= (end - start).total_seconds() / 60 + 1e-9


@settings(max_examples=150, deadline=None)
@given(calendars, instants, st.floats(0, 20_000))
def test_adding_business_minutes_then_measuring_gives_them_back(
    calendar: BusinessCalendar, start: dt.datetime, minutes: float
) -> None:
    due = calendar.add_business_minutes(start, minutes)
    assert due >= start
    assert calendar.business_minutes(start, due) == pytest.approx(minutes, abs=1e-6)


def test_overlapping_hours_are_named_as_a_person_typed_them() -> None:
    with pytest.raises(ValueError, match=r"the hours of Monday overlap or leave the day: 09:00-13:00, 12:00-17:00"):
        BusinessCalendar("Europe/Berlin", {0: ((540, 780), (720, 1020))})


def test_the_longest_target_a_policy_may_have_falls_due_on_an_office_calendar() -> None:
    """525,600 business minutes of a 40-hour week: 219 weeks ahead. The search stopped at 800 days and a dry
    run of that target failed with "no open hours"."""
    start = dt.datetime(2026, 12, 7, 9, tzinfo=BERLIN)
    due = OFFICE.due_or_none(start, 525_600)
    assert due is not None and 218 * 7 < (due - start).days < 220 * 7
    assert OFFICE.business_minutes(start, due) == pytest.approx(525_600)


def test_a_calendar_that_never_opens_that_long_gives_no_due_time_instead_of_failing() -> None:
    hour_a_week = BusinessCalendar("UTC", {0: ((9 * 60, 10 * 60),)}, name="Monday mornings")
    start = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    assert hour_a_week.due_or_none(start, 120) == dt.datetime(2026, 12, 14, 10, tzinfo=dt.UTC)
    assert hour_a_week.due_or_none(start, 525_600) is None
    with pytest.raises(CalendarNeverOpen):
        hour_a_week.add_business_minutes(start, 525_600)
