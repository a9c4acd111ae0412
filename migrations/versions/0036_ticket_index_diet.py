"""Fewer entries for every ticket change: the indexes nothing reads, or that only repeat others, go.

Revision ID: 0036_ticket_index_diet
Revises: 0035_ticket_triggers
Create Date: 2026-12-06

A change of a ticket's priority, assignee or status writes a new entry in each of its indexes (28, 26 WAL
records a row): most of what a claim, an escalation or a bulk change costs the database once the triggers
are cheap (0035). Gone:

- `ix_ticket_first_response_due_at`, `ix_ticket_next_response_due_at`, `ix_ticket_resolution_due_at`
  (0001): no query filters or sorts by a single target's due time; the sweep works from its watch list,
  the board and the pages from `sla_due_at`.
- `ix_ticket_sla` and `ix_ticket_queue_sla` (0001): a ticket that is done has no due time (969,813 of the
  benchmark's million), so over closed tickets they hold only NULLs, and over working tickets they repeat
  the partial `ix_ticket_open_sla` and `ix_ticket_open_queue_sla` (0008) the pages, the board and the
  claims use. A queue's tickets are still found by `ix_ticket_queue_updated` and `ix_ticket_queue_priority`.
- `ix_ticket_merged_into_id` becomes partial (merged tickets only): it held an entry for every ticket.

`ix_ticket_assignee_sla` stays (an agent's tickets of any status, and the agent key's lookups).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036_ticket_index_diet"
down_revision: str | None = "0035_ticket_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
DUE_TIMES = ("first_response_due_at", "next_response_due_at", "resolution_due_at")


def upgrade() -> None:
    for column in DUE_TIMES:
        op.drop_index(f"ix_ticket_{column}", table_name="ticket", schema=S)
    op.drop_index("ix_ticket_sla", table_name="ticket", schema=S)
    op.drop_index("ix_ticket_queue_sla", table_name="ticket", schema=S)
    op.drop_index("ix_ticket_merged_into_id", table_name="ticket", schema=S)
    op.create_index(
        "ix_ticket_merged_into_id",
        "ticket",
        ["merged_into_id"],
        schema=S,
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_merged_into_id", table_name="ticket", schema=S)
    op.create_index("ix_ticket_merged_into_id", "ticket", ["merged_into_id"], schema=S)
    op.create_index("ix_ticket_queue_sla", "ticket", ["queue_id", "sla_due_at", "id"], schema=S)
    op.create_index("ix_ticket_sla", "ticket", ["sla_due_at", "id"], schema=S)
    for column in DUE_TIMES:
        op.create_index(f"ix_ticket_{column}", "ticket", [column], schema=S)
