"""Real PostgreSQL for the tests: the embedded server, and the system server when one is named.

Every database test runs once per server. Each server gets a fresh database migrated to head for the
session; each test runs inside a transaction that is rolled back (services' commits become savepoints),
except tests that ask for `committed_runtime`, which really commit and are cleaned up afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from app.bootstrap import Runtime
from app.models import Base
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.embedded import start_server
from app.services.platform.database.engine import build_engine, build_session_factory

SYSTEM_SERVER_VARIABLE = "SWITCHBOARD_TEST_DATABASE_URL"
# What a committed test may leave behind: every table of the models but the seeded vocabulary.
REFERENCE_TABLES = {"ticket_status", "status_transition"}
DATA_TABLES = [table.name for table in Base.metadata.sorted_tables if table.name not in REFERENCE_TABLES]


@dataclass(frozen=True)
class PgServer:
    """A server the suite may create and drop databases on."""

    name: str
    maintenance_url: URL

    def create_database(self) -> URL:
        name = f"switchboard_test_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self.maintenance_url.set(database=name)

    def drop_database(self, url: URL) -> None:
        """Drop the database and the roles named after it (roles are cluster-wide and would pile up)."""
        self._execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        drop_roles_of(self.maintenance_url, str(url.database))

    def _execute(self, statement: str) -> None:
        libpq = self.maintenance_url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True) as connection:
            connection.execute(statement)


GROUP_SUFFIXES = ("_agent", "_supervisor", "_admin", "_owner")


def drop_roles_of(maintenance_url: URL, database: str) -> None:
    """Login roles first (they are members), then the groups, the owner last."""
    libpq = maintenance_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (f"{database}_",)
            )
        ]
        rank = {suffix: index for index, suffix in enumerate(GROUP_SUFFIXES, start=1)}
        for name in sorted(names, key=lambda n: next((r for s, r in rank.items() if n.endswith(s)), 0)):
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _system_server() -> PgServer:
    url_text = os.environ.get(SYSTEM_SERVER_VARIABLE)
    if not url_text:
        pytest.skip(f"{SYSTEM_SERVER_VARIABLE} is not set; the system PostgreSQL tests did not run")
    return PgServer("system", parse_database_url(url_text, source=SYSTEM_SERVER_VARIABLE))


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> PgServer:
    pgdata: Path = tmp_path_factory.mktemp("embedded") / "pgdata"
    return PgServer("embedded", start_server(pgdata, delete_when_done=True))


@pytest.fixture(scope="session", params=["embedded", "system"])
def pg_server(request: pytest.FixtureRequest) -> PgServer:
    if request.param == "system":
        return _system_server()
    server: PgServer = request.getfixturevalue("embedded_server")
    return server


@pytest.fixture(scope="session")
def database_url(pg_server: PgServer) -> Iterator[URL]:
    """A database migrated to head, for the whole session on this server."""
    url = pg_server.create_database()
    engine = build_engine(url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: URL) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions bound to one connection whose outer transaction is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        outer.rollback()


@pytest.fixture
def committed_runtime(engine: Engine) -> Iterator[Runtime]:
    """For tests that need real commits (other processes, LISTEN/NOTIFY): emptied afterwards."""
    reset_data(engine)
    yield Runtime(engine, build_session_factory(engine))
    reset_data(engine)


def reset_data(engine: Engine) -> None:
    tables = ", ".join(f"switchboard.{name}" for name in DATA_TABLES)
    with engine.begin() as connection:
        # The audit trail refuses TRUNCATE through a trigger; replica mode (superuser only) skips triggers.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
