"""Domain events: what a unit of work changed, as typed facts, for policies that must act in the same
transaction (the SLA clock recompute, push routing) without the ticket code knowing they exist.

Services record events on the unit of work; handlers registered at the composition root
(`app/bootstrap.py`) run before the commit, inside the same transaction, so a policy never sees half a
change and what it writes commits or rolls back with the change itself. A handler may record further
events; they are handled in the same commit, up to a bound that stops a loop between two policies.

Asynchronous followers (the search index, automation, a client catching up) read the change log instead
(`app/services/platform/changes.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from app.services.platform.uow import UnitOfWork

MAX_EVENT_ROUNDS = 10


@dataclass(frozen=True)
class DomainEvent:
    ticket_id: int


@dataclass(frozen=True)
class TicketCreated(DomainEvent):
    queue_id: int


@dataclass(frozen=True)
class StatusChanged(DomainEvent):
    old: str
    new: str


@dataclass(frozen=True)
class PriorityChanged(DomainEvent):
    old: int
    new: int


@dataclass(frozen=True)
class QueueChanged(DomainEvent):
    old: int
    new: int


@dataclass(frozen=True)
class Assigned(DomainEvent):
    old: int | None
    new: int | None


@dataclass(frozen=True)
class MessageAdded(DomainEvent):
    message_id: int
    kind: str


@dataclass(frozen=True)
class TicketMerged(DomainEvent):
    into_ticket_id: int


@dataclass(frozen=True)
class FieldsChanged(DomainEvent):
    """Every other field, by name (subject, tags, type, custom fields, language, …)."""

    fields: frozenset[str]


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[["UnitOfWork", Any], None]
RoundHandler = Callable[["UnitOfWork", list[DomainEvent]], None]


class EventHandlers:
    """Which handlers run for which event type; built once at the composition root."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._round_handlers: list[tuple[tuple[type[DomainEvent], ...], RoundHandler]] = []

    def on(self, event_type: type[E], handler: Callable[[UnitOfWork, E], None]) -> None:
        self._handlers[event_type].append(handler)

    def on_round(self, event_types: tuple[type[DomainEvent], ...], handler: RoundHandler) -> None:
        """A handler called once per round of events, after the per-event handlers of that round, with the
        round's events of these types (when there are any): for a policy whose work is the same for two
        events of one ticket (a new ticket records its creation and its first message), done once."""
        self._round_handlers.append((event_types, handler))

    def react_to(self, event_types: tuple[type[DomainEvent], ...]) -> bool:
        """Does any handler take an event of one of these types (or of a type they derive from)?"""
        handled_types = [handled for handled, found in self._handlers.items() if found]
        handled_types += [handled for types, _handler in self._round_handlers for handled in types]
        return any(issubclass(e, handled) for e in event_types for handled in handled_types)

    def dispatch(self, uow: UnitOfWork, events: list[DomainEvent]) -> bool:
        """Hand each event to the handlers of its type; whether any handler took one."""
        took = False
        for event in events:
            for event_type, handlers in self._handlers.items():
                if isinstance(event, event_type):
                    for handler in handlers:
                        handler(uow, event)
                        took = True
        for event_types, round_handler in self._round_handlers:
            taken = [event for event in events if isinstance(event, event_types)]
            if taken:
                round_handler(uow, taken)
                took = True
        return took


def events_for_field(ticket_id: int, name: str, old: Any, new: Any) -> DomainEvent | None:
    """The typed event for one changed ticket field, or None for the fields collected in FieldsChanged."""
    if name == "status":
        return StatusChanged(ticket_id, str(old), str(new))
    if name == "priority":
        return PriorityChanged(ticket_id, int(old), int(new))
    if name == "queue_id":
        return QueueChanged(ticket_id, int(old), int(new))
    if name == "assignee_id":
        return Assigned(ticket_id, old, new)
    return None
