"""What services hand out: frozen values, never ORM objects, so callers cannot lazy-load by accident."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from app.vocabulary import Channel, MessageKind, Priority, TicketType

MAX_SUBJECT_LENGTH = (
    500  # a ticket's subject, in characters: the service refuses longer (a field's maxLength counts UTF-16 units)
)


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
    # What "go to anything" finds a ticket by, besides its number and subject (see `TicketFilter.text`).
    customer_emails: tuple[str, ...] = ()
    organisation_name: str | None = None

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


class SortOrder(enum.StrEnum):
    SLA_DUE = "sla_due"
    PRIORITY = "priority"
    UPDATED = "updated"


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()
    queue_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    priorities: tuple[Priority, ...] = ()
    tag: str | None = None
    text: str | None = None
    """Words that must each be found: in the subject, the customer's name, any of their email addresses or
    their organisation's name (case-insensitively, as ILIKE), or — a word of digits, with or without '#' — as
    the ticket's number. Full-text over message bodies is the search index's, later."""
    include_merged: bool = False

    def matches(self, ticket: TicketSummary) -> bool:
        """The same test as the SQL, for a ticket a live update brought: does it belong in this view?"""
        return (
            (not self.statuses or ticket.status in self.statuses)
            and (self.queue_id is None or ticket.queue_id == self.queue_id)
            and (self.assignee_id is None or ticket.assignee_id == self.assignee_id)
            and (not self.unassigned or ticket.assignee_id is None)
            and (not self.priorities or ticket.priority in self.priorities)
            and (not self.tag or self.tag.strip().lower() in ticket.tags)
            and all(word_matches(word, ticket) for word in text_words(self.text))
            and (self.include_merged or ticket.merged_into_id is None)
        )


MAX_TICKET_NUMBER = 2**63 - 1


def text_words(text: str | None) -> list[str]:
    """The words of a filter text; none for an empty or blank one."""
    return (text or "").split()


def ticket_number_in(word: str) -> int | None:
    """The ticket number a word names ("11836" or "#11836"), if it is one."""
    digits = word.removeprefix("#")
    if digits.isascii() and digits.isdigit() and int(digits) <= MAX_TICKET_NUMBER:
        return int(digits)
    return None


def word_matches(word: str, ticket: TicketSummary) -> bool:
    """The same test as the SQL of `queries.text_matches` for one word."""
    folded = _ilike_fold(word)
    places = (ticket.subject, ticket.customer_name, ticket.organisation_name or "", *ticket.customer_emails)
    return ticket.number == ticket_number_in(word) or any(folded in _ilike_fold(place) for place in places)


def _ilike_fold(text: str) -> str:
    """Lower case as PostgreSQL's ILIKE does, one character at a time: `str.lower` alone applies Unicode's
    special rules (a word-final 'Σ' becomes 'ς', 'İ' becomes 'i' plus a combining dot), so a live update
    would judge 'ΟΔΟΣ' or 'İstanbul' otherwise than the list query did."""
    return "".join(char.lower()[0] for char in text)


@dataclass(frozen=True)
class PageCursor:
    """Where the previous page ended: the sort value of its last row and that row's id."""

    value: dt.datetime | int | None
    ticket_id: int


@dataclass(frozen=True)
class TicketPage:
    rows: tuple[TicketSummary, ...]
    next_cursor: PageCursor | None = field(default=None)


PlaceInView = tuple[int, dt.datetime | int | None, int]  # id, sort value, version


@dataclass(frozen=True)
class TicketPlaces:
    """A page of a view's order without the tickets: each ticket's id, sort value and version, in the view's
    order. The queue holds these for every row it lists and reads the tickets only for the rows shown
    (`list_ticket_places`): a few hundred bytes a row instead of a summary's 1.6 KB (issue 12)."""

    places: tuple[PlaceInView, ...]
    next_cursor: PageCursor | None = field(default=None)


@dataclass(frozen=True)
class FieldChanges:
    """Only the fields given (not None) change; `tags` replaces the whole set."""

    subject: str | None = None
    priority: Priority | None = None
    queue_id: int | None = None
    ticket_type: TicketType | None = None
    tags: tuple[str, ...] | None = None
    custom_fields: dict[str, Any] | None = None
    language: str | None = None


# Who wrote an audit row no agent wrote: a trusted session acting for nobody (the worker, intake, a
# migration, the DBA). Its database login ("postgres") means nothing to an agent.
SYSTEM_ACTOR = "Switchboard (system)"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a ticket's audit trail, as the history tab shows it.

    `old_value`/`new_value` are what the audit stored (an agent's id, a status key); `old_name`/`new_name`
    are what the database calls them (the agent's name, the status's label), None when the value refers to
    nothing or to something this login cannot see. Both are kept: names are for people, values for code
    that compares them. `actor` is who, in words (an agent's name, "Jane Doe (customer)",
    `SYSTEM_ACTOR`); `actor_login` the database login that wrote the row, for whoever audits the audit.
    """

    occurred_at: dt.datetime
    actor: str
    action: str
    field: str | None
    old_value: Any
    new_value: Any
    old_name: str | None = None
    new_name: str | None = None
    actor_login: str = ""
