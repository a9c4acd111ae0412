"""Routing in the database's terms: gather the facts, let the pure scoring decide, carry the decision out
through `route_ticket()` (which re-checks what must hold whoever calls), and store every decision.

Push routing runs as an in-transaction handler on a new ticket and on a reopen (registered in
`app/bootstrap.py`), so a ticket is never created unrouted and two intakes cannot take one agent past
capacity (the function locks the winner's row and counts again). When the winner no longer qualifies by
the time the decision is carried out (SQLSTATE SB001), the decision is taken again without them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import DateTime, Select, bindparam, func, literal, select, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from app.models import Agent, AgentSkill, Customer, Queue, QueueMember, RoutingConfig, RoutingDecision, Ticket
from app.models import TicketStatus as StatusRow
from app.models.ticket import working_status_literals
from app.services.connectors.attributes import account_attributes
from app.services.connectors.conditions import ACCOUNT_PREFIX
from app.services.errors import InvalidInput, NotFound
from app.services.platform import config_cache
from app.services.platform.database import identity
from app.services.platform.database.failures import refusal
from app.services.platform.events import StatusChanged, TicketCreated
from app.services.platform.plain_text import clean_line
from app.services.platform.uow import UnitOfWork
from app.services.routing.dto import CandidateView, FactorView, RoutingExplanation, WaitingTicket
from app.services.routing.scoring import (
    CandidateFacts,
    Decision,
    Exclusion,
    TicketFacts,
    TrackRecord,
    Weights,
    decide,
    on_shift,
    out_of_office,
    sla_risk_of,
)
from app.vocabulary import Availability, Priority, StatusCategory

NOT_QUALIFIED = "SB001"
ASSIGNED_ALREADY = "SB002"
WEIGHT_NAMES = ("skill", "language", "room", "stickiness", "track_record", "sla_risk")


def route(
    uow: UnitOfWork,
    ticket_id: int,
    asked_by: str,
    *,
    reason: str | None = None,
    read: tuple[Ticket, str | None, int | None] | None = None,
    away_from: int | None = None,
) -> Decision | None:
    """Decide and carry out; None when the ticket was taken meanwhile. Raises NotFound for a ticket the
    caller may not see. A supervisor's reroute and a hand-back carry a reason; a hand-back never goes back
    to the one handing it back, nor the escalation ladder's to the assignee it took the ticket from
    (`away_from`: stickiness gave it straight back). `read`: the ticket with its customer's facts, as the
    caller has just read them (`read_for_routing`), if it has."""
    reason = clean_line(reason) if reason else reason  # one line, as stored (a tab or newline was refused)
    ticket = read[0] if read is not None else uow.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    facts = ticket_facts(uow, ticket, known=read[1:] if read is not None else None)
    weights, settings = config_for(uow, ticket.queue_id)
    facts = with_wanted_skills(facts, ticket.tags or (), settings)
    candidates = candidates_for(uow, ticket.queue_id, uow.now(), facts.category)
    refused: list[Exclusion] = []
    left_out = uow.actor.agent_id if asked_by == "handback" else away_from
    if left_out is not None:
        why = "handed it back" if asked_by == "handback" else "the ticket breached its SLA with them"
        refused = [Exclusion(c.agent_id, c.name, why) for c in candidates if c.agent_id == left_out]
        candidates = [c for c in candidates if c.agent_id != left_out]
    for _ in range(len(candidates) + 1):
        decision = decide(facts, candidates, weights, uow.now())
        decision = Decision(
            decision.ticket_id,
            decision.winner_id,
            decision.ranked,
            tuple(sorted((*decision.exclusions, *refused), key=lambda e: e.agent_id)),
            decision.relaxed,
            decision.config_version,
        )
        outcome = _carry_out(uow, decision, asked_by, reason)
        if outcome == "done":
            return decision
        if outcome == "taken":
            return None
        winner = next(c for c in candidates if c.agent_id == decision.winner_id)
        refused.append(Exclusion(winner.agent_id, winner.name, outcome))
        candidates = [c for c in candidates if c.agent_id != winner.agent_id]
    return None


def _carry_out(uow: UnitOfWork, decision: Decision, asked_by: str, reason: str | None) -> str:
    """'done', 'taken' (assigned meanwhile), or why the winner no longer qualifies. `try_route_ticket()`
    answers those two refusals instead of raising them (no savepoint: one round trip, not three)."""
    payload = json.dumps(decision_json(decision), default=str)
    try:
        refused = uow.session.execute(
            text("SELECT switchboard.try_route_ticket(:ticket, :agent, :asked_by, CAST(:decision AS jsonb), :reason)"),
            {
                "ticket": decision.ticket_id,
                "agent": decision.winner_id,
                "asked_by": asked_by,
                "decision": payload,
                "reason": reason,
            },
        ).scalar_one()
    except DBAPIError as error:
        raise (refusal(error) or error) from None
    if refused is not None:
        state, _space, message = str(refused).partition(" ")
        return "taken" if state == ASSIGNED_ALREADY else message.split(" is ", 1)[-1]
    uow.session.expire_all()  # the ticket row changed under the ORM
    return "done"


def decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "config_version": decision.config_version,
        "relaxed": list(decision.relaxed),
        "ranked": [asdict(score) for score in decision.ranked],
        "exclusions": [asdict(exclusion) for exclusion in decision.exclusions],
    }


def ticket_facts(uow: UnitOfWork, ticket: Ticket, *, known: tuple[str | None, int | None] | None = None) -> TicketFacts:
    """`known`: the customer's language and previous agent, when read with the ticket (`read_for_routing`)."""
    if known is None:
        customer_language, previous = uow.session.execute(
            _customer_facts(), {"customer": ticket.customer_id, "ticket": ticket.id}
        ).one()  # one round trip
    else:
        customer_language, previous = known
    return TicketFacts(
        ticket_id=ticket.id,
        queue_id=ticket.queue_id,
        priority=Priority(ticket.priority),
        language=ticket.language or customer_language,
        category=str(ticket.type),
        previous_agent_id=previous,
        sla_risk=sla_risk_of(ticket.created_at, ticket.sla_due_at, uow.now()),
        account=account_attributes(uow, ticket.customer_id),  # the worker's verified answer, never the tool
    )


def _facts_of(customer_id: Any, ticket_id: Any) -> tuple[Any, Any]:
    """The customer's language, and the agent of the customer's latest other assigned ticket (stickiness)."""
    earlier = aliased(Ticket)
    previous_agent = (
        select(earlier.assignee_id)
        .where(earlier.customer_id == customer_id, earlier.id != ticket_id, earlier.assignee_id.is_not(None))
        .order_by(earlier.created_at.desc(), earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(Customer.language).where(Customer.id == customer_id).scalar_subquery(), previous_agent


# Built once, when first used (an alias of the ticket costs milliseconds of Python to build, per call).
@functools.cache
def _customer_facts() -> Select[Any]:
    language, previous_agent = _facts_of(bindparam("customer"), bindparam("ticket"))
    return select(language, previous_agent)


@functools.cache
def _ticket_with_facts() -> Select[Any]:
    language, previous_agent = _facts_of(Ticket.customer_id, Ticket.id)
    return (
        select(Ticket, language.correlate(Ticket), previous_agent.correlate(Ticket))
        .where(Ticket.id == bindparam("ticket"))
        .execution_options(populate_existing=True)
    )


def read_for_routing(uow: UnitOfWork, ticket_id: int) -> tuple[Ticket, str | None, int | None] | None:
    """The ticket as it is now (the handlers before may have changed it behind the session) with its
    customer's language and previous agent, in one statement; None for a ticket the caller cannot see."""
    row = uow.session.execute(_ticket_with_facts(), {"ticket": ticket_id}).first()
    return None if row is None else (row[0], row[1], row[2])


def with_wanted_skills(facts: TicketFacts, tags: Sequence[str], settings: dict[str, Any]) -> TicketFacts:
    """The facts with the skills the ticket wants from its tags and its verified account (`facts.account`),
    and what the account asked, for the explanation."""
    skills, asked = skills_wanted_for(tags, facts.account, settings)
    return replace(facts, skills_wanted=skills, account_note=account_note(facts.account, asked))


SkillMemo = dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, int]]


def skills_wanted_for(
    tags: Sequence[str], account: Mapping[str, str], settings: dict[str, Any], memo: SkillMemo | None = None
) -> tuple[dict[str, int], list[str]]:
    """The skills a ticket wants from its tags and its customer's verified account, and the account rules
    that asked. The push (`with_wanted_skills`) and the dry-run both come through here, so a replay wants
    what the push would have wanted. `memo` (a replay's): the skills by the tags and the account rules
    met, which is all they depend on for one configuration."""
    asked = account_rules_matched(settings, account) if account else []
    key = (tuple(tags), tuple(asked))
    skills = None if memo is None else memo.get(key)
    if skills is None:
        skills = _skills_asked([*key[0], *asked], settings)
        if memo is not None:
            memo[key] = skills
    return skills, asked


def wanted_skills(
    tags: Sequence[str], settings: dict[str, Any], *, account: Mapping[str, str] | None = None
) -> dict[str, int]:
    """The skills (and least levels) the queue asks of every ticket, raised by what its tags ask and by
    what its customer's account asks: a `skills_by_tag` key `account.NAME=value` (`account.tier=vip`:
    VIP tickets want senior levels) applies when the verified account's attribute has that value."""
    return _skills_asked([*tags, *account_rules_matched(settings, account or {})], settings)


def _skills_asked(keys: Sequence[str], settings: dict[str, Any]) -> dict[str, int]:
    """The queue's skills, raised by the `skills_by_tag` entries of `keys` (tags and account rules met)."""
    wanted: dict[str, int] = {str(k).lower(): int(v) for k, v in (settings.get("skills") or {}).items()}
    by_tag = settings.get("skills_by_tag") or {}
    for key in keys:
        for skill, level in (by_tag.get(key) or {}).items():
            wanted[str(skill).lower()] = max(int(level), wanted.get(str(skill).lower(), 0))
    return wanted


def account_rules_matched(settings: dict[str, Any], account: Mapping[str, str]) -> list[str]:
    """The `skills_by_tag` keys of the form `account.NAME=value` that the account's attributes meet (the
    value's case ignored), in the settings' order."""
    matched = []
    for key in settings.get("skills_by_tag") or {}:
        name, equals, value = str(key).partition("=")
        if equals and name.startswith(ACCOUNT_PREFIX):
            have = account.get(name.removeprefix(ACCOUNT_PREFIX))
            if have is not None and have.strip().casefold() == value.strip().casefold():
                matched.append(str(key))
    return matched


def account_rules_asked(settings: dict[str, Any]) -> bool:
    """Whether the configuration has any `account.NAME=value` rule (else no account needs reading)."""
    return any(str(key).startswith(ACCOUNT_PREFIX) for key in settings.get("skills_by_tag") or {})


def account_note(account: Mapping[str, str], asked: Sequence[str]) -> str:
    """What the explanation says of the account: its tier, and the account rules that raised the skills."""
    parts = [f"account tier {account['tier']}"] if account.get("tier") else []
    parts += [f"{rule} asks more skill" for rule in asked]
    return "; ".join(parts)


def config_for(uow: UnitOfWork, queue_id: int) -> tuple[Weights, dict[str, Any]]:
    """The queue's configuration, else the default one, else built-in weights (version 0); kept by the process
    while the configuration does not change (`config_cache`)."""
    return config_cache.cached(uow, f"routing config {queue_id}", lambda u: _read_config(u, queue_id))


def _read_config(uow: UnitOfWork, queue_id: int) -> tuple[Weights, dict[str, Any]]:
    row = uow.session.scalars(
        select(RoutingConfig)
        .where((RoutingConfig.queue_id == queue_id) | RoutingConfig.queue_id.is_(None))
        .order_by(RoutingConfig.queue_id.is_(None))
        .limit(1)
    ).first()
    if row is None:
        return Weights(version=0), {}
    return weights_from(row.settings, row.version), row.settings


def weights_from(settings: dict[str, Any], version: int) -> Weights:
    given = settings.get("weights") or {}
    values = {name: float(given[name]) for name in WEIGHT_NAMES if name in given}
    urgent = int(settings.get("urgent_weight", 2))
    priority_weights = {p: (urgent if p is Priority.URGENT else 1) for p in Priority}
    overflow = int(settings.get("overflow_cap", 2))
    return Weights(**values, overflow_cap=overflow, priority_weights=priority_weights, version=version)


def queue_loads(uow: UnitOfWork, queue_id: int) -> dict[int, tuple[int, dt.datetime | None]]:
    """For each agent of a queue the caller sees, the load routing counts against their capacity (open
    tickets in every queue, an urgent one twice: `agent_loads()`) and when routing last gave them one."""
    return {
        int(agent_id): (int(load), last)
        for agent_id, load, last in uow.session.execute(
            text("SELECT agent_id, load, last_assigned_at FROM switchboard.queue_loads(:queue)"), {"queue": queue_id}
        )
    }


def candidates_for(
    uow: UnitOfWork, queue_id: int, now: dt.datetime, category: str | None = None
) -> list[CandidateFacts]:
    """Everyone who works the queue, with what routing needs to know about them (and, given the ticket's
    category, their recent track record in it)."""
    loads = queue_loads(uow, queue_id)
    agents = config_cache.cached(uow, f"routing agents {queue_id}", lambda u: _queue_agents(u, queue_id))
    records = track_records(uow, queue_id, category, [a.id for a in agents], now) if category else {}
    return [
        CandidateFacts(
            agent_id=agent.id,
            name=agent.display_name,
            queue_ids=agent.queue_ids,
            availability=agent.availability,
            is_active=agent.is_active,
            on_shift=on_shift(agent.shift, agent.time_zone, now),
            out_of_office=out_of_office(agent.out_of_office_until, agent.time_zone, now),
            skills=dict(agent.skills),
            languages=agent.languages,
            capacity=agent.capacity,
            load=loads.get(agent.id, (0, None))[0],
            last_assigned_at=loads.get(agent.id, (0, None))[1],
            track_record=records.get(agent.id),
            substitute_id=agent.substitute_id,
        )
        for agent in agents
    ]


@dataclass(frozen=True)
class _QueueAgent:
    """What routing knows of one of a queue's agents between changes of the configuration (their rows,
    skills and queues); their load, track record and the hour are read or worked out per decision."""

    id: int
    display_name: str
    queue_ids: frozenset[int]
    availability: Availability
    is_active: bool
    shift: Mapping[str, Any] | None
    time_zone: str
    out_of_office_until: dt.date | None
    skills: Mapping[str, int]
    languages: frozenset[str]
    capacity: int
    substitute_id: int | None


def _queue_agents(uow: UnitOfWork, queue_id: int) -> tuple[_QueueAgent, ...]:
    agents = uow.session.scalars(
        select(Agent).join(QueueMember, QueueMember.agent_id == Agent.id).where(QueueMember.queue_id == queue_id)
    ).all()
    skills: dict[int, dict[str, int]] = {}
    for agent_id, skill, level in uow.session.execute(
        select(AgentSkill.agent_id, AgentSkill.skill, AgentSkill.level).where(
            AgentSkill.agent_id.in_([a.id for a in agents])
        )
    ):
        skills.setdefault(agent_id, {})[skill.lower()] = level
    queues = _queues_of(uow, [a.id for a in agents])
    return tuple(
        _QueueAgent(
            id=agent.id,
            display_name=agent.display_name,
            queue_ids=frozenset(queues.get(agent.id, ())),
            availability=Availability(agent.availability),
            is_active=agent.is_active,
            shift=agent.shift,
            time_zone=agent.time_zone,
            out_of_office_until=agent.out_of_office_until,
            skills=skills.get(agent.id, {}),
            languages=frozenset(agent.languages or ()),
            capacity=agent.capacity,
            substitute_id=agent.substitute_id,
        )
        for agent in agents
    )


TRACK_RECORD_WEEKS = 8
_TRACK_RECORDS = text(
    """
    SELECT t.assignee_id, count(*) AS tickets,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.resolved_at - t.created_at) / 3600),
           avg(CASE WHEN EXISTS (
                   SELECT FROM switchboard.audit_event e
                   WHERE e.ticket_id = t.id AND e.field = 'status'
                     AND e.old_value #>> '{}' IN (SELECT key FROM switchboard.ticket_status WHERE category = 'done')
                     AND e.new_value #>> '{}' IN (SELECT key FROM switchboard.ticket_status WHERE category = 'open'))
               THEN 1.0 ELSE 0.0 END)
    FROM switchboard.ticket t
    WHERE t.queue_id = :queue AND t.type = :category AND t.assignee_id = ANY (:agents)
      AND t.resolved_at >= :since AND t.merged_into_id IS NULL
    GROUP BY t.assignee_id
    """
)


def track_records(
    uow: UnitOfWork, queue_id: int, category: str, agent_ids: list[int], now: dt.datetime
) -> dict[int, TrackRecord]:
    """Each agent's recent weeks in this queue and category: how many tickets they resolved, the median
    time to resolution, and the share that came back (reopened) — from the ticket history, through RLS."""
    since = now - dt.timedelta(weeks=TRACK_RECORD_WEEKS)
    rows = uow.session.execute(
        _TRACK_RECORDS, {"queue": queue_id, "category": category, "agents": agent_ids, "since": since}
    )
    return {
        int(agent): TrackRecord(int(count), float(median or 0), float(reopened or 0))
        for agent, count, median, reopened in rows
    }


def _queues_of(uow: UnitOfWork, agent_ids: list[int]) -> dict[int, list[int]]:
    queues: dict[int, list[int]] = {}
    for agent_id, queue_id in uow.session.execute(
        select(QueueMember.agent_id, QueueMember.queue_id).where(QueueMember.agent_id.in_(agent_ids))
    ):
        queues.setdefault(agent_id, []).append(queue_id)
    return queues


def latest_decision(uow: UnitOfWork, ticket_id: int) -> RoutingDecision | None:
    return uow.session.scalars(
        select(RoutingDecision)
        .where(RoutingDecision.ticket_id == ticket_id)
        .order_by(RoutingDecision.decided_at.desc(), RoutingDecision.id.desc())
        .limit(1)
    ).first()


def explain(uow: UnitOfWork, ticket_id: int) -> RoutingExplanation | None:
    """The ticket's latest decision as the client and the CLI show it (the one place that reads a stored
    decision back); None when it was never routed."""
    decision = latest_decision(uow, ticket_id)
    if decision is None:
        return None
    people = [i for i in (decision.actor_agent_id, decision.winner_agent_id) if i is not None]
    names: dict[int | None, str] = dict(
        uow.session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(people))).all()
    )
    number = uow.session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    return RoutingExplanation(
        ticket_number=int(number or 0),
        decided_at=decision.decided_at,
        asked_by=decision.asked_by,
        caller=names.get(decision.actor_agent_id),
        winner=names.get(decision.winner_agent_id),
        config_version=decision.config_version,
        relaxed=tuple(decision.relaxed),
        candidates=tuple(_candidate_view(c) for c in _stored(decision.ranked)),
        exclusions=tuple(
            (str(e.get("name", "someone")), str(e.get("reason", "left out"))) for e in _stored(decision.exclusions)
        ),
        winner_id=decision.winner_agent_id,
        reason=decision.reason,
        excluded_ids=tuple(_id(e.get("agent_id")) for e in _stored(decision.exclusions)),
    )


def _candidate_view(data: dict[str, Any]) -> CandidateView:
    """A stored candidate as shown; a part missing or of another shape (the row is a client's JSON) shows as
    nothing rather than failing the whole explanation."""
    factors = tuple(
        FactorView(
            str(f.get("factor", "")), _number(f.get("weighted")), str(f.get("note", "")), _number(f.get("score"))
        )
        for f in _stored(data.get("factors"))
    )
    return CandidateView(
        str(data.get("name", "someone")), _number(data.get("total")), factors, _id(data.get("agent_id"))
    )


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _id(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _open_status_keys() -> Select[str]:
    """The statuses of the open category (not paused, not done): what routing gives out and agents claim."""
    return select(StatusRow.key).where(StatusRow.category == StatusCategory.OPEN)


def unrouted(uow: UnitOfWork) -> list[Ticket]:
    """Open, unassigned tickets whose last routing found no eligible agent."""
    return [ticket for ticket, *_rest in uow.session.execute(_waiting_query()).all()]


def waiting_for_nobody(uow: UnitOfWork, *, limit: int = 500) -> list[WaitingTicket]:
    """`unrouted` as the supervisor view lists it (the queues the caller sees, most urgent first), each with
    its queue's name, since when it waits and why nobody qualified."""
    rows = uow.session.execute(_waiting_query().limit(limit)).all()
    return [
        WaitingTicket(
            t.id,
            t.number,
            t.subject,
            queue,
            t.priority.label,
            t.sla_due_at,
            waiting_since or since,
            _why_nobody(exclusions),
            _who_was_left_out(exclusions),
            t.version,
        )
        for t, queue, since, exclusions, waiting_since in rows
    ]


def _waiting_query() -> Select[tuple[Ticket, str, dt.datetime, Any, dt.datetime | None]]:
    """Open, unassigned tickets whose latest routing decision found nobody, with their queue's name, that
    decision's time and exclusions, and when the waiting began: the first decision for nobody since the
    last that found someone ("Waiting since 1 min ago" of a ticket routing had tried for days: the drain
    asks again, and each time made the latest decision new). From those tickets to each one's decisions (an
    index walk per ticket; a ticket takes at most 30 an hour), not from every decision ever made: the
    supervisor view reads it on every refresh."""
    latest = (
        select(RoutingDecision.winner_agent_id, RoutingDecision.decided_at, RoutingDecision.exclusions)
        .where(RoutingDecision.ticket_id == Ticket.id)
        .order_by(RoutingDecision.decided_at.desc(), RoutingDecision.id.desc())
        .limit(1)
        .lateral("latest")
    )
    winning, waiting = aliased(RoutingDecision), aliased(RoutingDecision)
    found_someone = (
        select(func.max(winning.decided_at))
        .where(winning.ticket_id == Ticket.id, winning.winner_agent_id.is_not(None))
        .scalar_subquery()
    )
    never = literal("-infinity").cast(DateTime(timezone=True))
    began = (
        select(func.min(waiting.decided_at))
        .where(
            waiting.ticket_id == Ticket.id,
            waiting.winner_agent_id.is_(None),
            waiting.decided_at > func.coalesce(found_someone, never),
        )
        .scalar_subquery()
    )
    return (
        select(Ticket, Queue.name, latest.c.decided_at, latest.c.exclusions, began)
        .select_from(Ticket)
        .join(latest, true())
        .join(Queue, Queue.id == Ticket.queue_id)
        .where(
            latest.c.winner_agent_id.is_(None),
            Ticket.assignee_id.is_(None),
            Ticket.merged_into_id.is_(None),
            Ticket.status.in_(_open_status_keys()),
        )
        .order_by(Ticket.sla_due_at.nulls_last(), Ticket.id)
    )


def _why_nobody(exclusions: Any) -> str:
    """The exclusions summed up by reason, numbers left out: "2 offline, 1 at capacity"."""
    reasons = Counter(
        re.sub(r"\s*\d.*$", "", str(e.get("reason", ""))).strip() or "left out" for e in _stored(exclusions)
    )
    if not reasons:
        return "no agent works this queue"
    return ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())


def _who_was_left_out(exclusions: Any) -> str:
    """The exclusions by name: "Hannah Becker: at capacity (25/25); Ivan Petrov: out of office"."""
    return "; ".join(f"{e.get('name', 'someone')}: {e.get('reason', 'left out')}" for e in _stored(exclusions))


def _stored(items: Any) -> list[dict[str, Any]]:
    """A decision's stored list (its candidates, their factors, its exclusions: JSON): its objects,
    whatever else a row holds."""
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def set_availability(uow: UnitOfWork, state: Availability) -> list[Decision]:
    """Say whether one is at work; becoming available drains the waiting tickets of one's queues that had
    no eligible agent, best first, as far as one's capacity goes."""
    uow.session.execute(text("SELECT switchboard.set_availability(:state)"), {"state": str(state)})
    uow.session.expire_all()
    if state is not Availability.AVAILABLE:
        return []
    return drain(uow)


def drain(uow: UnitOfWork) -> list[Decision]:
    made = []
    for ticket in unrouted(uow):
        decision = route(uow, ticket.id, "drain")
        if decision is not None and decision.winner_id is not None:
            made.append(decision)
    return made


def route_new_ticket(uow: UnitOfWork, event: TicketCreated) -> None:
    """Push routing on intake: an in-transaction handler. The ticket is read afresh (the handlers before
    may have changed it behind the session), once for the check and the decision."""
    read = read_for_routing(uow, event.ticket_id)
    if (
        read is not None
        and read[0].status != "new"
        and (read[0].merged_into_id is not None or _is_done(uow, read[0].status))
    ):
        return  # resolved or merged within the unit that created it: nothing to route (`route_ticket()` v5)
    if read is None or read[0].assignee_id is None:  # one it cannot see: NotFound, as ever
        route(uow, event.ticket_id, "intake", read=read)


def _is_done(uow: UnitOfWork, status: str) -> bool:
    """Asked only of a ticket that moved on from "new" (every ticket is created new) within its unit."""
    return uow.session.scalar(select(StatusRow.category).where(StatusRow.key == status)) is StatusCategory.DONE


def route_reopened_ticket(uow: UnitOfWork, event: StatusChanged) -> None:
    """Push routing on reopen, when nobody owns the ticket any more."""
    if event.old == event.new:
        return
    categories = dict(
        uow.session.execute(
            select(StatusRow.key, StatusRow.category).where(StatusRow.key.in_((event.old, event.new)))
        ).all()
    )  # the two statuses of this change, not the whole table on every status change
    reopened = categories.get(event.old) is StatusCategory.DONE and categories.get(event.new) is StatusCategory.OPEN
    if reopened and uow.session.scalar(select(Ticket.assignee_id).where(Ticket.id == event.ticket_id)) is None:
        route(uow, event.ticket_id, "reopen")


def visible_queues_by_urgency() -> Any:
    """The caller's queues, the one whose claimable ticket is due soonest first (for "get next"): claimable
    as `claim_next_ticket()` has it (unassigned, not merged, a working status of the open category), so the
    soonest is the first entry of `ix_ticket_claimable` for the queue, not a scan of its 125,000 tickets."""
    due = (
        select(func.min(Ticket.sla_due_at))
        .where(
            Ticket.queue_id == QueueMember.queue_id,
            Ticket.assignee_id.is_(None),
            Ticket.merged_into_id.is_(None),
            Ticket.status.in_(working_status_literals()),
            Ticket.status.in_(_open_status_keys()),
        )
        .correlate(QueueMember)
        .scalar_subquery()
    )
    return (
        select(QueueMember.queue_id)
        .where(QueueMember.agent_id == identity.current_agent_id())
        .order_by(due.nulls_last(), QueueMember.queue_id)
    )


def hand_back(uow: UnitOfWork, ticket_id: int, reason: str) -> Decision | None:
    """The assignee gives the ticket back to routing, saying why; it goes to someone else or waits."""
    return route(uow, ticket_id, "handback", reason=reason)


def reroute(uow: UnitOfWork, ticket_id: int, reason: str, *, to_agent: int | None = None) -> Decision | None:
    """A queue's lead routes a ticket again (to whoever routing picks, or to `to_agent` if they qualify),
    saying why; recorded as a decision like any other."""
    if to_agent is None:
        return route(uow, ticket_id, "supervisor", reason=reason)
    chosen = Decision(ticket_id, to_agent, (), (), (), 0)
    outcome = _carry_out(uow, chosen, "supervisor", reason)
    if outcome not in ("done", "taken"):
        raise InvalidInput(f"That agent cannot take the ticket: {outcome}")
    return chosen
