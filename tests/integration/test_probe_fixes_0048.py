"""What a fifth probe as each role found (migration 0048), each as the role's own login through plain SQL, on
both servers: advisory locks that filled the server's shared lock table (every statement on the server
failed, the DBA's new connections too), a colleague's preferences blocked by one, and ticket links that left
no trace in either ticket's history."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.platform.jobs import end_stale_transactions
from app.services.tickets.history import read_history
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

HOUR = dt.timedelta(hours=1)
LOCKERS = [
    f"{function}({signature})"
    for function in (
        "pg_advisory_lock",
        "pg_advisory_lock_shared",
        "pg_advisory_xact_lock",
        "pg_advisory_xact_lock_shared",
        "pg_try_advisory_lock",
        "pg_try_advisory_lock_shared",
        "pg_try_advisory_xact_lock",
        "pg_try_advisory_xact_lock_shared",
    )
    for signature in ("bigint", "integer, integer")
]
WAL_WRITERS = "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname = 'pg_logical_emit_message'"


@pytest.mark.parametrize("person", ["alice", "carol", "sam", "dana", "ghost", "outsider"])
def test_no_login_of_the_desk_takes_an_advisory_lock_or_writes_to_the_wal(desk: Desk, person: str) -> None:
    """Session-level locks outlive the statement that failed taking the next: about 15,000 from an idle
    session filled the lock table the whole server shares. A logical message wrote up to a gigabyte of WAL
    a call, on the server's one WAL disk."""
    with desk.connect_as_dba() as dba:
        wal_writers = [str(signature) for (signature,) in dba.execute(WAL_WRITERS).fetchall()]
        allowed = dba.execute(
            "SELECT f FROM unnest(%s::text[]) f WHERE has_function_privilege(%s, f, 'EXECUTE')",
            ([*LOCKERS, *wal_writers], desk.login(person)),
        ).fetchall()
    assert len(wal_writers) >= 2 and allowed == []
    with desk.connect(person) as login:
        for statement in (
            "SELECT pg_advisory_lock(7, 1)",
            "SELECT pg_try_advisory_xact_lock(7)",
            "SELECT pg_logical_emit_message(false, 'probe', repeat('x', 1000))",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                login.execute(statement)


def test_a_login_still_saves_a_preference_under_its_lock(desk: Desk) -> None:
    """`agent_preference_bounded()` takes an advisory lock per login: as its owner now."""
    with desk.connect("alice") as alice:
        alice.execute(
            "INSERT INTO agent_preference (agent_id, key, value) VALUES (current_agent_id(), 'probe0048', '{}')"
            " ON CONFLICT (agent_id, key) DO UPDATE SET value = excluded.value"
        )
        assert alice.execute("SELECT count(*) FROM agent_preference WHERE key = 'probe0048'").fetchone() == (1,)
        alice.execute("DELETE FROM agent_preference WHERE key = 'probe0048'")


def test_a_session_holding_advisory_locks_is_ended_where_the_functions_stayed_public(
    desk: Desk, worker: Runtime
) -> None:
    """A server migrated by a login that is not a superuser keeps the functions PUBLIC's: the job ends a
    staff session holding one outside a transaction once idle, and one holding over a thousand at once."""
    login = desk.login("alice")
    public_again = ("pg_advisory_lock(bigint)", "pg_advisory_lock(integer, integer)", "pg_advisory_xact_lock(bigint)")
    with desk.connect_as_dba() as dba:
        for function in public_again:
            dba.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{login}"')
    idle, hoarding = desk.connect("alice"), desk.connect("alice")
    try:
        # every colleague's first preference waited on this one (the preference trigger's key for agent 1)
        idle.execute("SELECT pg_advisory_lock(hashtext('switchboard.agent_preference'), 1)::text")
        idle.execute("SELECT pg_advisory_lock(7)")
        hoarding.execute("BEGIN")
        hoarding.execute("SELECT count(pg_advisory_xact_lock(g)) FROM generate_series(100001, 101001) g")
        ended = end_stale_transactions(worker.uow, idle=HOUR, open_for=HOUR)["ended"]
        assert [e["login"] for e in ended] == [login]  # the hoarder at once; the idle one not yet
        with pytest.raises(psycopg.OperationalError):
            hoarding.execute("SELECT 1")
        assert idle.execute("SELECT 1").fetchone() == (1,)
        ended = end_stale_transactions(worker.uow, idle=dt.timedelta(0), open_for=HOUR)["ended"]
        assert [e["login"] for e in ended] == [login]
        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")
    finally:
        idle.close()
        hoarding.close()
        with desk.connect_as_dba() as dba:
            for function in public_again:
                dba.execute(f'REVOKE EXECUTE ON FUNCTION {function} FROM "{login}"')


def test_a_link_is_audited_on_both_tickets_with_who_made_it_and_the_databases_time(desk: Desk) -> None:
    """A link made in plain SQL at '1900-01-02' changed neither ticket and left no audit row."""
    low, high = sorted((desk.ids["billing_open"], desk.ids["billing_anns"]))
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute(
                "INSERT INTO ticket_link (ticket_id, related_ticket_id, kind, created_at)"
                " VALUES (%s, %s, 'related', '1900-01-02')",
                (low, high),
            )
        alice.execute(
            "INSERT INTO ticket_link (ticket_id, related_ticket_id, kind) VALUES (%s, %s, 'related')", (low, high)
        )
        audited = alice.execute(
            "SELECT ticket_id, new_value, actor_login, action, field FROM audit_event"
            " WHERE entity = 'ticket_link' ORDER BY ticket_id",
        ).fetchall()
        made = alice.execute(
            "SELECT created_at > now() - interval '1 minute' FROM ticket_link WHERE ticket_id = %s", (low,)
        ).fetchone()
        number = alice.execute("SELECT number FROM ticket WHERE id = %s", (high,)).fetchone()
    login = desk.login("alice")
    assert audited == [(low, high, login, "link", "linked"), (high, low, login, "link", "linked")]
    assert made == (True,)
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            linked = [e for e in read_history(uow, ticket_id=low) if e.field == "linked"]
    finally:
        runtime.close()
    assert number is not None
    assert [(e.actor, e.new_name) for e in linked] == [("Alice", f"#{number[0]}")]


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_only_the_sweep_routes_a_ticket_as_the_escalation_ladder(desk: Desk, person: str) -> None:
    """'sla' (the ladder's level 3) is the worker's: a login asking as it would pass its reroute off as the
    SLA's in every explanation."""
    ticket = desk.ids["tech_open"] if person == "carol" else desk.ids["billing_open"]
    with desk.connect(person) as login, pytest.raises(psycopg.errors.InsufficientPrivilege, match="SLA sweep"):
        login.execute("SELECT route_ticket(%s, NULL, 'sla', '{}'::jsonb, 'SLA level 3')", (ticket,))
