"""The dry-run's replay of shifts and out of office agrees with what routing itself reads at every moment
(`scoring.on_shift`, `scoring.out_of_office`): generated schedules in time zones with and without daylight
saving, moments across a window that holds a change of clocks, fixed dates (no real time of day)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.routing.dry_run import _back_at, _open, _periods, _Roster
from app.services.routing.scoring import CandidateFacts, on_shift, out_of_office

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


@settings(max_examples=60, deadline=None)
@given(
    agents=st.lists(
        st.tuples(st.one_of(st.none(), shifts()), st.sampled_from(ZONES), st.one_of(st.none(), st.integers(-3, 33))),
        min_size=1,
        max_size=4,
    ),
    when=st.lists(moments, min_size=1, max_size=30),
    ordered=st.booleans(),
)
def test_the_roster_gives_each_agent_their_state_at_each_moment_in_any_order(
    agents: list[tuple[dict[str, list[list[int]]] | None, str, int | None]], when: list[dt.datetime], ordered: bool
) -> None:
    """The roster answers again only when someone's state may have changed: never a stale answer, whether
    the moments come in order (a replay) or not."""
    team = [CandidateFacts(i, f"agent {i}", frozenset({1}), capacity=5) for i in range(len(agents))]
    until = {
        i: SINCE.date() + dt.timedelta(days=days) if days is not None else None for i, (_, _, days) in enumerate(agents)
    }
    schedules = {
        i: (_periods(shift, zone, SINCE, NOW), _back_at(end, zone) if (end := until[i]) is not None else None)
        for i, (shift, zone, _) in enumerate(agents)
    }
    roster = _Roster(team, schedules)
    for moment in sorted(when) if ordered else when:
        for candidate in roster.at(moment):
            shift, zone, _ = agents[candidate.agent_id]
            assert candidate.on_shift == on_shift(shift, zone, moment), (moment, candidate)
            assert candidate.out_of_office == out_of_office(until[candidate.agent_id], zone, moment), (
                moment,
                candidate,
            )


def test_no_schedule_or_one_that_cannot_be_read_is_always_on_shift_as_routing_counts_it() -> None:
    assert _periods(None, "UTC", SINCE, NOW) is None and _periods({}, "UTC", SINCE, NOW) is None
    assert _periods({"9": [[0, 60]]}, "UTC", SINCE, NOW) is None
    assert on_shift({"9": [[0, 60]]}, "UTC", SINCE)
