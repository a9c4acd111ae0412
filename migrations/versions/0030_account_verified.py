"""Verified account attributes: what rules decide on comes from the worker's own lookups, not a client's word.

Revision ID: 0030_account_verified
Revises: 0029_change_log_trim
Create Date: 2026-12-06

`account_cache` holds what an agent's client says the account-lookup tool said (`account_store()`, which any
active agent who sees a ticket of the customer may call, for any key), and its attributes were also the
conditions of the priority rules, SLA policies and routing skills: an agent with `psql` could store
`{"tier": "vip"}` for a customer and raise priority, tighten the SLA or steer routing. The cache stays the
panel's display cache; the attributes rules read now live in `account_verified`, one row per customer and
connector, written only by `account_verify_store()`, a definer function for trusted sessions: the worker's
login, which looks the account up itself with the credential of its own keyring (`switchboard worker`, or
`switchboard connector verify` on the worker's URL). Staff read the row of a customer while they see one of
the customer's tickets (intake reads it as whoever opens the ticket) and write nothing, admins included: no
grant on the table, no EXECUTE on the function.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0030_account_verified"
down_revision: str | None = "0029_change_log_trim"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
TRUSTED = f"(SELECT {S}.is_trusted_session())"
VISIBLE = f"EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = account_verified.customer_id)"
STORE = "account_verify_store(bigint, text, text, text, text, text, boolean, jsonb, integer, text)"


def upgrade() -> None:
    op.create_table(
        "account_verified",
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("key_kind", sa.String(16), nullable=True),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("key_source", sa.String(200), nullable=True),
        sa.Column("linked_account_id", sa.String(200), nullable=True),
        sa.Column("found", sa.Boolean(), nullable=True),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("key_kind IN ('account_id', 'email')", name=op.f("ck_account_verified_key_kind")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            [f"{S}.customer.id"],
            name=op.f("fk_account_verified_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "connector", name=op.f("pk_account_verified")),
        schema=S,
    )
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    for statement in [
        f"ALTER TABLE {S}.account_verified ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.account_verified FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY account_verified_read ON {S}.account_verified FOR SELECT TO {staff} USING ({ACTIVE} AND {VISIBLE})",
        f'CREATE POLICY account_verified_trusted ON {S}.account_verified FOR SELECT TO "{names.owner_role}" '
        f"USING ({TRUSTED})",
        f"GRANT SELECT ON {S}.account_verified TO {staff}",
        function_sql("account_verify_store", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.{STORE} FROM PUBLIC",
    ]:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {S}.{STORE}")
    op.drop_table("account_verified", schema=S)
