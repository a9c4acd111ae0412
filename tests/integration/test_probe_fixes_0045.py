"""What a second probe as each role found (migration 0045), each as the role's own login through plain SQL,
on both servers: times no client can read, unbounded values, a horizon held by a login in no group, an
address for anyone's customer, direct file writes, merged tickets changed, account conditions the engine
leaves out; and a message statement that no longer fires the ticket's statement triggers for nothing."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from sqlalchemy import text

from app.services.errors import InvalidInput
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine
from app.services.tickets import service
from tests.support.desk import Desk
from tests.support.postgres import PgServer

pytestmark = pytest.mark.slow

TIME_COLUMNS = (
    "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
    " WHERE c.relnamespace = 'switchboard'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0"
    " AND NOT a.attisdropped AND coalesce(e.typname, t.typname) IN ('timestamptz', 'timestamp', 'date')"
)
CHECKS = (
    "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'c' AND connamespace = 'switchboard'::regnamespace AND conname LIKE '%times_in_range'"
)


def test_every_time_and_date_column_is_kept_within_the_years_a_client_can_read(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        columns = dba.execute(TIME_COLUMNS).fetchall()
        checks = {str(table).removeprefix("switchboard."): str(text) for table, text in dba.execute(CHECKS).fetchall()}
    assert len(columns) > 50
    unchecked = [(t, c) for t, c in columns if not re.search(rf"\b{c}\b", checks.get(str(t), ""))]
    assert unchecked == []


@pytest.mark.parametrize("when", ["-infinity", "infinity", "9999-12-31", "1066-10-14"])
def test_a_time_no_client_can_read_is_refused_whoever_sends_it(desk: Desk, when: str) -> None:
    ticket = desk.ids["billing_open"]
    with desk.connect("alice") as alice:
        alice.execute("UPDATE ticket SET tags = tags || '{probe}'::varchar[] WHERE id = %s", (ticket,))
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute("SELECT store_sla_due(%s, %s, NULL, NULL)", (ticket, when))
        pair = tuple(sorted((ticket, desk.ids["billing_anns"])))
        # since 0048 a link's time is not staff's to write at all (the check stays, for the owner's writes)
        with alice.transaction(force_rollback=True), pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute(
                "INSERT INTO ticket_link (ticket_id, related_ticket_id, kind, created_at)"
                " VALUES (%s, %s, 'related', %s)",
                (*pair, when),
            )
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.CheckViolation):
        dana.execute(
            "INSERT INTO business_calendar (name, time_zone, weekly_hours, closed_dates)"
            " VALUES (%s, 'UTC', '{}', ARRAY[%s::date])",
            (f"Closed on {when}", when),
        )


def test_values_copied_into_every_audit_row_are_bounded(desk: Desk) -> None:
    ticket = desk.ids["billing_open"]
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute(
                "UPDATE ticket SET custom_fields = jsonb_build_object('note', repeat('x', 70000)) WHERE id = %s",
                (ticket,),
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            many = [f"tag{n}" for n in range(129)]  # the client takes 100; the database 128 (escalation adds one)
            alice.execute("UPDATE ticket SET tags = %s::varchar[] WHERE id = %s", (many, ticket))
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute(
                "INSERT INTO message (ticket_id, kind, author_agent_id, body_text)"
                " VALUES (%s, 'internal_note', current_agent_id(), repeat('x', 11000000))",
                (ticket,),
            )
        with pytest.raises(psycopg.errors.CheckViolation):  # the References header, an array
            alice.execute(
                'INSERT INTO message (ticket_id, kind, author_agent_id, body_text, "references")'
                " VALUES (%s, 'internal_note', current_agent_id(), 'hi', ARRAY[repeat('x', 70000)])",
                (ticket,),
            )
        with pytest.raises(psycopg.errors.CheckViolation):  # every edit is kept in the article's history
            alice.execute("SELECT kb_create_article('Big', repeat('y', 11000000), NULL, NULL, NULL, 'internal', NULL)")
    with desk.connect("carol") as carol, pytest.raises(psycopg.errors.CheckViolation):  # leads Tech
        carol.execute(
            "INSERT INTO canned_response (title, body, queue_id, author_id)"
            " VALUES ('big', repeat('z', 140000), %s, current_agent_id())",
            (desk.ids["tech"],),
        )
    runtime = desk.runtime("alice")
    try:
        too_many_tags = tuple(f"tag{n}" for n in range(101))
        cases: list[tuple[dict[str, object], tuple[str, ...]]] = [({"note": "x" * 70_000}, ()), ({}, too_many_tags)]
        for fields, tags in cases:
            with runtime.uow() as uow, pytest.raises(InvalidInput, match="at most"):
                service.create_ticket(
                    uow,
                    subject="Bounded",
                    customer_id=desk.ids["jane"],
                    queue_id=desk.ids["billing"],
                    custom_fields=fields,
                    tags=tags,
                )
    finally:
        runtime.close()


def test_only_a_staff_transaction_holds_the_change_logs_horizon(desk: Desk) -> None:
    outsider, alice = desk.connect("outsider"), desk.connect("alice")
    try:
        outsider.execute("BEGIN")
        (held_by_outsider,) = outsider.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()  # type: ignore[misc]
        with desk.connect("dana") as dana:
            dana.execute("SELECT pg_current_xact_id()")  # a later transaction, ended: the horizon may pass it
            (horizon,) = dana.execute("SELECT change_log_horizon()").fetchone()  # type: ignore[misc]
        assert int(str(horizon)) > int(str(held_by_outsider))  # a login in no group holds nothing
        alice.execute("BEGIN")
        (held_by_alice,) = alice.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()  # type: ignore[misc]
        with desk.connect("dana") as dana:
            (horizon,) = dana.execute("SELECT change_log_horizon()").fetchone()  # type: ignore[misc]
        # staff do, until the worker ends them (at or below hers: a parallel run's superuser may be older still)
        assert int(str(horizon)) <= int(str(held_by_alice))
    finally:
        outsider.close()
        alice.close()


def test_staff_give_an_address_only_to_a_customer_they_are_creating(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # omar exists, with no address yet
            alice.execute(
                "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'x@evil.test', true)",
                (desk.ids["omar"],),
            )
        with alice.transaction():  # the client's own way: the customer and its first address together
            (newcomer,) = alice.execute("INSERT INTO customer (name) VALUES ('Newcomer') RETURNING id").fetchone()  # type: ignore[misc]
            alice.execute(
                "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'newcomer@x.test', true)",
                (newcomer,),
            )
    with desk.connect("dana") as dana, dana.transaction(force_rollback=True):  # an admin may, to anyone
        dana.execute(
            "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'omar@x.test', true)",
            (desk.ids["omar"],),
        )


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_no_one_writes_files_or_attachments_directly(desk: Desk, person: str) -> None:
    data = b"MZ evil payload"
    with desk.connect(person) as caller:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            caller.execute(
                "INSERT INTO blob (sha256, size, data) VALUES (encode(sha256(%s), 'hex'), %s, %s)",
                (data, len(data), data),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            caller.execute(
                "INSERT INTO attachment (message_id, blob_sha256, filename, media_type, size)"
                " SELECT min(id), repeat('0', 64), 'invoice.pdf.exe', 'application/pdf', 1 FROM message"
            )


def test_a_merged_ticket_is_neither_assigned_nor_moved_nor_escalated(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        source, target = (
            int(str(row[0]))
            for row in dba.execute(
                "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
                " SELECT 'twin', 'new', 1, 'question', %s, %s, 'email' FROM generate_series(1, 2) RETURNING id",
                (desk.ids["billing"], desk.ids["jane"]),
            ).fetchall()
        )
    with desk.connect("alice") as alice:
        alice.execute("SELECT merge_ticket(%s, %s, NULL)", (source, target))
        with pytest.raises(psycopg.Error, match="was merged") as refused:
            alice.execute("SELECT escalate_ticket(%s, NULL)", (source,))
        assert refused.value.sqlstate == "SB003"
    with desk.connect("dana") as dana:
        for call, args in [
            ("assign_ticket(%s, %s, NULL)", (source, desk.ids["alice"])),
            ("move_ticket(%s, %s, NULL)", (source, desk.ids["tech"])),
        ]:
            with pytest.raises(psycopg.Error, match="was merged") as refused:
                dana.execute(f"SELECT {call}", args)
            assert refused.value.sqlstate == "SB003"


SAVE = "SELECT switchboard.save_sla_policy(NULL, NULL, %s, 50, %s, %s, false, NULL, NULL, '[]', true)"
TARGETS = json.dumps({"normal": {"first_response": 60}})


@pytest.mark.parametrize("value", [1.5, [], "  ", "\t\n", ["gold", ""], None, True, {"tier": "gold"}])
def test_an_account_condition_the_engine_cannot_read_is_refused(desk: Desk, value: object) -> None:
    conditions = json.dumps({"queue_ids": [desk.ids["tech"]], "account.tier": value})
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.InvalidParameterValue):
        dana.execute(SAVE, (f"account {value!r}", conditions, TARGETS))


@pytest.mark.parametrize("value", ["gold", 2, ["gold", 3]])
def test_an_account_condition_the_engine_reads_is_saved(desk: Desk, value: object) -> None:
    conditions = json.dumps({"queue_ids": [desk.ids["tech"]], "account.tier": value})
    with desk.connect("dana") as dana, dana.transaction(force_rollback=True):
        dana.execute(SAVE, (f"account {value!r}", conditions, TARGETS))


def test_a_message_without_a_public_reply_fires_no_ticket_update(desk: Desk) -> None:
    """Version 2 ran an UPDATE of no rows for every message statement, and PostgreSQL fires a table's
    statement triggers (audit, change log, tallies, SLA marks) even for an UPDATE of no rows."""
    ticket = desk.ids["tech_open"]
    with desk.connect_as_dba() as dba, dba.transaction(force_rollback=True):
        dba.execute("SET LOCAL track_functions = 'all'")
        note = (
            "INSERT INTO switchboard.message (ticket_id, kind, author_agent_id, body_text)"
            " VALUES (%s, %s, %s, 'checked')"
        )
        audits = "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'audit_ticket'"
        dba.execute(note, (ticket, "internal_note", desk.ids["dana"]))
        assert dba.execute(audits).fetchone() == (0,)
        dba.execute(note, (ticket, "public_reply", desk.ids["dana"]))
        assert dba.execute(audits).fetchone() != (0,)  # the first reply stamps the ticket, audited


def test_a_database_holding_times_no_client_reads_is_repaired_by_the_upgrade(pg_server: PgServer) -> None:
    """The holes 0045 closes let any agent store such times: the upgrade must not stop on them."""
    url = pg_server.create_database()
    engine = build_engine(url, statement_timeout_ms=0)
    try:
        schema.upgrade(engine, "0044_probe_fixes")
        with engine.begin() as dba:
            customer = dba.execute(
                text("INSERT INTO switchboard.customer (name, created_at) VALUES ('Zed', '-infinity') RETURNING id")
            ).scalar_one()
            queue = dba.execute(text("SELECT switchboard.create_queue('Q', '')")).scalar_one()
            ticket = dba.execute(
                text(
                    "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel,"
                    " first_response_due_at, resolution_due_at) VALUES ('x', 'new', 1, 'question', :q, :c, 'email',"
                    " 'infinity', '9999-12-31') RETURNING id"
                ),
                {"q": queue, "c": customer},
            ).scalar_one()
            dba.execute(
                text(
                    "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, closed_dates)"
                    " VALUES ('Old feed', 'UTC', '{}', ARRAY['1066-10-14', '2027-12-24']::date[])"
                )
            )
        schema.upgrade(engine)
        with engine.begin() as dba:
            created = dba.execute(text("SELECT created_at FROM switchboard.customer WHERE id = :c"), {"c": customer})
            due = dba.execute(
                text(
                    "SELECT first_response_due_at, resolution_due_at, sla_due_at FROM switchboard.ticket WHERE id = :t"
                ),
                {"t": ticket},
            ).one()
            closed = dba.execute(text("SELECT closed_dates FROM switchboard.business_calendar")).scalar_one()
        assert str(created.scalar_one().year) == "1900"
        assert tuple(due) == (None, None, None)
        assert [str(day) for day in closed] == ["2027-12-24"]
    finally:
        engine.dispose()
        pg_server.drop_database(url)


def test_a_customer_the_transaction_only_updated_is_not_new(desk: Desk) -> None:
    """An account link rewrites the customer's row even when the key stays: its version is then the
    transaction's, but the customer is not new, and gets no address from staff."""
    ticket = desk.ids["tech_open"]  # jane's, which bob sees; omar has no address
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.ticket SET customer_id = %s WHERE id = %s", (desk.ids["omar"], ticket))
    try:
        with desk.connect("bob") as bob, bob.transaction(force_rollback=True):
            bob.execute("SELECT link_customer_account(%s, %s)", (ticket, "K-1"))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                bob.execute(
                    "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'x@evil.test', true)",
                    (desk.ids["omar"],),
                )
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET customer_id = %s WHERE id = %s", (desk.ids["jane"], ticket))


def test_staff_create_customers_now_whatever_time_they_send(desk: Desk) -> None:
    with desk.connect("alice") as alice, alice.transaction(force_rollback=True):
        row = alice.execute(
            "INSERT INTO customer (name, created_at) VALUES ('Back-dated', '2001-01-01') RETURNING created_at = now()"
        ).fetchone()
    assert row == (True,)


@pytest.mark.parametrize(("tags", "after"), [(100, 101), (128, 128)])  # the client's most; the database's
def test_escalating_a_ticket_with_the_most_tags_still_works(desk: Desk, tags: int, after: int) -> None:
    ticket = desk.ids["billing_open"]
    with desk.connect("alice") as alice:
        many = [f"t{n:03}" for n in range(tags)]
        alice.execute("UPDATE ticket SET tags = %s::varchar[] WHERE id = %s", (many, ticket))
        alice.execute("SELECT escalate_ticket(%s, NULL)", (ticket,))
        (count,) = alice.execute("SELECT cardinality(tags) FROM ticket WHERE id = %s", (ticket,)).fetchone()  # type: ignore[misc]
        alice.execute("UPDATE ticket SET tags = '{}' WHERE id = %s", (ticket,))
    assert count == after
