"""The routing dry-run replays shifts and out of office: a ticket created at T sees each agent on or off
shift, and away or back, as their schedule and end date said at T in their own time zone — on a fixed
clock (the window and the tickets' creation times are set), never the real time of day (both servers)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.bootstrap import event_handlers
from app.services.routing import settings as routing_settings
from app.services.routing.dry_run import dry_run
from app.services.routing.shifts import parse_shift
from app.services.tickets import service
from tests.support.world import World

pytestmark = pytest.mark.slow
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 8, 0, 0, tzinfo=UTC)  # the replay's "now": the end of a week
CREATED = [
    dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC),  # Monday 11:00 in Berlin (alice on shift); Tokyo Mon 19:00
    dt.datetime(2026, 11, 2, 20, 0, tzinfo=UTC),  # Monday 21:00 in Berlin (off); Tokyo already Tuesday 05:00
    dt.datetime(2026, 11, 3, 16, 0, tzinfo=UTC),  # Tuesday 17:00 in Berlin (her shift has just ended); Tokyo Wed
    dt.datetime(2026, 11, 7, 10, 0, tzinfo=UTC),  # Saturday: no shift for alice
]


def _tickets_created_at(world: World, moments: list[dt.datetime]) -> list[int]:
    numbers = []
    for moment in moments:
        with world.uow("carol", handlers=event_handlers()) as uow:
            created = service.create_ticket(
                uow, subject="Invoice", customer_id=world.jane, queue_id=world.billing, body="?"
            )
            uow.commit()
        with world.trusted_uow() as uow:  # as if it had come in then (the DBA's fixture, not the code under test)
            uow.session.execute(
                text("UPDATE switchboard.ticket SET created_at = :at WHERE id = :id"),
                {"at": moment, "id": created.ticket.id},
            )
            uow.commit()
        numbers.append(created.ticket.number)
    return numbers


def test_the_replay_sees_each_shift_and_out_of_office_as_it_was_when_each_ticket_came_in(world: World) -> None:
    with world.uow("carol") as uow:  # alice works weekdays in Berlin; bob is away until Tuesday, in Tokyo
        routing_settings.set_agent_facts(
            uow, world.alice, {"time_zone": "Europe/Berlin", "shift": parse_shift(["mon-fri=09:00-12:00,13:00-17:00"])}
        )
        routing_settings.set_agent_facts(
            uow, world.bob, {"time_zone": "Asia/Tokyo", "out_of_office_until": dt.date(2026, 11, 3)}
        )
        uow.commit()
    numbers = _tickets_created_at(world, CREATED)
    with world.uow("carol") as uow:
        replay = dry_run(uow, {}, days=7, now=NOW, queue_id=world.billing)
        assert replay.tickets == 4
        assert replay.nobody == [numbers[1]]  # alice off shift, bob out of office (already Tuesday in Tokyo)
        assert replay.would_get == {"Alice Archer": 1, "Bob Baker": 2}

        # A previewed change is replayed the same way: alice in New York works Monday 15:00 (20:00 UTC) but
        # not at 05:00 (10:00 UTC), when bob is still away.
        moved = dry_run(
            uow,
            {},
            days=7,
            now=NOW,
            queue_id=world.billing,
            agent_facts={world.alice: {"time_zone": "America/New_York"}},
        )
        assert moved.nobody == [numbers[0]]
        back = dry_run(
            uow, {}, days=7, now=NOW, queue_id=world.billing, agent_facts={world.bob: {"out_of_office_until": None}}
        )
        assert back.nobody == [] and back.would_get["Bob Baker"] >= 3  # the 2nd, 3rd and Saturday's at least
