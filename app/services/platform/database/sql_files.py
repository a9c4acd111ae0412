"""The versioned SQL files the migrations apply: one file per database function and version.

    migrations/sql/functions/<name>/v<N>.sql     e.g. functions/assign_ticket/v2.sql

A migration applies a version by name and number (`op.execute(function_sql("assign_ticket", 2, names))`).
A released file never changes: a new body is a new file and a new migration (migrations/sql/README.md).
The file is plain SQL; the only thing the loader does is fill in a fixed set of placeholders for what
differs between databases, each quoted for where it stands:

    {{schema}}                  the schema, as an identifier (quoted only when it must be)
    {{agent_role}}              a group role (agent_role, supervisor_role, admin_role, owner_role), as an
                                identifier: GRANT ... TO {{agent_role}}
    {{owner_role:literal}}      the same name as a string literal: pg_has_role(session_user, {{owner_role:literal}})

Nothing else is substituted (no `str.format`, no `%`): an unknown or malformed placeholder is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql

from app.models.base import SCHEMA
from app.models.security import GroupRole, group_role_name
from app.package_data import migrations_folder

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
PLACEHOLDER_BODY = re.compile(r"(?P<name>[a-z_]+)(?::(?P<form>literal))?")
FUNCTION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.sql")
_IDENTIFIERS = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]


class SqlFileError(ValueError):
    """A migration asked for an SQL file that does not exist, or the file's placeholders are wrong."""


@dataclass(frozen=True)
class DatabaseNames:
    """What a placeholder can stand for: the schema and the roles named after the database."""

    schema: str
    owner_role: str
    agent_role: str
    supervisor_role: str
    admin_role: str

    @classmethod
    def for_database(cls, database: str) -> DatabaseNames:
        return cls(
            schema=SCHEMA,
            owner_role=group_role_name(database, GroupRole.OWNER),
            agent_role=group_role_name(database, GroupRole.AGENT),
            supervisor_role=group_role_name(database, GroupRole.SUPERVISOR),
            admin_role=group_role_name(database, GroupRole.ADMIN),
        )

    @property
    def staff(self) -> str:
        """The agent, supervisor and admin group roles, quoted, for a GRANT or REVOKE (migrations wrote
        their own helper for this, one copy each)."""
        return ", ".join(quote_identifier(role) for role in (self.agent_role, self.supervisor_role, self.admin_role))

    @classmethod
    def of(cls, connection: Connection) -> DatabaseNames:
        database: str = connection.execute(text("SELECT current_database()")).scalar_one()
        return cls.for_database(database)


PLACEHOLDER_NAMES = frozenset(field.name for field in fields(DatabaseNames))


def quote_identifier(name: str) -> str:
    """As PostgreSQL's quote_ident: bare when it can be, else double-quoted with quotes doubled."""
    return _IDENTIFIERS.quote(name)


def quote_literal(value: str) -> str:
    """As PostgreSQL's quote_literal: safe whatever standard_conforming_strings says."""
    quoted = "'" + value.replace("'", "''") + "'"
    return "E" + quoted.replace("\\", "\\\\") if "\\" in value else quoted


def render(template: str, names: DatabaseNames, *, source: str = "SQL") -> str:
    """The template with each placeholder filled in; anything else between {{ and }} is refused."""

    def fill(match: re.Match[str]) -> str:
        placeholder = PLACEHOLDER_BODY.fullmatch(match.group(1))
        if placeholder is None or placeholder["name"] not in PLACEHOLDER_NAMES:
            known = ", ".join(sorted(PLACEHOLDER_NAMES))
            raise SqlFileError(f"{source}: unknown placeholder {match.group(0)} (known: {known}; may end in :literal)")
        value: str = getattr(names, placeholder["name"])
        return quote_literal(value) if placeholder["form"] == "literal" else quote_identifier(value)

    rendered = PLACEHOLDER.sub(fill, template)
    if "{{" in rendered or "}}" in rendered:
        raise SqlFileError(f"{source}: an unclosed placeholder ('{{{{' or '}}}}' left over)")
    return rendered


def sql_root() -> Path:
    return migrations_folder() / "sql"


def function_path(name: str, version: int) -> Path:
    if not FUNCTION_NAME.fullmatch(name) or version < 1:
        raise SqlFileError(f"no SQL file can be named {name!r} version {version!r}")
    return sql_root() / "functions" / name / f"v{version}.sql"


def function_sql(name: str, version: int, names: DatabaseNames) -> str:
    """The statement that creates (or replaces) version `version` of the function `name`."""
    path = function_path(name, version)
    if not path.is_file():
        raise SqlFileError(f"there is no version {version} of the SQL function {name} ({path})")
    return render(path.read_text(encoding="utf-8"), names, source=str(path.relative_to(sql_root())))


def function_versions() -> dict[str, list[int]]:
    """Every function's released versions, oldest first (for tests and for whoever writes the next one)."""
    versions: dict[str, list[int]] = {}
    for path in sorted((sql_root() / "functions").glob("*/v*.sql")):
        matched = VERSION_FILE.fullmatch(path.name)
        if matched:
            versions.setdefault(path.parent.name, []).append(int(matched.group(1)))
    return {name: sorted(numbers) for name, numbers in sorted(versions.items())}
