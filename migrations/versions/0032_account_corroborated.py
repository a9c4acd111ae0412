"""Rules trust a verified account only when the tool's answer corroborates that it is the customer's.

Revision ID: 0032_account_corroborated
Revises: 0031_sla_typical
Create Date: 2026-12-06

Since 0030 the attributes rules decide on come from the worker's own lookups, but WHICH account a customer
is still came from words anyone can write: a pattern in the customer's own subject or message ("player id:
<a VIP's id>"), a ticket field, or an agent's relink of the customer. The worker verified that account and
the ticket was raised and got the VIP SLA. `account_verified.corroborated_by` now records why the account is
this customer's: `customer_email` (the tool was asked by one of the customer's own addresses), `tool_email`
(the tool's answer for the account id carries one of the customer's addresses: the connector's
`email_field`), `site_trust` (the site opted in with `trust_named_accounts`); NULL: merely named. Rules read
found AND corroborated rows only; the row, its attributes and the panel's cache stay for display. Written
only through `account_verify_store()` version 2 (a new last parameter, default NULL: a caller that does not
say is not corroborated). Rows stored before this migration were never corroborated: they expire now, so the
worker's next pass verifies them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0032_account_corroborated"
down_revision: str | None = "0031_sla_typical"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
STORE_V1 = "account_verify_store(bigint, text, text, text, text, text, boolean, jsonb, integer, text)"
STORE_V2 = "account_verify_store(bigint, text, text, text, text, text, boolean, jsonb, integer, text, text)"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.add_column("account_verified", sa.Column("corroborated_by", sa.String(16), nullable=True), schema=S)
    op.create_check_constraint(
        op.f("ck_account_verified_corroborated_by"),
        "account_verified",
        "corroborated_by IN ('customer_email', 'tool_email', 'site_trust')",
        schema=S,
    )
    for statement in [
        f"UPDATE {S}.account_verified SET expires_at = now() WHERE expires_at IS NULL OR expires_at > now()",
        f"DROP FUNCTION {S}.{STORE_V1}",
        function_sql("account_verify_store", 2, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.{STORE_V2} FROM PUBLIC",
    ]:
        op.execute(statement)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for statement in [
        f"DROP FUNCTION {S}.{STORE_V2}",
        function_sql("account_verify_store", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.{STORE_V1} FROM PUBLIC",
    ]:
        op.execute(statement)
    op.drop_constraint(op.f("ck_account_verified_corroborated_by"), "account_verified", schema=S)
    op.drop_column("account_verified", "corroborated_by", schema=S)
