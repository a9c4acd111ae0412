"""Alembic, run from code: upgrade, status, and the version check every client makes at start.

A client refuses to run against a schema it was not built for: behind means IT has not upgraded yet,
ahead means this workstation has an old build. Either way it names both versions and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from app.models.base import SCHEMA
from app.package_data import migrations_folder
from app.services.errors import SchemaMismatch
from app.services.platform.database.roles import prepare_roles

VERSION_TABLE = "alembic_version"


def migrations_path() -> Path:
    """Inside the package in a wheel or the PyInstaller bundle; the top-level folder in a checkout."""
    return migrations_folder()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.attributes["connection"] = connection
    return config


def code_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migrations folder has no head revision")
    return head


def database_revision(connection: Connection) -> str | None:
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
    with engine.begin() as connection:
        prepare_roles(connection)
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def require_current_schema(engine: Engine) -> None:
    """The start-up check for a LAN database: refuse to work on a schema we don't match."""
    status = schema_status(engine)
    if status.is_current:
        return
    if status.known_to_code:
        advice = "Ask IT to run `switchboard db upgrade` against this server (as the schema owner)."
    else:
        advice = "Install the newer Switchboard build that IT provides for this server."
    raise SchemaMismatch(f"{status.describe()} {advice}")
