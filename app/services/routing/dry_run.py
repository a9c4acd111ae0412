"""Routing dry-run: replay the tickets created in a window under a changed configuration, and say who would
have got each, the load per agent, what would have found nobody, and how that differs from what happened.
Nothing is written: the replay reads, then decides in memory with the pure scoring.

The replay keeps its own clock of load: a ticket counts against its simulated agent from its creation until
it was resolved (or to the end of the window), so a weekend's backlog fills capacities as it would have. The
agents' facts (skills, languages, capacity, queues, time zone, weekly shift, out of office, substitute) are
today's, or the changed ones given. Shifts and out of office are replayed: a ticket created at T sees each
agent on or off shift, and out of office or back, as their schedule and end date say at T in their own
time zone (an out of office records only its end date, so it counts from the start of the window). The
skills each ticket wants come from its tags and its customer's verified account (`account.tier=vip`
rules), through the live push's own `engine.skills_wanted_for`, the accounts read in one batch
(`accounts_of`, the same source as the push's `account_attributes`): the account as verified now, since
no history of it is kept. The
availability menu's state (available, away, offline) is taken as "at work" for everyone active, since
yesterday's is not recorded — the dry-run compares configurations, not who happened to be signed in.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on

from app.models import Agent, Customer, Ticket
from app.services.connectors.attributes import accounts_of
from app.services.platform.uow import UnitOfWork
from app.services.routing.dto import AgentTally, DryRunPreview
from app.services.routing.engine import (
    SkillMemo,
    account_rules_asked,
    candidates_for,
    skills_wanted_for,
    weights_from,
)
from app.services.routing.parsing import check_settings
from app.services.routing.scoring import CandidateFacts, FitMemo, TicketFacts, pick, zone_or_utc
from app.services.sla.calendar import BusinessCalendar
from app.vocabulary import Availability, Priority


@dataclass
class DryRun:
    tickets: int = 0
    would_get: Counter[str] = field(default_factory=Counter)
    actually_got: Counter[str] = field(default_factory=Counter)
    nobody: list[int] = field(default_factory=list)  # ticket numbers that would have found no eligible agent
    changed: int = 0  # tickets that would have gone to someone else than they did
    relaxed: Counter[str] = field(default_factory=Counter)

    def preview(self, days: int) -> DryRunPreview:
        return DryRunPreview(
            days=days,
            tickets=self.tickets,
            changed=self.changed,
            no_eligible_agent=len(self.nobody),
            agents=tuple(
                AgentTally(name, self.would_get[name], self.actually_got[name])
                for name in sorted(set(self.would_get) | set(self.actually_got))
            ),
            relaxed=tuple(sorted(self.relaxed.items())),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "changed": self.changed,
            "no_eligible_agent": self.nobody,
            "relaxed": dict(self.relaxed),
            "agents": [
                {"agent": name, "would_get": self.would_get[name], "actually_got": self.actually_got[name]}
                for name in sorted(set(self.would_get) | set(self.actually_got))
            ],
        }


def dry_run(
    uow: UnitOfWork,
    settings: dict[str, Any],
    *,
    days: int,
    now: dt.datetime,
    queue_id: int | None = None,
    agent_facts: Mapping[int, Mapping[str, Any]] | None = None,
) -> DryRun:
    """`queue_id`: only that queue's tickets (a queue's settings previewed); `agent_facts`: agents' facts
    as they would be (capacity, skills, languages, time_zone, shift, out_of_office_until, substitute by
    agent id, as `set_agent_routing()` takes them), over today's."""
    check_settings(settings)
    weights = weights_from(settings, version=-1)
    since = now - dt.timedelta(days=days)
    query = (
        select(
            Ticket.number,
            Ticket.queue_id,
            Ticket.customer_id,
            Ticket.priority,
            func.coalesce(Ticket.language, Customer.language),
            Ticket.tags,
            Ticket.assignee_id,
            Ticket.created_at,
            Ticket.resolved_at,
        )  # the columns the replay needs, as tuples: no ORM objects for tens of thousands of tickets
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.created_at >= since, Ticket.created_at <= now, Ticket.merged_into_id.is_(None))
        .order_by(Ticket.created_at, Ticket.id)
    )
    if queue_id is not None:
        query = query.where(Ticket.queue_id == queue_id)
    rows = uow.session.execute(query).all()
    previous = _last_agents_before(uow, since, now, queue_id)
    # The customers' verified accounts, as the push reads each one (`engine.ticket_facts`): in one statement,
    # and only when the configuration has `account.NAME=value` rules that could raise the wanted skills.
    accounts = accounts_of(uow, (row[2] for row in rows)) if account_rules_asked(settings) else {}
    result = DryRun()
    teams: dict[int, list[CandidateFacts]] = {}
    rosters: dict[int, _Roster] = {}
    names: dict[int, str] = {}
    load: Counter[int] = Counter()
    last: dict[int, dt.datetime] = {}
    wanted: SkillMemo = {}
    fits: FitMemo = {}  # the agents' skills and languages do not change during a replay
    releases: list[tuple[dt.datetime, int, int]] = []  # (when, agent, weight) as a heap
    for number, ticket_queue, customer_id, priority, language, tags, assignee_id, created_at, resolved_at in rows:
        while releases and releases[0][0] <= created_at:
            _, agent_id, weight = heapq.heappop(releases)
            load[agent_id] -= weight
        team = teams.get(ticket_queue)
        if team is None:  # the facts of each queue's agents, gathered once
            team = teams[ticket_queue] = _with_facts(
                _at_work(candidates_for(uow, ticket_queue, now)), agent_facts or {}
            )
            names.update({c.agent_id: c.name for c in team})
            rosters[ticket_queue] = _Roster.of(uow, team, agent_facts or {}, since, now)
        team = rosters[ticket_queue].at(created_at)
        account = accounts.get(customer_id, _NO_ACCOUNT)
        skills, _asked = skills_wanted_for(tags or (), account, settings, wanted)  # the push's own path
        facts = TicketFacts(
            0,
            ticket_queue,
            Priority(priority),
            skills_wanted=skills,
            language=language,
            previous_agent_id=previous.get(customer_id),
            account=account,
        )
        winner, relaxed = pick(facts, team, weights, created_at, load, last, fits)
        result.tickets += 1
        result.relaxed.update(relaxed)
        if assignee_id is not None:
            result.actually_got[names.get(assignee_id, f"agent {assignee_id}")] += 1
            previous[customer_id] = assignee_id  # what the engine would have seen next time
        if winner is None:
            result.nobody.append(number)
            continue
        result.would_get[names[winner]] += 1
        result.changed += winner != assignee_id
        weight = weights.ticket_weight(facts.priority)
        load[winner] += weight
        last[winner] = created_at
        heapq.heappush(releases, (resolved_at or now, winner, weight))
    return result


def _last_agents_before(uow: UnitOfWork, since: dt.datetime, now: dt.datetime, queue_id: int | None) -> dict[int, int]:
    """The agent on each window customer's last ticket before the window (for stickiness), in one query
    over only those customers' earlier tickets (a hash semi-join: one index probe per customer was four
    times slower at a million tickets, a sort of the whole history before the window twice)."""
    window = select(Ticket.customer_id).where(
        Ticket.created_at >= since, Ticket.created_at <= now, Ticket.merged_into_id.is_(None)
    )
    if queue_id is not None:
        window = window.where(Ticket.queue_id == queue_id)
    rows = uow.session.execute(
        select(Ticket.customer_id, Ticket.assignee_id)
        .ext(distinct_on(Ticket.customer_id))
        .where(
            Ticket.customer_id.in_(window),
            Ticket.created_at < since,
            Ticket.assignee_id.is_not(None),
        )
        .order_by(Ticket.customer_id, Ticket.created_at.desc(), Ticket.id.desc())
    )
    return {int(customer): int(agent) for customer, agent in rows if agent is not None}


def _with_facts(team: list[CandidateFacts], changes: Mapping[int, Mapping[str, Any]]) -> list[CandidateFacts]:
    changed = []
    for candidate in team:
        facts = changes.get(candidate.agent_id, {})
        changed.append(
            replace(
                candidate,
                capacity=int(facts.get("capacity", candidate.capacity)),
                skills={str(k).lower(): int(v) for k, v in facts.get("skills", candidate.skills).items()},
                languages=frozenset(facts.get("languages", candidate.languages)),
                substitute_id=facts.get("substitute", candidate.substitute_id),
            )
        )
    return changed


class _Roster:
    """One queue's agents as their shifts and out of office had them at each moment of the replay. Each
    schedule becomes its open periods over the window once (a business calendar's arithmetic, daylight
    saving included, as `scoring.on_shift` reads it), and an out of office the instant its end date ends in
    the agent's time zone (as `scoring.out_of_office`); a moment is then a bisection per scheduled agent,
    and only when someone's state changed since the last one asked."""

    def __init__(self, team: list[CandidateFacts], schedules: dict[int, tuple[_Periods | None, dt.datetime | None]]):
        self._team = team
        self._schedules = schedules
        self._current = team
        self._holds_from = self._holds_until = _EARLIEST  # the span in which `_current` holds: none yet

    @classmethod
    def of(
        cls,
        uow: UnitOfWork,
        team: list[CandidateFacts],
        changes: Mapping[int, Mapping[str, Any]],
        since: dt.datetime,
        now: dt.datetime,
    ) -> _Roster:
        rows = uow.session.execute(
            select(Agent.id, Agent.time_zone, Agent.shift, Agent.out_of_office_until).where(
                Agent.id.in_([c.agent_id for c in team])
            )
        ).all()
        schedules: dict[int, tuple[_Periods | None, dt.datetime | None]] = {}
        for agent_id, time_zone, shift, until in rows:
            change = changes.get(agent_id, {})
            time_zone = str(change.get("time_zone", time_zone) or "UTC")
            shift = change.get("shift", shift)
            until = _date(change.get("out_of_office_until", until))
            periods = _periods(shift, time_zone, since, now)
            back_at = _back_at(until, time_zone) if until is not None else None
            if periods is not None or (back_at is not None and back_at > since):
                schedules[agent_id] = (periods, back_at)
        return cls(team, schedules)

    def at(self, moment: dt.datetime) -> list[CandidateFacts]:
        """The team at `moment`. Between two changes of anyone's state (a shift starting or ending, an out
        of office ending) the answer is the previous one: a replay's tickets mostly come in between."""
        if not self._schedules or self._holds_from <= moment < self._holds_until:
            return self._current
        states, self._holds_from, self._holds_until = [], _EARLIEST, _LATEST
        for periods, back_at in self._schedules.values():
            on, since, until = _state(periods, moment)
            away = back_at is not None and moment < back_at
            if back_at is not None:
                since, until = (since, min(until, back_at)) if away else (max(since, back_at), until)
            self._holds_from, self._holds_until = max(self._holds_from, since), min(self._holds_until, until)
            states.append((on, away))
        by_agent = dict(zip(self._schedules, states, strict=True))
        self._current = [
            replace(c, on_shift=by_agent[c.agent_id][0], out_of_office=by_agent[c.agent_id][1])
            if c.agent_id in by_agent
            else c
            for c in self._team
        ]
        return self._current


_NO_ACCOUNT: Mapping[str, str] = {}
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)
_Periods = tuple[list[dt.datetime], list[dt.datetime]]  # the open periods' starts and ends, in order


def _periods(shift: Any, time_zone: str, since: dt.datetime, now: dt.datetime) -> _Periods | None:
    """None: no schedule (always on shift), or one that cannot be read (counted so, as `on_shift` does)."""
    if not shift:
        return None
    try:
        hours = {int(day): tuple((int(a), int(b)) for a, b in spans) for day, spans in shift.items()}
        periods = list(BusinessCalendar(time_zone, hours).open_periods(since, now + dt.timedelta(days=1)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return [a for a, _ in periods], [b for _, b in periods]


def _open(periods: _Periods | None, moment: dt.datetime) -> bool:
    return _state(periods, moment)[0]


def _state(periods: _Periods | None, moment: dt.datetime) -> tuple[bool, dt.datetime, dt.datetime]:
    """On shift at `moment`, and the span [from, until) around it in which that holds."""
    if periods is None:
        return True, _EARLIEST, _LATEST
    starts, ends = periods
    index = bisect_right(starts, moment) - 1
    if index >= 0 and moment < ends[index]:
        return True, starts[index], ends[index]
    return (
        False,
        ends[index] if index >= 0 else _EARLIEST,
        starts[index + 1] if index + 1 < len(starts) else _LATEST,
    )


def _back_at(until: dt.date, time_zone: str) -> dt.datetime:
    """The instant the day after `until` begins in the agent's time zone: out of office before it."""
    zone = zone_or_utc(time_zone)
    if until >= dt.date.max - dt.timedelta(days=2):  # "until 9999-12-31", saved before the database refused it
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _at_work(team: list[CandidateFacts]) -> list[CandidateFacts]:
    return [
        replace(
            c, availability=Availability.AVAILABLE, on_shift=True, out_of_office=False, load=0, last_assigned_at=None
        )
        for c in team
    ]
