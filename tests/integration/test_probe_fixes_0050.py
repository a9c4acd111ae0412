"""What a ninth probe as each role found (migration 0050), each as the role's own login through plain SQL, on
both servers: JSON of a shape no reader takes (a ticket's custom fields of `"x"` stopped its queue's list and
"get next" for everyone), configuration grown without bound (nested categories that took colleagues'
knowledge base a minute to open), a password set without a trace, and routing past a colleague's capacity
from a REPEATABLE READ transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from app.services.people import users
from app.services.routing.engine import _candidate_view, explain
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

# Every JSON column and the shape its readers take, as the migration names them ("any": read as such).
JSON_SHAPES = {
    ("account_cache", "attributes"): "object",
    ("account_cache", "fields"): "list",
    ("account_priority_rule", "conditions"): "object",
    ("account_verified", "attributes"): "object",
    ("agent", "shift"): "object",
    ("agent_preference", "value"): "any",
    ("audit_event", "new_value"): "any",
    ("audit_event", "old_value"): "any",
    ("business_calendar", "closed_date_names"): "object",
    ("business_calendar", "weekly_hours"): "object",
    ("job_run", "result"): "any",
    ("routing_config", "settings"): "object",
    ("routing_decision", "exclusions"): "list of objects",
    ("routing_decision", "ranked"): "list of objects",
    ("sla_policy", "conditions"): "object",
    ("sla_policy", "ladder"): "list",
    ("sla_policy", "targets"): "object",
    ("ticket", "custom_fields"): "object",
}


def test_every_json_column_has_the_shape_its_readers_take(desk: Desk) -> None:
    """A JSON column added later fails here until its shape is named (and checked)."""
    with desk.connect_as_dba() as dba:
        columns = dba.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_type t ON t.oid = a.atttypid WHERE c.relnamespace = 'switchboard'::regnamespace"
            " AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND t.typname IN ('json', 'jsonb')"
        ).fetchall()
        checks = {
            str(table): str(definition)
            for table, definition in dba.execute(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conname LIKE 'ck_%_json_shape' AND convalidated"
            ).fetchall()
        }
    for table, column in columns:
        shape = JSON_SHAPES.get((str(table), str(column)))
        assert shape is not None, (table, column)
        if shape != "any":
            assert f"jsonb_typeof({column})" in str(checks.get(f"switchboard.{table}", "")), (table, column)


@pytest.mark.parametrize("value", ['"x"', "5", "[1]", "true", "null", '[{"a": 1}]'])
def test_custom_fields_are_an_object_whoever_writes_them(desk: Desk, value: str) -> None:
    """`"x"` as a ticket's custom fields failed the queue's list, `ticket show` and "get next" (which picked the
    ticket, failed and rolled back) for every colleague, and no client could open the ticket to repair it."""
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.CheckViolation):
        alice.execute("UPDATE ticket SET custom_fields = %s WHERE id = %s", (value, desk.ids["billing_open"]))


@pytest.fixture
def unrouted(desk: Desk) -> Iterator[int]:
    with desk.connect("alice") as alice:
        row = alice.execute(
            "INSERT INTO ticket (subject, customer_id, queue_id, status, priority, channel, type)"
            " VALUES ('Unrouted', %s, %s, 'new', 1, 'email', 'question') RETURNING id",
            (desk.ids["jane"], desk.ids["billing"]),
        ).fetchone()
    assert row is not None
    yield int(str(row[0]))


@pytest.mark.parametrize(
    "decision",
    [{"ranked": [1], "exclusions": []}, {"ranked": [], "exclusions": [{"agent_id": 3}, "x"]}, {"ranked": {}}],
)
def test_a_decision_stores_lists_of_objects(desk: Desk, unrouted: int, decision: dict[str, object]) -> None:
    """`[1]` as a decision's candidates broke a lead's "Why this agent?" of the ticket."""
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.CheckViolation):
        alice.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (unrouted, json.dumps(decision)))


def test_an_explanation_shows_what_a_stored_candidate_holds_and_skips_the_rest(desk: Desk, unrouted: int) -> None:
    with desk.connect("alice") as alice:
        decision = {"ranked": [{"name": "Ann"}], "exclusions": [{"agent_id": "x"}]}
        alice.execute("SELECT route_ticket(%s, NULL, 'intake', %s, NULL)", (unrouted, json.dumps(decision)))
    with desk.runtime("sam").uow() as uow:
        shown = explain(uow, unrouted)
    assert shown is not None
    assert [(c.name, c.total, c.factors) for c in shown.candidates] == [("Ann", 0.0, ())]
    assert shown.exclusions == (("someone", "left out"),)
    candidate = _candidate_view({"name": 7, "total": True, "factors": [1, {"factor": "load", "weighted": "x"}]})
    assert (candidate.name, candidate.total, [(f.factor, f.weighted) for f in candidate.factors]) == (
        "7",
        0.0,
        [("load", 0.0)],
    )


def test_a_category_is_at_most_eight_levels_deep(desk: Desk) -> None:
    """12,000 nested categories took every colleague's knowledge base 73 s and 5.7 GB to open."""
    with desk.connect("carol") as carol:
        parent = None
        for level in range(1, 9):
            row = carol.execute("SELECT kb_add_category(%s, %s)", (f"Level {level}", parent)).fetchone()
            assert row is not None
            parent = row[0]
        with pytest.raises(psycopg.errors.ProgramLimitExceeded):
            carol.execute("SELECT kb_add_category('Level 9', %s)", (parent,))


@pytest.mark.parametrize(
    ("person", "statement", "most"),
    [
        # a lead is held to a tenth of the desk's bound since 0053 (tests/integration/test_probe_fixes_0053.py)
        ("carol", "PERFORM kb_add_category('Flat ' || i, NULL)", 100),
        (
            "carol",
            "INSERT INTO canned_response (title, body, queue_id, author_id)"
            " VALUES ('Hi ' || i, 'x', {tech}, current_agent_id())",
            200,
        ),
        ("dana", "PERFORM kb_add_category('Flat ' || i, NULL)", 1000),
        ("dana", "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('C' || i, 'UTC', '{{}}')", 100),
    ],
)
def test_the_configuration_every_client_reads_whole_is_bounded(
    desk: Desk, person: str, statement: str, most: int
) -> None:
    statement = statement.replace("{tech}", str(desk.ids["tech"])).replace("{{}}", "{}")
    with desk.connect(person) as login:
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match=f"at most {most}"):
            login.execute(f"DO $$ BEGIN FOR i IN 1..{most + 1} LOOP {statement}; END LOOP; END $$")
        login.execute("BEGIN")
        login.execute(f"DO $$ BEGIN FOR i IN 1..3 LOOP {statement}; END LOOP; END $$")  # below it: kept
        login.execute("ROLLBACK")


def test_a_policy_is_at_most_64_kb(desk: Desk) -> None:
    conditions = json.dumps({"queue_ids": [desk.ids["tech"]], "any_tags": [f"tag-{n:05}" for n in range(6000)]})
    with desk.connect("carol") as carol, pytest.raises(psycopg.errors.CheckViolation):
        carol.execute(
            "SELECT save_sla_policy(NULL, NULL, 'Large', 50, %s, %s, false, NULL, NULL, '[]', true)",
            (conditions, json.dumps({"normal": {"resolution": 480}})),
        )


def test_routing_and_bounded_inserts_are_refused_in_an_older_snapshot(desk: Desk, unrouted: int) -> None:
    """Two REPEATABLE READ transactions each routed a ticket to a colleague of capacity 1: each counted her load
    in a snapshot taken before the other's commit."""
    with desk.connect("alice") as alice:
        alice.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        with pytest.raises(psycopg.errors.CheckViolation, match="read committed"):
            alice.execute("SELECT route_ticket(%s, %s, 'intake', '{}', NULL)", (unrouted, desk.ids["ann"]))
        alice.execute("ROLLBACK")
    with desk.connect("carol") as carol:
        carol.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        with pytest.raises(psycopg.errors.CheckViolation, match="read committed"):
            carol.execute(
                "INSERT INTO canned_response (title, body, queue_id, author_id)"
                " VALUES ('Snapshot', 'x', %s, current_agent_id())",
                (desk.ids["tech"],),
            )
        carol.execute("ROLLBACK")


def test_setting_a_password_is_audited_with_who_set_whose(desk: Desk) -> None:
    """An admin could take over any plain login without a trace, and act in that person's name."""
    with desk.runtime("dana").uow() as uow:
        users.set_password(uow, login=desk.login("ann"), password="a long passphrase, typed twice")
        uow.commit()
    with desk.connect("dana") as dana:
        row = dana.execute(
            "SELECT actor_agent_id, entity, entity_id, field, new_value FROM audit_event"
            " WHERE field = 'password' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    assert row[:4] == (desk.ids["dana"], "agent", desk.ids["ann"], "password")
    assert row[4] == {"db_login": desk.login("ann"), "password": "set"}
    assert "SCRAM" not in json.dumps(row[4])


@pytest.fixture
def inactive(desk: Desk) -> str:
    """dora: in the agent group and able to log in, her agent row inactive (the ninth probe's disabled agent)."""
    with desk.connect_as_dba() as dba:
        made = dba.execute("SELECT EXISTS (SELECT FROM switchboard.agent WHERE db_login = %s)", (desk.login("dora"),))
        known = made.fetchone() == (True,)
    if not known:
        with desk.connect("dana") as dana:
            dana.execute(
                "SELECT add_user(%s, 'Dora', 'dora@desk.test', 'agent', NULL, %s)",
                (desk.login("dora"), [desk.ids["billing"]]),
            )
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("dora"),))
    return "dora"


REFUSED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable)
# What the functions say instead: no such ticket for you, a trigger function is not called by hand.
ALSO_REFUSED = (psycopg.errors.NoDataFound, psycopg.errors.FeatureNotSupported)


def written(desk: Desk, ticket: int) -> tuple[object, ...]:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT (SELECT count(*) FROM switchboard.knowledge_category),"
            " (SELECT count(*) FROM switchboard.routing_decision WHERE ticket_id = %(t)s),"
            " (SELECT count(*) FROM switchboard.audit_event WHERE field = 'password'),"
            " (SELECT version FROM switchboard.ticket WHERE id = %(t)s)",
            {"t": ticket},
        ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize("person", ["bob", "ghost", "outsider", "inactive"])
def test_what_0050_adds_or_changes_gives_nothing_to_another_queue_a_login_without_a_desk_or_an_inactive_agent(
    desk: Desk, inactive: str, person: str
) -> None:
    """Another queue's agent, a group member with no agent row, a login in no group, an inactive agent: each of
    the functions 0050 adds or changes refuses them, and they change no custom fields they cannot see."""
    login = inactive if person == "inactive" else person
    ticket = desk.ids["billing_open"]
    before = written(desk, ticket)
    for statement, args in [
        ("SELECT kb_add_category('Probe', NULL)", ()),
        ("SELECT set_user_password(%s, 'SCRAM-SHA-256$4096:x')", (desk.login("ann"),)),
        ("SELECT route_ticket(%s, NULL, 'intake', '{}', NULL)", (ticket,)),
        ("SELECT refuse_beyond_rows()", ()),
    ]:
        with desk.connect(login) as probe, pytest.raises((*REFUSED, *ALSO_REFUSED)):
            probe.execute(statement, args)
    with desk.connect(login) as probe:
        try:
            changed = probe.execute("UPDATE ticket SET custom_fields = '{}' WHERE id = %s", (ticket,)).rowcount
        except REFUSED:
            changed = 0
    assert changed == 0 and written(desk, ticket) == before
