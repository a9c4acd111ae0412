"""session_identity() in PL/pgSQL: the same answer, planned once per session instead of once per statement.

Revision ID: 0011_identity_plpgsql
Revises: 0010_routing
Create Date: 2026-12-05

Measured for issue 12: as a SQL-language function PostgreSQL 15 re-plans its query in every statement that
calls it (1.2 ms, most of an agent's page overhead over the superuser's and half of a claim's time); the
same body in PL/pgSQL takes 0.27 ms on its first call and keeps its plan. The one-line identity helpers
over it (`current_agent_id()`, `visible_queue_ids()` …) stay as they are.
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0011_identity_plpgsql"
down_revision: str | None = "0010_routing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(function_sql("session_identity", 2, DatabaseNames.of(op.get_bind())))


def downgrade() -> None:
    op.execute(function_sql("session_identity", 1, DatabaseNames.of(op.get_bind())))
