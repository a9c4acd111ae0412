"""Several processes on one ticket: exactly one stale write wins, and no write is lost."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.models import ChangeLogEntry, Ticket
from app.services.errors import TicketConflict
from app.services.platform.database.dsn import libpq_dsn
from app.services.platform.live import CHANGES_CHANNEL, LiveCursor
from app.services.tickets import queries, service
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


def test_a_commit_notifies_with_an_empty_hint_and_the_log_says_what_changed(
    committed_runtime: Runtime, database_url: URL
) -> None:
    """The notification carries nothing a listener outside every group could read; a follower learns the
    ticket from the change log."""
    world = build_world(committed_runtime.session_factory)
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")
        follower = LiveCursor()
        follower.start(listener)
        (ticket_id,) = _tickets(world, 1)
        notifications = list(listener.notifies(timeout=5, stop_after=1))
        notice = follower.read(listener)
    assert [n.payload for n in notifications] == [""]
    assert notice is not None and notice.ticket_ids == (ticket_id,)


def test_an_advisory_lock_held_by_anyone_blocks_no_write(committed_runtime: Runtime, database_url: URL) -> None:
    """Writes are ordered without a lock: a session holding every advisory lock it likes stops nothing."""
    world = build_world(committed_runtime.session_factory)
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as squatter:
        squatter.execute("SELECT pg_advisory_lock(x, y) FROM generate_series(0, 3) x, generate_series(0, 3) y")
        squatter.execute("SELECT pg_advisory_lock(x::bigint) FROM generate_series(0, 15) x")
        squatter.execute("SELECT pg_advisory_lock(1400332136, 1)")  # the old change-log lock key
        (ticket_id,) = _tickets(world, 1)
    assert ticket_id


def test_a_follower_never_skips_a_change_that_commits_late(committed_runtime: Runtime, database_url: URL) -> None:
    """Transaction A logs first and commits last; B logs later and commits first. A reader between the two
    commits must not move past A's entry, and sees it once A commits."""
    world = build_world(committed_runtime.session_factory)
    first, second = _tickets(world, 2)
    with (
        psycopg.connect(libpq_dsn(database_url)) as slow,
        psycopg.connect(libpq_dsn(database_url)) as quick,
        psycopg.connect(libpq_dsn(database_url), autocommit=True) as reader,
    ):
        follower = LiveCursor()
        follower.start(reader)
        slow.execute("UPDATE switchboard.ticket SET subject = 'slow' WHERE id = %s", (first,))
        quick.execute("UPDATE switchboard.ticket SET subject = 'quick' WHERE id = %s", (second,))
        quick.commit()
        assert follower.read(reader) is None  # below the horizon: nothing yet, and the position did not move
        slow.commit()
        notice = follower.read(reader)
    assert notice is not None and notice.ticket_ids == (first, second)


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
