"""A tally of tickets per (queue, status, assignee), kept by a trigger, for constant-time view counts.

Revision ID: 0004_ticket_tally
Revises: 0003_security
Create Date: 2026-11-25

Merged tickets are not counted. Row-level security shows each login the rows of the queues it may see and
of the tickets assigned to it, the same rule as for tickets, so a sum over the visible rows is the count
of the visible tickets.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0004_ticket_tally"
down_revision: str | None = "0003_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    op.create_table(
        "ticket_tally",
        sa.Column("queue_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=False),
        sa.Column("tickets", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("queue_id", "status", "assignee_id", name=op.f("pk_ticket_tally")),
        schema=S,
    )
    op.execute(f"""
        INSERT INTO {S}.ticket_tally (queue_id, status, assignee_id, tickets)
        SELECT queue_id, status, coalesce(assignee_id, 0), count(*) FROM {S}.ticket
        WHERE merged_into_id IS NULL GROUP BY 1, 2, 3""")
    op.execute(function_sql("tally_ticket", 1, DatabaseNames.of(op.get_bind())))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.tally_ticket() FROM PUBLIC")
    op.execute(f"""
        CREATE TRIGGER ticket_tally AFTER INSERT OR DELETE OR UPDATE OF queue_id, status, assignee_id, merged_into_id
        ON {S}.ticket FOR EACH ROW EXECUTE FUNCTION {S}.tally_ticket()""")
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    staff = ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))
    op.execute(f"ALTER TABLE {S}.ticket_tally ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {S}.ticket_tally FORCE ROW LEVEL SECURITY")
    op.execute(f"""
        CREATE POLICY tally_read ON {S}.ticket_tally FOR SELECT TO {staff}
        USING (queue_id = ANY ((SELECT {S}.visible_queue_ids())::bigint[])
               OR assignee_id = (SELECT {S}.current_agent_id()))""")
    op.execute(f"GRANT SELECT ON {S}.ticket_tally TO {staff}")


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS ticket_tally ON {S}.ticket")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.tally_ticket()")
    op.drop_table("ticket_tally", schema=S)
