"""Who held a ticket when its SLA was breached: the supervisor view's "breaches today" counted each breach on
the ticket's assignee of the moment, so a breached ticket a lead handed to a colleague to rescue it moved the
breach onto the rescuer, and one given back to the queue lost it.

Revision ID: 0052_breach_holder
Revises: 0051_probe_fixes_8
Create Date: 2026-12-07

- `sla_ledger.assignee_id`: whoever held the ticket when the sweep wrote a warning, breach or escalation mark
  (null for other entries and for a ticket nobody held), and a partial index on the breaches' times (the
  team's "breaches today" reads a day of them, not a ticket's whole ledger).
- The marks already written get the assignee of their moment from the ticket's audit (the last assignment
  at or before the mark; before any, the first assignment's old value; with none, the ticket's assignee),
  the ledger's append-only trigger off for that one statement: a fact filled in, not anyone's change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0052_breach_holder"
down_revision: str | None = "0051_probe_fixes_8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
MARKS = ("warn", "breach", "escalate")  # what the sweep writes, each with the ticket it holds in hand


def upgrade() -> None:
    op.add_column("sla_ledger", sa.Column("assignee_id", sa.BigInteger(), nullable=True), schema=S)
    op.create_foreign_key(
        "fk_sla_ledger_assignee_id_agent",
        "sla_ledger",
        "agent",
        ["assignee_id"],
        ["id"],
        source_schema=S,
        referent_schema=S,
    )
    op.create_index(
        "ix_sla_ledger_breach_at", "sla_ledger", ["at"], schema=S, postgresql_where=sa.text("entry = 'breach'")
    )
    _fill_in_holders()


def downgrade() -> None:
    op.drop_index("ix_sla_ledger_breach_at", table_name="sla_ledger", schema=S)
    op.drop_column("sla_ledger", "assignee_id", schema=S)


def _fill_in_holders() -> None:
    """Each mark already written gets who held its ticket at that moment, read from the ticket's audit."""
    assignment = f"FROM {S}.audit_event a WHERE a.ticket_id = m.ticket_id AND a.field = 'assignee_id'"
    holder = (
        f"coalesce((SELECT a.new_value {assignment} AND a.occurred_at <= m.at ORDER BY a.occurred_at DESC, a.id DESC"
        f" LIMIT 1), (SELECT a.old_value {assignment} AND a.occurred_at > m.at ORDER BY a.occurred_at, a.id LIMIT 1),"
        f" (SELECT to_jsonb(t.assignee_id) FROM {S}.ticket t WHERE t.id = m.ticket_id))"
    )
    marks = ", ".join(f"'{mark}'" for mark in MARKS)
    op.execute(f"ALTER TABLE {S}.sla_ledger DISABLE TRIGGER sla_ledger_is_append_only")
    op.execute(
        f"UPDATE {S}.sla_ledger l SET assignee_id = h.id FROM {S}.sla_ledger m"
        f" CROSS JOIN LATERAL (SELECT ({holder}) #>> '{{}}' AS agent_id) AS j"
        f" JOIN {S}.agent h ON h.id::text = j.agent_id"
        f" WHERE m.id = l.id AND m.entry IN ({marks})"
    )
    op.execute(f"ALTER TABLE {S}.sla_ledger ENABLE TRIGGER sla_ledger_is_append_only")
