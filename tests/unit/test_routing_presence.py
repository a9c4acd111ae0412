"""Who is at work, and who a customer's ticket sticks to, as pure functions: weekly shifts in the agent's
own time zone, out of office through a local date, and the substitute standing in for an agent who is
away. Property tests over generated teams, and the edges by hand (daylight saving, the date line)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.errors import InvalidInput
from app.services.routing.scoring import (
    CandidateFacts,
    FactorScore,
    TicketFacts,
    Weights,
    decide,
    on_shift,
    out_of_office,
    presence,
    sticky_agent,
)
from app.services.routing.shifts import describe_shift, parse_shift
from app.vocabulary import Availability, Priority

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)  # a Monday
QUEUE = 1
STICKY = "stickiness"


@st.composite
def teams(draw: st.DrawFn) -> list[CandidateFacts]:
    count = draw(st.integers(1, 8))
    return [
        CandidateFacts(
            agent_id=agent_id,
            name=f"Agent {agent_id}",
            queue_ids=frozenset({QUEUE}),
            availability=draw(st.sampled_from(list(Availability))),
            out_of_office=draw(st.booleans()),
            substitute_id=draw(st.one_of(st.none(), st.integers(1, count + 2))),  # may be outside the queue
            capacity=5,
            load=draw(st.integers(0, 5)),
        )
        for agent_id in range(1, count + 1)
    ]


def _stickiness(decision_factors: tuple[FactorScore, ...]) -> float:
    return next(f.weighted for f in decision_factors if f.factor == STICKY)


@settings(max_examples=200, deadline=None)
@given(teams(), st.one_of(st.none(), st.integers(1, 10)))
def test_an_agent_out_of_office_never_gets_the_stickiness_and_only_one_candidate_ever_does(
    team: list[CandidateFacts], previous: int | None
) -> None:
    ticket = TicketFacts(1, QUEUE, Priority.NORMAL, previous_agent_id=previous)
    decision = decide(ticket, team, Weights(), NOW)
    by_id = {c.agent_id: c for c in team}
    sticky = [s.agent_id for s in decision.ranked if _stickiness(s.factors) > 0]
    assert len(sticky) <= 1
    for agent_id in sticky:
        assert not by_id[agent_id].out_of_office
    assert sticky_agent(ticket, team) == sticky_agent(ticket, list(reversed(team)))


@settings(max_examples=200, deadline=None)
@given(teams(), st.integers(1, 10))
def test_the_stickiness_goes_to_the_previous_agent_or_along_their_substitutes(
    team: list[CandidateFacts], previous: int
) -> None:
    ticket = TicketFacts(1, QUEUE, Priority.NORMAL, previous_agent_id=previous)
    by_id = {c.agent_id: c for c in team}
    chain, current = [previous], previous
    while current in by_id and by_id[current].out_of_office and by_id[current].substitute_id not in (None, *chain):
        current = by_id[current].substitute_id  # type: ignore[assignment]
        chain.append(current)
    expected = None if current in by_id and by_id[current].out_of_office else current
    assert sticky_agent(ticket, team).agent_id == expected


@settings(max_examples=100, deadline=None)
@given(teams(), st.integers(1, 10))
def test_nobody_out_of_office_means_stickiness_as_before(team: list[CandidateFacts], previous: int) -> None:
    present = [CandidateFacts(**{**c.__dict__, "out_of_office": False}) for c in team]
    ticket = TicketFacts(1, QUEUE, Priority.NORMAL, previous_agent_id=previous)
    assert sticky_agent(ticket, present).agent_id == previous


def test_the_substitute_wins_the_customer_of_an_agent_out_of_office_and_the_explanation_says_so() -> None:
    ann = CandidateFacts(1, "Ann", frozenset({QUEUE}), out_of_office=True, substitute_id=3)
    bea = CandidateFacts(2, "Bea", frozenset({QUEUE}))
    cai = CandidateFacts(3, "Cai", frozenset({QUEUE}), last_assigned_at=NOW)  # would lose the tie-break
    decision = decide(TicketFacts(9, QUEUE, Priority.NORMAL, previous_agent_id=1), [ann, bea, cai], Weights(), NOW)
    assert decision.winner_id == 3
    note = next(f.note for f in decision.ranked[0].factors if f.factor == STICKY)
    assert note == "stands in for Ann (out of office), who handled this customer's previous ticket"
    assert [(e.name, e.reason) for e in decision.exclusions] == [("Ann", "out of office")]


def test_substitutes_in_a_circle_leave_the_stickiness_with_nobody() -> None:
    ann = CandidateFacts(1, "Ann", frozenset({QUEUE}), out_of_office=True, substitute_id=2)
    bea = CandidateFacts(2, "Bea", frozenset({QUEUE}), out_of_office=True, substitute_id=1)
    assert sticky_agent(TicketFacts(9, QUEUE, Priority.NORMAL, previous_agent_id=1), [ann, bea]).agent_id is None


BERLIN_OFFICE = {str(day): [[9 * 60, 17 * 60]] for day in range(5)}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 7, 7, 59, tzinfo=dt.UTC), False),  # 08:59 in Berlin (UTC+1 in winter)
        (dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC), True),  # 09:00 in Berlin
        (dt.datetime(2026, 12, 7, 15, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC), False),  # 17:00: the end is not in the shift
        (dt.datetime(2026, 7, 6, 7, 0, tzinfo=dt.UTC), True),  # 09:00 in summer (UTC+2)
        (dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC), False),  # a Saturday
    ],
)
def test_a_shift_is_kept_in_the_agents_own_time_zone(moment: dt.datetime, expected: bool) -> None:
    assert on_shift(BERLIN_OFFICE, "Europe/Berlin", moment) is expected


def test_no_schedule_or_an_unreadable_one_is_always_on_shift() -> None:
    assert on_shift(None, "UTC", NOW) and on_shift({}, "UTC", NOW)
    assert on_shift({"9": [[0, 10]]}, "UTC", NOW) and on_shift({"0": [["x", 1]]}, "Nowhere/Else", NOW)  # type: ignore[list-item]


def test_a_lead_reads_available_only_of_someone_routing_would_give_work_now() -> None:
    mornings = {str(day): [[8 * 60, 12 * 60]] for day in range(5)}  # 08:00 to 12:00, Monday to Friday
    assert presence(Availability.AVAILABLE, mornings, "Europe/Berlin", None, NOW) == "available"  # 11:00 there
    assert presence(Availability.AVAILABLE, mornings, "America/New_York", None, NOW) == "available, off shift"
    away = presence(Availability.AVAILABLE, None, "UTC", dt.date(2026, 12, 9), NOW)
    assert away == "available, out of office to 09 Dec"
    assert presence(Availability.AVAILABLE, None, "UTC", dt.date(2026, 12, 6), NOW) == "available"  # back today
    assert presence(Availability.AWAY, mornings, "America/New_York", None, NOW) == "away"  # the flag says it all


def test_out_of_office_lasts_through_the_date_in_the_agents_time_zone() -> None:
    until = dt.date(2026, 12, 7)
    late_monday_utc = dt.datetime(2026, 12, 7, 20, 0, tzinfo=dt.UTC)  # already Tuesday in Tokyo
    assert out_of_office(until, "UTC", late_monday_utc)
    assert not out_of_office(until, "Asia/Tokyo", late_monday_utc)
    assert out_of_office(until, "America/Los_Angeles", dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC))
    assert not out_of_office(None, "UTC", NOW)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)),
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]),
    st.integers(0, 23),
    st.integers(1, 24),
)
def test_a_generated_shift_is_on_exactly_in_its_local_hours(
    moment: dt.datetime, zone: str, start_hour: int, length: int
) -> None:
    end_hour = min(24, start_hour + length)
    shift = {str(day): [[start_hour * 60, end_hour * 60]] for day in range(7)}
    local = moment.astimezone(ZoneInfo(zone))
    if local.fold or local.replace(fold=1).utcoffset() != local.utcoffset():
        return  # the repeated hour in autumn: either reading of the wall clock is right
    assert on_shift(shift, zone, moment) is (start_hour <= local.hour < end_hour)


def test_shifts_are_written_as_people_say_them_and_read_back_the_same() -> None:
    shift = parse_shift(["mon-fri=09:00-12:30,13:30-17:00", "sat=10:00-14:00"])
    assert shift["0"] == [[540, 750], [810, 1020]] and shift["5"] == [[600, 840]] and "6" not in shift
    assert describe_shift(shift)[0] == "mon 09:00-12:30, 13:30-17:00"
    assert describe_shift(shift)[-1] == "sat 10:00-14:00"
    assert parse_shift(["sun=22:00-24:00"]) == {"6": [[1320, 1440]]}


def test_a_shift_is_written_as_a_calendars_hours_are() -> None:
    """A calendar took these and a shift refused every one (a real-world probe, 2026-12-07): the week that
    wraps in the Middle East, 9am-5pm, an en dash, and a night that runs into the next morning."""
    assert parse_shift(["sun-thu=08:00-16:00"]) == {str(d): [[480, 960]] for d in (0, 1, 2, 3, 6)}
    assert (
        parse_shift(["mon-fri=9am-5pm"])
        == parse_shift(["mon-fri=09:00\u201317:00"])
        == parse_shift(["mon-fri=09:00-17:00"])
    )
    assert parse_shift(["fri=22:00-06:00"]) == {"4": [[1320, 1440]], "5": [[0, 360]]}


@pytest.mark.parametrize(
    "spec",
    ["mon", "mon=", "funday=09:00-10:00", "mon=09:00-25:00", "mon=09:75-10:00", "mon=nine-ten",
     "mon=09:00-12:00,11:00-13:00", "mon=13pm-2pm"],
)  # fmt: skip
def test_a_shift_that_cannot_be_read_is_refused_with_how_to_write_it(spec: str) -> None:
    with pytest.raises(InvalidInput):
        parse_shift([spec])
