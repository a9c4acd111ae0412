"""SLA due times stored with the change that starts or resumes a clock (issue 14).

Revision ID: 0026_sla_due_on_change
Revises: 0025_sla_worker
Create Date: 2026-12-06

- `store_sla_due()`: a definer function through which the unit of work that grew a ticket's SLA ledger
  stores the due times the pure clock functions computed from it (`app/services/sla/due_on_change.py`), in
  the same transaction: a new ticket, a ticket back from "waiting", a reopen are due at once, not at the
  next sweep minute. Staff may store only on tickets they see, and only while the ticket waits for the
  sweep, which checks the same times from the ledger within its minute. Executable by staff (`require_role`
  says why not to anyone else); no table, policy or trigger changes.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0026_sla_due_on_change"
down_revision: str | None = "0025_sla_worker"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
SIGNATURE = "store_sla_due(bigint, timestamp with time zone, timestamp with time zone, timestamp with time zone)"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(function_sql("store_sla_due", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{SIGNATURE} TO {staff}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {S}.{SIGNATURE}")
