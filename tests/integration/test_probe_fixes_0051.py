"""What a tenth probe as each role found (migration 0051), each as the role's own login through plain SQL, on
both servers: an agent taken out of a queue kept its tickets, a demoted admin kept the old powers in a
transaction begun before, a lead's overflow cap of 2.0 stopped the queue's intake, a login cycling its lock
holds past the stale-transaction job, a closed ticket escalated, and one INSERT giving a new customer three
addresses."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import end_stale_transactions
from app.services.routing.settings import save_queue_settings
from tests.support.desk import Desk

pytestmark = pytest.mark.slow


def person(desk: Desk, name: str, role: str, queues: list[str]) -> int:
    """A person of the desk made (or made active again, in `role` and `queues`) by the admin, dana."""
    with desk.connect_as_dba() as dba:
        found = dba.execute("SELECT id FROM switchboard.agent WHERE db_login = %s", (desk.login(name),)).fetchone()
    with desk.connect("dana") as dana:
        if found is None:
            made = dana.execute(
                "SELECT add_user(%s, %s, %s, %s, NULL, %s)",
                (desk.login(name), name.title(), f"{name}@desk.test", role, [desk.ids[q] for q in queues]),
            ).fetchone()
            assert made is not None
            found = (made[0],)
        else:
            dana.execute("SELECT set_user_role(%s, %s)", (desk.login(name), role))
            wanted = json.dumps({"queues": [desk.ids[q] for q in queues]})
            dana.execute("SELECT set_agent_routing(%s, %s)", (found[0], wanted))
    return int(str(found[0]))


def ticket_for(desk: Desk, agent: int, status: str) -> int:
    """A Billing ticket assigned to `agent` in `status`, made by the DBA (as an import would)."""
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "INSERT INTO switchboard.ticket (subject, customer_id, queue_id, status, priority, channel, type,"
            " assignee_id) VALUES ('Probe', %s, %s, %s, 1, 'email', 'question', %s) RETURNING id",
            (desk.ids["jane"], desk.ids["billing"], status, agent),
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


def assignee_of(desk: Desk, ticket: int) -> object:
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT assignee_id FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
    assert row is not None
    return row[0]


def test_an_agent_taken_out_of_a_queue_sees_none_of_it_and_her_open_tickets_there_are_released(desk: Desk) -> None:
    """She read 182 tickets of the queue she had left, with their messages, and added notes; her 11 open
    tickets stayed hers, so "get next" skipped them for everyone."""
    eli = person(desk, "eli", "agent", ["billing"])
    open_one, closed_one = ticket_for(desk, eli, "in_progress"), ticket_for(desk, eli, "closed")
    with desk.connect("eli") as her:
        assert her.execute("SELECT count(*) FROM ticket WHERE id IN (%s, %s)", (open_one, closed_one)).fetchone() == (
            2,
        )
    with desk.connect("dana") as dana:
        dana.execute("SELECT set_agent_routing(%s, %s)", (eli, json.dumps({"queues": []})))
    with desk.connect("eli") as her:
        assert her.execute("SELECT count(*) FROM ticket").fetchone() == (0,)
        assert her.execute("SELECT count(*) FROM ticket_tally").fetchone() == (0,)
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.NoDataFound)):
            her.execute(
                "INSERT INTO message (ticket_id, kind, author_agent_id, body_text)"
                " VALUES (%s, 'internal_note', %s, 'still here')",
                (closed_one, eli),
            )
        with pytest.raises(psycopg.errors.NoDataFound):
            her.execute("SELECT assign_ticket(%s, NULL, NULL)", (closed_one,))
    assert assignee_of(desk, open_one) is None  # back to the queue: anyone of it may take it
    assert assignee_of(desk, closed_one) == eli  # who handled a closed one stays its history
    with desk.connect("dana") as dana:
        said = dana.execute(
            "SELECT action, actor_agent_id FROM audit_event WHERE ticket_id = %s AND field = 'assignee_id'"
            " ORDER BY id DESC LIMIT 1",
            (open_one,),
        ).fetchone()
    assert said == ("release", desk.ids["dana"])


def test_a_membership_given_back_in_the_same_transaction_releases_nothing(desk: Desk) -> None:
    fay = person(desk, "fay", "agent", ["billing"])
    ticket = ticket_for(desk, fay, "in_progress")
    with desk.connect_as_dba() as dba, dba.transaction():  # as a tool that rewrites memberships whole
        dba.execute("DELETE FROM switchboard.queue_member WHERE agent_id = %s", (fay,))
        dba.execute(
            "INSERT INTO switchboard.queue_member (queue_id, agent_id) VALUES (%s, %s)", (desk.ids["billing"], fay)
        )
    assert assignee_of(desk, ticket) == fay


def test_a_queue_whose_lead_changes_releases_the_old_leads_tickets_there(desk: Desk) -> None:
    lee = person(desk, "lee", "supervisor", [])
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (lee, desk.ids["billing"]))
    ticket = ticket_for(desk, lee, "new")
    try:
        with desk.connect_as_dba() as dba:
            dba.execute(
                "UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (desk.ids["sam"], desk.ids["billing"])
            )
        assert assignee_of(desk, ticket) is None
        with desk.connect("lee") as lead:
            assert lead.execute("SELECT count(*) FROM ticket WHERE id = %s", (ticket,)).fetchone() == (0,)
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.queue SET team_lead_id = NULL WHERE id = %s", (desk.ids["billing"],))


@pytest.mark.parametrize(("before", "after"), [("admin", "agent"), ("admin", "supervisor"), ("supervisor", "agent")])
def test_a_transaction_begun_before_a_demotion_is_ended_and_an_idle_session_is_left_alone(
    desk: Desk, before: str, after: str
) -> None:
    """A demoted admin, in a REPEATABLE READ transaction begun before, set another admin's password and
    assigned another queue's ticket: the snapshot still said admin."""
    person(desk, "vic", before, ["billing"])
    vic, idle = desk.connect("vic"), desk.connect("vic")
    try:
        vic.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        vic.execute("SELECT count(*) FROM agent")
        with desk.connect("dana") as dana:
            dana.execute("SELECT set_user_role(%s, %s)", (desk.login("vic"), after))
        with pytest.raises(psycopg.OperationalError):
            vic.execute("SELECT set_user_password(%s, 'SCRAM-SHA-256$4096:x')", (desk.login("ann"),))
        assert idle.execute("SELECT session_who()").fetchone() is not None  # no transaction: nothing to end
    finally:
        vic.close()
        idle.close()


def test_whole_numbers_of_routing_are_written_whole(desk: Desk) -> None:
    """2.0 passed `% 1 = 0` and then failed `route_ticket()`'s `::integer`: every creation and "become
    available" of the queue failed."""
    with desk.connect("dana") as dana:
        for settings in ('{"overflow_cap": 2.0}', '{"urgent_weight": 3.0}', '{"skills": {"refunds": 2.0}}'):
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                dana.execute("SELECT set_routing_config(%s, %s)", (desk.ids["billing"], settings))
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="capacity is a whole number"):
            dana.execute("SELECT set_agent_routing(%s, '{\"capacity\": 2.0}')", (desk.ids["alice"],))
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="shift"):
            dana.execute('SELECT set_agent_routing(%s, \'{"shift": {"0": [[540.0, 1020]]}}\')', (desk.ids["alice"],))
    engine = build_engine(desk.url.set(username=desk.login("dana"), password=None))
    try:
        with Runtime(engine, build_session_factory(engine)).uow() as uow:  # a file's 2.0 is sent as 2
            save_queue_settings(uow, desk.ids["billing"], {"overflow_cap": 2.0, "weights": {"skill": 40.0}})
            uow.commit()
    finally:
        engine.dispose()
    with desk.connect_as_dba() as dba:
        stored = dba.execute(
            "SELECT settings::text FROM switchboard.routing_config WHERE queue_id = %s", (desk.ids["billing"],)
        ).fetchone()
        assert stored == ('{"weights": {"skill": 40}, "overflow_cap": 2}',)
        whole = "SELECT switchboard.is_whole_number(%s::jsonb, 0, 10)"
        assert [dba.execute(whole, (v,)).fetchone() for v in ("2", "2.0", "2e0", "-1", "11", '"2"', "null")] == [
            (True,), (False,), (True,), (False,), (False,), (False,), (False,)
        ]  # fmt: skip


@pytest.fixture
def worker(desk: Desk) -> Iterator[Runtime]:
    engine = build_engine(desk.url)
    yield Runtime(engine, build_session_factory(engine))
    engine.dispose()


def test_a_login_holding_locks_at_four_of_eight_runs_is_ended_however_it_times_them(
    desk: Desk, worker: Runtime
) -> None:
    """A probe held a queue's tickets 90 s of every 120, between the job's runs every other minute: version 4
    forgot it at each run that found it holding nothing."""
    long_enough = dt.timedelta(hours=1)  # no transaction here is stale by age
    bob = desk.connect("bob")
    ended: list[list[str]] = []
    try:
        bob.execute("SET idle_in_transaction_session_timeout = 0")
        for run in range(7):
            holding = run % 2 == 0
            if holding:
                bob.execute("BEGIN")
                bob.execute("SELECT count(*) FROM (SELECT id FROM ticket WHERE queue_id = %s FOR SHARE) t",
                            (desk.ids["tech"],))  # fmt: skip
            found = end_stale_transactions(worker.uow, idle=long_enough, open_for=long_enough)["ended"]
            ended.append([e["login"] for e in found])
            if holding and not ended[-1]:
                bob.execute("ROLLBACK")
        assert ended == [[], [], [], [], [], [], [desk.login("bob")]]  # the fourth hold of seven runs
    finally:
        bob.close()


def test_a_closed_ticket_is_not_escalated(desk: Desk) -> None:
    closed = ticket_for(desk, desk.ids["ann"], "closed")
    with desk.connect("alice") as alice, pytest.raises(psycopg.Error, match="reopen it before escalating it"):
        alice.execute("SELECT escalate_ticket(%s, NULL)", (closed,))
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT priority, assignee_id FROM switchboard.ticket WHERE id = %s", (closed,)).fetchone()
    assert row == (1, desk.ids["ann"])


def test_one_insert_gives_a_new_customer_one_address_as_staff_types_it(desk: Desk) -> None:
    """Staff give the first address of a customer made in the same transaction; one INSERT of three passed
    the check three times (a STABLE function does not see its own statement's rows)."""
    addresses = "SELECT %s, a, false FROM (VALUES ('m1@probe.test'), ('m2@probe.test')) v(a)"
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), alice.transaction():
            customer = alice.execute("INSERT INTO customer (name) VALUES ('Probe Multi') RETURNING id").fetchone()
            assert customer is not None
            alice.execute(f"INSERT INTO customer_email (customer_id, address, is_primary) {addresses}", (customer[0],))
        with alice.transaction():
            customer = alice.execute("INSERT INTO customer (name) VALUES ('Probe One') RETURNING id").fetchone()
            assert customer is not None
            alice.execute(
                "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'm1@probe.test', true)",
                (customer[0],),
            )
        stored = alice.execute("SELECT address FROM customer_email WHERE customer_id = %s", (customer[0],))
        assert stored.fetchall() == [("m1@probe.test",)]


@pytest.fixture
def inactive(desk: Desk) -> str:
    """kim: in the agent group and able to log in, her agent row inactive (a disabled agent's row)."""
    with desk.connect_as_dba() as dba:  # made active again for `person`, for a later parameter
        dba.execute("UPDATE switchboard.agent SET is_active = true WHERE db_login = %s", (desk.login("kim"),))
    person(desk, "kim", "agent", ["billing"])
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("kim"),))
    return "kim"


NOT_FOR_YOU = (
    psycopg.errors.InsufficientPrivilege,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.FeatureNotSupported,
    psycopg.errors.NoDataFound,
    psycopg.errors.UndefinedTable,  # a login in no group has no usage of the schema
)


@pytest.mark.parametrize("login", ["bob", "carol", "ghost", "outsider", "inactive"])
def test_what_0051_adds_is_nobodys_to_call_and_nobody_else_releases_a_colleagues_tickets(
    desk: Desk, inactive: str, login: str
) -> None:
    """Another queue's agent, a lead of another queue, a group member without an agent row, a login in no
    group and an inactive agent: none calls the new helpers, and none takes ann out of Billing (which would
    release her ticket there) or lowers her role."""
    who = inactive if login == "inactive" else login
    attempts = [
        ("SELECT is_whole_number('2', 0, 10)", ()),
        ("SELECT release_lost_work()", ()),
        ("DELETE FROM queue_member WHERE agent_id = %s", (desk.ids["ann"],)),
        ("UPDATE agent SET is_active = false WHERE id = %s", (desk.ids["ann"],)),
        ("UPDATE queue SET team_lead_id = NULL WHERE id = %s", (desk.ids["billing"],)),
        ("SELECT set_agent_routing(%s, '{\"queues\": []}')", (desk.ids["ann"],)),
        ("SELECT set_queue_members(%s, ARRAY[]::bigint[])", (desk.ids["billing"],)),
        ("SELECT set_user_role(%s, 'agent')", (desk.login("ann"),)),
        ("SELECT disable_user(%s)", (desk.login("ann"),)),
    ]
    for statement, args in attempts:
        with desk.connect(who) as probe:
            try:
                changed = probe.execute(statement, args).rowcount
            except NOT_FOR_YOU:
                changed = 0
            assert changed <= 0 or statement.startswith("SELECT"), statement
    assert assignee_of(desk, desk.ids["billing_anns"]) == desk.ids["ann"]
    with desk.connect_as_dba() as dba:
        member = dba.execute(
            "SELECT count(*) FROM switchboard.queue_member WHERE agent_id = %s", (desk.ids["ann"],)
        ).fetchone()
    assert member == (1,)


STORE = "SELECT account_store('crm', 'email', 'jane@customer.test', %s, true, '[]', '{}', NULL, 600, NULL)"


def test_a_customer_of_her_closed_tickets_is_not_hers_after_she_left_the_queue(desk: Desk) -> None:
    """`can_see_customer()` let the assignee in too: a leaver stored made-up account answers for the customers
    of her closed tickets, which colleagues' panels then showed."""
    gus = person(desk, "gus", "agent", ["billing"])
    ticket_for(desk, gus, "closed")
    with desk.connect("gus") as him:
        him.execute(STORE, (desk.ids["jane"],))  # while he works the queue
    with desk.connect("dana") as dana:
        dana.execute("SELECT set_agent_routing(%s, %s)", (gus, json.dumps({"queues": []})))
    with desk.connect("gus") as him, pytest.raises(psycopg.Error, match="for you"):
        him.execute(STORE, (desk.ids["jane"],))


def test_nobodys_lock_stops_the_change_and_the_leavers_own_goes_with_her_session(desk: Desk) -> None:
    """The leaver's FOR SHARE on a ticket of hers made the admin's change wait, time out and roll back (a
    veto); a colleague's lock did the same. Now her session goes first, and what a colleague holds is skipped."""
    hal = person(desk, "hal", "agent", ["billing"])
    hers, held = ticket_for(desk, hal, "in_progress"), ticket_for(desk, hal, "in_progress")
    her_session, colleague = desk.connect("hal"), desk.connect("alice")
    try:
        her_session.execute("BEGIN")
        her_session.execute("SELECT id FROM ticket WHERE id = %s FOR SHARE", (hers,))
        colleague.execute("BEGIN")
        colleague.execute("SELECT id FROM ticket WHERE id = %s FOR SHARE", (held,))
        with desk.connect("dana") as dana:
            dana.execute("SET lock_timeout = '3s'")
            dana.execute("SELECT set_agent_routing(%s, %s)", (hal, json.dumps({"queues": []})))
        with pytest.raises(psycopg.OperationalError):
            her_session.execute("SELECT 1")
        assert assignee_of(desk, hers) is None
        assert assignee_of(desk, held) == hal  # a colleague held it locked: skipped, never waited for
    finally:
        her_session.close()
        colleague.close()


def test_a_disabled_agents_open_tickets_go_back_to_the_queue(desk: Desk) -> None:
    ida = person(desk, "ida", "agent", ["billing"])
    ticket = ticket_for(desk, ida, "new")
    with desk.connect("dana") as dana:
        dana.execute("SELECT disable_user(%s)", (desk.login("ida"),))
    assert assignee_of(desk, ticket) is None


def test_a_ticket_reopened_after_its_assignee_left_comes_back_unassigned(desk: Desk) -> None:
    jon = person(desk, "jon", "agent", ["billing"])
    closed, stays = ticket_for(desk, jon, "resolved"), ticket_for(desk, desk.ids["ann"], "resolved")
    with desk.connect("dana") as dana:
        dana.execute("SELECT set_agent_routing(%s, %s)", (jon, json.dumps({"queues": []})))
    with desk.connect("alice") as alice:
        alice.execute("UPDATE ticket SET status = 'in_progress' WHERE id IN (%s, %s)", (closed, stays))
    assert assignee_of(desk, closed) is None
    assert assignee_of(desk, stays) == desk.ids["ann"]  # ann still works Billing: hers again


def test_a_session_waiting_for_a_colleagues_lock_is_not_counted_as_holding(desk: Desk, worker: Runtime) -> None:
    long_enough = dt.timedelta(hours=1)
    with desk.connect_as_dba() as dba:
        dba.execute("DELETE FROM switchboard.stale_lock_sample")  # bob's runs of the test above stay counted
    bob, carol = desk.connect("bob"), desk.connect("carol")
    try:
        bob.execute("SET idle_in_transaction_session_timeout = 0")
        bob.execute("BEGIN")
        bob.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (desk.ids["tech_open"],))
        waiter = threading.Thread(
            target=lambda: _wait_quietly(carol, "UPDATE ticket SET tags = tags WHERE id = %s", desk.ids["tech_open"])
        )
        waiter.start()
        time.sleep(0.5)  # carol waits on bob's lock
        for _run in range(2):  # a third in a row would end bob, the holder
            end_stale_transactions(worker.uow, idle=long_enough, open_for=long_enough)
        with desk.connect_as_dba() as dba:
            counted = dba.execute("SELECT login FROM switchboard.stale_lock_sample ORDER BY login").fetchall()
        bob.execute("ROLLBACK")
        waiter.join(10)
        assert (desk.login("bob"),) in counted and (desk.login("carol"),) not in counted
    finally:
        bob.close()
        carol.close()


def _wait_quietly(connection: psycopg.Connection[tuple[object, ...]], statement: str, ticket: int) -> None:
    with contextlib.suppress(psycopg.Error):
        connection.execute(statement, (ticket,))
