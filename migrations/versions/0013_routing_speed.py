"""Routing at a million tickets: loads through the partial index, and an index for track records.

Revision ID: 0013_routing_speed
Revises: 0012_routing_reasons
Create Date: 2026-12-05

Measured on the 1M-ticket corpus (benchmarks/bench_routing.py): a push-routed creation took 109 ms
against 10.5 ms without routing. An agent's load joined ticket_status and walked all their tickets (9 ms
each, for every agent of the queue); `agent_loads()` counts a whole queue in one scan and spells out the
seeded working statuses, so the partial index over working tickets by assignee serves it. A track record
scanned the queue's tickets by last update (212 ms); `ix_ticket_queue_type_resolved` serves it.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0013_routing_speed"
down_revision: str | None = "0012_routing_reasons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("agent_loads", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.agent_loads(bigint[]) FROM PUBLIC")
    op.execute(function_sql("queue_loads", 2, names))
    op.execute(function_sql("route_ticket", 3, names))
    op.create_index(
        "ix_ticket_queue_type_resolved", "ticket", ["queue_id", "type", "resolved_at"], schema=S,
        postgresql_where="resolved_at IS NOT NULL",
    )


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.drop_index("ix_ticket_queue_type_resolved", "ticket", schema=S)
    op.execute(function_sql("route_ticket", 2, names))
    op.execute(function_sql("queue_loads", 1, names))
    op.execute(f"DROP FUNCTION {S}.agent_loads(bigint[])")
