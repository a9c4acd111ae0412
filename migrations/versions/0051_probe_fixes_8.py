"""What a tenth probe as each role found: an agent taken out of a queue kept every ticket assigned to them
there, and a demoted admin kept the old powers in a transaction begun before; a lead's overflow cap of 2.0
stopped every creation of the queue; a login cycling its lock holds past the stale-transaction job held a
queue's tickets three quarters of the time; a closed ticket could be escalated; one INSERT gave a new
customer three addresses where the first only is the staff's to add.

Revision ID: 0051_probe_fixes_8
Revises: 0050_probe_fixes_7
Create Date: 2026-12-07

- A ticket is seen and changed by its queue only (one the login works, leads or, an admin, any): the
  policies `ticket_read`, `ticket_edit`, `tally_read` and the definer functions that checked "or its
  assignee" (`lock_visible_ticket()` v4, `acknowledge_escalation()` v3, `announce_presence()` v2,
  `kb_create_article()` v2, `link_customer_account()` v2, `store_sla_due()` v2, `can_see_customer()` v2,
  `account_key_of_customer()` v2) no longer let the assignee in otherwise. An assignee works the ticket's queue, so the clause only let in those who had left: a probe
  took an agent out of her only queue and she still read 182 tickets with their messages and wrote notes.
- `release_lost_work()`: whoever stops working a queue (a membership deleted, a queue's lead changed, a role
  lowered, disabled) has their open tickets there unassigned at the commit (but those a colleague holds
  locked at that moment: the change never waits on a lock) (audited as 'release'; "get next" skipped
  them, assigned to someone outside the team), and their sessions in a transaction begun before the change
  ended first (a demoted admin's REPEATABLE READ transaction set another admin's password afterwards; the
  person's own lock on a ticket of theirs made the change fail).
- Whole numbers in routing settings and an agent's facts are written as whole numbers (`is_whole_number()`,
  `set_routing_config()` v3, `set_agent_routing()` v5): 2.0 passed `% 1 = 0` and failed `route_ticket()`'s
  `::integer`, so every ticket creation and "become available" of the queue failed. What a site holds
  (2.0, a shift's 540.0) is rewritten as whole numbers.
- `end_stale_transactions()` v5 keeps a login's last eight runs, also after it ends one of its sessions:
  found holding locks at three in a row or four of the eight, it is ended (a hold of 90 s in every 120,
  timed between runs, was never ended); a session waiting for another's lock is not counted as holding.
- `escalate_ticket()` v4 refuses a resolved or closed ticket; `guard_ticket()` v4 reopens one unassigned
  when its assignee no longer works the queue (it came back "in progress" with someone who could not see it).
- `customer_has_email()` v3 is VOLATILE, so the second row of one INSERT of a new customer's addresses sees
  the first (a STABLE function does not see its own statement's rows).
"""

import json
from collections.abc import Sequence
from typing import Any

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0051_probe_fixes_8"
down_revision: str | None = "0050_probe_fixes_7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("lock_visible_ticket", 3, 4),
    ("acknowledge_escalation", 2, 3),
    ("announce_presence", 1, 2),
    ("kb_create_article", 1, 2),
    ("link_customer_account", 1, 2),
    ("store_sla_due", 1, 2),
    ("can_see_customer", 1, 2),
    ("account_key_of_customer", 1, 2),
    ("set_routing_config", 2, 3),
    ("set_agent_routing", 4, 5),
    ("end_stale_transactions", 4, 5),
    ("escalate_ticket", 3, 4),
    ("customer_has_email", 2, 3),
    ("guard_ticket", 3, 4),
]
# Helpers only definer functions and triggers call, as the owner: nobody else may execute them.
NEW_FUNCTIONS = [("is_whole_number", "jsonb, bigint, bigint"), ("release_lost_work", "")]
BY_QUEUE = f"(queue_id = ANY ((SELECT {S}.visible_queue_ids())::bigint[]))"
OR_ASSIGNEE = f"({BY_QUEUE} OR (assignee_id = (SELECT {S}.current_agent_id())))"
POLICIES = [("ticket_read", "ticket", False), ("ticket_edit", "ticket", True), ("tally_read", "ticket_tally", False)]
# Where someone stops working a queue: (trigger, table, event, condition).
RELEASES = [
    ("release_lost_membership", "queue_member", "DELETE", ""),
    ("release_lost_lead", "queue", "UPDATE OF team_lead_id", "OLD.team_lead_id IS DISTINCT FROM NEW.team_lead_id"),
    (
        "release_lost_role",
        "agent",
        "UPDATE OF role, is_active",
        "OLD.role = 'admin' AND NEW.role <> 'admin' OR OLD.role = 'supervisor' AND NEW.role = 'agent'"
        " OR OLD.is_active AND NOT NEW.is_active",
    ),
]


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for function, signature in NEW_FUNCTIONS:
        op.execute(function_sql(function, 1, names))
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function}({signature}) FROM PUBLIC")
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    for policy, table, writes in POLICIES:
        _policy(policy, table, BY_QUEUE, writes)
    for trigger, table, event, condition in RELEASES:
        when = f" WHEN ({condition})" if condition else ""
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {trigger} AFTER {event} ON {S}.{table} DEFERRABLE INITIALLY DEFERRED"
            f" FOR EACH ROW{when} EXECUTE FUNCTION {S}.release_lost_work()"
        )
    _whole_numbers("routing_config", "settings")
    _whole_numbers("agent", "shift")
    op.execute(f"DELETE FROM {S}.stale_lock_sample")  # counts of version 4; version 5 keeps bits


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(f"DELETE FROM {S}.stale_lock_sample")
    for trigger, table, _event, _condition in RELEASES:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.{table}")
    for policy, table, writes in POLICIES:
        _policy(policy, table, OR_ASSIGNEE, writes)
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    for function, signature in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{function}({signature})")


def _policy(policy: str, table: str, expression: str, writes: bool) -> None:
    check = f" WITH CHECK {expression}" if writes else ""
    op.execute(f"ALTER POLICY {policy} ON {S}.{table} USING {expression}{check}")


def _whole_numbers(table: str, column: str) -> None:
    """JSON numbers written with a fraction of zero (2.0) rewritten as whole numbers, triggers off for the
    statement: a repair of a value's spelling, not anyone's change."""
    bind = op.get_bind()
    rows = bind.execute(text(f'SELECT id, "{column}"::text FROM {S}.{table} WHERE "{column}" IS NOT NULL')).all()
    repaired = {}
    for row_id, stored in rows:
        value = json.loads(stored)
        whole = _whole(value)
        if json.dumps(whole) != json.dumps(value):
            repaired[row_id] = json.dumps(whole)
    if not repaired:
        return
    op.execute(f"ALTER TABLE {S}.{table} DISABLE TRIGGER USER")
    for row_id, value in repaired.items():
        bind.execute(
            text(f'UPDATE {S}.{table} SET "{column}" = CAST(:value AS jsonb) WHERE id = :id'),
            {
                "value": value,
                "id": row_id,
            },
        )
    op.execute(f"ALTER TABLE {S}.{table} ENABLE TRIGGER USER")
    print(f"0051: {table}: {len(repaired)} rows' {column} held numbers such as 2.0: written as whole numbers")


def _whole(value: Any) -> Any:
    """As `app.services.routing.parsing.whole_numbers` today; a migration keeps its own copy of what it ran."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value
