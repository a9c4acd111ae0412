"""Housekeeping records how far it trimmed the change log; followers compare with that.

Revision ID: 0029_change_log_trim
Revises: 0028_worker_housekeeping
Create Date: 2026-12-06

`change_log_kept_from()` (0023) told a follower the oldest entry the log keeps, and a follower whose
position lay below it rebuilt: but the oldest entry kept is also the first entry of a log that was never
trimmed, so an index built on an empty log (a new desk, a corpus loaded without triggers) rebuilt at the
first change. Housekeeping now records the newest position it deleted (`change_log_trim`, one row, written
by the trim's own transaction) and `change_log_trimmed_through()` answers with it; a log never trimmed
answers NULL and no follower rebuilds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0029_change_log_trim"
down_revision: str | None = "0028_worker_housekeeping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.create_table(
        "change_log_trim",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_change_log_trim_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log_trim")),
        schema=S,
    )
    op.execute(f"ALTER TABLE {S}.change_log_trim ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {S}.change_log_trim FORCE ROW LEVEL SECURITY")
    op.execute(
        f'CREATE POLICY change_log_trim_trusted ON {S}.change_log_trim FOR ALL TO "{names.owner_role}" '
        f"USING ((SELECT {S}.is_trusted_session())) WITH CHECK ((SELECT {S}.is_trusted_session()))"
    )
    op.execute(function_sql("change_log_trimmed_through", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_trimmed_through() FROM PUBLIC")
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_trimmed_through() TO {staff}")
    op.execute(f"DROP FUNCTION {S}.change_log_kept_from()")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.execute(function_sql("change_log_kept_from", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.change_log_kept_from() FROM PUBLIC")
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.change_log_kept_from() TO {staff}")
    op.execute(f"DROP FUNCTION {S}.change_log_trimmed_through()")
    op.drop_table("change_log_trim", schema=S)
