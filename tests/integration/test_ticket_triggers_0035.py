"""Migration 0035: `audit_ticket()` version 4 compares column by column and the SLA recompute marks are
written by a statement trigger (`sla_ledger_marks()`) instead of `sla_ledger_ticket()`'s rows. Both must
leave what the versions before them left — the same audit rows, the same ledger entries and watch rows,
each ticket's in the same order — for statements that change many fields of several tickets at once, as a
login's own UPDATE and through the definer functions; a column added to the ticket table must not slip past
the audit unnoticed; and nobody may attach the definer trigger functions to a table of their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from app.models.ticket import Ticket
from app.services.platform.database.sql_files import DatabaseNames, function_sql
from tests.support.desk import Desk

NOT_AUDITED = {"version", "updated_at", "sla_due_at"}  # bookkeeping no version of the audit recorded
RESOLVE = "UPDATE switchboard.ticket SET status = 'resolved', version = version + 1 WHERE id = ANY(%(ids)s)"
# (what runs first, unmeasured; the statement whose effects are compared)
STATEMENTS: list[tuple[str | None, str]] = [
    # A supervisor's bulk edit: priority, queue, type and tags at once.
    (
        None,
        "UPDATE switchboard.ticket SET priority = 3 - priority, queue_id = %(tech)s, type = 'incident',"
        " tags = array_append(tags, 'bulk'), version = version + 1 WHERE id = ANY(%(ids)s)",
    ),
    # A status change with a priority change: row entries (pause) and marks (recompute) together.
    (
        None,
        "UPDATE switchboard.ticket SET status = 'waiting', priority = 3, version = version + 1 WHERE id = ANY(%(ids)s)",
    ),
    # Resolving while the channel changes: a done ticket gets no recompute mark.
    (
        None,
        "UPDATE switchboard.ticket SET status = 'resolved', channel = 'phone', version = version + 1"
        " WHERE id = ANY(%(ids)s)",
    ),
    # A reopen with a priority change: the restart, then the marks.
    (
        RESOLVE,
        "UPDATE switchboard.ticket SET status = 'in_progress', priority = 0, version = version + 1"
        " WHERE id = ANY(%(ids)s)",
    ),
    # The first response (as intake's trigger writes it): its fulfil entry, dated when it was.
    (
        None,
        "UPDATE switchboard.ticket SET first_response_at = now() - interval '5 minutes', tags = '{first}',"
        " version = version + 1 WHERE id = ANY(%(ids)s)",
    ),
    # Nothing the SLA cares about: no ledger entry, no watch row; the audit still records the subject.
    (
        None,
        "UPDATE switchboard.ticket SET subject = subject || ' (edited)', assignee_id = NULL, language = 'de',"
        " custom_fields = custom_fields || '{\"k\": [1, null]}', version = version + 1 WHERE id = ANY(%(ids)s)",
    ),
    # No row at all.
    (None, "UPDATE switchboard.ticket SET priority = 3 WHERE id = ANY(%(ids)s) AND false"),
    # Through the definer functions: a move, an escalation and a merge.
    (
        None,
        "SELECT switchboard.move_ticket(id, %(tech)s::bigint, version) FROM switchboard.ticket"
        " WHERE id = ANY(%(ids)s) ORDER BY id",
    ),
    (
        None,
        "SELECT switchboard.escalate_ticket(id, version) FROM switchboard.ticket WHERE id = ANY(%(ids)s) ORDER BY id",
    ),
    (None, "SELECT switchboard.merge_ticket((%(ids)s::bigint[])[1], (%(ids)s::bigint[])[2], NULL)"),
]
# What one statement left: rows numbered after what was there before it. The transaction's own time, which
# differs between the two runs compared, reads "now".
AUDITED = (
    "SELECT ticket_id, ticket_version, actor_agent_id, actor_login, action, field,"
    " CASE old_value WHEN to_jsonb(now()) THEN '\"now\"' WHEN to_jsonb(now() - interval '5 minutes')"
    " THEN '\"5 minutes ago\"' ELSE old_value END,"
    " CASE new_value WHEN to_jsonb(now()) THEN '\"now\"' WHEN to_jsonb(now() - interval '5 minutes')"
    " THEN '\"5 minutes ago\"' ELSE new_value END"
    " FROM switchboard.audit_event WHERE id > %(audit)s ORDER BY id"
)
LEDGER = (
    "SELECT ticket_id, target, entry, status, note, at = now() FROM switchboard.sla_ledger"
    " WHERE id > %(ledger)s ORDER BY ticket_id, id"  # each ticket's in order (readers sort by ticket, time, id)
)
WATCHED = "SELECT ticket_id, check_at = now() FROM switchboard.sla_watch WHERE ticket_id = ANY(%(ids)s) ORDER BY 1"
BEFORE = (
    "SELECT (SELECT coalesce(max(id), 0) FROM switchboard.audit_event) AS audit,"
    " (SELECT coalesce(max(id), 0) FROM switchboard.sla_ledger) AS ledger"
)
OLD_ROW_TRIGGER = (
    "CREATE TRIGGER sla_ledger_update AFTER UPDATE OF status, first_response_at, priority, queue_id, type,"
    " channel, tags ON switchboard.ticket FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR"
    " OLD.first_response_at IS DISTINCT FROM NEW.first_response_at OR OLD.priority IS DISTINCT FROM NEW.priority"
    " OR OLD.queue_id IS DISTINCT FROM NEW.queue_id OR OLD.type IS DISTINCT FROM NEW.type OR"
    " OLD.channel IS DISTINCT FROM NEW.channel OR OLD.tags IS DISTINCT FROM NEW.tags)"
    " EXECUTE FUNCTION switchboard.sla_ledger_ticket()"
)


def _tickets(desk: Desk) -> list[int]:
    return [desk.ids[name] for name in ("billing_open", "billing_anns", "tech_open", "tech_bobs")]


def _what_it_leaves(
    desk: Desk, first: str | None, statement: str, person: str | None, install: Callable[[Any], None] | None
) -> Any:
    """The audit rows, ledger entries and watch rows one statement as `person` leaves (None: the table's
    owner, as the definer functions that move and assign tickets write), after `first` (as the owner, its
    effects not counted), with the trigger functions `install` puts in place for the while (None: what the
    migrations installed), all rolled back."""
    params: dict[str, Any] = {"ids": _tickets(desk), "tech": desk.ids["tech"]}
    with desk.connect_as_dba() as dba:
        dba.autocommit = False
        if install is not None:
            install(dba)
        if first is not None:
            dba.execute(first, params)
        dba.execute("DELETE FROM switchboard.sla_watch WHERE ticket_id = ANY(%(ids)s)", params)  # what is left is new
        row = dba.execute(BEFORE).fetchone()
        assert row is not None
        params |= {"audit": row[0], "ledger": row[1]}
        if person is not None:
            dba.execute(f'SET LOCAL SESSION AUTHORIZATION "{desk.login(person)}"')
        dba.execute("SELECT set_config('switchboard.action', 'bulk', true)")
        dba.execute(statement, params)
        dba.execute("RESET SESSION AUTHORIZATION")
        left = [dba.execute(query, params).fetchall() for query in (AUDITED, LEDGER, WATCHED)]
        dba.rollback()
    return left


def _before_0035(dba: Any) -> None:
    names = DatabaseNames.for_database(dba.info.dbname)
    dba.execute(function_sql("audit_ticket", 3, names))
    dba.execute(function_sql("sla_ledger_ticket", 2, names))
    dba.execute("DROP TRIGGER sla_ledger_marks ON switchboard.ticket")
    dba.execute("DROP TRIGGER sla_ledger_update ON switchboard.ticket")
    dba.execute(OLD_ROW_TRIGGER)


@pytest.mark.parametrize(("first", "statement"), STATEMENTS, ids=range(len(STATEMENTS)))
def test_the_triggers_leave_what_the_versions_before_them_left(desk: Desk, first: str | None, statement: str) -> None:
    now = _what_it_leaves(desk, first, statement, None, None)
    assert now == _what_it_leaves(desk, first, statement, None, _before_0035)
    if "false" not in statement:
        assert now[0], "nothing audited"


def test_what_the_marks_and_the_row_entries_say(desk: Desk) -> None:
    tickets = sorted(_tickets(desk))
    audited, ledger, watched = _what_it_leaves(desk, *STATEMENTS[0], None, None)
    assert {row[4] for row in ledger} == {"priority, queue, type, tags changed", "priority, type, tags changed"}
    assert watched == [(ticket, True) for ticket in tickets]
    audited, ledger, watched = _what_it_leaves(desk, *STATEMENTS[4], None, None)
    fulfilled = [row for row in ledger if row[2] == "fulfil"]
    assert [row[0] for row in fulfilled] == tickets and not any(row[5] for row in fulfilled)  # dated as it was
    audited, ledger, watched = _what_it_leaves(desk, *STATEMENTS[5], None, None)
    assert ledger == [] and watched == []
    assert {row[5] for row in audited} >= {"assignee_id", "custom_fields", "language", "subject"}
    assert _what_it_leaves(desk, *STATEMENTS[6], None, None) == [[], [], []]


def test_an_agents_own_update_is_audited_and_marked_as_itself(desk: Desk) -> None:
    statement = (
        "UPDATE switchboard.ticket SET priority = 3, tags = '{vip}', version = version + 1 WHERE id = ANY(%(ids)s)"
    )
    left = _what_it_leaves(desk, None, statement, "ann", None)
    assert left == _what_it_leaves(desk, None, statement, "ann", _before_0035)
    audited, ledger, _ = left
    assert audited and {(row[2], row[3]) for row in audited} == {(desk.ids["ann"], desk.login("ann"))}
    assert {row[0] for row in audited} <= {desk.ids["billing_open"], desk.ids["billing_anns"]}  # what ann sees
    assert {row[4] for row in ledger} == {"priority, tags changed"}


def test_every_ticket_column_but_the_bookkeeping_is_audited(desk: Desk) -> None:
    """The audit names its columns; a migration adding one to `ticket` must add it to a new version."""
    with desk.connect_as_dba() as dba:
        source = dba.execute(
            "SELECT prosrc FROM pg_proc WHERE oid = 'switchboard.audit_ticket()'::regprocedure"
        ).fetchone()
        columns = dba.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'switchboard.ticket'::regclass"
            " AND attnum > 0 AND NOT attisdropped"
        ).fetchall()
    assert source is not None
    compared = set(re.findall(r"WHERE o\.(\w+) IS DISTINCT FROM n\.\1", str(source[0])))
    in_table = {row[0] for row in columns}
    assert compared == in_table - NOT_AUDITED
    assert {c.name for c in Ticket.__table__.columns} == in_table


def test_the_functions_joining_their_transition_tables_never_plan_a_nested_loop(desk: Desk) -> None:
    """A session keeps a trigger function's plan: one made for a one-row statement joined a later
    10,000-row statement's old and new rows by nested loop (14 s; `bench_bulk_update` shows it)."""
    with desk.connect_as_dba() as dba:
        rows = dba.execute(
            "SELECT p.proname, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'switchboard' AND p.proname IN ('audit_ticket', 'sla_ledger_marks')"
        ).fetchall()
    settings = {str(row[0]): str(row[1]) for row in rows}
    assert set(settings) == {"audit_ticket", "sla_ledger_marks"}
    assert all("enable_nestloop=off" in config for config in settings.values())


@pytest.fixture(scope="module")
def disabled(desk: Desk) -> str:
    """Zed, an agent of Billing whom an admin has disabled."""
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Zed', 'zed@desk.test', 'agent', NULL, %s)", (desk.login("zed"), [desk.ids["billing"]])
        )
        dana.execute("SELECT disable_user(%s)", (desk.login("zed"),))
    return "zed"


@pytest.mark.parametrize("function", ["sla_ledger_marks", "audit_ticket", "sla_ledger_ticket"])
def test_nobody_attaches_a_trigger_function_to_a_table_of_their_own(desk: Desk, disabled: str, function: str) -> None:
    """The definer trigger functions write ledgers, watch rows and the audit for any ticket id they are
    handed: a login that could attach one to its own temporary table could write them at will. As an agent
    of each queue, a supervisor, an admin, a disabled agent, a login outside every group and one in the agent
    group with no agent row."""
    for person in ("ann", "bob", "carol", "dana", disabled, "outsider", "ghost"):
        with desk.connect_as_dba() as dba:
            row = dba.execute(
                f"SELECT has_function_privilege(%s, 'switchboard.{function}()', 'EXECUTE')", (desk.login(person),)
            ).fetchone()
        assert row == (False,), person
        # As the login's own session (a disabled login cannot sign in at all: if it could, it could not either).
        with desk.connect_as_dba() as connection:
            connection.execute(f'SET SESSION AUTHORIZATION "{desk.login(person)}"')
            try:
                connection.execute("CREATE TEMP TABLE mine (id bigint)")
            except psycopg.errors.InsufficientPrivilege:
                continue  # nothing of its own to attach to
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(
                    "CREATE TRIGGER mine AFTER UPDATE ON mine REFERENCING OLD TABLE AS old_rows"
                    f" NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION switchboard.{function}()"
                )
