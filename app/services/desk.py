"""The help desk as the desktop client sees it: one object with plain methods, each its own unit of
work, returning frozen values. The views call it from background threads only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import any_, func, select, text

from app.models import Agent, AgentPreference, AuditEvent, Queue, Ticket, TicketTally
from app.models import TicketStatus as StatusRow
from app.models.enums import Priority, StatusCategory
from app.models.tally import NOBODY
from app.services.tickets import queries, service
from app.services.tickets.dto import TicketChanged, TicketDetail, TicketSummary
from app.services.uow import Actor, UnitOfWork


class UnitOfWorkSource(Protocol):
    def uow(self) -> UnitOfWork: ...


VIEW_PREFIX = "view:"


@dataclass(frozen=True)
class DeskView:
    """An entry of the navigation: a filter and a sort (its count comes separately, see `counts`)."""

    key: str
    label: str
    ticket_filter: queries.TicketFilter
    sort: queries.SortOrder = queries.SortOrder.SLA_DUE
    saved: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: dt.datetime
    actor: str
    action: str
    field: str | None
    old_value: Any
    new_value: Any


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Vocabulary:
    """What the editor's drop-downs offer: statuses (with category), queues, agents."""

    statuses: tuple[tuple[str, str, str], ...]
    queues: tuple[Choice, ...]
    agents: tuple[Choice, ...]
    priorities: tuple[str, ...] = field(default=tuple(p.label for p in Priority))


class HelpDesk:
    """Attributes:
    runtime: the signed-in runtime (engine and session factory) every call uses.
    """

    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self.runtime = runtime
        with runtime.uow() as uow:
            self.me: Actor = uow.actor

    def ping(self) -> None:
        with self.runtime.uow() as uow:
            uow.session.execute(text("SELECT 1"))

    def vocabulary(self) -> Vocabulary:
        with self.runtime.uow() as uow:
            statuses = uow.session.execute(
                select(StatusRow.key, StatusRow.label, StatusRow.category).order_by(StatusRow.position)
            ).all()
            queues = uow.session.execute(select(Queue.id, Queue.name).order_by(Queue.name)).all()
            agents = uow.session.execute(
                select(Agent.id, Agent.display_name).where(Agent.is_active).order_by(Agent.display_name)
            ).all()
        return Vocabulary(
            tuple((k, label, str(category)) for k, label, category in statuses),
            tuple(Choice(str(i), n) for i, n in queues),
            tuple(Choice(str(i), n) for i, n in agents),
        )

    def views(self) -> list[DeskView]:
        """My tickets, each visible queue, Unassigned, Waiting, All open, then saved views. Without counts:
        the first screen must not wait for them (see `counts`)."""
        with self.runtime.uow() as uow:
            open_statuses = _statuses_in(uow, StatusCategory.OPEN, StatusCategory.PAUSED)
            working = tuple(s for s in open_statuses)
            waiting = _statuses_in(uow, StatusCategory.PAUSED)
            visible_queues = uow.session.execute(
                select(Queue.id, Queue.name)
                .where(Queue.id == any_(func.switchboard.visible_queue_ids()))
                .order_by(Queue.name)
            ).all()
            entries = [
                DeskView("mine", "My tickets", queries.TicketFilter(statuses=working, assignee_id=self.me.agent_id))
            ]
            entries += [
                DeskView(f"queue:{qid}", name, queries.TicketFilter(statuses=working, queue_id=qid))
                for qid, name in visible_queues
            ]
            entries += [
                DeskView("unassigned", "Unassigned", queries.TicketFilter(statuses=working, unassigned=True)),
                DeskView("waiting", "Waiting", queries.TicketFilter(statuses=waiting)),
                DeskView("open", "All open", queries.TicketFilter(statuses=working)),
            ]
            return entries + _saved_views(uow, self.me.agent_id)

    def counts(self, views: list[DeskView]) -> dict[str, int]:
        """How many tickets each view holds now, through this login's permissions."""
        with self.runtime.uow() as uow:
            return {view.key: _count(uow, view) for view in views}

    def page(self, view: DeskView, after: queries.PageCursor | None, limit: int = 100) -> queries.TicketPage:
        with self.runtime.uow() as uow:
            return queries.list_tickets(uow, ticket_filter=view.ticket_filter, sort=view.sort, after=after, limit=limit)

    def summaries(self, ticket_ids: list[int]) -> list[TicketSummary]:
        """The tickets among these ids this login may see, as they are now."""
        with self.runtime.uow() as uow:
            rows = uow.session.execute(queries.summary_select().where(Ticket.id.in_(ticket_ids)))
            return [queries.to_summary(*row) for row in rows]

    def ticket(self, ticket_id: int) -> TicketDetail:
        with self.runtime.uow() as uow:
            return queries.get_ticket(uow, ticket_id=ticket_id)

    def history(self, ticket_id: int) -> list[HistoryEntry]:
        with self.runtime.uow() as uow:
            rows = uow.session.execute(
                select(AuditEvent, Agent.display_name)
                .outerjoin(Agent, Agent.id == AuditEvent.actor_agent_id)
                .where(AuditEvent.ticket_id == ticket_id)
                .order_by(AuditEvent.id.desc())
            ).all()
            return [
                HistoryEntry(e.occurred_at, name or e.actor_login, e.action, e.field, e.old_value, e.new_value)
                for e, name in rows
            ]

    def reply(self, ticket_id: int, body: str, expected_version: int, then_status: str | None = None) -> TicketChanged:
        return self._write(
            lambda uow: service.reply(
                uow, ticket_id=ticket_id, body=body, expected_version=expected_version, then_status=then_status
            )
        )

    def note(self, ticket_id: int, body: str, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.add_note(uow, ticket_id=ticket_id, body=body, expected_version=expected_version)
        )

    def change_status(self, ticket_id: int, status: str, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.change_status(
                uow, ticket_id=ticket_id, status=status, expected_version=expected_version
            )
        )

    def assign(self, ticket_id: int, assignee_id: int | None, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.assign(
                uow, ticket_id=ticket_id, assignee_id=assignee_id, expected_version=expected_version
            )
        )

    def update_fields(self, ticket_id: int, changes: service.FieldChanges, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.update_fields(
                uow, ticket_id=ticket_id, changes=changes, expected_version=expected_version
            )
        )

    def save_view(self, label: str, view: DeskView) -> None:
        value = {"label": label, "filter": _filter_json(view.ticket_filter), "sort": view.sort.value}
        with self.runtime.uow() as uow:
            uow.session.merge(AgentPreference(agent_id=self.me.agent_id, key=f"{VIEW_PREFIX}{label}", value=value))
            uow.commit()

    def announce(self, ticket_id: int, state: str) -> None:
        """Tell colleagues this agent is viewing or typing in a ticket (or left it). The database records it
        under the signed-in login, so nobody can speak for a colleague."""
        with self.runtime.uow() as uow:
            uow.session.execute(
                text("SELECT switchboard.announce_presence(:ticket, :state)"), {"ticket": ticket_id, "state": state}
            )
            uow.commit()

    def _write(self, action: Any) -> TicketChanged:
        with self.runtime.uow() as uow:
            result: TicketChanged = action(uow)
            uow.commit()
            return result


def _statuses_in(uow: Any, *categories: StatusCategory) -> tuple[str, ...]:
    rows = uow.session.scalars(
        select(StatusRow.key).where(StatusRow.category.in_(categories)).order_by(StatusRow.position)
    )
    return tuple(rows)


def _count(uow: Any, view: DeskView) -> int:
    """From the tally (a sum over a few rows) when the view filters only by status, queue and assignee;
    otherwise a count over the matching tickets."""
    f = view.ticket_filter
    if f.priorities or f.tag or f.text or f.include_merged:
        return int(uow.session.scalar(queries.apply_filter(select(func.count()).select_from(Ticket), f)) or 0)
    query = select(func.coalesce(func.sum(TicketTally.tickets), 0))
    if f.statuses:
        query = query.where(TicketTally.status.in_(f.statuses))
    if f.queue_id is not None:
        query = query.where(TicketTally.queue_id == f.queue_id)
    if f.assignee_id is not None:
        query = query.where(TicketTally.assignee_id == f.assignee_id)
    if f.unassigned:
        query = query.where(TicketTally.assignee_id == NOBODY)
    return int(uow.session.scalar(query) or 0)


def _saved_views(uow: Any, agent_id: int) -> list[DeskView]:
    rows = uow.session.scalars(
        select(AgentPreference).where(AgentPreference.agent_id == agent_id, AgentPreference.key.startswith(VIEW_PREFIX))
    )
    views = []
    for row in rows:
        data = row.value
        views.append(
            DeskView(
                row.key,
                data["label"],
                _filter_from_json(data["filter"]),
                queries.SortOrder(data.get("sort", "sla_due")),
                saved=True,
            )
        )
    return views


def _filter_json(f: queries.TicketFilter) -> dict[str, Any]:
    return {
        "statuses": list(f.statuses),
        "queue_id": f.queue_id,
        "assignee_id": f.assignee_id,
        "unassigned": f.unassigned,
        "priorities": [int(p) for p in f.priorities],
        "tag": f.tag,
    }


def _filter_from_json(data: dict[str, Any]) -> queries.TicketFilter:
    return queries.TicketFilter(
        statuses=tuple(data.get("statuses", ())),
        queue_id=data.get("queue_id"),
        assignee_id=data.get("assignee_id"),
        unassigned=bool(data.get("unassigned")),
        priorities=tuple(Priority(p) for p in data.get("priorities", ())),
        tag=data.get("tag"),
    )
