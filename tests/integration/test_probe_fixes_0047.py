"""What a fourth probe as each role found (migration 0047), each as the role's own login through plain SQL, on
both servers: every connection slot taken by one agent, the disk filled through temporary tables and
through stores nothing trims (routing decisions for nobody, a draft's files, an article's tags, a login's
preferences), and vacuum held back by a transaction that kept only a snapshot."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from app.bootstrap import Runtime
from app.services.errors import DatabaseUnavailable, SignInFailed
from app.services.platform.database.engine import (
    build_engine,
    check_reachable,
    explain_connection_error,
)
from app.services.platform.jobs import end_stale_transactions
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

CONNECTIONS_PER_LOGIN = 30
STAFF = ["alice", "carol", "sam", "dana"]
NOBODY = json.dumps({"ranked": [], "exclusions": [{"agent_id": 1, "reason": "offline"}]})


def _tech_ticket(bob: psycopg.Connection[tuple[object, ...]], desk: Desk, subject: str) -> int:
    """A new, unassigned Tech ticket, as bob's own login creates one."""
    row = bob.execute(
        "INSERT INTO ticket (subject, customer_id, queue_id, status, priority, channel, type)"
        " VALUES (%s, %s, %s, 'new', 1, 'email', 'question') RETURNING id",
        (subject, desk.ids["jane"], desk.ids["tech"]),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_a_login_in_no_group_cannot_connect_and_staff_make_no_temporary_tables(desk: Desk) -> None:
    stranger = f"{desk.database}_stranger"
    with desk.connect_as_dba() as dba:
        dba.execute(f'CREATE ROLE "{stranger}" LOGIN')
        granted = dba.execute(
            "SELECT r.rolname, has_database_privilege(r.rolname, current_database(), 'CONNECT'),"
            " has_database_privilege(r.rolname, current_database(), 'TEMPORARY') FROM pg_roles r"
            " WHERE r.rolname = ANY (%s) ORDER BY 1",
            ([stranger, *(desk.login(person) for person in STAFF)],),
        ).fetchall()
    assert granted == sorted([(stranger, False, False), *((desk.login(p), True, False) for p in STAFF)])
    url = desk.url.set(drivername="postgresql", username=stranger, password=None)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(url.render_as_string(hide_password=False)).close()
    engine = build_engine(desk.url.set(username=stranger, password=None))
    with pytest.raises(OperationalError) as refused:
        engine.connect().close()
    explained = explain_connection_error(engine.url, refused.value)
    assert isinstance(explained, SignInFailed) and "not a Switchboard user of the desk" in str(explained)
    engine.dispose()
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.InsufficientPrivilege):
        alice.execute("CREATE TEMP TABLE hog AS SELECT g FROM generate_series(1, 10) g")


def test_a_staff_login_takes_at_most_thirty_connections_and_is_told_why(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        limits = dba.execute(
            "SELECT rolname, rolconnlimit FROM pg_roles WHERE rolname = ANY (%s) ORDER BY 1",
            ([desk.login(person) for person in STAFF],),
        ).fetchall()
    assert limits == [(desk.login(person), CONNECTIONS_PER_LOGIN) for person in sorted(STAFF)]
    held = [desk.connect("ann") for _ in range(CONNECTIONS_PER_LOGIN)]
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
            desk.connect("ann").close()
        engine = build_engine(desk.url.set(username=desk.login("ann"), password=None))
        with pytest.raises(DatabaseUnavailable, match="your login has as many connections open as it may"):
            check_reachable(engine)
        engine.dispose()
        with desk.connect("alice") as alice:  # a colleague still signs in
            assert alice.execute("SELECT 1").fetchone() == (1,)
    finally:
        for connection in held:
            connection.close()


def test_a_transaction_that_holds_only_a_snapshot_is_ended_once_idle(desk: Desk, worker: Runtime) -> None:
    """No transaction id, no lock stronger than a reader's: version 2 of the job never ended it, and it held
    back vacuum on every table for as long as the agent liked."""
    hour = dt.timedelta(hours=1)
    alice = desk.connect("alice")
    try:
        alice.execute("SET idle_in_transaction_session_timeout = 0")
        alice.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        alice.execute("SELECT count(*) FROM ticket")
        assert alice.execute("SELECT pg_current_xact_id_if_assigned()").fetchone() == (None,)
        young = end_stale_transactions(worker.uow, idle=hour, open_for=hour)["ended"]
        assert desk.login("alice") not in [ended["login"] for ended in young]  # idle for less than the limit
        ended = end_stale_transactions(worker.uow, idle=dt.timedelta(0), open_for=hour)["ended"]
        assert [e["login"] for e in ended] == [desk.login("alice")]
        with pytest.raises(psycopg.OperationalError):
            alice.execute("SELECT 1")
    finally:
        alice.close()


def test_no_eligible_agent_is_recorded_once_in_ten_minutes(desk: Desk) -> None:
    with desk.connect("bob") as bob:
        ticket = _tech_ticket(bob, desk, "Nobody home")
        first = bob.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (ticket, NOBODY)).fetchone()
        again = [
            bob.execute("SELECT route_ticket(%s, NULL, 'drain', %s, NULL)", (ticket, NOBODY)).fetchone()
            for _ in range(20)
        ]
        assert again == [first] * 20
        stored = bob.execute("SELECT count(*) FROM routing_decision WHERE ticket_id = %s", (ticket,)).fetchone()
        assert stored == (1,)
        with pytest.raises(psycopg.errors.ProgramLimitExceeded):
            bob.execute(
                "SELECT route_ticket(%s, NULL, 'intake', %s, NULL)",
                (ticket, json.dumps({"ranked": ["x" * 1_100_000], "exclusions": []})),
            )
    with desk.connect_as_dba() as dba:  # ten minutes later, nobody again is a new decision
        dba.execute("UPDATE switchboard.routing_decision SET decided_at = now() - interval '11 minutes'")
    with desk.connect("bob") as bob:
        later = bob.execute("SELECT route_ticket(%s, NULL, 'drain', %s, NULL)", (ticket, NOBODY)).fetchone()
        assert later != first


def test_an_article_holds_at_most_twenty_files_and_fifty_mib(desk: Desk) -> None:
    with desk.connect("alice") as alice:  # an agent, the author of her own draft
        (many,) = alice.execute(
            "SELECT kb_create_article('Many files', 'x', NULL, '{}', NULL, 'internal', NULL)"
        ).fetchone()  # type: ignore[misc]
        for number in range(20):
            alice.execute("SELECT kb_attach_file(%s, %s, 'text/plain', %s)", (many, f"f{number}.txt", b"x%d" % number))
        with pytest.raises(psycopg.errors.CheckViolation, match="at most 20 files"):
            alice.execute("SELECT kb_attach_file(%s, 'one-more.txt', 'text/plain', 'y')", (many,))
        (large,) = alice.execute(
            "SELECT kb_create_article('Large files', 'x', NULL, '{}', NULL, 'internal', NULL)"
        ).fetchone()  # type: ignore[misc]
        ten_mib = b"z" * 10 * 1024 * 1024  # the same bytes are stored once; each file counts
        for number in range(5):
            alice.execute("SELECT kb_attach_file(%s, %s, 'text/plain', %s)", (large, f"big{number}.txt", ten_mib))
        with pytest.raises(psycopg.errors.CheckViolation, match="50 MiB"):
            alice.execute("SELECT kb_attach_file(%s, 'last.txt', 'text/plain', 'y')", (large,))


def test_an_article_holds_at_most_128_tags(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        tags = [f"t{number}" for number in range(129)]
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute("SELECT kb_create_article('Tagged', 'x', NULL, %s, NULL, 'internal', NULL)", (tags,))
        alice.execute("SELECT kb_create_article('Tagged', 'x', NULL, %s, NULL, 'internal', NULL)", (tags[:128],))


def test_a_login_keeps_at_most_200_preferences_of_64_kib(desk: Desk) -> None:
    with desk.connect("ann") as ann:
        ann.execute(
            "INSERT INTO agent_preference (agent_id, key, value)"
            " SELECT current_agent_id(), 'view:' || g, '{}'::jsonb FROM generate_series(1, 200) g"
        )
        with pytest.raises(psycopg.errors.CheckViolation, match="at most 200 preferences"):
            ann.execute("INSERT INTO agent_preference (agent_id, key, value) VALUES (current_agent_id(), 'x', '1')")
        ann.execute(  # a key she has is still written, as an update or an upsert
            "INSERT INTO agent_preference (agent_id, key, value) VALUES (current_agent_id(), 'view:1', '2')"
            " ON CONFLICT (agent_id, key) DO UPDATE SET value = EXCLUDED.value"
        )
        ann.execute("UPDATE agent_preference SET value = '3' WHERE key = 'view:2'")
        with pytest.raises(psycopg.errors.CheckViolation):
            ann.execute("UPDATE agent_preference SET value = to_jsonb(repeat('x', 70000)) WHERE key = 'view:3'")
        ann.execute("DELETE FROM agent_preference WHERE key LIKE 'view:%'")


# --- a re-probe of the fixes above ------------------------------------------------------------------------


def test_a_ticket_takes_at_most_thirty_decisions_an_hour_whoever_asks(desk: Desk) -> None:
    """Alternating a winner and a hand-back (never deduplicated) stored a megabyte a statement."""
    with desk.connect("bob") as bob:
        ticket = _tech_ticket(bob, desk, "Routed too often")
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.routing_decision (ticket_id, asked_by, winner_agent_id)"
            " SELECT %s, 'intake', %s FROM generate_series(1, 30)",
            (ticket, desk.ids["bob"]),
        )
    with desk.connect("bob") as bob, pytest.raises(psycopg.errors.ProgramLimitExceeded, match="30 times"):
        bob.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (ticket, NOBODY))


def test_a_decision_is_stamped_when_it_is_made_not_when_its_transaction_began(desk: Desk) -> None:
    """A hand-back in a transaction begun before a colleague's routing was stamped earlier than it, and the
    ticket fell off the leads' list and out of the drain."""
    with desk.connect("bob") as bob:
        ticket = _tech_ticket(bob, desk, "Stamped late")
        with bob.transaction():
            bob.execute("SELECT pg_sleep(0.2)")
            bob.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (ticket, NOBODY))
            late = bob.execute(
                "SELECT decided_at > now() + interval '0.1 seconds' FROM routing_decision WHERE ticket_id = %s",
                (ticket,),
            ).fetchone()
    assert late == (True,)


def test_preferences_written_together_still_stop_at_200(desk: Desk) -> None:
    """Ten sessions inserting at once each counted the others' rows as absent: 2,000 rows."""
    first, second = desk.connect("dana"), desk.connect("dana")
    insert = (
        "INSERT INTO agent_preference (agent_id, key, value)"
        " SELECT current_agent_id(), %s || g, '{}'::jsonb FROM generate_series(1, 150) g"
    )
    try:
        first.execute("BEGIN")
        first.execute(insert, ("first:",))
        second.execute("BEGIN")
        waiting = threading.Thread(target=lambda: _try(second, insert, "second:"))
        waiting.start()  # waits for the first's lock
        first.execute("COMMIT")
        waiting.join(10)
        second.execute("ROLLBACK")
        with pytest.raises(psycopg.errors.CheckViolation, match="read committed"), first.transaction():
            first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            first.execute("INSERT INTO agent_preference (agent_id, key, value) VALUES (current_agent_id(), 'rr', '1')")
        (count,) = first.execute("SELECT count(*) FROM agent_preference").fetchone()  # type: ignore[misc]
        assert int(str(count)) <= 200
        first.execute("DELETE FROM agent_preference WHERE key LIKE 'first:%' OR key LIKE 'second:%'")
    finally:
        first.close()
        second.close()


def _try(connection: psycopg.Connection[tuple[object, ...]], statement: str, prefix: str) -> None:
    with contextlib.suppress(psycopg.errors.CheckViolation):
        connection.execute(statement, (prefix,))


@pytest.mark.parametrize(
    ("person", "statement"),
    [
        ("alice", "UPDATE ticket SET tags = '{{a,b},{c,d}}' WHERE id = %(ticket)s"),
        ("alice", "UPDATE ticket SET tags = '[0:1]={a,b}' WHERE id = %(ticket)s"),
        ("carol", "SELECT kb_create_article('Nested', 'x', NULL, '{{a,b},{c,d}}', NULL, 'internal', NULL)"),
    ],
)
def test_a_list_is_one_plain_list_whoever_writes_it(desk: Desk, person: str, statement: str) -> None:
    """'{{a,b},{c,d}}' as a ticket's tags stopped every colleague's `ticket show` and the client's header."""
    with desk.connect(person) as login, pytest.raises(psycopg.errors.CheckViolation):
        login.execute(statement, {"ticket": desk.ids["billing_open"]})


def test_idle_sessions_and_listeners_are_not_ended_for_being_idle(desk: Desk, worker: Runtime) -> None:
    """What the client keeps open all day: a pooled connection between units, the live updates' listener."""
    idle, listener = desk.connect("alice"), desk.connect("alice")
    try:
        idle.execute("SELECT 1")
        listener.execute("LISTEN switchboard_changes")
        ended = end_stale_transactions(worker.uow, idle=dt.timedelta(0), open_for=dt.timedelta(0))["ended"]
        assert desk.login("alice") not in [e["login"] for e in ended]
        assert idle.execute("SELECT 1").fetchone() == (1,) and listener.execute("SELECT 1").fetchone() == (1,)
    finally:
        idle.close()
        listener.close()


def test_a_session_holding_a_gigabyte_of_temporary_files_is_ended(desk: Desk, worker: Runtime) -> None:
    """A cursor WITH HOLD kept a gigabyte on disk from an idle session with no transaction."""
    alice = desk.connect("alice")
    try:
        alice.execute("SET work_mem = '64kB'")
        alice.execute(
            "BEGIN; DECLARE hog CURSOR WITH HOLD FOR"
            " SELECT g, repeat(md5(g::text), 36) FROM generate_series(1, 1000000) g; COMMIT"
        )
        ended = end_stale_transactions(worker.uow, idle=dt.timedelta(hours=1), open_for=dt.timedelta(hours=1))
        assert [e["login"] for e in ended["ended"]] == [desk.login("alice")]
        with pytest.raises(psycopg.OperationalError):
            alice.execute("SELECT 1")
    finally:
        alice.close()


def test_a_claims_summary_is_the_tickets_summary_on_both_claim_paths(desk: Desk) -> None:
    """The claim functions return the summary's columns themselves: one drifting from `summary_row_select`
    would misread every claim, silently."""
    from app.services.tickets import queries, service

    with desk.connect_as_dba() as dba:
        made = [
            dba.execute(
                "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
                " VALUES (%s, 'new', 2, 'incident', %s, %s, 'web') RETURNING id, version",
                (f"claim summary {n}", desk.ids["tech"], desk.ids["jane"]),
            ).fetchone()
            for n in range(2)
        ]
    runtime = desk.runtime("bob")
    try:
        with runtime.uow() as uow:
            by_next = service.claim_next(uow, queue_id=desk.ids["tech"])
            uow.commit()
        assert by_next is not None
        taken_id, version = next((int(str(i)), int(str(v))) for i, v in made if i != by_next.ticket.id)  # type: ignore[misc]
        with runtime.uow() as uow:
            by_id = service.assign(uow, ticket_id=taken_id, assignee_id=desk.ids["bob"], expected_version=version)
            uow.commit()
        for claimed in (by_next, by_id):
            with runtime.uow() as uow:
                assert claimed.ticket == queries.get_summary(uow, ticket_id=claimed.ticket.id)
    finally:
        runtime.close()
