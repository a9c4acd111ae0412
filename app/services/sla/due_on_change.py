"""Due times stored with the change that grew the ledger: a new ticket, a clock that resumes (back from
"waiting"), a reopen, a customer's message, a change of what chooses the policy. The ledger trigger writes
the events in the change's own transaction; here, before that transaction commits (a handler of the unit of
work's domain events, registered in `app/bootstrap.py`), the same pure functions the sweep uses
(`ledger.clocks_of`, `clocks.clock`) compute the due times from that ledger and `store_sla_due()` stores the
ones that changed. So the queue sorts the ticket by its new due time at once, whoever made the change
through the app (client, CLI, worker, intake), and the sweep, which still looks at every ticket whose
ledger grew, finds nothing left to write (or corrects what a login stored by hand: the function lets staff
store only on tickets the sweep is about to check).

Clocks that stop (waiting, resolved, the first reply) are cleared by the database itself
(`sla_due_on_write()`); this covers the ones that start or resume, which need the calendar maths.

The ledger's times are the database's (`now()` of the change's transaction), while the unit's clock may be
injected: the clocks are read as of the later of the two, so every event of the change counts whatever the
injected time (the due time of a running clock does not depend on when it is read).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text

from app.models import Customer, Ticket
from app.services.platform.events import DomainEvent, FieldsChanged, MessageAdded
from app.services.platform.uow import UnitOfWork
from app.services.sla.clocks import Target, is_running
from app.services.sla.ledger import DUE_COLUMNS, SlaBook, accounts_for, clocks_of, kept_book, ledger_events

_STORE = text(
    "SELECT switchboard.store_sla_due(:id, :first_response_due_at, :next_response_due_at, :resolution_due_at)"
)

# The fields besides queue and priority that choose a ticket's policy (a change is a recompute mark).
POLICY_FIELDS = frozenset({"type", "channel", "tags"})
# The messages that move the next-response clock (`sla_ledger_message()`): others leave the ledger as it is.
LEDGER_MESSAGES = frozenset({"customer_message", "public_reply"})


def store_due_times(uow: UnitOfWork, ticket_ids: Iterable[int], *, book: SlaBook | None = None) -> int:
    """Compute these tickets' due times from their ledgers and store those that differ from the columns;
    returns how many tickets were written. Tickets the caller cannot see are skipped (row-level security)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    session = uow.session
    session.flush()
    rows = session.execute(
        select(Ticket, Customer.organisation_id)
        .join(Customer, Customer.id == Ticket.customer_id, isouter=True)
        .where(Ticket.id.in_(ids), Ticket.merged_into_id.is_(None))
        .order_by(Ticket.id)
        .execution_options(populate_existing=True)  # the triggers may have changed the due columns
    ).all()
    if not rows:
        return 0
    ledgers = ledger_events(uow, [ticket.id for ticket, _org in rows])
    now = uow.now()
    written = 0
    accounts: dict[int, dict[str, str]] | None = None
    for ticket, organisation_id in rows:
        events = ledgers[ticket.id]
        as_of = max([now, *(event.at for event in events)])
        if all(getattr(ticket, column) is None for column in DUE_COLUMNS.values()) and not any(
            is_running(events, target, as_of) for target in Target
        ):
            continue  # nothing runs, nothing is stored (a pause, a resolve): no policy or calendar to load
        book = book or kept_book(uow)
        if accounts is None:  # read only when a policy looks at accounts (as the sweep reads them)
            accounts = accounts_for(uow, book, [t.customer_id for t, _org in rows])
        account = accounts.get(ticket.customer_id) if ticket.customer_id is not None else None
        wanted = clocks_of(book, ticket, organisation_id, events, as_of, account).due_columns()
        if all(getattr(ticket, column) == wanted[column] for column in DUE_COLUMNS.values()):
            continue
        if session.scalar(_STORE, {"id": ticket.id, **wanted}):
            written += 1
            # The row changed behind the session (never set these here: a flush would write them as the
            # caller, whom the grants refuse): read again when next asked.
            session.expire(ticket, [*DUE_COLUMNS.values(), "sla_due_at"])
    return written


def due_times_on_change(uow: UnitOfWork, event: DomainEvent) -> None:
    """The domain-event handler: store the due times of a ticket whose change can have grown its ledger."""
    due_times_on_changes(uow, [event])


def due_times_on_changes(uow: UnitOfWork, events: Iterable[DomainEvent]) -> None:
    """The same for a round of events, once per ticket (a new ticket records its creation and its first
    message: one computation, after both)."""
    store_due_times(uow, [event.ticket_id for event in events if _grows_ledger(event)])


def _grows_ledger(event: DomainEvent) -> bool:
    if isinstance(event, MessageAdded) and event.kind not in LEDGER_MESSAGES:
        return False
    return not (isinstance(event, FieldsChanged) and not event.fields & POLICY_FIELDS)
