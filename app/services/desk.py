"""The help desk as the desktop client sees it: one object with plain methods, each its own unit of
work, returning frozen values. The views call it from background threads only.

It is also where driver errors stop: every public method raises the domain's `KnownError`s (a dropped
connection is `DatabaseUnavailable`, a deadlock `DatabaseBusy`, …), translated as the CLI translates them,
so the views never see a SQLAlchemy or psycopg exception, and never its SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy import any_, func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import Agent, AgentPreference, AuditEvent, Queue, Ticket, TicketTally
from app.models import TicketStatus as StatusRow
from app.models.tally import NOBODY
from app.services.errors import KnownError
from app.services.platform.database.failures import describe_for_log, explain, first_line
from app.services.platform.uow import Actor, UnitOfWork
from app.services.tickets import queries, service
from app.services.tickets.dto import TicketChanged, TicketDetail, TicketSummary
from app.vocabulary import Priority, StatusCategory

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)


class UnitOfWorkSource(Protocol):
    def uow(self) -> UnitOfWork: ...


def speaks_domain_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Database errors leave as the domain's known errors, without the statement or its values; one that
    means nothing to a person is logged (values left out) and reported as the CLI reports it."""

    @functools.wraps(method)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except KnownError:
            raise
        except Exception as error:
            known = explain(error)
            if known is None and isinstance(error, DBAPIError):
                log.error("%s", describe_for_log(error))
                known = KnownError(f"The database refused the request: {first_line(error)}")
            if known is None:
                raise
            if isinstance(error, DBAPIError):
                raise known from None  # its text holds the statement and the values
            raise known from error

    return translated


def every_public_method_speaks_domain_errors(cls: C) -> C:
    """Applied once to the façade (and by `__init_subclass__` to its subclasses), so no method can leak a
    driver error."""
    for name, member in list(vars(cls).items()):
        if callable(member) and (name == "__init__" or not name.startswith("_")):
            setattr(cls, name, speaks_domain_errors(member))
    return cls


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


@every_public_method_speaks_domain_errors
class HelpDesk:
    """Attributes:
    runtime: the signed-in runtime (engine and session factory) every call uses.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass (a test's slow or broken desk) keeps the promise for the methods it overrides."""
        super().__init_subclass__(**kwargs)
        every_public_method_speaks_domain_errors(cls)

    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self.runtime = runtime
        with runtime.uow() as uow:
            self.me: Actor = uow.actor

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

    def edit_ticket(
        self, ticket_id: int, status: str | None, changes: service.FieldChanges, expected_version: int
    ) -> TicketChanged:
        """The header as one gesture: status and fields in one transaction."""
        return self._write(
            lambda uow: service.edit_ticket(
                uow, ticket_id=ticket_id, changes=changes, status=status, expected_version=expected_version
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
