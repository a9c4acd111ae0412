"""Where each customer address came from: an address an agent typed does not vouch for an account.

Revision ID: 0034_email_source
Revises: 0033_config_version
Create Date: 2026-12-06

Since 0032 a verified account counts for rules when the tool was asked by one of the customer's own
addresses (`customer_email`) or its answer carries one of them (`tool_email`). But staff write addresses
too: an active agent may give a customer without any its first one (the `customer_email_create` policy of
0006; `ticket create --customer` for a new address), an admin any; an agent with psql who added a VIP's
address to a customer they see made that customer the VIP to the worker. `customer_email.source` now says
where an address came from, set by the BEFORE INSERT OR UPDATE trigger `customer_email_source()` from the
session, never from the row: 'staff' for every staff login (admins included), whatever it sends; a trusted
session (the worker's login, the demo loader, migrations, a superuser: what runs intake) writes what it says,
'intake' by default. Rules count 'intake' addresses only (`connectors.verify`, and `account_verify_store()`
version 3 for `customer_email`), unless the site trusts named accounts (`trust_named_accounts`: then the
answer counts as `site_trust`).

Existing addresses become 'unknown', counted like staff's: nothing recorded who wrote them (the change log
keeps ids only, and is trimmed), and any of them may be one an agent gave a customer; a site that knows its
addresses came from intake vouches for them as the DBA or the worker's login (docs/it-guide.md). Answers
corroborated by an address (`customer_email`, `tool_email`) lose their corroboration and expire, so rules
stop deciding on them now and the worker's next pass asks again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0034_email_source"
down_revision: str | None = "0033_config_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
SOURCES = "source IN ('intake', 'staff', 'unknown')"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.add_column("customer_email", sa.Column("source", sa.String(16), nullable=True), schema=S)
    op.execute(f"UPDATE {S}.customer_email SET source = 'unknown'")
    op.alter_column("customer_email", "source", nullable=False, schema=S)
    op.create_check_constraint(op.f("ck_customer_email_source"), "customer_email", SOURCES, schema=S)
    for statement in [
        function_sql("customer_email_source", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.customer_email_source() FROM PUBLIC",
        f"CREATE TRIGGER customer_email_source BEFORE INSERT OR UPDATE ON {S}.customer_email "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.customer_email_source()",
        function_sql("account_verify_store", 3, names),
        f"UPDATE {S}.account_verified SET corroborated_by = NULL, expires_at = now()"
        " WHERE corroborated_by IN ('customer_email', 'tool_email')",
    ]:
        op.execute(statement)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for statement in [
        function_sql("account_verify_store", 2, names),
        f"DROP TRIGGER customer_email_source ON {S}.customer_email",
        f"DROP FUNCTION {S}.customer_email_source()",
    ]:
        op.execute(statement)
    op.drop_constraint(op.f("ck_customer_email_source"), "customer_email", schema=S)
    op.drop_column("customer_email", "source", schema=S)
