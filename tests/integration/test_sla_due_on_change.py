"""Due times stored with the change that starts or resumes a clock (issue 14), not at the next sweep minute:
as the desktop client and the CLI are (an agent's own login, the composition root's handlers), with a fixed
injected clock and no sweep, a new ticket is due at once, a ticket back from "waiting" is due later by
exactly the time it waited, a reopened one from the reopen; the sweep, run after, finds nothing to
correct, and when its ladder raises the priority that same sweep stores the new target's due time. Then
`store_sla_due()` probed as each login. Committed, because the ledger's times are the
transactions' own; on both servers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select, text

from app.bootstrap import Runtime
from app.models import AuditEvent, SlaLedgerEntry, Ticket
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import ledger
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.vocabulary import Priority
from tests.support.desk import Desk
from tests.support.world import World, build_world, runtime_as

pytestmark = pytest.mark.slow
FIRST_RESPONSE, RESOLUTION, HIGH_RESOLUTION = 60, 480, 120
LADDER = [{"level": 2, "after_breach_minutes": 0, "action": "notify_lead"}]  # raises the priority one step
FIXED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # the units' injected clock: it never moves


@pytest.fixture
def alice(committed_runtime: Runtime) -> Iterator[tuple[World, Runtime]]:
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:  # a calendar-time default policy: a wait counts minute for minute
        targets = {p.label: {"first_response": FIRST_RESPONSE, "resolution": RESOLUTION} for p in Priority}
        targets["high"]["resolution"] = HIGH_RESOLUTION
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, ladder)"
                " VALUES ('Default', 100, CAST(:targets AS jsonb), false, CAST(:ladder AS jsonb))"
            ),
            {"targets": json.dumps(targets), "ladder": json.dumps(LADDER)},
        )
        uow.commit()
    runtime = dataclasses.replace(runtime_as(committed_runtime.engine.url, "alice"), clock=lambda: FIXED)
    yield world, runtime
    runtime.engine.dispose()


def _due(runtime: Runtime, ticket_id: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    with runtime.session_factory() as session:
        row = session.execute(
            select(Ticket.first_response_due_at, Ticket.resolution_due_at).where(Ticket.id == ticket_id)
        ).one()
    return row[0], row[1]


def _resolution_ledger(runtime: Runtime, ticket_id: int) -> list[tuple[str, dt.datetime]]:
    with runtime.session_factory() as session:
        rows = session.execute(
            select(SlaLedgerEntry.entry, SlaLedgerEntry.at)
            .where(SlaLedgerEntry.ticket_id == ticket_id, SlaLedgerEntry.target == "resolution")
            .order_by(SlaLedgerEntry.at, SlaLedgerEntry.id)
        ).all()
    return [(entry, at) for entry, at in rows]


def _move(runtime: Runtime, ticket_id: int, status: str) -> None:
    with runtime.uow() as uow:
        service.change_status(uow, ticket_id=ticket_id, status=status, expected_version=None)
        uow.commit()


def test_new_waiting_and_back_reopened_and_escalated_tickets_are_due_at_once(
    committed_runtime: Runtime, alice: tuple[World, Runtime]
) -> None:
    world, runtime = alice
    with runtime.uow() as uow:
        ticket_id = service.create_ticket(
            uow, subject="Invoice twice", customer_id=world.jane, queue_id=world.billing, body="Help"
        ).ticket.id
        uow.commit()
    [(start, started_at)] = _resolution_ledger(committed_runtime, ticket_id)
    assert start == "start"
    first_due, due_before = _due(committed_runtime, ticket_id)  # no sweep has run: stored with the change
    assert first_due == started_at + dt.timedelta(minutes=FIRST_RESPONSE)
    assert due_before == started_at + dt.timedelta(minutes=RESOLUTION)

    _move(runtime, ticket_id, "in_progress")
    _move(runtime, ticket_id, "waiting")
    assert _due(committed_runtime, ticket_id)[1] is None  # paused: no due time
    _move(runtime, ticket_id, "in_progress")
    entries = _resolution_ledger(committed_runtime, ticket_id)
    assert [entry for entry, _at in entries] == ["start", "pause", "resume"]
    waited = entries[2][1] - entries[1][1]
    assert waited > dt.timedelta(0)
    assert _due(committed_runtime, ticket_id)[1] == due_before + waited  # later by exactly the wait, at once

    with runtime.uow() as uow:
        service.reply(uow, ticket_id=ticket_id, body="Fixed", expected_version=None)
        uow.commit()
    _move(runtime, ticket_id, "resolved")
    with runtime.uow() as uow:
        service.reopen(uow, ticket_id=ticket_id, expected_version=None)
        uow.commit()
    restart, restarted_at = _resolution_ledger(committed_runtime, ticket_id)[-1]
    assert restart == "restart"
    assert _due(committed_runtime, ticket_id) == (None, restarted_at + dt.timedelta(minutes=RESOLUTION))

    with committed_runtime.uow() as uow:  # the ledger read aloud gives what is stored
        explained = ledger.explain_ticket(uow, ticket_id)
    assert dict(explained.stored_due) == {
        "first_response_due_at": None,
        "next_response_due_at": None,
        "resolution_due_at": restarted_at + dt.timedelta(minutes=RESOLUTION),
    }
    assert sla_sweep(committed_runtime.uow, take_steps=False)["due_changed"] == 0  # the sweep agrees
    with committed_runtime.session_factory() as session:  # the history names what wrote them, as whom
        written = session.execute(
            select(AuditEvent.action, AuditEvent.actor_login)
            .where(AuditEvent.ticket_id == ticket_id, AuditEvent.field == "resolution_due_at")
            .distinct()
        ).all()
    assert set(written) == {("sla_due", world.login("alice")), ("status", world.login("alice"))}  # status: paused

    # Two days on, breached: level 2 raises normal to high, and that sweep stores the high target's due.
    later = dataclasses.replace(committed_runtime, clock=lambda: restarted_at + dt.timedelta(days=2))
    assert sla_sweep(later.uow)["priority_raised"] == 1
    with committed_runtime.session_factory() as session:
        assert session.scalar(select(Ticket.priority).where(Ticket.id == ticket_id)) == Priority.HIGH
    assert _due(committed_runtime, ticket_id)[1] == restarted_at + dt.timedelta(minutes=HIGH_RESOLUTION)


# --- store_sla_due() as each login ---------------------------------------------------------------------------

STORE = "SELECT switchboard.store_sla_due(%s::bigint, NULL, NULL, now() + interval '1 year')"


@pytest.fixture(scope="module")
def due_desk(desk: Desk) -> Desk:
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours)"
            " VALUES ('Default', 100, '{\"normal\": {\"resolution\": 60}}', false)"
        )
    return desk


@pytest.mark.parametrize(
    ("person", "ticket"),
    [("bob", "billing_open"), ("alice", "tech_open"), ("alice", "tech_bobs")],  # another queue's agent
)
def test_nothing_is_stored_on_a_ticket_one_cannot_see(due_desk: Desk, person: str, ticket: str) -> None:
    with due_desk.connect(person) as caller:  # as for a ticket that does not exist: nothing, and no error
        assert caller.execute(STORE, (due_desk.ids[ticket],)).fetchone() == (False,)
        assert caller.execute(STORE, (10**9,)).fetchone() == (False,)
    with due_desk.connect_as_dba() as dba:
        forged = dba.execute(  # STORE's made-up time is a year ahead
            "SELECT resolution_due_at > now() + interval '300 days' FROM switchboard.ticket WHERE id = %s",
            (due_desk.ids[ticket],),
        ).fetchone()
    assert forged in ((False,), (None,))


@pytest.mark.parametrize("person", ["ghost", "outsider"])  # in the agent group with no active agent; in none
def test_a_login_that_is_no_active_agent_may_not_call_it(due_desk: Desk, person: str) -> None:
    with due_desk.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute(STORE, (due_desk.ids["billing_open"],))


def test_a_due_time_stored_by_hand_holds_only_until_the_sweep_and_never_once_swept(due_desk: Desk) -> None:
    ticket_id = due_desk.ids["billing_open"]
    engine = build_engine(due_desk.url)
    sweeper = Runtime(engine, build_session_factory(engine))

    def stored() -> tuple[dt.datetime | None, dt.datetime]:
        with due_desk.connect_as_dba() as dba:
            row = dba.execute(
                "SELECT t.resolution_due_at, l.at FROM switchboard.ticket t JOIN switchboard.sla_ledger l"
                " ON l.ticket_id = t.id AND l.entry = 'start' AND l.target = 'resolution' WHERE t.id = %s",
                (ticket_id,),
            ).fetchone()
        assert row is not None
        return row[0], row[1]  # type: ignore[return-value]

    try:
        with due_desk.connect("alice") as alice:  # made up, on a ticket she sees that waits for the sweep
            assert alice.execute(STORE, (ticket_id,)).fetchone() == (True,)
        forged, started_at = stored()
        assert forged is not None and forged > started_at + dt.timedelta(days=300)
        sla_sweep(sweeper.uow, take_steps=False)
        assert stored() == (started_at + dt.timedelta(minutes=60), started_at)  # the ledger's, again
        with due_desk.connect("alice") as alice:  # swept: nothing waits for a look, nothing is stored
            assert alice.execute(STORE, (ticket_id,)).fetchone() == (False,)
        assert stored() == (started_at + dt.timedelta(minutes=60), started_at)
    finally:
        engine.dispose()
