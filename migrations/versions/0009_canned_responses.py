"""Canned responses: the team's answers with placeholders, per queue or for every queue.

Revision ID: 0009_canned_responses
Revises: 0008_performance
Create Date: 2026-12-05

Read by every active agent for the queues they see (team-wide ones by all); written by a supervisor for
the queues they lead and by admins for all, as themselves (row-level security; a modified client can do
no more). An agent's signature is one of their own preferences (`agent_preference`, key `signature`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames

revision: str = "0009_canned_responses"
down_revision: str | None = "0008_performance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
# `(SELECT f())::bigint[]`: the array is computed once per statement (an init plan), not once per row.
SEES_QUEUE = f"(queue_id IS NULL OR queue_id = ANY ((SELECT {S}.visible_queue_ids())::bigint[]))"
MAY_WRITE = f"((SELECT {S}.is_admin()) OR queue_id = ANY ((SELECT {S}.led_queue_ids())::bigint[]))"


def upgrade() -> None:
    op.create_table(
        "canned_response",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("queue_id", sa.BigInteger(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"], [f"{S}.queue.id"], name=op.f("fk_canned_response_queue_id_queue"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], [f"{S}.agent.id"], name=op.f("fk_canned_response_author_id_agent"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_response")),
        schema=S,
    )
    op.create_index(op.f("ix_canned_response_queue_id"), "canned_response", ["queue_id"], schema=S)
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    leads = ", ".join(f'"{role}"' for role in (names.supervisor_role, names.admin_role))
    for statement in [
        f"ALTER TABLE {S}.canned_response ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.canned_response FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY canned_response_read ON {S}.canned_response FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND {SEES_QUEUE})",
        f"CREATE POLICY canned_response_create ON {S}.canned_response FOR INSERT TO {leads} "
        f"WITH CHECK ({ACTIVE} AND {MAY_WRITE} AND author_id = (SELECT {S}.current_agent_id()))",
        f"CREATE POLICY canned_response_edit ON {S}.canned_response FOR UPDATE TO {leads} "
        f"USING ({ACTIVE} AND {MAY_WRITE}) WITH CHECK ({ACTIVE} AND {MAY_WRITE})",
        f"GRANT SELECT ON {S}.canned_response TO {staff}",
        f"GRANT INSERT, UPDATE ON {S}.canned_response TO {leads}",  # retired, never deleted
    ]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("canned_response", schema=S)
