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

revision: str = "0007_change_log_horizon"
down_revision: str | None = "0006_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"

# A 32-bit transaction id widened to the 64-bit form of pg_current_xact_id(), by the epoch of `next_id`
# (an id is never more than 2^31 behind the next one).
HORIZON = f"""
CREATE OR REPLACE FUNCTION {S}.change_log_horizon() RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, {S}, pg_temp AS $fn$
DECLARE
    next_id bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    oldest bigint;
BEGIN
    PERFORM pg_stat_clear_snapshot();
    SELECT min(CASE WHEN widened > next_id THEN widened - 4294967296 ELSE widened END) INTO oldest
    FROM (SELECT ((next_id >> 32) << 32) + xid::text::bigint AS widened
          FROM (SELECT backend_xid AS xid FROM pg_stat_activity
                WHERE datname = current_database() AND backend_xid IS NOT NULL
                UNION ALL
                SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()) running
         ) ids;
    RETURN least(coalesce(oldest, next_id), next_id);
END $fn$"""


def upgrade() -> None:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    op.execute(f"DROP FUNCTION {S}.change_log_horizon()")
    op.execute(HORIZON)
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_horizon() FROM PUBLIC")
    staff = ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_horizon() TO {staff}")
    op.execute(f'GRANT pg_read_all_stats TO "{database}_owner"')


def downgrade() -> None:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    op.execute(f"DROP FUNCTION {S}.change_log_horizon()")
    op.execute(
        f"CREATE FUNCTION {S}.change_log_horizon() RETURNS bigint LANGUAGE sql STABLE "
        f"SET search_path = pg_catalog, {S}, pg_temp "
        "AS $fn$ SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint $fn$"
    )
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_horizon() FROM PUBLIC")
    staff = ", ".join(f'"{database}_{kind}"' for kind in ("agent", "supervisor", "admin"))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_horizon() TO {staff}")
    op.execute(f'REVOKE pg_read_all_stats FROM "{database}_owner"')
