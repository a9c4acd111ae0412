"""Push routing through each person's own login: on intake to a qualified available agent, explained and
stored; nobody eligible is recorded and listed, then drained when someone becomes available; what the
database refuses whoever asks; and capacity under concurrent intake."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime, event_handlers
from app.models import Agent, RoutingDecision, Ticket
from app.services.desk import HelpDesk
from app.services.errors import KnownError
from app.services.platform.database.failures import explain
from app.services.platform.uow import UnitOfWork
from app.services.routing import engine as routing
from app.services.tickets import service
from app.services.tickets.dto import TicketChanged
from app.vocabulary import Availability, Channel, Priority
from tests.support.world import World, build_world, runtime_as

pytestmark = pytest.mark.slow


def _set(world: World, person: str, state: Availability) -> None:
    with world.uow(person, handlers=event_handlers()) as uow:
        routing.set_availability(uow, state)
        uow.commit()


def _create(world: World, person: str = "alice", **extra: object) -> TicketChanged:
    with world.uow(person, handlers=event_handlers()) as uow:
        created = service.create_ticket(
            uow,
            subject="Refund for a double charge",
            customer_id=world.jane,
            queue_id=world.billing,
            body="I was charged twice.",
            channel=Channel.EMAIL,
            **extra,  # type: ignore[arg-type]
        )
        uow.commit()
    return created


def _assignee(world: World, ticket_id: int) -> int | None:
    with world.trusted_uow() as uow:
        return uow.session.scalar(select(Ticket.assignee_id).where(Ticket.id == ticket_id))


def test_a_new_ticket_goes_to_an_available_agent_of_its_queue_with_the_reasons_stored(world: World) -> None:
    _set(world, "bob", Availability.AVAILABLE)
    ticket = _create(world).ticket
    assert _assignee(world, ticket.id) == world.bob  # alice is offline (the default)
    with world.uow("alice") as uow:
        decision = routing.latest_decision(uow, ticket.id)
        assert decision is not None and decision.asked_by == "intake" and decision.actor_agent_id == world.alice
        assert decision.winner_agent_id == world.bob and decision.config_version == 0
        assert {e["name"]: e["reason"] for e in decision.exclusions} == {"Alice Archer": "offline"}
        factors = {f["factor"] for f in decision.ranked[0]["factors"]}
        assert factors == {"skill", "language", "room", "stickiness", "track record", "SLA risk"}


def test_stickiness_takes_the_customers_newest_assigned_ticket_the_later_of_a_tie(world: World) -> None:
    """Tickets made in one transaction share their creation time: the later one (by id) is the newer, as the
    dry-run's replay sees them; newer unassigned tickets do not hide the agent."""
    with world.uow("carol") as uow:  # one transaction: one creation time
        older, newer, unassigned = (
            service.create_ticket(uow, subject=f"Order {n}", customer_id=world.jane, queue_id=world.billing).ticket.id
            for n in range(3)
        )
        uow.commit()
    with world.trusted_uow() as uow:
        uow.session.execute(
            text("UPDATE switchboard.ticket SET assignee_id = :agent WHERE id = :ticket"),
            [{"agent": world.alice, "ticket": older}, {"agent": world.bob, "ticket": newer}],
        )
        uow.commit()
    with world.uow("alice") as uow:
        ticket = uow.session.get(Ticket, unassigned)
        assert ticket is not None
        assert routing.ticket_facts(uow, ticket).previous_agent_id == world.bob
        found = routing.read_for_routing(uow, unassigned)
        assert found is not None and found[2] == world.bob


def test_with_nobody_available_the_ticket_waits_listed_and_is_drained_when_someone_comes(world: World) -> None:
    ticket = _create(world).ticket
    assert _assignee(world, ticket.id) is None
    with world.uow("carol") as uow:
        assert [t.id for t in routing.unrouted(uow)] == [ticket.id]
    _set(world, "alice", Availability.AVAILABLE)
    assert _assignee(world, ticket.id) == world.alice
    with world.uow("carol") as uow:
        assert routing.unrouted(uow) == []
        assert routing.latest_decision(uow, ticket.id).asked_by == "drain"  # type: ignore[union-attr]


def test_capacity_counts_urgent_twice_and_full_agents_are_excluded_with_the_reason(world: World) -> None:
    _set(world, "alice", Availability.AVAILABLE)
    _set(world, "bob", Availability.AVAILABLE)
    with world.uow("carol") as uow:
        for agent in (world.alice, world.bob):
            uow.session.execute(text("""SELECT switchboard.set_agent_routing(:a, '{"capacity": 2}')"""), {"a": agent})
        uow.commit()
    urgent = _create(world, priority=Priority.URGENT).ticket  # counts 2: its agent is full at once
    full = _assignee(world, urgent.id)
    other = world.bob if full == world.alice else world.alice
    assert [_assignee(world, _create(world).ticket.id) for _ in range(2)] == [other, other]
    overflow = _create(world).ticket  # both full: capacity relaxed up to the overflow cap (2)
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, overflow.id)
        assert decision is not None and decision.relaxed == ["language", "capacity"]  # nobody speaks en
        assert decision.winner_agent_id is not None
        reasons = {e["reason"] for e in decision.exclusions}
        assert reasons == set(), "the winner qualified once capacity was relaxed; nobody else was left out"


@pytest.mark.parametrize(
    ("person", "statement"),
    [
        ("alice", "SELECT switchboard.set_routing_config(NULL, '{{}}')"),
        ("alice", "SELECT switchboard.set_agent_routing({bob}, '{{\"capacity\": 50}}')"),
        ("carol", "SELECT switchboard.set_routing_config(NULL, '{{}}')"),  # the default is an admin's
        ("dave", "SELECT switchboard.route_ticket({ticket}, {dave}, 'intake', '{{}}', NULL)"),  # not his queue
        ("alice", "SELECT switchboard.route_ticket({ticket}, {dave}, 'intake', '{{}}', NULL)"),  # not in Billing
        ("alice", "SELECT switchboard.route_ticket({ticket}, {bob}, 'intake', '{{}}', NULL)"),  # bob is offline
        ("alice", "SELECT switchboard.route_ticket({ticket}, {alice}, 'supervisor', '{{}}', 'x')"),  # not a lead
        ("carol", "SELECT switchboard.route_ticket({ticket}, NULL, 'supervisor', '{{}}', ' ')"),  # no reason
        ("alice", "SELECT switchboard.route_ticket({ticket}, NULL, 'handback', '{{}}', 'x')"),  # not hers
        ("alice", "SELECT switchboard.route_ticket({ticket}, NULL, 'pull', '{{}}', NULL)"),  # not a way to ask
        ("alice", "SELECT switchboard.set_availability('asleep')"),
        ("alice", "UPDATE switchboard.agent SET availability = 'available' WHERE id = {bob}"),
        ("alice", "INSERT INTO switchboard.routing_decision (ticket_id, asked_by) VALUES ({ticket}, 'intake')"),
    ],
)
def test_what_routing_refuses_whoever_asks(world: World, person: str, statement: str) -> None:
    ticket = _create(world).ticket
    ids = {"ticket": ticket.id, "alice": world.alice, "bob": world.bob, "dave": world.dave}
    with world.uow(person) as uow, pytest.raises(Exception) as refused:
        uow.session.execute(text(statement.format(**ids)))
        uow.session.flush()
    known = explain(refused.value)
    assert isinstance(known, KnownError), f"{statement}: {refused.value}"  # refused by the rules, not a typo
    assert _assignee(world, ticket.id) is None


def test_decisions_are_read_only_by_those_who_see_the_ticket(world: World) -> None:
    _set(world, "alice", Availability.AVAILABLE)
    ticket = _create(world).ticket
    with world.uow("dave") as uow:  # Technical Support only
        assert uow.session.scalars(select(RoutingDecision).where(RoutingDecision.ticket_id == ticket.id)).all() == []
    with world.uow("bob") as uow:
        assert uow.session.scalars(select(RoutingDecision).where(RoutingDecision.ticket_id == ticket.id)).all()


def test_concurrent_intake_never_takes_an_agent_past_capacity(committed_runtime: Runtime, database_url: URL) -> None:
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:
        uow.session.execute(text("UPDATE switchboard.agent SET availability = 'available', capacity = 3"))
        uow.session.execute(text("INSERT INTO switchboard.routing_config (settings) VALUES ('{\"overflow_cap\": 0}')"))
        uow.commit()
    failures: list[BaseException] = []

    def intake(person: str) -> None:
        runtime = runtime_as(database_url, person)
        try:
            for _ in range(5):
                with runtime.uow() as uow:
                    service.create_ticket(
                        uow,
                        subject="Burst",
                        customer_id=world.jane,
                        queue_id=world.billing,
                        body="Help",
                        channel=Channel.EMAIL,
                    )
                    uow.commit()
        except BaseException as error:
            failures.append(error)
        finally:
            runtime.close()

    threads = [threading.Thread(target=intake, args=(person,)) for person in ("alice", "bob", "carol", "alice")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with committed_runtime.uow() as uow:
        assigned = select(Ticket.assignee_id, func.count()).where(Ticket.assignee_id.is_not(None))
        loads: dict[int | None, int] = dict(uow.session.execute(assigned.group_by(Ticket.assignee_id)).all())
        names: dict[int | None, str] = dict(uow.session.execute(select(Agent.id, Agent.display_name)).all())
        unassigned = uow.session.scalar(
            select(text("count(*)")).select_from(Ticket).where(Ticket.assignee_id.is_(None))
        )
    assert loads == {world.alice: 3, world.bob: 3}, {names[k]: v for k, v in loads.items()}
    assert unassigned == 20 - 6


class _Source:
    """A UnitOfWorkSource working as one person of the world, with the real event handlers."""

    def __init__(self, world: World, person: str) -> None:
        self.world, self.person = world, person

    def uow(self) -> UnitOfWork:
        return self.world.uow(self.person, handlers=event_handlers())


def test_the_desks_routing_area_explains_sets_availability_and_gets_next(world: World) -> None:
    alice = HelpDesk(_Source(world, "alice"))
    waiting = _create(world).ticket  # everyone offline: nobody eligible
    assert alice.routing.explain(waiting.id).winner is None  # type: ignore[union-attr]
    assert alice.routing.availability() is Availability.OFFLINE
    assert alice.routing.set_availability(Availability.AVAILABLE) == 1  # the waiting ticket drained to her
    explained = alice.routing.explain(waiting.id)
    assert explained is not None and explained.winner == "Alice Archer" and explained.asked_by == "drain"
    assert explained.candidates[0].factors and explained.ticket_number == waiting.number
    alice.routing.set_availability(Availability.AWAY)
    pulled = _create(world).ticket
    claimed = alice.routing.next_ticket()
    assert claimed is not None and claimed.ticket.id == pulled.id and claimed.ticket.assignee_id == world.alice
    assert alice.routing.next_ticket() is None


def test_an_assignee_hands_back_and_a_lead_reassigns_each_with_a_reason(world: World) -> None:
    for person in ("alice", "bob"):
        _set(world, person, Availability.AVAILABLE)
    ticket = _create(world).ticket
    holder = _assignee(world, ticket.id)
    other = "alice" if holder == world.bob else "bob"
    holder_name = "bob" if holder == world.bob else "alice"
    with world.uow(holder_name, handlers=event_handlers()) as uow:
        routing.hand_back(uow, ticket.id, "On leave tomorrow")
        uow.commit()
    assert _assignee(world, ticket.id) == getattr(world, other)
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, ticket.id)
        assert decision is not None and (decision.asked_by, decision.reason) == ("handback", "On leave tomorrow")
        with pytest.raises(KnownError, match="reason is required"):
            routing.reroute(uow, ticket.id, "  ")
    with world.uow("carol") as uow:
        routing.reroute(uow, ticket.id, "Knows this customer", to_agent=holder)
        uow.commit()
    assert _assignee(world, ticket.id) == holder
    with world.uow("carol") as uow:
        decision = routing.latest_decision(uow, ticket.id)
        assert decision is not None and (decision.asked_by, decision.actor_agent_id) == ("supervisor", world.carol)
        with pytest.raises(KnownError, match="cannot take the ticket"):
            routing.reroute(uow, ticket.id, "Try Dave", to_agent=world.dave)  # not in Billing


def test_the_track_record_in_the_category_comes_from_the_history(world: World) -> None:
    _set(world, "alice", Availability.AVAILABLE)
    resolved = [_create(world).ticket for _ in range(5)]  # routed to alice, the only one at work
    with world.uow("alice", handlers=event_handlers()) as uow:
        for ticket in resolved:
            service.change_status(uow, ticket_id=ticket.id, status="resolved", expected_version=None)
        service.reopen(uow, ticket_id=resolved[0].id, expected_version=None)  # came back once …
        service.change_status(uow, ticket_id=resolved[0].id, status="resolved", expected_version=None)  # … and done
        uow.commit()
    fresh = _create(world).ticket
    with world.uow("alice") as uow:
        decision = routing.latest_decision(uow, fresh.id)
        assert decision is not None
        record = next(f for f in decision.ranked[0]["factors"] if f["factor"] == "track record")
        assert record["note"].startswith("5 tickets, median 0 h, 20% reopened"), record


def test_a_ticket_waits_since_routing_first_found_nobody_and_the_list_names_who_was_left_out(world: World) -> None:
    """The list said "Waiting since 1 min ago" of a ticket routing had tried for days: the drain asks again,
    and each time made the latest decision new. Since routing last found someone; and "Why nobody" named
    nobody."""
    ticket = _create(world).ticket
    with world.trusted_uow() as uow:
        first = uow.session.execute(
            text("SELECT decided_at FROM switchboard.routing_decision WHERE ticket_id = :t"), {"t": ticket.id}
        ).scalar_one()
        uow.session.execute(  # routing tried again and again since, finding nobody each time
            text(
                "INSERT INTO switchboard.routing_decision (ticket_id, decided_at, asked_by, exclusions)"
                " SELECT :t, :first + make_interval(hours => h), 'drain', CAST(:left_out AS jsonb)"
                " FROM generate_series(1, 3) h"
            ),
            {
                "t": ticket.id,
                "first": first,
                "left_out": '[{"agent_id": 1, "name": "Alice Archer", "reason": "offline"}]',
            },
        )
        uow.commit()
    with world.uow("carol") as uow:
        (waiting,) = [w for w in routing.waiting_for_nobody(uow) if w.ticket_id == ticket.id]
    assert waiting.since == first  # not the latest of the four
    assert waiting.why == "1 offline" and waiting.who == "Alice Archer: offline"
