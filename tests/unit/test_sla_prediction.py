"""Predicted breach, the escalation board's rank (pure): business minutes left against when similar tickets
are typically done, on a business calendar and on calendar time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.sla.calendar import ALWAYS, BusinessCalendar, weekdays
from app.services.sla.dto import Risk, left_words, minutes_words
from app.services.sla.prediction import predict, signed_business_minutes
from app.services.sla.typical import Group, Handled, Typical, typical_times
from app.vocabulary import Priority

OFFICE = BusinessCalendar("Europe/Berlin", weekdays("09:00", "17:00"), name="office")
FRIDAY_4PM = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)  # 16:00 in Berlin
MONDAY_10AM = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


def test_minutes_left_count_business_time_only() -> None:
    guess = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=None, calendar=OFFICE, now=FRIDAY_4PM)
    assert guess.minutes_left == 120  # Friday 16-17 and Monday 9-10; the weekend does not count
    assert guess.margin == guess.minutes_left and guess.risk is Risk.ON_TRACK


def test_a_ticket_typically_done_after_its_due_time_is_likely_to_breach() -> None:
    typical = 3 * 60  # similar tickets take three business hours: Friday 16-17 and Monday 9-11
    guess = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=typical, calendar=OFFICE, now=FRIDAY_4PM)
    assert guess.risk is Risk.LIKELY and guess.margin == -60  # done Monday 11:00, an hour after the due time
    assert guess.typical_minutes == typical and guess.minutes_left == 120


def test_a_ticket_open_longer_than_similar_ones_take_is_past_typical_not_simply_on_track() -> None:
    """A lead read "on track, 48 min to spare" beside "similar tickets take 2 h 56 min" as a contradiction
    (usability probe, 2026-12-07): the ticket has been open longer than that already."""
    monday_9am = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
    guess = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=30, calendar=OFFICE, now=monday_9am)
    assert guess.past_typical and guess.margin == guess.minutes_left == 60 and guess.risk is Risk.ON_TRACK
    early = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=90, calendar=OFFICE, now=FRIDAY_4PM)
    assert not early.past_typical


def test_the_typical_time_is_business_time_on_the_tickets_calendar() -> None:
    """Typically answered in 60 business minutes, a ticket of Friday 16:30 is expected on Monday at 09:30,
    not at 17:30 on Friday: the margin to a Monday 10:00 due time is 30 minutes, not 150."""
    created = FRIDAY_4PM + dt.timedelta(minutes=30)
    guess = predict(due_at=MONDAY_10AM, created_at=created, typical_minutes=60, calendar=OFFICE, now=created)
    assert (guess.minutes_left, guess.margin, guess.risk) == (90, 30, Risk.ON_TRACK)
    calendar_time = predict(due_at=MONDAY_10AM, created_at=created, typical_minutes=60, calendar=ALWAYS, now=created)
    assert calendar_time.minutes_left is not None and calendar_time.margin == calendar_time.minutes_left - 60


def test_similar_tickets_are_measured_on_their_own_calendars() -> None:
    """The worker's medians: a Friday-to-Monday ticket took 20 minutes of the office's time; one whose
    policy counts calendar time took the whole weekend."""
    friday_1650 = dt.datetime(2026, 12, 4, 15, 50, tzinfo=dt.UTC)  # 16:50 in Berlin
    monday_0910 = dt.datetime(2026, 12, 7, 8, 10, tzinfo=dt.UTC)  # 09:10 in Berlin
    office: Group = (1, Priority.NORMAL, "question")
    always: Group = (2, Priority.NORMAL, "question")

    def handled(group: Group, target: str, created: dt.datetime, met: dt.datetime) -> Handled:
        return Handled(group, target, created, met, "email", frozenset(), None, None)

    tickets = [
        handled(office, "first", friday_1650, monday_0910),  # 20
        handled(office, "first", monday_0910, monday_0910 + dt.timedelta(minutes=5)),  # 5
        handled(office, "first", friday_1650, monday_0910 + dt.timedelta(hours=1)),  # 80
        handled(office, "resolution", friday_1650, monday_0910),  # 20
        handled(always, "first", friday_1650, monday_0910),  # 2 days 16 h 20 min
    ]
    typical = typical_times(tickets, lambda h: OFFICE if h.group == office else ALWAYS)
    assert typical == {
        office: Typical(20.0, 3, 20.0, 1),
        always: Typical(3860.0, 1, None, 0),
    }


def test_breached_and_paused() -> None:
    now = MONDAY_10AM + dt.timedelta(minutes=30)
    late = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=10, calendar=OFFICE, now=now)
    assert (late.risk, late.minutes_left, late.margin) == (Risk.BREACHED, -30, -30)
    paused = predict(due_at=None, created_at=FRIDAY_4PM, typical_minutes=10, calendar=OFFICE, now=now)
    assert paused.risk is Risk.PAUSED and paused.minutes_left is None


def test_the_rank_puts_the_predicted_breach_before_the_sooner_due_and_paused_last() -> None:
    now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    created = now - dt.timedelta(minutes=30)
    soon_but_quick = predict(
        due_at=now + dt.timedelta(minutes=60), created_at=created, typical_minutes=40, calendar=ALWAYS, now=now
    )
    later_but_slow = predict(
        due_at=now + dt.timedelta(minutes=120), created_at=created, typical_minutes=300, calendar=ALWAYS, now=now
    )
    paused = predict(due_at=None, created_at=created, typical_minutes=None, calendar=ALWAYS, now=now)
    assert later_but_slow.risk is Risk.LIKELY and later_but_slow.margin == -150
    assert soon_but_quick.risk is Risk.ON_TRACK and soon_but_quick.margin == 50
    ranked = sorted(
        [
            (soon_but_quick.rank_key(now + dt.timedelta(minutes=60), 1), "soon"),
            (paused.rank_key(None, 0), "paused"),
            (later_but_slow.rank_key(now + dt.timedelta(minutes=120), 2), "slow"),
        ]
    )
    assert [name for _key, name in ranked] == ["slow", "soon", "paused"]


def test_minutes_in_words() -> None:
    assert [minutes_words(m) for m in (None, 0, 45, 60, 125.4, -40)] == [
        "—",
        "0 min",
        "45 min",
        "1 h",
        "2 h 5 min",
        "-40 min",
    ]


@settings(max_examples=150, deadline=None)
@given(
    created=st.integers(0, 14 * 24 * 60),
    elapsed=st.integers(0, 7 * 24 * 60),
    due_after_now=st.integers(-3 * 24 * 60, 7 * 24 * 60),
    typical=st.integers(0, 5000),
)
def test_the_margin_is_the_business_time_from_the_typical_finish_to_the_due_time(
    created: int, elapsed: int, due_after_now: int, typical: int
) -> None:
    """The cheap reading (minutes left less the typical work not yet behind the ticket) is the margin as
    defined: business minutes from creation + typical business minutes (never before now) to the due time."""
    start = dt.datetime(2026, 11, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=created)
    now = start + dt.timedelta(minutes=elapsed)
    due = now + dt.timedelta(minutes=due_after_now)
    guess = predict(due_at=due, created_at=start, typical_minutes=typical, calendar=OFFICE, now=now)
    finish = max(now, OFFICE.add_business_minutes(start, typical))
    assert guess.margin == pytest.approx(signed_business_minutes(OFFICE, finish, due), abs=0.11)


def test_time_left_in_words_says_overdue_instead_of_a_negative_left() -> None:
    assert [left_words(m) for m in (None, 90, -2340)] == [
        "paused",
        "1 h 30 min of business time left",
        "overdue by 39 h of business time",
    ]
    assert [left_words(m, short=True) for m in (None, 90, -2340)] == ["paused", "1 h 30 min", "39 h over"]
