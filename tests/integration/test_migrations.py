"""The migration history: up, down and up again on each server, and the models match what it builds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from app.models import SCHEMA, load_all
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


def test_a_desk_a_few_steps_behind_upgrades(fresh_engine: Engine) -> None:
    """As IT upgrades a team server: the roles check runs on a desk that has a schema. On PostgreSQL 16 (the
    embedded server) migration 0047 makes the admin group a member of pg_use_reserved_connections, and every
    later upgrade refused that group as "not one Switchboard made" (a probe upgrading a 0049 desk to 0050)."""
    schema.upgrade(fresh_engine)
    schema.downgrade(fresh_engine, "0047_probe_fixes_4")
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
        differences = compare_metadata(context, load_all().metadata)
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


def test_addresses_from_before_0034_vouch_for_nothing_and_what_they_corroborated_stops_counting(
    fresh_engine: Engine,
) -> None:
    """Nobody recorded who wrote an address before 0034 (an agent may have given a customer its first), so
    the upgrade marks every one 'unknown' and takes back the corroborations that rested on an address."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema.alembic_config())
    before = script.get_revision("0034_email_source").down_revision
    assert isinstance(before, str)
    schema.upgrade(fresh_engine, before)
    with fresh_engine.begin() as connection:
        customer = connection.execute(
            text(f"INSERT INTO {SCHEMA}.customer (name) VALUES ('Old') RETURNING id")
        ).scalar_one()
        connection.execute(
            text(f"INSERT INTO {SCHEMA}.customer_email (customer_id, address) VALUES (:c, 'old@x.test')"),
            {"c": customer},
        )
        for connector, why in [("by_email", "customer_email"), ("by_tool", "tool_email"), ("trusted", "site_trust")]:
            connection.execute(
                text(
                    f"INSERT INTO {SCHEMA}.account_verified (customer_id, connector, key_kind, key, found, attributes,"
                    " corroborated_by, checked_at, verified_at, expires_at, verified_by) VALUES (:c, :connector,"
                    " 'email', 'old@x.test', true, '{\"tier\": \"vip\"}', :why, now(), now(),"
                    " now() + interval '1 hour', 'the worker')"
                ),
                {"c": customer, "connector": connector, "why": why},
            )
    schema.upgrade(fresh_engine, "0034_email_source")
    with fresh_engine.connect() as connection:
        assert connection.execute(text(f"SELECT source FROM {SCHEMA}.customer_email")).scalars().all() == ["unknown"]
        rows = connection.execute(
            text(
                f"SELECT connector, corroborated_by, expires_at <= now() FROM {SCHEMA}.account_verified"
                " ORDER BY connector"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("by_email", None, True),
        ("by_tool", None, True),
        ("trusted", "site_trust", False),  # the site's own trust rests on no address
    ]
    schema.downgrade(fresh_engine, before)
    schema.upgrade(fresh_engine)


def test_breach_marks_written_before_0052_get_who_held_the_ticket_then(fresh_engine: Engine) -> None:
    """The upgrade fills in each mark's holder from the ticket's audit: a breach before a reassignment is the
    first agent's, one after it the second's, one on a ticket never reassigned its assignee's."""
    schema.upgrade(fresh_engine)
    ids: dict[str, int] = {}

    def run(statement: str, **values: object) -> int:
        with fresh_engine.begin() as connection:
            return int(connection.execute(text(statement), values).scalar_one())

    ids["queue"] = run(f"SELECT {SCHEMA}.create_queue('Billing', '')")
    ids["customer"] = run(f"INSERT INTO {SCHEMA}.customer (name) VALUES ('Jane') RETURNING id")
    for name in ("ann", "ben"):
        ids[name] = run(
            f"INSERT INTO {SCHEMA}.agent (display_name, email, db_login, role, availability) VALUES (:n, :email,"
            " :login, 'agent', 'available') RETURNING id",
            n=name,
            email=f"{name}@desk.test",
            login=f"migration_{name}",
        )
    for ticket in ("handed_on", "kept"):
        ids[ticket] = run(
            f"INSERT INTO {SCHEMA}.ticket (subject, status, priority, type, queue_id, customer_id, channel,"
            " assignee_id) VALUES (:s, 'new', 2, 'question', :q, :c, 'manual', :a) RETURNING id",
            s=ticket,
            q=ids["queue"],
            c=ids["customer"],
            a=ids["ann"],
        )
    mark = (
        f"INSERT INTO {SCHEMA}.sla_ledger (ticket_id, target, entry, at, note) VALUES (:t, 'resolution', 'breach',"
        " clock_timestamp(), 'probe') RETURNING id"
    )
    before = run(mark, t=ids["handed_on"])
    kept = run(mark, t=ids["kept"])
    run(f"UPDATE {SCHEMA}.ticket SET assignee_id = :b WHERE id = :t RETURNING id", b=ids["ben"], t=ids["handed_on"])
    after = run(mark, t=ids["handed_on"])
    schema.downgrade(fresh_engine, "0051_probe_fixes_8")
    schema.upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, assignee_id FROM {SCHEMA}.sla_ledger WHERE note = 'probe'"))
        holders = {mark_id: holder for mark_id, holder in rows}
    assert holders == {before: ids["ann"], kept: ids["ann"], after: ids["ben"]}
