"""The supervisor view's data (`desk.supervision`): the escalation board, the team's load and SLA
compliance, each read through the caller's own row-level security — a team lead sees the queues they lead
and work, an admin every queue. An agent is refused before anything is read (the view is for leads), but
the database is what limits what a lead sees.

- **The board**: open tickets whose earliest running clock (`sla_due_at`) is breached or falls due within
  the horizon, soonest first — one range scan of the partial index over working tickets by due time —
  with the highest escalation step the sweep took.
- **Team load**: per agent of those queues, open tickets against capacity, availability, the oldest open
  ticket and today's breach marks.
- **Compliance**: each first response and resolution met or breached per day and queue, replayed from the
  ledgers by the same pure clock functions that give the due times (a breach the sweep never saw, because
  the ticket was answered within its minute, still counts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import BindParameter, any_, bindparam, func, or_, select

from app.models import Agent, Customer, Queue, QueueMember, SlaLedgerEntry, SlaStep, Ticket
from app.models.ticket import WORKING_STATUSES
from app.services.errors import NotPermitted
from app.services.platform.actor import Actor
from app.services.platform.database import identity
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.sla.clocks import Entry, Target
from app.services.sla.dto import (
    AgentLoad,
    BoardRow,
    BoardState,
    ComplianceCount,
    SlaAlert,
    SlaAlerts,
    SupervisorOverview,
)
from app.services.sla.ledger import accounts_for, clocks_of, ledger_events, load_book
from app.services.sla.policy import WARN_LEVEL
from app.vocabulary import AgentRole

if TYPE_CHECKING:
    from app.services.sla.admin_area import SlaAdmin

BOARD_HORIZON = dt.timedelta(hours=8)
BOARD_LIMIT = 500
COMPLIANCE_DAYS = 28
COMPLIANCE_LIMIT = 20_000  # tickets replayed at most (the most recently finished first)
LEADS = (AgentRole.SUPERVISOR, AgentRole.ADMIN)


# The seeded working statuses as literals, so the planner proves the partial index (ticket.py).
def _working() -> BindParameter[str]:
    return bindparam("working", list(WORKING_STATUSES), expanding=True, literal_execute=True, unique=True)


def escalation_board(
    uow: UnitOfWork, *, horizon: dt.timedelta = BOARD_HORIZON, limit: int = BOARD_LIMIT
) -> list[BoardRow]:
    """Breached and soon-due open tickets the caller sees, soonest due first."""
    now = uow.now()
    level = select(func.max(SlaStep.level)).where(SlaStep.ticket_id == Ticket.id).scalar_subquery()
    rows = uow.session.execute(
        select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Queue.name,
            Ticket.priority,
            Agent.display_name,
            Ticket.sla_due_at,
            level.label("level"),
        )
        .join(Queue, Queue.id == Ticket.queue_id)
        .join(Agent, Agent.id == Ticket.assignee_id, isouter=True)
        .where(
            Ticket.status.in_(_working()),
            Ticket.merged_into_id.is_(None),
            Ticket.sla_due_at.is_not(None),
            Ticket.sla_due_at <= now + horizon,
        )
        .order_by(Ticket.sla_due_at, Ticket.id)
        .limit(limit)
    ).all()
    board = []
    for ticket_id, number, subject, queue, priority, assignee, due_at, step in rows:
        if due_at <= now:
            state = BoardState.BREACHED
        elif step is not None and step >= WARN_LEVEL:
            state = BoardState.WARNED
        else:
            state = BoardState.DUE_SOON
        board.append(BoardRow(ticket_id, number, subject, queue, priority.label, assignee, due_at, state, step))
    return board


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
        select(Agent.id, Agent.display_name, Agent.availability, Agent.capacity).where(
            Agent.is_active, Agent.id.in_(members)
        )
    ).all()
    ids = [agent_id for agent_id, *_ in agents]
    if not ids:
        return []
    loads = {
        agent_id: (count, oldest)
        for agent_id, count, oldest in uow.session.execute(
            select(Ticket.assignee_id, func.count(), func.min(Ticket.created_at))
            .where(Ticket.assignee_id.in_(ids), Ticket.status.in_(_working()), Ticket.merged_into_id.is_(None))
            .group_by(Ticket.assignee_id)
        ).all()
    }
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    breaches = dict(
        uow.session.execute(
            select(Ticket.assignee_id, func.count())
            .join(SlaLedgerEntry, SlaLedgerEntry.ticket_id == Ticket.id)
            .where(
                Ticket.assignee_id.in_(ids),
                SlaLedgerEntry.entry == Entry.BREACH.value,
                SlaLedgerEntry.at >= midnight,
            )
            .group_by(Ticket.assignee_id)
        ).all()
    )
    team = [
        AgentLoad(
            agent_id=agent_id,
            name=name,
            availability=str(availability),
            open_tickets=int(loads.get(agent_id, (0, None))[0]),
            capacity=int(capacity),
            oldest_open_at=loads.get(agent_id, (0, None))[1],
            breaches_today=int(breaches.get(agent_id, 0)),
        )
        for agent_id, name, availability, capacity in agents
    ]
    return sorted(team, key=lambda a: (-a.open_tickets / max(a.capacity, 1), a.name))


def compliance(uow: UnitOfWork, *, days: int = COMPLIANCE_DAYS, limit: int = COMPLIANCE_LIMIT) -> list[ComplianceCount]:
    """First responses and resolutions fulfilled in the last `days`, met or breached, per day and queue."""
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
    counts: Counter[tuple[dt.date, str, str, bool]] = Counter()
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
                counts[(day, queue, target.value, bool(c.met))] += 1
    keys = sorted({(day, queue, target) for day, queue, target, _met in counts})
    return [
        ComplianceCount(day, queue, target, counts[(day, queue, target, True)], counts[(day, queue, target, False)])
        for day, queue, target in keys
    ]


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

    def _require_lead(self) -> None:
        if not self.allowed:
            raise NotPermitted("The supervisor view is for team leads and admins.")
