"""Live updates judge a changed ticket in Python (`TicketFilter.matches`, `sort_key`); pages come from SQL
(`list_tickets`). If the two disagree, a ticket pops in or out of a view on a live update and back again
on the next refresh. So: over a generated matrix of filters and every sort order, the Python predicate
selects exactly what the SQL returns, and the Python order is the order of the SQL pages walked to the end.

Both Python functions are pure (no Qt object is made), so this runs against the database alone;
`sort_key` is imported from the Qt module it lives in only because that is where the table model uses it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from sqlalchemy import insert, select

from app.models import Customer, CustomerEmail, Organisation, Ticket, TicketStatus
from app.services.tickets.dto import TicketSummary
from app.services.tickets.queries import SortOrder, TicketFilter, list_tickets
from app.views.ticket_table import sort_key
from app.vocabulary import Channel, Priority, StatusCategory
from tests.support.world import World

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
# Few distinct values, so that sort keys tie and the order falls to the id, also across page boundaries.
DUE = [NOW + dt.timedelta(minutes=m) for m in (-30, 5, 5, 90)]
UPDATED = [NOW - dt.timedelta(minutes=m) for m in (0, 0, 7, 60)]
SUBJECTS = [
    "Refund of 100% please",
    "Refund of 1000 please",
    "snake_case in the export",
    "snakeXcase in the export",
    "Printer ON FIRE",
    "printer on fire",
    "Path C:\\temp\\report",
    "Ärger mit der Rechnung",
    "ÄRGER MIT DER RECHNUNG",
    "İstanbul office cannot log in",
    "ΟΔΟΣ closed",
    "50 % off_label",
]
TAGS: list[list[str]] = [[], ["vip"], ["vip", "refund"], ["refund"], ["Urgent-Fix"], []]
TEXTS = [
    "",
    "   ",
    "refund",
    "REFUND OF",
    "100%",
    "%",
    "_",
    "snake_case",
    "\\",
    "ärger",
    "ÄRGER mit",
    "istanbul",
    "οδοσ",
    "οδος",
    " printer ",
    "no such subject",
    # the customer's name, any of their addresses, their organisation; several words must each match somewhere
    "jane",
    "DOE",
    "customer.test",
    "j.doe@billing",
    "haddad trad",
    "trading printer",
    "omar refund",
    "omar jane",
]
SORT_ORDERS = list(SortOrder)
PAGE_SIZES = (2, 5, 13)


def _seed(world: World, statuses: list[str]) -> list[int]:
    """Tickets cycling through every status, priority, queue, assignee (none too), tag set, subject and
    clock, with co-prime cycle lengths so the combinations spread; then some merged into others. Omar's
    customer belongs to an organisation, Jane has a second address. Returns some of the tickets' numbers."""
    assignees = [None, world.alice, world.bob, world.carol, None, world.dave]
    queues = [world.billing, world.tech]
    rng = random.Random(10)
    rows: list[dict[str, Any]] = []
    for index in range(44):
        due = rng.choice([*DUE, None, None])
        answered = index % 3 == 0  # a first response stops that clock: sla_due_at comes from the others
        rows.append(
            {
                "subject": SUBJECTS[index % len(SUBJECTS)],
                "status": statuses[index % len(statuses)],
                "priority": list(Priority)[index % len(Priority)],
                "queue_id": queues[index % len(queues)],
                "assignee_id": assignees[index % len(assignees)],
                "customer_id": world.jane if index % 2 else world.omar,
                "channel": Channel.EMAIL,
                "tags": TAGS[index % len(TAGS)],
                "first_response_due_at": NOW - dt.timedelta(hours=1) if answered else None,
                "first_response_at": NOW - dt.timedelta(hours=2) if answered else None,
                "resolution_due_at": due,
                "updated_at": rng.choice(UPDATED),
            }
        )
    with world.factory() as session:
        organisation = Organisation(name="Haddad Trading")
        session.add(organisation)
        session.flush()
        omar = session.get(Customer, world.omar)
        assert omar is not None
        omar.organisation_id = organisation.id
        session.add(CustomerEmail(customer_id=world.jane, address="J.Doe@Billing.example", is_primary=False))
        ids = list(session.scalars(insert(Ticket).returning(Ticket.id), rows))
        merged = [{**rows[i], "merged_into_id": ids[i]} for i in range(0, len(rows), 4)]
        session.execute(insert(Ticket), merged)
        numbers = list(session.scalars(select(Ticket.number).where(Ticket.id.in_(ids[:3])).order_by(Ticket.id)))
        session.commit()
    return numbers


def _filters(
    world: World, statuses_by_category: dict[StatusCategory, list[str]], numbers: list[int]
) -> list[TicketFilter]:
    """Every value of every field alone; every pair of fields, each with a few of its values; and a fixed
    sample of filters with every field set."""
    every_status = [s for group in statuses_by_category.values() for s in group]
    values: dict[str, list[Any]] = {
        "statuses": [tuple(g) for g in statuses_by_category.values()] + [(s,) for s in every_status],
        "queue_id": [world.billing, world.tech],
        "assignee_id": [world.alice, world.carol, world.bob, world.dave],
        "unassigned": [True],
        "priorities": [(Priority.HIGH, Priority.URGENT), *((p,) for p in Priority)],
        "tag": ["vip", " VIP ", "nope", "refund", "urgent-fix", ""],
        "text": [
            "REFUND OF",
            f"#{numbers[0]}",
            "ärger",
            "jane",
            "οδος",
            *TEXTS,
            str(numbers[1]),
            f"#{numbers[2]} refund",
            f"#{numbers[2]} no-such-word",
            f"0{numbers[0]}",
            "#",
            "99999999999999999999999",
        ],
        "include_merged": [True],
    }
    paired = {name: options[: 5 if name == "text" else 3] for name, options in values.items()}
    combinations: list[dict[str, Any]] = [{}]
    combinations += [{name: value} for name, options in values.items() for value in options]
    for (first, first_options), (second, second_options) in itertools.combinations(paired.items(), 2):
        combinations += [{first: a, second: b} for a, b in itertools.product(first_options, second_options)]
    rng = random.Random(10)
    combinations += [{name: rng.choice(options) for name, options in values.items()} for _ in range(60)]
    unique = {TicketFilter(**fields): None for fields in combinations}
    return list(unique)


def test_the_python_filter_and_order_agree_with_the_sql_over_the_filter_matrix(world: World) -> None:
    with world.factory() as session:
        statuses_by_category: dict[StatusCategory, list[str]] = {}
        for key, category in session.execute(
            select(TicketStatus.key, TicketStatus.category).order_by(TicketStatus.position)
        ):
            statuses_by_category.setdefault(category, []).append(key)
    assert set(statuses_by_category) == set(StatusCategory)
    numbers = _seed(world, [s for group in statuses_by_category.values() for s in group])
    filters = _filters(world, statuses_by_category, numbers)

    disagreements: list[str] = []
    with world.uow("carol") as uow:  # she leads both queues: every seeded ticket is hers to see

        def walk(ticket_filter: TicketFilter, sort: SortOrder, limit: int) -> list[TicketSummary]:
            page = list_tickets(uow, ticket_filter=ticket_filter, sort=sort, limit=limit)
            rows = list(page.rows)
            while page.next_cursor is not None:
                page = list_tickets(uow, ticket_filter=ticket_filter, sort=sort, after=page.next_cursor, limit=limit)
                rows += page.rows
            return rows

        universe = walk(TicketFilter(include_merged=True), SortOrder.UPDATED, 500)
        assert len(universe) == 55
        for number, (ticket_filter, sort) in enumerate(itertools.product(filters, SORT_ORDERS)):
            from_sql = [t.id for t in walk(ticket_filter, sort, PAGE_SIZES[number % len(PAGE_SIZES)])]
            in_python = [t.id for t in sorted(filter(ticket_filter.matches, universe), key=sort_key(sort))]
            if from_sql != in_python:
                disagreements.append(f"{ticket_filter} by {sort}: SQL {from_sql} but Python {in_python}")

    assert len(filters) > 250
    assert not disagreements, f"{len(disagreements)} disagreements, the first:\n" + "\n".join(disagreements[:5])
