"""The change log's read horizon counts this database's transactions only.

Revision ID: 0007_change_log_horizon
Revises: 0006_hardening
Create Date: 2026-12-01

Readers of the change log stop below the oldest transaction that could still add an entry. 0006 took the
server-wide oldest running transaction (`pg_snapshot_xmin`), so a long writing transaction in *another*
database on the same server — another application's batch job on a shared LAN server — held back every
Switchboard client's live updates until it ended. Only transactions connected to this database can write
its change log, so the horizon is now the oldest transaction id among this database's backends (and its
prepared transactions), or the next id to be assigned when none is running.

Why it is safe: the horizon is computed in its own statement, before the statement that reads the log
takes its snapshot (READ COMMITTED, or autocommit). Every transaction below the horizon had ended when
the horizon was computed, so the later snapshot sees its entries; every transaction that starts later
gets a larger id. Statistics are re-read on each call (`pg_stat_clear_snapshot`), and the definer reads
other logins' transaction ids through `pg_read_all_stats`, granted to the owner role (NOLOGIN).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0007_change_log_horizon"
down_revision: str | None = "0006_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"

def upgrade() -> None:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    op.execute(f"DROP FUNCTION {S}.change_log_horizon()")
    op.execute(function_sql("change_log_horizon", 2, DatabaseNames.of(op.get_bind())))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_horizon() FROM PUBLIC")
    staff = ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_horizon() TO {staff}")
    op.execute(f'GRANT pg_read_all_stats TO "{database}_owner"')


def downgrade() -> None:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    op.execute(f"DROP FUNCTION {S}.change_log_horizon()")
    op.execute(function_sql("change_log_horizon", 1, DatabaseNames.of(op.get_bind())))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_horizon() FROM PUBLIC")
    staff = ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_horizon() TO {staff}")
    op.execute(f'REVOKE pg_read_all_stats FROM "{database}_owner"')
