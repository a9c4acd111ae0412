"""Migration 0041: `session_who()` answers who is acting without the queue arrays, `session_identity()`
version 3 takes its first four columns from it, and the identity helpers ask it instead. Every answer must
be version 2's, for every kind of login, in its own session (row-level security on) and when a session
names someone else in `switchboard.acting_login`: an agent of each queue, a supervisor who leads a queue
and one who leads none, an admin, a disabled agent, a login in the agent group without an agent row, a
login outside every group, a trusted login that is no superuser (a member of the owner role, as the worker's
is) and the trusted DBA, each acting for nobody and for each of them."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from app.services.platform.database.sql_files import DatabaseNames, function_sql
from tests.support.desk import Desk

PEOPLE = ("alice", "ann", "bob", "carol", "sam", "dana", "zed", "ghost", "outsider")
IN_NO_GROUP = ("outsider", "zed")  # disabling a user takes their login out of the groups
STEWARD = "steward"  # a login in the owner role, as the worker's is: trusted, no superuser
HELPERS = ("current_login", "current_agent_id", "current_agent_role", "is_admin", "is_active_agent", "kb_is_editor")
ASK_ALL = (
    "SELECT (i).login, (i).agent_id, (i).agent_role, (i).trusted, (i).visible_queue_ids,"
    " (i).led_queue_ids, (w).login, (w).agent_id, (w).agent_role, (w).trusted, (o).*,"
    " switchboard.current_login(), switchboard.current_agent_id(), switchboard.current_agent_role(),"
    " switchboard.is_admin(), switchboard.is_active_agent(), switchboard.kb_is_editor(), switchboard.kb_is_editor_v1()"
    " FROM (SELECT switchboard.session_identity() AS i, switchboard.session_who() AS w) now,"
    " LATERAL (SELECT login, agent_id, agent_role, trusted, visible_queue_ids, led_queue_ids"
    " FROM switchboard.session_identity_v2()) o"
)


@pytest.fixture(scope="module")
def with_version_2(desk: Desk) -> Iterator[Desk]:
    """Version 2 of `session_identity()` and version 1 of `kb_is_editor()` beside the new ones, under other
    names, callable by everyone for the probe; zed, a Billing agent an admin has disabled; the steward, a
    login of the owner role (roles are cluster-wide: dropped afterwards)."""
    names = DatabaseNames.for_database(desk.database)
    old_identity = function_sql("session_identity", 2, names).replace(
        "switchboard.session_identity(", "switchboard.session_identity_v2(", 1
    )
    old_editor = function_sql("kb_is_editor", 1, names).replace(
        "switchboard.kb_is_editor(", "switchboard.kb_is_editor_v1(", 1
    )
    with desk.connect_as_dba() as dba:
        dba.execute(old_identity)
        dba.execute(old_editor)
        for function in ("session_identity_v2()", "kb_is_editor_v1()"):
            dba.execute(f'ALTER FUNCTION switchboard.{function} OWNER TO "{names.owner_role}"')
            dba.execute(f"GRANT EXECUTE ON FUNCTION switchboard.{function} TO PUBLIC")
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Zed', 'zed@desk.test', 'agent', NULL, %s)", (desk.login("zed"), [desk.ids["billing"]])
        )
        dana.execute("SELECT disable_user(%s)", (desk.login("zed"),))
    try:
        with desk.connect_as_dba() as dba:
            dba.execute(f'CREATE ROLE "{desk.login(STEWARD)}" LOGIN IN ROLE "{names.owner_role}"')
        yield desk
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("DROP FUNCTION switchboard.session_identity_v2(), switchboard.kb_is_editor_v1()")
            dba.execute(f'DROP ROLE IF EXISTS "{desk.login(STEWARD)}"')


def _own_session(desk: Desk, person: str) -> psycopg.Connection[tuple[object, ...]]:
    """The login's own connection; zed's through the DBA's SET SESSION AUTHORIZATION (a disabled login
    cannot sign in)."""
    if person != "zed":
        return desk.connect(person)
    connection = desk.connect_as_dba()
    connection.execute(f'SET SESSION AUTHORIZATION "{desk.login(person)}"')
    return connection


def _answers(connection: psycopg.Connection[tuple[object, ...]]) -> tuple[object, ...]:
    """Every answer, queue arrays sorted: they are sets (`= ANY`), built by unordered queries."""
    row = connection.execute(ASK_ALL).fetchone()
    assert row is not None
    return tuple(sorted(value) if isinstance(value, list) else value for value in row)


def _check(answers: tuple[object, ...], who: str) -> None:
    identity, who_is, old = answers[0:6], answers[6:10], answers[10:16]
    helpers, old_editor = answers[16:22], answers[22]
    login, agent_id, role, trusted = old[0:4]
    assert identity == old, f"{who}: session_identity() v3 {identity} != v2 {old}"
    assert who_is == old[0:4], f"{who}: session_who() {who_is} != v2 {old[0:4]}"
    expected = (
        login,
        agent_id,
        role,
        role == "admin",
        agent_id is not None or bool(trusted and role == "admin"),
        old_editor,
    )
    assert helpers == expected, f"{who}: {dict(zip(HELPERS, helpers, strict=True))} != {expected}"


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("names_someone", [False, True])
def test_each_login_in_its_own_session_gets_version_2s_answer(
    with_version_2: Desk, person: str, names_someone: bool
) -> None:
    """Naming ann as the acting login changes nothing for an untrusted session. The disabled zed and the
    outsider are in no group: they may not ask at all."""
    desk = with_version_2
    with _own_session(desk, person) as connection:
        if names_someone:
            connection.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("ann"),))
        if person in IN_NO_GROUP:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("SELECT switchboard.session_who()")
            return
        answers = _answers(connection)
    _check(answers, person)
    assert answers[6] == desk.login(person), "the session's own login, whatever it names"


@pytest.mark.parametrize("trusted", ["dba", STEWARD])
@pytest.mark.parametrize("acting_for", [None, *PEOPLE])
def test_a_trusted_session_acting_for_nobody_or_for_each_login_gets_version_2s_answer(
    with_version_2: Desk, trusted: str, acting_for: str | None
) -> None:
    """The superuser and a login of the owner role (no superuser): acting for nobody they are an admin
    without an agent row; acting for someone they are exactly that someone, disabled or unknown included."""
    desk = with_version_2
    with desk.connect_as_dba() if trusted == "dba" else desk.connect(trusted) as connection:
        if acting_for is not None:
            connection.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login(acting_for),))
        answers = _answers(connection)
    _check(answers, f"{trusted} acting for {acting_for}")
    assert answers[9] is True, "trusted"
    if acting_for is None:
        assert answers[8] == "admin"
    else:
        assert answers[6] == desk.login(acting_for)


def test_only_the_staff_groups_may_ask_who_is_acting(with_version_2: Desk) -> None:
    desk = with_version_2
    with desk.connect_as_dba() as dba:
        for person in (*PEOPLE, STEWARD):
            row = dba.execute(
                "SELECT has_function_privilege(%s, 'switchboard.session_who()', 'EXECUTE')", (desk.login(person),)
            ).fetchone()
            assert row == (person not in IN_NO_GROUP,), person
        row = dba.execute(
            "SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a"
            " WHERE p.oid = 'switchboard.session_who()'::regprocedure AND a.grantee = 0"
        ).fetchone()
        assert row == (0,), "PUBLIC may not execute it"
