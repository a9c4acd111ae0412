"""The worker's own login reads as the admin it acts as, and the SLA sweep's tables admit it.

Revision ID: 0025_sla_worker
Revises: 0024_account_rules
Create Date: 2026-12-06

`switchboard worker` signs in as its own login, a member of the owner role and not a superuser
(docs/it-guide.md), so row-level security applies to it. `sla_watch` had no policy at all and the ledger's,
the steps' and the recompute requests' policies admit only active agents (the worker has no agent row):
under that login the sweep saw no watched ticket and escalated nothing, while every test swept as the
superuser. Each of these tables now admits the owner role's trusted sessions (`is_trusted_session()`: the
superuser or a member of the owner role, checked on the session's login) for what the sweep and the
recompute do, and `is_active_agent()` (version 3) is true for a trusted session acting for nobody, which
`session_identity()` already called an admin: every "active staff" read policy hid its rows from the worker
(policies, calendars, queues, customers, agents), so the fix is the identity, not one table. Agents are
no members of the owner role: nothing changes for them.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0025_sla_worker"
down_revision: str | None = "0024_account_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
SWEPT = ("sla_watch", "sla_step", "sla_ledger", "sla_recompute")
TRUSTED = f"(SELECT {S}.is_trusted_session())"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    owner = names.owner_role
    op.execute(function_sql("is_active_agent", 3, names))
    for table in SWEPT:
        op.execute(
            f'CREATE POLICY {table}_trusted ON {S}.{table} FOR ALL TO "{owner}" USING ({TRUSTED}) WITH CHECK ({TRUSTED})'
        )


def downgrade() -> None:
    for table in SWEPT:
        op.execute(f"DROP POLICY {table}_trusted ON {S}.{table}")
    op.execute(function_sql("is_active_agent", 2, DatabaseNames.of(op.get_bind())))
