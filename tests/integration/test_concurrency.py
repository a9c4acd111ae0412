"""Several processes on one ticket: exactly one stale write wins, and no write is lost."""

from __future__ import annotations

import json
import multiprocessing
from collections import defaultdict

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.models import ChangeLogEntry, Ticket
from app.services.errors import TicketConflict
from app.services.tickets import queries, service
from app.services.uow import CHANGES_CHANNEL
from tests.support import racers
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
ROUNDS = 8


def _tickets(world: World, count: int) -> list[int]:
    with world.uow() as uow:
        ids = [
            service.create_ticket(
                uow, subject=f"Race {n}", customer_id=world.jane, queue_id=world.billing, body="help"
            ).ticket.id
            for n in range(count)
        ]
        uow.commit()
    return ids


def _url(database_url: URL) -> str:
    return database_url.render_as_string(hide_password=False)


def test_two_processes_one_stale_version_exactly_one_wins(committed_runtime: Runtime, database_url: URL) -> None:
    world = build_world(committed_runtime.session_factory)
    ticket_ids = _tickets(world, ROUNDS)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        outcomes = manager.list()
        barrier = context.Barrier(2)
        processes = [
            context.Process(
                target=racers.race_status_changes,
                args=(_url(database_url), login, status, ticket_ids, barrier, outcomes),
            )
            for login, status in [("alice", "in_progress"), ("bob", "pending")]
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
        assert [p.exitcode for p in processes] == [0, 0]
        results = list(outcomes)
    per_ticket: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for ticket_id, login, outcome in results:
        per_ticket[ticket_id].append((login, outcome))
    with world.uow() as uow:
        stored = dict(uow.session.execute(select(Ticket.id, Ticket.status).where(Ticket.id.in_(ticket_ids))).all())
    for ticket_id in ticket_ids:
        outcomes_here = per_ticket[ticket_id]
        winners = [login for login, outcome in outcomes_here if outcome == "saved"]
        losers = [outcome for _login, outcome in outcomes_here if outcome != "saved"]
        assert len(winners) == 1 and len(losers) == 1
        winner_name = {"alice": "Alice Archer", "bob": "Bob Baker"}[winners[0]]
        assert f"was changed by {winner_name}" in losers[0]
        assert stored[ticket_id] == {"alice": "in_progress", "bob": "pending"}[winners[0]]


def test_concurrent_notes_without_a_version_are_all_kept(committed_runtime: Runtime, database_url: URL) -> None:
    world = build_world(committed_runtime.session_factory)
    (ticket_id,) = _tickets(world, 1)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    processes = [
        context.Process(target=racers.add_notes, args=(_url(database_url), login, ticket_id, 10, barrier))
        for login in ("alice", "bob")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0]
    with world.uow() as uow:
        version = uow.session.scalar(select(Ticket.version).where(Ticket.id == ticket_id))
        seqs = uow.session.scalars(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq)).all()
    assert version == 1 + 20
    assert len(seqs) == len(set(seqs))


def test_a_commit_notifies_listeners_with_ids_only(committed_runtime: Runtime, database_url: URL) -> None:
    world = build_world(committed_runtime.session_factory)
    libpq = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")
        (ticket_id,) = _tickets(world, 1)
        notifications = list(listener.notifies(timeout=5, stop_after=1))
    assert len(notifications) == 1
    payload = json.loads(notifications[0].payload)
    assert payload["tickets"] == [ticket_id]
    with world.uow() as uow:
        assert payload["seq"] == uow.session.scalar(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc()))
    assert "Race" not in notifications[0].payload  # ids only: the subject never travels


def test_a_rolled_back_change_notifies_nobody(committed_runtime: Runtime, database_url: URL) -> None:
    world = build_world(committed_runtime.session_factory)
    libpq = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")
        with world.uow() as uow:
            service.create_ticket(uow, subject="Never", customer_id=world.jane, queue_id=world.billing)
        assert list(listener.notifies(timeout=1, stop_after=1)) == []


def test_a_ticket_read_earlier_in_the_same_unit_is_checked_against_the_database(committed_runtime: Runtime) -> None:
    """The lock re-reads the row: a copy the session loaded before another agent's commit must not pass
    the version check."""
    world = build_world(committed_runtime.session_factory)
    (ticket_id,) = _tickets(world, 1)
    with world.uow("alice") as alice:
        seen = queries.get_summary(alice, ticket_id=ticket_id)  # loads the row into alice's session
        alice.session.commit()  # a new transaction sees what others commit
        with world.uow("bob") as bob:
            service.change_status(bob, ticket_id=ticket_id, status="in_progress", expected_version=seen.version)
            bob.commit()
        with pytest.raises(TicketConflict, match="Bob Baker"):
            service.change_status(alice, ticket_id=ticket_id, status="closed", expected_version=seen.version)
