"""What a probe as each role found: specs checked by the database, accounts read only through a customer's
own keys and committed tickets, routing only of open tickets, nothing for logins outside the staff.

Revision ID: 0044_probe_fixes
Revises: 0043_customer_history_indexes
Create Date: 2026-12-06

A security probe through psql, as an agent, a team lead, a disabled agent and a login in no group, found
what the client never sends but its login may:

- `save_sla_policy()` v2: a lead's policy with a target of "abc" minutes (or 99,999,999,999,999) was
  stored, and every due time of every queue failed with it, the sweep included; its ladder could move
  tickets into a queue the lead may not move tickets into. The spec is now checked in the database as the
  engine reads it (and the engine leaves out a malformed policy saved before, `sla.ledger.load_book`).
- `account_claim()` v2, `account_store()` v2 and the read policy of `account_cache`: an agent read any
  customer's account (the panel's fields: balance, orders) by claiming or storing that account's id for a
  customer of theirs, or by inserting a ticket for the customer and rolling it back (no trace). A key must
  be the customer's own, written before the transaction (`account_key_of_customer()`, `written_here()`);
  the panel's account is read through a ticket created before the reading transaction. `account_verified` (the
  attributes rules match: tier, region) stays readable through the ticket a creation is writing, which its
  account priority rules read in that transaction.
- `route_ticket()` v5: a closed or merged ticket was rerouted; a decision of 1.5 MB was stored.
- `set_agent_routing()` v3: out of office until 9999-12-31 overflowed the leads' routing dry-run.
- `guard_ticket()` v3: an UPDATE that changed a ticket without raising its version was kept unversioned.
- `works_queue()` v2, `customer_has_email()` v2, `change_log_horizon()` v3: answered logins that are no
  active staff.
- `acknowledge_escalation()` v2: a closed ticket, with no escalation, was "acknowledged before any step".
- `sla_config_changed()` v2 files the queues a policy change can move (`sla_recompute.queue_ids`): a
  lead's policy wrote its name into every open ticket's ledger, other teams' too, and walked them all.
- `canned_response`: a lead's UPDATE could set another agent as a response's author; leads update only
  its title, body, queue, whether it is active, and its time.
- `end_stale_transactions()` v1, for the worker's job of that name: any staff login could hold the change
  log's horizon (every client's live updates and search index) by keeping a transaction open; the logins'
  timeouts do not bind a session that SETs its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0044_probe_fixes"
down_revision: str | None = "0043_customer_history_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("save_sla_policy", 1, 2),
    ("account_claim", 1, 2),
    ("account_store", 1, 2),
    ("route_ticket", 4, 5),
    ("set_agent_routing", 2, 3),
    ("guard_ticket", 2, 3),
    ("works_queue", 1, 2),
    ("customer_has_email", 1, 2),
    ("change_log_horizon", 2, 3),
    ("acknowledge_escalation", 1, 2),
    ("sla_config_changed", 1, 2),
]
STALE = "end_stale_transactions(integer, integer)"
KEY_OF_CUSTOMER = "account_key_of_customer(text, text, bigint, bigint)"
RESPONSE_COLUMNS = "title, body, queue_id, is_active, updated_at"
ACTIVE = f"(SELECT {S}.is_active_agent())"
# A ticket written by the reading transaction itself (created_at is its start, `guard_ticket`) opens nothing.
READ_POLICIES = {
    "account_cache_read": (
        "account_cache",
        f"EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = ANY (customer_ids))",
        f"EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = ANY (customer_ids) AND t.created_at < now())",
    ),
}


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.add_column("sla_recompute", sa.Column("queue_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True), schema=S)
    for helper in ("written_here", "account_key_of_customer", "policy_queues"):  # called by definer functions
        op.execute(function_sql(helper, 1, names))
    op.execute(
        f"REVOKE EXECUTE ON FUNCTION {S}.written_here(xid, bigint), {S}.{KEY_OF_CUSTOMER},"
        f" {S}.policy_queues(jsonb) FROM PUBLIC"
    )
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    leads = ", ".join(f'"{role}"' for role in (names.supervisor_role, names.admin_role))
    op.execute(f"REVOKE UPDATE ON {S}.canned_response FROM {leads}")
    op.execute(f"GRANT UPDATE ({RESPONSE_COLUMNS}) ON {S}.canned_response TO {leads}")
    op.execute(function_sql("end_stale_transactions", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{STALE} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {S}.{STALE} TO "{names.owner_role}"')
    for policy, (table, _before, after) in READ_POLICIES.items():
        op.execute(f"ALTER POLICY {policy} ON {S}.{table} USING ({ACTIVE} AND {after})")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    leads = ", ".join(f'"{role}"' for role in (names.supervisor_role, names.admin_role))
    op.execute(f"REVOKE UPDATE ({RESPONSE_COLUMNS}) ON {S}.canned_response FROM {leads}")
    op.execute(f"GRANT UPDATE ON {S}.canned_response TO {leads}")
    op.execute(f"DROP FUNCTION {S}.{STALE}")
    for policy, (table, before, _after) in READ_POLICIES.items():
        op.execute(f"ALTER POLICY {policy} ON {S}.{table} USING ({ACTIVE} AND {before})")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    op.execute(f"DROP FUNCTION {S}.{KEY_OF_CUSTOMER}")
    op.execute(f"DROP FUNCTION {S}.written_here(xid, bigint)")
    op.execute(f"DROP FUNCTION {S}.policy_queues(jsonb)")
    op.drop_column("sla_recompute", "queue_ids", schema=S)
