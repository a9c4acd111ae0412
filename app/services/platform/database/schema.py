"""Alembic, run from code: upgrade, status, and the version check every client makes at start.

A client refuses to run against a schema it was not built for: behind means IT has not upgraded yet,
ahead means this workstation has an old build. Either way it names both versions and what to do.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from app.models.base import SCHEMA
from app.package_data import migrations_folder
from app.services.errors import SchemaMismatch
from app.services.platform.database.roles import prepare_roles

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic is imported inside the functions that migrate or explain a mismatch: the start-up check of a
# client whose schema matches reads the revision with one query and the migration files as text (issue 12:
# Alembic was a third of a LAN client's start-up imports).
VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r"^revision(?:: str)? = (.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.MULTILINE)


def migrations_path() -> Path:
    """Inside the package in a wheel or the PyInstaller bundle; the top-level folder in a checkout."""
    return migrations_folder()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.attributes["connection"] = connection
    return config


def code_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migrations folder has no head revision")
    return head


def database_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(
        connection, opts={"version_table_schema": SCHEMA, "version_table": VERSION_TABLE}
    )
    return context.get_current_revision()


@dataclass(frozen=True)
class SchemaStatus:
    database: str | None
    code: str
    known_to_code: bool

    @property
    def is_current(self) -> bool:
        return self.database == self.code

    def describe(self) -> str:
        if self.is_current:
            return f"The database schema is current (revision {self.code})."
        if self.database is None:
            return f"The database has no Switchboard schema yet; this build needs revision {self.code}."
        if self.known_to_code:
            return f"The database schema is at revision {self.database}; this build needs {self.code}."
        return f"The database schema is at revision {self.database}, newer than this build (revision {self.code})."


def schema_status(engine: Engine) -> SchemaStatus:
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = database_revision(connection)
    script = ScriptDirectory.from_config(alembic_config())
    known = current is None or _is_known(script, current)
    return SchemaStatus(database=current, code=code_revision(), known_to_code=known)


def _is_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises its own ResolutionError subclasses for unknown ids
        return False


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Check the roles the schema will trust, then migrate, in one transaction: a refusal leaves nothing."""
    from alembic import command

    with engine.begin() as connection:
        prepare_roles(connection)
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


@functools.cache
def code_revision_from_files() -> str | None:
    """The head revision read from the migration files as text (no module imported): the one revision no
    other names as its `down_revision`. None when the files do not say plainly (several heads, a merge
    tuple, a file in another shape): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((migrations_path() / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        try:
            this, parent = ast.literal_eval(revision.group(1).strip()), ast.literal_eval(down.group(1).strip())
        except (ValueError, SyntaxError):
            return None
        if not isinstance(this, str) or not (parent is None or isinstance(parent, str)):
            return None  # a merge point (a tuple of parents): Alembic's to judge
        revisions.add(this)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _database_revision_quickly(engine: Engine) -> str | None:
    """The revision stamped in the database (None: no version table, or not one row)."""
    table = f"{SCHEMA}.{VERSION_TABLE}"
    with engine.connect() as connection:
        if not connection.execute(text("SELECT to_regclass(:table) IS NOT NULL"), {"table": table}).scalar():
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {table}")).all()
    return str(rows[0][0]) if len(rows) == 1 else None


def require_current_schema(engine: Engine) -> None:
    """The start-up check for a LAN database: refuse to work on a schema we don't match. A match is found
    without Alembic; a mismatch is described by Alembic (behind or ahead)."""
    head = code_revision_from_files()
    if head is not None and _database_revision_quickly(engine) == head:
        return
    status = schema_status(engine)
    if status.is_current:
        return
    if status.known_to_code:
        advice = "Ask IT to run `switchboard db upgrade` against this server (as the schema owner)."
    else:
        advice = "Install the newer Switchboard build that IT provides for this server."
    raise SchemaMismatch(f"{status.describe()} {advice}")
