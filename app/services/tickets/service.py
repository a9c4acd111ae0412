"""Changing tickets. Every function locks the row, checks the caller's version, applies the lifecycle
rules, records the change for the change log, and returns what changed.

The audit trail is written by the database itself (definer triggers, actor from the session), and the
privileged moves — assigning someone else, moving queues, escalating — go through SECURITY DEFINER
functions that check the caller: the service asks, PostgreSQL decides.

A write based on a stale read raises `TicketConflict` naming who changed what since; nothing is saved.
`expected_version=None` means "whatever the ticket is now": for a new customer message, and for a person
at the command line who did not pass --if-version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from app.models import Agent, Customer, Message, Queue, StatusTransition, Ticket, TicketLink
from app.models import TicketStatus as StatusRow
from app.services.errors import ChangeBy, InvalidInput, NotFound, TicketConflict, TransitionNotAllowed
from app.services.platform.database.driver import driver_rows
from app.services.platform.database.failures import refusal
from app.services.platform.events import (
    Assigned,
    DomainEvent,
    FieldsChanged,
    MessageAdded,
    StatusChanged,
    TicketCreated,
    TicketMerged,
    events_for_field,
)
from app.services.platform.plain_text import clean_body, clean_line, has_visible_text
from app.services.platform.uow import UnitOfWork
from app.services.tickets import lifecycle
from app.services.tickets.dto import MAX_SUBJECT_LENGTH, TicketChanged
from app.services.tickets.dto import FieldChanges as FieldChanges
from app.services.tickets.history import read_history
from app.services.tickets.lifecycle import LifecycleRules
from app.services.tickets.queries import SUMMARY_COLUMN_NAMES, get_summary, summary_from_row
from app.vocabulary import Channel, MessageKind, Priority, TicketType

MAX_TAGS = 100  # the database's bounds (migration 0045): a tag is VARCHAR(64)
MAX_TAG_LENGTH = 64
MAX_CUSTOM_FIELDS_BYTES = 65_536


@dataclass
class _Edit:
    """The changes of one mutation. The version goes up once, before the first change is written, so
    every audit row the triggers write for this mutation carries the new version."""

    uow: UnitOfWork
    ticket: Ticket
    action: str
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    touched: bool = False

    def touch(self) -> None:
        if self.touched:
            return
        self.touched = True
        self.uow.session.execute(select(func.set_config("switchboard.action", self.action, True)))
        self.ticket.version += 1
        self.ticket.updated_at = self.uow.now()
        self.uow.session.flush()

    def set(self, name: str, value: Any) -> None:
        old = getattr(self.ticket, name)
        if old != value:
            self.touch()
            self.fields.append((name, old, value))
            setattr(self.ticket, name, value)

    def call_privileged(self, function: str, *args: int | None) -> None:
        """Ask a definer function for a privileged change; it checks the caller and the version and
        raises the version itself, so call it before any other change of the same edit."""
        watched = ("assignee_id", "queue_id", "priority", "tags")
        before = {name: getattr(self.ticket, name) for name in watched}
        expected = None if self.touched else self.ticket.version
        self.uow.session.flush()
        self.uow.session.execute(select(func.set_config("switchboard.action", self.action, True)))
        placeholders = ", ".join(f":a{index}" for index in range(len(args) + 1))
        params = {f"a{index}": value for index, value in enumerate([*args, expected])}
        try:
            self.uow.session.execute(text(f"SELECT switchboard.{function}({placeholders})"), params)
        except DBAPIError as error:
            raise (refusal(error) or error) from None
        self.touched = True
        # The function labelled its own audit rows; what this mutation changes next is ours again.
        self.uow.session.execute(select(func.set_config("switchboard.action", self.action, True)))
        self.uow.session.refresh(self.ticket)
        after = {name: getattr(self.ticket, name) for name in watched}
        self.fields += [(name, before[name], after[name]) for name in watched if after[name] != before[name]]


def load_rules(uow: UnitOfWork) -> LifecycleRules:
    statuses = uow.session.execute(select(StatusRow.key, StatusRow.category).order_by(StatusRow.position))
    moves = uow.session.execute(select(StatusTransition.from_status, StatusTransition.to_status, StatusTransition.kind))
    return LifecycleRules.from_rows([(key, category) for key, category in statuses], [(a, b, k) for a, b, k in moves])


def create_ticket(
    uow: UnitOfWork,
    *,
    subject: str,
    customer_id: int,
    queue_id: int,
    body: str = "",
    body_html: str | None = None,
    channel: Channel = Channel.MANUAL,
    priority: Priority = Priority.NORMAL,
    ticket_type: TicketType = TicketType.QUESTION,
    tags: tuple[str, ...] = (),
    custom_fields: dict[str, Any] | None = None,
    language: str | None = None,
    assignee_id: int | None = None,
) -> TicketChanged:
    """A new ticket in status `new`; the request itself becomes the first customer message."""
    _ = uow.actor  # only agents open tickets
    customer_found, queue_found = (
        uow.session.connection()
        .execute(_CUSTOMER_AND_QUEUE_SEEN, {"customer_id": customer_id, "queue_id": queue_id})
        .one()
    )  # both in one round trip, each as this login may see it
    if not customer_found:
        raise NotFound(f"No customer with id {customer_id}")
    if not queue_found:
        raise NotFound(f"No queue with id {queue_id}")
    if assignee_id is not None:
        _require_active_agent(uow, assignee_id)
    now = uow.now()
    ticket_id: int = (
        uow.session.connection()
        .execute(
            _INSERT_TICKET,
            {
                "subject": _clean_subject(subject),
                "status": lifecycle.NEW,
                "priority": priority,
                "type": ticket_type,
                "queue_id": queue_id,
                "assignee_id": assignee_id,
                "customer_id": customer_id,
                "channel": channel,
                "tags": _clean_tags(tags),
                "custom_fields": _bounded_fields(custom_fields or {}),
                "language": language,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            },
        )
        .scalar_one()
    )
    message_id = None
    if body.strip() or body_html:
        message_id = _add_message(
            uow, ticket_id, MessageKind.CUSTOMER_MESSAGE, body, body_html, author_customer_id=customer_id
        )
    uow.record(TicketCreated(ticket_id, queue_id))
    if message_id is not None:
        uow.record(MessageAdded(ticket_id, message_id, MessageKind.CUSTOMER_MESSAGE.value))
    return TicketChanged(get_summary(uow, ticket_id=ticket_id), frozenset({"created"}), message_id)


def add_customer_message(
    uow: UnitOfWork,
    *,
    ticket_id: int,
    body: str,
    body_html: str | None = None,
    message_id_header: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> TicketChanged:
    """A customer wrote: never refused for staleness, and it reopens or resumes the ticket.
    On a merged ticket the message goes to the ticket it was merged into."""
    edit = _Edit(uow, _lock(uow, _follow_merges(uow, ticket_id), expected_version=None), "customer_message")
    ticket = edit.ticket
    rules = load_rules(uow)
    target = lifecycle.status_after_customer_message(rules, ticket.status, assigned=ticket.assignee_id is not None)
    _move_status(edit, target, rules)
    edit.touch()
    message_id = _add_message(
        uow,
        ticket.id,
        MessageKind.CUSTOMER_MESSAGE,
        body,
        body_html,
        author_customer_id=ticket.customer_id,
        message_id_header=message_id_header,
        in_reply_to=in_reply_to,
        references=references,
    )
    customer_name = uow.session.scalar(select(Customer.name).where(Customer.id == ticket.customer_id))
    edit.fields.append(("message", None, {"kind": "customer_message", "author": customer_name}))
    return _finish(uow, edit, message_id=message_id)


def reply(
    uow: UnitOfWork,
    *,
    ticket_id: int,
    body: str,
    expected_version: int | None,
    body_html: str | None = None,
    then_status: str | None = None,
) -> TicketChanged:
    """A public reply to the customer; the first one stamps `first_response_at`."""
    return _agent_message(uow, ticket_id, MessageKind.PUBLIC_REPLY, body, body_html, expected_version, then_status)


def add_note(
    uow: UnitOfWork, *, ticket_id: int, body: str, expected_version: int | None, then_status: str | None = None
) -> TicketChanged:
    """An internal note: seen by agents only, and no response as far as SLA clocks are concerned."""
    return _agent_message(uow, ticket_id, MessageKind.INTERNAL_NOTE, body, None, expected_version, then_status)


def _agent_message(
    uow: UnitOfWork,
    ticket_id: int,
    kind: MessageKind,
    body: str,
    body_html: str | None,
    expected_version: int | None,
    then_status: str | None,
) -> TicketChanged:
    body = clean_body(body)
    if not has_visible_text(body) and not (body_html and body_html.strip()):
        raise InvalidInput("The message is empty (or only invisible characters); nothing was sent")
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), kind.value)
    rules = load_rules(uow)
    if kind is MessageKind.PUBLIC_REPLY:
        lifecycle.check_reply(rules, edit.ticket.status, number=edit.ticket.number)
    if then_status is not None:
        lifecycle.check_status_change(rules, edit.ticket.status, then_status)
        _move_status(edit, then_status, rules)
    edit.touch()
    first_response = kind is MessageKind.PUBLIC_REPLY and edit.ticket.first_response_at is None
    message_id = _add_message(uow, edit.ticket.id, kind, body, body_html, author_agent_id=uow.actor.agent_id)
    if first_response:  # the database stamps it (a trigger on the reply): the client only reports it
        edit.fields.append(("first_response_at", None, "now"))
    edit.fields.append(("message", None, {"kind": kind.value, "author": uow.actor.display_name}))
    return _finish(uow, edit, message_id=message_id)


def change_status(uow: UnitOfWork, *, ticket_id: int, status: str, expected_version: int | None) -> TicketChanged:
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), "status")
    rules = load_rules(uow)
    lifecycle.check_status_change(rules, edit.ticket.status, status)
    _move_status(edit, status, rules)
    return _finish(uow, edit)


def reopen(uow: UnitOfWork, *, ticket_id: int, expected_version: int | None) -> TicketChanged:
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), "reopen")
    rules = load_rules(uow)
    target = lifecycle.reopen_status(rules, edit.ticket.status, assigned=edit.ticket.assignee_id is not None)
    _move_status(edit, target, rules)
    return _finish(uow, edit)


def update_fields(
    uow: UnitOfWork, *, ticket_id: int, changes: FieldChanges, expected_version: int | None
) -> TicketChanged:
    return edit_ticket(uow, ticket_id=ticket_id, changes=changes, status=None, expected_version=expected_version)


def edit_ticket(
    uow: UnitOfWork, *, ticket_id: int, changes: FieldChanges, status: str | None, expected_version: int | None
) -> TicketChanged:
    """The ticket header saved as one gesture: status and fields in one transaction, one version, one
    conflict check — a refused part (a queue the agent may not move to, a forbidden status) saves nothing."""
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), "update")
    if changes.queue_id is not None and changes.queue_id != edit.ticket.queue_id:
        _require(uow, Queue, changes.queue_id, "queue")
        edit.call_privileged("move_ticket", edit.ticket.id, changes.queue_id)  # first: it raises the version
    if status is not None and status != edit.ticket.status:
        rules = load_rules(uow)
        lifecycle.check_status_change(rules, edit.ticket.status, status)
        _move_status(edit, status, rules)
    if changes.subject is not None:
        edit.set("subject", _clean_subject(changes.subject))
    if changes.priority is not None:
        edit.set("priority", changes.priority)
    if changes.ticket_type is not None:
        edit.set("type", changes.ticket_type)
    if changes.tags is not None:
        edit.set("tags", _clean_tags(changes.tags))
    if changes.custom_fields is not None:
        edit.set("custom_fields", _bounded_fields(dict(changes.custom_fields)))
    if changes.language is not None:
        edit.set("language", changes.language or None)
    return _finish(uow, edit)


def assign(uow: UnitOfWork, *, ticket_id: int, assignee_id: int | None, expected_version: int | None) -> TicketChanged:
    """Assign to an active agent, or unassign with `assignee_id=None`.

    Taking an unassigned ticket for oneself at a known version ("assign to me") is one statement
    (`claim_ticket()` locks, checks, assigns and returns the row with its names), so the row stays locked
    for one more round trip, the commit. When that statement declines (a newer version, a merge, someone
    else's ticket), the ordinary path below says why, or reassigns as a supervisor may."""
    if assignee_id is not None and expected_version is not None and assignee_id == uow.actor.agent_id:
        claimed = _claimed(uow, "claim_ticket", {"ticket": ticket_id, "version": expected_version}, expected_version)
        if claimed is not None:
            return claimed
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), "assign")
    if assignee_id is not None:
        _require_active_agent(uow, assignee_id)
    if assignee_id != edit.ticket.assignee_id:
        edit.call_privileged("assign_ticket", edit.ticket.id, assignee_id)
    return _finish(uow, edit)


def claim_next(uow: UnitOfWork, *, queue_id: int) -> TicketChanged | None:
    """ "Get next": the unassigned open ticket of the queue due soonest, assigned to the signed-in agent, in
    one statement (`claim_next_ticket()`, FOR UPDATE SKIP LOCKED: concurrent claimers never wait for each
    other and never get the same ticket). None when nothing is claimable.

    A claim that is all its unit does is committed as the statement ends (`UnitOfWork.alone`: one round
    trip); within a unit that has begun other work it is part of that transaction."""
    return _claimed(uow, "claim_next_ticket", {"queue": queue_id}, None)


def _flushed(uow: UnitOfWork) -> Connection:
    uow.session.flush()
    return uow.session.connection()


# A claim, with the names the summary shows, is one definer function's row (`claim_next_summary()`,
# `claim_summary()`, migration 0047): joining the names here, through five tables' row-level security, was a
# fifth of a claim's time on the server.
_CLAIM_COLUMNS = ", ".join(SUMMARY_COLUMN_NAMES)  # named: a column added to the functions later changes nothing here
_CLAIM_SQL = {
    "claim_next_ticket": f"SELECT {_CLAIM_COLUMNS} FROM switchboard.claim_next_summary(%(queue)s)",
    "claim_ticket": f"SELECT {_CLAIM_COLUMNS} FROM switchboard.claim_summary(%(ticket)s, %(version)s)",
}


def _claimed(
    uow: UnitOfWork, function: str, params: dict[str, int], expected_version: int | None
) -> TicketChanged | None:
    """Run a claim function (it returns the claimed ticket's summary row, or none).
    The session's own copy of that ticket, if it holds one, is stale now: expired."""
    connection = uow.alone(Assigned) if function == "claim_next_ticket" else _flushed(uow)
    try:
        rows = driver_rows(connection, _CLAIM_SQL[function], params)
    except DBAPIError as error:
        raise (refusal(error) or error) from None
    if not rows:
        return None
    summary = summary_from_row(rows[0])
    if (held := uow.session.identity_map.get(uow.session.identity_key(Ticket, summary.id))) is not None:
        uow.session.expire(held)
    if expected_version is not None and summary.version == expected_version:
        return TicketChanged(summary, frozenset())  # it was the caller's already
    fields: list[tuple[str, Any, Any]] = [("assignee_id", None, summary.assignee_id)]
    uow.record(*_events_of(summary.id, fields, None))
    return TicketChanged(summary, frozenset({"assignee_id"}))


def escalate(uow: UnitOfWork, *, ticket_id: int, expected_version: int | None) -> TicketChanged:
    """Make the ticket urgent, tag it `escalated` and hand it to its queue's team lead."""
    edit = _Edit(uow, _lock(uow, ticket_id, expected_version), "escalate")
    edit.call_privileged("escalate_ticket", edit.ticket.id)
    return _finish(uow, edit)


def merge(uow: UnitOfWork, *, source_id: int, target_id: int, expected_version: int | None) -> TicketChanged:
    """Fold a duplicate into another ticket: its messages move, it closes and points at the target.

    The database does it (`merge_ticket()`, which locks both rows in id order so two opposite merges cannot
    deadlock): moving messages between tickets is nobody's right outside a merge.
    """
    if source_id == target_id:
        raise InvalidInput("A ticket cannot be merged into itself")
    first, second = sorted((source_id, target_id))
    locked = {ticket_id: _lock(uow, ticket_id, None, allow_merged=True) for ticket_id in (first, second)}
    _check_version(uow, locked[source_id], expected_version)
    for ticket in locked.values():
        if ticket.merged_into_id is not None:
            raise TransitionNotAllowed(f"Ticket #{ticket.number} was already merged into another ticket")
    uow.session.flush()
    uow.session.execute(select(func.set_config("switchboard.action", "merge", True)))
    try:
        uow.session.execute(
            text("SELECT switchboard.merge_ticket(:source, :target, :expected)"),
            {"source": source_id, "target": target_id, "expected": expected_version},
        )
    except DBAPIError as error:
        raise (refusal(error) or error) from None
    source = locked[source_id]
    before = {name: getattr(source, name) for name in _MERGE_FIELDS}
    for ticket in locked.values():
        uow.session.refresh(ticket)
    changed = frozenset(name for name in _MERGE_FIELDS if getattr(source, name) != before[name])
    uow.record(TicketMerged(source_id, target_id))
    if "status" in changed:
        uow.record(StatusChanged(source_id, str(before["status"]), source.status))
    return TicketChanged(get_summary(uow, ticket_id=source_id), changed, None, (target_id,))


_MERGE_FIELDS = ("status", "closed_at", "resolved_at", "merged_into_id")


def link(uow: UnitOfWork, *, ticket_id: int, related_id: int) -> TicketChanged:
    """Mark two tickets as related; linking twice is harmless."""
    if ticket_id == related_id:
        raise InvalidInput("A ticket cannot be linked to itself")
    low, high = sorted((ticket_id, related_id))
    locked = {ticket.id: ticket for ticket in (_lock(uow, low, None), _lock(uow, high, None))}
    exists = uow.session.get(TicketLink, (low, high))
    edit = _Edit(uow, locked[ticket_id], "link")
    if exists is None:
        edit.touch()
        uow.session.add(TicketLink(ticket_id=low, related_ticket_id=high))
        edit.fields.append(("linked", None, related_id))
    return _finish(uow, edit) if edit.fields else TicketChanged(get_summary(uow, ticket_id=ticket_id), frozenset())


def _lock(uow: UnitOfWork, ticket_id: int, expected_version: int | None, *, allow_merged: bool = False) -> Ticket:
    """Lock the row and read it afresh (`populate_existing`: the session may hold an older copy)."""
    ticket = uow.session.scalar(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update().execution_options(populate_existing=True)
    )
    if ticket is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    if ticket.merged_into_id is not None and not allow_merged:
        target = uow.session.scalar(select(Ticket.number).where(Ticket.id == ticket.merged_into_id))
        raise TransitionNotAllowed(f"Ticket #{ticket.number} was merged into #{target}; work on #{target}")
    return _check_version(uow, ticket, expected_version)


def _follow_merges(uow: UnitOfWork, ticket_id: int) -> int:
    """Where a merged ticket's conversation lives now: its target's, or the target's target's."""
    seen = {ticket_id}
    while (target := uow.session.scalar(select(Ticket.merged_into_id).where(Ticket.id == ticket_id))) is not None:
        if target in seen:
            break
        seen.add(target)
        ticket_id = target
    return ticket_id


def _check_version(uow: UnitOfWork, ticket: Ticket, expected_version: int | None) -> Ticket:
    if expected_version is None or ticket.version == expected_version:
        return ticket
    raise TicketConflict(
        number=ticket.number,
        expected_version=expected_version,
        current_version=ticket.version,
        changes=_changes_since(uow, ticket.id, expected_version),
    )


def _changes_since(uow: UnitOfWork, ticket_id: int, version: int) -> list[ChangeBy]:
    """What was saved after `version`, oldest first, in the history's words (names, not ids; the system,
    not the database login it used), in one statement."""
    return [
        ChangeBy(
            actor=entry.actor,
            occurred_at_iso=entry.occurred_at.isoformat(timespec="seconds"),
            field=_READABLE_FIELDS.get(entry.field or "", entry.field),
            old_value=entry.old_value if entry.old_name is None else entry.old_name,
            new_value=entry.new_value if entry.new_name is None else entry.new_name,
        )
        for entry in reversed(read_history(uow, ticket_id=ticket_id, after_version=version))
    ]


_READABLE_FIELDS = {"assignee_id": "assignee", "queue_id": "queue", "merged_into_id": "merged into"}


def _move_status(edit: _Edit, target: str, rules: LifecycleRules) -> None:
    """Set the status. The times that follow from where it lands (resolved, closed) are the database's
    (a trigger): a client cannot choose them."""
    if target == edit.ticket.status:
        return
    rules.category(target)  # an unknown status fails here, with the statuses it could have been
    edit.set("status", target)


def _finish(uow: UnitOfWork, edit: _Edit, *, message_id: int | None = None) -> TicketChanged:
    ticket = edit.ticket
    if edit.touched:
        uow.session.flush()
        uow.session.expire(ticket)  # the database derived some fields (times) as it saved
    uow.record(*_events_of(ticket.id, edit.fields, message_id))
    changed = frozenset(name for name, _old, _new in edit.fields)
    return TicketChanged(get_summary(uow, ticket_id=ticket.id), changed, message_id)


def _events_of(ticket_id: int, fields: list[tuple[str, Any, Any]], message_id: int | None) -> list[DomainEvent]:
    """The typed events of one mutation's changes; the rest as one FieldsChanged."""
    events: list[DomainEvent] = []
    others: set[str] = set()
    for name, old, new in fields:
        if name == "message" and message_id is not None and isinstance(new, dict):
            events.append(MessageAdded(ticket_id, message_id, str(new.get("kind"))))
        elif (typed := events_for_field(ticket_id, name, old, new)) is not None:
            events.append(typed)
        else:
            others.add(name)
    if others:
        events.append(FieldsChanged(ticket_id, frozenset(others)))
    return events


def _add_message(
    uow: UnitOfWork,
    ticket_id: int,
    kind: MessageKind,
    body: str,
    body_html: str | None,
    *,
    author_agent_id: int | None = None,
    author_customer_id: int | None = None,
    message_id_header: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> int:
    """The message's row, after the unit's pending changes of the ticket (the order a flush wrote them in).
    A message given only as HTML (a mail without a plain-text part) gets its text from the HTML: stored
    empty, its words were not searchable and `ticket show`, excerpts and suggestions had nothing."""
    uow.session.flush()
    safe_html = _sanitized(body_html)
    text = clean_body(body)
    if not text.strip() and safe_html:
        from app.services.platform.html_text import html_to_text

        text = clean_body(html_to_text(safe_html))
    values = {
        "ticket_id": ticket_id,
        "kind": kind,
        "author_agent_id": author_agent_id,
        "author_customer_id": author_customer_id,
        "body_text": text,
        "body_html": safe_html,
        "message_id_header": message_id_header,
        "in_reply_to": in_reply_to,
        "references": list(references),
        "created_at": uow.now(),
    }
    message_id: int = uow.session.connection().execute(_INSERT_MESSAGE, values).scalar_one()
    return message_id


# A new ticket's and a message's rows, as plain statements built once: nothing reads them back as objects
# (the change answers with the summary), and the ORM's flush of one new object cost 0.6 to 0.9 ms of client
# CPU, more than the server's insert (issue 12). The columns' types still convert the values.
_INSERT_TICKET = insert(Ticket).returning(Ticket.id)
_INSERT_MESSAGE = insert(Message).returning(Message.id)
_CUSTOMER_AND_QUEUE_SEEN = select(
    select(Customer.id).where(Customer.id == bindparam("customer_id")).exists(),
    select(Queue.id).where(Queue.id == bindparam("queue_id")).exists(),
)


def _require(uow: UnitOfWork, model: type[Customer] | type[Queue], row_id: int, what: str) -> None:
    if uow.session.get(model, row_id) is None:
        raise NotFound(f"No {what} with id {row_id}")


def _require_active_agent(uow: UnitOfWork, agent_id: int) -> None:
    agent = uow.session.get(Agent, agent_id)
    if agent is None or not agent.is_active:
        raise NotFound(f"No active agent with id {agent_id}")


def _clean_subject(subject: str) -> str:
    """A subject as one line; longer than the most a subject holds is refused, not cut without a word (a
    100,000-character subject was stored as its first 500). Intake that must take any mail cuts its own."""
    cleaned = clean_line(subject)
    if not has_visible_text(cleaned):
        raise InvalidInput("A ticket needs a subject" + (" that shows something" if cleaned else ""))
    if len(cleaned) > MAX_SUBJECT_LENGTH:
        raise InvalidInput(
            f"A subject holds at most {MAX_SUBJECT_LENGTH} characters; this one has {len(cleaned):,}. "
            "Nothing was saved."
        )
    return cleaned


def _clean_tags(tags: tuple[str, ...] | list[str]) -> list[str]:
    cleaned = sorted({clean_line(tag).lower() for tag in tags if clean_line(tag)})
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"A ticket has at most {MAX_TAGS} tags, not {len(cleaned)}")
    if too_long := [tag for tag in cleaned if len(tag) > MAX_TAG_LENGTH]:
        raise InvalidInput(f"A tag has at most {MAX_TAG_LENGTH} characters: {too_long[0][:40]!r}… is longer")
    return cleaned


def _bounded_fields(custom_fields: dict[str, Any]) -> dict[str, Any]:
    """The database refuses custom fields past 64 KiB as JSON text (they are copied into every audit row
    of a change); said here first, in words."""
    size = len(json.dumps(custom_fields, ensure_ascii=False).encode())
    if size > MAX_CUSTOM_FIELDS_BYTES:
        raise InvalidInput(f"A ticket's custom fields hold at most 64 KiB, not {size / 1024:,.0f} KiB")
    return custom_fields


def _sanitized(body_html: str | None) -> str | None:
    """Mail intake's HTML, cleaned before it is stored. nh3 and the bounds load with the first such
    message, not with every client's start (issue 12)."""
    if not body_html:
        return None
    from app.services.platform.sanitize import sanitize_html

    return sanitize_html(body_html)
