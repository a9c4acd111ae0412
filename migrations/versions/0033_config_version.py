"""One configuration version, so processes keep the desk's configuration between transactions (issue 12).

Revision ID: 0033_config_version
Revises: 0032_account_corroborated
Create Date: 2026-12-06

A routed creation read the SLA policies, calendars and statuses' clocks, the routing settings, the account
priority rules and the queue's agents with their skills and queues in eight statements of its own, though
they change a few times a day. `config_version` is one row whose version moves on (from a sequence, never
the same number twice) with every statement that writes one of those tables (`config_changed()`, a
statement-level definer trigger): a process keeps what it read under the version it read, and one small
read per transaction tells it whether that still holds — a change is seen by the next transaction, never
served stale. Readable like the tables it stands for (active staff, and the owner role's trusted
sessions); nobody writes it but the trigger.

`try_route_ticket()`: `route_ticket()` with its two expected refusals (assigned meanwhile, winner no longer
qualifies) answered instead of raised, so push routing needs no savepoint around it (three round trips
for one). An invoker's function: `route_ticket()` checks the caller as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0033_config_version"
down_revision: str | None = "0032_account_corroborated"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
TRUSTED = f"(SELECT {S}.is_trusted_session())"
TRY_ROUTE = "try_route_ticket(bigint, bigint, text, jsonb, text)"
# The tables a process may keep between transactions (app/services/platform/config_cache.py).
CONFIGURATION = (
    "sla_policy",
    "business_calendar",
    "ticket_status",
    "status_transition",
    "routing_config",
    "account_priority_rule",
    "agent",
    "agent_skill",
    "queue_member",
)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(f"CREATE SEQUENCE {S}.config_version_seq AS bigint")
    op.create_table(
        "config_version",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_config_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_version")),
        schema=S,
    )
    op.execute(f"INSERT INTO {S}.config_version (id, version) VALUES (1, nextval('{S}.config_version_seq'))")
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    statements = [
        f"ALTER TABLE {S}.config_version ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.config_version FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY config_version_read ON {S}.config_version FOR SELECT TO {staff} USING ({ACTIVE})",
        f'CREATE POLICY config_version_trusted ON {S}.config_version FOR SELECT TO "{names.owner_role}" '
        f"USING ({TRUSTED})",
        f"GRANT SELECT ON {S}.config_version TO {staff}",
        function_sql("config_changed", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.config_changed() FROM PUBLIC",
        function_sql("try_route_ticket", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.{TRY_ROUTE} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {S}.{TRY_ROUTE} TO {staff}",
    ]
    statements += [
        f"CREATE TRIGGER {table}_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {S}.{table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.config_changed()"
        for table in CONFIGURATION
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {S}.{TRY_ROUTE}")
    for table in CONFIGURATION:
        op.execute(f"DROP TRIGGER {table}_config_changed ON {S}.{table}")
    op.execute(f"DROP FUNCTION {S}.config_changed()")
    op.drop_table("config_version", schema=S)
    op.execute(f"DROP SEQUENCE {S}.config_version_seq")
