"""A ticket's SLA as stored: its ledger, the policy that applies (chosen over its terms) and that policy's
calendar, turned into clocks by the pure functions of `clocks` and `policy`.

Everything is read through the caller's row-level security: an agent explains only tickets they can see
(another queue's ticket is "not found", as everywhere else), the worker's trusted session sees all.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from app.models import BusinessCalendar as CalendarRow
from app.models import Customer, SlaLedgerEntry, SlaPolicy, Ticket, TicketStatus
from app.services.connectors.attributes import accounts_of
from app.services.connectors.conditions import ACCOUNT_PREFIX
from app.services.errors import NotFound
from app.services.platform import config_cache
from app.services.platform.uow import UnitOfWork
from app.services.sla.calendar import ALWAYS, BusinessCalendar, public_holidays
from app.services.sla.clocks import Clock, Entry, LedgerEvent, Target, clock, explain
from app.services.sla.dto import SlaExplanation, TargetExplanation
from app.services.sla.policy import (
    DEFAULT_WARN_SHARE,
    MAX_TARGET_MINUTES,
    Action,
    Conditions,
    LadderStep,
    NoPolicy,
    Policy,
    PolicyBook,
    TicketTerms,
    choose_policy,
    folded,
)
from app.vocabulary import Priority

log = logging.getLogger(__name__)
MAX_LADDER_STEPS = 20
MAX_LADDER_LEVEL = MAX_LADDER_STEPS  # the desktop's editor numbers its steps 1, 2, 3 …

DUE_COLUMNS: Mapping[Target, str] = {
    Target.FIRST_RESPONSE: "first_response_due_at",
    Target.NEXT_RESPONSE: "next_response_due_at",
    Target.RESOLUTION: "resolution_due_at",
}


# --- policies and calendars from their rows -------------------------------------------------------------


def policy_from_row(row: SlaPolicy) -> Policy:
    """The pure policy of a row; a malformed row raises ValueError naming the policy."""
    try:
        c = row.conditions or {}
        conditions = Conditions(
            queue_ids=frozenset(int(q) for q in c.get("queue_ids", ())),
            priorities=frozenset(Priority.parse(str(p)) for p in c.get("priorities", ())),
            types=frozenset(folded(str(t)) for t in c.get("types", ())),
            channels=frozenset(folded(str(ch)) for ch in c.get("channels", ())),
            any_tags=frozenset(folded(str(t)) for t in c.get("any_tags", ())),
            organisation_ids=frozenset(int(o) for o in c.get("organisation_ids", ())),
            tiers=frozenset(folded(str(t)) for t in c.get("tiers", ())),
            account=account_conditions(c),
        )
        targets = {
            Priority.parse(priority): {
                _named(Target, target, "target"): _bounded(minutes, 1, MAX_TARGET_MINUTES, "a target's minutes")
                for target, minutes in per_target.items()
            }
            for priority, per_target in (row.targets or {}).items()
        }
        ladder = tuple(_step(step) for step in row.ladder or ())
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"the SLA policy {row.name!r} is malformed: {error}") from None
    return Policy(
        id=row.id,
        name=row.name,
        position=row.position,
        conditions=conditions,
        targets=targets,
        business_hours=row.business_hours,
        calendar_id=row.calendar_id,
        warn_share=row.warn_share or DEFAULT_WARN_SHARE,
        ladder=ladder,
        version=row.version,
    )


_Named = TypeVar("_Named", bound=enum.StrEnum)


def _named(kind: type[_Named], value: object, what: str) -> _Named:
    """A name of ours, or a refusal listing them ("'notify lead' is not a valid Action" named no valid one)."""
    names = [member.value for member in kind]
    if value not in names:
        raise ValueError(f"{value!r} is no {what} (one of {', '.join(names)})")
    return kind(str(value))


def _step(step: Mapping[str, Any]) -> LadderStep:
    action = _named(Action, step["action"], "step action")
    queue_id = step.get("queue_id")
    if action is Action.MOVE_TO_QUEUE and (not isinstance(queue_id, int) or isinstance(queue_id, bool)):
        raise ValueError("a step that moves tickets names the queue (queue_id)")
    return LadderStep(
        level=_bounded(step["level"], 1, MAX_LADDER_LEVEL, "a step's level"),
        after_breach_minutes=_bounded(step.get("after_breach_minutes", 0), 0, MAX_TARGET_MINUTES, "the minutes after"),
        action=action,
        queue_id=queue_id if action is Action.MOVE_TO_QUEUE else None,
    )


def _bounded(value: object, low: int, high: int, what: str) -> int:
    """A whole number within [low, high]: from JSON a number (60 or 60.0; true is no number of minutes), or,
    as policies saved before the database checked them may hold, a text of digits ("60")."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise ValueError(f"{what} is a whole number from {low} to {high:,}, not {value!r}")
    return number


BLANKS = " \t\n\r\f\v"  # what save_sla_policy() v3 calls blank, whatever the database's locale says


def account_conditions(conditions: Mapping[str, Any]) -> tuple[tuple[str, frozenset[str]], ...]:
    """The `account.NAME` conditions: a value or a list of values each (ValueError for anything else)."""
    found = []
    for key, wanted in sorted(conditions.items()):
        if not key.startswith(ACCOUNT_PREFIX):
            continue
        name = key.removeprefix(ACCOUNT_PREFIX)
        values = wanted if isinstance(wanted, list) else [wanted]
        if not name or not values or not all(isinstance(v, str | int) and str(v).strip(BLANKS) for v in values):
            raise ValueError(f"{key!r} names an account attribute and a value or a list of values")
        found.append((name, frozenset(str(v).strip(BLANKS).casefold() for v in values)))
    return tuple(found)


class CalendarSource(Protocol):
    """What a calendar is built from: its row, or a snapshot of the row kept between transactions."""

    @property
    def name(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def weekly_hours(self) -> Mapping[str, Any]: ...
    @property
    def country(self) -> str | None: ...
    @property
    def subdivision(self) -> str | None: ...
    @property
    def closed_dates(self) -> Sequence[dt.date]: ...


@dataclass(frozen=True)
class CalendarSnapshot:
    """A calendar row's columns as plain values: a book kept by the process (`config_cache`) outlives the
    session that read the row."""

    name: str
    time_zone: str
    weekly_hours: Mapping[str, Any]
    country: str | None
    subdivision: str | None
    closed_dates: tuple[dt.date, ...]

    @classmethod
    def of(cls, row: CalendarRow) -> CalendarSnapshot:
        return cls(
            row.name,
            row.time_zone,
            dict(row.weekly_hours or {}),
            row.country,
            row.subdivision,
            tuple(row.closed_dates or ()),
        )


def open_hours(weekly: Mapping[str, Any]) -> dict[int, tuple[tuple[int, int], ...]]:
    """A stored calendar's weekly hours (`{"0": [[540, 1020]]}`) as weekday → intervals, minutes of the day."""
    return {int(day): tuple((int(a), int(b)) for a, b in intervals) for day, intervals in weekly.items()}


def calendar_from_row(row: CalendarSource, years: Iterable[int]) -> BusinessCalendar:
    """The pure calendar of a row: its weekly hours, and closed on its own dates and on the public holidays
    of its country and region in `years` (from the `holidays` package, offline)."""
    hours = open_hours(row.weekly_hours or {})
    closed = set(row.closed_dates or ())
    if row.country:
        closed |= public_holidays(row.country, row.subdivision or None, years)
    return BusinessCalendar(row.time_zone, hours, frozenset(closed), name=row.name)


def readable_calendar(row: CalendarSource, years: Iterable[int]) -> BusinessCalendar:
    """`calendar_from_row` for the engine, which must go on: a calendar no client saves (a time zone or a
    country this machine does not know, hours that overlap — an admin's INSERT in psql, or a newer tz
    database on the server than here) stopped every ticket creation and every sweep of the queues its
    policy covers. Without its public holidays when only they fail, else counted in calendar time; logged.
    The admin views and the CLI refuse such a calendar in words (`admin._check_calendar`), the database
    its time zone and hours (migration 0049)."""
    years = list(years)
    try:
        return calendar_from_row(row, years)
    except (ValueError, KeyError, TypeError) as error:  # ZoneInfoNotFoundError is a KeyError
        log.error("business calendar %r cannot be read as saved: %s", row.name, error)
    try:
        plain = CalendarSnapshot(
            row.name, row.time_zone, dict(row.weekly_hours or {}), None, None, tuple(row.closed_dates or ())
        )
        calendar = calendar_from_row(plain, years)
    except (ValueError, KeyError, TypeError):
        log.error("business calendar %r: due times count calendar time until it is corrected", row.name)
        return ALWAYS
    log.error("business calendar %r: its public holidays are left out until it is corrected", row.name)
    return calendar


@dataclass
class SlaBook:
    """The active policies, the statuses' clocks and the calendars, loaded once per sweep or explanation."""

    book: PolicyBook
    calendar_rows: Mapping[int, CalendarSource]
    _calendars: dict[tuple[int, int], BusinessCalendar]

    def calendar(self, policy: Policy, around: dt.datetime) -> BusinessCalendar:
        """The policy's calendar with the holidays of the years around `around` (a clock may span a new
        year); calendar time when the policy counts calendar minutes or names no calendar."""
        if not policy.business_hours or policy.calendar_id is None or policy.calendar_id not in self.calendar_rows:
            return ALWAYS
        key = (policy.calendar_id, around.year)
        if key not in self._calendars:
            years = range(around.year - 1, around.year + 3)
            self._calendars[key] = readable_calendar(self.calendar_rows[policy.calendar_id], years)
        return self._calendars[key]

    def choose(self, terms: TicketTerms) -> Policy | None:
        try:
            return choose_policy(self.book.policies, terms)
        except NoPolicy:
            return None


def load_book(uow: UnitOfWork) -> SlaBook:
    """The active policies (a malformed one is left out and logged: `save_sla_policy()` refuses such a
    policy, but one saved before it did must not stop due times and sweeps for every queue), the statuses'
    clocks and the calendars."""
    policies = []
    for row in uow.session.scalars(select(SlaPolicy).where(SlaPolicy.is_active).order_by(SlaPolicy.position)):
        try:
            policies.append(policy_from_row(row))
        except ValueError as error:
            log.error("SLA policy %s left out: %s", row.id, error)
    overrides = {
        key: frozenset(Target(t) for t in clocks)
        for key, clocks in uow.session.execute(
            select(TicketStatus.key, TicketStatus.sla_clocks).where(TicketStatus.sla_clocks.is_not(None))
        ).all()
        if clocks is not None
    }
    calendars = {row.id: CalendarSnapshot.of(row) for row in uow.session.scalars(select(CalendarRow))}
    return SlaBook(PolicyBook(tuple(policies), overrides), calendars, {})


def kept_book(uow: UnitOfWork) -> SlaBook:
    """The policies, statuses and calendars (with the holidays worked out), kept by the process under the
    configuration version (`config_cache`): read again only when one of them changed."""
    return config_cache.cached(uow, "sla book", load_book)


# --- one ticket ---------------------------------------------------------------------------------------------


def terms_of(ticket: Ticket, organisation_id: int | None, account: Mapping[str, str] | None = None) -> TicketTerms:
    """`account`: the customer's verified account attributes (`connectors.attributes`), when a policy asks."""
    account = account or {}
    return TicketTerms(
        queue_id=ticket.queue_id,
        priority=ticket.priority,
        type=str(ticket.type),
        channel=str(ticket.channel),
        tags=frozenset(ticket.tags or ()),
        organisation_id=organisation_id,
        tier=account.get("tier"),
        account=account,
    )


def accounts_for(uow: UnitOfWork, book: SlaBook, customer_ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    """The customers' verified account attributes, read only when a policy looks at them (from the database,
    never from the tool: no HTTP call inside a transaction)."""
    return accounts_of(uow, customer_ids) if book.book.uses_account else {}


def ledger_events(uow: UnitOfWork, ticket_ids: Sequence[int]) -> dict[int, list[LedgerEvent]]:
    """The ledgers of these tickets, each in the order things happened (ties in the order written)."""
    events: dict[int, list[LedgerEvent]] = {ticket_id: [] for ticket_id in ticket_ids}
    rows = uow.session.execute(
        select(SlaLedgerEntry)
        .where(SlaLedgerEntry.ticket_id.in_(ticket_ids))
        .order_by(SlaLedgerEntry.ticket_id, SlaLedgerEntry.at, SlaLedgerEntry.id)
    ).scalars()
    for row in rows:
        events[row.ticket_id].append(LedgerEvent(row.at, Target(row.target), Entry(row.entry), row.status, row.note))
    return events


@dataclass(frozen=True)
class TicketClocks:
    """A ticket's clocks as of `as_of` under the policy that applies (none: no promise to keep)."""

    policy: Policy | None
    calendar: BusinessCalendar
    clocks: Mapping[Target, Clock]
    events: Sequence[LedgerEvent]
    as_of: dt.datetime

    def due_columns(self) -> dict[str, dt.datetime | None]:
        return {column: getattr(self.clocks.get(target), "due_at", None) for target, column in DUE_COLUMNS.items()}


def clocks_of(
    book: SlaBook,
    ticket: Ticket,
    organisation_id: int | None,
    events: Sequence[LedgerEvent],
    as_of: dt.datetime,
    account: Mapping[str, str] | None = None,
) -> TicketClocks:
    policy = book.choose(terms_of(ticket, organisation_id, account))
    if policy is None or not events:
        return TicketClocks(policy, ALWAYS, {}, events, as_of)
    calendar = book.calendar(policy, as_of)
    clocks = {}
    for target in Target:
        minutes = policy.minutes(ticket.priority, target)
        if minutes is not None:
            clocks[target] = clock(events, target, minutes, calendar, as_of)
    return TicketClocks(policy, calendar, clocks, events, as_of)


# --- the explanation ----------------------------------------------------------------------------------------


def explain_ticket(uow: UnitOfWork, ticket_id: int, *, book: SlaBook | None = None) -> SlaExplanation:
    """The ledger in words per target, with the due times it gives and those stored on the ticket (the
    change that grew the ledger stores the first as the second, `due_on_change`; the sweep checks it)."""
    row = uow.session.execute(
        select(Ticket, Customer.organisation_id)
        .join(Customer, Customer.id == Ticket.customer_id, isouter=True)
        .where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        raise NotFound(f"Ticket {ticket_id} does not exist or is not visible to you")
    ticket, organisation_id = row
    book = book or load_book(uow)
    now = uow.now()
    events = ledger_events(uow, [ticket_id])[ticket_id]
    account = accounts_for(uow, book, [ticket.customer_id]).get(ticket.customer_id)
    state = clocks_of(book, ticket, organisation_id, events, now, account)
    targets = []
    for target in Target:
        minutes = state.policy.minutes(ticket.priority, target) if state.policy else None
        if minutes is None:
            if any(e.target is target for e in events):
                targets.append(TargetExplanation(target, None, None, False, None, ("no target in the policy",)))
            continue
        lines = explain(events, target, minutes, state.calendar, now)
        c = state.clocks[target]
        targets.append(TargetExplanation(target, minutes, c.due_at, c.running, c.met, tuple(lines)))
    return SlaExplanation(
        ticket_id=ticket.id,
        number=ticket.number,
        policy=state.policy.name if state.policy else None,
        calendar=state.calendar.name or state.calendar.time_zone,
        time_zone=state.calendar.time_zone,
        stored_due={column: getattr(ticket, column) for column in DUE_COLUMNS.values()},
        targets=tuple(targets),
        events=tuple(events),
    )
