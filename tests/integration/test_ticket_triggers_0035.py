"""Migration 0035: `audit_ticket()` version 4 compares column by column and the SLA recompute marks are
written by a statement trigger (`sla_ledger_marks()`) instead of `sla_ledger_ticket()`'s rows. Both must
leave exactly what the versions before them left — the same audit rows in the same order, the same ledger
entries and watch rows — for statements that change many fields of several tickets at once, as a login's
own UPDATE; and a column added to the ticket table must not slip past the audit unnoticed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import psycopg

from app.models.ticket import Ticket
from app.services.platform.database.sql_files import DatabaseNames, function_sql
from tests.support.desk import Desk

NOT_AUDITED = {"version", "updated_at", "sla_due_at"}  # bookkeeping no version of the audit recorded
STATEMENTS = [
    # A supervisor's bulk edit: priority, queue, type and tags at once.
    "UPDATE switchboard.ticket SET priority = 3 - priority, queue_id = {tech}, type = 'incident',"
    " tags = array_append(tags, 'bulk'), version = version + 1 WHERE id = ANY(%s)",
    # A status change with a priority change: row entries (pause) and marks (recompute) together.
    "UPDATE switchboard.ticket SET status = 'waiting', priority = 3, version = version + 1 WHERE id = ANY(%s)",
    # Resolving while the channel changes: a done ticket gets no recompute mark.
    "UPDATE switchboard.ticket SET status = 'resolved', channel = 'phone', version = version + 1 WHERE id = ANY(%s)",
    # Nothing the SLA cares about: no ledger entry, no watch row; the audit still records the subject.
    "UPDATE switchboard.ticket SET subject = subject || ' (edited)', assignee_id = NULL, language = 'de',"
    " custom_fields = custom_fields || '{{\"k\": [1, null]}}', version = version + 1 WHERE id = ANY(%s)",
]
AUDITED = (  # the transaction's own time, which differs between the two runs compared, as "now"
    "SELECT ticket_id, ticket_version, actor_agent_id, actor_login, action, field, old_value,"
    " CASE WHEN new_value = to_jsonb(now()) THEN '\"now\"' ELSE new_value END"
    " FROM switchboard.audit_event WHERE ticket_id = ANY(%s) AND occurred_at = now() ORDER BY id"
)
LEDGER = (
    "SELECT ticket_id, target, entry, status, note FROM switchboard.sla_ledger"
    " WHERE ticket_id = ANY(%s) AND at = now() ORDER BY ticket_id, id"
)
WATCHED = "SELECT ticket_id, check_at = now() FROM switchboard.sla_watch WHERE ticket_id = ANY(%s) ORDER BY 1"
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


def _what_it_leaves(desk: Desk, statement: str, person: str | None, install: Callable[[Any], None] | None) -> Any:
    """The audit rows, ledger entries and watch rows one UPDATE as `person` leaves (None: the table's owner,
    as the definer functions that move and assign tickets write), with the trigger functions `install`
    puts in place for the while (None: what the migrations installed), all rolled back."""
    tickets = _tickets(desk)
    with desk.connect_as_dba() as dba:
        dba.autocommit = False
        if install is not None:
            install(dba)
        dba.execute("DELETE FROM switchboard.sla_watch WHERE ticket_id = ANY(%s)", (tickets,))  # what is left is new
        if person is not None:
            dba.execute(f'SET LOCAL SESSION AUTHORIZATION "{desk.login(person)}"')
        dba.execute("SELECT set_config('switchboard.action', 'bulk', true)")
        dba.execute(statement.format(tech=desk.ids["tech"]), (tickets,))
        dba.execute("RESET SESSION AUTHORIZATION")
        left = [dba.execute(query, (tickets,)).fetchall() for query in (AUDITED, LEDGER, WATCHED)]
        dba.rollback()
    return left


def _before_0035(dba: Any) -> None:
    names = DatabaseNames.for_database(dba.info.dbname)
    dba.execute(function_sql("audit_ticket", 3, names))
    dba.execute(function_sql("sla_ledger_ticket", 2, names))
    dba.execute("DROP TRIGGER sla_ledger_marks ON switchboard.ticket")
    dba.execute("DROP TRIGGER sla_ledger_update ON switchboard.ticket")
    dba.execute(OLD_ROW_TRIGGER)


def test_the_triggers_leave_what_the_versions_before_them_left(desk: Desk) -> None:
    for statement in STATEMENTS:
        now = _what_it_leaves(desk, statement, None, None)
        assert now == _what_it_leaves(desk, statement, None, _before_0035), statement
        assert now[0], f"nothing audited: {statement}"
    marked = _what_it_leaves(desk, STATEMENTS[0], None, None)
    notes = {row[4] for row in marked[1]}
    assert notes == {"priority, queue, type, tags changed", "priority, type, tags changed"}  # Tech's stay
    assert marked[2] == [(ticket, True) for ticket in sorted(_tickets(desk))]
    quiet = _what_it_leaves(desk, STATEMENTS[3], None, None)
    assert quiet[1] == [] and quiet[2] == []
    assert {row[5] for row in quiet[0]} >= {"assignee_id", "custom_fields", "language", "subject"}


def test_an_agents_own_update_is_audited_and_marked_as_itself(desk: Desk) -> None:
    statement = "UPDATE switchboard.ticket SET priority = 3, tags = '{{vip}}', version = version + 1 WHERE id = ANY(%s)"
    left = _what_it_leaves(desk, statement, "ann", None)
    assert left == _what_it_leaves(desk, statement, "ann", _before_0035)
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


def test_nobody_calls_the_marks_function(desk: Desk) -> None:
    for person in ("ann", "carol", "dana", "outsider", "ghost"):
        with desk.connect(person) as connection:
            try:
                connection.execute("SELECT switchboard.sla_ledger_marks()")
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported):
                continue
        raise AssertionError(f"{person} called sla_ledger_marks()")
