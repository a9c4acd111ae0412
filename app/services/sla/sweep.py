"""The SLA sweep (`sla_sweep`, every minute, as the worker's trusted session): for each ticket on the watch
list whose time has come — its ledger grew, or a warning, breach or ladder step falls due — compute its
clocks from the ledger, write the due columns that changed, and take the steps owed.

Exactly once, with any number of workers:
- a batch locks its tickets `FOR NO KEY UPDATE SKIP LOCKED` (a ticket being edited, or in another
  worker's batch, waits for the next sweep), then their watch rows, `SKIP LOCKED` too: a message being
  written holds its ticket's watch row with only a key-share lock on the ticket, and an agent who sat in
  that transaction made the sweep wait out its lock timeout and fail for every queue (probe 11). A ticket
  whose watch row someone holds waits for the next sweep as well.
- a step is a row of `sla_step` keyed (ticket, target, level), inserted `ON CONFLICT DO NOTHING`; only
  the worker whose insert landed acts and writes the mark in the ledger.

Actions: every step leaves a mark in the ledger (warn, escalate; a breach is marked once per clock);
`notify_lead` raises the priority one step, `move_to_queue` moves the ticket to the policy's escalation
queue, `back_to_routing` unassigns it and lets routing decide again (each audited as `sla_escalate`, the
version goes up). The desktop tells the assignee of warnings and steps on their tickets (the tray).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from app.models import Customer, Queue, SlaLedgerEntry, SlaStep, SlaWatch, Ticket, TicketStatus
from app.services.platform.uow import UnitOfWork
from app.services.routing import engine as routing
from app.services.sla.clocks import Clock, Entry, LedgerEvent, Target
from app.services.sla.due_on_change import store_due_times
from app.services.sla.ledger import (
    DUE_COLUMNS,
    SlaBook,
    TicketClocks,
    accounts_for,
    clocks_of,
    ledger_events,
    load_book,
)
from app.services.sla.policy import WARN_LEVEL, Action, Step, owed_steps
from app.services.sla.recompute import recompute_pending
from app.services.sla.watch import busy_watch_rows
from app.vocabulary import Priority, StatusCategory

log = logging.getLogger(__name__)
NewUnitOfWork = Callable[[], UnitOfWork]
BATCH = 200
MAX_BATCHES = 50  # 10,000 tickets a run; the rest waits for the next minute
SETTLE = dt.timedelta(seconds=1)  # look just after a warning instant, so float rounding cannot miss it
UNREADABLE_RETRY = dt.timedelta(hours=1)  # a ticket whose clocks cannot be computed: looked at again then
# What a ticket's stored terms can make the clock maths raise (a calendar or policy the engine cannot read
# is already left out by `load_book` and `readable_calendar`): that ticket waits, the batch goes on.
UNREADABLE = (ValueError, KeyError, TypeError, ArithmeticError, RecursionError)


@dataclass
class SweepResult:
    tickets: int = 0
    due_changed: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    breaches: int = 0
    priority_raised: int = 0
    recomputed: int = 0  # open tickets marked for a recompute after a policy or calendar changed
    moved: int = 0  # level 3: moved to the policy's escalation queue
    handed_back: int = 0  # level 3: handed back to routing
    left_out: int = 0  # tickets whose clocks could not be computed (logged), looked at again in an hour

    def as_json(self) -> dict[str, Any]:
        return {
            "recomputed": self.recomputed,
            "tickets": self.tickets,
            "due_changed": self.due_changed,
            "steps": dict(sorted(self.steps.items())),
            "breaches": self.breaches,
            "priority_raised": self.priority_raised,
            "moved": self.moved,
            "handed_back": self.handed_back,
            "left_out": self.left_out,
        }


def sla_sweep(new_uow: NewUnitOfWork, *, take_steps: bool = True) -> dict[str, Any]:
    """The job: first the recomputes a policy or calendar change asked for (marks and watch rows, in
    batches), then batches of watched tickets whose time has come, each batch its own short transaction.
    Without `take_steps` only the due columns are written (the demo fills its history so)."""
    result = SweepResult(recomputed=recompute_pending(new_uow))
    after: tuple[dt.datetime, int] | None = None
    book: SlaBook | None = None
    for _ in range(MAX_BATCHES):
        with new_uow() as uow:
            book = book or load_book(uow)
            now = uow.now()
            candidates = select(SlaWatch.check_at, SlaWatch.ticket_id).where(SlaWatch.check_at <= now)
            if after is not None:
                candidates = candidates.where(tuple_(SlaWatch.check_at, SlaWatch.ticket_id) > after)
            rows = uow.session.execute(candidates.order_by(SlaWatch.check_at, SlaWatch.ticket_id).limit(BATCH)).all()
            if not rows:
                break
            after = (rows[-1].check_at, rows[-1].ticket_id)
            sweep_batch(uow, book, [row.ticket_id for row in rows], now, result, take_steps=take_steps)
            uow.commit()
        if len(rows) < BATCH:
            break
    return result.as_json()


def sweep_batch(
    uow: UnitOfWork,
    book: SlaBook,
    ticket_ids: list[int],
    now: dt.datetime,
    result: SweepResult,
    *,
    take_steps: bool = True,
) -> None:
    """One batch in a handful of statements, whatever its size: the clocks are computed in Python, then
    the due times, the step claims, the ledger marks, the raised priorities and the watch rows are each
    written by one set-based statement (a statement per ticket made a sweep of 10,000 tickets take
    minutes on a loaded server). Level 3's moves and hand-backs, rare, go ticket by ticket."""
    session = uow.session
    locked = session.execute(
        select(Ticket, Customer.organisation_id, TicketStatus.category)
        .join(Customer, Customer.id == Ticket.customer_id, isouter=True)
        .join(TicketStatus, TicketStatus.key == Ticket.status)
        .where(Ticket.id.in_(ticket_ids))
        .order_by(Ticket.id)
        .with_for_update(of=Ticket, key_share=True, skip_locked=True)  # FOR NO KEY UPDATE
    ).all()
    if not locked:
        return
    ids = [ticket.id for ticket, _org, _category in locked]
    busy = busy_watch_rows(uow, ids)
    if busy:
        locked = [row for row in locked if row[0].id not in busy]
        ids = [ticket_id for ticket_id in ids if ticket_id not in busy]
        if not ids:
            return
    ledgers = ledger_events(uow, ids)
    accounts = accounts_for(uow, book, [ticket.customer_id for ticket, _org, _category in locked])
    done: dict[int, set[tuple[Target, int]]] = {ticket_id: set() for ticket_id in ids}
    for ticket_id, target, level in session.execute(
        select(SlaStep.ticket_id, SlaStep.target, SlaStep.level).where(SlaStep.ticket_id.in_(ids))
    ):
        done[ticket_id].add((Target(target), level))

    states: dict[int, TicketClocks] = {}
    due_rows: list[dict[str, Any]] = []
    plan: list[tuple[Ticket, Target, str, Step | None]] = []  # in ledger order: a breach, then its steps
    marked: dict[int, set[Target]] = {ticket_id: set() for ticket_id in ids}
    for ticket, organisation_id, category in locked:
        result.tickets += 1
        account = accounts.get(ticket.customer_id)
        try:
            state = clocks_of(book, ticket, organisation_id, ledgers[ticket.id], now, account)
        except UNREADABLE:
            log.exception(
                "SLA sweep: the clocks of ticket #%s cannot be computed; looked at again in an hour", ticket.number
            )
            result.left_out += 1
            continue
        states[ticket.id] = state
        wanted = state.due_columns()
        if any(getattr(ticket, column) != value for column, value in wanted.items()):
            due_rows.append({"id": ticket.id, **wanted})  # unchanged tickets are not written at all
            result.due_changed += 1
        policy = state.policy
        if not take_steps or policy is None or category is StatusCategory.DONE or ticket.merged_into_id:
            continue
        for target, c in state.clocks.items():
            if c.running and c.breached_at is not None and c.breached_at <= now and not _breach_marked(state.events, c):
                due = c.breached_at.astimezone(state.calendar.zone).strftime("%Y-%m-%d %H:%M")
                plan.append((ticket, target, f"was due {due}", None))
                marked[ticket.id].add(target)
                result.breaches += 1
            plan += [(ticket, target, "", step) for step in owed_steps(c, policy, now, done[ticket.id])]

    if due_rows:
        session.execute(update(Ticket).execution_options(synchronize_session=False), due_rows)
    claimed = _claim_steps(uow, [(ticket.id, step) for ticket, _t, _n, step in plan if step is not None], now)
    marks: list[dict[str, Any]] = []
    raise_ids: list[int] = []
    level_three: list[tuple[Ticket, Target, Step]] = []
    for ticket, target, note, step in plan:
        if step is None:
            marks.append(_mark_row(ticket, target, Entry.BREACH, now, note))
            continue
        if (ticket.id, step.target.value, step.level) not in claimed:
            continue  # another worker took it first
        done[ticket.id].add((step.target, step.level))
        name = "warn" if step.level == WARN_LEVEL else f"level {step.level}"
        result.steps[name] = result.steps.get(name, 0) + 1
        policy = states[ticket.id].policy
        if step.level == WARN_LEVEL:
            share = round((policy.warn_share if policy else 0.8) * 100)
            marks.append(_mark_row(ticket, target, Entry.WARN, now, f"{share} % of the target used"))
            continue
        action = step.action.value.replace("_", " ") if step.action else ""
        marks.append(_mark_row(ticket, target, Entry.ESCALATE, now, f"level {step.level}: {action}"))
        if step.action is Action.NOTIFY_LEAD and ticket.id not in raise_ids:
            raise_ids.append(ticket.id)
        elif step.action in (Action.MOVE_TO_QUEUE, Action.BACK_TO_ROUTING):
            level_three.append((ticket, target, step))
    if marks:
        session.execute(insert(SlaLedgerEntry), marks)
    recompute = set(_raise_priorities(uow, raise_ids))
    result.priority_raised += len(recompute)
    for ticket, target, step in level_three:
        if step.action is Action.MOVE_TO_QUEUE and step.queue_id is not None:
            if _move_to_queue(uow, ticket, step.queue_id):
                result.moved += 1
                recompute.add(ticket.id)
        elif step.action is Action.BACK_TO_ROUTING:
            result.handed_back += int(_back_to_routing(uow, ticket, target, step.level))
            recompute.add(ticket.id)
    if recompute:  # a raised priority or another queue changes the targets: due at once, not next minute
        result.due_changed += store_due_times(uow, recompute, book=book)
    checks = {
        ticket_id: _next_check(
            states[ticket_id], done[ticket_id], marked[ticket_id], now, recompute=ticket_id in recompute
        )
        if ticket_id in states
        else now + UNREADABLE_RETRY
        for ticket_id in ids
    }
    _write_watch(uow, checks)


def _mark_row(ticket: Ticket, target: Target, entry: Entry, at: dt.datetime, note: str) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "target": target.value,
        "entry": entry.value,
        "at": at,
        "status": ticket.status,
        "note": note,
        "assignee_id": ticket.assignee_id,  # who held it then ("breaches today" per agent)
    }


def _breach_marked(events: Sequence[LedgerEvent], c: Clock) -> bool:
    """Whether this run of the clock (since its last start or restart) was already marked breached."""
    started = c.started_at
    return any(
        e.target is c.target and e.entry is Entry.BREACH and started is not None and e.at >= started for e in events
    )


def _claim_steps(uow: UnitOfWork, steps: list[tuple[int, Step]], now: dt.datetime) -> set[tuple[int, str, int]]:
    """Insert the owed steps' rows at once, `ON CONFLICT DO NOTHING`: the ones returned are this worker's
    to take (each (ticket, target, level) exactly once, whatever the number of workers)."""
    if not steps:
        return set()
    rows = [
        {
            "ticket_id": ticket_id,
            "target": step.target.value,
            "level": step.level,
            "due_at": step.due_at,
            "done_at": now,
            "action": step.action.value if step.action is not None else "warn",
        }
        for ticket_id, step in steps
    ]
    inserted = uow.session.execute(
        insert(SlaStep)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(SlaStep.ticket_id, SlaStep.target, SlaStep.level)
    ).all()
    return {(ticket_id, target, level) for ticket_id, target, level in inserted}


def _raise_priorities(uow: UnitOfWork, ticket_ids: list[int]) -> list[int]:
    """`notify_lead`: one step up (not above urgent), audited as `sla_escalate`, the version up."""
    if not ticket_ids:
        return []
    uow.session.execute(select(func.set_config("switchboard.action", "sla_escalate", True)))
    raised = uow.session.scalars(
        update(Ticket)
        .where(Ticket.id.in_(ticket_ids), Ticket.priority < Priority.URGENT)
        .values(priority=Ticket.priority + 1, version=Ticket.version + 1)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).all()
    uow.session.execute(select(func.set_config("switchboard.action", "", True)))
    return list(raised)


def _write_watch(uow: UnitOfWork, checks: dict[int, dt.datetime | None]) -> None:
    upcoming = [{"ticket_id": ticket_id, "check_at": at} for ticket_id, at in checks.items() if at is not None]
    if upcoming:
        statement = insert(SlaWatch).values(upcoming)
        uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=["ticket_id"], set_={"check_at": statement.excluded.check_at}
            )
        )
    gone = [ticket_id for ticket_id, at in checks.items() if at is None]
    if gone:
        uow.session.execute(delete(SlaWatch).where(SlaWatch.ticket_id.in_(gone)))


def _move_to_queue(uow: UnitOfWork, ticket: Ticket, queue_id: int) -> bool:
    """Level 3, per policy: the ticket goes to the escalation queue (its assignee keeps it only if they
    work that queue, as `move_ticket` does); audited as `sla_escalate`, the version goes up."""
    if ticket.queue_id == queue_id or uow.session.get(Queue, queue_id) is None:
        return False
    uow.session.execute(select(func.set_config("switchboard.action", "sla_escalate", True)))
    uow.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(
            queue_id=queue_id,
            assignee_id=case((func.switchboard.works_queue(Ticket.assignee_id, queue_id), Ticket.assignee_id)),
            version=Ticket.version + 1,
        )
    )
    uow.session.execute(select(func.set_config("switchboard.action", "", True)))
    return True


def _back_to_routing(uow: UnitOfWork, ticket: Ticket, target: Target, level: int) -> bool:
    """Level 3, per policy: the ticket leaves its assignee and routing decides again, with the reason
    (routing's own engine and `route_ticket()`: it may find nobody, and then the ticket waits in
    `routing unassigned`). A routing failure leaves the ticket unassigned and is logged, never lost."""
    previous = ticket.assignee_id
    uow.session.execute(select(func.set_config("switchboard.action", "sla_escalate", True)))
    uow.session.execute(
        update(Ticket).where(Ticket.id == ticket.id).values(assignee_id=None, version=Ticket.version + 1)
    )
    uow.session.execute(select(func.set_config("switchboard.action", "", True)))
    uow.session.expire(ticket)  # routing reads the row as it is now
    reason = f"SLA level {level}: {target.label} breached"
    savepoint = uow.session.begin_nested()
    try:
        routing.route(uow, ticket.id, "sla", reason=reason, away_from=previous)
    except Exception:  # routing's failure must not undo the escalation: the ticket waits, unassigned
        savepoint.rollback()
        log.exception("routing ticket %s after SLA level %s failed", ticket.id, level)
        return True
    savepoint.commit()
    return True


def _next_check(
    state: TicketClocks,
    done: set[tuple[Target, int]],
    marked: set[Target],
    now: dt.datetime,
    *,
    recompute: bool,
) -> dt.datetime | None:
    """When to look again: at once after a change the sweep made itself (a raised priority changes the
    targets), else at the earliest warning, breach or ladder step still to come; never (None), when nothing
    can fall due until the ledger grows again (the trigger puts the ticket back on the list)."""
    upcoming = [now] if recompute else []
    policy = state.policy
    for target, c in state.clocks.items():
        if policy is None or not c.running or c.due_at is None:
            continue
        if (target, WARN_LEVEL) not in done:
            remaining = policy.warn_share * c.target_minutes - c.elapsed_minutes
            warn_at = state.calendar.due_or_none(now, remaining) if remaining > 0 else None
            if warn_at is not None:
                upcoming.append(warn_at + SETTLE)
        if target not in marked and (c.breached_at is None or not _breach_marked(state.events, c)):
            upcoming.append(c.breached_at or c.due_at)
        breach = c.breached_at or c.due_at
        upcoming += [
            breach + dt.timedelta(minutes=step.after_breach_minutes)
            for step in policy.ladder
            if (target, step.level) not in done
        ]
    return min(upcoming) if upcoming else None


__all__ = ["DUE_COLUMNS", "SweepResult", "sla_sweep"]
