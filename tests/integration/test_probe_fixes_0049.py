"""What a sixth probe as each role found (migration 0049), each as the role's own login through plain SQL, on
both servers: JSON nested too deeply for any client to read (it stopped the SLA sweep and emptied
colleagues' queues), a lead's renames that grew the ledger by the megabyte, calendars no client would save
that stopped ticket creation, lock waits that told of invisible rows, and writes that escaped the audit."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.sla.recompute import joined_reason
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

DEEPEST = 16  # levels below the top a stored JSON value may nest


def nested(levels: int) -> str:
    """A JSON list `levels` deep below its top: nested(0) is [], nested(1) is [[]]."""
    return "[" * (levels + 1) + "]" * (levels + 1)


def test_every_json_column_of_the_schema_has_its_readability_check(desk: Desk) -> None:
    """A column added later without one fails here (its table's check names every JSON column)."""
    with desk.connect_as_dba() as dba:
        columns = dba.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_type t ON t.oid = a.atttypid WHERE c.relnamespace = 'switchboard'::regnamespace"
            " AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND t.typname IN ('json', 'jsonb')"
        ).fetchall()
        checks = checks_named(dba, "ck_%_json_readable")
    assert len(columns) >= 17
    for table, column in columns:
        check = checks.get(f"switchboard.{table}", "")
        assert f'"{column}"' in check or f"({column}," in check, (table, column)
        assert "1e100" in check or "1e+100" in check or "10000000000" in check, table


MULTI_LINE = {
    ("canned_response", "body"),
    ("knowledge_article", "body"),
    ("knowledge_article", "body_html"),
    ("knowledge_article_version", "body"),
    ("knowledge_article_version", "body_html"),
    ("message", "body_text"),
    ("message", "body_html"),
    ("queue", "description"),
    ("account_cache", "last_error"),
    ("account_verified", "last_error"),
}


def checks_named(dba: psycopg.Connection[tuple[object, ...]], pattern: str) -> dict[str, str]:
    return {
        str(table): str(definition)
        for table, definition in dba.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conname LIKE %s AND convalidated",
            (pattern,),
        ).fetchall()
    }


def test_every_text_column_is_one_line_unless_named_multi_line(desk: Desk) -> None:
    """A text column added later is one line until it is named multi-line here and in the migration."""
    with desk.connect_as_dba() as dba:
        columns = dba.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
            " WHERE c.relnamespace = 'switchboard'::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
            " AND NOT a.attisdropped AND c.relname <> 'alembic_version'"
            " AND coalesce(e.typname, t.typname) IN ('text', 'varchar')"
        ).fetchall()
        checks = checks_named(dba, "ck_%_one_line")
    one_line = [(str(table), str(column)) for table, column in columns if (table, column) not in MULTI_LINE]
    assert len(one_line) > 60
    for table, column in one_line:
        check = checks.get(f"switchboard.{table}", "")
        assert re.search(rf'\b{column}\b|"{column}"', check), (table, column)


def test_json_nested_deeper_than_a_client_reads_is_refused_wherever_staff_write_it(desk: Desk) -> None:
    """6 KB of nested lists: Python's JSON reader raised RecursionError on it, and every colleague's list of
    the queue, the SLA sweep of every queue and the "no eligible agent" list failed."""
    deep = '{"ref": ' + nested(3000) + "}"  # as text: json.loads itself cannot read it
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute("UPDATE ticket SET custom_fields = %s WHERE id = %s", (deep, desk.ids["billing_open"]))
        alice.execute(
            "UPDATE ticket SET custom_fields = %s WHERE id = %s",
            ('{"ref": ' + nested(DEEPEST - 1) + "}", desk.ids["billing_open"]),
        )  # sixteen levels below the top: kept
        alice.execute("UPDATE ticket SET custom_fields = '{}' WHERE id = %s", (desk.ids["billing_open"],))
        exclusions = json.dumps({"ranked": [], "exclusions": [{"agent_id": 1, "detail": json.loads(nested(100))}]})
        fresh = alice.execute(  # a ticket routing never decided on (one found nobody minutes ago: kept)
            "INSERT INTO ticket (subject, customer_id, queue_id, status, priority, channel, type)"
            " VALUES ('Deep', %s, %s, 'new', 1, 'email', 'question') RETURNING id",
            (desk.ids["jane"], desk.ids["billing"]),
        ).fetchone()
        assert fresh is not None
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (fresh[0], exclusions))
        with pytest.raises(psycopg.errors.CheckViolation):
            alice.execute(
                "INSERT INTO agent_preference (agent_id, key, value) VALUES (current_agent_id(), 'deep', %s)",
                (nested(40),),
            )
        for number in ("1e5000", "-1e5000", '[1, {"a": 1e101}]'):  # 13 bytes; 5,001 digits Python refuses
            with pytest.raises(psycopg.errors.CheckViolation):
                alice.execute(
                    "UPDATE ticket SET custom_fields = %s WHERE id = %s",
                    ('{"ref": ' + number + "}", desk.ids["billing_open"]),
                )
        alice.execute(  # a long order number, and a fraction, are fine
            'UPDATE ticket SET custom_fields = \'{"order": 12345678901234567890, "rate": 1e-300}\' WHERE id = %s',
            (desk.ids["billing_open"],),
        )
        alice.execute("UPDATE ticket SET custom_fields = '{}' WHERE id = %s", (desk.ids["billing_open"],))


SAVE = "SELECT save_sla_policy(NULL, NULL, %s, 50, %s, %s, false, NULL, NULL, %s, true)"
TECH_TARGETS = json.dumps({"normal": {"resolution": 480}})


@pytest.mark.parametrize(
    ("conditions", "ladder"),
    [
        ({}, [{"level": 1, "action": "notify_lead", "note": "[[[…]]]"}]),
        ({}, [{"level": 1, "action": "notify_lead", "after_breach_minutes": 0, "extra": {"a": 1}}]),
        ({"queue_ids_typo": [1]}, []),
        ({"account": "vip"}, []),
        ({"account.tier": 1e300}, []),
    ],
)
def test_a_policy_holds_only_the_keys_the_engine_reads(
    desk: Desk, conditions: dict[str, object], ladder: list[object]
) -> None:
    """A lead's ladder step with an extra key nested 3,000 deep stopped ticket creation in every queue."""
    scoped = {"queue_ids": [desk.ids["tech"]], **conditions}
    with desk.connect("carol") as carol, pytest.raises(psycopg.errors.InvalidParameterValue):
        carol.execute(SAVE, ("Keys", json.dumps(scoped), TECH_TARGETS, json.dumps(ladder)))


def test_renaming_a_policy_files_no_recompute_and_joined_reasons_stay_short(desk: Desk) -> None:
    ladder = json.dumps([{"level": 1, "action": "notify_lead", "after_breach_minutes": 0}])
    scoped = json.dumps({"queue_ids": [desk.ids["tech"]]})
    with desk.connect("carol") as carol:
        policy = carol.execute(SAVE, ("Renamed 0", scoped, TECH_TARGETS, ladder)).fetchone()
        assert policy is not None
        with desk.connect_as_dba() as dba:
            before = dba.execute("SELECT count(*) FROM switchboard.sla_recompute").fetchone()
        for number in range(1, 30):
            carol.execute(
                "SELECT save_sla_policy(%s, %s, %s, 50, %s, %s, false, NULL, NULL, %s, true)",
                (policy[0], number, f"Renamed {number}", scoped, TECH_TARGETS, ladder),
            )
        with desk.connect_as_dba() as dba:
            after = dba.execute("SELECT count(*) FROM switchboard.sla_recompute").fetchone()
            version = dba.execute("SELECT version FROM switchboard.sla_policy WHERE id = %s", policy).fetchone()
        assert after == before and version == (30,)
        carol.execute(
            "SELECT save_sla_policy(%s, 30, 'Renamed 30', 50, %s, %s, false, NULL, NULL, %s, true)",
            (policy[0], scoped, json.dumps({"normal": {"resolution": 240}}), ladder),
        )
    with desk.connect_as_dba() as dba:  # a new target moves due times: filed
        assert after is not None
        assert dba.execute("SELECT count(*) FROM switchboard.sla_recompute").fetchone() == (int(str(after[0])) + 1,)
        with pytest.raises(psycopg.errors.CheckViolation):
            dba.execute(
                "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
                " VALUES (%s, 'resolution', 'recompute', now(), repeat('x', 2001))",
                (desk.ids["tech_open"],),
            )
    reasons = [f"policy P{number} changed" for number in range(3000)]
    assert joined_reason(reasons) == (
        "policy P0 changed; policy P1 changed; policy P2 changed; policy P3 changed; policy P4 changed;"
        " and 2,995 more changes"
    )
    assert joined_reason(["a", "b", "a"]) == "a; b"


@pytest.mark.parametrize(
    ("time_zone", "hours"),
    [
        ("Mars/Olympus_Mons", '{"0": [[540, 1020]]}'),
        ("UTC+5", '{"0": [[540, 1020]]}'),
        ("Europe/Berlin", '{"0": [[600, 300]]}'),
        ("Europe/Berlin", '{"0": [[540, 720], [700, 1020]]}'),
        ("Europe/Berlin", '{"7": [[540, 1020]]}'),
        ("Europe/Berlin", '{"0": [[540, 1500]]}'),
        ("Europe/Berlin", '{"0": [[540.5, 1020]]}'),
        ("Europe/Berlin", '{"0": [[540, 1020, 1]]}'),
        ("Europe/Berlin", '{"0": "9-17"}'),
        ("Europe/Berlin", "[[540, 1020]]"),
    ],
)
def test_an_admin_cannot_store_a_calendar_the_engine_cannot_read(desk: Desk, time_zone: str, hours: str) -> None:
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.CheckViolation):
        dana.execute(
            "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('Bad', %s, %s)", (time_zone, hours)
        )


def test_a_calendar_of_a_country_without_known_holidays_stops_neither_creation_nor_the_sweep(
    desk: Desk, worker: Runtime
) -> None:
    """The database cannot know the `holidays` package's countries; the engine reads such a calendar without
    its public holidays (logged) instead of failing every creation and sweep of the policy's queues."""
    with desk.connect("dana") as dana:
        calendar = dana.execute(
            "INSERT INTO business_calendar (name, time_zone, weekly_hours, country)"
            " VALUES ('Nowhere', 'Europe/Berlin', '{\"0\": [[540, 720], [780, 1020]], \"4\": [[0, 1440]]}', 'ZZ')"
            " RETURNING id"
        ).fetchone()
        assert calendar is not None
        policy = dana.execute(
            "SELECT save_sla_policy(NULL, NULL, 'Nowhere hours', 1, %s, %s, true, %s, NULL, '[]', true)",
            (json.dumps({"queue_ids": [desk.ids["billing"]]}), TECH_TARGETS, calendar[0]),
        ).fetchone()
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            created = service.create_ticket(
                uow, subject="Calendar probe", customer_id=desk.ids["jane"], queue_id=desk.ids["billing"], body="Hi"
            ).ticket
            uow.commit()
        with desk.connect_as_dba() as dba:  # due under the policy, on the calendar's hours (without holidays)
            due = dba.execute(
                "SELECT resolution_due_at FROM switchboard.ticket WHERE id = %s", (created.id,)
            ).fetchone()
        assert due is not None and due[0] is not None
        assert sla_sweep(worker.uow)["tickets"] >= 0  # the sweep runs through it
    finally:
        runtime.close()
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.sla_policy SET is_active = false WHERE id = %s", policy)


def test_customers_and_their_addresses_are_audited_and_announced(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        before = dba.execute("SELECT coalesce(max(id), 0) FROM switchboard.audit_event").fetchone()
        logged = dba.execute("SELECT coalesce(max(seq), 0) FROM switchboard.change_log").fetchone()
    with desk.connect("alice") as alice:
        new = alice.execute("INSERT INTO customer (name) VALUES ('Call me, refund approved') RETURNING id").fetchone()
    assert new is not None
    with desk.connect("dana") as dana:
        dana.execute("UPDATE customer SET name = 'Jane D.', language = 'xx' WHERE id = %s", (desk.ids["jane"],))
        dana.execute(
            "INSERT INTO customer_email (customer_id, address) VALUES (%s, 'second@customer.test')", (desk.ids["jane"],)
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            dana.execute(
                "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'attacker@evil.test', true)",
                (desk.ids["jane"],),
            )
        dana.execute("UPDATE customer SET name = 'Jane Doe', language = NULL WHERE id = %s", (desk.ids["jane"],))
    with desk.connect_as_dba() as dba:
        audited = dba.execute(
            "SELECT entity, entity_id, action, actor_login FROM switchboard.audit_event WHERE id > %s ORDER BY id",
            before,
        ).fetchall()
        announced = dba.execute(
            "SELECT entity, entity_id FROM switchboard.change_log WHERE seq > %s AND entity = 'customer' ORDER BY seq",
            logged,
        ).fetchall()
    assert audited == [
        ("customer", new[0], "insert", desk.login("alice")),
        ("customer", desk.ids["jane"], "update", desk.login("dana")),
        ("customer_email", audited[2][1], "insert", desk.login("dana")),
        ("customer", desk.ids["jane"], "update", desk.login("dana")),
    ]
    assert ("customer", desk.ids["jane"]) in announced


@pytest.fixture
def bobs_draft_held(desk: Desk) -> Iterator[int]:
    """bob's transaction holds his Tech ticket and his draft (its id), as while he saves them."""
    bob = desk.connect("bob")
    try:
        draft = bob.execute("SELECT kb_create_article('Bob draft', 'x', NULL, '{}', NULL, 'internal', NULL)").fetchone()
        assert draft is not None
        bob.execute("BEGIN")
        bob.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (desk.ids["tech_bobs"],))
        bob.execute("SELECT kb_edit_article(%s, 1, 'Bob draft', 'y', NULL, '{}', NULL, 'internal')", draft)
        yield int(str(draft[0]))
    finally:
        bob.execute("ROLLBACK")
        bob.close()


def test_a_lock_wait_tells_nothing_of_a_row_the_caller_may_not_see(desk: Desk, bobs_draft_held: int) -> None:
    """Before, each of these waited for bob's lock and timed out, where an unknown id was refused at once."""
    calls = [
        ("SELECT assign_ticket(%s, NULL, NULL)", (desk.ids["tech_bobs"],), "no ticket"),
        ("SELECT move_ticket(%s, %s, NULL)", (desk.ids["tech_bobs"], desk.ids["billing"]), "no ticket"),
        ("SELECT route_ticket(%s, NULL, 'intake', '{}', NULL)", (desk.ids["tech_bobs"],), "no ticket"),
        ("SELECT kb_attach_file(%s, 'x.txt', 'text/plain', 'x')", (bobs_draft_held,), "no article"),
        ("SELECT kb_edit_article(%s, 2, 't', 'b', NULL, '{}', NULL, 'internal')", (bobs_draft_held,), "no article"),
        ("SELECT kb_set_article_state(%s, 2, 'published')", (bobs_draft_held,), "no article"),
    ]
    with desk.connect("alice") as alice:
        alice.execute("SET lock_timeout = '300ms'")
        for statement, args, refusal in calls:
            with pytest.raises(psycopg.errors.NoDataFound, match=refusal):
                alice.execute(statement, args)


def test_a_caller_who_sees_the_row_still_waits_for_the_lock(desk: Desk) -> None:
    """Read, checked, then locked: carol (she leads Tech) queues behind bob's lock as before."""
    bob = desk.connect("bob")
    outcome: list[str] = []
    try:
        bob.execute("BEGIN")
        bob.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (desk.ids["tech_open"],))

        def carol_assigns() -> None:
            with desk.connect("carol") as carol:
                carol.execute("SET lock_timeout = '2s'")
                try:
                    carol.execute("SELECT assign_ticket(%s, NULL, NULL)", (desk.ids["tech_open"],))
                    outcome.append("assigned")
                except psycopg.errors.LockNotAvailable:
                    outcome.append("waited")

        thread = threading.Thread(target=carol_assigns)
        thread.start()
        thread.join(10)
    finally:
        bob.execute("ROLLBACK")
        bob.close()
    assert outcome == ["waited"]


def test_attaching_a_file_to_an_article_is_audited(desk: Desk) -> None:
    with desk.connect("dana") as dana:
        dana.execute("SELECT kb_set_editor(current_agent_id(), true)")
        article = dana.execute(
            "SELECT kb_create_article('Reset tool', 'x', NULL, '{}', NULL, 'internal', NULL)"
        ).fetchone()
        assert article is not None
        dana.execute("SELECT kb_set_article_state(%s, 1, 'published')", article)
        address = dana.execute("SELECT kb_attach_file(%s, 'reset-tool.exe', 'application/octet-stream', 'MZ')", article)
        row = dana.execute(
            "SELECT actor_login, action, new_value ->> 'filename', new_value ->> 'sha256', new_value ->> 'state'"
            " FROM audit_event WHERE entity = 'knowledge_article' AND entity_id = %s",
            article,
        ).fetchall()
    assert row == [(desk.login("dana"), "attach_file", "reset-tool.exe", address.fetchone()[0], "published")]  # type: ignore[index]


def test_when_a_configuration_row_was_made_and_changed_is_the_databases(desk: Desk) -> None:
    with desk.connect("carol") as carol:
        made = carol.execute(
            "INSERT INTO canned_response (title, body, queue_id, author_id, created_at, updated_at)"
            " VALUES ('Backdated', 'x', %s, current_agent_id(), '1901-01-01', '2999-12-31')"
            " RETURNING id, created_at > now() - interval '1 minute', updated_at > now() - interval '1 minute'",
            (desk.ids["tech"],),
        ).fetchone()
        assert made is not None and made[1:] == (True, True)
        carol.execute("UPDATE canned_response SET updated_at = '1950-01-01' WHERE id = %s", made[:1])
        kept = carol.execute(
            "SELECT created_at > now() - interval '1 minute', updated_at > now() - interval '1 minute'"
            " FROM canned_response WHERE id = %s",
            made[:1],
        ).fetchone()
    assert kept == (True, True)
    with desk.connect("dana") as dana:
        calendar = dana.execute(
            "INSERT INTO business_calendar (name, time_zone, weekly_hours, version) VALUES ('Stamped', 'UTC', '{}', 77)"
            " RETURNING id, version"
        ).fetchone()
        assert calendar is not None and calendar[1] == 1
        dana.execute(
            "UPDATE business_calendar SET version = 999, updated_at = '1950-01-01' WHERE id = %s", calendar[:1]
        )
        after = dana.execute(
            "SELECT version, updated_at > now() - interval '1 minute' FROM business_calendar WHERE id = %s",
            calendar[:1],
        ).fetchone()
    assert after == (2, True)


def test_staff_read_a_files_bytes_but_not_when_it_was_first_stored(desk: Desk) -> None:
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute("SELECT created_at FROM blob")
        assert alice.execute("SELECT count(sha256) >= 0, count(size) >= 0 FROM blob").fetchone() == (True, True)


@pytest.mark.parametrize("person", ["alice", "carol", "ghostadmin", "outsider"])
def test_only_an_active_admin_reads_the_workers_tables(desk: Desk, person: str) -> None:
    with desk.connect_as_dba() as dba:
        dba.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{desk.login('ghostadmin')}') THEN"
            f' CREATE ROLE "{desk.login("ghostadmin")}" LOGIN IN ROLE "{desk.database}_admin"; END IF; END $$'
        )
        dba.execute(
            "INSERT INTO switchboard.worker_heartbeat (worker, seen_at) VALUES ('probe-host', now())"
            " ON CONFLICT DO NOTHING"
        )
    with desk.connect(person) as login:
        for table in ("job_run", "worker_heartbeat"):
            try:
                rows = login.execute(f"SELECT count(*) FROM {table}").fetchone()
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable):
                continue  # no grant, or (a login in no group) not even the schema
            assert rows == (0,), (person, table)
    with desk.connect("dana") as dana:
        assert dana.execute("SELECT count(*) > 0 FROM worker_heartbeat").fetchone() == (True,)


@pytest.mark.parametrize(
    ("person", "statement"),
    [
        ("alice", "UPDATE ticket SET subject = 'Refund' || chr(10) || 'approved' WHERE id = {billing_open}"),
        ("alice", "UPDATE ticket SET subject = 'invoice' || chr(8238) || 'fdp.exe' WHERE id = {billing_open}"),
        ("alice", "UPDATE ticket SET tags = ARRAY['vip' || chr(13)] WHERE id = {billing_open}"),
        ("alice", "INSERT INTO customer (name) VALUES ('Jane' || chr(9) || 'Doe')"),
        (
            "carol",
            "INSERT INTO canned_response (title, body, queue_id, author_id)"
            " VALUES ('Hi' || chr(27) || '[31m', 'x', {tech}, current_agent_id())",
        ),
        ("alice", "SELECT kb_create_article('T' || chr(8238) || 'x', 'x', NULL, '{}', NULL, 'internal', NULL)"),
        ("alice", "UPDATE ticket SET subject = 'Refund approved' || chr(8232) || 'by Dana' WHERE id = {billing_open}"),
        ("alice", "UPDATE ticket SET tags = ARRAY['vip' || chr(8233) || 'x'] WHERE id = {billing_open}"),
        (
            "dana",
            "INSERT INTO customer_email (customer_id, address)"
            " VALUES ({jane}, 'x@y.test' || chr(13) || chr(10) || 'Bcc: all@corp.test')",
        ),
        ("dana", "SELECT create_queue('Billing' || chr(10) || 'VIP', '')"),
        ("dana", "INSERT INTO organisation (name) VALUES ('Acme' || chr(8238))"),
        ("dana", "UPDATE ticket_status SET label = 'New' || chr(10) || 'x' WHERE key = 'new'"),
        ("dana", "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('B' || chr(10), 'UTC', '{}')"),
    ],
)
def test_one_line_fields_hold_no_control_characters_or_direction_overrides(
    desk: Desk, person: str, statement: str
) -> None:
    for name in ("billing_open", "tech", "jane"):
        statement = statement.replace("{" + name + "}", str(desk.ids[name]))
    with desk.connect(person) as login, pytest.raises(psycopg.errors.CheckViolation):
        login.execute(statement)


@pytest.mark.parametrize("sequence", ["audit_event_id_seq", "change_log_seq_seq", "ticket_id_seq", "message_id_seq"])
def test_staff_draw_no_identity_by_hand(desk: Desk, sequence: str) -> None:
    """Five million audit ids burnt in 2.4 s, unaudited: an identity column draws without the login's USAGE,
    so staff hold none (their inserts still number their rows, as the other tests' inserts show)."""
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.InsufficientPrivilege):
        alice.execute(f"SELECT nextval('{sequence}')")


@pytest.mark.parametrize(
    ("person", "statement"),
    [
        ("alice", "UPDATE ticket SET tags = ARRAY[NULL, 'vip'] WHERE id = {billing_open}"),
        ("alice", "SELECT kb_create_article('t', 'b', NULL, ARRAY[NULL, 'x']::text[], NULL, 'internal', NULL)"),
        (
            "dana",
            "INSERT INTO business_calendar (name, time_zone, weekly_hours, closed_dates)"
            " VALUES ('Nulls', 'UTC', '{}', ARRAY[NULL::date])",
        ),
    ],
)
def test_no_list_holds_an_empty_item(desk: Desk, person: str, statement: str) -> None:
    """A NULL among a ticket's tags failed the header, `ticket show` and the article list of every colleague."""
    with desk.connect(person) as login, pytest.raises(psycopg.errors.CheckViolation):
        login.execute(statement.replace("{billing_open}", str(desk.ids["billing_open"])))


@pytest.mark.parametrize(
    "address",
    [
        "jane@customer.test\u200b",
        " jane@customer.test ",
        "jane@customer.test, boss@corp.test",
        "not an address; x@y <z>",
        "jane@localhost",
        "x" * 65 + "@customer.test",
    ],
)
def test_an_address_is_one_address_as_the_client_takes_one(desk: Desk, address: str) -> None:
    """Lookalikes of jane@customer.test passed the unique index and showed in colleagues' customer search."""
    with desk.connect("dana") as dana, pytest.raises(psycopg.errors.CheckViolation):
        dana.execute("INSERT INTO customer_email (customer_id, address) VALUES (%s, %s)", (desk.ids["omar"], address))


def test_the_addresses_the_client_takes_are_kept(desk: Desk) -> None:
    from app.services.people.addresses import parse_mailbox

    with desk.connect("dana") as dana:
        for typed in ("Jürgen <jürgen@bücher.de>", "o.neil+vip@sub.example.co.uk", "ops@10-net.example"):
            address = parse_mailbox(typed).address
            dana.execute(
                "INSERT INTO customer_email (customer_id, address) VALUES (%s, %s)", (desk.ids["omar"], address)
            )
    with desk.connect_as_dba() as dba:  # staff delete no addresses
        dba.execute("DELETE FROM switchboard.customer_email WHERE customer_id = %s", (desk.ids["omar"],))


def test_a_reason_typed_with_a_tab_is_kept_as_one_line(desk: Desk) -> None:
    """A hand-back's reason with a tab (the CLI's --reason) met the one-line check as a raw error."""
    from app.services.routing import engine

    runtime = desk.runtime("bob")
    try:
        with runtime.uow() as uow:
            engine.hand_back(uow, desk.ids["tech_bobs"], "Off sick\ttomorrow\nand Friday")
            uow.commit()
    finally:
        runtime.close()
    with desk.connect_as_dba() as dba:
        reason = dba.execute(
            "SELECT reason FROM switchboard.routing_decision WHERE ticket_id = %s ORDER BY id DESC LIMIT 1",
            (desk.ids["tech_bobs"],),
        ).fetchone()
    assert reason == ("Off sick tomorrow and Friday",)
