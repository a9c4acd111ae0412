"""What a fourth probe as each role found (migration 0047), each as the role's own login through plain SQL, on
both servers: every connection slot taken by one agent, the disk filled through temporary tables and
through stores nothing trims (routing decisions for nobody, a draft's files, an article's tags, a login's
preferences), and vacuum held back by a transaction that kept only a snapshot."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from app.bootstrap import Runtime
from app.services.errors import DatabaseUnavailable, SignInFailed
from app.services.platform.database.engine import (
    build_engine,
    build_session_factory,
    check_reachable,
    explain_connection_error,
)
from app.services.platform.jobs import end_stale_transactions
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

CONNECTIONS_PER_LOGIN = 30
STAFF = ["alice", "carol", "sam", "dana"]
NOBODY = json.dumps({"ranked": [], "exclusions": [{"agent_id": 1, "reason": "offline"}]})


@pytest.fixture
def worker(desk: Desk) -> Iterator[Runtime]:
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    yield runtime
    runtime.close()


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
        ticket = bob.execute(
            "INSERT INTO ticket (subject, customer_id, queue_id, status, priority, channel, type)"
            " VALUES ('Nobody home', %s, %s, 'new', 1, 'email', 'question') RETURNING id",
            (desk.ids["jane"], desk.ids["tech"]),
        ).fetchone()[0]  # type: ignore[index]
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
