"""SLA admin views (issue 14): team leads keep the SLA policies of the queues they lead.

Revision ID: 0022_sla_admin
Revises: 0021_load_tally
Create Date: 2026-12-06

- `save_sla_policy()`: a definer function that adds or changes a policy (retiring and reordering included)
  for an admin, or for a team lead when the policy's conditions name only queues they lead, before and
  after the change; it refuses a change made on an older version (someone saved meanwhile). Executable by
  staff so that an agent hears why not (`require_role`). The `sla_policy` write policies for admins stay
  as they are (the CLI writes as the admin's own login); calendars stay an admin's, being shared by all
  queues.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0022_sla_admin"
down_revision: str | None = "0021_load_tally"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
SIGNATURE = (
    "save_sla_policy(bigint, integer, text, integer, jsonb, jsonb, boolean, bigint, double precision, jsonb, boolean)"
)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(function_sql("save_sla_policy", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{SIGNATURE} TO {staff}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {S}.{SIGNATURE}")
