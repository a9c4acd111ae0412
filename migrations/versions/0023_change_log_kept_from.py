"""Followers of the change log can tell when housekeeping deleted entries they had not read yet.

Revision ID: 0023_change_log_kept_from
Revises: 0022_sla_admin
Create Date: 2026-12-06

The worker keeps 30 days of change log (`trim_change_log`). A search index on a workstation that was off
longer than that would resume from its applied position and silently miss whatever was deleted in
between. Housekeeping now deletes a prefix of the log by position (never the newest entry), and
`change_log_kept_from()` tells every active staff login the position of the oldest entry kept — two
numbers, no row, read by a definer because row-level security hides most entries from each login. A
follower below it whose last complete read is older rebuilds (docs/design.md).

Article entries (`knowledge_article`, no ticket) were already readable by every active staff login
(`change_log_read`, 0006): ids only; the content is read through `knowledge_article_read`.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0023_change_log_kept_from"
down_revision: str | None = "0022_sla_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("change_log_kept_from", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_kept_from() FROM PUBLIC")
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_kept_from() TO {staff}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {S}.change_log_kept_from()")
