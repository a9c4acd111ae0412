"""The SLA engine in the database (issue 14): the ledger the ticket trigger writes, the sweep that turns it
into due times and steps, each step exactly once with two sweeps at a time, and what each login may read
and write. Runs on both servers; committed, because the ledger's times are the transactions' own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text

from app.bootstrap import Runtime
from app.models import SlaLedgerEntry, SlaStep, SlaWatch, Ticket
from app.services.platform.uow import UnitOfWork
from app.services.sla import ledger
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.vocabulary import Priority
from tests.support.desk import Desk
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
RESOLUTION_MINUTES = 480
LADDER = [
    {"level": 1, "after_breach_minutes": 0, "action": "notify_assignee"},
    {"level": 2, "after_breach_minutes": 30, "action": "notify_lead"},
    {"level": 3, "after_breach_minutes": 120, "action": "back_to_routing"},
]


def _policy(uow: UnitOfWork, *, first_response: int = 60, resolution: int = RESOLUTION_MINUTES) -> None:
    """A calendar-time default policy (so that the waits of a test count minute for minute)."""
    targets = {p.label: {"first_response": first_response, "resolution": resolution} for p in Priority}
    uow.session.execute(
        text(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, ladder)"
            " VALUES ('Default', 100, CAST(:targets AS jsonb), false, CAST(:ladder AS jsonb))"
        ),
        {"targets": json.dumps(targets), "ladder": json.dumps(LADDER)},
    )


@pytest.fixture
def desk_world(committed_runtime: Runtime) -> Iterator[World]:
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:
        _policy(uow)
        uow.commit()
    yield world


def _create(world: World, person: str = "alice", queue: int | None = None) -> tuple[int, int]:
    with world.uow(person) as uow:
        changed = service.create_ticket(
            uow, subject="Invoice twice", customer_id=world.jane, queue_id=queue or world.billing, body="Help"
        )
        uow.commit()
    return changed.ticket.id, changed.ticket.version


def _move(world: World, ticket_id: int, status: str, person: str = "alice") -> None:
    with world.uow(person) as uow:
        service.change_status(uow, ticket_id=ticket_id, status=status, expected_version=None)
        uow.commit()


def _due(runtime: Runtime, ticket_id: int) -> dt.datetime | None:
    with runtime.session_factory() as session:
        return session.scalar(select(Ticket.resolution_due_at).where(Ticket.id == ticket_id))


def _ledger(runtime: Runtime, ticket_id: int, target: str = "resolution") -> list[tuple[str, dt.datetime, str | None]]:
    with runtime.session_factory() as session:
        rows = session.execute(
            select(SlaLedgerEntry.entry, SlaLedgerEntry.at, SlaLedgerEntry.status)
            .where(SlaLedgerEntry.ticket_id == ticket_id, SlaLedgerEntry.target == target)
            .order_by(SlaLedgerEntry.at, SlaLedgerEntry.id)
        ).all()
    return [(entry, at, status) for entry, at, status in rows]


def test_waiting_pauses_resolution_and_back_to_work_it_is_due_later_by_exactly_the_wait(
    committed_runtime: Runtime, desk_world: World
) -> None:
    world, sweep = desk_world, committed_runtime.uow
    ticket_id, _ = _create(world)
    sla_sweep(sweep)
    (start, started_at, _), *_ = _ledger(committed_runtime, ticket_id)
    assert start == "start"
    assert _due(committed_runtime, ticket_id) == started_at + dt.timedelta(minutes=RESOLUTION_MINUTES)
    due_before = _due(committed_runtime, ticket_id)
    assert due_before is not None

    _move(world, ticket_id, "in_progress")
    _move(world, ticket_id, "waiting")
    sla_sweep(sweep)
    assert _due(committed_runtime, ticket_id) is None  # a paused clock has no due time
    _move(world, ticket_id, "in_progress")
    sla_sweep(sweep)

    entries = _ledger(committed_runtime, ticket_id)
    assert [(e, s) for e, _at, s in entries] == [("start", "new"), ("pause", "waiting"), ("resume", "in_progress")]
    waited = entries[2][1] - entries[1][1]
    assert waited > dt.timedelta(0)
    assert _due(committed_runtime, ticket_id) == due_before + waited  # later by exactly the time it waited
    with committed_runtime.uow() as uow:
        explained = ledger.explain_ticket(uow, ticket_id)
    resolution = next(t for t in explained.targets if t.target.value == "resolution")
    assert "paused while waiting" in " ".join(resolution.lines)
    assert resolution.due_at == due_before + waited == explained.stored_due["resolution_due_at"]


def test_a_reply_fulfils_first_response_and_resolving_then_reopening_restarts_resolution(
    committed_runtime: Runtime, desk_world: World
) -> None:
    world = desk_world
    ticket_id, _ = _create(world)
    with world.uow("alice") as uow:
        service.reply(uow, ticket_id=ticket_id, body="On it", expected_version=None)
        uow.commit()
    _move(world, ticket_id, "resolved")
    with world.uow("alice") as uow:
        service.reopen(uow, ticket_id=ticket_id, expected_version=None)
        uow.commit()
    sla_sweep(committed_runtime.uow)
    assert [e for e, _at, _s in _ledger(committed_runtime, ticket_id, "first_response")] == ["start", "fulfil"]
    resolution = _ledger(committed_runtime, ticket_id)
    assert [e for e, _at, _s in resolution] == ["start", "fulfil", "restart"]
    assert _due(committed_runtime, ticket_id) == resolution[2][1] + dt.timedelta(minutes=RESOLUTION_MINUTES)
    with committed_runtime.session_factory() as session:
        assert session.scalar(select(Ticket.first_response_due_at).where(Ticket.id == ticket_id)) is None


def test_two_sweeps_at_once_take_each_step_once_and_a_third_takes_none(
    committed_runtime: Runtime, desk_world: World
) -> None:
    world = desk_world
    tickets = [
        _create(world, person, queue)[0]
        for person, queue in [
            ("alice", world.billing),
            ("bob", world.tech),
            ("alice", world.billing),
            ("dave", world.tech),
        ]
    ]
    sla_sweep(committed_runtime.uow)  # due times, nothing owed yet
    later = dataclasses.replace(committed_runtime, clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    barrier = threading.Barrier(2)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(sla_sweep(later.uow))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # The priority change of level 2 asks for a recompute; let the sweeps settle, then one more does nothing.
    while sla_sweep(later.uow)["tickets"]:
        pass
    third = sla_sweep(later.uow)
    assert third["steps"] == {} and third["priority_raised"] == 0

    with committed_runtime.session_factory() as session:
        steps = Counter(session.execute(select(SlaStep.ticket_id, SlaStep.target, SlaStep.level)).all())
        marks = Counter(
            tuple(row)
            for row in session.execute(
                select(SlaLedgerEntry.ticket_id, SlaLedgerEntry.target, SlaLedgerEntry.entry).where(
                    SlaLedgerEntry.entry.in_(["warn", "breach", "escalate"])
                )
            ).all()
        )
        priorities = dict(session.execute(select(Ticket.id, Ticket.priority).where(Ticket.id.in_(tickets))).all())
    expected = {
        (t, target, level) for t in tickets for target in ("first_response", "resolution") for level in range(4)
    }
    assert set(steps) == expected and set(steps.values()) == {1}
    for t in tickets:
        for target in ("first_response", "resolution"):
            assert (marks[(t, target, "warn")], marks[(t, target, "breach")], marks[(t, target, "escalate")]) == (
                1,
                1,
                3,
            )
    assert set(priorities.values()) == {Priority.HIGH}  # normal, raised one step once (level 2)


def test_a_ticket_nobody_touches_is_not_swept_again_until_its_next_step(
    committed_runtime: Runtime, desk_world: World
) -> None:
    ticket_id, _ = _create(desk_world)
    assert sla_sweep(committed_runtime.uow)["tickets"] == 1
    assert sla_sweep(committed_runtime.uow)["tickets"] == 0
    with committed_runtime.session_factory() as session:
        check_at = session.scalar(select(SlaWatch.check_at).where(SlaWatch.ticket_id == ticket_id))
        due = session.scalar(select(Ticket.first_response_due_at).where(Ticket.id == ticket_id))
    assert check_at is not None and due is not None
    assert check_at == pytest.approx(due - dt.timedelta(minutes=12), abs=dt.timedelta(seconds=2))  # 80 % of 60 min


# --- probes as each login --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sla_desk(desk: Desk) -> Desk:
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, country, subdivision)"
            " VALUES ('Berlin', 'Europe/Berlin', '{\"0\": [[540, 1020]]}', 'DE', 'BE')"
        )
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets)"
            " VALUES ('Default', 100, '{\"normal\": {\"resolution\": 60}}')"
        )
    return desk


WRITES = [
    "INSERT INTO sla_ledger (ticket_id, target, entry, at) VALUES ({t}, 'resolution', 'fulfil', now())",
    "UPDATE sla_ledger SET at = now() - interval '1 day' WHERE ticket_id = {t}",
    "INSERT INTO sla_step (ticket_id, target, level, due_at, action) VALUES ({t}, 'resolution', 1, now(), 'x')",
    "UPDATE sla_step SET done_at = now() WHERE ticket_id = {t}",
    "INSERT INTO sla_watch (ticket_id, check_at) VALUES ({t}, now())",
    "SELECT * FROM sla_watch",
    "INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('Mine', 'UTC', '{{}}')",
    "UPDATE business_calendar SET time_zone = 'UTC'",
    "INSERT INTO sla_policy (name, position, targets) VALUES ('Mine', 1, '{{}}')",
    "UPDATE sla_policy SET is_active = false",
]


@pytest.mark.parametrize("person", ["alice", "sam", "carol"])
@pytest.mark.parametrize("statement", WRITES)
def test_staff_write_no_ledger_step_or_watch_and_only_admins_write_policies(
    sla_desk: Desk, person: str, statement: str
) -> None:
    with sla_desk.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute(statement.format(t=sla_desk.ids["billing_open"]))


def test_an_admin_writes_policies_and_calendars_as_their_own_login_but_no_ledger(sla_desk: Desk) -> None:
    with sla_desk.connect("dana") as dana:
        dana.execute("UPDATE sla_policy SET warn_share = 0.75 WHERE name = 'Default'")
        dana.execute("INSERT INTO business_calendar (name, time_zone, weekly_hours) VALUES ('Night', 'UTC', '{}')")
        for statement in WRITES[:6]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dana.execute(statement.format(t=sla_desk.ids["billing_open"]))
    with sla_desk.connect_as_dba() as dba, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        dba.execute("UPDATE switchboard.sla_ledger SET note = 'forged'")


@pytest.mark.parametrize(("person", "sees", "hidden"), [("alice", "billing", "tech"), ("bob", "tech", "billing")])
def test_an_agent_reads_the_ledgers_of_the_queues_they_see_and_no_other(
    sla_desk: Desk, person: str, sees: str, hidden: str
) -> None:
    with sla_desk.connect(person) as caller:
        visible = {int(str(r[0])) for r in caller.execute("SELECT DISTINCT ticket_id FROM sla_ledger").fetchall()}
        policies = caller.execute("SELECT name FROM sla_policy").fetchall()
    assert sla_desk.ids[f"{sees}_open"] in visible
    assert sla_desk.ids[f"{hidden}_open"] not in visible and sla_desk.ids[f"{hidden}_open"] != 0
    assert ("Default",) in policies


def test_an_outsider_and_a_ghost_read_no_sla_table(sla_desk: Desk) -> None:
    with sla_desk.connect("outsider") as outsider:
        for table in ("business_calendar", "sla_policy", "sla_ledger", "sla_step", "sla_watch"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                outsider.execute(f"SELECT * FROM switchboard.{table}")
    with sla_desk.connect("ghost") as ghost:
        for table in ("business_calendar", "sla_policy", "sla_ledger", "sla_step"):
            assert ghost.execute(f"SELECT * FROM switchboard.{table}").fetchall() == []
