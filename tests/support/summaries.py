"""Ticket summaries made up in memory, for the queue model's tests and its benchmark (no database)."""

from __future__ import annotations

import datetime as dt

from app.services.tickets.dto import TicketSummary
from app.vocabulary import Channel, Priority, TicketType


def made_up_summary(
    n: int,
    *,
    now: dt.datetime,
    due_minutes: int | None = None,
    status: str = "new",
    queue_id: int = 1,
    version: int = 1,
    subject: str | None = None,
) -> TicketSummary:
    """Ticket `n` (number 10000 + n) of queue `queue_id`, due `due_minutes` after `now` (None: no clock)."""
    due = now + dt.timedelta(minutes=due_minutes) if due_minutes is not None else None
    return TicketSummary(
        id=n,
        number=10000 + n,
        subject=subject if subject is not None else f"Ticket {n}",
        status=status,
        priority=Priority.NORMAL,
        type=TicketType.QUESTION,
        queue_id=queue_id,
        queue_name="Billing",
        assignee_id=None,
        assignee_name=None,
        customer_id=1,
        customer_name="Jane",
        channel=Channel.EMAIL,
        tags=(),
        custom_fields={},
        language=None,
        merged_into_id=None,
        created_at=now,
        updated_at=now,
        first_response_at=None,
        resolved_at=None,
        closed_at=None,
        first_response_due_at=None,
        next_response_due_at=None,
        resolution_due_at=due,
        sla_due_at=due,
        version=version,
    )
