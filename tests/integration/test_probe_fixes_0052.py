"""What an eleventh probe as each role found (migration 0052), each as the role's own login through plain SQL,
on both servers: one agent's open transaction stopped the SLA sweep for every queue (a message's watch row
held, or one ticket held while a policy change was being walked), a lock holder kept itself uncounted by
waiting on its own second session, and every login could look up who sent a notification."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import end_stale_transactions
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

TARGETS = json.dumps({"normal": {"first_response": 60, "resolution": 600}})


@pytest.fixture(scope="module")
def watched(desk: Desk) -> Desk:
    """A policy for every ticket, and every open ticket on the sweep's watch list."""
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours)"
            " VALUES ('Probe 0052', 100, %s, false)",
            (TARGETS,),
        )
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    sla_sweep(runtime.uow)  # the recompute the new policy asked for, and the due times
    runtime.close()
    return desk


@pytest.fixture
def worker(watched: Desk) -> Iterator[Runtime]:
    engine = build_engine(watched.url)  # its sessions wait at most 10 s for a lock, as the worker's do
    yield Runtime(engine, build_session_factory(engine))
    engine.dispose()


def due_now(desk: Desk, *names: str) -> None:
    with desk.connect_as_dba() as dba:
        for name in names:
            dba.execute(
                "INSERT INTO switchboard.sla_watch (ticket_id, check_at) VALUES (%s, now() - interval '1 second')"
                " ON CONFLICT (ticket_id) DO UPDATE SET check_at = excluded.check_at",
                (desk.ids[name],),
            )


def next_check(desk: Desk, name: str) -> dt.datetime | None:
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT check_at FROM switchboard.sla_watch WHERE ticket_id = %s", (desk.ids[name],))
        found = row.fetchone()
    return None if found is None else found[0]  # type: ignore[return-value]


def answered_once(desk: Desk) -> None:
    """alice answers billing_open, so the customer's next message restarts a clock (and moves its watch row)."""
    replying = desk.runtime("alice")
    with replying.uow() as uow:
        service.reply(uow, ticket_id=desk.ids["billing_open"], body="Looking into it.", expected_version=None)
        uow.commit()
    replying.close()


def message_left_open(desk: Desk) -> psycopg.Connection[tuple[object, ...]]:
    """alice's session, in a transaction that wrote a customer message on billing_open and sits there."""
    alice = desk.connect("alice")
    alice.execute("SET idle_in_transaction_session_timeout = 0")
    alice.execute("BEGIN")
    alice.execute(
        "INSERT INTO message (ticket_id, kind, author_customer_id, body_text) VALUES (%s, 'customer_message', %s,"
        " 'Any news?')",
        (desk.ids["billing_open"], desk.ids["jane"]),
    )
    return alice


def test_an_agent_writing_a_message_slowly_stops_no_sweep(watched: Desk, worker: Runtime) -> None:
    """A customer message written in alice's open transaction held the ticket's watch row (the ledger's
    trigger moves it) with only a key-share lock on the ticket: the sweep waited out its lock timeout and
    failed, Tech's due tickets included, minute after minute."""
    answered_once(watched)
    alice = message_left_open(watched)
    try:
        with watched.connect_as_dba() as dba:  # what the probe relied on: the watch row is hers now
            locked = dba.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE a.usename = %s AND l.relation = 'switchboard.sla_watch'::regclass AND l.granted",
                (watched.login("alice"),),
            ).fetchone()
        assert locked is not None and int(str(locked[0])) > 0
        due_now(watched, "tech_open")
        sla_sweep(worker.uow)  # raised LockNotAvailable after 10 s
        check = next_check(watched, "tech_open")
        assert check is None or check > dt.datetime.now(dt.UTC)  # Tech's ticket was swept
    finally:
        alice.close()


def test_one_ticket_held_while_a_policy_change_is_walked_stops_no_sweep(watched: Desk, worker: Runtime) -> None:
    """carol's ordinary policy save asks for a recompute; bob held one of its tickets FOR SHARE, and the walk
    waited out its lock timeout: the sweep it opens failed for every queue. The held ticket is walked once
    it is free."""
    with watched.connect("carol") as carol:
        carol.execute(
            "SELECT save_sla_policy(NULL, NULL, 'Tech only', 10, %s, %s, false, NULL, 0.8, '[]', true)",
            (json.dumps({"queue_ids": [watched.ids["tech"]]}), TARGETS),
        )
    bob = watched.connect("bob")
    try:
        bob.execute("SET idle_in_transaction_session_timeout = 0")
        bob.execute("BEGIN")
        bob.execute("SELECT id FROM ticket WHERE id = %s FOR SHARE", (watched.ids["tech_open"],))
        swept = sla_sweep(worker.uow)
        assert swept["recomputed"] >= 1  # tech_bobs, nobody's to hold
        with watched.connect_as_dba() as dba:
            pending = dba.execute(
                "SELECT skipped_ids FROM switchboard.sla_recompute WHERE finished_at IS NULL"
            ).fetchall()
        assert pending == [([watched.ids["tech_open"]],)]
    finally:
        bob.execute("ROLLBACK")
        bob.close()
    sla_sweep(worker.uow)
    with watched.connect_as_dba() as dba:
        assert dba.execute("SELECT count(*) FROM switchboard.sla_recompute WHERE finished_at IS NULL").fetchone() == (
            0,
        )
        marks = dba.execute(
            "SELECT count(*) FROM switchboard.sla_ledger WHERE ticket_id = %s AND entry = 'recompute'"
            " AND note LIKE '%%Tech only%%'",
            (watched.ids["tech_open"],),
        ).fetchone()
    assert marks is not None and int(str(marks[0])) >= 1  # its recompute, once it was free


def test_a_holder_waiting_on_its_own_second_session_is_counted_and_ended(watched: Desk, worker: Runtime) -> None:
    """Version 5 left a waiting session out of the count, meant for a colleague waiting on a holder: alice held
    Billing's tickets FOR SHARE and then waited on a table lock her own second session held, and was never
    counted or ended."""
    long_enough = dt.timedelta(hours=1)  # no transaction here is stale by age
    with watched.connect_as_dba() as dba:
        dba.execute("DELETE FROM switchboard.stale_lock_sample")
    holder, helper = watched.connect("alice"), watched.connect("alice")
    try:
        for session in (holder, helper):
            session.execute("SET idle_in_transaction_session_timeout = 0")
            session.execute("BEGIN")
        helper.execute("SELECT count(*) FROM agent_preference")
        holder.execute("SELECT count(*) FROM (SELECT id FROM ticket WHERE queue_id = %s FOR SHARE) t",
                       (watched.ids["billing"],))  # fmt: skip
        holder.execute("SET LOCAL lock_timeout = 0")
        waiting = threading.Thread(
            target=_quietly, args=(holder, "LOCK TABLE agent_preference IN ACCESS EXCLUSIVE MODE")
        )
        waiting.start()
        time.sleep(0.5)
        ended = [
            [e["login"] for e in end_stale_transactions(worker.uow, idle=long_enough, open_for=long_enough)["ended"]]
            for _run in range(3)
        ]
        waiting.join(10)
        assert ended == [[], [], [watched.login("alice")]]  # the third run in a row
    finally:
        holder.close()
        helper.close()


def _quietly(connection: psycopg.Connection[tuple[object, ...]], statement: str) -> None:
    with contextlib.suppress(psycopg.Error):
        connection.execute(statement)


@pytest.mark.parametrize("login", ["alice", "carol", "dana", "ghost", "outsider"])
def test_no_login_learns_who_sent_a_notification(watched: Desk, login: str) -> None:
    """Every notification carries its sender's pid, and pg_stat_activity named every backend's login: alice
    learnt who worked and typed in queues she cannot see. The pid's owner is no login's to look up now
    (the worker's, as the owner role's, still is)."""
    with watched.connect(login) as connection:
        for lookup in (
            "SELECT usename FROM pg_stat_activity",
            "SELECT * FROM pg_stat_get_activity(NULL)",
            "SELECT pg_stat_get_backend_userid(1)",
            "SELECT client_dn FROM pg_stat_ssl",
            "SELECT pid, transactionid FROM pg_locks",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(lookup)
        if login != "outsider":
            connection.execute("LISTEN switchboard_changes")  # listening itself is untouched


def test_a_message_left_open_stops_no_recompute_of_a_policy_change(watched: Desk, worker: Runtime) -> None:
    """The walk took the ticket (a message holds only a key-share lock on it) and then waited on its watch row,
    which the message's trigger held: every sweep failed while the change was being walked (probe 12)."""
    answered_once(watched)
    with watched.connect("dana") as dana:
        dana.execute(
            "SELECT save_sla_policy(NULL, NULL, 'Everywhere', 20, '{}', %s, false, NULL, 0.8, '[]', true)", (TARGETS,)
        )
    alice = message_left_open(watched)
    try:
        sla_sweep(worker.uow)  # raised LockNotAvailable after 10 s
        with watched.connect_as_dba() as dba:
            pending = dba.execute(
                "SELECT skipped_ids FROM switchboard.sla_recompute WHERE finished_at IS NULL"
            ).fetchall()
        assert pending == [([watched.ids["billing_open"]],)]
    finally:
        alice.execute("ROLLBACK")
        alice.close()
    sla_sweep(worker.uow)
    with watched.connect_as_dba() as dba:
        assert dba.execute("SELECT count(*) FROM switchboard.sla_recompute WHERE finished_at IS NULL").fetchone() == (
            0,
        )


def test_the_account_cache_cleanup_leaves_a_row_an_agent_holds_and_removes_the_rest(
    watched: Desk, worker: Runtime
) -> None:
    """An agent's claim of an expired row, left open, made the worker's cleanup wait out its lock timeout and
    remove nothing, run after run (probe 12)."""
    with watched.connect_as_dba() as dba:
        for address in ("jane@customer.test", "old@customer.test"):
            dba.execute(
                "INSERT INTO switchboard.account_cache (connector, key_kind, key, found, fetched_at, expires_at)"
                " VALUES ('accounts', 'email', %s, false, now() - interval '30 days', now() - interval '20 days')",
                (address,),
            )
    alice = watched.connect("alice")
    try:
        alice.execute("SET idle_in_transaction_session_timeout = 0")
        alice.execute("BEGIN")
        alice.execute("SELECT account_claim('accounts', 'email', 'jane@customer.test', %s, 60)", (watched.ids["jane"],))
        with worker.uow() as uow:
            removed = uow.session.execute(
                text("SELECT switchboard.account_cache_purge(interval '7 days')")
            ).scalar_one()
            uow.commit()
        assert removed == 1  # the other one; hers waits for the next run
    finally:
        alice.execute("ROLLBACK")
        alice.close()


@pytest.fixture(scope="module")
def disabled(watched: Desk) -> str:
    """kim: a Billing agent an admin disabled (her login still exists and may connect)."""
    with watched.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Kim', 'kim@desk.test', 'agent', NULL, %s)",
            (watched.login("kim"), [watched.ids["billing"]]),
        )
        dana.execute("SELECT disable_user(%s)", (watched.login("kim"),))
    return "kim"


NOT_FOR_YOU = (
    psycopg.errors.InsufficientPrivilege,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.UndefinedTable,  # a login in no group has no usage of the schema
)


@pytest.mark.parametrize("login", ["bob", "carol", "sam", "dana", "disabled", "ghost", "outsider"])
def test_what_0052_adds_is_written_by_the_worker_alone_and_read_with_the_ticket(
    watched: Desk, disabled: str, login: str
) -> None:
    """Another queue's agent, a lead, a supervisor of the queue, an admin, a disabled agent, a group member
    without an agent row and a login in no group: none writes who held a ticket at its breach, the skipped
    tickets of a recompute, or calls the cleanup and the stale-lock job; a breach mark's holder is read
    only with a ticket one may see."""
    if login == "disabled":  # disabling takes the login's LOGIN away: nothing of this is within its reach
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            watched.connect(disabled)
        return
    who = login
    ticket = watched.ids["billing_open"]
    with watched.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note, assignee_id)"
            " VALUES (%s, 'resolution', 'breach', now(), 'probe 0052', %s)",
            (ticket, watched.ids["alice"]),
        )
    attempts = [
        ("UPDATE sla_ledger SET assignee_id = %s WHERE ticket_id = %s", (watched.ids["bob"], ticket)),
        (
            "INSERT INTO sla_ledger (ticket_id, target, entry, at, note, assignee_id)"
            " VALUES (%s, 'resolution', 'breach', now(), 'forged', %s)",
            (ticket, watched.ids["bob"]),
        ),
        ("UPDATE sla_recompute SET skipped_ids = '{}', finished_at = now()", ()),
        ("INSERT INTO sla_recompute (reason, requested_by, up_to_ticket_id) VALUES ('forged', 'x', 1)", ()),
        ("SELECT account_cache_purge(interval '1 hour')", ()),
        ("SELECT * FROM end_stale_transactions(1, 1)", ()),
    ]
    for statement, args in attempts:
        with watched.connect(who) as probe:
            try:
                changed = probe.execute(statement, args).rowcount
            except NOT_FOR_YOU:
                changed = 0
            assert changed <= 0, statement
    with watched.connect_as_dba() as dba:
        holders = dba.execute(
            "SELECT DISTINCT assignee_id FROM switchboard.sla_ledger WHERE ticket_id = %s AND entry = 'breach'",
            (ticket,),
        ).fetchall()
        forged = dba.execute("SELECT count(*) FROM switchboard.sla_recompute WHERE reason = 'forged'").fetchone()
    assert holders == [(watched.ids["alice"],)] and forged == (0,)
    sees_billing = who in ("sam", "dana")
    with watched.connect(who) as reader:
        try:
            seen = reader.execute(
                "SELECT DISTINCT assignee_id FROM sla_ledger WHERE ticket_id = %s AND note = 'probe 0052'", (ticket,)
            ).fetchall()
        except NOT_FOR_YOU:
            seen = []
    assert seen == ([(watched.ids["alice"],)] if sees_billing else [])
