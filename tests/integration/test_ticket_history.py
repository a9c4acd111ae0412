"""A ticket's history as the desk reads it (`TicketWork.history`), through an agent's own login: the audit's
ids and keys come with the names the database has for them, and writes no agent made say so."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from app.services.platform.uow import UnitOfWork
from app.services.tickets import service
from app.services.tickets.dto import SYSTEM_ACTOR, FieldChanges, HistoryEntry
from app.services.tickets.work import TicketWork
from app.vocabulary import Priority
from tests.support.world import World


def _assigned_replied_and_escalated(world: World) -> int:
    """A Billing ticket from Jane: carol (the lead) gives it to bob, bob replies and leaves it pending, and a
    trusted session acting for nobody (as the worker does) raises its priority."""
    with world.uow("carol") as uow:
        ticket = service.create_ticket(
            uow, subject="Refund", customer_id=world.jane, queue_id=world.billing, body="Charged twice."
        ).ticket
        service.assign(uow, ticket_id=ticket.id, assignee_id=world.bob, expected_version=None)
        uow.commit()
    with world.uow("bob") as uow:
        service.reply(uow, ticket_id=ticket.id, body="On it.", expected_version=None, then_status="pending")
        uow.commit()
    with world.trusted_uow() as uow:
        service.update_fields(
            uow, ticket_id=ticket.id, changes=FieldChanges(priority=Priority.HIGH), expected_version=None
        )
        uow.commit()
    return ticket.id


@dataclass(frozen=True)
class _SignedIn:
    """The desk's unit-of-work source, as the person's own login inside the test's transaction."""

    world: World
    person: str

    def uow(self) -> UnitOfWork:
        return self.world.uow(self.person)


def _read(world: World, ticket_id: int, person: str = "alice") -> list[HistoryEntry]:
    """What the History tab gets: `TicketWork.history`, as the person."""
    with world.uow(person) as uow:
        me = uow.actor
    return TicketWork(_SignedIn(world, person), me).history(ticket_id)


def _one(entries: list[HistoryEntry], field: str, action: str | None = None) -> HistoryEntry:
    return next(e for e in entries if e.field == field and (action is None or e.action == action))


def test_the_history_names_the_assignee_and_the_statuses_and_keeps_the_values(world: World) -> None:
    entries = _read(world, _assigned_replied_and_escalated(world))
    assigned = _one(entries, "assignee_id")
    assert (assigned.actor, assigned.old_value, assigned.new_value) == ("Carol Chen", None, world.bob)
    assert (assigned.old_name, assigned.new_name) == (None, "Bob Baker")
    moved = _one(entries, "status", "public_reply")
    assert (moved.actor, moved.old_value, moved.new_value) == ("Bob Baker", "new", "pending")
    assert (moved.old_name, moved.new_name) == ("New", "Pending third party")  # the desk's labels, not keys
    created = _one(entries, "status", "create")
    assert (created.new_value, created.new_name) == ("new", "New")
    first_response = _one(entries, "first_response_at")
    assert first_response.new_name is None and isinstance(first_response.new_value, str)  # a time: the view's


def test_writes_no_agent_made_are_the_systems_and_a_customers_message_is_theirs(world: World) -> None:
    ticket_id = _assigned_replied_and_escalated(world)
    entries = _read(world, ticket_id)
    with world.trusted_uow() as uow:
        trusted_login = uow.session.execute(text("SELECT session_user")).scalar_one()
    raised = _one(entries, "priority")
    assert (raised.actor, raised.actor_login) == (SYSTEM_ACTOR, trusted_login)
    assert (raised.old_value, raised.new_value) == ("normal", "high")
    message = next(e for e in entries if e.action == "customer_message")
    assert message.actor == "Jane Doe (customer)"
    assert {e.actor for e in entries if e.actor_login == world.login("bob")} == {"Bob Baker"}
    assert entries == sorted(entries, key=lambda e: e.occurred_at, reverse=True)  # newest first


def test_a_queue_moved_to_is_named_and_an_id_nothing_names_stays_a_value(world: World) -> None:
    with world.uow("carol") as uow:
        ticket = service.create_ticket(uow, subject="Router", customer_id=world.jane, queue_id=world.billing).ticket
        moving = FieldChanges(queue_id=world.tech)
        service.update_fields(uow, ticket_id=ticket.id, changes=moving, expected_version=None)
        uow.commit()
    moved = _one(_read(world, ticket.id, "carol"), "queue_id")
    assert (moved.old_name, moved.new_name) == ("Billing", "Technical Support")
    assert (moved.old_value, moved.new_value) == (world.billing, world.tech)
