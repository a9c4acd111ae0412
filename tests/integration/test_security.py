"""PostgreSQL itself is the security boundary. Each test connects straight to the database as a login
role, the way a modified client or `psql` would, and tries what that role may not do; the server must
refuse. The permitted paths must keep working. Runs on the embedded and on the system server.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from app.services.errors import NotPermitted
from app.services.tickets import service
from tests.support.desk import Desk
from tests.support.postgres import PgServer

pytestmark = pytest.mark.slow
REFUSED = (psycopg.errors.InsufficientPrivilege,)


def _rows(
    connection: psycopg.Connection[tuple[object, ...]], statement: str, *params: object
) -> list[tuple[object, ...]]:
    return connection.execute(statement, params).fetchall()


# --- reading ------------------------------------------------------------------------------------------


def test_an_agent_cannot_read_a_ticket_of_a_queue_they_do_not_work(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        tech = desk.ids["tech_open"]
        assert _rows(alice, "SELECT id FROM ticket WHERE id = %s", tech) == []
        assert _rows(alice, "SELECT id FROM message WHERE ticket_id = %s", tech) == []
        assert _rows(alice, "SELECT id FROM audit_event WHERE ticket_id = %s", tech) == []
        assert _rows(alice, "SELECT seq FROM change_log WHERE ticket_id = %s", tech) == []
        assert {r[0] for r in _rows(alice, "SELECT id FROM ticket")} == {
            desk.ids["billing_open"],
            desk.ids["billing_anns"],
        }


def test_each_role_sees_what_its_role_allows(desk: Desk) -> None:
    seen = {}
    for person in ("alice", "bob", "carol", "dana"):
        with desk.connect(person) as connection:
            seen[person] = {r[0] for r in _rows(connection, "SELECT id FROM ticket")}
    tech = {desk.ids["tech_open"], desk.ids["tech_bobs"]}
    everything = {desk.ids["billing_open"], desk.ids["billing_anns"], *tech}
    assert seen["bob"] == seen["carol"] == tech  # carol leads Tech
    assert seen["dana"] == everything


def test_an_outsider_login_reads_nothing(desk: Desk) -> None:
    with desk.connect("outsider") as outsider, pytest.raises(REFUSED):
        outsider.execute("SELECT * FROM switchboard.ticket")


def test_another_agents_private_data_stays_private(desk: Desk) -> None:
    with desk.connect("bob") as bob:
        bob.execute(
            "INSERT INTO agent_preference (agent_id, key, value) VALUES (%s, 'view:mine', '{}')", (desk.ids["bob"],)
        )
    with desk.connect("alice") as alice:
        assert _rows(alice, "SELECT * FROM agent_preference") == []
        with pytest.raises(REFUSED):
            alice.execute(
                "INSERT INTO agent_preference (agent_id, key, value) VALUES (%s, 'x', '1')", (desk.ids["bob"],)
            )
    with desk.connect("dana") as dana:  # not even an admin reads someone's private settings
        assert _rows(dana, "SELECT * FROM agent_preference") == []


# --- assigning, moving ------------------------------------------------------------------------------


def test_an_agent_cannot_change_another_agents_assignment(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        with pytest.raises(REFUSED):
            alice.execute(
                "UPDATE ticket SET assignee_id = %s WHERE id = %s", (desk.ids["alice"], desk.ids["billing_anns"])
            )
        with pytest.raises(REFUSED):
            alice.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["billing_anns"], desk.ids["alice"]))
        with pytest.raises(REFUSED):
            alice.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["billing_open"], desk.ids["ann"]))


def test_a_modified_client_cannot_skip_the_function_to_move_a_ticket(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        with pytest.raises(REFUSED):
            alice.execute("UPDATE ticket SET queue_id = %s WHERE id = %s", (desk.ids["tech"], desk.ids["billing_open"]))
        with pytest.raises(REFUSED):
            alice.execute("SELECT move_ticket(%s, %s, NULL)", (desk.ids["billing_open"], desk.ids["tech"]))


def test_a_ticket_cannot_be_created_in_a_queue_without_the_right(desk: Desk) -> None:
    with desk.connect("alice") as alice, pytest.raises(REFUSED):
        alice.execute(
            "INSERT INTO ticket (subject, status, priority, type, queue_id, customer_id, channel)"
            " VALUES ('x', 'new', 1, 'question', %s, %s, 'manual')",
            (desk.ids["tech"], desk.ids["jane"]),
        )


def test_the_permitted_paths_work(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        alice.execute(
            "UPDATE ticket SET status = 'in_progress', version = version + 1 WHERE id = %s", (desk.ids["billing_open"],)
        )
        alice.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["billing_open"], desk.ids["alice"]))
        assert _rows(alice, "SELECT status, assignee_id FROM ticket WHERE id = %s", desk.ids["billing_open"]) == [
            ("in_progress", desk.ids["alice"])
        ]
    with desk.connect("carol") as carol:  # a supervisor assigns within the queue she leads
        carol.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["tech_open"], desk.ids["bob"]))
    with desk.connect("dana") as dana:  # an admin moves anything anywhere
        dana.execute("SELECT move_ticket(%s, %s, NULL)", (desk.ids["billing_anns"], desk.ids["tech"]))
        # ann does not work Tech: the move took the ticket off her, so she cannot keep reading it
        assert _rows(dana, "SELECT assignee_id FROM ticket WHERE id = %s", desk.ids["billing_anns"]) == [(None,)]
        dana.execute("SELECT move_ticket(%s, %s, NULL)", (desk.ids["billing_anns"], desk.ids["billing"]))
        dana.execute("SELECT assign_ticket(%s, %s, NULL)", (desk.ids["billing_anns"], desk.ids["ann"]))


def test_the_service_as_an_agent_gets_a_clear_refusal(desk: Desk) -> None:
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow, pytest.raises(NotPermitted, match="supervisor who leads the queue, or an admin"):
            service.assign(
                uow, ticket_id=desk.ids["billing_anns"], assignee_id=desk.ids["alice"], expected_version=None
            )
    finally:
        runtime.close()


# --- the audit trail --------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_no_role_may_write_the_audit_trail(desk: Desk, person: str) -> None:
    with desk.connect(person) as connection:
        for statement in [
            "INSERT INTO audit_event (actor_login, entity, entity_id, action) VALUES ('x', 'ticket', 1, 'forged')",
            "UPDATE audit_event SET actor_login = 'nobody'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ]:
            with pytest.raises(REFUSED):
                connection.execute(statement)


def test_not_even_the_superuser_rewrites_history(desk: Desk, pg_server: PgServer) -> None:
    url = desk.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as dba:
        with pytest.raises(REFUSED, match="append-only"):
            dba.execute("UPDATE switchboard.audit_event SET actor_login = 'nobody'")
        with pytest.raises(REFUSED, match="append-only"):
            dba.execute("DELETE FROM switchboard.audit_event")


def test_the_audit_names_the_session_not_what_the_client_claims(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        alice.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("dana"),))
        alice.execute(
            "UPDATE ticket SET priority = 2, version = version + 1 WHERE id = %s", (desk.ids["billing_open"],)
        )
        actor = _rows(
            alice,
            "SELECT actor_login FROM audit_event WHERE ticket_id = %s AND field = 'priority' ORDER BY id DESC LIMIT 1",
            desk.ids["billing_open"],
        )
    assert actor == [(desk.login("alice"),)]


# --- roles and functions -------------------------------------------------------------------------------


def test_an_agent_cannot_call_admin_functions(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        for statement, params in [
            ("SELECT add_user(%s, 'Evil', 'e@x', 'admin', NULL, '{}')", (desk.login("evil"),)),
            ("SELECT set_user_role(%s, 'admin')", (desk.login("alice"),)),
            ("SELECT disable_user(%s)", (desk.login("ann"),)),
            ("SELECT create_queue('Mine', '')", ()),
        ]:
            with pytest.raises(REFUSED):
                alice.execute(statement, params)


def test_nobody_can_grant_themselves_a_role(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        for statement in [
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(desk.login("admin")), sql.Identifier(desk.login("alice"))),
            sql.SQL("SET ROLE {}").format(sql.Identifier(desk.login("owner"))),
            sql.SQL("ALTER ROLE {} BYPASSRLS").format(sql.Identifier(desk.login("alice"))),
            sql.SQL("ALTER ROLE {} CREATEROLE").format(sql.Identifier(desk.login("alice"))),
        ]:
            with pytest.raises(REFUSED):
                alice.execute(statement)


def test_group_roles_have_no_powers_of_their_own(desk: Desk) -> None:
    with desk.connect("dana") as dana:
        rows = _rows(
            dana,
            "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole"
            " FROM pg_roles WHERE rolname = ANY (%s)",
            [desk.login(g) for g in ("agent", "supervisor", "admin")],
        )
    assert len(rows) == 3 and all(row[1:] == (False, False, False, False, False) for row in rows)


def test_definer_functions_have_a_fixed_search_path_and_no_public_execute(desk: Desk) -> None:
    with desk.connect("dana") as dana:
        unsafe = _rows(
            dana,
            """
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'switchboard' AND p.prosecdef
              AND (p.proconfig IS NULL OR NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%%')
                   OR has_function_privilege('public', p.oid, 'EXECUTE'))""",
        )
        owners = _rows(
            dana,
            """
            SELECT DISTINCT r.rolname, r.rolsuper FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_roles r ON r.oid = p.proowner WHERE n.nspname = 'switchboard'""",
        )
    assert unsafe == []
    assert owners == [(desk.login("owner"), False)]


def test_every_protected_table_forces_row_level_security(desk: Desk) -> None:
    with desk.connect("dana") as dana:
        rows = _rows(
            dana,
            """SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE n.nspname = 'switchboard' AND c.relrowsecurity AND c.relforcerowsecurity""",
        )
    assert {r[0] for r in rows} >= {"ticket", "message", "attachment", "customer", "audit_event", "change_log"}


def test_a_privileged_function_refuses_a_stale_version_and_raises_it(desk: Desk) -> None:
    with desk.connect("dana") as dana:
        ticket = desk.ids["tech_open"]
        (version,) = _rows(dana, "SELECT version FROM ticket WHERE id = %s", ticket)[0]
        with pytest.raises(psycopg.errors.SerializationFailure, match="changed since version"):
            dana.execute("SELECT move_ticket(%s, %s, %s)", (ticket, desk.ids["billing"], int(str(version)) - 1))
        dana.execute("SELECT move_ticket(%s, %s, %s)", (ticket, desk.ids["tech"], version))
        assert _rows(dana, "SELECT version FROM ticket WHERE id = %s", ticket) == [(int(str(version)) + 1,)]


@pytest.mark.parametrize("person", ["alice", "bob", "carol", "dana"])
def test_the_tally_shows_each_login_the_count_of_what_it_may_see(desk: Desk, person: str) -> None:
    with desk.connect(person) as connection:
        tallied = _rows(connection, "SELECT coalesce(sum(tickets), 0) FROM ticket_tally")[0][0]
        counted = _rows(connection, "SELECT count(*) FROM ticket WHERE merged_into_id IS NULL")[0][0]
    assert tallied == counted


def test_a_privileged_function_on_a_ticket_that_does_not_exist_says_so(desk: Desk) -> None:
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.NoDataFound, match="no ticket with id 999999"):
        dana.execute("SELECT assign_ticket(999999, NULL, NULL)")


def test_disabling_a_user_ends_every_session_of_theirs_before_it_returns(desk: Desk) -> None:
    """Migration 0042: disable_user() waits until the sessions are gone, so a client of the disabled user
    finds its connection closed and its sign-in refused, never a connection that still looks alive. (Version
    2 only signalled them; idle sessions end so fast that its race shows here only now and then.)"""
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Quinn', 'quinn@desk.test', 'agent', NULL, %s)",
            (desk.login("quinn"), [desk.ids["billing"]]),
        )
    sessions = [desk.connect("quinn") for _ in range(3)]
    try:
        for session in sessions:
            session.execute("SELECT 1")
        with desk.connect("dana") as dana:
            dana.execute("SELECT disable_user(%s)", (desk.login("quinn"),))
        with desk.connect_as_dba() as dba:
            left = dba.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (desk.login("quinn"),))
            assert left.fetchone() == (0,), "every session ended when disable_user() returned"
        for session in sessions:
            with pytest.raises(psycopg.OperationalError):
                session.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            desk.connect("quinn")
    finally:
        for session in sessions:
            session.close()
