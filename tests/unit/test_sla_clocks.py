"""SLA clocks replayed from their ledger: pauses, resumes, reopen, a policy change mid-flight, breaches,
and the properties (paused time never counts; a pause never brings a due time earlier)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.sla.calendar import ALWAYS, BusinessCalendar, weekdays
from app.services.sla.clocks import Entry, LedgerEvent, Target, clock, explain, is_running

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar("Europe/Berlin", weekdays("09:00", "17:00"), name="Berlin office")
RESOLUTION = Target.RESOLUTION


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)  # December 2026: the 7th is a Monday


def event(when: dt.datetime, entry: Entry, status: str | None = None) -> LedgerEvent:
    return LedgerEvent(when, RESOLUTION, entry, status)


def test_a_running_clock_is_due_after_its_business_minutes() -> None:
    state = clock([event(at(7, 10), Entry.START)], RESOLUTION, 240, OFFICE, at(7, 11))
    assert state.running and state.due_at == at(7, 14) and state.elapsed_minutes == 60


def test_waiting_on_the_customer_stops_the_clock_and_moves_the_due_time_by_exactly_the_wait() -> None:
    ledger = [event(at(7, 10), Entry.START), event(at(7, 11), Entry.PAUSE, "waiting")]
    paused = clock(ledger, RESOLUTION, 240, OFFICE, at(7, 15))
    assert not paused.running and paused.due_at is None and paused.paused_by == "waiting"
    assert paused.elapsed_minutes == 60
    ledger.append(event(at(8, 10), Entry.RESUME, "in_progress"))  # waited 7 business hours
    resumed = clock(ledger, RESOLUTION, 240, OFFICE, at(8, 10))
    assert resumed.due_at == at(8, 13) == OFFICE.add_business_minutes(at(7, 14), 7 * 60)


def test_is_running_says_what_the_clock_says_without_a_calendar() -> None:
    ledger = [event(at(7, 10), Entry.START), event(at(7, 11), Entry.PAUSE, "waiting")]
    assert is_running(ledger, RESOLUTION, at(7, 10, 30)) and not is_running(ledger, RESOLUTION, at(7, 12))
    ledger += [event(at(8, 10), Entry.RESUME, "in_progress"), event(at(8, 11), Entry.FULFIL)]
    for moment in (at(8, 10), at(8, 12)):
        assert is_running(ledger, RESOLUTION, moment) is clock(ledger, RESOLUTION, 30, OFFICE, moment).running
    assert not is_running(ledger, Target.FIRST_RESPONSE, at(8, 12))


def test_a_pause_over_the_weekend_counts_nothing() -> None:
    ledger = [
        event(at(4, 16), Entry.START),  # Friday
        event(at(4, 16, 30), Entry.PAUSE, "pending"),
        event(at(7, 9), Entry.RESUME, "in_progress"),  # Monday
    ]
    assert clock(ledger, RESOLUTION, 60, OFFICE, at(7, 9)).due_at == at(7, 9, 30)


def test_fulfilled_in_time_is_met_and_late_is_a_breach() -> None:
    ledger = [event(at(7, 10), Entry.START), event(at(7, 11), Entry.FULFIL)]
    assert clock(ledger, RESOLUTION, 120, OFFICE, at(7, 12)).met is True
    late = clock(ledger, RESOLUTION, 30, OFFICE, at(7, 12))
    assert late.met is False and late.breached_at == at(7, 10, 30)


def test_an_open_clock_past_its_due_time_is_breached_at_that_time() -> None:
    state = clock([event(at(7, 10), Entry.START)], RESOLUTION, 60, OFFICE, at(7, 16))
    assert state.breached_at == state.due_at == at(7, 11) and state.met is False


def test_reopen_restarts_the_clock_afresh() -> None:
    ledger = [
        event(at(7, 10), Entry.START),
        event(at(7, 12), Entry.FULFIL),
        event(at(8, 9), Entry.RESTART, "reopened"),
    ]
    state = clock(ledger, RESOLUTION, 120, OFFICE, at(8, 9))
    assert state.started_at == at(8, 9) and state.due_at == at(8, 11) and state.fulfilled_at is None


def test_a_policy_change_mid_flight_keeps_what_was_counted() -> None:
    ledger = [event(at(7, 9), Entry.START), event(at(7, 10), Entry.RECOMPUTE, "policy Gold: 8 h → 4 h")]
    assert clock(ledger, RESOLUTION, 8 * 60, OFFICE, at(7, 10)).due_at == at(7, 17)
    assert clock(ledger, RESOLUTION, 4 * 60, OFFICE, at(7, 10)).due_at == at(7, 13)


def test_other_targets_and_events_after_now_are_ignored() -> None:
    ledger = [
        event(at(7, 10), Entry.START),
        LedgerEvent(at(7, 10, 30), Target.FIRST_RESPONSE, Entry.FULFIL),
        event(at(7, 12), Entry.PAUSE, "waiting"),
    ]
    state = clock(ledger, RESOLUTION, 240, OFFICE, at(7, 11))
    assert state.running and state.due_at == at(7, 14)


def test_the_ledger_explains_the_due_time_in_words() -> None:
    ledger = [
        event(at(7, 10), Entry.START),
        event(at(7, 11), Entry.PAUSE, "waiting"),
        event(at(8, 10), Entry.RESUME, "in_progress"),
    ]
    lines = explain(ledger, RESOLUTION, 240, OFFICE, at(8, 10))
    assert lines == [
        "2026-12-07 10:00 started: 4 h of business time to meet",
        "2026-12-07 11:00 paused while waiting",
        "2026-12-08 10:00 resumed (in_progress)",
        "due 2026-12-08 13:00 CET: 1 h of 4 h counted",
    ]


moments = st.integers(0, 14 * 24 * 60).map(lambda m: at(1, 0) + dt.timedelta(minutes=m))
calendars = st.sampled_from([OFFICE, ALWAYS])


@settings(max_examples=200, deadline=None)
@given(calendars, moments, st.lists(moments, min_size=2, max_size=6), st.integers(1, 3000))
def test_paused_time_never_counts_and_a_pause_never_brings_the_due_time_earlier(
    calendar: BusinessCalendar, start: dt.datetime, marks: list[dt.datetime], minutes: int
) -> None:
    marks = sorted(m for m in marks if m > start)
    pauses = list(zip(marks[0::2], marks[1::2], strict=False))
    ledger = [event(start, Entry.START)]
    for pause, resume in pauses:
        ledger += [event(pause, Entry.PAUSE, "waiting"), event(resume, Entry.RESUME, "in_progress")]
    end = (marks[-1] if marks else start) + dt.timedelta(days=1)
    state = clock(ledger, RESOLUTION, minutes, calendar, end)
    unpaused = clock(ledger[:1], RESOLUTION, minutes, calendar, end)
    paused_minutes = sum(calendar.business_minutes(p, r) for p, r in pauses)
    running = calendar.business_minutes(start, end) - paused_minutes
    assert abs(state.elapsed_minutes - running) < 1e-6
    assert state.due_at is not None and unpaused.due_at is not None
    assert state.due_at >= unpaused.due_at
