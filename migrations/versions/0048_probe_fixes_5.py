"""What a fifth probe as each role found: one agent's advisory locks stopped the whole server, and a link
between two tickets left no trace.

Revision ID: 0048_probe_fixes_5
Revises: 0047_probe_fixes_4
Create Date: 2026-12-07

- Advisory locks: PostgreSQL lets every login take them, and a session-level one outlives the statement
  that failed taking the next. An agent took about 15,000 in three statements from an idle session, the
  server's shared lock table filled, and every statement on the server failed "out of shared memory":
  colleagues' writes and reads, new connections (the DBA's too), the worker's job that ends stale sessions.
  The functions that take one are not PUBLIC's in this database any more, where the migration runs as a
  superuser (as 0046 did for large objects; otherwise it says so, and docs/security.md tells IT the
  statements). Holding one also blocked every colleague's first preference (`agent_preference_bounded()`
  takes one per login); it is now a definer function (v2), so it locks as its owner. Of the same class, a
  shared resource any login could fill: `pg_logical_emit_message()` wrote up to a gigabyte of WAL a call,
  on the server's one WAL disk and unaudited; not PUBLIC's either.
- `end_stale_transactions()` v4: a staff session holding advisory locks outside a transaction is ended
  once idle for the job's idle limit, and one holding more than 1,000 at once straight away (the client
  takes one only inside a short transaction): where the functions could not be taken from PUBLIC.
- Ticket links: audited on both tickets with who linked them (`audit_ticket_link()`), and a link's time
  is the database's (staff insert only the two tickets and the kind): a link made in plain SQL at
  '1900-01-02' changed neither ticket and left no audit row, and the client's own left none either.
- The SLA escalation ladder's level 3 routes a ticket as itself (`route_ticket()` v7: 'sla', a trusted
  session only, its step as the reason), away from the assignee it took the ticket from: it asked as a
  supervisor, "Why this agent?" said a supervisor had reassigned it, and stickiness gave it straight back.
- `ticket_timestamps()` is called only when a ticket's status changed (the trigger's WHEN): it returned at
  once for every other change, a call per row (22 ms of 10,000 escalations).
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0048_probe_fixes_5"
down_revision: str | None = "0047_probe_fixes_4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("agent_preference_bounded", 1, 2),
    ("end_stale_transactions", 3, 4),
    ("route_ticket", 6, 7),
]
# Who asks routing to decide; 'sla' (the escalation ladder's level 3, the worker's sweep) is new.
ASKERS_BEFORE = "'intake', 'reopen', 'drain', 'supervisor', 'handback'"
ASKERS = f"{ASKERS_BEFORE}, 'sla'"
# Every function that takes an advisory lock (the ones that release them take nothing).
ADVISORY_LOCKS = tuple(
    f"pg_catalog.{function}({signature})"
    for function in (
        "pg_advisory_lock",
        "pg_advisory_lock_shared",
        "pg_advisory_xact_lock",
        "pg_advisory_xact_lock_shared",
        "pg_try_advisory_lock",
        "pg_try_advisory_lock_shared",
        "pg_try_advisory_xact_lock",
        "pg_try_advisory_xact_lock_shared",
    )
    for signature in ("bigint", "integer, integer")
)
# The one the owner role takes (`agent_preference_bounded()` v2, a definer function it owns).
PREFERENCE_LOCK = "pg_catalog.pg_advisory_xact_lock(integer, integer)"
STATUS_CHANGED = "OLD.status IS DISTINCT FROM NEW.status"
LINK_COLUMNS = "ticket_id, related_ticket_id, kind"  # what staff insert into ticket_link (not its time)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    if _is_superuser():
        for function in (*ADVISORY_LOCKS, *_wal_writers()):
            op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {PREFERENCE_LOCK} TO {quote_identifier(names.owner_role)}")
    else:
        print("0048: not a superuser: every login may still take advisory locks (docs/security.md)")
    staff = _staff(names)
    op.execute(f"REVOKE INSERT ON {S}.ticket_link FROM {staff}")
    op.execute(f"GRANT INSERT ({LINK_COLUMNS}) ON {S}.ticket_link TO {staff}")
    op.execute(function_sql("audit_ticket_link", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.audit_ticket_link() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER ticket_link_audit AFTER INSERT ON {S}.ticket_link"
        f" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {S}.audit_ticket_link()"
    )
    _timestamps_trigger(when=STATUS_CHANGED)
    _askers(ASKERS)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    _timestamps_trigger(when=None)
    op.execute(f"ALTER TABLE {S}.routing_decision DISABLE TRIGGER USER")  # append-only: its guards refuse updates
    op.execute(f"UPDATE {S}.routing_decision SET asked_by = 'supervisor' WHERE asked_by = 'sla'")
    op.execute(f"ALTER TABLE {S}.routing_decision ENABLE TRIGGER USER")
    _askers(ASKERS_BEFORE)
    op.execute(f"DROP TRIGGER ticket_link_audit ON {S}.ticket_link")
    op.execute(f"DROP FUNCTION {S}.audit_ticket_link()")
    staff = _staff(names)
    op.execute(f"REVOKE INSERT ({LINK_COLUMNS}) ON {S}.ticket_link FROM {staff}")
    op.execute(f"GRANT INSERT ON {S}.ticket_link TO {staff}")
    if _is_superuser():
        op.execute(f"REVOKE EXECUTE ON FUNCTION {PREFERENCE_LOCK} FROM {quote_identifier(names.owner_role)}")
        for function in (*ADVISORY_LOCKS, *_wal_writers()):
            op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))


def _timestamps_trigger(when: str | None) -> None:
    """`ticket_timestamps()` returns at once unless the status changed: said in the trigger's WHEN, the
    function is not called at all for the rest (22 ms of a 10,000-ticket escalation, a call per row)."""
    op.execute(f"DROP TRIGGER b_ticket_timestamps ON {S}.ticket")
    condition = f" WHEN ({when})" if when else ""
    op.execute(
        f"CREATE TRIGGER b_ticket_timestamps BEFORE UPDATE ON {S}.ticket FOR EACH ROW{condition}"
        f" EXECUTE FUNCTION {S}.ticket_timestamps()"
    )


def _askers(askers: str) -> None:
    op.drop_constraint(op.f("ck_routing_decision_asked_by"), "routing_decision", schema=S)
    op.create_check_constraint(
        op.f("ck_routing_decision_asked_by"), "routing_decision", f"asked_by IN ({askers})", schema=S
    )


def _staff(names: DatabaseNames) -> str:
    return ", ".join(quote_identifier(role) for role in (names.agent_role, names.supervisor_role, names.admin_role))


def _wal_writers() -> list[str]:
    """`pg_logical_emit_message()` in each form this server has (PostgreSQL 17 added one)."""
    found = op.get_bind().execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname = 'pg_logical_emit_message'"
            " AND p.pronamespace = 'pg_catalog'::regnamespace ORDER BY 1"
        )
    )
    return [f"pg_catalog.{signature}" for (signature,) in found]


def _is_superuser() -> bool:
    return bool(op.get_bind().execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
