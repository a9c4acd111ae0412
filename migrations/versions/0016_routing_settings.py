"""Routing settings edited from the CLI and the desktop: agent facts as one JSON object, checked settings.

Revision ID: 0016_routing_settings
Revises: 0015_performance_2
Create Date: 2026-12-06

- `set_agent_routing(agent, facts jsonb)` (version 2) replaces the positional version 1: capacity,
  languages, skills, time zone, weekly shift, out of office and substitute, and memberships of the queues
  the caller leads; a supervisor for the agents of the queues they lead, an admin for anyone, and every
  agent for their own out of office and substitute only. The substitute must be another active agent of
  one of the agent's queues; a shift must be a valid weekly schedule.
- `set_routing_config()` (version 2) checks the settings it stores: routing reads them on every intake,
  and a weight that is not a number would stop it.
- `route_ticket()` (version 4) checks out of office in the winner's own time zone and their weekly shift,
  as the scoring does.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0016_routing_settings"
down_revision: str | None = "0015_performance_2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
OLD_AGENT = "set_agent_routing(bigint, integer, text[], jsonb, date, bigint)"
NEW_AGENT = "set_agent_routing(bigint, jsonb)"


def _staff(names: DatabaseNames) -> str:
    return ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(f"DROP FUNCTION {S}.{OLD_AGENT}")
    op.execute(function_sql("set_agent_routing", 2, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{NEW_AGENT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{NEW_AGENT} TO {_staff(names)}")
    op.execute(function_sql("set_routing_config", 2, names))
    op.execute(function_sql("route_ticket", 4, names))


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("route_ticket", 3, names))
    op.execute(function_sql("set_routing_config", 1, names))
    op.execute(f"DROP FUNCTION {S}.{NEW_AGENT}")
    op.execute(function_sql("set_agent_routing", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{OLD_AGENT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{OLD_AGENT} TO {_staff(names)}")
