"""The undated working tickets' and the claimable tickets' indexes carry what their walks filter on, as 0039
made the others.

Revision ID: 0040_undated_claimable_cover
Revises: 0039_working_indexes_cover
Create Date: 2026-12-06

A page by due time continues, after the last ticket with a clock, with the working tickets that have none,
by id (`ix_ticket_open_undated`, `…_queue`); the Waiting view walked there past 9,133 undated tickets of
other statuses and queues, reading each row (5 ms of a 7 ms page, on every page, when a desk has no SLA
policy for most of its tickets). Pages of unassigned tickets walk the claimable ones
(`ix_ticket_claimable`) the same way. Each now includes the status (and the undated ones the queue and
assignee), so the walk decides from the index alone. ("Get next" locks the rows it considers, FOR UPDATE
SKIP LOCKED, which rules out an index-only scan: it still reads each ticket it passes.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040_undated_claimable_cover"
down_revision: str | None = "0039_working_indexes_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
WORKING = "status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') AND merged_into_id IS NULL"
# (name, key columns, predicate, what each entry carries besides)
COVERED = [
    ("ix_ticket_open_undated", ["id"], f"sla_due_at IS NULL AND {WORKING}", ["status", "queue_id", "assignee_id"]),
    (
        "ix_ticket_open_undated_queue",
        ["queue_id", "id"],
        f"sla_due_at IS NULL AND {WORKING}",
        ["status", "assignee_id"],
    ),
    ("ix_ticket_claimable", ["queue_id", "sla_due_at", "id"], f"assignee_id IS NULL AND {WORKING}", ["status"]),
]


def upgrade() -> None:
    for name, columns, where, carried in COVERED:
        op.drop_index(name, table_name="ticket", schema=S)
        op.create_index(name, "ticket", columns, schema=S, postgresql_where=sa.text(where), postgresql_include=carried)


def downgrade() -> None:
    for name, columns, where, _carried in COVERED:
        op.drop_index(name, table_name="ticket", schema=S)
        op.create_index(name, "ticket", columns, schema=S, postgresql_where=sa.text(where))
