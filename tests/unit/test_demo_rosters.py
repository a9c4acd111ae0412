"""The demo's shifts and out of office, on a fixed clock: every queue can be routed at any hour of the week
(wherever and whenever the demo runs), the others work their own time zone's hours, and a decision taken
at a fixed moment says who is off shift, who is out of office and who stands in for them."""

from __future__ import annotations

import datetime as dt

from app.ops import demo_content as content
from app.ops.demo import demo_rosters
from app.services.routing.scoring import CandidateFacts, TicketFacts, Weights, decide, on_shift, out_of_office
from app.services.routing.shifts import describe_shift
from app.vocabulary import Priority

UTC = dt.UTC
SUNDAY_NIGHT = dt.datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # when the demo was filled, in these tests
MONDAY_MORNING = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 11:00 in Berlin, 07:00 in São Paulo
AGENTS = {login: (index, name, languages, skills, queues) for index, (login, name, _, languages, skills, queues)
          in enumerate(content.AGENTS, start=1)}  # fmt: skip
QUEUE_IDS = {name: index for index, name in enumerate(content.QUEUES, start=1)}


def _candidates(now: dt.datetime, queue: str) -> list[CandidateFacts]:
    rosters = demo_rosters(SUNDAY_NIGHT)
    ids = {login: facts[0] for login, facts in AGENTS.items()}
    return [
        CandidateFacts(
            agent_id=index,
            name=name,
            queue_ids=frozenset(QUEUE_IDS[q] for q in queues),
            on_shift=on_shift(rosters[login]["shift"], rosters[login]["time_zone"], now),
            out_of_office=out_of_office(rosters[login].get("out_of_office_until"), rosters[login]["time_zone"], now),
            skills=skills,
            languages=frozenset(languages),
            capacity=25,
            substitute_id=ids.get(rosters[login].get("substitute", "")),
        )
        for login, (index, name, languages, skills, queues) in AGENTS.items()
        if queue in queues
    ]


def test_every_demo_agent_has_a_time_zone_and_the_shifts_have_breaks_and_short_days() -> None:
    rosters = demo_rosters(SUNDAY_NIGHT)
    assert set(rosters) == set(AGENTS)
    assert describe_shift(rosters["ben.okafor"]["shift"])[0] == "mon 08:00-12:00, 13:00-17:00"
    assert describe_shift(rosters["emma.lindqvist"]["shift"])[4] == "fri 07:30-12:00"
    assert "wed" not in " ".join(describe_shift(rosters["hannah.becker"]["shift"]))


def test_every_queue_has_someone_without_a_schedule_so_the_demo_routes_at_any_hour() -> None:
    rosters = demo_rosters(SUNDAY_NIGHT)
    for queue in content.QUEUES:
        assert any(rosters[login]["shift"] is None for login, a in AGENTS.items() if queue in a[4]), queue


def test_the_agent_on_holiday_is_away_through_a_date_of_their_own_time_zone_with_a_colleague_standing_in() -> None:
    login, days, substitute = content.OUT_OF_OFFICE
    facts = demo_rosters(SUNDAY_NIGHT)[login]
    assert facts["out_of_office_until"] == dt.date(2026, 12, 6) + dt.timedelta(days=days)  # 05:00 in Sofia
    assert set(AGENTS[login][4]) & set(AGENTS[substitute][4]), "a substitute works one of their queues"
    back = dt.datetime.combine(facts["out_of_office_until"], dt.time(22, 0), tzinfo=UTC)  # midnight in Sofia
    assert out_of_office(facts["out_of_office_until"], facts["time_zone"], back - dt.timedelta(minutes=1))
    assert not out_of_office(facts["out_of_office_until"], facts["time_zone"], back)


def test_a_decision_at_a_fixed_moment_names_who_is_off_shift_out_of_office_and_standing_in() -> None:
    tech = QUEUE_IDS["Technical Support"]
    ivan = AGENTS["ivan.petrov"][0]
    ticket = TicketFacts(1, tech, Priority.NORMAL, skills_wanted={"api": 1}, previous_agent_id=ivan)

    monday = decide(ticket, _candidates(MONDAY_MORNING, "Technical Support"), Weights(), MONDAY_MORNING)
    reasons = {e.name: e.reason for e in monday.exclusions}
    assert reasons == {"Carla Mendes": "off shift", "Ivan Petrov": "out of office"}  # 07:00 in São Paulo
    farid = next(c for c in monday.ranked if c.name == "Farid Haddad")  # 14:00 in Dubai: at work
    sticky = next(f for f in farid.factors if f.factor == "stickiness")
    assert sticky.note.startswith("stands in for Ivan Petrov (out of office)")

    sunday = decide(ticket, _candidates(SUNDAY_NIGHT, "Technical Support"), Weights(), SUNDAY_NIGHT)
    assert {e.name: e.reason for e in sunday.exclusions} == {
        "Carla Mendes": "off shift",
        "Farid Haddad": "off shift",
        "Ivan Petrov": "out of office",
    }
    assert sunday.winner_id == AGENTS["daniel.kowalski"][0]  # the lead keeps no schedule
