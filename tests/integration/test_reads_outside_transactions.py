"""Queue pages and counts read outside a transaction of their own (`UnitOfWork.reads`), as each login.

A page is one statement: it runs on a pooled connection in autocommit, so it costs no BEGIN and no
ROLLBACK, and psycopg keeps its prepared statement (a ROLLBACK made it forget them all). What must not
change is who sees what: every probe here signs in as the person's own login, as the desktop client does.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import OperationalError

from app.bootstrap import Runtime
from app.models.ticket import WORKING_STATUSES
from app.services.navigation.dto import DeskView
from app.services.navigation.views import Navigation, _count
from app.services.people import users
from app.services.platform.actor import Actor
from app.services.platform.database.engine import build_engine, build_session_factory, ping_when_idle
from app.services.platform.database.failures import explain_database_error
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries
from app.services.tickets.dto import SortOrder, TicketFilter
from app.vocabulary import AgentRole
from tests.support.desk import Desk

EVERY_WORKING = TicketFilter(statuses=WORKING_STATUSES)


def _page_ids(runtime: Runtime, ticket_filter: TicketFilter = EVERY_WORKING) -> set[int]:
    ids: set[int] = set()
    for sort in SortOrder:
        with runtime.uow() as uow:
            page = queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, limit=50)
            assert _idle(uow.reads()), "the page left a transaction open"
        ids |= {ticket.id for ticket in page.rows}
        assert len(ids) == len(page.rows), "every sort lists the same tickets"
    return ids


def _idle(connection: Connection) -> bool:
    dbapi = connection.connection.dbapi_connection
    assert isinstance(dbapi, psycopg.Connection)
    return dbapi.info.transaction_status is TransactionStatus.IDLE


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("alice", {"billing_open", "billing_anns"}),
        ("ann", {"billing_open", "billing_anns"}),
        ("bob", {"tech_open", "tech_bobs"}),
        ("carol", {"tech_open", "tech_bobs"}),  # a supervisor: the queue she leads
        ("sam", {"billing_open", "billing_anns"}),  # a supervisor who works Billing and leads nothing
        ("dana", {"billing_open", "billing_anns", "tech_open", "tech_bobs"}),  # the admin
        ("ghost", set()),  # in the agent group, no agent row
    ],
)
def test_a_page_outside_a_transaction_lists_what_the_login_may_see(desk: Desk, person: str, sees: set[str]) -> None:
    runtime = desk.runtime(person)
    try:
        assert _page_ids(runtime) == {desk.ids[name] for name in sees}
        assert _page_ids(runtime, TicketFilter(statuses=WORKING_STATUSES, queue_id=desk.ids["billing"])) == {
            desk.ids[name] for name in sees if name.startswith("billing")
        }
    finally:
        runtime.close()


def test_an_outsider_reads_nothing_outside_a_transaction_either(desk: Desk) -> None:
    runtime = desk.runtime("outsider")
    try:
        with runtime.uow() as uow, pytest.raises(Exception) as refused:
            queries.list_tickets(uow, ticket_filter=EVERY_WORKING)
        assert "permission denied" in str(refused.value)
        explained = explain_database_error(refused.value)  # type: ignore[arg-type]
        assert explained is None or "SELECT" not in str(explained)
    finally:
        runtime.close()


def test_counts_outside_a_transaction_are_the_logins_own(desk: Desk) -> None:
    views = [DeskView("open", "All open", EVERY_WORKING)]
    counted = {}
    for person in ("alice", "bob", "dana", "ghost"):
        runtime = desk.runtime(person)
        try:
            with runtime.uow() as uow:
                me = Actor(0, desk.login(person), person, AgentRole.AGENT)
            counted[person] = Navigation(runtime, me).counts(views)["open"]
        finally:
            runtime.close()
    assert counted == {"alice": 2, "bob": 2, "dana": 4, "ghost": 0}
    del uow


def test_every_views_count_is_its_own_in_one_statement_for_the_tallied_ones(desk: Desk) -> None:
    """The navigation's counts: the views the tally answers in one statement (a sub-select each), a view
    with a text, tag or priority filter on its own; each view gets its own number, not a neighbour's."""
    views = [
        DeskView("open", "All open", EVERY_WORKING),
        DeskView("billing", "Billing", TicketFilter(statuses=WORKING_STATUSES, queue_id=desk.ids["billing"])),
        DeskView("tech", "Technical", TicketFilter(statuses=WORKING_STATUSES, queue_id=desk.ids["tech"])),
        DeskView("nobody", "Unassigned", TicketFilter(statuses=WORKING_STATUSES, unassigned=True)),
        DeskView("words", "Saved", TicketFilter(statuses=WORKING_STATUSES, text="no such words anywhere")),
    ]
    runtime = desk.runtime("dana")
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    try:
        me = Actor(desk.ids["dana"], desk.login("dana"), "Dana", AgentRole.ADMIN)
        event.listen(runtime.engine, "before_cursor_execute", record)
        counts = Navigation(runtime, me).counts(views)
        event.remove(runtime.engine, "before_cursor_execute", record)
        with runtime.uow() as uow:
            one_by_one = {view.key: _count(uow, view) for view in views}
    finally:
        runtime.close()
    assert counts == one_by_one == {"open": 4, "billing": 2, "tech": 2, "nobody": 2, "words": 0}
    assert len(statements) == 2  # the four tallied views together, the filtered one alone


def test_a_trusted_session_acting_for_an_agent_still_reads_as_that_agent(desk: Desk) -> None:
    """`switchboard.acting_login` lives in a transaction (the superuser reads past row-level security, but
    the identity the database answers with is alice's), so this page reads in that transaction."""
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine), acting_login=desk.login("alice"))
    try:
        with runtime.uow() as uow:
            assert len(queries.list_tickets(uow, ticket_filter=EVERY_WORKING).rows) == 4
            assert uow.session.in_transaction()
            who = uow.reads().execute(text("SELECT switchboard.current_login()")).scalar_one()
            assert who == desk.login("alice")
    finally:
        runtime.close()


def test_a_page_statement_is_prepared_once_and_reused(desk: Desk) -> None:
    engine = build_engine(desk.url.set(username=desk.login("alice"), password=None), pool_size=1)
    runtime = Runtime(engine, build_session_factory(engine))
    view = TicketFilter(statuses=WORKING_STATUSES, queue_id=desk.ids["billing"])
    try:
        for _ in range(8):
            with runtime.uow() as uow:
                assert len(queries.list_tickets(uow, ticket_filter=view).rows) == 2
        with runtime.uow() as uow:
            plans = uow.reads().execute(
                text(
                    "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%FROM switchboard.ticket%ORDER BY%'"
                )
            )
            assert max(plans.scalars(), default=0) >= 2, "the page statement was planned from scratch every time"
    finally:
        runtime.close()


def test_a_connection_dropped_while_idle_in_the_pool_is_replaced_before_use(desk: Desk) -> None:
    engine = build_engine(desk.url.set(username=desk.login("bob"), password=None), pool_size=1)
    ping_when_idle(engine, idle_seconds=0.0)  # every pooled connection counts as idle
    runtime = Runtime(engine, build_session_factory(engine))
    try:
        with runtime.uow() as uow:
            first = uow.reads().execute(text("SELECT pg_backend_pid()")).scalar_one()
        with desk.connect_as_dba() as dba:
            assert dba.execute("SELECT pg_terminate_backend(%s, 5000)", (first,)).fetchone() == (True,)
        assert _page_ids(runtime) == {desk.ids["tech_open"], desk.ids["tech_bobs"]}
        with runtime.uow() as uow:
            assert uow.reads().execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    finally:
        runtime.close()


def test_a_disabled_agent_reads_nothing_outside_a_transaction(desk: Desk) -> None:
    """Last in this module: sam stays disabled."""
    runtime = desk.runtime("sam")
    try:
        assert _page_ids(runtime) == {desk.ids["billing_open"], desk.ids["billing_anns"]}  # the pool is warm
        engine = build_engine(desk.url)
        with UnitOfWork(build_session_factory(engine)) as uow:
            users.disable_user(uow, login=desk.login("sam"))
            uow.commit()
        engine.dispose()
        # Disabling ended sam's sessions: the pooled connection is found dead before use (the server said
        # so on its socket), and the new one is refused at sign-in.
        with pytest.raises(OperationalError, match="not permitted to log in"):
            _page_ids(runtime)
    finally:
        runtime.close()
