"""Keyset pages: walking every page visits every matching ticket once, in order, whatever the sort."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import insert, select

from app.models import Ticket
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries
from app.services.tickets.dto import TicketSummary
from app.vocabulary import Channel, Priority
from tests.support.world import World

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def _seed(world: World, count: int = 137) -> None:
    rng = random.Random(3)
    rows = []
    for index in range(count):
        due = NOW + dt.timedelta(minutes=rng.choice([5, 5, 30, 90, 600])) if rng.random() < 0.7 else None
        rows.append(
            {
                "subject": f"Ticket {index}",
                "status": rng.choice(["new", "in_progress", "waiting", "closed"]),
                "priority": rng.choice(list(Priority)),
                "queue_id": rng.choice([world.billing, world.tech]),
                "customer_id": world.jane,
                "channel": Channel.EMAIL,
                "resolution_due_at": due,
                "assignee_id": rng.choice([None, world.alice, world.bob]),
                "updated_at": NOW - dt.timedelta(minutes=rng.randrange(50)),
                "tags": rng.choice([[], ["vip"]]),
            }
        )
    with world.factory() as session:
        session.execute(insert(Ticket), rows)
        session.commit()


def _walk(
    world: World, ticket_filter: queries.TicketFilter, sort: queries.SortOrder, limit: int
) -> list[TicketSummary]:
    seen: list[TicketSummary] = []
    cursor = None
    with world.uow("carol") as uow:  # she leads both queues: every seeded ticket is hers to see
        while True:
            page = queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, after=cursor, limit=limit)
            seen += page.rows
            if page.next_cursor is None:
                return seen
            cursor = page.next_cursor


def _expected_order(rows: list[TicketSummary], sort: queries.SortOrder) -> list[int]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    if sort is queries.SortOrder.SLA_DUE:
        rows = sorted(rows, key=lambda t: (t.sla_due_at is None, t.sla_due_at or far, t.id))
    elif sort is queries.SortOrder.PRIORITY:
        rows = sorted(rows, key=lambda t: (t.priority, t.id), reverse=True)
    else:
        rows = sorted(rows, key=lambda t: (t.updated_at, t.id), reverse=True)
    return [t.id for t in rows]


@pytest.mark.parametrize("sort", list(queries.SortOrder))
@pytest.mark.parametrize("limit", [1, 7, 50, 500])
@pytest.mark.parametrize(
    "ticket_filter",
    [
        queries.TicketFilter(),
        queries.TicketFilter(statuses=("new", "in_progress"), tag="vip"),
        queries.TicketFilter(unassigned=True, priorities=(Priority.HIGH, Priority.URGENT)),
    ],
    ids=["all", "open-vip", "unassigned-high"],
)
def test_pages_cover_every_ticket_once_in_order(
    world: World, sort: queries.SortOrder, limit: int, ticket_filter: queries.TicketFilter
) -> None:
    _seed(world)
    walked = _walk(world, ticket_filter, sort, limit)
    everything = _walk(world, ticket_filter, sort, queries.MAX_PAGE_SIZE)
    assert len({t.id for t in walked}) == len(walked) > 0
    assert [t.id for t in walked] == _expected_order(everything, sort)


def _sort_value(ticket: TicketSummary, sort: queries.SortOrder) -> object:
    if sort is queries.SortOrder.SLA_DUE:
        return ticket.sla_due_at
    return int(ticket.priority) if sort is queries.SortOrder.PRIORITY else ticket.updated_at


@pytest.mark.parametrize("person", ["alice", "dave", "carol"])
@pytest.mark.parametrize("sort", list(queries.SortOrder))
@pytest.mark.parametrize(
    "ticket_filter",
    [queries.TicketFilter(), queries.TicketFilter(statuses=("new", "in_progress"))],
    ids=["all", "working"],
)
def test_places_walk_what_the_pages_walk_for_each_login(
    world: World, person: str, sort: queries.SortOrder, ticket_filter: queries.TicketFilter
) -> None:
    """The queue reads its first page whole and then only places (ids, sort values, versions): the same
    tickets in the same order as the pages, each login seeing what its pages show and nothing more."""
    _seed(world)
    with world.uow(person) as uow:
        pages: list[TicketSummary] = []
        cursor = None
        while True:
            page = queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, after=cursor, limit=500)
            pages += page.rows
            if (cursor := page.next_cursor) is None:
                break
        first = queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, limit=10)
        places = [(t.id, _sort_value(t, sort), t.version) for t in first.rows]
        cursor = first.next_cursor
        while cursor is not None:
            more = queries.list_ticket_places(uow, ticket_filter=ticket_filter, sort=sort, after=cursor, limit=7)
            places += more.places
            cursor = more.next_cursor
    assert [(t.id, _sort_value(t, sort), t.version) for t in pages] == places
    queues = {"alice": {world.billing}, "dave": {world.tech}, "carol": {world.billing, world.tech}}[person]
    me = getattr(world, person)
    assert len(places) > 10  # more than the first page
    assert all(t.queue_id in queues or t.assignee_id == me for t in pages)  # their queues' and their own only


def test_a_page_of_places_out_of_range_is_refused(world: World) -> None:
    with world.uow() as uow, pytest.raises(Exception, match="1 to 5000"):
        queries.list_ticket_places(uow, limit=queries.MAX_PLACES + 1)


def test_filters_mean_what_they_say(world: World) -> None:
    _seed(world)
    rows = _walk(
        world,
        queries.TicketFilter(queue_id=world.tech, assignee_id=world.bob, statuses=("new",)),
        queries.SortOrder.UPDATED,
        500,
    )
    with world.factory() as session:
        expected = session.scalars(
            select(Ticket.id).where(
                Ticket.queue_id == world.tech, Ticket.assignee_id == world.bob, Ticket.status == "new"
            )
        ).all()
    assert sorted(t.id for t in rows) == sorted(expected)


def test_a_page_size_out_of_range_is_refused(world: World) -> None:
    with world.uow() as uow, pytest.raises(Exception, match="1 to 500"):
        queries.list_tickets(uow, limit=0)


def test_the_subject_filter_matches_text_not_patterns(world: World) -> None:
    _seed(world, count=12)
    with world.factory() as session:
        session.execute(
            insert(Ticket),
            [
                {
                    "subject": "Refund of 100% please",
                    "status": "new",
                    "priority": Priority.NORMAL,
                    "queue_id": world.billing,
                    "customer_id": world.jane,
                    "channel": Channel.EMAIL,
                },
                {
                    "subject": "Refund of 1000 please",
                    "status": "new",
                    "priority": Priority.NORMAL,
                    "queue_id": world.billing,
                    "customer_id": world.jane,
                    "channel": Channel.EMAIL,
                },
            ],
        )
        session.commit()
    found = _walk(world, queries.TicketFilter(text="100%"), queries.SortOrder.UPDATED, 50)
    assert [t.subject for t in found] == ["Refund of 100% please"]
    assert queries.TicketFilter(text="REFUND OF").matches(found[0])
    assert len(_walk(world, queries.TicketFilter(text="ticket 1"), queries.SortOrder.UPDATED, 50)) == 3  # 1, 10, 11


@pytest.mark.parametrize("person", ["alice", "dave", "carol"])
def test_the_first_screen_is_the_views_and_first_pages_read_one_by_one(world: World, person: str) -> None:
    """A window's first read (issue 12: one unit of work instead of four round trips) is what it would read one
    by one, as each login sees it: the vocabulary, the views, the first page of "My tickets" and, when that is
    empty (dave's and carol's), the first page of "All open", where the window then starts."""
    from app.services.desk import HelpDesk

    _seed(world, 60)

    class Login:
        def uow(self) -> UnitOfWork:
            return world.uow(person)

    navigation = HelpDesk(Login()).navigation
    first = navigation.first_screen(limit=20)
    views = navigation.views()
    assert list(first.views) == views
    assert first.vocabulary == navigation.vocabulary()
    mine = views[0]
    assert mine.key == "mine"
    expected = {"mine": navigation.page(mine, None, 20)}
    if not expected["mine"].rows:
        everything = next(view for view in views if view.key == "open")
        expected["open"] = navigation.page(everything, None, 20)
        assert expected["open"].rows  # the seed leaves work in every queue
    assert dict(first.pages) == expected
    assert ("open" in first.pages) == (person != "alice")  # the seed assigns tickets to alice and bob only
