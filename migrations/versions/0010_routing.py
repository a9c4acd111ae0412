"""Routing: agent facts, per-queue configuration, and every decision stored with its reasons.

Revision ID: 0010_routing
Revises: 0009_canned_responses
Create Date: 2026-12-05

- `agent` gains a time zone, an optional weekly shift (local intervals per weekday, as business calendars
  have), out of office until a date, and a substitute.
- `routing_config`: weights and rules per queue (one row per queue, plus the default with no queue),
  versioned; changed only through `set_routing_config()` (a queue's lead, or an admin).
- `routing_decision`: who asked (intake, reopen, drain, supervisor, handback), who called, the winner or
  none ("no eligible agent"), what was relaxed, the ranked candidates with each factor and the exclusions
  with their reasons, the configuration version. Read through RLS like the ticket it belongs to; written
  only by `route_ticket()`, which checks what must hold whoever calls (see its SQL file).
- `set_availability()` (oneself), `set_agent_routing()` (a lead for their queues' agents, an admin for
  anyone), `queue_loads()` (per agent of a visible queue: weighted open tickets and the last routing).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0010_routing"
down_revision: str | None = "0009_canned_responses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
FUNCTIONS = {
    "route_ticket": "route_ticket(bigint, bigint, text, jsonb)",
    "set_availability": "set_availability(text)",
    "queue_loads": "queue_loads(bigint)",
    "set_routing_config": "set_routing_config(bigint, jsonb)",
    "set_agent_routing": "set_agent_routing(bigint, integer, text[], jsonb, date, bigint)",
}
ASKERS = "'intake', 'reopen', 'drain', 'supervisor', 'handback'"


def upgrade() -> None:
    op.add_column("agent", sa.Column("time_zone", sa.String(64), server_default="UTC", nullable=False), schema=S)
    op.add_column("agent", sa.Column("shift", postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema=S)
    op.add_column("agent", sa.Column("out_of_office_until", sa.Date(), nullable=True), schema=S)
    op.add_column("agent", sa.Column("substitute_id", sa.BigInteger(), nullable=True), schema=S)
    op.create_foreign_key(op.f("fk_agent_substitute_id_agent"), "agent", "agent", ["substitute_id"], ["id"],
                          source_schema=S, referent_schema=S, ondelete="SET NULL")
    op.create_table(
        "routing_config",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("queue_id", sa.BigInteger(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], [f"{S}.queue.id"], name=op.f("fk_routing_config_queue_id_queue"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], [f"{S}.agent.id"], name=op.f("fk_routing_config_updated_by_agent"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_config")),
        sa.UniqueConstraint("queue_id", name=op.f("uq_routing_config_queue_id"), postgresql_nulls_not_distinct=True),
        schema=S,
    )
    op.create_table(
        "routing_decision",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("asked_by", sa.String(16), nullable=False),
        sa.Column("actor_agent_id", sa.BigInteger(), nullable=True),
        sa.Column("winner_agent_id", sa.BigInteger(), nullable=True),
        sa.Column("config_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("relaxed", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("ranked", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("exclusions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.CheckConstraint(f"asked_by IN ({ASKERS})", name=op.f("ck_routing_decision_asked_by")),
        sa.ForeignKeyConstraint(["ticket_id"], [f"{S}.ticket.id"], name=op.f("fk_routing_decision_ticket_id_ticket"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_agent_id"], [f"{S}.agent.id"],
                                name=op.f("fk_routing_decision_actor_agent_id_agent"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["winner_agent_id"], [f"{S}.agent.id"],
                                name=op.f("fk_routing_decision_winner_agent_id_agent"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_decision")),
        schema=S,
    )
    op.create_index(op.f("ix_routing_decision_ticket_id"), "routing_decision", ["ticket_id", "decided_at"], schema=S)
    op.create_index(op.f("ix_routing_decision_winner_agent_id"), "routing_decision",
                    ["winner_agent_id", "decided_at"], schema=S)
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    statements = [
        f"ALTER TABLE {S}.routing_config ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.routing_config FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.routing_decision ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.routing_decision FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY routing_config_read ON {S}.routing_config FOR SELECT TO {staff} USING ({ACTIVE})",
        f"CREATE POLICY routing_decision_read ON {S}.routing_decision FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND EXISTS (SELECT FROM {S}.ticket t WHERE t.id = ticket_id))",
        f"GRANT SELECT ON {S}.routing_config, {S}.routing_decision TO {staff}",
    ]
    for name, signature in FUNCTIONS.items():
        statements += [
            function_sql(name, 1, names),
            f"REVOKE EXECUTE ON FUNCTION {S}.{signature} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {S}.{signature} TO {staff}",
        ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for signature in FUNCTIONS.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
    op.drop_table("routing_decision", schema=S)
    op.drop_table("routing_config", schema=S)
    op.drop_constraint(op.f("fk_agent_substitute_id_agent"), "agent", schema=S, type_="foreignkey")
    for column in ("substitute_id", "out_of_office_until", "shift", "time_zone"):
        op.drop_column("agent", column, schema=S)
