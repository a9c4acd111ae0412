"""Predicted breach, the escalation board's rank (pure): business minutes left against when similar tickets
are typically done, on a business calendar and on calendar time."""

from __future__ import annotations

import datetime as dt

from app.services.sla.calendar import ALWAYS, BusinessCalendar, weekdays
from app.services.sla.dto import Risk, minutes_words
from app.services.sla.prediction import predict

OFFICE = BusinessCalendar("Europe/Berlin", weekdays("09:00", "17:00"), name="office")
FRIDAY_4PM = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)  # 16:00 in Berlin
MONDAY_10AM = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


def test_minutes_left_count_business_time_only() -> None:
    guess = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=None, calendar=OFFICE, now=FRIDAY_4PM)
    assert guess.minutes_left == 120  # Friday 16-17 and Monday 9-10; the weekend does not count
    assert guess.margin == guess.minutes_left and guess.risk is Risk.ON_TRACK


def test_a_ticket_typically_done_after_its_due_time_is_likely_to_breach() -> None:
    typical = 3 * 24 * 60 + 60  # similar tickets take three days and an hour: done Monday 17:00
    guess = predict(due_at=MONDAY_10AM, created_at=FRIDAY_4PM, typical_minutes=typical, calendar=OFFICE, now=FRIDAY_4PM)
    assert guess.risk is Risk.LIKELY and guess.margin == -420  # Monday 10:00 to 17:00 of business time
    assert guess.typical_minutes == typical and guess.minutes_left == 120


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
