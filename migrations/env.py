"""Alembic environment: always run from code with a connection handed in (see app.services.database)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from app.models import SCHEMA, Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `switchboard db upgrade`, not the alembic command")

connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table_schema=SCHEMA,
    include_schemas=True,
    include_name=lambda name, type_, _parent: type_ != "schema" or name == SCHEMA,
    compare_type=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
