"""What a thirteenth probe as each role found (migration 0053), each as the role's own login through plain SQL,
on both servers: the desk's row bounds were everyone's to spend. One team lead's SLA policies or canned
responses, or one knowledge editor's categories, filled the desk's bound and refused every other lead and
every admin, and nobody but the DBA could remove them."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.support.desk import Desk

pytestmark = pytest.mark.slow

TARGETS = json.dumps({"normal": {"resolution": 600}})
NOT_FOR_YOU = (
    psycopg.errors.InsufficientPrivilege,
    psycopg.errors.UndefinedTable,  # a login in no group has no usage of the schema
)


def add_policies(connection: psycopg.Connection[tuple[object, ...]], queue: int, count: int, name: str) -> None:
    conditions = json.dumps({"queue_ids": [queue]})
    for number in range(1, count + 1):
        connection.execute(
            "SELECT save_sla_policy(NULL, NULL, %s, 1000, %s, %s, false, NULL, NULL, '[]', false)",
            (f"{name}{number}", conditions, TARGETS),
        )


def test_one_lead_spends_a_tenth_of_the_desks_policies_and_an_admin_adds_beyond_it(desk: Desk) -> None:
    """200 policies is the desk's bound: a lead adds 20 (retired or not), an admin goes on."""
    with desk.connect("carol") as carol:
        add_policies(carol, desk.ids["tech"], 20, "Carol's ")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="one person adds at most 20 SLA policies"):
            add_policies(carol, desk.ids["tech"], 1, "Carol's one more ")
    with desk.connect("dana") as dana:
        add_policies(dana, desk.ids["tech"], 5, "Dana's ")  # the admin is not held to a lead's share
        # the admin removes a lead's retired policy (audited), and none in force
        retired = dana.execute("DELETE FROM sla_policy WHERE name = %s", ("Carol's 1",)).rowcount
        dana.execute("UPDATE sla_policy SET is_active = true WHERE name = %s", ("Carol's 2",))
        in_force = dana.execute("DELETE FROM sla_policy WHERE name = %s", ("Carol's 2",)).rowcount
        dana.execute("UPDATE sla_policy SET is_active = false WHERE name = %s", ("Carol's 2",))
    assert (retired, in_force) == (1, 0)
    with desk.connect("carol") as carol:
        add_policies(carol, desk.ids["tech"], 1, "Carol's again ")  # the room the admin gave back
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="one person adds at most 20"):
            add_policies(carol, desk.ids["tech"], 1, "Carol's too many ")
    with desk.connect_as_dba() as dba:
        removed = dba.execute(
            "SELECT actor_login FROM switchboard.audit_event WHERE entity = 'sla_policy' AND action = 'delete'"
        ).fetchall()
    assert removed == [(desk.login("dana"),)]


def test_staff_fill_three_quarters_of_a_bound_and_the_rest_is_the_admins(desk: Desk) -> None:
    """1,000 categories: with 745 there, an editor adds five more and is refused the 751st; an admin is not."""
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.knowledge_category (name) SELECT 'Filler ' || g"
            " FROM generate_series(1, 745 - (SELECT count(*) FROM switchboard.knowledge_category)) g"
        )
    with desk.connect("carol") as carol:
        carol.execute("DO $$ BEGIN FOR i IN 1..5 LOOP PERFORM kb_add_category('Carol ' || i, NULL); END LOOP; END $$")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="the last 250 are added by an admin"):
            carol.execute("SELECT kb_add_category('Carol 6', NULL)")
    with desk.connect("dana") as dana:
        dana.execute("SELECT kb_add_category('Dana 1', NULL)")
        # an admin removes the junk, but never a category that holds an article or another category
        dana.execute("SELECT kb_add_category('Child', (SELECT id FROM knowledge_category WHERE name = 'Carol 1'))")
        with desk.connect_as_dba() as dba:
            dba.execute(
                "INSERT INTO switchboard.knowledge_article (title, body, category_id)"
                " SELECT 'Kept', 'x', id FROM switchboard.knowledge_category WHERE name = 'Carol 2'"
            )
        gone = dana.execute("DELETE FROM knowledge_category WHERE name LIKE 'Carol %' AND name > 'Carol 2'").rowcount
        for kept_by_another_row in ("Carol 1", "Carol 2"):  # a subcategory; an article (no one saw it empty)
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                dana.execute("DELETE FROM knowledge_category WHERE name = %s", (kept_by_another_row,))
        kept = [
            row[0] for row in dana.execute("SELECT name FROM knowledge_category WHERE name LIKE 'Carol %' ORDER BY 1")
        ]
    assert (gone, kept) == (3, ["Carol 1", "Carol 2"])
    with desk.connect_as_dba() as dba:
        dba.execute("DELETE FROM switchboard.knowledge_category WHERE name LIKE 'Filler %'")


def test_a_canned_response_is_removed_by_an_admin_alone(desk: Desk) -> None:
    with desk.connect("carol") as carol:
        carol.execute(
            "INSERT INTO canned_response (title, body, queue_id, author_id)"
            " VALUES ('Junk', 'x', %s, current_agent_id())",
            (desk.ids["tech"],),
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            carol.execute("DELETE FROM canned_response WHERE title = 'Junk'")
    with desk.connect("dana") as dana:
        assert dana.execute("DELETE FROM canned_response WHERE title = 'Junk'").rowcount == 1


@pytest.mark.parametrize("login", ["alice", "bob", "carol", "sam", "ghost", "outsider"])
def test_nobody_but_an_admin_deletes_the_desks_configuration(desk: Desk, login: str) -> None:
    """Another queue's agent, a queue's agent, a lead, a supervisor leading nothing, a group member without an
    agent row and a login in no group delete no canned response, category or policy (a disabled agent cannot
    log in at all: tests/integration/test_probe_fixes_0052.py)."""
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.canned_response (title, body, queue_id) VALUES ('Keep', 'x', %s)",
            (desk.ids["billing"],),
        )
        dba.execute("INSERT INTO switchboard.knowledge_category (name) VALUES ('Keep')")
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, is_active)"
            " VALUES ('Keep ' || %s, 900, %s, false, false)",
            (login, TARGETS),
        )
    for statement in (
        "DELETE FROM canned_response WHERE title = 'Keep'",
        "DELETE FROM knowledge_category WHERE name = 'Keep'",
        f"DELETE FROM sla_policy WHERE name = 'Keep {login}'",
    ):
        with desk.connect(login) as probe:
            try:
                deleted = probe.execute(statement).rowcount
            except NOT_FOR_YOU:
                deleted = 0
            assert deleted == 0, statement
    with desk.connect_as_dba() as dba:
        left = dba.execute(
            "SELECT (SELECT count(*) FROM switchboard.canned_response WHERE title = 'Keep'),"
            " (SELECT count(*) FROM switchboard.knowledge_category WHERE name = 'Keep'),"
            " (SELECT count(*) FROM switchboard.sla_policy WHERE name = 'Keep ' || %s)",
            (login,),
        ).fetchone()
        dba.execute("DELETE FROM switchboard.canned_response WHERE title = 'Keep'")
        dba.execute("DELETE FROM switchboard.knowledge_category WHERE name = 'Keep'")
    assert left == (1, 1, 1)


@pytest.mark.parametrize(
    "names",
    [
        '{"tomorrow": "Offsite"}',  # a key that is no date
        '{"2026-12-24": 5}',  # a name that is no text
        '{"2026-12-24": "Inventory\\nday"}',  # a name on two lines
        '{"2026-12-24": "invoice\\u202efdp.exe"}',  # a direction override that disguises
        '["2026-12-24"]',  # no object
    ],
)
def test_a_calendars_date_names_are_one_line_texts_by_iso_date_whoever_writes_them(desk: Desk, names: str) -> None:
    with desk.connect("dana") as dana:
        dana.execute(
            "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('Named', 'UTC', '{}')"
            " ON CONFLICT (name) DO NOTHING"
        )
        with pytest.raises(psycopg.errors.CheckViolation):
            dana.execute("UPDATE business_calendar SET closed_date_names = %s WHERE name = 'Named'", (names,))
        dana.execute(
            'UPDATE business_calendar SET closed_date_names = \'{"2026-12-24": "Inventory day"}\''
            " WHERE name = 'Named'"
        )


def test_the_row_past_the_bound_is_refused_before_the_rest_is_written(desk: Desk) -> None:
    """A statement of 3,000 rows of 128 KB wrote 815 MB before the bound refused it at its end (a probe of
    0053): now the row past the bound is refused, and what the statement wrote stops there."""
    with desk.connect_as_dba() as dba:
        held = dba.execute("SELECT count(*) FROM switchboard.knowledge_category").fetchone()
        assert held is not None
        dba.execute("BEGIN")
        dba.execute("SAVEPOINT bulk")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="at most 1000"):
            dba.execute(
                "INSERT INTO switchboard.knowledge_category (name) SELECT 'Bulk ' || g FROM generate_series(1, 3000) g"
            )
        dba.execute("ROLLBACK TO SAVEPOINT bulk")
        written = dba.execute(
            "SELECT n_tup_ins FROM pg_stat_xact_user_tables WHERE relid = 'switchboard.knowledge_category'::regclass"
        ).fetchone()
        dba.execute("ROLLBACK")
    assert written is not None and written[0] == 1000 - held[0]  # type: ignore[operator]  # up to the bound, no further


def test_an_insert_of_no_rows_holds_no_lock_on_the_table(desk: Desk) -> None:
    """A supervisor's INSERT … WHERE false, left open, held the table's lock: every writer of canned responses
    waited on it (a probe of 0053)."""
    sam = desk.connect("sam")
    try:
        sam.execute("BEGIN")
        sam.execute("INSERT INTO canned_response (title, body) SELECT 'never', 'x' WHERE false")
        with desk.connect("dana") as dana:
            dana.execute("SET lock_timeout = '2s'")
            dana.execute(
                "INSERT INTO canned_response (title, body, author_id) VALUES ('Meanwhile', 'x', current_agent_id())"
            )
            dana.execute("DELETE FROM canned_response WHERE title = 'Meanwhile'")
    finally:
        sam.execute("ROLLBACK")
        sam.close()


@pytest.mark.parametrize("login", ["alice", "bob", "carol", "sam", "ghost", "outsider"])
def test_a_calendars_date_names_are_read_by_the_desk_and_written_by_admins_alone(desk: Desk, login: str) -> None:
    """The new column as each role: another queue's agent, a queue's agent, a lead, a supervisor leading
    nothing, a group member without an agent row, a login in no group (a disabled agent cannot log in)."""
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, closed_dates, closed_date_names)"
            " VALUES ('Probed', 'UTC', '{}', '{2026-12-24}', '{\"2026-12-24\": \"Inventory day\"}')"
            " ON CONFLICT (name) DO NOTHING"
        )
    with desk.connect(login) as probe:
        try:
            seen = probe.execute("SELECT closed_date_names FROM business_calendar WHERE name = 'Probed'").fetchall()
        except NOT_FOR_YOU:
            seen = []
        try:
            changed = probe.execute(
                "UPDATE business_calendar SET closed_date_names = '{\"2026-12-24\": \"Forged\"}' WHERE name = 'Probed'"
            ).rowcount
        except NOT_FOR_YOU:
            changed = 0
    assert changed <= 0
    assert seen == ([] if login in ("ghost", "outsider") else [({"2026-12-24": "Inventory day"},)])
    with desk.connect_as_dba() as dba:
        kept = dba.execute("SELECT closed_date_names FROM switchboard.business_calendar WHERE name = 'Probed'")
        assert kept.fetchone() == ({"2026-12-24": "Inventory day"},)
