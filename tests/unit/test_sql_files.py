"""The versioned SQL files load through the loader: every placeholder known, every name quoted for its place."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app.services.platform.database.sql_files import (
    DatabaseNames,
    SqlFileError,
    function_path,
    function_sql,
    function_versions,
    quote_identifier,
    quote_literal,
    render,
    sql_root,
)

PLAIN = DatabaseNames.for_database("helpdesk")
# A database name a DBA may well choose, quoted wrongly anywhere it is pasted in unquoted.
AWKWARD = DatabaseNames.for_database("O'Brien \\ Desk")
ALL_FILES = [(name, version) for name, versions in function_versions().items() for version in versions]


def test_there_are_function_files() -> None:
    assert len(ALL_FILES) >= 40
    assert {"assign_ticket", "move_ticket", "change_log_horizon"} <= set(function_versions())


def test_every_file_in_the_folder_is_a_function_version() -> None:
    stray = [
        str(path.relative_to(sql_root()))
        for path in sql_root().rglob("*")
        if path.is_file()
        and path.name != "README.md"
        and not re.fullmatch(r"functions/[a-z_0-9]+/v[1-9]\d*\.sql", str(path.relative_to(sql_root())))
    ]
    assert stray == []


@pytest.mark.parametrize("name", sorted(function_versions()))
def test_versions_count_up_from_one_without_gaps(name: str) -> None:
    versions = function_versions()[name]
    assert versions == list(range(1, len(versions) + 1))


@pytest.mark.parametrize(("name", "version"), ALL_FILES, ids=[f"{n}-v{v}" for n, v in ALL_FILES])
@pytest.mark.parametrize("names", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_each_file_loads_with_every_placeholder_filled(name: str, version: int, names: DatabaseNames) -> None:
    statement = function_sql(name, version, names)
    assert "{{" not in statement and "}}" not in statement
    body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
    assert body.startswith(f"CREATE OR REPLACE FUNCTION {quote_identifier(names.schema)}.{name}(")
    # One function per file, its body between $fn$ quotes, and nothing SQLAlchemy's text() (which
    # op.execute uses) would take for a bind parameter.
    assert body.count("$fn$") == 2 and body.rstrip().endswith("$fn$")
    assert text(statement).compile().params == {}


def test_role_names_are_quoted_as_literals_where_the_file_asks() -> None:
    statement = function_sql("is_trusted_session", 1, AWKWARD)
    assert "pg_has_role(session_user, E'O''Brien \\\\ Desk_owner', 'MEMBER')" in statement
    assert function_sql("is_trusted_session", 1, PLAIN).count("'helpdesk_owner'") == 1


def test_placeholders_render_by_their_form() -> None:
    template = "GRANT {{agent_role}} TO x; SELECT {{admin_role:literal}}; SET search_path = {{schema}}"
    assert render(template, AWKWARD) == (
        "GRANT \"O'Brien \\ Desk_agent\" TO x; SELECT E'O''Brien \\\\ Desk_admin'; SET search_path = switchboard"
    )
    assert (
        render(template, PLAIN) == "GRANT helpdesk_agent TO x; SELECT 'helpdesk_admin'; SET search_path = switchboard"
    )


@pytest.mark.parametrize(
    "template",
    ["{{database}}", "{{agent_role:identifier}}", "{{ agent_role }}", "{{AGENT_ROLE}}", "{{}}", "{{agent_role", "x}}"],
)
def test_anything_but_a_known_placeholder_is_refused(template: str) -> None:
    with pytest.raises(SqlFileError):
        render(template, PLAIN)


def test_quoting_follows_postgresql() -> None:
    assert [quote_identifier(n) for n in ["switchboard", "Desk", "user", 'a"b']] == [
        "switchboard",
        '"Desk"',
        '"user"',
        '"a""b"',
    ]
    assert [quote_literal(v) for v in ["ab", "o'b", "a\\b"]] == ["'ab'", "'o''b'", "E'a\\\\b'"]


@pytest.mark.parametrize(("name", "version"), [("assign_ticket", 99), ("../env", 1), ("assign_ticket", 0)])
def test_a_missing_or_malformed_file_name_is_refused(name: str, version: int) -> None:
    with pytest.raises(SqlFileError):
        function_sql(name, version, PLAIN)


def test_files_live_under_the_migrations_folder() -> None:
    assert function_path("assign_ticket", 2) == sql_root() / "functions" / "assign_ticket" / "v2.sql"
