"""SLA clocks from their ledger: pure functions that say when each target is due, and why.

A ticket's ledger is a list of events per target (first response, next response, resolution): started,
paused by a status, resumed, fulfilled, restarted on reopen, and the marks the sweep leaves (warned,
breached, escalated) and recomputations after a policy change. The due time is never stored as a fact of
its own: it is what these functions compute from the ledger, the target and the calendar, and the
columns on the ticket are a copy for indexing. So "why is this due at 10:40?" is the ledger read aloud.

Only running time counts: a paused clock has no due time, and when it resumes its due time is later by
exactly the business time it was paused.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.services.sla.calendar import ALWAYS, BusinessCalendar


class Target(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Entry(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    FULFIL = "fulfil"
    RESTART = "restart"  # a reopen or a new customer message starts the clock afresh
    STOP = "stop"  # the clock no longer applies (resolved, merged): neither met nor breached
    WARN = "warn"
    BREACH = "breach"
    ESCALATE = "escalate"
    RECOMPUTE = "recompute"


MARKS = {Entry.WARN, Entry.BREACH, Entry.ESCALATE, Entry.RECOMPUTE}  # recorded, no effect on the maths


@dataclass(frozen=True)
class LedgerEvent:
    at: dt.datetime
    target: Target
    entry: Entry
    status: str | None = None  # the status that paused or resumed the clock
    note: str = ""


@dataclass(frozen=True)
class Clock:
    """One target's clock as of `as_of`."""

    target: Target
    target_minutes: float
    started_at: dt.datetime | None
    running: bool
    elapsed_minutes: float  # business time counted so far
    due_at: dt.datetime | None  # None while paused, stopped, fulfilled or never started
    fulfilled_at: dt.datetime | None
    breached_at: dt.datetime | None  # when the counted time reached the target, if it did
    paused_by: str | None

    @property
    def remaining_minutes(self) -> float:
        return self.target_minutes - self.elapsed_minutes

    @property
    def met(self) -> bool | None:
        """True when fulfilled in time, False when breached, None while still open."""
        if self.fulfilled_at is not None:
            return self.breached_at is None or self.fulfilled_at <= self.breached_at
        return False if self.breached_at is not None else None


@dataclass
class _Run:
    started_at: dt.datetime | None = None
    running_since: dt.datetime | None = None
    elapsed: float = 0.0
    fulfilled_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None
    paused_by: str | None = None


def clock(
    events: Iterable[LedgerEvent],
    target: Target,
    target_minutes: float,
    calendar: BusinessCalendar,
    as_of: dt.datetime,
) -> Clock:
    """Replay this target's ledger (in time order; events after `as_of` are ignored)."""
    run = _Run()
    for event in _of(events, target, as_of):
        run = _apply(run, event, target_minutes, calendar)
    elapsed, due = run.elapsed, None
    if run.running_since is not None:
        remaining = target_minutes - run.elapsed
        if remaining > 0:
            due = calendar.due_or_none(run.running_since, remaining)
            if due is not None and due <= as_of and run.breached_at is None:
                run.breached_at = due
        else:
            due = run.breached_at
        elapsed += calendar.business_minutes(run.running_since, as_of)
    return Clock(
        target,
        target_minutes,
        run.started_at,
        run.running_since is not None,
        round(elapsed, 6),
        due,
        run.fulfilled_at,
        run.breached_at,
        run.paused_by,
    )


def is_running(events: Iterable[LedgerEvent], target: Target, as_of: dt.datetime) -> bool:
    """Whether this target's clock runs after its ledger up to `as_of`: the same replay as `clock`, which
    needs neither the calendar nor the target to say so (nothing is counted towards a target)."""
    run = _Run()
    for event in _of(events, target, as_of):
        run = _apply(run, event, math.inf, ALWAYS)
    return run.running_since is not None


def _of(events: Iterable[LedgerEvent], target: Target, as_of: dt.datetime) -> list[LedgerEvent]:
    return sorted((e for e in events if e.target is target and e.at <= as_of), key=lambda e: e.at)


def _apply(run: _Run, event: LedgerEvent, target_minutes: float, calendar: BusinessCalendar) -> _Run:
    """The clock after one event (a restart is a fresh clock: nothing of the last one counts)."""
    entry = event.entry
    if entry is Entry.RESTART or (entry is Entry.START and run.started_at is None):
        return _Run(started_at=event.at, running_since=event.at)
    if entry is Entry.PAUSE and run.running_since is not None:
        _close_segment(run, event.at, target_minutes, calendar)
        run.paused_by = event.status
    elif entry is Entry.RESUME and run.started_at is not None and run.running_since is None:
        if run.fulfilled_at is None:
            run.running_since, run.paused_by = event.at, None
    elif entry in (Entry.FULFIL, Entry.STOP) and run.started_at is not None:
        if run.running_since is not None:
            _close_segment(run, event.at, target_minutes, calendar)
        if entry is Entry.FULFIL and run.fulfilled_at is None:
            run.fulfilled_at = event.at
        run.paused_by = None
    return run


def _close_segment(run: _Run, until: dt.datetime, target_minutes: float, calendar: BusinessCalendar) -> None:
    assert run.running_since is not None
    counted = calendar.business_minutes(run.running_since, until)
    if run.breached_at is None and run.elapsed + counted >= target_minutes:
        run.breached_at = calendar.add_business_minutes(run.running_since, target_minutes - run.elapsed)
    run.elapsed += counted
    run.running_since = None


def explain(
    events: Sequence[LedgerEvent], target: Target, target_minutes: float, calendar: BusinessCalendar, as_of: dt.datetime
) -> list[str]:
    """The ledger in words, ending with the due time: the answer to "why is this due then?"."""
    zone = calendar.zone
    lines = []
    for event in _of(events, target, as_of):
        when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when} {_sentence(event, target_minutes)}")
    state = clock(events, target, target_minutes, calendar, as_of)
    lines.append(_summary(state, calendar))
    return lines


def _sentence(event: LedgerEvent, target_minutes: float) -> str:
    why = f" ({event.note})" if event.note else ""
    return {
        Entry.START: f"started: {_duration(target_minutes)} of business time to meet",
        Entry.RESTART: f"restarted: {_duration(target_minutes)} from now",
        Entry.PAUSE: f"paused while {event.status or 'waiting'}",
        Entry.RESUME: f"resumed ({event.status or 'back to work'})",
        Entry.FULFIL: "met",
        Entry.STOP: "stopped",
        Entry.WARN: "warned",
        Entry.BREACH: "breached",
        Entry.ESCALATE: "escalated",
        Entry.RECOMPUTE: "recomputed",
    }[event.entry] + why


def _summary(state: Clock, calendar: BusinessCalendar) -> str:
    counted = f"{_duration(state.elapsed_minutes)} of {_duration(state.target_minutes)} counted"
    if state.started_at is None:
        return "not started"
    if state.fulfilled_at is not None:
        return f"met after {counted}" if state.met else f"met late, after {counted}"
    if state.due_at is None:
        return f"paused while {state.paused_by or 'waiting'}: {counted}, no due time until it resumes"
    due = state.due_at.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M %Z")
    return f"due {due}: {counted}"


def _duration(minutes: float) -> str:
    whole = max(0, round(minutes))
    hours, rest = divmod(whole, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
