"""Routing loads from the tally: urgent tickets counted per group, so an agent's load is a few rows.

Revision ID: 0021_load_tally
Revises: 0020_account_lookup
Create Date: 2026-12-06

- `ticket_tally.urgent`: the urgent tickets among a group's (queue, status, assignee) tickets, kept by
  `tally_ticket()` version 3 and folded by `fold_ticket_tally()` version 2 like the ticket counts.
- `agent_loads()` version 2 sums the tally (tickets + urgent: urgent counts two) instead of reading every
  open ticket of every candidate agent: push routing asked it twice per intake, 12 ms a time at a million
  tickets (issue 12).
- The existing urgent tickets are added as tally rows of their own (tickets 0), then everything is folded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0021_load_tally"
down_revision: str | None = "0020_account_lookup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.add_column("ticket_tally", sa.Column("urgent", sa.BigInteger(), server_default="0", nullable=False), schema=S)
    op.create_index("ix_ticket_tally_assignee", "ticket_tally", ["assignee_id", "status"], schema=S)
    op.execute(function_sql("fold_ticket_tally", 2, names))
    op.execute(function_sql("tally_ticket", 3, names))
    op.execute(function_sql("agent_loads", 2, names))
    op.execute(
        f"INSERT INTO {S}.ticket_tally (queue_id, status, assignee_id, tickets, urgent)"
        f" SELECT queue_id, status, coalesce(assignee_id, 0), 0, count(*) FROM {S}.ticket"
        " WHERE merged_into_id IS NULL AND priority = 3 GROUP BY 1, 2, 3"
    )
    op.execute(f"SELECT {S}.fold_ticket_tally(NULL, NULL, NULL)")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("agent_loads", 1, names))
    op.execute(function_sql("tally_ticket", 2, names))
    op.execute(function_sql("fold_ticket_tally", 1, names))
    # Rows that only carried urgent counts would read as empty groups: fold them away with the column.
    op.execute(f"DELETE FROM {S}.ticket_tally WHERE tickets = 0")
    op.drop_index("ix_ticket_tally_assignee", "ticket_tally", schema=S)
    op.drop_column("ticket_tally", "urgent", schema=S)
