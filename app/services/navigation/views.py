"""The sidebar's views, their counts and pages, saved views and the drop-downs' vocabulary, each call its
own unit of work through the signed-in login's permissions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ScalarSelect, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from app.models import Agent, AgentPreference, Queue, QueueMember, StatusTransition, Ticket, TicketTally
from app.models import TicketStatus as StatusRow
from app.models.tally import NOBODY
from app.services.errors import InvalidInput, NotFound
from app.services.navigation.dto import VIEW_PREFIX, AboutDesk, Choice, DeskView, FirstScreen, Vocabulary
from app.services.platform.actor import Actor
from app.services.platform.database import identity
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.tickets import queries
from app.services.tickets.dto import (
    PageCursor,
    SortOrder,
    TicketFilter,
    TicketPage,
    TicketPlaces,
    TicketSummary,
    text_words,
    ticket_number_in,
)
from app.vocabulary import Priority, StatusCategory, TransitionKind


class Navigation(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    def vocabulary(self) -> Vocabulary:
        with self.runtime.uow() as uow:
            return _vocabulary(uow)

    def views(self) -> list[DeskView]:
        """My tickets, each visible queue, Unassigned, Waiting, All open, then saved views. Without counts:
        the first screen must not wait for them (see `counts`)."""
        with self.runtime.uow() as uow:
            return self._views(uow)

    def first_screen(self, limit: int = 100) -> FirstScreen:
        """The views and the first pages a window starts with, in one unit of work (see `FirstScreen`)."""
        with self.runtime.uow() as uow:
            vocabulary = _vocabulary(uow)
            views = self._views(uow)
            mine = views[0]
            pages = {mine.key: _first_page(uow, mine, limit)}
            if not pages[mine.key].rows:  # the window then starts in "open"
                pages |= {view.key: _first_page(uow, view, limit) for view in views if view.key == "open"}
        return FirstScreen(tuple(views), pages, vocabulary)

    def _views(self, uow: UnitOfWork) -> list[DeskView]:
        working = _statuses_in(uow, StatusCategory.OPEN, StatusCategory.PAUSED)
        waiting = _statuses_in(uow, StatusCategory.PAUSED)
        visible_queues = uow.session.execute(
            select(Queue.id, Queue.name).where(Queue.id == any_(identity.visible_queue_ids())).order_by(Queue.name)
        ).all()
        entries = [DeskView("mine", "My tickets", TicketFilter(statuses=working, assignee_id=self.me.agent_id))]
        entries += [
            DeskView(f"queue:{qid}", name, TicketFilter(statuses=working, queue_id=qid)) for qid, name in visible_queues
        ]
        entries += [
            DeskView("unassigned", "Unassigned", TicketFilter(statuses=working, unassigned=True)),
            DeskView("waiting", "Waiting", TicketFilter(statuses=waiting)),
            DeskView("open", "All open", TicketFilter(statuses=working)),
        ]
        return entries + _saved_views(uow, self.me.agent_id)

    def counts(self, views: list[DeskView]) -> dict[str, int]:
        """How many tickets each view holds now, through this login's permissions: the views the tally
        answers in one statement (a round trip per view cost more than the sums), the rest one each."""
        tallied = [view for view in views if _tallied(view.ticket_filter)]
        with self.runtime.uow() as uow:
            counts = {view.key: _count(uow, view) for view in views if not _tallied(view.ticket_filter)}
            if tallied:
                sums = select(*(_tally_sum(view.ticket_filter).label(f"c{n}") for n, view in enumerate(tallied)))
                row = uow.reads().execute(sums).one()
                counts |= {view.key: int(row[n] or 0) for n, view in enumerate(tallied)}
            return {view.key: counts[view.key] for view in views}

    def page(self, view: DeskView, after: PageCursor | None, limit: int = 100) -> TicketPage:
        with self.runtime.uow() as uow:
            return queries.list_tickets(uow, ticket_filter=view.ticket_filter, sort=view.sort, after=after, limit=limit)

    def places(self, view: DeskView, after: PageCursor | None, limit: int = 1_000) -> TicketPlaces:
        """The view's next tickets as ids, sort values and versions only (the queue reads the rows it shows)."""
        with self.runtime.uow() as uow:
            return queries.list_ticket_places(
                uow, ticket_filter=view.ticket_filter, sort=view.sort, after=after, limit=limit
            )

    def summaries(self, ticket_ids: list[int]) -> list[TicketSummary]:
        """The tickets among these ids this login may see, as they are now (one array parameter, however
        many ids: a queue of 100,000 selected rows is one statement, not 100,000 parameters)."""
        if not ticket_ids:
            return []
        with self.runtime.uow() as uow:
            wanted = bindparam("ticket_ids", list(ticket_ids), type_=ARRAY(BigInteger))
            rows = uow.session.execute(queries.summary_select().where(Ticket.id == any_(wanted)))
            return [queries.to_summary(*row) for row in rows]

    def find(self, text: str, limit: int = 20) -> list[TicketSummary]:
        """Go to anything: the ticket a lone number names (merged or not), then the tickets whose number,
        subject, customer, address or organisation hold every word (as the filter box), latest update first;
        only what this login may see."""
        if not text_words(text):
            return []
        words = text_words(text)
        with self.runtime.uow() as uow:
            found: list[TicketSummary] = []
            if len(words) == 1 and (number := ticket_number_in(words[0])) is not None:
                rows = uow.session.execute(queries.summary_select().where(Ticket.number == number))
                found = [queries.to_summary(*row) for row in rows]
            page = queries.list_tickets(uow, ticket_filter=TicketFilter(text=text), sort=SortOrder.UPDATED, limit=limit)
            known = {ticket.id for ticket in found}
            return (found + [ticket for ticket in page.rows if ticket.id not in known])[:limit]

    def about(self) -> AboutDesk:
        """Help ▸ About: version, schema revisions, server."""
        from app.services.navigation.about import about_desk  # Help ▸ About only (issue 12)

        with self.runtime.uow() as uow:
            return about_desk(uow)

    def save_view(self, label: str, view: DeskView) -> None:
        """Kept under its name (the same name again replaces it): the filter whole — its words too — and
        the sort."""
        value = {"label": label, "filter": _filter_json(view.ticket_filter), "sort": view.sort.value}
        with self.runtime.uow() as uow:
            uow.session.merge(AgentPreference(agent_id=self.me.agent_id, key=f"{VIEW_PREFIX}{label}", value=value))
            uow.commit()

    def rename_view(self, key: str, label: str) -> None:
        """A saved view of mine under another name; refused when another of mine has that name."""
        label = label.strip()
        if not label:
            raise InvalidInput("A view needs a name.")
        with self.runtime.uow() as uow:
            row = uow.session.get(AgentPreference, (self.me.agent_id, key))
            if row is None or not key.startswith(VIEW_PREFIX):
                raise NotFound("That view is gone: it was deleted or renamed meanwhile.")
            new_key = f"{VIEW_PREFIX}{label}"
            if new_key != key and uow.session.get(AgentPreference, (self.me.agent_id, new_key)) is not None:
                raise InvalidInput(f"You have a view named {label!r} already: choose another name.")
            value = {**row.value, "label": label}
            uow.session.delete(row)
            uow.session.flush()
            uow.session.add(AgentPreference(agent_id=self.me.agent_id, key=new_key, value=value))
            uow.commit()

    def delete_view(self, key: str) -> None:
        """A saved view of mine goes (the built-in views are no preference and stay)."""
        if not key.startswith(VIEW_PREFIX):
            raise InvalidInput("Only a saved view can be deleted.")
        with self.runtime.uow() as uow:
            row = uow.session.get(AgentPreference, (self.me.agent_id, key))
            if row is not None:
                uow.session.delete(row)
            uow.commit()


def _vocabulary(uow: UnitOfWork) -> Vocabulary:
    statuses = uow.session.execute(
        select(StatusRow.key, StatusRow.label, StatusRow.category).order_by(StatusRow.position)
    ).all()
    queues = uow.session.execute(select(Queue.id, Queue.name, Queue.team_lead_id).order_by(Queue.name)).all()
    agents = uow.session.execute(
        select(Agent.id, Agent.display_name).where(Agent.is_active).order_by(Agent.display_name)
    ).all()
    moves = uow.session.execute(
        select(StatusTransition.from_status, StatusTransition.to_status).where(
            StatusTransition.kind == TransitionKind.CHANGE
        )
    ).all()
    members = uow.session.execute(select(QueueMember.queue_id, QueueMember.agent_id)).all()
    return Vocabulary(
        tuple((k, label, str(category)) for k, label, category in statuses),
        tuple(Choice(str(i), n) for i, n, _lead in queues),
        tuple(Choice(str(i), n) for i, n in agents),
        moves=tuple((str(a), str(b)) for a, b in moves),
        members=tuple((str(q), str(a)) for q, a in members),
        leads=tuple((str(q), str(lead)) for q, _n, lead in queues if lead is not None),
    )


def _first_page(uow: UnitOfWork, view: DeskView, limit: int) -> TicketPage:
    return queries.list_tickets(uow, ticket_filter=view.ticket_filter, sort=view.sort, limit=limit)


def _statuses_in(uow: UnitOfWork, *categories: StatusCategory) -> tuple[str, ...]:
    rows = uow.session.scalars(
        select(StatusRow.key).where(StatusRow.category.in_(categories)).order_by(StatusRow.position)
    )
    return tuple(rows)


def _count(uow: UnitOfWork, view: DeskView) -> int:
    """From the tally (a sum over a few rows) when the view filters only by status, queue and assignee;
    otherwise a count over the matching tickets."""
    f = view.ticket_filter
    if not _tallied(f):
        return int(uow.reads().scalar(queries.apply_filter(select(func.count()).select_from(Ticket), f)) or 0)
    return int(uow.reads().scalar(select(_tally_sum(f))) or 0)


def _tallied(f: TicketFilter) -> bool:
    return not (f.priorities or f.tag or f.text or f.include_merged)


def _tally_sum(f: TicketFilter) -> ScalarSelect[int]:
    query = select(func.coalesce(func.sum(TicketTally.tickets), 0))
    if f.statuses:
        query = query.where(TicketTally.status.in_(f.statuses))
    if f.queue_id is not None:
        query = query.where(TicketTally.queue_id == f.queue_id)
    if f.assignee_id is not None:
        query = query.where(TicketTally.assignee_id == f.assignee_id)
    if f.unassigned:
        query = query.where(TicketTally.assignee_id == NOBODY)
    return query.scalar_subquery()


def _saved_views(uow: UnitOfWork, agent_id: int) -> list[DeskView]:
    rows = uow.session.scalars(
        select(AgentPreference).where(AgentPreference.agent_id == agent_id, AgentPreference.key.startswith(VIEW_PREFIX))
    )
    return [
        DeskView(
            row.key,
            row.value["label"],
            _filter_from_json(row.value["filter"]),
            SortOrder(row.value.get("sort", "sla_due")),
            saved=True,
        )
        for row in rows
    ]


def _filter_json(f: TicketFilter) -> dict[str, Any]:
    return {
        "statuses": list(f.statuses),
        "queue_id": f.queue_id,
        "assignee_id": f.assignee_id,
        "unassigned": f.unassigned,
        "priorities": [int(p) for p in f.priorities],
        "tag": f.tag,
        "text": f.text,
        "include_merged": f.include_merged,
    }


def _filter_from_json(data: dict[str, Any]) -> TicketFilter:
    return TicketFilter(
        statuses=tuple(data.get("statuses", ())),
        queue_id=data.get("queue_id"),
        assignee_id=data.get("assignee_id"),
        unassigned=bool(data.get("unassigned")),
        priorities=tuple(Priority(p) for p in data.get("priorities", ())),
        tag=data.get("tag"),
        text=data.get("text") or None,
        include_merged=bool(data.get("include_merged")),
    )
