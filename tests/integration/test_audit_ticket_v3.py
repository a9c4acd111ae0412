"""`audit_ticket()` version 3 (migration 0015) writes exactly the rows version 2 wrote, in the same order,
for a statement changing several fields of several tickets, as an agent's own login; and the actor is
still the session's, never what the session claims."""

from __future__ import annotations

from typing import Any

import psycopg

from app.services.platform.database.sql_files import DatabaseNames, function_sql
from tests.support.desk import Desk

UPDATE = (
    "UPDATE switchboard.ticket SET priority = 3 - priority, subject = subject || ' (again)',"
    " tags = array_append(tags, 'audited'), custom_fields = custom_fields || '{\"k\": 1}',"
    " version = version + 1 WHERE id = ANY(%s)"
)
AUDITED = (
    "SELECT ticket_id, ticket_version, actor_agent_id, actor_login, entity, entity_id, action, field,"
    " old_value, new_value FROM switchboard.audit_event WHERE ticket_id = ANY(%s) AND occurred_at = now()"
    " ORDER BY id"
)


def _audit_rows(desk: Desk, version: int | None, person: str, acting: str | None = None) -> list[Any]:
    """The rows one UPDATE as `person` leaves, with `version` of the trigger installed for the while
    (None: what the migrations installed), all rolled back."""
    tickets = [desk.ids["billing_open"], desk.ids["billing_anns"]]
    with desk.connect_as_dba() as dba:
        dba.autocommit = False
        if version is not None:
            dba.execute(function_sql("audit_ticket", version, DatabaseNames.for_database(desk.database)))
        dba.execute(f'SET LOCAL SESSION AUTHORIZATION "{desk.login(person)}"')
        if acting is not None:
            dba.execute("SELECT set_config('switchboard.acting_login', %s, true)", (acting,))
        dba.execute("SELECT set_config('switchboard.action', 'bulk', true)")
        dba.execute(UPDATE, (tickets,))
        rows = dba.execute(AUDITED, (tickets,)).fetchall()
        dba.rollback()
    return rows


def test_version_3_writes_what_version_2_wrote(desk: Desk) -> None:
    installed = _audit_rows(desk, None, "alice")
    assert installed == _audit_rows(desk, 3, "alice")
    assert installed == _audit_rows(desk, 2, "alice")
    fields = [(row[0], row[7]) for row in installed]
    expected = sorted(
        (t, f)
        for t in (desk.ids["billing_open"], desk.ids["billing_anns"])
        for f in ("custom_fields", "priority", "subject", "tags")
    )
    assert fields == expected
    assert {row[3] for row in installed} == {desk.login("alice")} and {row[6] for row in installed} == {"bulk"}
    priorities = {(row[8], row[9]) for row in installed if row[7] == "priority"}
    assert priorities <= {("normal", "high"), ("high", "normal"), ("low", "urgent"), ("urgent", "low")}


def test_an_agent_claiming_another_login_is_still_audited_as_itself(desk: Desk) -> None:
    rows = _audit_rows(desk, None, "alice", acting=desk.login("ann"))
    assert rows and {(row[2], row[3]) for row in rows} == {(desk.ids["alice"], desk.login("alice"))}


def test_the_audit_rows_are_append_only_for_staff(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        try:
            alice.execute("DELETE FROM switchboard.audit_event")
        except psycopg.errors.InsufficientPrivilege:
            return
    raise AssertionError("alice deleted audit rows")
