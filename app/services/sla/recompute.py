"""After a policy or calendar changed: mark every open ticket's ledger and put it on the watch list, in
batches, so the sweep computes its due times again (`sla_recompute` requests are filed by a trigger,
migration 0017). Runs at the start of every `sla_sweep`, as the worker's trusted session.

- A run walks the requests filed before it began; those filed before a walk starts are walked together,
  as one, with their reasons joined: the first few, then how many more (`joined_reason`), since the
  reason goes into two ledger entries of every open ticket the walk marks. Requests filed during a run
  wait for the next, so a loop of saves costs a walk a minute, not a walk a save.
- A batch locks its tickets `FOR NO KEY UPDATE SKIP LOCKED` in id order before it writes their watch
  rows (`SKIP LOCKED` too: `watch`), as the sweep does, so none of them deadlock or wait; it commits,
  with its cursor, before the next batch, so a recompute of 30,000 tickets holds no lock for long and a
  worker that dies resumes where the last one committed. A ticket someone holds (or whose watch row a
  message being written holds) is kept in `skipped_ids` and tried again once the walk is through, and the
  request is finished only when none is left: an agent's `FOR SHARE` on one ticket, or a message left
  open, made the batch wait out the worker's lock timeout, and the sweep it opens failed for every queue,
  minute after minute (probes 11 and 12).
- Only tickets that existed when the change was made (id up to `up_to_ticket_id`): later ones were
  created under the new terms.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import BigInteger, Select, cast, func, literal, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, insert

from app.models import SlaLedgerEntry, Ticket, TicketStatus
from app.models.sla import SlaRecompute
from app.services.platform.uow import UnitOfWork
from app.services.sla.clocks import Entry, Target
from app.services.sla.watch import watch_now
from app.vocabulary import StatusCategory

log = logging.getLogger(__name__)
NewUnitOfWork = Callable[[], UnitOfWork]
BATCH = 1000
MAX_BATCHES = 60  # 60,000 tickets a sweep; the rest in the next minute
REASONS_NAMED = 5  # of the requests walked together; the rest are counted


def recompute_pending(new_uow: NewUnitOfWork, *, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Walk the recompute requests filed before this run began; returns how many tickets were marked.
    Requests filed meanwhile wait for the next run, where they are walked together as one: a team lead's
    loop of saves during a sweep started a new walk of their queue for each change the sweep saw (30 walks
    of 500 tickets in one run, every warning and breach of every queue waiting behind them; probe 13)."""
    marked = 0
    with new_uow() as uow:
        horizon = uow.session.scalar(select(func.max(SlaRecompute.id)).where(SlaRecompute.finished_at.is_(None)))
    if horizon is None:
        return 0
    waiting: set[int] = set()  # requests left with only held tickets: tried again next run
    for _ in range(max_batches):
        with new_uow() as uow:
            request = _next_request(uow, horizon, waiting)
            if request is None:
                return marked
            count, walked = _mark_batch(uow, request, batch)
            uow.commit()
        marked += count
        if not walked:  # only tickets someone holds are left: this request waits, the others go on
            waiting.add(request.id)
    return marked


def mark_for_recompute(uow: UnitOfWork, ticket_ids: list[int], reason: str, now: dt.datetime) -> list[int]:
    """A recompute mark in the ledger of each of these open tickets (the caller holds them `FOR NO KEY
    UPDATE`, locked in id order), and each on the watch list now: the next sweep computes their due times
    again, under whichever policy now applies. Also after a customer's verified account changed
    (`connectors.verify`). Returns the tickets marked: one whose watch row another transaction holds (a
    message being written) is left out, for the caller to try again (`watch.watch_now`)."""
    if not ticket_ids:
        return []
    busy = watch_now(uow, ticket_ids, now)
    marked = [ticket_id for ticket_id in ticket_ids if ticket_id not in busy]
    note = f"recompute: {reason}"
    for target in (Target.FIRST_RESPONSE, Target.RESOLUTION):
        chosen = select(
            Ticket.id,
            literal(target.value),
            literal(Entry.RECOMPUTE.value),
            literal(now),
            Ticket.status,
            literal(note),
        ).where(Ticket.id.in_(marked))
        if target is Target.FIRST_RESPONSE:
            chosen = chosen.where(Ticket.first_response_at.is_(None))
        uow.session.execute(
            insert(SlaLedgerEntry).from_select(["ticket_id", "target", "entry", "at", "status", "note"], chosen)
        )
    return marked


def _next_request(uow: UnitOfWork, horizon: int, waiting: set[int]) -> SlaRecompute | None:
    """The oldest unfinished request up to `horizon` (the run's) but those `waiting` on held tickets,
    locked (another worker takes none meanwhile); untouched requests filed before the run join it. One
    agent holding one ticket of a walk stopped every later request of the run, every queue's, minute
    after minute (a probe of migration 0053)."""
    session = uow.session
    request = session.scalar(
        select(SlaRecompute)
        .where(
            SlaRecompute.finished_at.is_(None),
            SlaRecompute.id <= horizon,
            SlaRecompute.id.not_in(waiting) if waiting else true(),
        )
        .order_by(SlaRecompute.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if request is None or request.after_ticket_id > 0:
        return request
    joining = list(
        session.scalars(
            select(SlaRecompute)
            .where(
                SlaRecompute.finished_at.is_(None),
                SlaRecompute.id > request.id,
                SlaRecompute.id <= horizon,
                SlaRecompute.after_ticket_id == 0,
            )
            .order_by(SlaRecompute.id)
            .with_for_update(skip_locked=True)
        )
    )
    if joining:
        request.reason = joined_reason([request.reason, *(other.reason for other in joining)])
        request.queue_ids = _union([request.queue_ids, *(other.queue_ids for other in joining)])
        request.up_to_ticket_id = max([request.up_to_ticket_id, *(other.up_to_ticket_id for other in joining)])
        for other in joining:
            other.finished_at = uow.now()
            other.reason = f"{other.reason} (walked with request {request.id})"
        session.flush()
    return request


def joined_reason(reasons: list[str]) -> str:
    """The reasons of requests walked together, each once, the first `REASONS_NAMED` by name and the rest
    counted: "policy A changed; calendar B changed; and 2,998 more changes". Joined in full, a team lead's
    3,000 saves in a few seconds made one reason of 330 KB, copied into two ledger entries of each of 202
    open tickets (142 MB of an append-only table)."""
    distinct = list(dict.fromkeys(reasons))
    named = "; ".join(distinct[:REASONS_NAMED])
    more = len(distinct) - REASONS_NAMED
    return f"{named}; and {more:,} more changes" if more > 0 else named


def _union(scopes: list[list[int] | None]) -> list[int] | None:
    """The queues of requests walked together: all of them if any asked for every queue (None)."""
    if any(scope is None for scope in scopes):
        return None
    return sorted({queue for scope in scopes if scope is not None for queue in scope})


def _mark_batch(uow: UnitOfWork, request: SlaRecompute, batch: int) -> tuple[int, bool]:
    """The next batch of the walk, or once it is through the tickets skipped on the way: (how many were
    marked, whether the walk moved on)."""
    session = uow.session
    now = uow.now()
    open_tickets = (
        select(Ticket.id)
        .where(
            Ticket.status.in_(select(TicketStatus.key).where(TicketStatus.category != StatusCategory.DONE)),
            Ticket.merged_into_id.is_(None),
        )
        .order_by(Ticket.id)
    )
    if request.queue_ids is not None:  # a change limited to some queues moves only their tickets
        open_tickets = open_tickets.where(Ticket.queue_id.in_(request.queue_ids))
    wanted = list(
        session.scalars(
            open_tickets.where(Ticket.id > request.after_ticket_id, Ticket.id <= request.up_to_ticket_id).limit(batch)
        )
    )
    if not wanted:
        return _mark_skipped(uow, request, open_tickets)
    ids = mark_for_recompute(uow, _lock_free(uow, wanted), request.reason, now)
    marked = set(ids)
    skipped = [ticket_id for ticket_id in wanted if ticket_id not in marked]
    session.execute(
        update(SlaRecompute)
        .where(SlaRecompute.id == request.id)
        .values(
            after_ticket_id=wanted[-1],
            tickets=SlaRecompute.tickets + len(ids),
            skipped_ids=func.array_cat(SlaRecompute.skipped_ids, cast(skipped, ARRAY(BigInteger)))
            if skipped
            else SlaRecompute.skipped_ids,
        )
    )
    session.expire(request)
    return len(ids), True


def _mark_skipped(uow: UnitOfWork, request: SlaRecompute, open_tickets: Select[int]) -> tuple[int, bool]:
    """The walk is through: the tickets skipped on the way, those still open; finished when none is left."""
    session = uow.session
    now = uow.now()
    still_open = list(session.scalars(open_tickets.where(Ticket.id.in_(request.skipped_ids or []))))
    ids = mark_for_recompute(uow, _lock_free(uow, still_open), request.reason, now) if still_open else []
    marked = set(ids)
    left = [ticket_id for ticket_id in still_open if ticket_id not in marked]
    request.skipped_ids = left
    request.tickets += len(ids)
    if not left:
        request.finished_at = now
        log.info("SLA recompute %s finished: %s tickets (%s)", request.id, request.tickets, request.reason)
    session.flush()
    return len(ids), not left


def _lock_free(uow: UnitOfWork, ticket_ids: list[int]) -> list[int]:
    """Those of the tickets nobody else holds, now held `FOR NO KEY UPDATE`, in id order."""
    return list(
        uow.session.scalars(
            select(Ticket.id)
            .where(Ticket.id.in_(ticket_ids))
            .order_by(Ticket.id)
            .with_for_update(key_share=True, skip_locked=True)
        )
    )
