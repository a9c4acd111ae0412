"""Issue 12, what remained: "get next" asks who the caller is once.

Revision ID: 0015_performance_2
Revises: 0014_sla
Create Date: 2026-12-06

- `claim_next_ticket()` version 2: the caller's identity from one `session_identity()` call instead of
  three (require_role's two and visible_queue_ids'), the same checks and messages in the same order,
  and the claimed row returned by the UPDATE itself. Grants are unchanged (same signature).
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0015_performance_2"
down_revision: str | None = "0014_sla"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(function_sql("claim_next_ticket", 2, DatabaseNames.of(op.get_bind())))


def downgrade() -> None:
    op.execute(function_sql("claim_next_ticket", 1, DatabaseNames.of(op.get_bind())))
