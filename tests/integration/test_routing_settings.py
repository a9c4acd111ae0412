"""Routing settings through the database's boundary, as each role's own login (both servers): who may
change a queue's weights and an agent's facts (skills, languages, capacity, queues, time zone, shift, out
of office, substitute), what is refused whoever asks, and that a refusal changes nothing. Then routing
honouring what was set: a shift, and an out-of-office agent's customer going to the substitute."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import event_handlers
from app.models import RoutingDecision, Ticket
from app.services.routing import engine as routing
from app.services.routing import settings as routing_settings
from app.services.routing.dry_run import dry_run
from app.services.tickets import service
from app.vocabulary import Availability, Channel
from tests.support.desk import Desk
from tests.support.world import World

pytestmark = pytest.mark.slow
Connection = psycopg.Connection[tuple[object, ...]]
SET_AGENT = "SELECT switchboard.set_agent_routing(%s, %s::jsonb)"
SET_CONFIG = "SELECT switchboard.set_routing_config(%s, %s::jsonb)"


def _agent_state(dba: Connection, agent_id: int) -> tuple[object, ...]:
    row = dba.execute(
        "SELECT capacity, languages, time_zone, shift, out_of_office_until, substitute_id,"
        " (SELECT coalesce(jsonb_object_agg(skill, level), '{}') FROM switchboard.agent_skill WHERE agent_id = a.id),"
        " ARRAY(SELECT queue_id FROM switchboard.queue_member WHERE agent_id = a.id ORDER BY queue_id)"
        " FROM switchboard.agent a WHERE id = %s",
        (agent_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def _config_state(dba: Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in dba.execute("SELECT queue_id, settings, version FROM switchboard.routing_config")]


@pytest.fixture(scope="module")
def erin(desk: Desk) -> Iterator[int]:
    """A Billing agent whose agent row was disabled while her login still works (a session that outlived
    the change, or a DBA's slip): she must count as nobody."""
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Erin', 'erin@desk.test', 'agent', NULL, %s)",
            (desk.login("erin"), [desk.ids["billing"]]),
        )
    with desk.connect_as_dba() as dba:
        erin_id = dba.execute("SELECT id FROM switchboard.agent WHERE db_login = %s", (desk.login("erin"),)).fetchone()
        assert erin_id is not None
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE id = %s", (erin_id[0],))
    yield int(str(erin_id[0]))


def _facts(**facts: object) -> str:
    return json.dumps(facts)


def test_a_lead_changes_the_facts_of_their_queues_agents_and_an_admin_anyones(desk: Desk) -> None:
    ids = desk.ids
    shift = {"0": [[480, 720], [780, 1020]], "4": [[480, 720]]}
    with desk.connect("carol") as carol:  # leads Tech
        carol.execute(
            SET_AGENT,
            (ids["bob"], _facts(capacity=7, languages=["de", "pt-BR"], skills={"Network": 3}, time_zone="Europe/Berlin",
                                shift=shift)),
        )  # fmt: skip
    with desk.connect("dana") as dana:
        dana.execute(SET_AGENT, (ids["alice"], _facts(skills={"billing": 2}, queues=[ids["billing"], ids["tech"]])))
        dana.execute(SET_AGENT, (ids["alice"], _facts(queues=[ids["billing"]])))  # and back
        assert dana.execute(SET_CONFIG, (ids["billing"], json.dumps({"weights": {"skill": 5}}))).fetchone() == (1,)
    with desk.connect_as_dba() as dba:
        bob = _agent_state(dba, ids["bob"])
        assert bob == (7, ["de", "pt-BR"], "Europe/Berlin", shift, None, None, {"network": 3}, [ids["tech"]])
        assert _agent_state(dba, ids["alice"])[6:] == ({"billing": 2}, [ids["billing"]])
    with desk.connect("carol") as carol:
        assert carol.execute(SET_CONFIG, (ids["tech"], json.dumps({"overflow_cap": 0}))).fetchone() == (1,)
        carol.execute(SET_AGENT, (ids["bob"], _facts(shift=None)))  # no schedule again
    with desk.connect_as_dba() as dba:
        assert _agent_state(dba, ids["bob"])[3] is None


def test_every_agent_sets_their_own_out_of_office_and_substitute_and_nothing_else_of_theirs(desk: Desk) -> None:
    ids = desk.ids
    with desk.connect("alice") as alice:
        alice.execute(SET_AGENT, (ids["alice"], _facts(out_of_office_until="2026-12-24", substitute=ids["ann"])))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute(SET_AGENT, (ids["alice"], _facts(capacity=500)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute(SET_AGENT, (ids["alice"], _facts(out_of_office_until=None, skills={"billing": 5})))
    with desk.connect_as_dba() as dba:
        assert _agent_state(dba, ids["alice"])[4:6] == (dt.date(2026, 12, 24), ids["ann"])
    with desk.connect("alice") as alice:
        alice.execute(SET_AGENT, (ids["alice"], _facts(out_of_office_until=None, substitute=None)))
    with desk.connect_as_dba() as dba:
        assert _agent_state(dba, ids["alice"])[4:6] == (None, None)


# (caller, agent, facts): refused by who may, whatever the facts say
NOT_PERMITTED = [
    ("alice", "ann", {"capacity": 1}),  # an agent, another agent's facts
    ("alice", "ann", {"out_of_office_until": "2030-01-01"}),  # nor their out of office
    ("carol", "alice", {"capacity": 1}),  # another queue's supervisor (carol leads Tech, alice is Billing)
    ("sam", "alice", {"skills": {}}),  # a supervisor who works Billing but leads nothing
    ("carol", "bob", {"queues": ["{tech}", "{billing}"]}),  # her own agent, into a queue she does not lead
    ("erin", "erin", {"out_of_office_until": "2030-01-01"}),  # a disabled user, even her own
    ("ghost", "alice", {"capacity": 1}),  # in the agent group, no agent
]


@pytest.mark.parametrize(("person", "agent", "facts"), NOT_PERMITTED)
def test_who_may_not_change_an_agents_facts_changes_nothing(
    desk: Desk, erin: int, person: str, agent: str, facts: dict[str, object]
) -> None:
    ids = {**desk.ids, "erin": erin}
    if "queues" in facts:
        facts = {"queues": [ids[str(q).strip("{}")] for q in facts["queues"]]}  # type: ignore[attr-defined]
    with desk.connect_as_dba() as dba:
        before = {a: _agent_state(dba, ids[a]) for a in ("alice", "ann", "bob", "erin")}
    with desk.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute(SET_AGENT, (ids[agent], json.dumps(facts)))
    with desk.connect_as_dba() as dba:
        assert {a: _agent_state(dba, ids[a]) for a in before} == before


@pytest.mark.parametrize(
    ("person", "queue"),
    [("alice", "billing"), ("carol", "billing"), ("sam", "billing"), ("carol", None), ("erin", "billing"),
     ("ghost", "billing")],
)  # fmt: skip
def test_who_may_not_change_a_queues_weights_changes_nothing(desk: Desk, erin: int, person: str, queue: str) -> None:
    with desk.connect_as_dba() as dba:
        before = _config_state(dba)
    with desk.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute(SET_CONFIG, (desk.ids[queue] if queue else None, json.dumps({"weights": {"skill": 99}})))
    with desk.connect_as_dba() as dba:
        assert _config_state(dba) == before


def test_a_login_outside_every_group_cannot_call_either(desk: Desk) -> None:
    with desk.connect("outsider") as outsider:
        for statement, args in [
            (SET_AGENT, (desk.ids["alice"], _facts(capacity=1))),
            (SET_CONFIG, (desk.ids["billing"], json.dumps({}))),
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                outsider.execute(statement, args)


BAD_FACTS = [
    {"capacity": 501},
    {"capacity": 2.5},
    {"capacity": "12"},
    {"skills": {"billing": 6}},
    {"skills": {"billing": "3"}},
    {"skills": ["billing"]},
    {"languages": ["German"]},
    {"time_zone": "Mars/Olympus"},
    {"shift": {"7": [[0, 60]]}},
    {"shift": {"0": [[600, 540]]}},
    {"shift": {"0": [[0, 1441]]}},
    {"shift": {"0": [[0, 600], [540, 700]]}},
    {"shift": {"0": [["09:00", "17:00"]]}},
    {"shift": {"0": [[0]]}},
    {"shift": "always"},
    {"out_of_office_until": "next week"},
    {"substitute": "{bob}"},  # an agent of no queue alice works
    {"substitute": "{alice}"},  # herself
    {"substitute": "{erin}"},  # disabled
    {"substitute": 999999},
    {"availability": "available"},  # not a routing fact anyone sets here
]


@pytest.mark.parametrize("facts", BAD_FACTS, ids=[json.dumps(f) for f in BAD_FACTS])
def test_facts_that_cannot_hold_are_refused_even_for_an_admin(desk: Desk, erin: int, facts: dict[str, object]) -> None:
    ids = {**desk.ids, "erin": erin}
    facts = {k: (ids[v.strip("{}")] if isinstance(v, str) and v.startswith("{") else v) for k, v in facts.items()}
    with desk.connect_as_dba() as dba:
        before = _agent_state(dba, ids["alice"])
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.InvalidParameterValue):
        dana.execute(SET_AGENT, (ids["alice"], json.dumps(facts)))
    with desk.connect_as_dba() as dba:
        assert _agent_state(dba, ids["alice"]) == before


BAD_SETTINGS = [
    {"weights": {"skill": "high"}},
    {"weights": {"skill": -1}},
    {"weights": {"charm": 1}},
    {"weights": [1, 2]},
    {"overflow_cap": 11},
    {"overflow_cap": 1.5},
    {"urgent_weight": 0},
    {"skills": {"billing": 9}},
    {"skills_by_tag": {"refund": {"refunds": "x"}}},
    {"skills_by_tag": ["refund"]},
    {"wieghts": {}},
]


@pytest.mark.parametrize("settings", BAD_SETTINGS, ids=[json.dumps(s) for s in BAD_SETTINGS])
def test_settings_routing_could_not_read_are_refused(desk: Desk, settings: dict[str, object]) -> None:
    with desk.connect_as_dba() as dba:
        before = _config_state(dba)
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.InvalidParameterValue):
        dana.execute(SET_CONFIG, (desk.ids["billing"], json.dumps(settings)))
    with desk.connect_as_dba() as dba:
        assert _config_state(dba) == before


# --- routing honours what was set (the rolled-back world: alice and bob work Billing, carol leads it) ---


def _create(world: World) -> int:
    with world.uow("alice", handlers=event_handlers()) as uow:
        created = service.create_ticket(
            uow, subject="Invoice", customer_id=world.jane, queue_id=world.billing, body="?", channel=Channel.EMAIL
        )
        uow.commit()
    return created.ticket.id


def _assignee(world: World, ticket_id: int) -> int | None:
    with world.trusted_uow() as uow:
        return uow.session.scalar(select(Ticket.assignee_id).where(Ticket.id == ticket_id))


def _available(world: World, *people: str) -> None:
    for person in people:
        with world.uow(person, handlers=event_handlers()) as uow:
            routing.set_availability(uow, Availability.AVAILABLE)
            uow.commit()


def test_an_agent_off_shift_gets_nothing_and_the_decision_says_so(world: World) -> None:
    _available(world, "alice", "bob")
    today = dt.datetime.now(dt.UTC).weekday()
    with world.uow("carol") as uow:  # alice works only on another weekday, in her own time zone
        off_day = str((today + 3) % 7)
        routing_settings.set_agent_facts(uow, world.alice, {"shift": {off_day: [[0, 1440]]}, "time_zone": "UTC"})
        uow.commit()
    ticket = _create(world)
    assert _assignee(world, ticket) == world.bob
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, ticket)
        assert decision is not None
        assert {e["name"]: e["reason"] for e in decision.exclusions} == {"Alice Archer": "off shift"}


def test_an_out_of_office_agents_customer_goes_to_the_substitute(world: World) -> None:
    _available(world, "alice", "bob")
    first = _create(world)
    sticky = _assignee(world, first)
    assert sticky is not None
    substitute, person = (world.bob, "alice") if sticky == world.alice else (world.alice, "bob")
    with world.uow("carol", handlers=event_handlers()) as uow:  # the next would stick to the same agent...
        facts = routing_settings.agent_facts(uow, sticky)
        assert facts.out_of_office_until is None
    with world.uow(person) as uow:  # ...who goes on holiday and names the colleague
        until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
        routing_settings.set_agent_facts(uow, sticky, {"out_of_office_until": until, "substitute": substitute})
        uow.commit()
    second = _create(world)
    assert _assignee(world, second) == substitute
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, second)
        assert decision is not None
        notes = [f["note"] for f in decision.ranked[0]["factors"] if f["factor"] == "stickiness"]
        assert notes and notes[0].startswith("stands in for ")


def test_one_builder_explains_a_decision_to_the_client_and_the_cli_as_it_was_stored(world: World) -> None:
    _available(world, "alice", "bob")
    ticket = _create(world)
    with world.uow("bob") as uow:
        stored = routing.latest_decision(uow, ticket)
        explained = routing.explain(uow, ticket)
        assert stored is not None and explained is not None
        data = explained.to_json()
        assert data["winner_id"] == stored.winner_agent_id and data["asked_by"] == "intake"
        assert data["candidates"] == [
            {key: c[key] for key in ("agent_id", "name", "total", "factors")} for c in stored.ranked
        ]
        assert data["exclusions"] == stored.exclusions
    with world.uow("dave") as uow:  # Technical Support only: not his to read
        assert routing.explain(uow, ticket) is None


def test_a_reopened_ticket_nobody_holds_is_routed_and_other_status_moves_are_not(world: World) -> None:
    ticket = _create(world)  # nobody at work: it waits
    with world.uow("carol", handlers=event_handlers()) as uow:
        service.change_status(uow, ticket_id=ticket, status="resolved", expected_version=None)
        uow.commit()
    _available(world, "alice")  # the drain takes open tickets only: this one is resolved
    assert _assignee(world, ticket) is None
    with world.uow("carol", handlers=event_handlers()) as uow:
        service.reopen(uow, ticket_id=ticket, expected_version=None)
        uow.commit()
    assert _assignee(world, ticket) == world.alice
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, ticket)
        assert decision is not None and decision.asked_by == "reopen"
        decisions = len(uow.session.scalars(select(RoutingDecision).where(RoutingDecision.ticket_id == ticket)).all())
    with world.uow("alice", handlers=event_handlers()) as uow:  # open to open: no routing
        service.change_status(uow, ticket_id=ticket, status="in_progress", expected_version=None)
        uow.commit()
    with world.uow("carol") as uow:
        assert len(uow.session.scalars(select(RoutingDecision).where(RoutingDecision.ticket_id == ticket)).all()) == (
            decisions
        )


def test_the_dry_run_replays_one_queue_under_changed_facts_and_writes_nothing(world: World) -> None:
    _available(world, "alice", "bob")
    created = [_create(world) for _ in range(4)]  # Billing, routed between alice and bob
    with world.uow("carol") as uow:
        before = [routing.latest_decision(uow, t).id for t in created]  # type: ignore[union-attr]
        now = uow.now()
        everyone = dry_run(uow, {}, days=1, now=now, queue_id=world.billing)
        assert everyone.tickets == 4 and sum(everyone.would_get.values()) == 4 and everyone.nobody == []
        assert sum(everyone.actually_got.values()) == 4
        alice_full = dry_run(
            uow, {}, days=1, now=now, queue_id=world.billing, agent_facts={world.alice: {"capacity": 0}}
        )
        assert alice_full.would_get == {"Bob Baker": 4}
        no_one = dry_run(
            uow,
            {"overflow_cap": 0},
            days=1,
            now=now,
            queue_id=world.billing,
            agent_facts={world.alice: {"capacity": 0}, world.bob: {"capacity": 0}},
        )
        assert no_one.tickets == 4 and len(no_one.nobody) == 4 and no_one.relaxed["capacity"] == 4
        assert dry_run(uow, {}, days=1, now=now, queue_id=world.tech).tickets == 0
        assert [routing.latest_decision(uow, t).id for t in created] == before  # type: ignore[union-attr]


def test_the_database_refuses_a_winner_off_shift_or_out_of_office_in_their_own_time_zone(world: World) -> None:
    """What a modified client could send: route_ticket() itself checks the shift and the local date."""
    _available(world, "alice")
    today = dt.datetime.now(dt.UTC).weekday()
    with world.uow("carol") as uow:
        routing_settings.set_agent_facts(uow, world.alice, {"shift": {str((today + 3) % 7): [[0, 1440]]}})
        uow.commit()
    ticket = _create(world)  # alice off shift, bob offline: nobody
    assert _assignee(world, ticket) is None
    route_to_alice = text("SELECT switchboard.route_ticket(:t, :a, 'intake', '{}', NULL)")
    with world.uow("alice") as uow, pytest.raises(DBAPIError) as refused:
        uow.session.execute(route_to_alice, {"t": ticket, "a": world.alice})
    assert getattr(refused.value.orig, "sqlstate", None) == "SB001"
    far_east = "Pacific/Kiritimati"  # UTC+14: its date is ahead of every other's
    with world.uow("alice") as uow:  # the date there as the database's clock has it (not this process's)
        local_today = uow.session.scalar(text("SELECT (now() AT TIME ZONE :z)::date"), {"z": far_east})
    with world.uow("carol") as uow:
        routing_settings.set_agent_facts(
            uow, world.alice, {"shift": None, "time_zone": far_east, "out_of_office_until": local_today}
        )
        uow.commit()
    with world.uow("alice") as uow, pytest.raises(DBAPIError) as refused:
        uow.session.execute(route_to_alice, {"t": ticket, "a": world.alice})
    assert getattr(refused.value.orig, "sqlstate", None) == "SB001"  # still out of office, in her time zone
    with world.uow("carol") as uow:
        routing_settings.set_agent_facts(uow, world.alice, {"out_of_office_until": local_today - dt.timedelta(days=1)})
        uow.commit()
    with world.uow("alice") as uow:
        uow.session.execute(route_to_alice, {"t": ticket, "a": world.alice})
        uow.commit()
    assert _assignee(world, ticket) == world.alice
