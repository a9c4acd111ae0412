"""Alembic environment: always run from code with a connection handed in (see app.services.platform.database)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from app.models import SCHEMA, load_all

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `switchboard db upgrade`, not the alembic command")

# Everything in the schema belongs to the owner role (NOLOGIN, BYPASSRLS), so SECURITY DEFINER functions
# run as it and never as the superuser who ran the upgrade.
NORMALISE_OWNERSHIP = """
DO $$ DECLARE owner_role name := current_database() || '_owner'; item record; BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = owner_role) THEN RETURN; END IF;
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', :'schema', owner_role);
    FOR item IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
                JOIN pg_namespace ns ON ns.oid = c.relnamespace
                WHERE ns.nspname = :'schema' AND c.relkind IN ('r', 'v', 'S', 'p')
                  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = owner_role)
                  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i') LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
            CASE item.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, item.rel, owner_role);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace ns ON ns.oid = p.pronamespace
                WHERE ns.nspname = :'schema'
                  AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = owner_role) LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.fn, owner_role);
    END LOOP;
END $$
"""


def normalise_ownership(bind: Connection) -> None:
    bind.execute(text(NORMALISE_OWNERSHIP.replace(":'schema'", f"'{SCHEMA}'")))


connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
context.configure(
    connection=connection,
    target_metadata=load_all().metadata,  # every table, for a comparison
    version_table_schema=SCHEMA,
    include_schemas=True,
    include_name=lambda name, type_, _parent: type_ != "schema" or name == SCHEMA,
    compare_type=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
normalise_ownership(connection)
