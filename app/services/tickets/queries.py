"""Reading tickets: one ticket with its conversation, and keyset-paged lists that stay fast at millions.

Pages are addressed by a cursor (the sort value and id of the last row seen), never by OFFSET, so page
5,000 costs what page 1 costs, and the index on (queue, SLA due, id) serves the default sort directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, or_, select, tuple_
from sqlalchemy.orm import aliased

from app.models import Agent, Customer, Message, Queue, Ticket, TicketLink
from app.services.errors import InvalidInput, NotFound
from app.services.platform.uow import UnitOfWork
from app.services.tickets.dto import MessageView, TicketDetail, TicketSummary
from app.services.tickets.dto import PageCursor as PageCursor
from app.services.tickets.dto import SortOrder as SortOrder
from app.services.tickets.dto import TicketFilter as TicketFilter
from app.services.tickets.dto import TicketPage as TicketPage
from app.vocabulary import MessageKind

MAX_PAGE_SIZE = 500
ANY_TICKET = TicketFilter()  # no narrowing: every ticket the login may see

SummaryQuery = Select[Ticket, str, str, str]
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
PageKey = tuple[int, dt.datetime | int | None]


def summary_select() -> SummaryQuery:
    assignee = aliased(Agent)
    return (
        select(Ticket, Queue.name, assignee.display_name, Customer.name)
        .join(Queue, Queue.id == Ticket.queue_id)
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
    )


def to_summary(ticket: Ticket, queue_name: str, assignee_name: str | None, customer_name: str) -> TicketSummary:
    return TicketSummary(
        id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        type=ticket.type,
        queue_id=ticket.queue_id,
        queue_name=queue_name,
        assignee_id=ticket.assignee_id,
        assignee_name=assignee_name,
        customer_id=ticket.customer_id,
        customer_name=customer_name,
        channel=ticket.channel,
        tags=tuple(ticket.tags),
        custom_fields=dict(ticket.custom_fields),
        language=ticket.language,
        merged_into_id=ticket.merged_into_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        first_response_due_at=ticket.first_response_due_at,
        next_response_due_at=ticket.next_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        sla_due_at=ticket.sla_due_at,
        version=ticket.version,
    )


def get_summary(uow: UnitOfWork, *, ticket_id: int) -> TicketSummary:
    row = uow.session.execute(summary_select().where(Ticket.id == ticket_id)).one_or_none()
    if row is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    return to_summary(*row)


def ticket_id_for_number(uow: UnitOfWork, *, number: int) -> int:
    ticket_id = uow.session.scalar(select(Ticket.id).where(Ticket.number == number))
    if ticket_id is None:
        raise NotFound(f"No ticket #{number}")
    return ticket_id


def get_ticket(uow: UnitOfWork, *, ticket_id: int) -> TicketDetail:
    summary = get_summary(uow, ticket_id=ticket_id)
    return TicketDetail(summary, _messages(uow, ticket_id), _linked(uow, ticket_id))


def get_message(uow: UnitOfWork, *, message_id: int) -> MessageView:
    """One message as the conversation shows it (a view that just wrote it appends it)."""
    found = _message_views(uow, Message.id == message_id)
    if not found:
        raise NotFound(f"No message with id {message_id}")
    return found[0]


def _messages(uow: UnitOfWork, ticket_id: int) -> tuple[MessageView, ...]:
    return _message_views(uow, Message.ticket_id == ticket_id)


def _message_views(uow: UnitOfWork, where: ColumnElement[bool]) -> tuple[MessageView, ...]:
    rows = uow.session.execute(
        select(Message, Agent.display_name, Customer.name)
        .outerjoin(Agent, Agent.id == Message.author_agent_id)
        .outerjoin(Customer, Customer.id == Message.author_customer_id)
        .where(where)
        .order_by(Message.created_at, Message.id)
    ).all()
    return tuple(
        MessageView(
            id=message.id,
            kind=message.kind,
            body_text=message.body_text,
            body_html=message.body_html,
            author_name=agent_name or customer_name or _system_author(message.kind),
            created_at=message.created_at,
        )
        for message, agent_name, customer_name in rows
    )


def _system_author(kind: MessageKind) -> str:
    return "Switchboard" if kind is MessageKind.SYSTEM_EVENT else "(deleted)"


def _linked(uow: UnitOfWork, ticket_id: int) -> tuple[int, ...]:
    rows = uow.session.execute(
        select(TicketLink.ticket_id, TicketLink.related_ticket_id).where(
            or_(TicketLink.ticket_id == ticket_id, TicketLink.related_ticket_id == ticket_id)
        )
    ).all()
    return tuple(sorted(b if a == ticket_id else a for a, b in rows))


def list_tickets(
    uow: UnitOfWork,
    *,
    ticket_filter: TicketFilter = ANY_TICKET,
    sort: SortOrder = SortOrder.SLA_DUE,
    after: PageCursor | None = None,
    limit: int = 50,
) -> TicketPage:
    """One page of tickets. The page is chosen on the ticket table alone (so the planner walks the
    sort index and stops after `limit` rows), then its names are joined in for just those rows.
    The cursor comes from the first query, so a row changed between the two cannot skew paging."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE_SIZE} tickets, not {limit}")
    if sort is SortOrder.SLA_DUE:
        keys = _page_by_sla_due(uow, ticket_filter, after, limit)
    else:
        keys = _page_descending(uow, ticket_filter, sort, after, limit)
    next_cursor = PageCursor(keys[-1][1], keys[-1][0]) if len(keys) == limit else None
    return TicketPage(_summaries_in_order(uow, [ticket_id for ticket_id, _value in keys]), next_cursor)


def _summaries_in_order(uow: UnitOfWork, ids: list[int]) -> tuple[TicketSummary, ...]:
    if not ids:
        return ()
    by_id = {row[0].id: to_summary(*row) for row in uow.session.execute(summary_select().where(Ticket.id.in_(ids)))}
    return tuple(by_id[ticket_id] for ticket_id in ids if ticket_id in by_id)


def apply_filter(query: Q, f: TicketFilter) -> Q:
    if f.statuses:
        query = query.where(Ticket.status.in_(f.statuses))
    if f.queue_id is not None:
        query = query.where(Ticket.queue_id == f.queue_id)
    if f.assignee_id is not None:
        query = query.where(Ticket.assignee_id == f.assignee_id)
    if f.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if f.priorities:
        query = query.where(Ticket.priority.in_(f.priorities))
    if f.tag:
        query = query.where(Ticket.tags.contains([f.tag.strip().lower()]))
    if f.text and f.text.strip():
        pattern = "%" + f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Ticket.subject.ilike(pattern, escape="\\"))
    if not f.include_merged:
        query = query.where(Ticket.merged_into_id.is_(None))
    return query


def _page_by_sla_due(uow: UnitOfWork, f: TicketFilter, after: PageCursor | None, limit: int) -> list[PageKey]:
    """Due tickets first (soonest first), then those without a clock, each part in index order."""
    keys: list[PageKey] = []
    if after is None or after.value is not None:
        due = apply_filter(select(Ticket.id, Ticket.sla_due_at), f).where(Ticket.sla_due_at.is_not(None))
        if after is not None:
            due = due.where(tuple_(Ticket.sla_due_at, Ticket.id) > tuple_(after.value, after.ticket_id))
        rows = uow.session.execute(due.order_by(Ticket.sla_due_at, Ticket.id).limit(limit))
        keys = [(row[0], row[1]) for row in rows]
    if len(keys) < limit:
        undated = apply_filter(select(Ticket.id, Ticket.sla_due_at), f).where(Ticket.sla_due_at.is_(None))
        if after is not None and after.value is None:
            undated = undated.where(Ticket.id > after.ticket_id)
        keys += [(row[0], None) for row in uow.session.execute(undated.order_by(Ticket.id).limit(limit - len(keys)))]
    return keys


def _page_descending(
    uow: UnitOfWork, f: TicketFilter, sort: SortOrder, after: PageCursor | None, limit: int
) -> list[PageKey]:
    column: Any = Ticket.priority if sort is SortOrder.PRIORITY else Ticket.updated_at
    query = apply_filter(select(Ticket.id, column), f)
    if after is not None:
        query = query.where(tuple_(column, Ticket.id) < tuple_(after.value, after.ticket_id))
    rows = uow.session.execute(query.order_by(column.desc(), Ticket.id.desc()).limit(limit))
    return [(row[0], int(row[1]) if sort is SortOrder.PRIORITY else row[1]) for row in rows]
