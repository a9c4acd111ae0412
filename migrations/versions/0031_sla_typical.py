"""The typical handling time of similar tickets, in business minutes, kept by the worker.

Revision ID: 0031_sla_typical
Revises: 0030_account_verified
Create Date: 2026-12-06

The escalation board ranked by "business minutes left against the typical handling time of similar
tickets" (issue 14), but the typical time was the wall-clock median read in the board's statement: a
ticket answered on Monday morning after a Friday evening counted a weekend against business minutes.
Measuring each historical ticket on its policy's calendar needs the calendar arithmetic (Python), too
much for the board's statement, so the worker does it every quarter of an hour and keeps the medians here:

- `sla_typical`: per (queue, priority, type), the median business minutes to the first response and to
  resolution of the last 200 tickets met in the last 4 weeks, how many were measured, and when. Staff
  (active) read the rows of the queues they see; only the owner role's trusted sessions (the worker's
  `sla_typical_handling` job) write them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames

revision: str = "0031_sla_typical"
down_revision: str | None = "0030_account_verified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
TYPES = ("question", "incident", "problem", "task")


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.create_table(
        "sla_typical",
        sa.Column("queue_id", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(*TYPES, name="type", native_enum=False, create_constraint=True, schema=S),
            nullable=False,
        ),
        sa.Column("first_minutes", sa.Float(), nullable=True),
        sa.Column("first_samples", sa.Integer(), server_default="0", nullable=False),
        sa.Column("resolution_minutes", sa.Float(), nullable=True),
        sa.Column("resolution_samples", sa.Integer(), server_default="0", nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"], [f"{S}.queue.id"], name=op.f("fk_sla_typical_queue_id_queue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("queue_id", "priority", "type", name=op.f("pk_sla_typical")),
        schema=S,
    )
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    trusted = f"(SELECT {S}.is_trusted_session())"
    for statement in (
        f"ALTER TABLE {S}.sla_typical ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.sla_typical FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY sla_typical_read ON {S}.sla_typical FOR SELECT TO {staff}"
        f" USING ((SELECT {S}.is_active_agent()) AND queue_id = ANY ((SELECT {S}.visible_queue_ids())::bigint[]))",
        f"GRANT SELECT ON {S}.sla_typical TO {staff}",
        f'CREATE POLICY sla_typical_worker ON {S}.sla_typical FOR ALL TO "{names.owner_role}"'
        f" USING ({trusted}) WITH CHECK ({trusted})",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("sla_typical", schema=S)
