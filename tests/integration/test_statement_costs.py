"""What a statement costs the database, counted as an agent's own login (`track_functions = all`): the
identity and visibility functions run a fixed handful of times per statement, whatever the number of
rows and agents; claims lock one ticket for one statement and never hand one ticket to two agents; the
append-only tally sums to the counts after folding. Runs on the embedded and on the system server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import psycopg
import pytest
from sqlalchemy import event, text

from app.models.ticket import WORKING_STATUSES
from app.services.errors import TicketConflict
from app.services.navigation.dto import DeskView
from app.services.navigation.views import _count
from app.services.platform.uow import _ACTOR as WHO_IS_ACTING
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries, service
from app.services.tickets.dto import SortOrder, TicketFilter
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

IDENTITY_FUNCTIONS = {
    "session_identity",
    "session_who",
    "current_login",
    "current_agent_id",
    "current_agent_role",
    "is_active_agent",
    "is_admin",
    "visible_queue_ids",
    "led_queue_ids",
    "is_trusted_session",
    "is_privileged_writer",
    "require_role",
}
STAT = text("SELECT funcname, calls FROM pg_stat_xact_user_functions")


@pytest.fixture(scope="module")
def counting_desk(desk: Desk) -> Iterator[Desk]:
    """The desk with function calls counted for every new session of its database."""
    with desk.connect_as_dba() as dba:
        dba.execute(f"ALTER DATABASE \"{desk.database}\" SET track_functions = 'all'")
    yield desk


def _identity_calls(uow: UnitOfWork, action: Callable[[UnitOfWork], object]) -> int:
    """Identity function calls made by `action`, from this backend's own counters (they also hold calls
    not yet flushed from earlier transactions, hence the difference)."""
    before: dict[str, int] = {name: calls for name, calls in uow.session.execute(STAT)}
    action(uow)
    after: dict[str, int] = {name: calls for name, calls in uow.session.execute(STAT)}
    return sum(after[name] - before.get(name, 0) for name in after if name in IDENTITY_FUNCTIONS)


def _add_tickets(desk: Desk, queue: str, count: int) -> None:
    with desk.connect_as_dba() as dba:
        for n in range(count):
            dba.execute(
                "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
                " VALUES (%s, 'new', %s, 'question', %s, %s, 'manual')",
                (f"load {n}", n % 4, desk.ids[queue], desk.ids["jane"]),
            )


def _add_agents(desk: Desk, prefix: str, count: int) -> None:
    with desk.connect_as_dba() as dba:
        for n in range(count):
            dba.execute(
                "WITH a AS (INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
                " VALUES (%s, %s, %s, 'agent', 'available') RETURNING id)"
                " INSERT INTO switchboard.queue_member (queue_id, agent_id) SELECT %s, id FROM a",
                (f"Extra {n}", f"{prefix}{n}@desk.test", f"{desk.database}_{prefix}{n}", desk.ids["billing"]),
            )


def _page(uow: UnitOfWork, *, sort: SortOrder, ticket_filter: TicketFilter) -> object:
    return queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, limit=100)


def _costs(desk: Desk, person: str) -> dict[str, int]:
    working = TicketFilter(statuses=WORKING_STATUSES)
    runtime = desk.runtime(person)
    costs = {}
    try:
        with runtime.uow() as uow:
            for sort in SortOrder:
                costs[f"page by {sort.value}"] = _identity_calls(uow, partial(_page, sort=sort, ticket_filter=working))
            costs["count"] = _identity_calls(uow, lambda u: _count(u, DeskView("open", "All open", working)))
            costs["who is acting"] = _identity_calls(uow, lambda u: u.session.execute(WHO_IS_ACTING).one())
            costs["update of every working ticket"] = _identity_calls(
                uow,
                lambda u: u.session.execute(
                    text(
                        "UPDATE switchboard.ticket SET priority = 3 - priority, version = version + 1"
                        " WHERE status = 'new'"
                    )
                ),
            )
    finally:
        runtime.close()
    return costs


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_identity_is_evaluated_a_handful_of_times_per_statement_whatever_the_rows_and_agents(
    counting_desk: Desk, person: str
) -> None:
    few = _costs(counting_desk, person)
    _add_tickets(counting_desk, "billing", 40)
    _add_tickets(counting_desk, "tech", 40)
    _add_agents(counting_desk, f"extra_{person}_", 30)
    many = _costs(counting_desk, person)
    # Before 0008 a page cost 23 calls, a count 8 and the update 5 per row: now a constant handful. A page is
    # one statement over ticket (its policy twice: the page's subquery and the row), queue, agent, customer;
    # init-plans run only when a row needs them, so the plan (which follows the row counts) moves it by one.
    # Since 0011 session_identity() is PL/pgSQL: two more counted calls a page (a PL/pgSQL function is never
    # inlined), each a quarter of the SQL version's cost (it no longer re-plans per statement). Since 0041 the
    # helpers ask session_who() (a third of session_identity()'s cost) and session_identity() asks it too: a
    # call for the queue arrays counts twice, hence one more a page, a count and the bulk update.
    for costs in (few, many):
        assert all(calls <= 10 for name, calls in costs.items() if name.startswith("page")), costs
        assert costs["count"] <= 3, costs
        # Every unit of work's first statement: with the login inlined it was one call per agent row (76 here).
        assert costs["who is acting"] <= 3, costs
        assert costs["update of every working ticket"] <= 7, costs


# --- claims -----------------------------------------------------------------------------------------


def test_assign_to_me_is_one_statement_and_says_what_changed(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "billing", 1)
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            ticket_id = uow.session.scalar(
                text("SELECT max(id) FROM switchboard.ticket WHERE assignee_id IS NULL AND subject LIKE 'load%'")
            )
            assert ticket_id is not None
            version = queries.get_summary(uow, ticket_id=ticket_id).version
            with pytest.raises(TicketConflict):
                service.assign(uow, ticket_id=ticket_id, assignee_id=uow.actor.agent_id, expected_version=version - 1)
        with runtime.uow() as uow:
            taken = service.assign(uow, ticket_id=ticket_id, assignee_id=uow.actor.agent_id, expected_version=version)
            assert taken.changed_fields == {"assignee_id"}
            assert (taken.ticket.assignee_id, taken.ticket.version) == (desk.ids["alice"], version + 1)
            assert taken.ticket.assignee_name == "Alice"
            again = service.assign(
                uow, ticket_id=ticket_id, assignee_id=uow.actor.agent_id, expected_version=version + 1
            )
            assert again.changed_fields == frozenset()
            uow.commit()
    finally:
        runtime.close()


def _claim_next(connection: psycopg.Connection[tuple[object, ...]], queue: int) -> int | None:
    row = connection.execute("SELECT id FROM claim_next_ticket(%s)", (queue,)).fetchone()
    return None if row is None else int(str(row[0]))


def test_concurrent_claims_skip_each_others_tickets_and_never_share_one(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "billing", 3)
    with desk.connect("alice") as alice, desk.connect("ann") as ann:
        alice.autocommit = False
        ann.autocommit = False
        alice.execute("SET search_path TO switchboard")
        ann.execute("SET search_path TO switchboard")
        ann.execute("SET lock_timeout = '2s'")  # waiting for alice's lock would fail the test, not hang it
        first = _claim_next(alice, desk.ids["billing"])
        second = _claim_next(ann, desk.ids["billing"])  # alice's claim is not committed: skipped, not waited for
        assert first is not None and second is not None and first != second
        alice.commit()
        ann.commit()
    with desk.connect("alice") as alice:
        rows = alice.execute("SELECT id, assignee_id FROM ticket WHERE id IN (%s, %s)", (first, second)).fetchall()
    assert dict(rows) == {first: desk.ids["alice"], second: desk.ids["ann"]}  # type: ignore[arg-type]


def test_claim_next_is_refused_for_a_queue_one_does_not_work(counting_desk: Desk) -> None:
    with counting_desk.connect("alice") as alice, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _claim_next(alice, counting_desk.ids["tech"])


def test_claim_next_through_the_service_records_the_assignment(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "tech", 1)
    runtime = desk.runtime("bob")
    try:
        with runtime.uow() as uow:
            claimed = service.claim_next(uow, queue_id=desk.ids["tech"])
            assert claimed is not None
            assert claimed.ticket.assignee_id == desk.ids["bob"]
            assert claimed.changed_fields == {"assignee_id"}
    finally:
        runtime.close()


def test_a_claim_that_is_all_its_unit_does_is_one_statement_committed_as_it_ends(counting_desk: Desk) -> None:
    """No BEGIN and no COMMIT round trip: another login sees the assignment before the unit ends, and the
    unit's connection holds no transaction. The claim goes to the driver itself (`driver_rows`), so
    SQLAlchemy executes nothing at all for it."""
    desk = counting_desk
    _add_tickets(desk, "tech", 2)
    runtime = desk.runtime("bob")
    statements: list[str] = []
    listen = partial(_record_statement, statements)
    event.listen(runtime.engine, "before_cursor_execute", listen)
    try:
        with runtime.uow() as uow:
            claimed = service.claim_next(uow, queue_id=desk.ids["tech"])
            assert claimed is not None
            assert not uow.session.in_transaction()
            reads = uow.reads()
            assert reads.connection.driver_connection.autocommit  # type: ignore[union-attr]
            assert reads.connection.driver_connection.info.transaction_status.name == "IDLE"  # type: ignore[union-attr]
            with desk.connect_as_dba() as dba:
                row = dba.execute("SELECT assignee_id FROM switchboard.ticket WHERE id = %s", (claimed.ticket.id,))
                assert row.fetchone() == (desk.ids["bob"],)
        assert statements == []
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listen)
        runtime.close()


def test_a_claim_within_begun_work_is_part_of_that_transaction(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "tech", 1)
    runtime = desk.runtime("bob")
    try:
        with runtime.uow() as uow:
            uow.session.execute(text("SELECT 1"))  # work begun: the claim joins its transaction
            claimed = service.claim_next(uow, queue_id=desk.ids["tech"])
            assert claimed is not None
        # left without commit: undone
        with desk.connect_as_dba() as dba:
            row = dba.execute("SELECT assignee_id FROM switchboard.ticket WHERE id = %s", (claimed.ticket.id,))
            assert row.fetchone() == (None,)
    finally:
        runtime.close()


def _record_statement(statements: list[str], _conn: object, _cursor: object, statement: str, *_args: object) -> None:
    statements.append(statement)


# --- the tally ----------------------------------------------------------------------------------------


def test_the_folded_tally_keeps_every_count(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "billing", 12)
    _add_tickets(desk, "tech", 8)
    counted = (
        "SELECT queue_id, status, coalesce(assignee_id, 0), count(*), count(*) FILTER (WHERE priority = 3)"
        " FROM switchboard.ticket WHERE merged_into_id IS NULL GROUP BY 1, 2, 3"
    )
    tallied = (
        "SELECT queue_id, status, assignee_id, sum(tickets), sum(urgent) FROM switchboard.ticket_tally"
        " GROUP BY 1, 2, 3 HAVING sum(tickets) <> 0"
    )
    changes = [  # priority within a group, assignment, status, queue, all at once
        "UPDATE switchboard.ticket SET priority = 3 WHERE subject LIKE 'load %' AND priority = 2",
        "UPDATE switchboard.ticket SET assignee_id = {alice} WHERE subject IN ('load 1', 'load 3', 'load 7')",
        "UPDATE switchboard.ticket SET priority = 0 WHERE subject = 'load 3'",
        "UPDATE switchboard.ticket SET status = 'waiting', priority = 3 WHERE subject = 'load 5'",
        "UPDATE switchboard.ticket SET queue_id = {tech}, assignee_id = NULL WHERE subject = 'load 7'",
    ]
    with desk.connect_as_dba() as dba:
        for change in changes:
            dba.execute(change.format(alice=desk.ids["alice"], tech=desk.ids["tech"]))
            assert sorted(dba.execute(tallied).fetchall()) == sorted(dba.execute(counted).fetchall()), change
        dba.execute("SELECT switchboard.fold_ticket_tally(NULL, NULL, NULL)")
        assert sorted(dba.execute(tallied).fetchall()) == sorted(dba.execute(counted).fetchall())
        groups = dba.execute(
            "SELECT count(*), count(DISTINCT (queue_id, status, assignee_id)) FROM switchboard.ticket_tally"
        )
        total, distinct = groups.fetchone()  # type: ignore[misc]
        assert total == distinct


def test_routing_loads_from_the_tally_are_the_open_tickets_counted_with_urgent_twice(counting_desk: Desk) -> None:
    desk = counting_desk
    _add_tickets(desk, "billing", 12)
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.ticket SET assignee_id = %s, priority = CASE WHEN subject = 'load 2' THEN 3"
            " ELSE priority END WHERE subject LIKE 'load %%' AND subject <> 'load 0'",
            (desk.ids["alice"],),
        )
        dba.execute("UPDATE switchboard.ticket SET status = 'waiting' WHERE subject = 'load 4'")  # paused: no load
        agents = [desk.ids["alice"], desk.ids["ann"], desk.ids["bob"]]
        loads = {
            int(str(a)): int(str(n))
            for a, n in dba.execute("SELECT agent_id, load FROM switchboard.agent_loads(%s)", (agents,)).fetchall()
        }
        counted = {
            int(str(a)): int(str(n))
            for a, n in dba.execute(
                "SELECT a.id, coalesce(sum(CASE WHEN t.priority = 3 THEN 2 ELSE 1 END), 0)"
                " FROM unnest(%s::bigint[]) a (id)"
                " LEFT JOIN switchboard.ticket t ON t.assignee_id = a.id AND t.merged_into_id IS NULL"
                " AND t.status IN (SELECT key FROM switchboard.ticket_status WHERE category = 'open') GROUP BY a.id",
                (agents,),
            ).fetchall()
        }
    assert loads == counted
    assert loads[desk.ids["alice"]] > 0
