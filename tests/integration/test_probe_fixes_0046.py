"""What a third probe as each role found (migration 0046), each as the role's own login through plain SQL, on
both servers: ids planted ahead of the sequences, locks held to freeze colleagues, an escalation to a
disabled lead, a lead changing an admin's routing, an account linked at creation without audit, large
objects stored by a login in no group, and a history row that named a customer who never wrote."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import STALE_IDLE, STALE_OPEN, end_stale_transactions
from app.services.tickets.history import read_history
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

# Every (table, column, group, privilege) where a staff group may write an identity column.
WRITABLE_GENERATED = (
    "SELECT c.relname, a.attname, r.rolname, p.privilege FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " CROSS JOIN pg_roles r CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(privilege)"
    " WHERE c.relnamespace = 'switchboard'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0"
    " AND NOT a.attisdropped AND a.attidentity <> ''"
    " AND r.rolname = ANY (%s) AND has_column_privilege(r.oid, c.oid, a.attname, p.privilege)"
)
GENERATED_COUNT = (
    "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " WHERE c.relnamespace = 'switchboard'::regnamespace AND c.relkind IN ('r', 'p') AND a.attidentity <> ''"
)


def test_no_staff_group_writes_an_identity_column(desk: Desk) -> None:
    groups = [f"{desk.database}_{group}" for group in ("agent", "supervisor", "admin")]
    with desk.connect_as_dba() as dba:
        (identity_columns,) = dba.execute(GENERATED_COUNT).fetchone()  # type: ignore[misc]
        assert int(str(identity_columns)) > 15
        assert dba.execute(WRITABLE_GENERATED, (groups,)).fetchall() == []


def test_an_agent_cannot_plant_the_ids_colleagues_would_get_next(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        for statement in (
            "INSERT INTO message (id, ticket_id, kind, author_agent_id, body_text)"
            " VALUES (nextval('message_id_seq') + 1, %s, 'internal_note', current_agent_id(), 'x')",
            "INSERT INTO ticket (id, subject, customer_id, queue_id, status, priority, channel, type, language)"
            " SELECT %s + 1000000, 'planted', customer_id, queue_id, 'new', 1, 'email', 'question', 'en'"
            " FROM ticket WHERE id = 0",
            "INSERT INTO customer (id, name) VALUES (%s + 1000000, 'planted')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                alice.execute(statement, (desk.ids["billing_open"],))
        alice.execute(  # what the client sends still works
            "INSERT INTO message (ticket_id, kind, author_agent_id, body_text)"
            " VALUES (%s, 'internal_note', current_agent_id(), 'a note')",
            (desk.ids["billing_open"],),
        )


def test_the_worker_ends_a_lock_held_without_a_transaction_id(desk: Desk) -> None:
    """LOCK TABLE takes no transaction id: version 1 of the job never ended it, and every login's
    preference writes waited behind it."""
    assert dt.timedelta(minutes=2) >= STALE_IDLE and dt.timedelta(minutes=2) >= STALE_OPEN
    engine = build_engine(desk.url)
    worker = Runtime(engine, build_session_factory(engine))
    alice = desk.connect("alice")
    try:
        alice.execute("SET idle_in_transaction_session_timeout = 0")
        alice.execute("BEGIN")
        alice.execute("LOCK TABLE agent_preference IN EXCLUSIVE MODE")
        assert alice.execute("SELECT pg_current_xact_id_if_assigned()").fetchone() == (None,)
        result = end_stale_transactions(worker.uow, idle=dt.timedelta(0), open_for=dt.timedelta(0))
        assert [ended["login"] for ended in result["ended"]] == [desk.login("alice")]
        with pytest.raises(psycopg.OperationalError):
            alice.execute("SELECT 1")
    finally:
        alice.close()
        worker.close()


def test_a_login_holding_locks_run_after_run_is_ended_however_short_its_transactions(desk: Desk) -> None:
    """A loop of 100-second transactions held a queue's tickets and every configuration write, and no single
    transaction was two minutes old: a login found holding locks at three runs in a row is ended."""
    engine = build_engine(desk.url)
    worker = Runtime(engine, build_session_factory(engine))
    bob = desk.connect("bob")
    long_enough = dt.timedelta(hours=1)  # no transaction here is stale by age
    try:
        bob.execute("SET idle_in_transaction_session_timeout = 0")
        bob.execute("BEGIN")
        bob.execute("SELECT count(*) FROM (SELECT id FROM ticket WHERE queue_id = %s FOR SHARE) t", (desk.ids["tech"],))
        ended = [
            [e["login"] for e in end_stale_transactions(worker.uow, idle=long_enough, open_for=long_enough)["ended"]]
            for _run in range(3)
        ]
        assert ended == [[], [], [desk.login("bob")]]  # seen twice, left; the third time, ended
        with pytest.raises(psycopg.OperationalError):
            bob.execute("SELECT 1")
    finally:
        bob.close()
        worker.close()


def test_a_reader_is_not_ended_for_reading(desk: Desk) -> None:
    """Not while its transaction is younger than the idle limit, however short the limit for lock holders
    (an idle one is ended since 0047, whatever it holds: tests/integration/test_probe_fixes_0047.py)."""
    engine = build_engine(desk.url)
    worker = Runtime(engine, build_session_factory(engine))
    with desk.connect("alice") as alice:
        alice.execute("BEGIN")
        alice.execute("SELECT count(*) FROM ticket")
        result = end_stale_transactions(worker.uow, idle=dt.timedelta(minutes=1), open_for=dt.timedelta(0))
        assert desk.login("alice") not in [ended["login"] for ended in result["ended"]]
        alice.execute("ROLLBACK")
    worker.close()


def test_escalation_never_goes_to_a_disabled_lead(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        gone = dba.execute(
            "INSERT INTO switchboard.agent (display_name, email, db_login, role, is_active, availability)"
            " VALUES ('Gone Lead', 'gone@desk.test', %s, 'supervisor', false, 'offline') RETURNING id",
            (f"{desk.database}_gone",),
        ).fetchone()[0]  # type: ignore[index]
        dba.execute("UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (gone, desk.ids["billing"]))
    try:
        with desk.connect("ann") as ann:
            ann.execute("SELECT escalate_ticket(%s, NULL)", (desk.ids["billing_anns"],))
            row = ann.execute("SELECT assignee_id, priority FROM ticket WHERE id = %s", (desk.ids["billing_anns"],))
            assert row.fetchone() == (desk.ids["ann"], 3)  # urgent, and still ann's
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.queue SET team_lead_id = NULL WHERE id = %s", (desk.ids["billing"],))


def test_a_lead_changes_an_agents_routing_but_not_another_leads_or_an_admins(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        for person in ("sam", "dana"):
            dba.execute(
                "INSERT INTO switchboard.queue_member (queue_id, agent_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (desk.ids["tech"], desk.ids[person]),
            )
    with desk.connect("carol") as carol:  # leads Tech
        carol.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["bob"], json.dumps({"capacity": 12})))
        for person in ("sam", "dana"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only an admin"):
                carol.execute("SELECT set_agent_routing(%s, %s)", (desk.ids[person], json.dumps({"capacity": 0})))
    with desk.connect("dana") as dana:
        dana.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["sam"], json.dumps({"capacity": 15})))
        assert dana.execute("SELECT capacity FROM agent WHERE id = %s", (desk.ids["sam"],)).fetchone() == (15,)


def test_a_customer_created_with_an_account_is_audited_as_a_link(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        created = alice.execute(
            "INSERT INTO customer (name, external_account_id) VALUES ('Vip Person', 'VIP-123') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
    with desk.connect_as_dba() as dba:
        rows = dba.execute(
            "SELECT actor_login, action, new_value FROM switchboard.audit_event"
            " WHERE entity = 'customer' AND entity_id = %s",
            (created,),
        ).fetchall()
    assert rows[0] == (desk.login("alice"), "link_account", "VIP-123")
    assert [action for _login, action, _value in rows] == ["link_account", "insert"]  # the customer too (0049)


@pytest.mark.parametrize("person", ["outsider", "alice", "dana"])
def test_no_login_stores_large_objects_in_the_desks_database(desk: Desk, person: str) -> None:
    with desk.connect(person) as login:
        for call in ("lo_from_bytea(0, 'x'::bytea)", "lo_create(0)", "lo_creat(-1)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                login.execute(f"SELECT {call}")


def test_a_ticket_edit_labelled_as_a_customer_message_is_still_the_agents(desk: Desk) -> None:
    ticket = desk.ids["billing_open"]
    with desk.connect("alice") as alice, alice.transaction():
        alice.execute("SET LOCAL switchboard.action = 'customer_message'")
        alice.execute('UPDATE ticket SET custom_fields = \'{"author": "Ann"}\' WHERE id = %s', (ticket,))
    runtime = desk.runtime("ann")
    try:
        with runtime.uow() as uow:
            newest = read_history(uow, ticket_id=ticket)[0]
    finally:
        runtime.close()
    assert newest.field == "custom_fields" and newest.actor == "Alice"  # not "Ann (customer)"


def test_configuration_changes_are_audited_whoever_makes_them(desk: Desk) -> None:
    """A lead's change of an agent's routing facts: an audit row with its actor and only what changed, which
    admins read and others do not; an agent's own availability, toggled on idle, is not audited."""
    bob, carol, alice = desk.ids["bob"], desk.login("carol"), desk.login("alice")
    with desk.connect_as_dba() as dba:
        (capacity,) = dba.execute("SELECT capacity FROM switchboard.agent WHERE id = %s", (bob,)).fetchone()  # type: ignore[misc]
    with desk.connect("carol") as lead:
        lead.execute("SELECT set_agent_routing(%s, %s)", (bob, json.dumps({"capacity": 7, "skills": {"vpn": 2}})))
    with desk.connect("alice") as agent:
        for state in ("available", "away", "away"):  # the last changes nothing: no row
            agent.execute("SELECT set_availability(%s)", (state,))
        assert agent.execute("SELECT count(*) FROM audit_event WHERE ticket_id IS NULL").fetchone() == (0,)
    with desk.connect("dana") as admin:
        rows = admin.execute(
            "SELECT actor_login, entity, entity_id, action, old_value, new_value FROM audit_event"
            " WHERE entity IN ('agent', 'agent_skill') ORDER BY id"
        ).fetchall()
    assert (carol, "agent", bob, "update", {"capacity": capacity}, {"capacity": 7}) in rows
    assert (carol, "agent_skill", bob, "insert", None, {"agent_id": bob, "skill": "vpn", "level": 2}) in rows
    assert [row for row in rows if row[0] == alice] == []  # one's own availability is no configuration change


def test_the_same_skills_sent_again_write_nothing(desk: Desk) -> None:
    facts = json.dumps({"skills": {"vpn": 2, "dns": 1}})
    with desk.connect("carol") as lead:
        lead.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["bob"], facts))
    with desk.connect_as_dba() as dba:
        (last,) = dba.execute("SELECT max(id) FROM switchboard.audit_event").fetchone()  # type: ignore[misc]
    with desk.connect("carol") as lead:
        lead.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["bob"], facts))  # unchanged
        lead.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["bob"], json.dumps({"skills": {"vpn": 3}})))
        skills = lead.execute("SELECT skill, level FROM agent_skill WHERE agent_id = %s", (desk.ids["bob"],))
        assert skills.fetchall() == [("vpn", 3)]
    with desk.connect_as_dba() as dba:
        rows = dba.execute("SELECT entity, action FROM switchboard.audit_event WHERE id > %s", (last,)).fetchall()
    assert sorted(rows) == [("agent_skill", "delete"), ("agent_skill", "update")]  # dns went, vpn changed


@pytest.mark.parametrize(
    ("filename", "media_type"), [("shot.png", "text/html\r\nX-Evil: 1"), ("invoice\u202efdp.exe", "image/png")]
)
def test_a_file_name_or_type_that_disguises_is_refused_whoever_writes_it(
    desk: Desk, filename: str, media_type: str
) -> None:
    with desk.connect("carol") as editor:  # leads Tech: an editor of the knowledge base
        article = editor.execute("SELECT kb_create_article('Files', 'See.', NULL, '{}', NULL, 'internal', NULL)")
        (article_id,) = article.fetchone()  # type: ignore[misc]
        with pytest.raises(psycopg.errors.CheckViolation):
            editor.execute("SELECT kb_attach_file(%s, %s, %s, 'hello')", (article_id, filename, media_type))


def test_escalation_never_goes_to_a_lead_who_is_an_agent_again(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (desk.ids["ann"], desk.ids["billing"])
        )
    try:
        with desk.connect("alice") as alice:
            alice.execute("SELECT escalate_ticket(%s, NULL)", (desk.ids["billing_open"],))
            row = alice.execute("SELECT assignee_id FROM ticket WHERE id = %s", (desk.ids["billing_open"],))
            assert row.fetchone() == (None,)  # ann is an agent: she leads nothing
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.queue SET team_lead_id = NULL WHERE id = %s", (desk.ids["billing"],))


# Tables where a staff group may insert: every column but an identity column stays writable to it, so a
# column a later migration adds is caught here until it is granted (0046 made the grants column by column).
UNINSERTABLE = (
    "SELECT c.relname, a.attname, r.rolname FROM pg_class c"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    " CROSS JOIN pg_roles r"
    " WHERE c.relnamespace = 'switchboard'::regnamespace AND c.relkind = 'r' AND r.rolname = ANY (%s)"
    " AND a.attidentity = '' AND a.attgenerated = ''"
    " AND EXISTS (SELECT FROM pg_attribute o WHERE o.attrelid = c.oid AND o.attnum > 0 AND NOT o.attisdropped"
    "             AND o.attidentity <> '' AND has_column_privilege(r.oid, c.oid, o.attname, 'INSERT') IS FALSE"
    "             AND has_any_column_privilege(r.oid, c.oid, 'INSERT'))"
    " AND NOT has_column_privilege(r.oid, c.oid, a.attname, 'INSERT')"
)


def test_a_table_staff_insert_into_takes_every_column_but_its_id(desk: Desk) -> None:
    groups = [f"{desk.database}_{group}" for group in ("agent", "supervisor", "admin")]
    with desk.connect_as_dba() as dba:
        assert dba.execute(UNINSERTABLE, (groups,)).fetchall() == []


def test_an_agent_creates_a_customer_by_name_not_in_an_organisation(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        organisation = dba.execute(
            "INSERT INTO switchboard.organisation (name) VALUES ('Contoso') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
    with desk.connect("alice") as alice:
        planted = alice.execute(
            "INSERT INTO customer (name, organisation_id, language) VALUES ('Planted VIP', %s, 'de')"
            " RETURNING organisation_id, language",
            (organisation,),
        ).fetchone()
    assert planted == (None, None)  # as the client creates one: by name
    with desk.connect("dana") as admin:
        kept = admin.execute(
            "INSERT INTO customer (name, organisation_id) VALUES ('Real VIP', %s) RETURNING organisation_id",
            (organisation,),
        ).fetchone()
    assert kept == (organisation,)


def test_a_lead_made_an_agent_again_no_longer_works_the_queue_he_led(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (desk.ids["ann"], desk.ids["tech"]))
    try:
        with desk.connect("dana") as admin:
            works = admin.execute("SELECT works_queue(%s, %s)", (desk.ids["ann"], desk.ids["tech"])).fetchone()
            assert works == (False,)  # ann is an agent: leading Tech on paper gives her none of its tickets
            with pytest.raises(psycopg.Error):
                admin.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["tech_open"], desk.ids["ann"]))
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute(
                "UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (desk.ids["carol"], desk.ids["tech"])
            )


def test_configuration_copied_into_the_audit_is_bounded(desk: Desk) -> None:
    huge = json.dumps({"tiers": ["x" * 200_000]})
    with desk.connect("dana") as admin:  # admins write policies and calendars directly: each change audited whole
        with pytest.raises(psycopg.errors.CheckViolation):
            admin.execute(
                "INSERT INTO sla_policy (name, position, conditions, targets, business_hours)"
                " VALUES ('Huge', 7, %s, '{\"normal\": {\"resolution\": 60}}', false)",
                (huge,),
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            admin.execute(
                "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('Huge', 'UTC', %s)",
                (json.dumps({"note": "x" * 70_000}),),
            )


@pytest.mark.parametrize("person", ["alice", "carol", "dana", "ghost", "outsider"])
def test_no_login_reads_or_writes_the_stale_jobs_count(desk: Desk, person: str) -> None:
    """`stale_lock_sample` is the worker's: no group has a grant on it, and no function hands it out."""
    with desk.connect(person) as login:
        for statement in (
            "SELECT * FROM switchboard.stale_lock_sample",
            "DELETE FROM switchboard.stale_lock_sample",
            "INSERT INTO switchboard.stale_lock_sample VALUES ('x', 0, now())",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                login.execute(statement)


@pytest.mark.parametrize("person", ["alice", "carol", "ghost"])
def test_only_admins_read_the_configurations_audit(desk: Desk, person: str) -> None:
    with desk.connect("dana") as admin:
        admin.execute("SELECT set_agent_routing(%s, %s)", (desk.ids["bob"], json.dumps({"capacity": 9})))
        assert admin.execute("SELECT count(*) FROM audit_event WHERE ticket_id IS NULL").fetchone() != (0,)
    with desk.connect(person) as login:
        seen = login.execute("SELECT count(*) FROM audit_event WHERE ticket_id IS NULL").fetchone()
    assert seen == (0,)  # a lead, an agent, a group member without an agent row: none of it
