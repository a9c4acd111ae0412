"""Who held a ticket when its SLA was breached, and what an eleventh probe as each role found: one agent's
transaction stopped the SLA sweep for every queue, a lock holder kept itself uncounted by waiting on its own
second session, and a notification's sender was named to every login.

Revision ID: 0052_probe_fixes_9
Revises: 0051_probe_fixes_8
Create Date: 2026-12-07

- `sla_ledger.assignee_id`: whoever held the ticket when the sweep wrote a warning, breach or escalation mark
  (null for other entries and for a ticket nobody held), and a partial index on the breaches' times. The
  supervisor view's "breaches today" counted each breach on the ticket's assignee of the moment, so a
  breached ticket handed to a colleague to rescue it moved the breach onto the rescuer. The marks already
  written get the assignee of their moment from the ticket's audit (the last assignment at or before the
  mark; before any, the first assignment's old value; with none, the ticket's assignee), the ledger's
  append-only trigger off for that one statement: a fact filled in, not anyone's change.
- `sla_recompute.skipped_ids`: the tickets someone held when a recompute's walk came by, tried again once it
  is through (the walk now skips a locked ticket; it waited, and an agent's `FOR SHARE` on one ticket made
  the sweep fail for every queue). The sweep skips a ticket whose watch row is held as well (in the client).
- `account_cache_purge()` v2 leaves rows another transaction holds for the next run (an agent's claim of
  an expired row, left open, failed every cleanup).
- `end_stale_transactions()` v6: a session waiting for a lock is left out of the count only when another
  login holds that lock; a holder that waited on its own second session was never counted.
- Where the upgrade runs as a superuser: the views and functions that map a backend's pid to its login or
  address, or to what it locks (`pg_stat_activity`, `pg_stat_ssl`, `pg_stat_gssapi`, `pg_locks`,
  `pg_stat_get_activity()`, `pg_lock_status()`, the `pg_stat_get_backend_*()` functions) are taken from
  PUBLIC in this database and given to the owner role and `pg_monitor`. Every notification carries its sender's pid, and any login could look up who that was:
  who worked, wrote or typed in queues it cannot see, and when. Otherwise it says so (docs/security.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0052_probe_fixes_9"
down_revision: str | None = "0051_probe_fixes_8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
MARKS = ("warn", "breach", "escalate")  # what the sweep writes, each with the ticket it holds in hand
FUNCTIONS = [("end_stale_transactions", 5, 6), ("account_cache_purge", 1, 2)]
WHO_VIEWS = ("pg_catalog.pg_stat_activity", "pg_catalog.pg_stat_ssl", "pg_catalog.pg_stat_gssapi", "pg_catalog.pg_locks")


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
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
    op.add_column(
        "sla_recompute",
        sa.Column("skipped_ids", sa.ARRAY(sa.BigInteger()), server_default="{}", nullable=False),
        schema=S,
    )
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    if _is_superuser():
        for grantee in (quote_identifier(names.owner_role), "pg_monitor"):
            _who_is_who("GRANT", "TO", grantee)
        _who_is_who("REVOKE", "FROM", "PUBLIC")
    else:
        print("0052: not a superuser: every login may still look up who a backend is (docs/security.md)")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    if _is_superuser():
        _who_is_who("GRANT", "TO", "PUBLIC")
        for grantee in (quote_identifier(names.owner_role), "pg_monitor"):
            _who_is_who("REVOKE", "FROM", grantee)
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    op.drop_column("sla_recompute", "skipped_ids", schema=S)
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


def _who_is_who(verb: str, preposition: str, grantee: str) -> None:
    """The catalogue's ways from a backend's pid to its login or address, granted or revoked."""
    for view in WHO_VIEWS:
        op.execute(f"{verb} SELECT ON {view} {preposition} {grantee}")
    for function in _pid_functions():
        op.execute(f"{verb} EXECUTE ON FUNCTION {function} {preposition} {grantee}")


def _pid_functions() -> list[str]:
    """`pg_stat_get_activity()`, `pg_lock_status()` (under `pg_locks`: a pid's locks and transaction id,
    matched to the `xmin` of rows one can see) and every `pg_stat_get_backend_*()` this server has (their set
    changes between versions: PostgreSQL 18 added some)."""
    found = op.get_bind().execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace"
            " AND (p.proname IN ('pg_stat_get_activity', 'pg_lock_status')"
            " OR p.proname LIKE 'pg\\_stat\\_get\\_backend\\_%') ORDER BY 1"
        )
    )
    return [f"pg_catalog.{signature}" for (signature,) in found]


def _is_superuser() -> bool:
    return bool(op.get_bind().execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
