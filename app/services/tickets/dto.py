"""What services hand out: frozen values, never ORM objects, so callers cannot lazy-load by accident."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from app.models.enums import Channel, MessageKind, Priority, TicketType


@dataclass(frozen=True)
class TicketSummary:
    id: int
    number: int
    subject: str
    status: str
    priority: Priority
    type: TicketType
    queue_id: int
    queue_name: str
    assignee_id: int | None
    assignee_name: str | None
    customer_id: int
    customer_name: str
    channel: Channel
    tags: tuple[str, ...]
    custom_fields: dict[str, Any]
    language: str | None
    merged_into_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    next_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    sla_due_at: dt.datetime | None
    version: int

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class MessageView:
    id: int
    kind: MessageKind
    author_name: str
    body_text: str
    body_html: str | None
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class TicketDetail:
    ticket: TicketSummary
    messages: tuple[MessageView, ...]
    linked_ticket_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = self.ticket.to_json()
        data["messages"] = [message.to_json() for message in self.messages]
        data["linked_ticket_ids"] = list(self.linked_ticket_ids)
        return data


@dataclass(frozen=True)
class TicketChanged:
    """The result of a mutation: the ticket as it is now and what changed, so each view decides
    whether it needs to refresh."""

    ticket: TicketSummary
    changed_fields: frozenset[str]
    message_id: int | None = None
    other_ticket_ids: tuple[int, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket.to_json(),
            "changed_fields": sorted(self.changed_fields),
            "message_id": self.message_id,
        }


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Priority):
        return value.label
    return value
