"""The SLA sort of a view that is not all working statuses keeps an index: tickets with a clock, by due time.

Revision ID: 0038_dated_sla_indexes
Revises: 0037_ticket_autovacuum
Create Date: 2026-12-06

0036 dropped the full `ix_ticket_sla` and `ix_ticket_queue_sla`, whose only readers seemed to be the views of
working tickets (served by the partial indexes of 0008). A review found the others: a page sorted by due
time whose statuses are not all among the seeded working ones — Resolved or Closed chosen in the filter bar,
`switchboard ticket list` with its defaults (every status), a status an admin added — takes its due tickets
by `sla_due_at IS NOT NULL ORDER BY sla_due_at, id`, which became a sequential scan of the million tickets
(175 to 270 ms, the queue's view too). Only working tickets have a clock, so the same two orders over
tickets that have one are small (30,187 entries of a million) and take that part back to an index walk;
each entry carries the status, so a view of closed tickets (none of which has a clock) learns it has no due
tickets from the index alone (0.5 ms for a queue, 3.6 ms over every queue; 1.8 and 19 ms without it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038_dated_sla_indexes"
down_revision: str | None = "0037_ticket_autovacuum"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
DATED = sa.text("sla_due_at IS NOT NULL")


def upgrade() -> None:
    for name, columns in (
        ("ix_ticket_dated_sla", ["sla_due_at", "id"]),
        ("ix_ticket_dated_queue_sla", ["queue_id", "sla_due_at", "id"]),
    ):
        op.create_index(name, "ticket", columns, schema=S, postgresql_where=DATED, postgresql_include=["status"])


def downgrade() -> None:
    op.drop_index("ix_ticket_dated_queue_sla", table_name="ticket", schema=S)
    op.drop_index("ix_ticket_dated_sla", table_name="ticket", schema=S)
