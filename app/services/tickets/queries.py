"""Reading tickets: one ticket with its conversation, and keyset-paged lists that stay fast at millions.

Pages are addressed by a cursor (the sort value and id of the last row seen), never by OFFSET, so page
5,000 costs what page 1 costs, and the index on (queue, SLA due, id) serves the default sort directly.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased

from app.models import Agent, Customer, CustomerEmail, Message, Organisation, Queue, Ticket, TicketLink
from app.models.ticket import WORKING_STATUSES
from app.services.errors import InvalidInput, NotFound
from app.services.platform.database.driver import driver_rows
from app.services.platform.plain_text import like_contains
from app.services.platform.uow import UnitOfWork
from app.services.tickets.dto import (
    MessageView,
    TicketChanged,
    TicketDetail,
    TicketSummary,
    text_words,
    ticket_number_in,
)
from app.services.tickets.dto import PageCursor as PageCursor
from app.services.tickets.dto import SortOrder as SortOrder
from app.services.tickets.dto import TicketFilter as TicketFilter
from app.services.tickets.dto import TicketPage as TicketPage
from app.services.tickets.dto import TicketPlaces as TicketPlaces
from app.vocabulary import Channel, MessageKind, Priority, TicketType

MAX_PAGE_SIZE = 500
MAX_PLACES = 5_000  # a page of places (`list_ticket_places`): ids and sort values only
ANY_TICKET = TicketFilter()  # no narrowing: every ticket the login may see

SummaryQuery = Select[Ticket, str, str, str, list[str], str]
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


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
    connection = uow.session.connection()
    row = connection.exec_driver_sql(_summary_sql(connection.dialect), {"p_ticket_id": ticket_id}).one_or_none()
    if row is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    return summary_from_row(row)


_SUMMARY_SQL: dict[tuple[str, str], str] = {}


def _summary_sql(dialect: Dialect) -> str:
    """`get_summary`'s statement, compiled once per driver: every change of a ticket ends by reading its
    summary, and building this select (its joins, its cache key) cost 1.3 ms of a creation's 5 ms of client
    CPU, where the server read the row in a tenth of that (issue 12). Its rows are decoded as the pages'."""
    key = (dialect.name, dialect.driver)
    if (sql := _SUMMARY_SQL.get(key)) is None:
        statement = summary_row_select().where(Ticket.id == bindparam("p_ticket_id"))
        sql = _SUMMARY_SQL[key] = statement.compile(dialect=dialect).string
    return sql


def as_landed(uow: UnitOfWork, result: TicketChanged) -> TicketChanged:
    """The change as it will be committed: the commit's handlers run now, and when one took the change (push
    routing assigned a new ticket, due times were stored) its summary is read again in the same transaction.
    `ticket create --json` printed a routed ticket as unassigned, without due times, at version 1. Call it
    last before `uow.commit()`."""
    uow.handle_events()
    if not uow.handlers_ran:
        return result
    return dataclasses.replace(result, ticket=get_summary(uow, ticket_id=result.ticket.id))  # its message id kept


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
    rows = _page_rows(uow, ticket_filter, sort, after, limit, places=False)
    return TicketPage(tuple(summary_from_row(row) for row in rows), _next_cursor(rows, limit, SUMMARY_ROW_COLUMNS))


def list_ticket_places(
    uow: UnitOfWork,
    *,
    ticket_filter: TicketFilter = ANY_TICKET,
    sort: SortOrder = SortOrder.SLA_DUE,
    after: PageCursor | None = None,
    limit: int = 1_000,
) -> TicketPlaces:
    """The next `limit` tickets of the view in its order, as ids, sort values and versions: the same choice
    of rows as `list_tickets` (same statement but for the summary's joins, same cursor), for a queue that
    reads the summaries only of the rows it shows."""
    if not 1 <= limit <= MAX_PLACES:
        raise InvalidInput(f"A page of places holds 1 to {MAX_PLACES} tickets, not {limit}")
    rows = _page_rows(uow, ticket_filter, sort, after, limit, places=True)
    places = tuple((row[0], row[1], row[2]) for row in rows)
    return TicketPlaces(places, _next_cursor(rows, limit, 1))


def _page_rows(
    uow: UnitOfWork, f: TicketFilter, sort: SortOrder, after: PageCursor | None, limit: int, *, places: bool
) -> list[Any]:
    if sort is SortOrder.SLA_DUE:
        return _page_by_sla_due(uow, f, after, limit, places)
    return _page_descending(uow, f, sort, after, limit, places)


def _next_cursor(rows: list[Any], limit: int, key_column: int) -> PageCursor | None:
    """Where the next page starts: the last row's sort value and id, if the page was full."""
    if len(rows) < limit:
        return None
    last = rows[-1]
    value = last[key_column]
    return PageCursor(int(value) if isinstance(value, int) else value, last[0])


def _page(uow: UnitOfWork, shape: PageShape, build: Callable[[], PageStatement], values: dict[str, Any]) -> list[Any]:
    """One statement: the page's ids chosen on the ticket table alone (a subquery with its own ORDER BY and
    LIMIT, so the planner walks the sort index and stops), then the names joined in for just those rows
    (or, for a page of places, just the ids, sort values and versions).
    The cursor comes from the same rows, so a row changed since cannot skew paging. Run outside a
    transaction where it can be (`UnitOfWork.reads`).

    The statement is built and compiled once per shape of page (`PageShape`: the sort, which filters are
    set, where the cursor stands); every value is a named parameter, and the rows are decoded here, not by
    the ORM's types. Building the statement, its cache key and the typed rows cost the client three times
    what the database spent on the page (issue 12)."""
    reads = uow.reads()
    return driver_rows(reads, _page_sql(shape, build, reads.dialect), values)


@dataclass(frozen=True)
class PageShape:
    """What a page's SQL text depends on; everything else is a parameter's value."""

    sort: SortOrder
    cursor: str  # "first", "dated" (after a due or sort value), "undated" (after a ticket without a clock)
    statuses: tuple[str, ...]  # literals: the planner proves a partial index only from literals
    priorities: tuple[int, ...]  # literals too: a handful of small numbers
    queue: bool
    assignee: bool
    unassigned: bool
    tag: bool
    words: tuple[bool, ...]  # one per word of the filter text: is it also a ticket number?
    include_merged: bool
    places: bool  # ids, sort values and versions only (`list_ticket_places`)

    @classmethod
    def of(cls, f: TicketFilter, sort: SortOrder, after: PageCursor | None, places: bool) -> PageShape:
        cursor = "first" if after is None else "dated" if after.value is not None else "undated"
        return cls(
            sort,
            cursor,
            tuple(f.statuses),
            tuple(sorted(int(p) for p in f.priorities)),
            f.queue_id is not None,
            f.assignee_id is not None,
            f.unassigned,
            bool(f.tag),
            tuple(ticket_number_in(word) is not None for word in text_words(f.text)),
            f.include_merged,
            places,
        )


_PAGE_SQL: dict[PageShape, str] = {}
_PAGE_SQL_LIMIT = 256  # shapes kept; a client uses a dozen


def _page_sql(shape: PageShape, build: Callable[[], PageStatement], dialect: Dialect) -> str:
    """The page statement's SQL for this shape, compiled on first use. Every parameter must be named by
    `filter_values` or the page functions: an anonymous one would carry the first caller's value.

    A page of summaries compiles only its inner walk: the summary's 29 columns around it are compiled once
    per order (`_summary_around`) and the walk's text set in between. Compiling the whole statement took
    1.6 to 5 ms a shape, the first page of each view and sort a client opens (issue 12: a first walk's
    slowest pages); the walk alone 0.2 to 2.4. A test holds the two texts equal for every kind of shape."""
    if (sql := _PAGE_SQL.get(shape)) is None:
        statement = build()
        compiled = _compiled(statement.inner if not statement.places else statement.select(), dialect)
        if anonymous := [name for name in compiled.params if not name.startswith(_NAMED)]:
            raise RuntimeError(f"page statement has unnamed parameters: {anonymous}")
        sql = compiled.string
        if not statement.places:
            before, after = _summary_around(statement.order, dialect)
            sql = before + sql + after
        if len(_PAGE_SQL) >= _PAGE_SQL_LIMIT:
            _PAGE_SQL.clear()
        _PAGE_SQL[shape] = sql
    return sql


def _compiled(statement: Any, dialect: Dialect) -> Any:
    return statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})


Order = Callable[[Any], tuple[Any, ...]]  # a page's ORDER BY over its chosen rows (one of the three below)


@dataclass(frozen=True)
class PageStatement:
    """A page as built: the inner walk that chooses its rows (ids, the sort value as `key`, for an SLA page
    its `part`), the order of those rows, and whether it is a page of places (no summary joined in)."""

    inner: Any  # a Select, or a UNION ALL of the SLA page's parts
    order: Order
    places: bool

    def select(self) -> Select[Any]:
        """The whole statement: the summary's columns joined to the chosen rows (see `_page`), or only the
        places, in the page's order."""
        chosen = self.inner.subquery("page")
        if self.places:
            return select(chosen.c.id, chosen.c.key, chosen.c.version).order_by(*self.order(chosen)).limit(_LIMIT)
        joined = summary_row_select().add_columns(chosen.c.key).join(chosen, chosen.c.id == Ticket.id)
        return joined.order_by(*self.order(chosen)).limit(_LIMIT)


@functools.lru_cache(maxsize=16)  # three orders, an engine's dialect or two
def _summary_around(order: Order, dialect: Dialect) -> tuple[str, str]:
    """The text of a summary page before and after its inner walk, for this order: the whole statement
    compiled once around a stand-in walk, cut where the stand-in's text stands."""
    stand_in = select(Ticket.id.label("id"), null().label("key"), _part(0))
    whole = _compiled(PageStatement(stand_in, order, places=False).select(), dialect).string
    walk = _compiled(stand_in, dialect).string
    if whole.count(walk) != 1:
        raise RuntimeError("the summary page's text did not hold its stand-in walk once")
    before, _, after = whole.partition(walk)
    return before, after


_NAMED = "p_"  # the prefix of every parameter a page statement takes


@functools.cache
def summary_row_select() -> Select[*tuple[Any, ...]]:
    """`summary_select` as plain columns in `TicketSummary`'s order, for `summary_from_row` (no ORM).
    Built once: a statement is immutable (every `.where()` makes a new one), and building this one anew
    cost more than a warm page's plan.

    The names are joined, not scalar subqueries: as subqueries a custom plan cost half (0.7 ms instead of 1.5:
    a connection's first five runs of each page shape), but every later page, which the plan kept serves,
    took 0.2 to 0.3 ms longer (3.15 → 3.4 ms p50 over the benchmark's walks, 2026-12-07): a day of pages
    matters more than a connection's first few."""
    tickets = Ticket.__table__
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
# Their names, as the claim functions return them (`claim_next_summary()`, migration 0047): the fields of
# `TicketSummary`, in its order (a test holds the three to one another).
SUMMARY_COLUMN_NAMES = tuple(field.name for field in dataclasses.fields(TicketSummary))


def summary_from_row(row: Any) -> TicketSummary:
    """A row of `summary_row_select` (extra columns after it are ignored) as a frozen summary."""
    values = list(row[:SUMMARY_ROW_COLUMNS])
    values[4] = _PRIORITIES[values[4]]  # a member already, or the stored number
    values[5] = _TYPES[values[5]]
    values[12] = _CHANNELS[values[12]]
    values[13] = tuple(values[13] or ())  # tags
    values[14] = dict(values[14] or {})  # custom fields
    values[27] = tuple(values[27] or ())  # customer emails
    return TicketSummary(*values)


# The stored values and the members themselves (an IntEnum hashes as its number, a StrEnum as its text):
# rows typed by SQLAlchemy and raw driver rows decode alike, by one lookup.
_PRIORITIES: dict[Any, Priority] = {p.value: p for p in Priority}
_TYPES: dict[Any, TicketType] = {t.value: t for t in TicketType}
_CHANNELS: dict[Any, Channel] = {c.value: c for c in Channel}


def filter_values(f: TicketFilter) -> dict[str, Any]:
    """The parameters `apply_filter` names, by name: a compiled page statement takes these."""
    values: dict[str, Any] = {}
    if f.queue_id is not None:
        values["p_queue"] = f.queue_id
    if f.assignee_id is not None:
        values["p_assignee"] = f.assignee_id
    if f.tag:
        values["p_tag"] = [f.tag.strip().lower()]
    for index, word in enumerate(text_words(f.text)):
        values[f"p_word_{index}"] = like_contains(word)
        if (number := ticket_number_in(word)) is not None:
            values[f"p_number_{index}"] = number
    return values


def apply_filter(query: Q, f: TicketFilter) -> Q:
    if f.statuses:
        # As literals: the partial indexes over working tickets (WORKING_STATUSES) are used only when the
        # planner can prove their predicate, which it cannot from a bound (or prepared) parameter.
        statuses: BindParameter[str] = bindparam(
            "statuses", list(f.statuses), expanding=True, literal_execute=True, unique=True
        )
        query = query.where(Ticket.status.in_(statuses))
    values = filter_values(f)
    if f.queue_id is not None:
        query = query.where(Ticket.queue_id == bindparam("p_queue", values["p_queue"], type_=BigInteger))
    if f.assignee_id is not None:
        query = query.where(Ticket.assignee_id == bindparam("p_assignee", values["p_assignee"], type_=BigInteger))
    if f.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if f.priorities:
        priorities: BindParameter[int] = bindparam(
            "priorities", sorted(int(p) for p in f.priorities), expanding=True, literal_execute=True, unique=True
        )
        query = query.where(Ticket.priority.in_(priorities))
    if f.tag:
        query = query.where(Ticket.tags.contains(bindparam("p_tag", values["p_tag"], type_=Ticket.tags.type)))
    for index, _word in enumerate(text_words(f.text)):
        query = query.where(text_matches(index, values))
    if not f.include_merged:
        query = query.where(Ticket.merged_into_id.is_(None))
    return query


def text_matches(index: int, values: dict[str, Any]) -> ColumnElement[bool]:
    """The filter text's word number `index` (`TicketFilter.text`; `dto.word_matches` is the same test in
    Python), its pattern and number in `values` (`filter_values`): the ticket's number, or a part of its
    subject, its customer's name, one of their addresses or their organisation's name. The customer side is
    a semi-join, so a page is still chosen on the ticket table."""
    pattern = bindparam(f"p_word_{index}", values[f"p_word_{index}"], type_=String)
    customers = select(Customer.id).where(
        or_(
            Customer.name.ilike(pattern, escape="\\"),
            Customer.id.in_(select(CustomerEmail.customer_id).where(CustomerEmail.address.ilike(pattern, escape="\\"))),
            Customer.organisation_id.in_(select(Organisation.id).where(Organisation.name.ilike(pattern, escape="\\"))),
        )
    )
    places: list[ColumnElement[bool]] = [Ticket.subject.ilike(pattern, escape="\\"), Ticket.customer_id.in_(customers)]
    if (number := values.get(f"p_number_{index}")) is not None:
        places.insert(0, Ticket.number == bindparam(f"p_number_{index}", number, type_=BigInteger))
    return or_(*places)


def _page_by_sla_due(uow: UnitOfWork, f: TicketFilter, after: PageCursor | None, limit: int, places: bool) -> list[Any]:
    """Due tickets first (soonest first), then those without a clock (by id), each part its own index walk
    with its own LIMIT, both in one statement.

    The first page of a view of working tickets is one walk of its partial index instead, which is in just
    that order (ascending, NULLs last, then by id): with `sla_due_at IS NOT NULL` the planner multiplied two
    selectivities that describe the same tickets (only working tickets have a clock), guessed 117 of 3,785
    for a queue, and read and sorted the whole queue for an agent (row-level security cut the guess below
    the page), 13 ms where the walk takes 0.4 (issue 12). The cursor it hands out continues as before."""
    shape = PageShape.of(f, SortOrder.SLA_DUE, after, places)
    values = _page_values(f, after, limit)

    def build() -> PageStatement:
        if after is None and f.statuses and set(f.statuses) <= set(WORKING_STATUSES) and not f.include_merged:
            first = apply_filter(_chosen(Ticket.sla_due_at, 0, places), f)
            first = first.order_by(Ticket.sla_due_at.asc().nulls_last(), Ticket.id).limit(_LIMIT)
            return PageStatement(first, _first_due_order, places)
        parts = []
        if after is None or after.value is not None:
            due = apply_filter(_chosen(Ticket.sla_due_at, 0, places), f)
            due = due.where(Ticket.sla_due_at.is_not(None))
            if after is not None:
                due_after = tuple_(_after_value(Ticket.sla_due_at), _AFTER_ID)
                due = due.where(tuple_(Ticket.sla_due_at, Ticket.id) > due_after)
            parts.append(due.order_by(Ticket.sla_due_at, Ticket.id).limit(_LIMIT))
        # The key as a typed NULL, not the column: the undated indexes hold no due time (their predicate says
        # it is NULL), and reading the column made the walk read every ticket it passed (migration 0040).
        undated = apply_filter(_chosen(null().cast(Ticket.sla_due_at.type), 1, places), f)
        undated = undated.where(Ticket.sla_due_at.is_(None))
        if after is not None and after.value is None:
            undated = undated.where(Ticket.id > _AFTER_ID)
        parts.append(undated.order_by(Ticket.id).limit(_LIMIT))
        page: Any = parts[0]
        if len(parts) > 1:  # the page's rows before the summary's joins: 100 joined, not both parts' 200
            both = union_all(*parts)
            page = both.order_by(*(both.selected_columns[c] for c in ("part", "key", "id"))).limit(_LIMIT)
        return PageStatement(page, _parts_order, places)

    return _page(uow, shape, build, values)


def _page_descending(
    uow: UnitOfWork, f: TicketFilter, sort: SortOrder, after: PageCursor | None, limit: int, places: bool
) -> list[Any]:
    column: Any = Ticket.priority if sort is SortOrder.PRIORITY else Ticket.updated_at

    def build() -> PageStatement:
        query = apply_filter(_chosen(column, None, places), f)
        if after is not None:
            query = query.where(tuple_(column, Ticket.id) < tuple_(_after_value(column), _AFTER_ID))
        page = query.order_by(column.desc(), Ticket.id.desc()).limit(_LIMIT)
        return PageStatement(page, _descending_order, places)

    return _page(uow, PageShape.of(f, sort, after, places), build, _page_values(f, after, limit))


def _chosen(key: Any, part: int | None, places: bool) -> Select[Any]:
    """What a page's inner walk selects: the id, the sort value as `key`, which part of an SLA page it comes
    from, and for a page of places the version (a summary has its own)."""
    columns = [Ticket.id.label("id"), key.label("key")]  # labelled: the walk reads the same alone (`_page_sql`)
    if part is not None:
        columns.append(_part(part))
    if places:
        columns.append(Ticket.version.label("version"))
    return select(*columns)


def _first_due_order(chosen: Any) -> tuple[Any, ...]:
    return (chosen.c.key.asc().nulls_last(), chosen.c.id)


def _parts_order(chosen: Any) -> tuple[Any, ...]:
    return (chosen.c.part, chosen.c.key, chosen.c.id)


def _descending_order(chosen: Any) -> tuple[Any, ...]:
    return (chosen.c.key.desc(), chosen.c.id.desc())


def _page_values(f: TicketFilter, after: PageCursor | None, limit: int) -> dict[str, Any]:
    values = filter_values(f) | {"p_limit": limit}
    if after is not None:
        values["p_after_id"] = after.ticket_id
        if after.value is not None:
            values["p_after_value"] = int(after.value) if isinstance(after.value, int) else after.value
    return values


def _part(number: int) -> Any:
    """Which part of an SLA page a row comes from (due first, then undated), as a literal, not a parameter."""
    return literal_column(str(number)).label("part")


def _after_value(column: Any) -> BindParameter[Any]:
    return bindparam("p_after_value", type_=column.type, required=False)


# Values come with each execution (`_page_values`), never from the statement.
_LIMIT = bindparam("p_limit", type_=Integer, required=False)
_AFTER_ID = bindparam("p_after_id", type_=BigInteger, required=False)
