"""Canned responses through each role's own login: who reads which, who writes which, and placeholders
filled for one ticket and one agent (never through str.format)."""

from __future__ import annotations

import psycopg
import pytest

from app.services.desk import HelpDesk
from app.services.errors import InvalidInput
from app.services.responses import service as responses
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

INSERT = "INSERT INTO canned_response (title, body, queue_id, author_id) VALUES (%s, 'x', %s, current_agent_id())"


def _titles(desk: Desk, person: str) -> set[str]:
    with desk.connect(person) as caller:
        return {str(row[0]) for row in caller.execute("SELECT title FROM canned_response")}


@pytest.fixture(scope="module")
def seeded(desk: Desk) -> Desk:
    with desk.connect("dana") as admin:
        for title, queue in [
            ("Everyone", None),
            ("Billing only", desk.ids["billing"]),
            ("Tech only", desk.ids["tech"]),
        ]:
            admin.execute(INSERT, (title, queue))
    return desk


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("alice", {"Everyone", "Billing only"}),
        ("bob", {"Everyone", "Tech only"}),
        ("carol", {"Everyone", "Tech only"}),
        ("dana", {"Everyone", "Billing only", "Tech only"}),
        ("ghost", set()),
    ],
)
def test_each_login_reads_the_responses_of_the_queues_it_sees(seeded: Desk, person: str, sees: set[str]) -> None:
    assert _titles(seeded, person) >= sees and not (_titles(seeded, person) - sees - {"Carol's Tech"})


def test_an_outsider_reads_nothing(seeded: Desk) -> None:
    with seeded.connect("outsider") as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute("SELECT title FROM switchboard.canned_response")


@pytest.mark.parametrize(
    ("person", "queue", "allowed"),
    [
        ("alice", "billing", False),  # agents read, never write
        ("sam", "billing", False),  # works Billing but leads nothing
        ("carol", "billing", False),  # leads Tech only
        ("carol", None, False),  # team-wide responses are an admin's
        ("carol", "tech", True),
    ],
)
def test_a_supervisor_writes_only_for_the_queues_they_lead(
    seeded: Desk, person: str, queue: str | None, allowed: bool
) -> None:
    title = f"{person} {queue}"
    with seeded.connect(person) as caller:
        if allowed:
            caller.execute(INSERT, (title, seeded.ids[queue] if queue else None))
            caller.execute("UPDATE canned_response SET title = %s WHERE title = %s", ("Carol's Tech", title))
            changed = caller.execute("UPDATE canned_response SET body = 'y' WHERE title = 'Billing only'").rowcount
            assert changed == 0, "nor edits another queue's"
        else:
            with pytest.raises(psycopg.Error):
                caller.execute(INSERT, (title, seeded.ids[queue] if queue else None))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            caller.execute("DELETE FROM canned_response")


def test_placeholders_are_filled_for_the_ticket_and_the_agent(seeded: Desk) -> None:
    with seeded.connect("dana") as admin:
        body = "Hi {customer_first_name}, #{ticket_number} ({queue}) is done.\n{signature}"
        admin.execute(INSERT.replace("'x'", "%s"), ("Done", body, seeded.ids["billing"]))
    runtime = seeded.runtime("alice")
    try:
        desk = HelpDesk(runtime)
        desk.responses.set_signature("Alice\nBilling team")
        ticket = desk.tickets.ticket(seeded.ids["billing_open"]).ticket
        offered = {r.title: r for r in desk.responses.for_ticket(ticket.id)}
        assert {"Everyone", "Billing only", "Done"} <= set(offered) and "Tech only" not in offered
        filled = desk.responses.render(offered["Done"].id, ticket.id)
        first = ticket.customer_name.split()[0]
        assert filled == f"Hi {first}, #{ticket.number} (Billing) is done.\nAlice\nBilling team"
    finally:
        runtime.close()


def test_fill_substitutes_known_names_only() -> None:
    values = {"customer_first_name": "Jane", "signature": "Alice"}
    body = "Hi {customer_first_name}, {unknown} {customer_first_name.__class__} {0}\n{signature}"
    assert responses.fill(body, values) == "Hi Jane, {unknown} {customer_first_name.__class__} {0}\nAlice"


def test_a_response_with_an_unknown_placeholder_is_refused(seeded: Desk) -> None:
    runtime = seeded.runtime("dana")
    try:
        with runtime.uow() as uow, pytest.raises(InvalidInput, match=r"Unknown placeholder \{custmer_name\}"):
            responses.add_response(uow, title="Typo", body="Dear {custmer_name}", queue_id=None)
    finally:
        runtime.close()
