"""`switchboard sla dry-run --policies FILE` and `sla calendar set … --dry-run`: what a new set of policies,
or a changed calendar, would do to the open tickets — how many due times would move (earlier, later) and
which tickets would be breached at once — computed by the same pure functions as the sweep, through the
caller's row-level security, writing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from app.models import Customer, Queue, SlaPolicy, Ticket, TicketStatus
from app.services.errors import InvalidInput
from app.services.platform.uow import UnitOfWork
from app.services.sla.admin import POLICY_FIELDS, apply_spec
from app.services.sla.admin_dto import DryRun, MovedTicket
from app.services.sla.ledger import (
    CalendarSource,
    SlaBook,
    TicketClocks,
    accounts_for,
    clocks_of,
    ledger_events,
    load_book,
    policy_from_row,
)
from app.services.sla.policy import PolicyBook
from app.vocabulary import StatusCategory

BATCH = 1000
SHOWN = 200  # newly breached tickets listed at most (all are counted)


def proposed_book(uow: UnitOfWork, current: SlaBook, specs: Sequence[Mapping[str, Any]]) -> SlaBook:
    """The policies of the file in place of the active ones (validated as `sla policy add` validates)."""
    if not isinstance(specs, list) or not specs:
        raise InvalidInput(f"The policies file holds a list of policies, each with {', '.join(POLICY_FIELDS)}.")
    policies = []
    for index, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict):
            raise InvalidInput(f"Policy {index} of the file is not an object.")
        missing = [field for field in ("position", "targets") if field not in spec]
        if missing:
            raise InvalidInput(f"Policy {index} of the file has no {' or '.join(missing)}.")
        row = SlaPolicy(id=-index, name=f"policy {index}", conditions={}, ladder=[], business_hours=True)
        row.warn_share, row.version, row.is_active = 0.8, 1, True
        apply_spec(uow, row, spec)  # a transient row: never added to the session, never written
        policies.append(policy_from_row(row))
    return SlaBook(PolicyBook(tuple(policies), current.book.status_clocks), current.calendar_rows, {})


def dry_run(uow: UnitOfWork, specs: Sequence[Mapping[str, Any]]) -> DryRun:
    """What these policies in place of the active ones would do to the open tickets one sees."""
    current = load_book(uow)
    return compare_books(uow, current, proposed_book(uow, current, specs))


def calendar_dry_run(uow: UnitOfWork, calendar_id: int, proposed: CalendarSource) -> DryRun:
    """What a calendar changed so (weekly hours, time zone, public holidays, the team's own dates) would do
    to the open tickets one sees, before it is saved: every policy counting on it, every ticket of theirs.
    A new calendar (no id yet) moves nothing, since no policy names it."""
    current = load_book(uow)
    calendars = {**current.calendar_rows, calendar_id: proposed}
    return compare_books(uow, current, SlaBook(current.book, calendars, {}))


def compare_books(uow: UnitOfWork, current: SlaBook, proposed: SlaBook) -> DryRun:
    """Each open ticket's due times under both books (the same pure functions as the sweep), counted."""
    now = uow.now()
    open_tickets = moved = earlier = later = breached = lost = gained = 0
    shown: list[MovedTicket] = []
    after = 0
    while True:
        rows = uow.session.execute(
            select(Ticket, Customer.organisation_id, Queue.name)
            .join(Customer, Customer.id == Ticket.customer_id, isouter=True)
            .join(Queue, Queue.id == Ticket.queue_id)
            .join(TicketStatus, TicketStatus.key == Ticket.status)
            .where(
                Ticket.id > after,
                TicketStatus.category != StatusCategory.DONE,
                Ticket.merged_into_id.is_(None),
            )
            .order_by(Ticket.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        after = rows[-1][0].id
        ledgers = ledger_events(uow, [ticket.id for ticket, _org, _queue in rows])
        customers = [ticket.customer_id for ticket, _org, _queue in rows]
        accounts = accounts_for(uow, proposed if proposed.book.uses_account else current, customers)
        for ticket, organisation_id, queue in rows:
            open_tickets += 1
            events = ledgers[ticket.id]
            account = accounts.get(ticket.customer_id)
            before = clocks_of(current, ticket, organisation_id, events, now, account)
            after_change = clocks_of(proposed, ticket, organisation_id, events, now, account)
            if before.due_columns() == after_change.due_columns():
                continue
            moved += 1
            old, new = _earliest(before), _earliest(after_change)
            if old is not None and new is not None:
                earlier += int(new < old)
                later += int(new > old)
            lost += int(old is not None and new is None)
            gained += int(old is None and new is not None)
            if new is not None and new <= now and (old is None or old > now):
                breached += 1
                if len(shown) < SHOWN:
                    shown.append(MovedTicket(ticket.number, ticket.subject, queue, old, new))
        uow.session.expunge_all()  # read-only: keep the session small over 30,000 tickets
    return DryRun(now, open_tickets, moved, earlier, later, breached, tuple(shown), lost, gained)


def _earliest(state: TicketClocks) -> dt.datetime | None:
    dues = [due for due in state.due_columns().values() if due is not None]
    return min(dues) if dues else None
