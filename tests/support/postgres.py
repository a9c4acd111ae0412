"""Real PostgreSQL for the tests: the embedded server, and the system server when one is named.

Every database test runs once per server. Each server gets a fresh database migrated to head for the
session; each test runs inside a transaction that is rolled back (services' commits become savepoints),
except tests that ask for `committed_runtime`, which really commit and are cleaned up afterwards.

Migrating a database (~2.5 s) and dropping one (a checkpoint, 1-3 s) are most of what a module's own
desk costs, and dozens of modules make one on each server. So each server has one background worker
(`_Housekeeper`) that migrates the next database while the tests use the current one, and drops the
databases the tests are done with while the next tests run; the session waits for it at the end. The
databases are the same as before (a fresh name, migrated to head by `schema.upgrade` as the DBA); only
when the work happens changed.
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from app.bootstrap import Runtime
from app.models import load_all
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.embedded import start_server
from app.services.platform.database.engine import build_engine, build_session_factory

SYSTEM_SERVER_VARIABLE = "SWITCHBOARD_TEST_DATABASE_URL"
# What a committed test may leave behind: every table of the models but the seeded vocabulary.
REFERENCE_TABLES = {"ticket_status", "status_transition"}
DATA_TABLES = [table.name for table in load_all().metadata.sorted_tables if table.name not in REFERENCE_TABLES]


@dataclass(frozen=True)
class PgServer:
    """A server the suite may create and drop databases on."""

    name: str
    maintenance_url: URL

    def create_database(self) -> URL:
        name = f"switchboard_test_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self.maintenance_url.set(database=name)

    def migrated_database(self) -> URL:
        """A fresh database migrated to head (made in the background while earlier tests ran)."""
        return _housekeeper(self).take_migrated()

    def drop_database(self, url: URL) -> None:
        """Drop the database and the roles named after it (roles are cluster-wide and would pile up), in
        the background: nothing waits for a database no test uses any more (`finish_housekeeping`)."""
        _housekeeper(self).drop_later(url)

    def drop_database_now(self, url: URL) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        drop_roles_of(self.maintenance_url, str(url.database))

    def create_migrated_database_now(self) -> URL:
        url = self.create_database()
        engine = build_engine(url)
        try:
            schema.upgrade(engine)
        finally:
            engine.dispose()
        return url

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


_T = TypeVar("_T")
# Alembic's `op` and `context` are module-level proxies, one per process: two migrations at once (the
# housekeeper's and a test's own) would run each other's operations. Every migration takes this lock.
_ALEMBIC_LOCK = threading.RLock()


def _one_migration_at_a_time() -> None:
    from alembic import command  # schema.upgrade/downgrade look these up at each call

    def serialised(function: Callable[..., _T]) -> Callable[..., _T]:
        if getattr(function, "_serialised", False):
            return function

        @functools.wraps(function)
        def locked(*args: Any, **kwargs: Any) -> _T:
            with _ALEMBIC_LOCK:
                return function(*args, **kwargs)

        locked._serialised = True  # type: ignore[attr-defined]
        return locked

    command.upgrade = serialised(command.upgrade)
    command.downgrade = serialised(command.downgrade)


class _Housekeeper:
    """One thread per server: migrates the next fresh database ahead of need, drops finished ones."""

    def __init__(self, server: PgServer) -> None:
        _one_migration_at_a_time()
        self._server = server
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"test-db-{server.name}")
        self._spare: Future[URL] | None = self._worker.submit(server.create_migrated_database_now)
        self._drops: list[Future[None]] = []

    def take_migrated(self) -> URL:
        migrate = self._server.create_migrated_database_now
        spare = self._spare or self._worker.submit(migrate)
        self._spare = self._worker.submit(migrate)  # for the next one asking
        return spare.result()

    def drop_later(self, url: URL) -> None:
        self._drops.append(self._worker.submit(self._server.drop_database_now, url))

    def finish(self) -> None:
        """Wait for every drop (their errors are the session's), and drop the spare nobody took."""
        if self._spare is not None and not self._spare.cancel():
            self.drop_later(self._spare.result())
        self._spare = None
        self._worker.shutdown(wait=True)
        for drop in self._drops:
            drop.result()


_housekeepers: dict[str, _Housekeeper] = {}


def _key(server: PgServer) -> str:
    return server.maintenance_url.render_as_string(hide_password=False)


def _housekeeper(server: PgServer) -> _Housekeeper:
    key = _key(server)
    if key not in _housekeepers:
        _housekeepers[key] = _Housekeeper(server)
    return _housekeepers[key]


def finish_housekeeping(server: PgServer) -> None:
    housekeeper = _housekeepers.pop(_key(server), None)
    if housekeeper is not None:
        housekeeper.finish()


def _system_server() -> PgServer:
    url_text = os.environ.get(SYSTEM_SERVER_VARIABLE)
    if not url_text:
        pytest.skip(f"{SYSTEM_SERVER_VARIABLE} is not set; the system PostgreSQL tests did not run")
    return PgServer("system", parse_database_url(url_text, source=SYSTEM_SERVER_VARIABLE))


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    pgdata: Path = tmp_path_factory.mktemp("embedded") / "pgdata"
    server = PgServer("embedded", start_server(pgdata, delete_when_done=True))
    yield server
    finish_housekeeping(server)  # before the server stops


@pytest.fixture(scope="session", params=["embedded", "system"])
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer]:
    if request.param == "system":
        server = _system_server()
        yield server
        finish_housekeeping(server)
        return
    embedded: PgServer = request.getfixturevalue("embedded_server")
    yield embedded


@pytest.fixture(scope="session")
def database_url(pg_server: PgServer) -> Iterator[URL]:
    """A database migrated to head, for the whole session on this server."""
    url = pg_server.migrated_database()
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
