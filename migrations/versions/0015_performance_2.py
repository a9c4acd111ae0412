"""Issue 12, what remained: "get next" asks who the caller is once; the ticket audit diffs each row once.

Revision ID: 0015_performance_2
Revises: 0014_sla
Create Date: 2026-12-06

- `claim_next_ticket()` version 2: the caller's identity from one `session_identity()` call instead of
  three (require_role's two and visible_queue_ids'), the same checks and messages in the same order,
  and the claimed row returned by the UPDATE itself. Grants are unchanged (same signature).
- `audit_ticket()` version 3: the same audit rows in the same order; each transition-table row becomes
  jsonb once (version 2 rebuilt it for every field compared) and JIT is off for the function (10,000
  tickets' priority: the trigger took 15 s, now 1.6–2.7 s on the loaded benchmark machine).
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0015_performance_2"
down_revision: str | None = "0014_sla"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("claim_next_ticket", 2, names))
    op.execute(function_sql("audit_ticket", 3, names))


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("audit_ticket", 2, names))
    op.execute(function_sql("claim_next_ticket", 1, names))
