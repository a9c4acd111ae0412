"""Account attributes at work (issue 16): priority rules for intake, and the worker's cache clean-up.

Revision ID: 0024_account_rules
Revises: 0023_change_log_kept_from
Create Date: 2026-12-06

- `account_priority_rule`: "a VIP tier raises priority". A new ticket whose customer's cached account meets
  a rule's conditions (`{"account.tier": "vip"}`) gets at least the rule's priority, in the intake's own
  transaction, from the cache only. Every active staff member reads the rules (intake runs as whoever
  opens the ticket); nobody writes them but `set_account_priority_rule()` (admins).
- `account_cache_purge()`: the worker's periodic job removes answers expired longer ago than a bound; a
  definer function only a trusted session may call (staff have no EXECUTE).
- `account_cache_trusted`, `account_priority_rule_trusted`: the worker's own login (a member of the owner
  role, not a superuser: row-level security is forced, and BYPASSRLS is not inherited; it has no agent row,
  so the staff policies show it nothing) reads every cached account and every rule, so the SLA sweep and
  the intake it runs see the accounts' tiers as the clients do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0024_account_rules"
down_revision: str | None = "0023_change_log_kept_from"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
FUNCTIONS = {
    "set_account_priority_rule": "set_account_priority_rule(text, jsonb, integer, integer, boolean)",
    "account_cache_purge": "account_cache_purge(interval)",
}


def upgrade() -> None:
    op.create_table(
        "account_priority_rule",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("conditions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="100", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("priority BETWEEN 0 AND 3", name=op.f("ck_account_priority_rule_priority_range")),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            [f"{S}.agent.id"],
            name=op.f("fk_account_priority_rule_updated_by_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_priority_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_account_priority_rule_name")),
        schema=S,
    )
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    statements = [
        f"ALTER TABLE {S}.account_priority_rule ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.account_priority_rule FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY account_priority_rule_read ON {S}.account_priority_rule FOR SELECT TO {staff} USING ({ACTIVE})",
        f"GRANT SELECT ON {S}.account_priority_rule TO {staff}",
        f'CREATE POLICY account_cache_trusted ON {S}.account_cache FOR SELECT TO "{names.owner_role}" '
        f"USING ((SELECT {S}.is_trusted_session()))",
        f"CREATE POLICY account_priority_rule_trusted ON {S}.account_priority_rule FOR SELECT "
        f'TO "{names.owner_role}" USING ((SELECT {S}.is_trusted_session()))',
    ]
    for name, signature in FUNCTIONS.items():
        statements += [function_sql(name, 1, names), f"REVOKE EXECUTE ON FUNCTION {S}.{signature} FROM PUBLIC"]
    statements.append(f"GRANT EXECUTE ON FUNCTION {S}.{FUNCTIONS['set_account_priority_rule']} TO {staff}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP POLICY account_cache_trusted ON {S}.account_cache")  # the rule's goes with its table
    for signature in FUNCTIONS.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
    op.drop_table("account_priority_rule", schema=S)
