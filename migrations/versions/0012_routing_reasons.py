"""Routing decisions carry a reason: a supervisor rerouting a ticket, or an agent handing one back, says why.

Revision ID: 0012_routing_reasons
Revises: 0011_identity_plpgsql
Create Date: 2026-12-05

`route_ticket()` gains `p_reason` (version 2): required for `supervisor` and `handback`; handing back is
the assignee's, and unassigns the ticket before the new decision is carried out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0012_routing_reasons"
down_revision: str | None = "0011_identity_plpgsql"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
OLD = "route_ticket(bigint, bigint, text, jsonb)"
NEW = "route_ticket(bigint, bigint, text, jsonb, text)"


def _staff(names: DatabaseNames) -> str:
    return ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.add_column("routing_decision", sa.Column("reason", sa.Text(), nullable=True), schema=S)
    op.execute(f"DROP FUNCTION {S}.{OLD}")
    op.execute(function_sql("route_ticket", 2, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{NEW} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{NEW} TO {_staff(names)}")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(f"DROP FUNCTION {S}.{NEW}")
    op.execute(function_sql("route_ticket", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{OLD} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{OLD} TO {_staff(names)}")
    op.drop_column("routing_decision", "reason", schema=S)
