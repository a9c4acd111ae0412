"""Exit 7 and exit 8 as a script sees them: a schema this build does not match, and a row someone else holds."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy.engine import URL

from app.services.platform.database import schema
from app.services.platform.database.dsn import libpq_dsn
from app.services.platform.database.engine import build_engine
from tests.e2e.test_cli import _create, as_, on_test_db, switchboard
from tests.support.postgres import PgServer

pytestmark = pytest.mark.slow
__all__ = ["on_test_db"]  # the fixture, shared with the CLI tests


@pytest.mark.parametrize("revision", ["0005_jobs", "0999_from_the_future"])
def test_a_schema_behind_or_ahead_of_the_build_is_exit_7_naming_both(pg_server: PgServer, revision: str) -> None:
    url = pg_server.create_database()
    engine = build_engine(url)
    try:
        if revision == "0005_jobs":
            schema.upgrade(engine, revision)
        else:
            schema.upgrade(engine)
            with psycopg.connect(libpq_dsn(url), autocommit=True) as dba:
                dba.execute("UPDATE switchboard.alembic_version SET version_num = %s", (revision,))
        done = switchboard("--database", url.render_as_string(hide_password=False), "ticket", "list")
    finally:
        engine.dispose()
        pg_server.drop_database(url)
    assert done.returncode == 7, done.stderr
    assert revision in done.stderr and schema.code_revision() in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_ticket_held_by_another_transaction_is_exit_8_and_nothing_is_saved(
    on_test_db: list[str], database_url: URL
) -> None:
    created = _create(on_test_db)
    number = str(created["number"])
    with psycopg.connect(libpq_dsn(database_url)) as holder:
        holder.execute("SELECT 1 FROM switchboard.ticket WHERE number = %s FOR UPDATE", (int(number),))
        done = switchboard(*on_test_db, *as_(on_test_db, "alice"), "ticket", "status", number, "in_progress")
        holder.rollback()
    assert done.returncode == 8, done.stderr
    assert "try again" in done.stderr and "Traceback" not in done.stderr
    shown = json.loads(switchboard(*on_test_db, *as_(on_test_db, "alice"), "ticket", "show", number, "--json").stdout)
    assert shown["status"] == "new" and shown["version"] == created["version"]
