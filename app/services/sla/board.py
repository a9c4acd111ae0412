"""The escalation board's rows: the steps the sweep took on tickets still open, read through the caller's
row-level security (an agent sees the steps of the queues they work, a lead and an admin more)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.models import Queue, SlaStep, Ticket, TicketStatus
from app.services.platform.uow import UnitOfWork
from app.vocabulary import StatusCategory


@dataclass(frozen=True)
class Escalation:
    number: int
    subject: str
    queue: str
    status: str
    priority: str
    target: str
    level: int
    action: str
    due_at: dt.datetime
    done_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket": self.number,
            "subject": self.subject,
            "queue": self.queue,
            "status": self.status,
            "priority": self.priority,
            "target": self.target,
            "level": self.level,
            "action": self.action,
            "due_at": self.due_at.isoformat(),
            "done_at": self.done_at.isoformat(),
        }


def open_escalations(uow: UnitOfWork, *, limit: int = 500) -> list[Escalation]:
    """The highest step of each (ticket, target) on tickets not done, soonest due first."""
    highest = (
        select(SlaStep.ticket_id, SlaStep.target, func.max(SlaStep.level).label("level"))
        .group_by(SlaStep.ticket_id, SlaStep.target)
        .subquery()
    )
    rows = uow.session.execute(
        select(Ticket.number, Ticket.subject, Queue.name, Ticket.status, Ticket.priority, SlaStep)
        .join(
            highest,
            (highest.c.ticket_id == SlaStep.ticket_id)
            & (highest.c.target == SlaStep.target)
            & (highest.c.level == SlaStep.level),
        )
        .join(Ticket, Ticket.id == SlaStep.ticket_id)
        .join(Queue, Queue.id == Ticket.queue_id)
        .join(TicketStatus, TicketStatus.key == Ticket.status)
        .where(TicketStatus.category != StatusCategory.DONE, Ticket.merged_into_id.is_(None))
        .order_by(SlaStep.due_at, Ticket.number, SlaStep.target)
        .limit(limit)
    ).all()
    return [
        Escalation(
            number,
            subject,
            queue,
            status,
            priority.label,
            step.target,
            step.level,
            step.action,
            step.due_at,
            step.done_at,
        )
        for number, subject, queue, status, priority, step in rows
    ]
