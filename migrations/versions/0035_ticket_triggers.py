"""The ticket's audit and SLA marks at the cost of what changed: the bulk paths (escalations, a supervisor's
priority change, claims) paid for every column of every row.

Revision ID: 0035_ticket_triggers
Revises: 0034_email_source
Create Date: 2026-12-06

- `audit_ticket()` version 4: the same rows as version 3, in the same order, comparing each audited column
  as itself instead of both row versions as jsonb key by key (a one-ticket claim: 0.56 of the statement's
  0.95 ms on the server; 10,000 tickets' priority: 0.8 s).
- `sla_ledger_ticket()` version 3 keeps the status and first-response entries and runs only when those
  change; the recompute marks (priority, queue, type, channel, tags) move to `sla_ledger_marks()`, a
  statement trigger over the transition tables: the same entries with the same notes, one INSERT for the
  statement (10,000 tickets: 0.5 s as a row trigger).
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0035_ticket_triggers"
down_revision: str | None = "0034_email_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
MARKED = ("priority", "queue_id", "type", "channel", "tags")
ROW_WATCHED = ("status", "first_response_at")


def _row_trigger(columns: Sequence[str]) -> str:
    return (
        f"CREATE TRIGGER sla_ledger_update AFTER UPDATE OF {', '.join(columns)} ON {S}.ticket FOR EACH ROW "
        f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in columns)}) "
        f"EXECUTE FUNCTION {S}.sla_ledger_ticket()"
    )


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for statement in [
        function_sql("audit_ticket", 4, names),
        function_sql("sla_ledger_ticket", 3, names),
        function_sql("sla_ledger_marks", 1, names),
        f"REVOKE EXECUTE ON FUNCTION {S}.sla_ledger_marks() FROM PUBLIC",
        f"DROP TRIGGER sla_ledger_update ON {S}.ticket",
        _row_trigger(ROW_WATCHED),
        f"CREATE TRIGGER sla_ledger_marks AFTER UPDATE ON {S}.ticket "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.sla_ledger_marks()",
    ]:
        op.execute(statement)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for statement in [
        f"DROP TRIGGER sla_ledger_marks ON {S}.ticket",
        f"DROP TRIGGER sla_ledger_update ON {S}.ticket",
        f"DROP FUNCTION {S}.sla_ledger_marks()",
        function_sql("sla_ledger_ticket", 2, names),
        _row_trigger(ROW_WATCHED + MARKED),
        function_sql("audit_ticket", 3, names),
    ]:
        op.execute(statement)
