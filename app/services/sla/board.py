"""The escalation board's rows for scripts (`switchboard escalations`): the steps the sweep took on tickets
still open, read through the caller's row-level security (an agent sees the steps of the queues they work,
a lead and an admin more), ranked by predicted breach like the supervisor view's board
(`app.services.sla.prediction`): business minutes left on the step's clock against the typical handling of
similar tickets, the most negative margin first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from app.models import SlaStep, Ticket, TicketStatus
from app.services.platform.uow import UnitOfWork
from app.services.sla.calendar import ALWAYS
from app.services.sla.clocks import Target
from app.services.sla.dto import Risk
from app.services.sla.ledger import SlaBook, accounts_for, load_book
from app.services.sla.prediction import predict
from app.services.sla.supervision import row_terms, with_predictions
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
    clock_due_at: dt.datetime | None = None  # the target's due time now (None: its clock is not running)
    minutes_left: float | None = None
    typical_minutes: float | None = None
    margin: float | None = None
    risk: Risk = Risk.PAUSED
    past_typical: bool = False  # open longer than similar tickets take (`prediction.Prediction`)
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None

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
            "clock_due_at": None if self.clock_due_at is None else self.clock_due_at.isoformat(),
            "minutes_left": self.minutes_left,
            "typical_minutes": self.typical_minutes,
            "margin_minutes": self.margin,
            "risk": self.risk.value,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": None if self.acknowledged_at is None else self.acknowledged_at.isoformat(),
        }


def open_escalations(uow: UnitOfWork, *, limit: int = 500, book: SlaBook | None = None) -> list[Escalation]:
    """The highest step of each (ticket, target) on tickets not done (the `limit` soonest due), ranked by
    predicted breach: paused clocks last, then the most negative margin, the sooner due, the ticket. One
    statement reads them with the typical handling of their groups and the acknowledgements."""
    now = uow.now()
    highest = (
        select(SlaStep.ticket_id, SlaStep.target, func.max(SlaStep.level).label("level"))
        .group_by(SlaStep.ticket_id, SlaStep.target)
        .subquery()
    )
    clock_due = case(
        (SlaStep.target == Target.FIRST_RESPONSE.value, Ticket.first_response_due_at),
        (SlaStep.target == Target.NEXT_RESPONSE.value, Ticket.next_response_due_at),
        else_=Ticket.resolution_due_at,
    )
    steps = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.queue_id,
            Ticket.status,
            Ticket.priority,
            Ticket.type,
            Ticket.channel,
            Ticket.tags,
            Ticket.customer_id,
            Ticket.created_at,
            SlaStep.target,
            SlaStep.level,
            SlaStep.action,
            SlaStep.due_at,
            SlaStep.done_at,
            clock_due.label("clock_due_at"),
        )
        .join(
            highest,
            (highest.c.ticket_id == SlaStep.ticket_id)
            & (highest.c.target == SlaStep.target)
            & (highest.c.level == SlaStep.level),
        )
        .join(Ticket, Ticket.id == SlaStep.ticket_id)
        .join(TicketStatus, TicketStatus.key == Ticket.status)
        .where(TicketStatus.category != StatusCategory.DONE, Ticket.merged_into_id.is_(None))
        .order_by(SlaStep.due_at, Ticket.number, SlaStep.target)
        .limit(limit)
        .cte("steps")
    )
    max_level = select(func.max(SlaStep.level)).where(SlaStep.ticket_id == steps.c.id).scalar_subquery()
    rows = uow.session.execute(with_predictions(steps, max_level.label("ticket_level"))).all()
    book = book or load_book(uow)
    accounts = accounts_for(uow, book, {r.customer_id for r in rows})  # nothing read unless a policy asks
    ranked = []
    for r in rows:
        policy = book.choose(row_terms(r, accounts.get(r.customer_id)))
        typical_minutes = r.resolution if r.target == Target.RESOLUTION.value else r.first
        guess = predict(
            due_at=r.clock_due_at,
            created_at=r.created_at,
            typical_minutes=None if typical_minutes is None else round(float(typical_minutes), 1),
            calendar=book.calendar(policy, now) if policy is not None else ALWAYS,
            now=now,
        )
        acknowledged = r.ack_level is not None and r.ack_level >= r.ticket_level
        row = Escalation(
            r.number,
            r.subject,
            r.queue,
            r.status,
            r.priority.label,
            r.target,
            r.level,
            r.action,
            r.due_at,
            r.done_at,
            clock_due_at=r.clock_due_at,
            minutes_left=guess.minutes_left,
            typical_minutes=guess.typical_minutes,
            margin=guess.margin,
            risk=guess.risk,
            past_typical=guess.past_typical,
            acknowledged_by=(r.acknowledged_by or "someone no longer on the desk") if acknowledged else None,
            acknowledged_at=r.acknowledged_at if acknowledged else None,
        )
        ranked.append((guess.rank_key(r.clock_due_at, r.id), r.target, row))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [row for _key, _target, row in ranked]
