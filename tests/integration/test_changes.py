"""The change-log reader for asynchronous followers: in order, never skipping, through the reader's RLS."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.platform import changes
from app.services.platform.database.dsn import libpq_dsn
from app.services.tickets import service
from tests.support.postgres import PgServer
from tests.support.world import World, build_world, runtime_as


def _open(world: World, queue: int, person: str) -> int:
    with world.uow(person) as uow:
        ticket = service.create_ticket(uow, subject="Sync fails", customer_id=world.jane, queue_id=queue).ticket
        uow.commit()
    return ticket.id


def test_a_follower_reads_every_change_once_in_order_and_only_what_its_login_may_see(
    committed_runtime: Runtime, database_url: URL
) -> None:
    world = build_world(committed_runtime.session_factory)
    alice = runtime_as(database_url, "alice")
    try:
        with alice.uow() as uow:
            follower = changes.ChangeFollower(changes.head(uow))
        billing = _open(world, world.billing, "alice")
        tech = _open(world, world.tech, "dave")  # alice does not work Tech
        with world.uow("alice") as uow:
            service.add_note(uow, ticket_id=billing, body="Checked", expected_version=None)
            uow.commit()
        with alice.uow() as uow:
            seen = follower.read(lambda position, limit: changes.changes_since(uow, position, limit), limit=2)
            again = follower.read(lambda position, limit: changes.changes_since(uow, position, limit))
    finally:
        alice.close()
    assert {c.ticket_id for c in seen if c.ticket_id is not None} == {billing}  # tech's entries stay hidden
    assert tech not in {c.ticket_id for c in seen}
    assert [c.position for c in seen] == sorted(c.position for c in seen)
    assert ("message", "insert") in {(c.entity, c.operation) for c in seen}
    assert again == []


def test_a_follower_waits_for_a_transaction_that_logged_early_and_commits_late(
    committed_runtime: Runtime, database_url: URL
) -> None:
    world = build_world(committed_runtime.session_factory)
    first, second = _open(world, world.billing, "alice"), _open(world, world.billing, "alice")
    with committed_runtime.uow() as uow:
        follower = changes.ChangeFollower(changes.head(uow))
    with psycopg.connect(libpq_dsn(database_url)) as slow, psycopg.connect(libpq_dsn(database_url)) as quick:
        slow.execute("UPDATE switchboard.ticket SET subject = 'slow' WHERE id = %s", (first,))
        quick.execute("UPDATE switchboard.ticket SET subject = 'quick' WHERE id = %s", (second,))
        quick.commit()
        with committed_runtime.uow() as uow:
            assert follower.read(lambda p, n: changes.changes_since(uow, p, n)) == []
        slow.commit()
    with committed_runtime.uow() as uow:
        later = follower.read(lambda p, n: changes.changes_since(uow, p, n))
    assert [c.ticket_id for c in later] == [first, second]


def test_a_long_transaction_in_another_database_holds_back_no_follower(
    committed_runtime: Runtime, database_url: URL, pg_server: PgServer
) -> None:
    """Another application's batch job on the same server, mid-transaction with a transaction id, must not
    delay Switchboard's live updates (the server-wide horizon did, until it ended)."""
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:
        follower = changes.ChangeFollower(changes.head(uow))
    with psycopg.connect(libpq_dsn(pg_server.maintenance_url)) as elsewhere:
        elsewhere.execute("SELECT pg_current_xact_id()")  # holds a transaction id, as any writer does
        ticket = _open(world, world.billing, "alice")
        with committed_runtime.uow() as uow:
            seen = follower.read(lambda p, n: changes.changes_since(uow, p, n))
        elsewhere.rollback()
    assert ticket in {c.ticket_id for c in seen}


def test_a_transaction_of_this_database_still_holds_the_horizon(committed_runtime: Runtime, database_url: URL) -> None:
    """The other side: a writer of this database that has not committed keeps later entries back."""
    world = build_world(committed_runtime.session_factory)
    first = _open(world, world.billing, "alice")
    with committed_runtime.uow() as uow:
        follower = changes.ChangeFollower(changes.head(uow))
    with psycopg.connect(libpq_dsn(database_url)) as slow:
        slow.execute("UPDATE switchboard.ticket SET subject = 'slow' WHERE id = %s", (first,))
        second = _open(world, world.billing, "alice")
        with committed_runtime.uow() as uow:
            held = follower.read(lambda p, n: changes.changes_since(uow, p, n))
        slow.commit()
    with committed_runtime.uow() as uow:
        later = follower.read(lambda p, n: changes.changes_since(uow, p, n))
    assert held == []
    assert [c.ticket_id for c in later if c.entity == "ticket"][:2] == [first, second]
