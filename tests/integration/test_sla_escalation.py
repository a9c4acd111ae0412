"""The rest of the SLA ladder (issue 14), on both servers, committed: the next-response clock follows the
conversation, level 3 moves a ticket to the policy's escalation queue or hands it back to routing (routing's
own engine decides), and each agent's SLA alerts name the steps taken on their own tickets only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, text

from app.bootstrap import Runtime
from app.models import RoutingDecision, SlaLedgerEntry, Ticket
from app.services.desk import HelpDesk
from app.services.platform.uow import UnitOfWork
from app.services.routing import engine as routing
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.vocabulary import Availability, Priority
from tests.support.world import World, build_world, runtime_as

pytestmark = pytest.mark.slow


def policy(uow: UnitOfWork, ladder: list[dict[str, Any]]) -> None:
    targets = {p.label: {"first_response": 60, "next_response": 30, "resolution": 480} for p in Priority}
    uow.session.execute(
        text(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, ladder)"
            " VALUES ('Default', 100, CAST(:targets AS jsonb), false, CAST(:ladder AS jsonb))"
        ),
        {"targets": json.dumps(targets), "ladder": json.dumps(ladder)},
    )


def world_with(runtime: Runtime, ladder: list[dict[str, Any]]) -> World:
    world = build_world(runtime.session_factory)
    with runtime.uow() as uow:
        policy(uow, [{**step, "queue_id": world.tech} if step.get("action") == "move_to_queue" else step
                     for step in ladder])  # fmt: skip
        uow.commit()
    return world


def create(world: World, person: str = "alice") -> int:
    with world.uow(person) as uow:
        ticket = service.create_ticket(
            uow, subject="Invoice twice", customer_id=world.jane, queue_id=world.billing, body="Help"
        ).ticket
        service.assign(uow, ticket_id=ticket.id, assignee_id=world.alice, expected_version=None)
        uow.commit()
    return ticket.id


def ledger(runtime: Runtime, ticket_id: int, target: str) -> list[tuple[str, str]]:
    with runtime.session_factory() as session:
        rows = session.execute(
            select(SlaLedgerEntry.entry, SlaLedgerEntry.note)
            .where(SlaLedgerEntry.ticket_id == ticket_id, SlaLedgerEntry.target == target)
            .order_by(SlaLedgerEntry.at, SlaLedgerEntry.id)
        ).all()
    return [(entry, note) for entry, note in rows]


def ticket(runtime: Runtime, ticket_id: int) -> Ticket:
    with runtime.session_factory() as session:
        found = session.get(Ticket, ticket_id)
        assert found is not None
        session.expunge(found)
        return found


def test_the_next_response_clock_restarts_on_each_customer_message_pauses_and_is_met_by_a_reply(
    committed_runtime: Runtime,
) -> None:
    world = world_with(committed_runtime, [])
    ticket_id = create(world)
    with world.uow("alice") as uow:
        service.add_customer_message(uow, ticket_id=ticket_id, body="Any news?")  # before the first response
        service.reply(uow, ticket_id=ticket_id, body="Looking into it.", expected_version=None)
        uow.commit()
    assert ledger(committed_runtime, ticket_id, "next_response") == []  # the first response's to answer
    with world.uow("alice") as uow:
        service.add_customer_message(uow, ticket_id=ticket_id, body="Still charged twice.")
        uow.commit()
    sla_sweep(committed_runtime.uow)
    restarted = ticket(committed_runtime, ticket_id)
    with committed_runtime.session_factory() as session:
        wrote = session.scalar(
            select(SlaLedgerEntry.at).where(
                SlaLedgerEntry.ticket_id == ticket_id, SlaLedgerEntry.target == "next_response"
            )
        )
    assert wrote is not None and restarted.next_response_due_at == wrote + dt.timedelta(minutes=30)
    assert restarted.sla_due_at == restarted.next_response_due_at  # the earliest running clock

    with world.uow("alice") as uow:
        service.change_status(uow, ticket_id=ticket_id, status="waiting", expected_version=None)
        uow.commit()
    sla_sweep(committed_runtime.uow)
    assert ticket(committed_runtime, ticket_id).next_response_due_at is None  # paused while waiting
    with world.uow("alice") as uow:
        service.change_status(uow, ticket_id=ticket_id, status="in_progress", expected_version=None)
        service.reply(uow, ticket_id=ticket_id, body="Refunded.", expected_version=None)
        uow.commit()
    sla_sweep(committed_runtime.uow)
    assert ticket(committed_runtime, ticket_id).next_response_due_at is None
    assert ledger(committed_runtime, ticket_id, "next_response") == [
        ("restart", "the customer wrote"),
        ("pause", ""),
        ("resume", ""),
        ("fulfil", "replied"),
    ]


def breached_two_hours_ago(runtime: Runtime, ticket_id: int) -> None:
    with runtime.uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
                " VALUES (:t, 'resolution', 'restart', now() - interval '10 hours', 'test')"
            ),
            {"t": ticket_id},
        )
        uow.session.execute(
            text("UPDATE switchboard.sla_watch SET check_at = now() WHERE ticket_id = :t"), {"t": ticket_id}
        )
        uow.commit()


def settle(runtime: Runtime) -> list[dict[str, Any]]:
    results = []
    while True:
        result = sla_sweep(runtime.uow)
        results.append(result)
        if not result["tickets"]:
            return results


def test_level_three_moves_a_breached_ticket_to_the_escalation_queue_once(committed_runtime: Runtime) -> None:
    world = world_with(committed_runtime, [{"level": 3, "after_breach_minutes": 60, "action": "move_to_queue"}])
    ticket_id = create(world)
    breached_two_hours_ago(committed_runtime, ticket_id)
    results = settle(committed_runtime)
    assert sum(r["moved"] for r in results) == 1
    moved = ticket(committed_runtime, ticket_id)
    assert (moved.queue_id, moved.assignee_id) == (world.tech, None)  # alice does not work Tech
    assert ("escalate", "level 3: move to queue") in ledger(committed_runtime, ticket_id, "resolution")
    with committed_runtime.session_factory() as session:
        actions = (
            session.execute(
                text("SELECT action FROM switchboard.audit_event WHERE ticket_id = :t AND field = 'queue_id'"),
                {"t": ticket_id},
            )
            .scalars()
            .all()
        )
    assert actions == ["sla_escalate"]


def test_level_three_hands_a_breached_ticket_back_to_routing_which_decides_again(
    committed_runtime: Runtime,
) -> None:
    """Routing decides as the ladder itself ('sla', the step as its reason: it asked as a supervisor and "Why
    this agent?" said a supervisor had reassigned it), and never gives it back to the assignee it was taken
    from (alice, available, with the customer's last ticket: stickiness gave it straight back)."""
    world = world_with(committed_runtime, [{"level": 3, "after_breach_minutes": 0, "action": "back_to_routing"}])
    ticket_id = create(world)
    for person in ("alice", "bob"):
        with world.uow(person) as uow:
            routing.set_availability(uow, Availability.AVAILABLE)
            uow.commit()
    breached_two_hours_ago(committed_runtime, ticket_id)
    results = settle(committed_runtime)
    assert sum(r["handed_back"] for r in results) == 1
    assert ticket(committed_runtime, ticket_id).assignee_id == world.bob  # routing's pick: not alice again
    with committed_runtime.session_factory() as session:
        decision = session.scalars(
            select(RoutingDecision).where(RoutingDecision.ticket_id == ticket_id).order_by(RoutingDecision.id.desc())
        ).first()
    assert decision is not None and decision.asked_by == "sla" and decision.winner_agent_id == world.bob
    assert decision.reason == "SLA level 3: resolution breached"
    left_out = {e["agent_id"]: e["reason"] for e in decision.exclusions}
    assert left_out[world.alice] == "the ticket breached its SLA with them"


def test_each_agent_is_alerted_of_the_steps_on_their_own_tickets_only(committed_runtime: Runtime) -> None:
    world = world_with(committed_runtime, [{"level": 1, "after_breach_minutes": 0, "action": "notify_assignee"}])
    ticket_id = create(world)
    runtimes = {person: runtime_as(committed_runtime.engine.url, person) for person in ("alice", "bob")}
    try:
        desks = {person: HelpDesk(runtime) for person, runtime in runtimes.items()}
        first = {person: desk.supervision.alerts(None) for person, desk in desks.items()}
        assert all(answer.alerts == () for answer in first.values())
        breached_two_hours_ago(committed_runtime, ticket_id)
        settle(committed_runtime)
        alice = desks["alice"].supervision.alerts(first["alice"].as_of)
        bob = desks["bob"].supervision.alerts(first["bob"].as_of)
    finally:
        for runtime in runtimes.values():
            runtime.close()
    assert {(a.ticket_id, a.target, a.level) for a in alice.alerts} == {
        (ticket_id, "resolution", 0),
        (ticket_id, "resolution", 1),
    }
    assert bob.alerts == ()  # bob works Billing too, but the ticket is alice's


def test_a_clock_that_stops_loses_its_due_time_in_the_same_write_without_waiting_for_the_sweep(
    committed_runtime: Runtime,
) -> None:
    world = world_with(committed_runtime, [])
    ticket_id = create(world)
    sla_sweep(committed_runtime.uow)
    swept = ticket(committed_runtime, ticket_id)
    assert swept.first_response_due_at is not None and swept.resolution_due_at is not None
    with world.uow("alice") as uow:
        service.change_status(uow, ticket_id=ticket_id, status="waiting", expected_version=None)
        uow.commit()
    waiting = ticket(committed_runtime, ticket_id)  # no sweep in between
    assert waiting.resolution_due_at is None  # paused while waiting on the customer
    assert waiting.first_response_due_at == swept.first_response_due_at  # still runs while waiting
    with world.uow("alice") as uow:
        service.reply(uow, ticket_id=ticket_id, body="Here you go.", expected_version=None)
        uow.commit()
    assert ticket(committed_runtime, ticket_id).first_response_due_at is None
    assert ticket(committed_runtime, ticket_id).sla_due_at is None
    result = sla_sweep(committed_runtime.uow)
    assert result["due_changed"] == 0  # the sweep computes what the write already wrote
