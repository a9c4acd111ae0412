"""Disabling a user waits until their sessions have ended (`disable_user()` version 3).

Revision ID: 0042_disable_waits
Revises: 0041_identity_who
Create Date: 2026-12-06

Version 2 signalled the user's sessions and returned: the user's client could, for a moment, still take an
idle pooled connection whose end the server had not yet announced, and its next statement was cut off
("terminating connection due to administrator command") instead of the sign-in refusing the disabled login
by name. Found by `test_a_disabled_agent_reads_nothing_outside_a_transaction`, which failed once in CI.
A session the login opened while the wait held the transaction open is ended too (see the function's notes).
"""

from collections.abc import Sequence

from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0042_disable_waits"
down_revision: str | None = "0041_identity_who"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(function_sql("disable_user", 3, DatabaseNames.of(op.get_bind())))


def downgrade() -> None:
    op.execute(function_sql("disable_user", 2, DatabaseNames.of(op.get_bind())))
