"""Account lookup (issue 16): the team's cache of the internal tool's answers, and the audited account link.

Revision ID: 0020_account_lookup
Revises: 0018_knowledge_base
Create Date: 2026-12-06

- `account_cache`: one row per (connector, key kind, key): the tool's last answer (found or not, the shown
  fields, the attributes rules match on, the link), when it was fetched and expires, who holds the refresh
  claim until when, and the last failure. Staff read a row only while they see a ticket of one of its
  customers (`customer_ids`); nobody writes it but `account_claim()` and `account_store()` (definer
  functions that check the caller sees a ticket of the customer).
- `link_customer_account()`: an agent corrects which account a ticket's customer is (customers are
  otherwise an admin's to edit); `audit_customer_account()` audits every change of
  `customer.external_account_id`, whoever makes it, against the ticket it was made from.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0020_account_lookup"
down_revision: str | None = "0018_knowledge_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
VISIBLE = f"EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = ANY (customer_ids))"
FUNCTIONS = {
    "can_see_customer": "can_see_customer(bigint)",
    "account_claim": "account_claim(text, text, text, bigint, integer)",
    "account_store": "account_store(text, text, text, bigint, boolean, jsonb, jsonb, text, integer, text)",
    "audit_customer_account": "audit_customer_account()",
    "link_customer_account": "link_customer_account(bigint, text)",
}


def upgrade() -> None:
    op.create_table(
        "account_cache",
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("key_kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("customer_ids", postgresql.ARRAY(sa.BigInteger()), server_default="{}", nullable=False),
        sa.Column("found", sa.Boolean(), nullable=True),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_by", sa.BigInteger(), nullable=True),
        sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshing_by", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("key_kind IN ('account_id', 'email')", name=op.f("ck_account_cache_key_kind")),
        sa.ForeignKeyConstraint(
            ["fetched_by"], [f"{S}.agent.id"], name=op.f("fk_account_cache_fetched_by_agent"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["refreshing_by"], [f"{S}.agent.id"], name=op.f("fk_account_cache_refreshing_by_agent"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("connector", "key_kind", "key", name=op.f("pk_account_cache")),
        schema=S,
    )
    op.create_index(
        op.f("ix_account_cache_customer_ids"), "account_cache", ["customer_ids"], schema=S, postgresql_using="gin"
    )
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    statements = [
        f"ALTER TABLE {S}.account_cache ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.account_cache FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY account_cache_read ON {S}.account_cache FOR SELECT TO {staff} USING ({ACTIVE} AND {VISIBLE})",
        f"GRANT SELECT ON {S}.account_cache TO {staff}",
    ]
    for name, signature in FUNCTIONS.items():
        statements += [function_sql(name, 1, names), f"REVOKE EXECUTE ON FUNCTION {S}.{signature} FROM PUBLIC"]
    for name in ("account_claim", "account_store", "link_customer_account"):
        statements.append(f"GRANT EXECUTE ON FUNCTION {S}.{FUNCTIONS[name]} TO {staff}")
    statements.append(
        f"CREATE TRIGGER customer_account_audit AFTER UPDATE OF external_account_id ON {S}.customer "
        "FOR EACH ROW WHEN (OLD.external_account_id IS DISTINCT FROM NEW.external_account_id) "
        f"EXECUTE FUNCTION {S}.audit_customer_account()"
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TRIGGER customer_account_audit ON {S}.customer")
    op.drop_table("account_cache", schema=S)
    for signature in FUNCTIONS.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
