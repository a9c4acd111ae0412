"""The migration history: up, down and up again on each server, and the models match what it builds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from app.models import SCHEMA, Base
from app.services.errors import SchemaMismatch
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine
from app.services.platform.uow import UnitOfWork
from app.services.tickets.service import load_rules
from tests.support.postgres import PgServer
from tests.support.rules import DEFAULT_RULES


@pytest.fixture
def fresh_engine(pg_server: PgServer) -> Iterator[Engine]:
    url = pg_server.create_database()
    engine = build_engine(url)
    yield engine
    engine.dispose()
    pg_server.drop_database(url)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names(schema=SCHEMA))


def test_base_to_head_to_base_to_head(fresh_engine: Engine) -> None:
    schema.upgrade(fresh_engine)
    assert {"ticket", "message", "audit_event", "change_log"} <= _tables(fresh_engine)
    schema.downgrade(fresh_engine, "base")
    assert _tables(fresh_engine) <= {"alembic_version"}
    schema.upgrade(fresh_engine)
    assert schema.schema_status(fresh_engine).is_current


def test_the_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, _p: type_ != "schema" or name == SCHEMA,
                "version_table_schema": SCHEMA,
                "compare_type": True,
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_seeded_lifecycle_is_the_documented_one(session_factory: sessionmaker[Session]) -> None:
    with UnitOfWork(session_factory) as uow:
        rules = load_rules(uow)
    assert dict(rules.categories) == dict(DEFAULT_RULES.categories)
    assert rules.moves == DEFAULT_RULES.moves


def test_a_client_refuses_a_schema_behind_it(fresh_engine: Engine) -> None:
    with pytest.raises(SchemaMismatch, match="switchboard db upgrade"):
        schema.require_current_schema(fresh_engine)


def test_a_client_refuses_a_schema_ahead_of_it(fresh_engine: Engine) -> None:
    schema.upgrade(fresh_engine)
    with fresh_engine.begin() as connection:
        connection.execute(text(f"UPDATE {SCHEMA}.alembic_version SET version_num = '0999_from_the_future'"))
    with pytest.raises(SchemaMismatch) as refused:
        schema.require_current_schema(fresh_engine)
    message = str(refused.value)
    assert "0999_from_the_future" in message and schema.code_revision() in message
    assert "newer Switchboard build" in message
