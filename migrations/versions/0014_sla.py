"""SLA in the database: business calendars, policies, each ticket's ledger, the steps taken, a watch list.

Revision ID: 0014_sla
Revises: 0013_routing_speed
Create Date: 2026-12-06

- `business_calendar` and `sla_policy`: read by active staff, written by admins only (row-level security
  as their own login; no deletes: a policy is retired with `is_active`).
- `ticket_status.sla_clocks`: the clocks that run in a status (NULL: its category decides).
- `sla_ledger`: every ticket's clock events. Appended by `sla_ledger_ticket()`, a definer row trigger on
  the ticket (created, status moved, first response; a recompute mark when priority, queue, type,
  channel or tags change), and by the worker's sweep (warn, breach, escalate
  marks); append-only for everyone (`refuse_ledger_change()`); staff read the ledgers of the tickets they
  see and write none.
- `sla_step`: each warning (level 0) and ladder level taken, keyed (ticket, target, level) so that it
  happens once whatever the number of workers; written only by the sweep, read like the ledger.
- `sla_watch`: when the sweep must look at a ticket next (now, once its ledger grew). Nobody on staff
  reads or writes it.
Tickets that exist before this migration have no ledger; their due times stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0014_sla"
down_revision: str | None = "0013_routing_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
ADMIN = f"(SELECT {S}.is_admin())"
VISIBLE = f"EXISTS (SELECT FROM {S}.ticket t WHERE t.id = ticket_id)"
TARGETS = "'first_response', 'next_response', 'resolution'"
ENTRIES = "'start', 'pause', 'resume', 'fulfil', 'restart', 'stop', 'warn', 'breach', 'escalate', 'recompute'"
# What moves a clock (status, first response) or chooses the policy and its targets.
WATCHED = ("status", "first_response_at", "priority", "queue_id", "type", "channel", "tags")
FUNCTIONS = {"sla_ledger_ticket": "sla_ledger_ticket()", "refuse_ledger_change": "refuse_ledger_change()"}


def _tables() -> None:
    op.create_table(
        "business_calendar",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("weekly_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("subdivision", sa.String(16), nullable=True),
        sa.Column("closed_dates", postgresql.ARRAY(sa.Date()), server_default="{}", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendar")),
        sa.UniqueConstraint("name", name=op.f("uq_business_calendar_name")),
        schema=S,
    )
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("conditions", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("targets", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("business_hours", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("calendar_id", sa.BigInteger(), nullable=True),
        sa.Column("warn_share", sa.Float(), server_default="0.8", nullable=False),
        sa.Column("ladder", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("warn_share > 0 AND warn_share < 1", name=op.f("ck_sla_policy_warn_share_range")),
        sa.ForeignKeyConstraint(["calendar_id"], [f"{S}.business_calendar.id"],
                                name=op.f("fk_sla_policy_calendar_id_business_calendar"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_policy_name")),
        schema=S,
    )
    op.create_index(op.f("ix_sla_policy_position"), "sla_policy", ["position", "id"], schema=S)
    op.create_table(
        "sla_ledger",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("entry", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(f"target IN ({TARGETS})", name=op.f("ck_sla_ledger_target")),
        sa.CheckConstraint(f"entry IN ({ENTRIES})", name=op.f("ck_sla_ledger_entry")),
        sa.ForeignKeyConstraint(["ticket_id"], [f"{S}.ticket.id"], name=op.f("fk_sla_ledger_ticket_id_ticket"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_ledger")),
        schema=S,
    )
    op.create_index(op.f("ix_sla_ledger_ticket_id"), "sla_ledger", ["ticket_id", "at", "id"], schema=S)
    op.create_table(
        "sla_step",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.CheckConstraint(f"target IN ({TARGETS})", name=op.f("ck_sla_step_target")),
        sa.CheckConstraint("level >= 0", name=op.f("ck_sla_step_level_not_negative")),
        sa.ForeignKeyConstraint(["ticket_id"], [f"{S}.ticket.id"], name=op.f("fk_sla_step_ticket_id_ticket"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", "target", "level", name=op.f("pk_sla_step")),
        schema=S,
    )
    op.create_index(op.f("ix_sla_step_due_at"), "sla_step", ["due_at"], schema=S)
    op.create_table(
        "sla_watch",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("check_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], [f"{S}.ticket.id"], name=op.f("fk_sla_watch_ticket_id_ticket"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_sla_watch")),
        schema=S,
    )
    op.create_index(op.f("ix_sla_watch_check_at"), "sla_watch", ["check_at"], schema=S)
    op.add_column("ticket_status", sa.Column("sla_clocks", postgresql.ARRAY(sa.Text()), nullable=True), schema=S)
    op.create_check_constraint(
        op.f("ck_ticket_status_sla_clocks"), "ticket_status", f"sla_clocks <@ ARRAY[{TARGETS}]::text[]", schema=S
    )


def upgrade() -> None:
    _tables()
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    admin = f'"{names.admin_role}"'
    statements = []
    for table in ("business_calendar", "sla_policy", "sla_ledger", "sla_step", "sla_watch"):
        statements += [f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY",
                       f"ALTER TABLE {S}.{table} FORCE ROW LEVEL SECURITY"]
    for table in ("business_calendar", "sla_policy"):
        statements += [
            f"CREATE POLICY {table}_read ON {S}.{table} FOR SELECT TO {staff} USING ({ACTIVE})",
            f"CREATE POLICY {table}_create ON {S}.{table} FOR INSERT TO {admin} WITH CHECK ({ACTIVE} AND {ADMIN})",
            f"CREATE POLICY {table}_edit ON {S}.{table} FOR UPDATE TO {admin} "
            f"USING ({ACTIVE} AND {ADMIN}) WITH CHECK ({ACTIVE} AND {ADMIN})",
            f"GRANT INSERT, UPDATE ON {S}.{table} TO {admin}",
        ]
    for table in ("sla_ledger", "sla_step"):
        statements.append(
            f"CREATE POLICY {table}_read ON {S}.{table} FOR SELECT TO {staff} USING ({ACTIVE} AND {VISIBLE})"
        )
    statements.append(f"GRANT SELECT ON {S}.business_calendar, {S}.sla_policy, {S}.sla_ledger, {S}.sla_step TO {staff}")
    for name, signature in FUNCTIONS.items():
        statements += [function_sql(name, 1, names), f"REVOKE EXECUTE ON FUNCTION {S}.{signature} FROM PUBLIC"]
    statements += [
        f"CREATE TRIGGER sla_ledger_is_append_only BEFORE UPDATE ON {S}.sla_ledger "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.refuse_ledger_change()",
        f"CREATE TRIGGER sla_ledger_insert AFTER INSERT ON {S}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.sla_ledger_ticket()",
        f"CREATE TRIGGER sla_ledger_update AFTER UPDATE OF {', '.join(WATCHED)} ON {S}.ticket FOR EACH ROW "
        f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in WATCHED)}) "
        f"EXECUTE FUNCTION {S}.sla_ledger_ticket()",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TRIGGER sla_ledger_update ON {S}.ticket")
    op.execute(f"DROP TRIGGER sla_ledger_insert ON {S}.ticket")
    op.drop_constraint(op.f("ck_ticket_status_sla_clocks"), "ticket_status", schema=S, type_="check")
    op.drop_column("ticket_status", "sla_clocks", schema=S)
    for table in ("sla_watch", "sla_step", "sla_ledger", "sla_policy", "business_calendar"):
        op.drop_table(table, schema=S)
    for signature in FUNCTIONS.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
