"""A customer's tickets are read newest first from an index, however long the customer's history.

Revision ID: 0043_customer_history_indexes
Revises: 0042_disable_waits
Create Date: 2026-12-06

Two reads take a customer's newest tickets, and both had only the plain `ix_ticket_customer_id`:

- Routing's stickiness (the agent of the customer's latest other assigned ticket, on every routed
  creation) read and sorted every ticket of the customer: 2.3 ms of a 9.8 ms creation at 1M tickets for a
  customer with 2,717, growing with the customer. `ix_ticket_customer_assigned` holds assigned tickets by
  customer and creation and carries the queue and assignee that row-level security asks about, so the walk
  stops at the first visible entry (0.1 ms). Ties of `created_at` (tickets made in one transaction) are
  broken by id, in the push and the dry-run alike.
- The account panel's other tickets of the customer (newest update first, ten) either sorted all of them
  or walked the whole desk's `ix_ticket_updated` backwards hoping to meet the customer's. The customer index
  now holds the update time and id after the customer: a bounded walk. No write pays more for it: every
  ticket update sets `updated_at`, which other indexes hold, so none was a HOT update before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043_customer_history_indexes"
down_revision: str | None = "0042_disable_waits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    op.create_index(
        "ix_ticket_customer_assigned",
        "ticket",
        ["customer_id", "created_at", "id"],
        schema=S,
        postgresql_where=sa.text("assignee_id IS NOT NULL"),
        postgresql_include=["queue_id", "assignee_id"],
    )
    op.create_index("ix_ticket_customer_updated", "ticket", ["customer_id", "updated_at", "id"], schema=S)
    op.drop_index("ix_ticket_customer_id", table_name="ticket", schema=S)


def downgrade() -> None:
    op.create_index("ix_ticket_customer_id", "ticket", ["customer_id"], schema=S)
    op.drop_index("ix_ticket_customer_updated", table_name="ticket", schema=S)
    op.drop_index("ix_ticket_customer_assigned", table_name="ticket", schema=S)
