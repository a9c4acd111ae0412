"""As fast as PostgreSQL allows: identity once per statement, statement-level triggers, a tally writers
never wait on, one-statement claims, and partial indexes over the open tickets.

Revision ID: 0008_performance
Revises: 0007_change_log_horizon
Create Date: 2026-12-02

- Identity: `session_identity()` (one definer query, no nested calls) answers who is acting, their agent,
  role, visible and led queues; `current_login()`, `current_agent_id()`, `current_agent_role()`,
  `is_active_agent()`, `is_admin()`, `visible_queue_ids()` and `led_queue_ids()` become inlinable
  one-liners over it, so a policy's `(SELECT current_agent_id())` init-plan is one call per statement.
  `is_privileged_writer()` is inlined into the guards as two built-in checks (no call per row), and the
  ticket guard looks the agent up only where a check needs it.
- Triggers: the audit, change-log and tally triggers run once per statement over its transition tables
  (`old_rows`, `new_rows`) instead of once per row, so a 10,000-row update looks the actor up once.
  PostgreSQL allows transition tables only on single-event triggers without column lists: INSERT,
  UPDATE and DELETE get a trigger each.
- The tally is append-only (a `seq` key; each statement appends its differences, folded now and then
  with SKIP LOCKED): no writer waits on another's tally row any more.
- `claim_ticket(ticket, version)` ("assign to me") and `claim_next_ticket(queue)` ("get next", SKIP
  LOCKED) lock, check, assign and return the row in one statement, so a ticket is locked for one round
  trip (the commit).
- Partial indexes over the working tickets (statuses of the open and paused categories as seeded, not
  merged): by queue and SLA due / priority / last update, across queues, by assignee, and the claimable
  (unassigned) ones. The literal status list is what queries render, so the planner can prove it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0008_performance"
down_revision: str | None = "0007_change_log_horizon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
# The statuses of the seeded open and paused categories: the predicate of every partial index below, and
# what app.models.ticket.WORKING_STATUSES renders into queries.
WORKING = "status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') AND merged_into_id IS NULL"
PARTIAL_INDEXES = [
    ("ix_ticket_open_queue_sla", "queue_id, sla_due_at, id", WORKING),
    ("ix_ticket_open_queue_priority", "queue_id, priority, id", WORKING),
    ("ix_ticket_open_queue_updated", "queue_id, updated_at, id", WORKING),
    ("ix_ticket_open_sla", "sla_due_at, id", WORKING),
    ("ix_ticket_open_priority", "priority, id", WORKING),
    ("ix_ticket_open_updated", "updated_at, id", WORKING),
    ("ix_ticket_open_assignee_sla", "assignee_id, sla_due_at, id", WORKING),
    ("ix_ticket_claimable", "queue_id, sla_due_at, id", f"assignee_id IS NULL AND {WORKING}"),
    # The second part of an SLA-sorted page (tickets without a running clock, by id): PostgreSQL does not
    # take `sla_due_at IS NULL` as fixing that column, so (queue_id, sla_due_at, id) is no walk by id and
    # the planner walked the primary key over every ticket instead (~300 ms at 1M).
    ("ix_ticket_open_undated_queue", "queue_id, id", f"sla_due_at IS NULL AND {WORKING}"),
    ("ix_ticket_open_undated", "id", f"sla_due_at IS NULL AND {WORKING}"),
]
# (function, version in 0008, version before)
IDENTITY = [
    ("current_login", 2, 1),
    ("current_agent_id", 3, 2),
    ("current_agent_role", 3, 2),
    ("is_active_agent", 2, 1),
    ("is_admin", 2, 1),
    ("visible_queue_ids", 3, 2),
    ("led_queue_ids", 2, 1),
    ("is_privileged_writer", 2, 1),
    ("guard_ticket", 2, 1),
]
TRIGGER_FUNCTIONS = [
    ("audit_ticket", 2, 1),
    ("audit_message", 2, 1),
    ("log_change", 2, 1),
    ("tally_ticket", 2, 1),
    ("message_first_response", 2, 1),
]
NEW_FUNCTIONS = [
    "session_identity()",
    "claim_ticket(bigint, integer)",
    "claim_next_ticket(bigint)",
    "fold_ticket_tally(bigint[], text[], bigint[])",
]
CALLABLE_BY_STAFF = ["session_identity()", "claim_ticket(bigint, integer)", "claim_next_ticket(bigint)"]

# (trigger, table, event, function call) before and after
ROW_TRIGGERS = [
    ("ticket_audit", "ticket", "INSERT OR UPDATE", "audit_ticket()"),
    ("message_audit", "message", "INSERT", "audit_message()"),
    ("ticket_change_log", "ticket", "INSERT OR UPDATE", "log_change('ticket')"),
    ("message_change_log", "message", "INSERT OR UPDATE", "log_change('message')"),
    ("ticket_link_change_log", "ticket_link", "INSERT", "log_change('ticket_link')"),
    ("customer_change_log", "customer", "INSERT OR UPDATE", "log_change('customer')"),
    (
        "ticket_tally",
        "ticket",
        "INSERT OR DELETE OR UPDATE OF queue_id, status, assignee_id, merged_into_id",
        "tally_ticket()",
    ),
    ("message_first_response", "message", "INSERT", "message_first_response()"),
]
STATEMENT_TRIGGERS = [
    ("ticket_audit_insert", "ticket", "INSERT", "audit_ticket()"),
    ("ticket_audit_update", "ticket", "UPDATE", "audit_ticket()"),
    ("message_audit_insert", "message", "INSERT", "audit_message()"),
    ("ticket_change_log_insert", "ticket", "INSERT", "log_change('ticket')"),
    ("ticket_change_log_update", "ticket", "UPDATE", "log_change('ticket')"),
    ("message_change_log_insert", "message", "INSERT", "log_change('message')"),
    ("message_change_log_update", "message", "UPDATE", "log_change('message')"),
    ("ticket_link_change_log_insert", "ticket_link", "INSERT", "log_change('ticket_link')"),
    ("customer_change_log_insert", "customer", "INSERT", "log_change('customer')"),
    ("customer_change_log_update", "customer", "UPDATE", "log_change('customer')"),
    ("ticket_tally_insert", "ticket", "INSERT", "tally_ticket()"),
    ("ticket_tally_update", "ticket", "UPDATE", "tally_ticket()"),
    ("ticket_tally_delete", "ticket", "DELETE", "tally_ticket()"),
    # After message_change_log_insert (statement triggers fire in name order): the reply is logged before
    # the ticket update it causes.
    ("message_first_response", "message", "INSERT", "message_first_response()"),
]
TRANSITION_TABLES = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _sql(function: str, version: int) -> str:
    """A released version of a function: migrations/sql/functions/<function>/v<version>.sql."""
    return function_sql(function, version, DatabaseNames.of(op.get_bind()))


def _staff() -> str:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    return ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))


def upgrade() -> None:
    staff = _staff()
    # The identity: the one query first, then the helpers that inline it.
    op.execute(_sql("session_identity", 1))
    for function, version, _before in IDENTITY:
        op.execute(_sql(function, version))
    # The tally becomes append-only.
    op.execute(f"ALTER TABLE {S}.ticket_tally DROP CONSTRAINT pk_ticket_tally")
    op.execute(f"ALTER TABLE {S}.ticket_tally ADD COLUMN seq bigint GENERATED BY DEFAULT AS IDENTITY")
    op.execute(f"ALTER TABLE {S}.ticket_tally ADD CONSTRAINT pk_ticket_tally PRIMARY KEY (seq)")
    op.execute(f"CREATE INDEX ix_ticket_tally_group ON {S}.ticket_tally (queue_id, status, assignee_id)")
    op.execute(_sql("fold_ticket_tally", 1))
    # Statement-level triggers.
    for trigger, table, _event, _call in ROW_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.{table}")
    for function, version, _before in TRIGGER_FUNCTIONS:
        op.execute(_sql(function, version))
    for trigger, table, event, call in STATEMENT_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {S}.{table} REFERENCING {TRANSITION_TABLES[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.{call}"
        )
    # Claims.
    op.execute(_sql("claim_ticket", 1))
    op.execute(_sql("claim_next_ticket", 1))
    for function in NEW_FUNCTIONS:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function} FROM PUBLIC")
    for function in CALLABLE_BY_STAFF:
        op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{function} TO {staff}")
    for name, columns, predicate in PARTIAL_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {S}.ticket ({columns}) WHERE {predicate}")
    op.execute(f"ANALYZE {S}.ticket")


def downgrade() -> None:
    for name, _columns, _predicate in PARTIAL_INDEXES:
        op.execute(f"DROP INDEX {S}.{name}")
    for trigger, table, _event, _call in STATEMENT_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.{table}")
    for function, _version, before in TRIGGER_FUNCTIONS:
        op.execute(_sql(function, before))
    for trigger, table, event, call in ROW_TRIGGERS:
        op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON {S}.{table} FOR EACH ROW EXECUTE FUNCTION {S}.{call}")
    # One row per group again, then the group is the key again.
    op.execute(f"SELECT {S}.fold_ticket_tally(NULL, NULL, NULL)")
    op.execute(f"DROP INDEX {S}.ix_ticket_tally_group")
    op.execute(f"ALTER TABLE {S}.ticket_tally DROP CONSTRAINT pk_ticket_tally")
    op.execute(f"ALTER TABLE {S}.ticket_tally DROP COLUMN seq")
    op.execute(
        f"ALTER TABLE {S}.ticket_tally ADD CONSTRAINT pk_ticket_tally PRIMARY KEY (queue_id, status, assignee_id)"
    )
    for function, _version, before in IDENTITY:
        op.execute(_sql(function, before))
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{function}")
