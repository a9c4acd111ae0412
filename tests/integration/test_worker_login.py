"""The worker's jobs as `switchboard worker` runs them in a team's set-up: signed in as its own login, a
member of the owner role and not a superuser (docs/it-guide.md), so row-level security applies to it.
Other tests run the jobs as the database's superuser, which passes row-level security: under the worker's
own login the SLA sweep saw no watched ticket and escalated nothing, and housekeeping deleted nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import trim_change_log
from tests.integration.test_sla_escalation import breached_two_hours_ago, create, ledger, settle, ticket, world_with

pytestmark = pytest.mark.slow


@pytest.fixture
def worker_runtime(committed_runtime: Runtime) -> Iterator[Runtime]:
    engine: Engine = committed_runtime.engine
    with engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        login, owner = f"{database}_sla_worker", f"{database}_owner"
        raw = connection.connection.driver_connection
        assert raw is not None
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first() is None:
            raw.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(login), sql.Identifier(owner)))
    worker_engine = build_engine(engine.url.set(username=login, password=None))
    try:
        yield Runtime(worker_engine, build_session_factory(worker_engine))
    finally:
        worker_engine.dispose()


def test_the_worker_login_sweeps_and_escalates_each_breach_once(
    committed_runtime: Runtime, worker_runtime: Runtime
) -> None:
    world = world_with(committed_runtime, [{"level": 3, "after_breach_minutes": 60, "action": "move_to_queue"}])
    ticket_id = create(world)
    breached_two_hours_ago(committed_runtime, ticket_id)
    results = settle(worker_runtime)
    assert sum(r["moved"] for r in results) == 1
    assert ticket(committed_runtime, ticket_id).queue_id == world.tech
    assert ledger(committed_runtime, ticket_id, "resolution").count(("escalate", "level 3: move to queue")) == 1
    assert sum(r["moved"] for r in settle(worker_runtime)) == 0  # once


def test_an_agent_still_neither_reads_the_watch_list_nor_writes_steps(committed_runtime: Runtime) -> None:
    world = world_with(committed_runtime, [])
    ticket_id = create(world)
    with world.uow("alice") as uow, pytest.raises(DBAPIError):
        uow.session.execute(text("SELECT count(*) FROM switchboard.sla_watch")).scalar_one()
    with world.uow("alice") as uow, pytest.raises(DBAPIError):
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_step (ticket_id, target, level, due_at, action)"
                " VALUES (:t, 'resolution', 1, now(), 'notify')"
            ),
            {"t": ticket_id},
        )


def test_the_worker_login_trims_the_change_log(committed_runtime: Runtime, worker_runtime: Runtime) -> None:
    world = world_with(committed_runtime, [])
    create(world)
    with committed_runtime.uow() as uow:
        entries = uow.session.execute(text("SELECT count(*) FROM switchboard.change_log")).scalar_one()
        uow.session.execute(text("UPDATE switchboard.change_log SET changed_at = changed_at - interval '40 days'"))
        create(world)  # a newer entry: housekeeping keeps the newest of all anyway
        uow.commit()
    assert entries > 0
    result = trim_change_log(worker_runtime.uow)
    assert result["deleted"] == entries


def test_an_agent_still_cannot_trim_the_change_log(committed_runtime: Runtime) -> None:
    world = world_with(committed_runtime, [])
    create(world)
    with world.uow("alice") as uow:
        try:
            deleted = uow.session.execute(text("DELETE FROM switchboard.change_log")).rowcount  # type: ignore[attr-defined]
        except DBAPIError:
            deleted = 0  # refused outright: as good
        uow.commit()
    assert deleted == 0
    with committed_runtime.uow() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM switchboard.change_log")).scalar_one() > 0
