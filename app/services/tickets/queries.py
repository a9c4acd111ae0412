"""Reading tickets: one ticket with its conversation, and keyset-paged lists that stay fast at millions.

Pages are addressed by a cursor (the sort value and id of the last row seen), never by OFFSET, so page
5,000 costs what page 1 costs, and the index on (queue, SLA due, id) serves the default sort directly.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from app.models import Agent, Customer, CustomerEmail, Message, Organisation, Queue, Ticket, TicketLink
from app.models.ticket import WORKING_STATUSES
from app.services.errors import InvalidInput, NotFound
from app.services.platform.uow import UnitOfWork
from app.services.tickets.dto import MessageView, TicketDetail, TicketSummary, text_words, ticket_number_in
from app.services.tickets.dto import PageCursor as PageCursor
from app.services.tickets.dto import SortOrder as SortOrder
from app.services.tickets.dto import TicketFilter as TicketFilter
from app.services.tickets.dto import TicketPage as TicketPage
from app.vocabulary import MessageKind

MAX_PAGE_SIZE = 500
ANY_TICKET = TicketFilter()  # no narrowing: every ticket the login may see

SummaryQuery = Select[Ticket, str, str, str, list[str], str]
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
PageKey = tuple[int, dt.datetime | int | None]


def summary_select() -> SummaryQuery:
    """A ticket with the names a list shows, and what the filter text also looks in (`with_customer_extras`):
    `to_summary` takes its rows."""
    assignee = aliased(Agent)
    query: SummaryQuery = with_customer_extras(
        select(Ticket, Queue.name, assignee.display_name, Customer.name)
        .join(Queue, Queue.id == Ticket.queue_id)
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
    )
    return query


def with_customer_extras(query: Any) -> Any:
    """After the customer's name, a summary's select (which has joined the customer) adds the customer's
    email addresses (primary first) and their organisation's name: what the filter text also searches."""
    primary_first = aggregate_order_by(CustomerEmail.address, CustomerEmail.is_primary.desc(), CustomerEmail.id)
    emails = select(func.array_agg(primary_first)).where(CustomerEmail.customer_id == Customer.id).scalar_subquery()
    return query.add_columns(emails, Organisation.name).outerjoin(
        Organisation, Organisation.id == Customer.organisation_id
    )


SUMMARY_COLUMNS = 6  # the columns of `summary_select`, which `to_summary` takes


def to_summary(
    ticket: Ticket,
    queue_name: str,
    assignee_name: str | None,
    customer_name: str,
    customer_emails: list[str] | None = None,
    organisation_name: str | None = None,
) -> TicketSummary:
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
        customer_emails=tuple(customer_emails or ()),
        organisation_name=organisation_name,
    )


def get_summary(uow: UnitOfWork, *, ticket_id: int) -> TicketSummary:
    """The ticket as it is now in this unit's transaction (what the session holds is flushed first), as
    plain columns: every change returns one, and building it through the ORM cost more than reading it."""
    uow.session.flush()
    row = uow.session.connection().execute(summary_row_select().where(Ticket.id == ticket_id)).one_or_none()
    if row is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    return summary_from_row(row)


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
    """One page of tickets, in one statement (see `_page`)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE_SIZE} tickets, not {limit}")
    if sort is SortOrder.SLA_DUE:
        keys, summaries = _page_by_sla_due(uow, ticket_filter, after, limit)
    else:
        keys, summaries = _page_descending(uow, ticket_filter, sort, after, limit)
    next_cursor = PageCursor(keys[-1][1], keys[-1][0]) if len(keys) == limit else None
    return TicketPage(tuple(summaries), next_cursor)


def _page(uow: UnitOfWork, page: Any, key: Any, limit: int) -> tuple[list[PageKey], list[TicketSummary]]:
    """One statement: the page's ids chosen on the ticket table alone (a subquery with its own ORDER BY and
    LIMIT, so the planner walks the sort index and stops), then the names joined in for just those rows.
    The cursor comes from the same rows, so a row changed since cannot skew paging. Run outside a
    transaction where it can be (`UnitOfWork.reads`), as plain columns straight into frozen summaries:
    building 100 ORM objects first cost more than the statement (issue 12)."""
    chosen = page.subquery("page")
    rows = (
        uow.reads()
        .execute(
            summary_row_select()
            .add_columns(chosen.c.key)
            .join(chosen, chosen.c.id == Ticket.id)
            .order_by(*key(chosen))
            .limit(limit)
        )
        .all()
    )
    return [(row[0], row[SUMMARY_ROW_COLUMNS]) for row in rows], [summary_from_row(row) for row in rows]


@functools.cache
def summary_row_select() -> Select[*tuple[Any, ...]]:
    """`summary_select` as plain columns in `TicketSummary`'s order, for `summary_from_row` (no ORM).
    Built once: a statement is immutable (every `.where()` makes a new one), and building this one anew
    cost more than a warm page's plan."""
    return summary_row_select_of(Ticket.__table__)


def summary_row_select_of(tickets: Any) -> Select[*tuple[Any, ...]]:
    """The summary's columns over `tickets`: the ticket table, or rows shaped like it (a claim function's)."""
    t = tickets.c
    assignee = aliased(Agent)
    query: Select[*tuple[Any, ...]] = with_customer_extras(
        select(
            t.id,
            t.number,
            t.subject,
            t.status,
            t.priority,
            t.type,
            t.queue_id,
            Queue.name,
            t.assignee_id,
            assignee.display_name,
            t.customer_id,
            Customer.name,
            t.channel,
            t.tags,
            t.custom_fields,
            t.language,
            t.merged_into_id,
            t.created_at,
            t.updated_at,
            t.first_response_at,
            t.resolved_at,
            t.closed_at,
            t.first_response_due_at,
            t.next_response_due_at,
            t.resolution_due_at,
            t.sla_due_at,
            t.version,
        )
        .select_from(tickets)
        .join(Queue, Queue.id == t.queue_id)
        .join(Customer, Customer.id == t.customer_id)
        .outerjoin(assignee, assignee.id == t.assignee_id)
    )
    return query


SUMMARY_ROW_COLUMNS = 29  # the columns of `summary_row_select`


def summary_from_row(row: Any) -> TicketSummary:
    """A row of `summary_row_select` (extra columns after it are ignored) as a frozen summary."""
    values = list(row[:SUMMARY_ROW_COLUMNS])
    values[13] = tuple(values[13] or ())  # tags
    values[14] = dict(values[14] or {})  # custom fields
    values[27] = tuple(values[27] or ())  # customer emails
    return TicketSummary(*values)


def apply_filter(query: Q, f: TicketFilter) -> Q:
    if f.statuses:
        # As literals: the partial indexes over working tickets (WORKING_STATUSES) are used only when the
        # planner can prove their predicate, which it cannot from a bound (or prepared) parameter.
        statuses: BindParameter[str] = bindparam(
            "statuses", list(f.statuses), expanding=True, literal_execute=True, unique=True
        )
        query = query.where(Ticket.status.in_(statuses))
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
    if words := text_words(f.text):
        query = query.where(and_(*(text_matches(word) for word in words)))
    if not f.include_merged:
        query = query.where(Ticket.merged_into_id.is_(None))
    return query


def text_matches(word: str) -> ColumnElement[bool]:
    """One word of the filter text (`TicketFilter.text`; `dto.word_matches` is the same test in Python): the
    ticket's number, or a part of its subject, its customer's name, one of their addresses or their
    organisation's name. The customer side is a semi-join, so a page is still chosen on the ticket table."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    customers = select(Customer.id).where(
        or_(
            Customer.name.ilike(pattern, escape="\\"),
            Customer.id.in_(select(CustomerEmail.customer_id).where(CustomerEmail.address.ilike(pattern, escape="\\"))),
            Customer.organisation_id.in_(select(Organisation.id).where(Organisation.name.ilike(pattern, escape="\\"))),
        )
    )
    places: list[ColumnElement[bool]] = [Ticket.subject.ilike(pattern, escape="\\"), Ticket.customer_id.in_(customers)]
    if (number := ticket_number_in(word)) is not None:
        places.insert(0, Ticket.number == number)
    return or_(*places)


def _page_by_sla_due(
    uow: UnitOfWork, f: TicketFilter, after: PageCursor | None, limit: int
) -> tuple[list[PageKey], list[TicketSummary]]:
    """Due tickets first (soonest first), then those without a clock (by id), each part its own index walk
    with its own LIMIT, both in one statement.

    The first page of a view of working tickets is one walk of its partial index instead, which is in just
    that order (ascending, NULLs last, then by id): with `sla_due_at IS NOT NULL` the planner multiplied two
    selectivities that describe the same tickets (only working tickets have a clock), guessed 117 of 3,785
    for a queue, and read and sorted the whole queue for an agent (row-level security cut the guess below
    the page), 13 ms where the walk takes 0.4 (issue 12). The cursor it hands out continues as before."""
    if after is None and f.statuses and set(f.statuses) <= set(WORKING_STATUSES) and not f.include_merged:
        first = apply_filter(select(Ticket.id, Ticket.sla_due_at.label("key"), literal(0).label("part")), f)
        first = first.order_by(Ticket.sla_due_at.asc().nulls_last(), Ticket.id).limit(limit)
        return _page(uow, first, lambda chosen: (chosen.c.key.asc().nulls_last(), chosen.c.id), limit)
    parts = []
    if after is None or after.value is not None:
        due = apply_filter(select(Ticket.id, Ticket.sla_due_at.label("key"), literal(0).label("part")), f)
        due = due.where(Ticket.sla_due_at.is_not(None))
        if after is not None:
            due = due.where(tuple_(Ticket.sla_due_at, Ticket.id) > tuple_(after.value, after.ticket_id))
        parts.append(due.order_by(Ticket.sla_due_at, Ticket.id).limit(limit))
    undated = apply_filter(select(Ticket.id, Ticket.sla_due_at.label("key"), literal(1).label("part")), f)
    undated = undated.where(Ticket.sla_due_at.is_(None))
    if after is not None and after.value is None:
        undated = undated.where(Ticket.id > after.ticket_id)
    parts.append(undated.order_by(Ticket.id).limit(limit))
    page: Any = union_all(*parts) if len(parts) > 1 else parts[0]
    return _page(uow, page, lambda chosen: (chosen.c.part, chosen.c.key, chosen.c.id), limit)


def _page_descending(
    uow: UnitOfWork, f: TicketFilter, sort: SortOrder, after: PageCursor | None, limit: int
) -> tuple[list[PageKey], list[TicketSummary]]:
    column: Any = Ticket.priority if sort is SortOrder.PRIORITY else Ticket.updated_at
    query = apply_filter(select(Ticket.id, column.label("key")), f)
    if after is not None:
        query = query.where(tuple_(column, Ticket.id) < tuple_(after.value, after.ticket_id))
    page = query.order_by(column.desc(), Ticket.id.desc()).limit(limit)
    keys, summaries = _page(uow, page, lambda chosen: (chosen.c.key.desc(), chosen.c.id.desc()), limit)
    if sort is SortOrder.PRIORITY:  # a plain int, not the Priority enum, in the cursor
        keys = [(ticket_id, int(value) if isinstance(value, int) else value) for ticket_id, value in keys]
    return keys, summaries
