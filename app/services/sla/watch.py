"""The sweep's watch list as the worker's jobs write it, never waiting on a row someone else holds.

Every writer of a watch row is meant to hold its ticket first, so that the sweep, holding the tickets of a
batch, has their watch rows to itself. A message written in an open transaction breaks that: its trigger
moves the watch row while holding only a key-share lock on the ticket. An agent sitting in such a
transaction made the sweep, a policy change's recompute and the account verification wait out the worker's
lock timeout and fail, for every queue (probes 11 and 12). So the jobs take watch rows `SKIP LOCKED`, and
write new ones with a short lock timeout: a ticket whose watch row is busy waits for the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError

from app.models import SlaWatch, Ticket
from app.services.platform.uow import UnitOfWork

SHORT_WAIT = "200ms"  # for a watch row being inserted by another transaction (no row to skip yet)


def busy_watch_rows(uow: UnitOfWork, ticket_ids: list[int]) -> set[int]:
    """Hold the watch rows of these tickets (`FOR UPDATE SKIP LOCKED`); returns the tickets whose watch row
    another transaction holds."""
    watched = select(SlaWatch.ticket_id).where(SlaWatch.ticket_id.in_(ticket_ids))
    held = set(uow.session.scalars(watched.with_for_update(skip_locked=True)))
    if len(held) == len(ticket_ids):
        return set()
    return set(uow.session.scalars(watched)) - held


def watch_now(uow: UnitOfWork, ticket_ids: list[int], now: dt.datetime) -> set[int]:
    """Put these tickets on the watch list at `now` (an earlier time stays); returns the tickets left out
    because another transaction holds or is inserting their watch row."""
    busy = busy_watch_rows(uow, ticket_ids)
    ready = [ticket_id for ticket_id in ticket_ids if ticket_id not in busy]
    if ready and not _upserted(uow, ready, now):
        for ticket_id in ready:  # rare: find the one being inserted elsewhere, keep the rest
            if not _upserted(uow, [ticket_id], now):
                busy.add(ticket_id)
    return busy


def _upserted(uow: UnitOfWork, ticket_ids: list[int], now: dt.datetime) -> bool:
    """The watch rows written in a savepoint that waits at most SHORT_WAIT for a lock; false if it gave up."""
    session = uow.session
    before = session.scalar(text("SELECT current_setting('lock_timeout')"))
    watch = insert(SlaWatch).from_select(
        ["ticket_id", "check_at"], select(Ticket.id, literal(now)).where(Ticket.id.in_(ticket_ids))
    )
    try:
        with session.begin_nested():
            session.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": SHORT_WAIT})
            session.execute(
                watch.on_conflict_do_update(
                    index_elements=["ticket_id"],
                    set_={"check_at": func.least(SlaWatch.check_at, watch.excluded.check_at)},
                )
            )
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return False
    finally:
        session.execute(text("SELECT set_config('lock_timeout', :before, true)"), {"before": before})
    return True
