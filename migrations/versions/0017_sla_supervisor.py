"""SLA: recompute open tickets after a policy or calendar changes (issue 14, the supervisor's slice).

Revision ID: 0017_sla_supervisor
Revises: 0016_routing_settings
Create Date: 2026-12-06

- `sla_recompute`: a request to compute the open tickets' due times again, filed by
  `sla_config_changed()`, a definer row trigger on `sla_policy` and `business_calendar` (whoever adds or
  changes one: only admins may), with the reason each ledger will give and the highest ticket id then.
  The worker's sweep walks the open tickets up to that id in batches (`after_ticket_id` is its cursor),
  marks each ledger ("recompute: policy Default changed") and puts the ticket on the watch list. Admins read
  the requests (how far a recompute got); nobody on staff writes them.
- The next-response clock: `sla_ledger_message()`, a definer row trigger on messages, restarts it on a
  customer's message (once the ticket had its first response) and fulfils it on a public reply;
  `sla_ledger_ticket()` v2 pauses, resumes and stops it with the statuses.
- Due times exact on write where cheap: `sla_due_on_write()`, a BEFORE row trigger on the ticket, clears
  the due columns of the clocks a status move or the first response stops (no clock maths needed); the
  sweep still computes the due times of clocks that start or resume.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0017_sla_supervisor"
down_revision: str | None = "0016_routing_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
ADMIN = f"(SELECT {S}.is_admin())"
CONFIGURATION = ("sla_policy", "business_calendar")


def upgrade() -> None:
    op.create_table(
        "sla_recompute",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("up_to_ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("after_ticket_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tickets", sa.Integer(), server_default="0", nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_recompute")),
        schema=S,
    )
    op.create_index(
        op.f("ix_sla_recompute_pending"),
        "sla_recompute",
        ["id"],
        schema=S,
        postgresql_where=sa.text("finished_at IS NULL"),
    )
    names = DatabaseNames.of(op.get_bind())
    admin = f'"{names.admin_role}"'
    statements = [
        f"ALTER TABLE {S}.sla_recompute ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.sla_recompute FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY sla_recompute_read ON {S}.sla_recompute FOR SELECT TO {admin} USING ({ACTIVE} AND {ADMIN})",
        f"GRANT SELECT ON {S}.sla_recompute TO {admin}",
        function_sql("sla_config_changed", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.sla_config_changed() FROM PUBLIC",
    ]
    statements += [
        function_sql("sla_ledger_ticket", 2, names),
        function_sql("sla_ledger_message", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.sla_ledger_message() FROM PUBLIC",
        function_sql("sla_due_on_write", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.sla_due_on_write() FROM PUBLIC",
        f"CREATE TRIGGER c_sla_due_on_write BEFORE UPDATE OF status, first_response_at, merged_into_id ON {S}.ticket "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.first_response_at IS DISTINCT FROM "
        f"NEW.first_response_at OR OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id) "
        f"EXECUTE FUNCTION {S}.sla_due_on_write()",
        f"CREATE TRIGGER sla_ledger_message AFTER INSERT ON {S}.message FOR EACH ROW "
        f"WHEN (NEW.kind IN ('customer_message', 'public_reply')) EXECUTE FUNCTION {S}.sla_ledger_message()",
    ]
    for table in CONFIGURATION:
        statements.append(
            f"CREATE TRIGGER {table}_recompute AFTER INSERT OR UPDATE ON {S}.{table} FOR EACH ROW "
            f"EXECUTE FUNCTION {S}.sla_config_changed()"
        )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TRIGGER c_sla_due_on_write ON {S}.ticket")
    op.execute(f"DROP FUNCTION {S}.sla_due_on_write()")
    op.execute(f"DROP TRIGGER sla_ledger_message ON {S}.message")
    op.execute(f"DROP FUNCTION {S}.sla_ledger_message()")
    op.execute(function_sql("sla_ledger_ticket", 1, DatabaseNames.of(op.get_bind())))
    for table in CONFIGURATION:
        op.execute(f"DROP TRIGGER {table}_recompute ON {S}.{table}")
    op.execute(f"DROP FUNCTION {S}.sla_config_changed()")
    op.drop_table("sla_recompute", schema=S)
