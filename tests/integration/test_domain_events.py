"""Domain events: every ticket mutation — the definer functions' included — records typed events, and the
handlers run before commit, inside the same transaction, as the signed-in agent."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.models import Ticket
from app.services.platform.events import (
    Assigned,
    DomainEvent,
    EventHandlers,
    FieldsChanged,
    MessageAdded,
    PriorityChanged,
    QueueChanged,
    StatusChanged,
    TicketCreated,
    TicketMerged,
)
from app.services.platform.uow import UnitOfWork
from app.services.tickets import service
from app.vocabulary import Priority
from tests.support.world import World


def _recording() -> tuple[EventHandlers, list[DomainEvent]]:
    seen: list[DomainEvent] = []
    handlers = EventHandlers()
    handlers.on(DomainEvent, lambda _uow, event: seen.append(event))
    return handlers, seen


def _open(world: World, handlers: EventHandlers | None = None) -> int:
    with world.uow("alice", handlers=handlers) as uow:
        ticket = service.create_ticket(
            uow, subject="Printer on fire", customer_id=world.jane, queue_id=world.billing, body="Flames."
        ).ticket
        uow.commit()
    return ticket.id


def test_every_kind_of_change_records_its_event_including_those_the_database_functions_make(world: World) -> None:
    handlers, seen = _recording()
    ticket = _open(world, handlers)
    assert [type(e) for e in seen] == [TicketCreated, MessageAdded]
    seen.clear()
    with world.uow("carol", handlers=handlers) as uow:
        service.assign(uow, ticket_id=ticket, assignee_id=world.alice, expected_version=1)  # assign_ticket()
        service.change_status(uow, ticket_id=ticket, status="in_progress", expected_version=2)
        service.update_fields(
            uow,
            ticket_id=ticket,
            changes=service.FieldChanges(queue_id=world.tech, subject="Printer still on fire"),
            expected_version=3,
        )  # move_ticket(), then a plain field
        service.escalate(uow, ticket_id=ticket, expected_version=4)  # escalate_ticket()
        service.add_note(uow, ticket_id=ticket, body="Called the fire brigade", expected_version=5)
        uow.commit()
    assert Assigned(ticket, None, world.alice) in seen
    assert StatusChanged(ticket, "new", "in_progress") in seen
    assert QueueChanged(ticket, world.billing, world.tech) in seen
    assert FieldsChanged(ticket, frozenset({"subject"})) in seen
    assert PriorityChanged(ticket, 1, 3) in seen
    assert any(isinstance(e, MessageAdded) and e.kind == "internal_note" for e in seen)


def test_a_merge_records_the_merge_and_the_duplicates_close(world: World) -> None:
    handlers, seen = _recording()
    target, duplicate = _open(world), _open(world)
    with world.uow("alice", handlers=handlers) as uow:
        service.merge(uow, source_id=duplicate, target_id=target, expected_version=1)
        uow.commit()
    assert seen == [TicketMerged(duplicate, target), StatusChanged(duplicate, "new", "closed")]


def test_handlers_run_before_commit_in_the_same_transaction(world: World) -> None:
    """A handler's write commits with the change, and a handler's failure takes the change with it."""
    handlers = EventHandlers()

    def tag_urgent_ones(uow: UnitOfWork, event: PriorityChanged) -> None:
        uow.session.execute(
            text("UPDATE switchboard.ticket SET tags = tags || '{hot}'::varchar[] WHERE id = :id"),
            {"id": event.ticket_id},
        )

    def refuse(_uow: UnitOfWork, _event: StatusChanged) -> None:
        raise RuntimeError("policy says no")

    handlers.on(PriorityChanged, tag_urgent_ones)
    handlers.on(StatusChanged, refuse)
    ticket = _open(world)
    with world.uow("alice", handlers=handlers) as uow:
        service.update_fields(
            uow, ticket_id=ticket, changes=service.FieldChanges(priority=Priority.HIGH), expected_version=1
        )
        uow.commit()
    with world.uow("alice", handlers=handlers) as uow:
        service.change_status(uow, ticket_id=ticket, status="in_progress", expected_version=2)
        with pytest.raises(RuntimeError, match="policy says no"):
            uow.commit()
    with world.trusted_uow() as uow:
        row = uow.session.execute(select(Ticket.tags, Ticket.status).where(Ticket.id == ticket)).one()
    assert row.tags == ["hot"] and row.status == "new"


def test_a_loop_between_policies_is_stopped(world: World) -> None:
    handlers = EventHandlers()
    handlers.on(FieldsChanged, lambda uow, event: uow.record(FieldsChanged(event.ticket_id, event.fields)))
    ticket = _open(world)
    with world.uow("alice", handlers=handlers) as uow:
        service.update_fields(uow, ticket_id=ticket, changes=service.FieldChanges(subject="Loop"), expected_version=1)
        with pytest.raises(RuntimeError, match="still pending"):
            uow.commit()
