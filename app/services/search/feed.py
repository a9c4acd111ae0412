"""What the index is fed: the tickets, articles and customers the signed-in login may read, read through
its own connection, so row-level security decides (nothing here filters by a column an admin may change).

Plain values out (no tantivy here). Every function takes a unit of work of the login's runtime.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.services.platform.database.driver import driver_rows
from app.services.platform.uow import UnitOfWork

KIND_TICKET, KIND_ARTICLE, KIND_CUSTOMER = "ticket", "article", "customer"
PAGE = 2000

# Pages of rows, then their messages and addresses in one query each (no correlated subqueries: a rebuild
# reads a million tickets).
_TICKETS = """
    SELECT t.id, t.number, t.subject, t.status, q.name, t.tags, t.created_at, t.updated_at, c.id, c.name, o.name
    FROM switchboard.ticket t
    JOIN switchboard.queue q ON q.id = t.queue_id
    JOIN switchboard.customer c ON c.id = t.customer_id
    LEFT JOIN switchboard.organisation o ON o.id = c.organisation_id
"""
_MESSAGES = """
    SELECT m.ticket_id, m.kind::text, m.body_text FROM switchboard.message m
    WHERE m.ticket_id = ANY(%(ids)s) AND m.kind <> 'system_event' ORDER BY m.ticket_id, m.created_at, m.id
"""
_MESSAGES_IN_RANGE = """
    SELECT m.ticket_id, m.kind::text, m.body_text FROM switchboard.message m
    WHERE m.ticket_id > %(after)s AND m.ticket_id <= %(last)s AND m.kind <> 'system_event'
    ORDER BY m.ticket_id, m.created_at, m.id
"""
_EMAILS = """
    SELECT e.customer_id, e.address FROM switchboard.customer_email e
    WHERE e.customer_id = ANY(%(ids)s) ORDER BY e.customer_id, e.id
"""
_ARTICLES = """
    SELECT a.id, a.title, a.body, a.tags, a.created_at, a.updated_at, a.state, a.visibility
    FROM switchboard.knowledge_article a
"""
_CUSTOMERS = """
    SELECT c.id, c.name, o.name, c.created_at
    FROM switchboard.customer c LEFT JOIN switchboard.organisation o ON o.id = c.organisation_id
"""
_TABLES = {
    KIND_TICKET: ("switchboard.ticket", "t"),
    KIND_ARTICLE: ("switchboard.knowledge_article", "a"),
    KIND_CUSTOMER: ("switchboard.customer", "c"),
}


@dataclass(frozen=True)
class SourceDocument:
    """One searchable thing. `title` is a ticket's subject, an article's title, a customer's name; `body`
    every message's text, an article's text, a customer's addresses and organisation; `customer` the
    ticket's customer name, addresses and organisation."""

    kind: str
    id: int
    title: str
    body: str
    number: int = 0
    status: str = ""
    queue: str = ""
    tags: tuple[str, ...] = ()
    customer: str = ""
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    last_customer_message: str = ""


def article_status(state: str, visibility: str) -> str:
    """An article's status as the index holds it: its state and its audience ("published internal"), each a
    value of the `status` filter, so `status:internal` finds what agents alone may read and the knowledge
    panel suggests only what is published."""
    return f"{state} {visibility}"


def _when(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def _tags(value: object) -> tuple[str, ...]:
    return tuple(str(t) for t in value) if isinstance(value, list | tuple) else ()


def _ticket(row: Sequence[object], messages: list[tuple[str, str]], emails: str) -> SourceDocument:
    id_, number, subject, status, queue, tags, created, updated, _customer_id, name, org = row
    customer = " ".join(str(x) for x in (name, emails, org) if x)
    last = next((text for kind, text in reversed(messages) if kind == "customer_message"), "")
    return SourceDocument(
        KIND_TICKET,
        int(str(id_)),
        str(subject),
        "\n".join(text for _kind, text in messages),
        number=int(str(number)),
        status=str(status),
        queue=str(queue),
        tags=_tags(tags),
        customer=customer,
        created=_when(created),
        updated=_when(updated),
        last_customer_message=last,
    )


def _article(row: Sequence[object]) -> SourceDocument:
    id_, title, body, tags, created, updated, state, visibility = row
    return SourceDocument(
        KIND_ARTICLE,
        int(str(id_)),
        str(title),
        str(body or ""),
        status=article_status(str(state), str(visibility)),
        tags=_tags(tags),
        created=_when(created),
        updated=_when(updated),
    )


def _customer(row: Sequence[object], emails: str) -> SourceDocument:
    id_, name, org, created = row
    body = " ".join(str(x) for x in (emails, org) if x)
    return SourceDocument(
        KIND_CUSTOMER,
        int(str(id_)),
        str(name),
        body,
        customer=f"{name} {body}",
        created=_when(created),
        updated=_when(created),
    )


_SELECTS = {KIND_TICKET: _TICKETS, KIND_ARTICLE: _ARTICLES, KIND_CUSTOMER: _CUSTOMERS}


def _rows(uow: UnitOfWork, sql: str, params: dict[str, object]) -> Sequence[Sequence[object]]:
    """Plain tuples from the driver, in the unit of work's transaction (`driver_rows`): a rebuild reads a
    million tickets, and SQLAlchemy's rows cost the reading thread a third of its time."""
    return driver_rows(uow.session.connection(), sql, params)


def _emails(uow: UnitOfWork, customer_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    for customer_id, address in _rows(uow, _EMAILS, {"ids": list(customer_ids)}):
        found.setdefault(int(str(customer_id)), []).append(str(address))
    return {k: " ".join(v) for k, v in found.items()}


def _build(
    uow: UnitOfWork, kind: str, rows: Sequence[Sequence[object]], after: int | None = None
) -> list[SourceDocument]:
    """`after`: the rows are the page after this id, so their messages are one range scan."""
    if kind == KIND_ARTICLE:
        return [_article(r) for r in rows]
    if kind == KIND_CUSTOMER:
        emails = _emails(uow, [int(str(r[0])) for r in rows])
        return [_customer(r, emails.get(int(str(r[0])), "")) for r in rows]
    messages: dict[int, list[tuple[str, str]]] = {}
    ids = [int(str(r[0])) for r in rows]
    if after is None:
        found = _rows(uow, _MESSAGES, {"ids": ids})
    else:
        found = _rows(uow, _MESSAGES_IN_RANGE, {"after": after, "last": ids[-1]})
    for ticket_id, message_kind, text in found:
        messages.setdefault(int(str(ticket_id)), []).append((str(message_kind), str(text or "")))
    emails = _emails(uow, sorted({int(str(r[8])) for r in rows}))
    return [_ticket(r, messages.get(int(str(r[0])), []), emails.get(int(str(r[8])), "")) for r in rows]


def documents(uow: UnitOfWork, kind: str, ids: Sequence[int]) -> list[SourceDocument]:
    """The documents of these ids that the login may read now (the others are simply not returned)."""
    if not ids:
        return []
    alias = _TABLES[kind][1]
    rows = _rows(uow, f"{_SELECTS[kind]} WHERE {alias}.id = ANY(%(ids)s)", {"ids": list(ids)})
    return _build(uow, kind, rows)


def pages(uow: UnitOfWork, kind: str, page: int = PAGE) -> Iterator[list[SourceDocument]]:
    """Every document of a kind the login may read, in id order, a page at a time (keyset pagination)."""
    alias = _TABLES[kind][1]
    after = 0
    while True:
        rows = _rows(
            uow,
            f"{_SELECTS[kind]} WHERE {alias}.id > %(after)s ORDER BY {alias}.id LIMIT %(n)s",
            {"after": after, "n": page},
        )
        if not rows:
            return
        yield _build(uow, kind, rows, after)
        after = int(str(rows[-1][0]))
        if len(rows) < page:
            return


def visible_ids(uow: UnitOfWork, kind: str) -> set[int]:
    table, _ = _TABLES[kind]
    return {int(str(r[0])) for r in _rows(uow, f"SELECT id FROM {table}", {})}


def count(uow: UnitOfWork, kind: str) -> int:
    table, _ = _TABLES[kind]
    return int(str(_rows(uow, f"SELECT count(*) FROM {table}", {})[0][0]))


def tickets_of_customers(uow: UnitOfWork, customer_ids: Sequence[int]) -> list[int]:
    """A customer's new name or address is in every one of their tickets' documents."""
    if not customer_ids:
        return []
    rows = _rows(uow, "SELECT id FROM switchboard.ticket WHERE customer_id = ANY(%(ids)s)", {"ids": list(customer_ids)})
    return [int(str(r[0])) for r in rows]


def scope(uow: UnitOfWork) -> str:
    """What decides what this login may see, as one string: when it changes (a new role, other queues),
    the index is wiped and rebuilt rather than patched."""
    row = _rows(uow, "SELECT switchboard.current_agent_role()::text, switchboard.visible_queue_ids()", {})[0]
    queues = sorted(int(str(q)) for q in _tags(row[1]))
    return f"{row[0]}:{','.join(map(str, queues))}"
