"""Who is acting, without the queues they see: `session_who()`, for every identity helper but the two that
need the queue arrays.

Revision ID: 0041_identity_who
Revises: 0040_undated_claimable_cover
Create Date: 2026-12-06

Every read policy of "active staff" (queues, agents, customers, organisations, addresses), the ticket
policy's "my agent id", `is_admin()`, `current_login()` and the knowledge base's editor check asked
`session_identity()`, which also built the visible and led queue arrays: 69 µs a call as an agent, of which
the arrays were two thirds. A queue page as an agent evaluates eight identity init plans, a claim's summary
six, a ticket's creation dozens (issue 12).

- `session_who()` version 1: the login, the active agent's id and role, trusted or not (21 µs).
- `session_identity()` version 3: the same answer as version 2, its first four columns from `session_who()`.
- `current_login()` v3, `current_agent_id()` v4, `current_agent_role()` v4, `is_admin()` v3,
  `is_active_agent()` v4 (still inlinable) and `kb_is_editor()` v2 ask `session_who()`; so do the audit
  triggers of tickets and messages (`audit_ticket()` v5, `audit_message()` v3: the actor's id and login).
  `visible_queue_ids()`, `led_queue_ids()` and the definer functions that check queues keep asking
  `session_identity()`.

`session_who()` is callable by the staff groups only, like `session_identity()`.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0041_identity_who"
down_revision: str | None = "0040_undated_claimable_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
# (function, version before, version after): each now asks session_who()
ASKING_WHO = [
    ("current_login", 2, 3),
    ("current_agent_id", 3, 4),
    ("current_agent_role", 3, 4),
    ("is_admin", 2, 3),
    ("is_active_agent", 3, 4),
    ("kb_is_editor", 1, 2),
    ("audit_ticket", 4, 5),
    ("audit_message", 2, 3),
]


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(function_sql("session_who", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.session_who() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.session_who() TO {staff}")
    op.execute(function_sql("session_identity", 3, names))
    for function, _before, after in ASKING_WHO:
        op.execute(function_sql(function, after, names))


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for function, before, _after in ASKING_WHO:
        op.execute(function_sql(function, before, names))
    op.execute(function_sql("session_identity", 2, names))
    op.execute(f"DROP FUNCTION {S}.session_who()")
