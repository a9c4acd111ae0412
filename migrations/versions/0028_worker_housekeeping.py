"""Housekeeping under the worker's own login: the change log admits the owner role's trusted sessions' trim.

Revision ID: 0028_worker_housekeeping
Revises: 0027_escalation_ack
Create Date: 2026-12-06

The same class of hole as 0025: `switchboard worker` signs in as its own login (a member of the owner role,
not a superuser), so row-level security applies to it, and `change_log` had a read policy only: the hourly
housekeeping deleted nothing and the log grew without bound, while the tests trimmed as the superuser. A
trusted session (`is_trusted_session()`: the superuser or a member of the owner role, checked on the
session's login) may now delete from the log; staff still may not.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames

revision: str = "0028_worker_housekeeping"
down_revision: str | None = "0027_escalation_ack"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    owner = DatabaseNames.of(op.get_bind()).owner_role
    op.execute(
        f'CREATE POLICY change_log_trim ON {S}.change_log FOR DELETE TO "{owner}" '
        f"USING ((SELECT {S}.is_trusted_session()))"
    )


def downgrade() -> None:
    op.execute(f"DROP POLICY change_log_trim ON {S}.change_log")
