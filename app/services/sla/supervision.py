"""The supervisor view's data (`desk.supervision`): the escalation board, the team's load and SLA
compliance, each read through the caller's own row-level security — a team lead sees the queues they lead
and work, an admin every queue. An agent is refused before anything is read (the view is for leads), but
the database is what limits what a lead sees.

- **The board**: open tickets whose earliest running clock (`sla_due_at`) is breached or falls due within
  the horizon — one range scan of the partial index over working tickets by due time — with the highest
  escalation step the sweep took and who acknowledged it, ranked by predicted breach: business minutes
  left against the typical handling of similar tickets (`app.services.sla.prediction`).
- **Team load**: per agent of those queues, open tickets against capacity, availability, the oldest open
  ticket and today's breach marks.
- **Compliance**: each first response and resolution met or breached per day and queue, replayed from the
  ledgers by the same pure clock functions that give the due times (a breach the sweep never saw, because
  the ticket was answered within its minute, still counts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, any_, func, or_, select
from sqlalchemy.orm import aliased

from app.models import (
    Agent,
    Customer,
    EscalationAck,
    Queue,
    QueueMember,
    SlaLedgerEntry,
    SlaStep,
    SlaTypical,
    Ticket,
)
from app.models.ticket import working_status_literals
from app.services.errors import InvalidInput, NotPermitted
from app.services.platform.actor import Actor
from app.services.platform.database import identity
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.routing import engine as routing_engine
from app.services.routing.scoring import presence, zone_or_utc
from app.services.sla.calendar import ALWAYS
from app.services.sla.clocks import Entry, Target
from app.services.sla.dto import (
    Acknowledgement,
    AgentLoad,
    BoardRow,
    BoardState,
    ComplianceCount,
    SlaAlert,
    SlaAlerts,
    SupervisorOverview,
)
from app.services.sla.ledger import SlaBook, accounts_for, clocks_of, ledger_events, load_book
from app.services.sla.policy import WARN_LEVEL, TicketTerms
from app.services.sla.prediction import predict
from app.services.tickets import service
from app.services.tickets.dto import TicketChanged
from app.vocabulary import AgentRole

if TYPE_CHECKING:
    from app.services.sla.admin_area import SlaAdmin

BOARD_HORIZON = dt.timedelta(hours=8)
BOARD_LIMIT = 500
COMPLIANCE_DAYS = 28
COMPLIANCE_LIMIT = 20_000  # tickets replayed at most (the most recently finished first)
LEADS = (AgentRole.SUPERVISOR, AgentRole.ADMIN)
NOT_A_LEAD = "The supervisor view is for team leads and admins."


def with_predictions(tickets: Any, *columns: Any) -> Select[Any]:
    """`tickets` (a CTE with each ticket's id, queue_id, priority, type and customer_id) with what the board's
    ranking needs beside them: the queue's name, the customer's organisation (policies may ask for it), the
    typical handling times of similar tickets in business minutes (`sla_typical`, kept by the worker: see
    `app.services.sla.typical`) and the acknowledgement, and `columns`; one statement for the escalation
    board and for `switchboard escalations`."""
    acknowledger = aliased(Agent)
    return (
        select(
            tickets,
            Queue.name.label("queue"),
            *columns,
            Customer.organisation_id,
            SlaTypical.first_minutes.label("first"),
            SlaTypical.resolution_minutes.label("resolution"),
            EscalationAck.level.label("ack_level"),
            EscalationAck.acknowledged_at,
            acknowledger.display_name.label("acknowledged_by"),
        )
        .join(Queue, Queue.id == tickets.c.queue_id)
        .join(Customer, Customer.id == tickets.c.customer_id, isouter=True)
        .join(
            SlaTypical,
            (SlaTypical.queue_id == tickets.c.queue_id)
            & (SlaTypical.priority == tickets.c.priority)
            & (SlaTypical.type == tickets.c.type),
            isouter=True,
        )
        .join(EscalationAck, EscalationAck.ticket_id == tickets.c.id, isouter=True)
        .join(acknowledger, acknowledger.id == EscalationAck.acknowledged_by, isouter=True)
    )


def escalation_board(
    uow: UnitOfWork, *, horizon: dt.timedelta = BOARD_HORIZON, limit: int = BOARD_LIMIT, book: SlaBook | None = None
) -> list[BoardRow]:
    """Breached and soon-due open tickets the caller sees, ranked by predicted breach (see
    `app.services.sla.prediction`: business minutes left against the typical handling of similar tickets).

    One statement reads the rows: the `limit` soonest-due open tickets (a range scan of the partial index
    over working tickets by due time), with the typical handling of their (queue, priority, type) — the
    median business minutes of the last 200 similar tickets met in the last 4 weeks, which the worker keeps
    in `sla_typical` — and the acknowledgement;
    the policy book (its own three small reads, however many rows) says which calendar counts each one."""
    now = uow.now()
    level = select(func.max(SlaStep.level)).where(SlaStep.ticket_id == Ticket.id).scalar_subquery()
    board = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.queue_id,
            Ticket.priority,
            Ticket.type,
            Ticket.channel,
            Ticket.tags,
            Ticket.customer_id,
            Ticket.assignee_id,
            Ticket.version,
            Ticket.created_at,
            Ticket.sla_due_at,
            Ticket.first_response_due_at,
            Ticket.next_response_due_at,
            level.label("level"),
        )
        .where(
            Ticket.status.in_(working_status_literals()),
            Ticket.merged_into_id.is_(None),
            Ticket.sla_due_at.is_not(None),
            Ticket.sla_due_at <= now + horizon,
        )
        .order_by(Ticket.sla_due_at, Ticket.id)
        .limit(limit)
        .cte("board")
    )
    rows = uow.session.execute(
        with_predictions(board, Agent.display_name.label("assignee")).join(
            Agent, Agent.id == board.c.assignee_id, isouter=True
        )
    ).all()
    book = book or load_book(uow)
    accounts = accounts_for(uow, book, {r.customer_id for r in rows})  # nothing read unless a policy asks
    ranked = []
    for r in rows:
        due_at: dt.datetime = r.sla_due_at
        if due_at <= now:
            state = BoardState.BREACHED
        elif r.level is not None and r.level >= WARN_LEVEL:
            state = BoardState.WARNED
        else:
            state = BoardState.DUE_SOON
        target = _due_target(due_at, r.first_response_due_at, r.next_response_due_at)
        typical_minutes = r.resolution if target is Target.RESOLUTION else r.first
        policy = book.choose(row_terms(r, accounts.get(r.customer_id)))
        calendar = book.calendar(policy, now) if policy is not None else ALWAYS
        guess = predict(
            due_at=due_at,
            created_at=r.created_at,
            typical_minutes=None if typical_minutes is None else round(float(typical_minutes), 1),
            calendar=calendar,
            now=now,
        )
        acknowledged = r.ack_level is not None and r.ack_level >= (-1 if r.level is None else r.level)
        row = BoardRow(
            r.id,
            r.number,
            r.subject,
            r.queue,
            r.priority.label,
            r.assignee,
            due_at,
            state,
            r.level,
            target=target.value,
            minutes_left=guess.minutes_left,
            typical_minutes=guess.typical_minutes,
            margin=guess.margin,
            risk=guess.risk,
            past_typical=guess.past_typical,
            acknowledged_by=(r.acknowledged_by or "someone no longer on the desk") if acknowledged else None,
            acknowledged_at=r.acknowledged_at if acknowledged else None,
            version=r.version,
            assignee_id=r.assignee_id,
            queue_id=r.queue_id,
        )
        ranked.append((guess.rank_key(due_at, r.id), row))
    ranked.sort(key=lambda pair: pair[0])
    return [row for _key, row in ranked]


def row_terms(row: Any, account: Mapping[str, str] | None) -> TicketTerms:
    """What the policies match on, for a board row (as `ledger.terms_of` for a ticket)."""
    account = account or {}
    return TicketTerms(
        queue_id=row.queue_id,
        priority=row.priority,
        type=str(row.type),
        channel=str(row.channel),
        tags=frozenset(row.tags or ()),
        organisation_id=row.organisation_id,
        tier=account.get("tier"),
        account=account,
    )


def _due_target(due_at: dt.datetime, first: dt.datetime | None, following: dt.datetime | None) -> Target:
    """Which clock the ticket's earliest due time belongs to (first response wins a tie)."""
    if first is not None and first == due_at:
        return Target.FIRST_RESPONSE
    if following is not None and following == due_at:
        return Target.NEXT_RESPONSE
    return Target.RESOLUTION


def team_load(uow: UnitOfWork) -> list[AgentLoad]:
    """The active agents of the queues the caller sees, busiest first."""
    now = uow.now()
    members = (
        select(QueueMember.agent_id)
        .where(QueueMember.queue_id == any_(identity.visible_queue_ids()))
        .distinct()
        .scalar_subquery()
    )
    agents = uow.session.execute(
        select(
            Agent.id,
            Agent.display_name,
            Agent.availability,
            Agent.capacity,
            Agent.shift,
            Agent.time_zone,
            Agent.out_of_office_until,
        ).where(Agent.is_active, Agent.id.in_(members))
    ).all()
    ids = [agent_id for agent_id, *_ in agents]
    if not ids:
        return []
    loads = {
        agent_id: (count, oldest)
        for agent_id, count, oldest in uow.session.execute(
            select(Ticket.assignee_id, func.count(), func.min(Ticket.created_at))
            .where(
                Ticket.assignee_id.in_(ids),
                Ticket.status.in_(working_status_literals()),
                Ticket.merged_into_id.is_(None),
            )
            .group_by(Ticket.assignee_id)
        ).all()
    }
    routing_loads = {  # routing's own count, from routing (`queue_loads()`), never a copy of its rule
        agent_id: load
        for queue_id in uow.session.scalars(select(Queue.id).where(Queue.id == any_(identity.visible_queue_ids())))
        for agent_id, (load, _last) in routing_engine.queue_loads(uow, queue_id).items()
    }
    midnight = _local_midnight(uow, now)
    breaches = dict(  # on whoever held the ticket at the breach, not on a colleague it went to afterwards
        uow.session.execute(
            select(SlaLedgerEntry.assignee_id, func.count())
            .where(
                SlaLedgerEntry.assignee_id.in_(ids),
                SlaLedgerEntry.entry == Entry.BREACH.value,
                SlaLedgerEntry.at >= midnight,
                SlaLedgerEntry.at < midnight + dt.timedelta(days=1),
            )
            .group_by(SlaLedgerEntry.assignee_id)
        ).all()
    )
    team = [
        AgentLoad(
            agent_id=agent_id,
            name=name,
            availability=presence(availability, shift, time_zone, away_until, now),
            open_tickets=int(loads.get(agent_id, NO_LOAD)[0]),
            capacity=int(capacity),
            oldest_open_at=loads.get(agent_id, NO_LOAD)[1],
            breaches_today=int(breaches.get(agent_id, 0)),
            routing_load=routing_loads.get(agent_id, 0),
        )
        for agent_id, name, availability, capacity, shift, time_zone, away_until in agents
    ]
    return sorted(team, key=lambda a: (-a.load_share, -a.open_tickets, a.name))


NO_LOAD: tuple[int, dt.datetime | None] = (0, None)


def _local_midnight(uow: UnitOfWork, now: dt.datetime) -> dt.datetime:
    """Today's start on the viewer's own clock (their agent's time zone; UTC for a session with no agent):
    "Breaches today" counted from UTC midnight, an hour into a Berlin lead's day and nine hours into a
    Sydney lead's."""
    zone = zone_or_utc(uow.session.scalar(select(Agent.time_zone).where(Agent.id == identity.current_agent_id())))
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def compliance(uow: UnitOfWork, *, days: int = COMPLIANCE_DAYS, limit: int = COMPLIANCE_LIMIT) -> list[ComplianceCount]:
    """First responses and resolutions fulfilled in the last `days`, met or breached, per day, queue and
    priority."""
    now = uow.now()
    since = now - dt.timedelta(days=days)
    rows = uow.session.execute(
        select(Ticket, Customer.organisation_id, Queue.name)
        .join(Customer, Customer.id == Ticket.customer_id, isouter=True)
        .join(Queue, Queue.id == Ticket.queue_id)
        .where(or_(Ticket.resolved_at >= since, Ticket.first_response_at >= since))
        .order_by(Ticket.id.desc())
        .limit(limit)
    ).all()
    if not rows:
        return []
    book = load_book(uow)
    counts: Counter[tuple[dt.date, str, str, str, bool]] = Counter()
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        ledgers = ledger_events(uow, [ticket.id for ticket, _org, _queue in chunk])
        accounts = accounts_for(uow, book, [ticket.customer_id for ticket, _org, _queue in chunk])
        for ticket, organisation_id, queue in chunk:
            account = accounts.get(ticket.customer_id)
            state = clocks_of(book, ticket, organisation_id, ledgers[ticket.id], now, account)
            for target in (Target.FIRST_RESPONSE, Target.RESOLUTION):
                c = state.clocks.get(target)
                if c is None or c.fulfilled_at is None or c.fulfilled_at < since:
                    continue
                day = c.fulfilled_at.astimezone(state.calendar.zone).date()
                counts[(day, queue, ticket.priority.label, target.value, bool(c.met))] += 1
    keys = sorted({key[:4] for key in counts})
    return [
        ComplianceCount(
            day,
            queue,
            target,
            counts[(day, queue, priority, target, True)],
            counts[(day, queue, priority, target, False)],
            priority,
        )
        for day, queue, priority, target in keys
    ]


# --- acting on the board ----------------------------------------------------------------------------------


def acknowledge(uow: UnitOfWork, ticket_id: int) -> Acknowledgement:
    """Acknowledge the ticket's escalation as it stands (`acknowledge_escalation()`: a team lead of its
    queue or an admin; idempotent per level; audited in the ticket's history)."""
    recorded = bool(uow.session.scalar(select(func.switchboard.acknowledge_escalation(ticket_id))))
    number, level, name, login, at = uow.session.execute(
        select(Ticket.number, EscalationAck.level, Agent.display_name, Agent.db_login, EscalationAck.acknowledged_at)
        .join(Ticket, Ticket.id == EscalationAck.ticket_id)
        .join(Agent, Agent.id == EscalationAck.acknowledged_by, isouter=True)
        .where(EscalationAck.ticket_id == ticket_id)
    ).one()
    return Acknowledgement(ticket_id, number, level, name or login, at, recorded)


def reassign(
    uow: UnitOfWork, ticket_id: int, *, assignee_id: int | None, reason: str, expected_version: int | None
) -> TicketChanged:
    """The ordinary assign path (the database decides who may), and an internal note saying why, in the
    caller's one unit of work: both or neither."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the ticket is reassigned (the reason goes into an internal note).")
    changed = service.assign(uow, ticket_id=ticket_id, assignee_id=assignee_id, expected_version=expected_version)
    to = "nobody" if assignee_id is None else changed.ticket.assignee_name or f"agent {assignee_id}"
    return service.add_note(uow, ticket_id=ticket_id, body=f"Reassigned to {to}: {reason}", expected_version=None)


def assignees(uow: UnitOfWork, ticket_id: int) -> list[tuple[int, str]]:
    """Who may hold the ticket (`works_queue`): the active members of its queue and its team lead."""
    queue_id = select(Ticket.queue_id).where(Ticket.id == ticket_id).scalar_subquery()
    members = select(QueueMember.agent_id).where(QueueMember.queue_id == queue_id)
    lead = select(Queue.team_lead_id).where(Queue.id == queue_id)
    rows = uow.session.execute(
        select(Agent.id, Agent.display_name)
        .where(Agent.is_active, or_(Agent.id.in_(members), Agent.id.in_(lead)))
        .order_by(Agent.display_name, Agent.id)
    ).all()
    return [(agent_id, name) for agent_id, name in rows]


ALERT_LOOKBACK = dt.timedelta(days=1)  # a step's due time is at most this long before it was taken
ALERT_LIMIT = 50
ALERT_OVERLAP = dt.timedelta(minutes=1)


def my_alerts(uow: UnitOfWork, after: dt.datetime) -> list[SlaAlert]:
    """Warnings and steps taken after `after` on tickets assigned to the signed-in agent, oldest first. A
    step's due time is never after it was taken, so the index on due times bounds the scan."""
    rows = uow.session.execute(
        select(
            SlaStep,
            Ticket.number,
            Ticket.subject,
            Ticket.first_response_due_at,
            Ticket.next_response_due_at,
            Ticket.resolution_due_at,
        )
        .join(Ticket, Ticket.id == SlaStep.ticket_id)
        .where(
            SlaStep.due_at > after - ALERT_LOOKBACK,
            SlaStep.done_at > after,
            Ticket.assignee_id == identity.current_agent_id(),
        )
        .order_by(SlaStep.done_at, SlaStep.ticket_id, SlaStep.level)
        .limit(ALERT_LIMIT)
    ).all()
    alerts = []
    for step, number, subject, first, following, resolution in rows:
        due = {"first_response": first, "next_response": following, "resolution": resolution}.get(step.target)
        alerts.append(SlaAlert(step.ticket_id, number, subject, step.target, step.level, step.action, due))
    return alerts


def require_lead(uow: UnitOfWork) -> None:
    """The supervisor view's figures are for team leads and admins (and a trusted session: IT's monitoring
    runs `switchboard escalations --json` as the worker's login): an agent is told so, from the CLI as from
    the desktop. The CLI gave an agent the team's load and breaches, which her desktop refuses her."""
    role = uow.session.scalar(select(identity.current_agent_role()))
    if role not in {lead.value for lead in LEADS}:
        raise NotPermitted(NOT_A_LEAD)


class Supervision(SpeaksDomainErrors):
    """The desk's SLA area: the supervisor view for team leads and admins (an agent is told so), and
    every agent's own SLA alerts (the tray)."""

    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    @property
    def allowed(self) -> bool:
        return self.me.role in LEADS

    @property
    def sla_admin(self) -> SlaAdmin:
        from app.services.sla.admin_area import SlaAdmin

        return SlaAdmin(self.runtime, self.me)

    def overview(self) -> SupervisorOverview:
        """The board, the team and the compliance of the queues the caller sees, as of one moment."""
        self._require_lead()
        with self.runtime.uow() as uow:
            queues = tuple(
                uow.session.scalars(
                    select(Queue.name).where(Queue.id == any_(identity.visible_queue_ids())).order_by(Queue.name)
                )
            )
            return SupervisorOverview(
                as_of=uow.now(),
                board=tuple(escalation_board(uow)),
                team=tuple(team_load(uow)),
                compliance=tuple(compliance(uow)),
                queues=queues,
                nobody=tuple(routing_engine.waiting_for_nobody(uow)),
            )

    def alerts(self, after: dt.datetime | None) -> SlaAlerts:
        """For every agent, not only leads: the warnings and escalation steps on one's own tickets since
        `after` (none on the first call, which only says from when to ask)."""
        with self.runtime.uow() as uow:
            now = uow.now()
            found = () if after is None else tuple(my_alerts(uow, after))
            # A sweep's steps carry its transaction's start: one that began a little before now may commit
            # after. Ask again from a minute back; the caller drops what it has already shown.
            return SlaAlerts(now - ALERT_OVERLAP, found)

    def board(self) -> list[BoardRow]:
        self._require_lead()
        with self.runtime.uow() as uow:
            return escalation_board(uow)

    def acknowledge(self, ticket_id: int) -> Acknowledgement:
        """Acknowledge a ticket's escalation (a lead of its queue or an admin; the database decides)."""
        with self.runtime.uow() as uow:
            done = acknowledge(uow, ticket_id)
            uow.commit()
            return done

    def reassign(self, ticket_id: int, assignee_id: int | None, reason: str, expected_version: int) -> TicketChanged:
        """Assign to someone else with a reason, kept as an internal note (one transaction)."""
        with self.runtime.uow() as uow:
            changed = reassign(
                uow, ticket_id, assignee_id=assignee_id, reason=reason, expected_version=expected_version
            )
            uow.commit()
            return changed

    def comment(self, ticket_id: int, body: str) -> TicketChanged:
        """An internal note on the ticket, from the board."""
        with self.runtime.uow() as uow:
            changed = service.add_note(uow, ticket_id=ticket_id, body=body, expected_version=None)
            uow.commit()
            return changed

    def assignees(self, ticket_id: int) -> list[tuple[int, str]]:
        with self.runtime.uow() as uow:
            return assignees(uow, ticket_id)

    def _require_lead(self) -> None:
        if not self.allowed:
            raise NotPermitted(NOT_A_LEAD)
