"""Background jobs claimed once per period, and worker heartbeats.

Revision ID: 0005_jobs
Revises: 0004_ticket_tally
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_jobs"
down_revision: str | None = "0004_ticket_tally"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("job", "period_start", name=op.f("pk_job_run")),
        schema=S,
    )
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("worker", name=op.f("pk_worker_heartbeat")),
        schema=S,
    )
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    admin = f'"{database}_admin"'
    op.execute(f"GRANT SELECT ON {S}.job_run, {S}.worker_heartbeat TO {admin}")


def downgrade() -> None:
    op.drop_table("worker_heartbeat", schema=S)
    op.drop_table("job_run", schema=S)
