"""The ticket table is vacuumed and analysed after 2 % of it changed, not 20 %.

Revision ID: 0037_ticket_autovacuum
Revises: 0036_ticket_index_diet
Create Date: 2026-12-06

Every claim, edit and escalation leaves a dead row version and a dead entry in each of the ticket's
indexes, and the partial indexes over working tickets — what the queue pages, the counts, the overdue sweep
and "get next" walk — are where those entries pile up: a small index read from its busy end. PostgreSQL's
default waits for a fifth of the table to change before vacuuming it (200,000 rows at a million tickets);
in the benchmark, after the claims' and bulk changes' tens of thousands of row versions, the overdue count
took 16.7 ms instead of 2.4 and an agent's pages half as long again, until `VACUUM ANALYZE`. At 2 % autovacuum comes every 20,000 changes at a
million tickets (a few times a day for a busy desk; each pass reads only the pages that changed, thanks to
the visibility map), and the planner's statistics follow the working set at 1 %.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0037_ticket_autovacuum"
down_revision: str | None = "0036_ticket_index_diet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    op.execute(
        f"ALTER TABLE {S}.ticket SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01)"
    )


def downgrade() -> None:
    op.execute(f"ALTER TABLE {S}.ticket RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)")
