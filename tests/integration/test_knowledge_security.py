"""The knowledge base probed as each role's own login, straight SQL as psql or a modified client would send
it, on both servers: another queue's agent, a supervisor, an admin, a disabled user, a group member without
an agent, a login outside every group. Every refusal changes nothing and reveals nothing about an article
the caller may not read; the history cannot be rewritten, not even by the superuser.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from tests.support.desk import Desk

pytestmark = pytest.mark.slow
Connection = psycopg.Connection[tuple[object, ...]]
KB_TABLES = [
    "knowledge_article",
    "knowledge_article_version",
    "knowledge_category",
    "knowledge_editor",
    "knowledge_attachment",
]
# Every kb_* function a client can call, with arguments aimed at article {a} (ann's draft) or category {c}.
KB_CALLS = [
    "SELECT switchboard.kb_edit_article({a}, 1, 'pwned', 'x', NULL, '{{}}', NULL, 'public')",
    "SELECT switchboard.kb_set_article_state({a}, 1, 'published')",
    "SELECT switchboard.kb_attach_file({a}, 'x.txt', 'text/plain', 'x'::bytea)",
    "SELECT switchboard.kb_add_category('pwned', {c})",
    "SELECT switchboard.kb_set_editor({me}, true)",
]


@pytest.fixture(scope="module")
def articles(desk: Desk) -> dict[str, int]:
    """ann's draft (with a file), a published article, and a category, written through the functions."""
    found: dict[str, int] = {}
    with desk.connect("ann") as ann:
        found["draft"] = _one(
            ann,
            "SELECT switchboard.kb_create_article('Ann secret draft', 'draft body', NULL, "
            "'{}', NULL, 'internal', NULL)",
        )
        ann.execute(
            "SELECT switchboard.kb_attach_file(%s, 'secret.txt', 'text/plain', 'draft file'::bytea)", (found["draft"],)
        )
    with desk.connect("carol") as carol:
        found["category"] = _one(carol, "SELECT switchboard.kb_add_category('Billing', NULL)")
        found["published"] = _one(
            carol,
            "SELECT switchboard.kb_create_article('Published', 'for all', NULL, '{}', %s, 'public', NULL)",
            (found["category"],),
        )
        carol.execute("SELECT switchboard.kb_set_article_state(%s, 1, 'published')", (found["published"],))
    with desk.connect_as_dba() as dba:  # a login kept in the agent group while its agent row is disabled
        dba.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(desk.login("frozen")), sql.Identifier(desk.login("agent"))
            )
        )
        dba.execute(
            "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability, is_active)"
            " VALUES ('Frozen', 'frozen@desk.test', %s, 'agent', 'offline', false)",
            (desk.login("frozen"),),
        )
    return found


def _one(connection: Connection, statement: str, params: tuple[object, ...] = ()) -> int:
    row = connection.execute(statement, params).fetchone()
    assert row is not None
    return int(str(row[0]))


def _snapshot(desk: Desk) -> list[tuple[object, ...]]:
    with desk.connect_as_dba() as dba:
        return [
            *dba.execute(
                "SELECT id, title, body, state, version, visibility FROM switchboard.knowledge_article ORDER BY id"
            ).fetchall(),
            *dba.execute(
                "SELECT article_id, version, title FROM switchboard.knowledge_article_version ORDER BY 1, 2"
            ).fetchall(),
            *dba.execute("SELECT id, name FROM switchboard.knowledge_category ORDER BY id").fetchall(),
            *dba.execute("SELECT agent_id FROM switchboard.knowledge_editor ORDER BY 1").fetchall(),
            *dba.execute("SELECT id, filename FROM switchboard.knowledge_attachment ORDER BY id").fetchall(),
        ]


def _titles(connection: Connection) -> set[str]:
    return {str(row[0]) for row in connection.execute("SELECT title FROM switchboard.knowledge_article")}


@pytest.mark.parametrize("person", ["alice", "bob"])  # ann's queue colleague, another queue's agent
def test_an_agent_cannot_read_touch_or_publish_a_colleagues_draft(
    desk: Desk, articles: dict[str, int], person: str
) -> None:
    before = _snapshot(desk)
    with desk.connect(person) as agent:
        assert _titles(agent) == {"Published"}
        for table in ["knowledge_article_version", "knowledge_attachment"]:
            rows = agent.execute(sql.SQL("SELECT article_id FROM switchboard.{}").format(sql.Identifier(table)))
            assert {row[0] for row in rows} <= {articles["published"]}, table
        assert agent.execute("SELECT count(*) FROM switchboard.blob WHERE data = 'draft file'::bytea").fetchone() == (
            0,
        )
        me = agent.execute("SELECT switchboard.current_agent_id()").fetchone()[0]  # type: ignore[index]
        for call in KB_CALLS:
            statement = call.format(a=articles["draft"], c=articles["category"], me=me)
            with pytest.raises(psycopg.Error) as refused:
                agent.execute(statement)
            assert isinstance(refused.value, psycopg.errors.NoDataFound | psycopg.errors.InsufficientPrivilege)
            assert "Ann secret draft" not in str(refused.value) and "version" not in str(refused.value), statement
        # Published: readable, but not theirs to change, publish or archive.
        for statement in [
            f"SELECT switchboard.kb_edit_article({articles['published']}, 2, 'x', 'x', NULL, '{{}}', NULL, 'public')",
            f"SELECT switchboard.kb_set_article_state({articles['published']}, 2, 'archived')",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                agent.execute(statement)
    assert _snapshot(desk) == before


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_nobody_writes_the_tables_directly(desk: Desk, articles: dict[str, int], person: str) -> None:
    before = _snapshot(desk)
    with desk.connect(person) as caller:
        for statement in [
            "INSERT INTO knowledge_article (title, body, state, author_id) VALUES ('x', 'x', 'published', NULL)",
            f"UPDATE knowledge_article SET state = 'published' WHERE id = {articles['draft']}",
            f"DELETE FROM knowledge_article WHERE id = {articles['published']}",
            "INSERT INTO knowledge_article_version (article_id, version, title, body, tags, visibility, state)"
            f" VALUES ({articles['published']}, 99, 'x', 'x', '{{}}', 'public', 'published')",
            "UPDATE knowledge_article_version SET body = 'rewritten'",
            "DELETE FROM knowledge_article_version",
            "TRUNCATE knowledge_article_version",
            "INSERT INTO knowledge_category (name) VALUES ('x')",
            "INSERT INTO knowledge_editor (agent_id) SELECT current_agent_id()",
            "INSERT INTO knowledge_attachment (article_id, blob_sha256, filename, media_type, size)"
            f" SELECT {articles['published']}, sha256, 'x', 'x', size FROM blob LIMIT 1",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                caller.execute(statement)
    assert _snapshot(desk) == before


def test_not_even_the_superuser_rewrites_an_articles_history(desk: Desk, articles: dict[str, int]) -> None:
    before = _snapshot(desk)
    with desk.connect_as_dba() as dba:
        for statement in [
            "UPDATE switchboard.knowledge_article_version SET body = 'rewritten'",
            "DELETE FROM switchboard.knowledge_article_version",
            "TRUNCATE switchboard.knowledge_article_version",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                dba.execute(statement)
    assert _snapshot(desk) == before


def test_the_history_names_the_session_and_not_the_client(desk: Desk, articles: dict[str, int]) -> None:
    with desk.connect("sam") as sam:  # a supervisor: an editor
        sam.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("dana"),))  # ignored
        sam.execute(
            "SELECT switchboard.kb_edit_article(%s, 1, 'Ann secret draft', 'edited', NULL, '{}', NULL, 'internal')",
            (articles["draft"],),
        )
    with desk.connect_as_dba() as dba:
        author = dba.execute(
            "SELECT a.display_name FROM switchboard.knowledge_article_version v JOIN switchboard.agent a "
            "ON a.id = v.author_id WHERE v.article_id = %s AND v.version = 2",
            (articles["draft"],),
        ).fetchone()
    assert author == ("Sam",)


def test_null_and_nonsense_arguments_never_pass(desk: Desk, articles: dict[str, int]) -> None:
    before = _snapshot(desk)
    with desk.connect("carol") as editor:
        for statement in [
            f"SELECT switchboard.kb_set_article_state({articles['published']}, NULL, 'archived')",
            f"SELECT switchboard.kb_set_article_state({articles['published']}, 2, NULL)",
            f"SELECT switchboard.kb_set_article_state({articles['published']}, 2, 'deleted')",
            "SELECT switchboard.kb_set_article_state(NULL, 2, 'archived')",
            f"SELECT switchboard.kb_edit_article({articles['published']}, NULL, 'x', 'x', NULL, NULL, NULL, NULL)",
            f"SELECT switchboard.kb_edit_article({articles['published']}, 2, NULL, 'x', NULL, NULL, NULL, NULL)",
            f"SELECT switchboard.kb_edit_article({articles['published']}, 2, '  ', 'x', NULL, NULL, NULL, NULL)",
            f"SELECT switchboard.kb_edit_article({articles['published']}, 2, 'x', 'x', NULL, NULL, NULL, 'secret')",
            "SELECT switchboard.kb_create_article(NULL, 'x', NULL, NULL, NULL, NULL, NULL)",
            "SELECT switchboard.kb_create_article('x', 'x', NULL, NULL, 987654, NULL, NULL)",
            f"SELECT switchboard.kb_attach_file({articles['published']}, 'x', 'x', ''::bytea)",
            f"SELECT switchboard.kb_attach_file({articles['published']}, NULL, 'x', 'x'::bytea)",
            "SELECT switchboard.kb_add_category(NULL, NULL)",
            "SELECT switchboard.kb_add_category('Billing', NULL)",  # exists
        ]:
            with pytest.raises(psycopg.Error):
                editor.execute(statement)
    assert _snapshot(desk) == before


def test_a_draft_cannot_claim_a_ticket_of_another_queue(desk: Desk, articles: dict[str, int]) -> None:
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.NoDataFound) as refused:
        alice.execute(
            "SELECT switchboard.kb_create_article('x', 'x', NULL, '{}', NULL, 'internal', %s)", (desk.ids["tech_bobs"],)
        )
    assert "tech_bobs" not in str(refused.value)


def test_only_an_admin_names_editors(desk: Desk, articles: dict[str, int]) -> None:
    for person in ["alice", "carol", "sam"]:
        with desk.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
            caller.execute("SELECT switchboard.kb_set_editor(%s, true)", (desk.ids["alice"],))
    with desk.connect("dana") as dana:
        dana.execute("SELECT switchboard.kb_set_editor(%s, true)", (desk.ids["bob"],))
    with desk.connect("bob") as bob:
        assert bob.execute("SELECT switchboard.kb_is_editor()").fetchone() == (True,)
        assert "Ann secret draft" in _titles(bob)  # editors review drafts
    with desk.connect("dana") as dana:
        dana.execute("SELECT switchboard.kb_set_editor(%s, false)", (desk.ids["bob"],))
    with desk.connect("bob") as bob:
        assert bob.execute("SELECT switchboard.kb_is_editor()").fetchone() == (False,)
        assert "Ann secret draft" not in _titles(bob)


@pytest.mark.parametrize("person", ["ghost", "frozen"])  # in the agent group: no agent / a disabled agent
def test_a_login_without_an_active_agent_reads_and_writes_nothing(
    desk: Desk, articles: dict[str, int], person: str
) -> None:
    before = _snapshot(desk)
    with desk.connect(person) as caller:
        for table in KB_TABLES:
            assert (
                caller.execute(sql.SQL("SELECT * FROM switchboard.{}").format(sql.Identifier(table))).fetchall() == []
            )
        assert caller.execute("SELECT switchboard.kb_is_editor()").fetchone() == (False,)
        for call in [*KB_CALLS, "SELECT switchboard.kb_create_article('x', 'x', NULL, '{{}}', NULL, 'internal', NULL)"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                caller.execute(call.format(a=articles["published"], c=articles["category"], me="NULL"))
    assert _snapshot(desk) == before


def test_a_disabled_user_cannot_even_connect(desk: Desk, articles: dict[str, int]) -> None:
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Kim', 'kim@desk.test', 'agent', NULL, %s)", (desk.login("kim"), [desk.ids["billing"]])
        )
    with desk.connect("kim") as kim:
        assert _titles(kim) == {"Published"}
    with desk.connect("dana") as dana:
        dana.execute("SELECT disable_user(%s)", (desk.login("kim"),))
    with pytest.raises(psycopg.OperationalError):
        desk.connect("kim")


def test_an_outsider_reads_no_table_and_calls_no_function(desk: Desk, articles: dict[str, int]) -> None:
    with desk.connect("outsider") as outsider:
        for table in KB_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                outsider.execute(sql.SQL("SELECT * FROM switchboard.{}").format(sql.Identifier(table)))
        for call in [
            *KB_CALLS,
            "SELECT switchboard.kb_is_editor()",
            "SELECT switchboard.kb_create_article('x', 'x', NULL, '{{}}', NULL, 'internal', NULL)",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                outsider.execute(call.format(a=articles["published"], c=articles["category"], me="NULL"))


def test_every_kb_function_is_pinned_and_closed_to_public(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        rows = dba.execute(
            "SELECT p.proname, p.prosecdef, p.proconfig, has_function_privilege('public', p.oid, 'EXECUTE')"
            " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'switchboard' AND p.proname LIKE 'kb\\_%'"
        ).fetchall()
    assert len(rows) == 10  # kb_lock_article (migration 0049) the tenth
    for name, definer, config, public in rows:
        assert definer and not public, name
        assert config == ["search_path=pg_catalog, switchboard, pg_temp"], name
