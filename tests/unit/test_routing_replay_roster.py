"""The dry-run's replay of shifts and out of office agrees with what routing itself reads at every moment
(`scoring.on_shift`, `scoring.out_of_office`): generated schedules in time zones with and without daylight
saving, moments across a window that holds a change of clocks, fixed dates (no real time of day)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.routing.dry_run import _back_at, _open, _periods
from app.services.routing.scoring import on_shift, out_of_office

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Pacific/Kiritimati"]
SINCE = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)  # Europe leaves summer time on the 25th, New York on 1 November
NOW = SINCE + dt.timedelta(days=30)


@st.composite
def shifts(draw: st.DrawFn) -> dict[str, list[list[int]]]:
    shift: dict[str, list[list[int]]] = {}
    for day in draw(st.sets(st.integers(0, 6), min_size=1)):
        edges = sorted(draw(st.sets(st.integers(0, 48).map(lambda h: h * 30), min_size=2, max_size=6)))
        spans = [[a, b] for a, b in zip(edges[::2], edges[1::2], strict=False)]
        if spans:
            shift[str(day)] = spans
    return shift


moments = st.integers(0, 30 * 24 * 4).map(lambda quarter: SINCE + dt.timedelta(minutes=15 * quarter))


@settings(max_examples=80, deadline=None)
@given(shift=shifts(), zone=st.sampled_from(ZONES), when=st.lists(moments, min_size=1, max_size=20))
def test_a_replayed_moment_is_on_shift_exactly_when_routing_would_say_so(
    shift: dict[str, list[list[int]]], zone: str, when: list[dt.datetime]
) -> None:
    periods = _periods(shift, zone, SINCE, NOW)
    for moment in when:
        assert _open(periods, moment) == on_shift(shift, zone, moment), (moment, shift, zone)


@settings(max_examples=100, deadline=None)
@given(days=st.integers(-3, 33), zone=st.sampled_from(ZONES), when=st.lists(moments, min_size=1, max_size=20))
def test_a_replayed_moment_is_out_of_office_exactly_when_routing_would_say_so(
    days: int, zone: str, when: list[dt.datetime]
) -> None:
    until = SINCE.date() + dt.timedelta(days=days)
    back_at = _back_at(until, zone)
    for moment in when:
        assert (moment < back_at) == out_of_office(until, zone, moment), (moment, until, zone)


def test_no_schedule_or_one_that_cannot_be_read_is_always_on_shift_as_routing_counts_it() -> None:
    assert _periods(None, "UTC", SINCE, NOW) is None and _periods({}, "UTC", SINCE, NOW) is None
    assert _periods({"9": [[0, 60]]}, "UTC", SINCE, NOW) is None
    assert on_shift({"9": [[0, 60]]}, "UTC", SINCE)
