"""The escalation board's prediction and its actions (issue 14), as each person's own login, on both
servers: the board carries business minutes left and the typical handling of similar tickets; only a team
lead of the ticket's queue or an admin acknowledges (idempotently, audited), everyone else is refused by the
database; reassigning with a reason is the assign path and an internal note, both or neither."""

from __future__ import annotations

import threading

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.errors import InvalidInput, KnownError, NotFound, NotPermitted, TransitionNotAllowed
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import board, supervision
from app.services.sla.dto import Risk
from app.services.sla.sweep import sla_sweep
from app.services.sla.typical import refresh_typical_handling
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

HISTORY_MINUTES = (10, 20, 90)  # Tech's first responses in the last weeks: the median is 20 (calendar time)


@pytest.fixture(scope="module")
def swept(desk: Desk) -> Desk:
    """Calendar-time targets (a one-minute first response), the ledgers an hour old, swept: every open
    ticket is breached and escalated. Tech has three answered tickets of the same kind in its history,
    and vic, a supervisor leading Billing whose agent row was disabled while his login stayed."""
    bob = desk.runtime("bob")
    history = []
    with bob.uow() as uow:
        for minutes in HISTORY_MINUTES:
            ticket = service.create_ticket(
                uow, subject=f"answered in {minutes}", customer_id=desk.ids["jane"], queue_id=desk.ids["tech"], body="?"
            ).ticket
            history.append((ticket.id, minutes))
        uow.commit()
    bob.close()
    with desk.connect_as_dba() as dba:
        for ticket_id, minutes in history:
            dba.execute(
                "UPDATE switchboard.ticket SET created_at = now() - interval '3 days',"
                " first_response_at = now() - interval '3 days' + make_interval(mins => %s),"
                " status = 'resolved', resolved_at = now() - interval '2 days' WHERE id = %s",
                (minutes, ticket_id),
            )
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours)"
            ' VALUES (\'Board\', 100, \'{"normal": {"first_response": 1, "resolution": 600}}\', false)'
        )
        dba.execute(
            "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
            " SELECT id, target, 'restart', now() - interval '1 hour', 'probe' FROM switchboard.ticket"
            " CROSS JOIN (VALUES ('first_response'), ('resolution')) AS t(target)"
            " WHERE status <> 'resolved'"
        )
        dba.execute("UPDATE switchboard.sla_watch SET check_at = now()")
        dba.execute(f'CREATE ROLE "{desk.database}_vic" LOGIN IN ROLE "{desk.database}_supervisor"')
        vic = dba.execute(
            "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability, is_active)"
            " VALUES ('Vic', 'vic@desk.test', %s, 'supervisor', 'offline', false) RETURNING id",
            (desk.login("vic"),),
        ).fetchone()
        assert vic is not None
        dba.execute("UPDATE switchboard.queue SET team_lead_id = %s WHERE id = %s", (vic[0], desk.ids["billing"]))
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    sla_sweep(runtime.uow)
    refresh_typical_handling(runtime.uow)  # the worker's job: the board reads what it keeps
    runtime.close()
    return desk


def _as(desk: Desk, person: str) -> Runtime:
    return desk.runtime(person)


def test_the_board_predicts_from_the_typical_handling_of_similar_tickets(swept: Desk) -> None:
    runtime = _as(swept, "carol")
    try:
        rows = {row.ticket_id: row for row in HelpDesk(runtime).supervision.overview().board}
    finally:
        runtime.close()
    row = rows[swept.ids["tech_open"]]
    assert row.target == "first_response"
    assert row.typical_minutes == pytest.approx(20)
    assert row.risk is Risk.BREACHED
    assert row.minutes_left is not None and -62 < row.minutes_left < -57  # due 59 minutes ago, calendar time
    assert row.margin is not None and row.margin <= row.minutes_left
    ranked = [(r.margin, r.due_at) for r in rows.values()]
    assert ranked == sorted(ranked)


def test_the_script_board_carries_the_prediction(swept: Desk) -> None:
    runtime = _as(swept, "dana")
    try:
        with runtime.uow() as uow:
            rows = board.open_escalations(uow)
    finally:
        runtime.close()
    first = [r for r in rows if r.target == "first_response"]
    assert first and all(r.risk is Risk.BREACHED and r.minutes_left is not None for r in first)
    tech = [r for r in first if r.queue == "Tech"]
    assert {r.typical_minutes for r in tech} == {20}
    assert rows[0].as_json()["risk"] == "breached"
    margins = [r.margin for r in rows if r.margin is not None]
    assert margins == sorted(margins)


@pytest.mark.parametrize(
    ("person", "ticket", "refusal"),
    [
        ("alice", "billing_open", NotPermitted),  # an agent of the queue
        ("bob", "billing_open", NotPermitted),  # another queue's agent
        ("sam", "billing_open", NotPermitted),  # a supervisor who works the queue but does not lead it
        ("carol", "billing_open", NotFound),  # the lead of another queue: cannot even see it
        ("vic", "billing_open", NotPermitted),  # the queue's lead, disabled
        ("ghost", "tech_open", NotPermitted),  # in the agent group with no agent
        ("outsider", "tech_open", NotPermitted),  # a login outside every group
    ],
)
def test_only_a_lead_of_the_queue_or_an_admin_acknowledges(
    swept: Desk, person: str, ticket: str, refusal: type[KnownError]
) -> None:
    runtime = _as(swept, person)
    try:
        with pytest.raises(refusal):
            HelpDesk(runtime).supervision.acknowledge(swept.ids[ticket])
    finally:
        runtime.close()
    with swept.connect_as_dba() as dba:
        left = dba.execute(
            "SELECT count(*) FROM switchboard.escalation_ack WHERE ticket_id = %s", (swept.ids[ticket],)
        ).fetchone()
    assert left == (0,)


def test_a_resolved_ticket_without_a_step_has_no_escalation_to_acknowledge(swept: Desk) -> None:
    """Version 1 recorded "acknowledged before any escalation step" on a closed ticket, in its history."""
    with swept.connect_as_dba() as dba:
        row = dba.execute("SELECT id FROM switchboard.ticket WHERE subject = 'answered in 20'").fetchone()
    assert row is not None
    runtime = _as(swept, "carol")  # Tech's lead
    try:
        with pytest.raises(TransitionNotAllowed, match="no escalation to acknowledge"):
            HelpDesk(runtime).supervision.acknowledge(int(str(row[0])))
    finally:
        runtime.close()
    with swept.connect_as_dba() as dba:
        assert dba.execute("SELECT count(*) FROM switchboard.escalation_ack WHERE ticket_id = %s", row).fetchone() == (
            0,
        )


@pytest.mark.parametrize("person", ["alice", "carol", "dana"])
def test_nobody_writes_acknowledgements_directly(swept: Desk, person: str) -> None:
    with swept.connect(person) as caller, pytest.raises(psycopg.errors.InsufficientPrivilege):
        caller.execute(
            "INSERT INTO escalation_ack (ticket_id, level, acknowledged_by) VALUES (%s, 9, NULL)",
            (swept.ids["tech_open"],),
        )


def test_a_lead_acknowledges_once_per_level_and_the_history_says_so(swept: Desk) -> None:
    ticket_id = swept.ids["tech_bobs"]
    runtime = _as(swept, "carol")
    try:
        desk = HelpDesk(runtime)
        first = desk.supervision.acknowledge(ticket_id)
        again = desk.supervision.acknowledge(ticket_id)
        row = next(r for r in desk.supervision.board() if r.ticket_id == ticket_id)
        history = [e for e in desk.tickets.history(ticket_id) if e.action == "acknowledge"]
    finally:
        runtime.close()
    assert first.recorded and not again.recorded
    assert first.level == again.level >= 0 and again.acknowledged_at == first.acknowledged_at
    assert (row.acknowledged_by, row.acknowledged_at) == ("Carol", first.acknowledged_at)
    assert [(e.actor, e.field, e.new_value) for e in history] == [("Carol", "escalation", first.level)]
    with swept.connect("bob") as bob, swept.connect("alice") as alice:  # who sees the ticket sees the mark
        assert bob.execute("SELECT count(*) FROM escalation_ack WHERE ticket_id = %s", (ticket_id,)).fetchone() == (1,)
        assert alice.execute("SELECT count(*) FROM escalation_ack").fetchone() == (0,)
    with swept.connect_as_dba() as dba:  # a higher step since: the board asks again
        dba.execute(
            "INSERT INTO switchboard.sla_step (ticket_id, target, level, due_at, action)"
            " VALUES (%s, 'first_response', 3, now(), 'notify_lead')",
            (ticket_id,),
        )
    runtime = _as(swept, "dana")
    try:
        desk = HelpDesk(runtime)
        assert next(r for r in desk.supervision.board() if r.ticket_id == ticket_id).acknowledged_by is None
        higher = desk.supervision.acknowledge(ticket_id)
    finally:
        runtime.close()
    assert higher.recorded and (higher.level, higher.acknowledged_by) == (3, "Dana")


def test_reassigning_with_a_reason_assigns_and_notes_in_one_transaction(swept: Desk) -> None:
    ticket_id = swept.ids["tech_open"]
    runtime = _as(swept, "carol")
    try:
        desk = HelpDesk(runtime)
        version = desk.tickets.ticket(ticket_id).ticket.version
        with pytest.raises(InvalidInput):
            desk.supervision.reassign(ticket_id, swept.ids["bob"], "  ", version)
        with pytest.raises(KnownError):  # alice does not work Tech: the assign is refused, no note is left
            desk.supervision.reassign(ticket_id, swept.ids["alice"], "she knows", version)
        assert [name for _id, name in desk.supervision.assignees(ticket_id)] == ["Bob", "Carol"]
        changed = desk.supervision.reassign(ticket_id, swept.ids["bob"], "Bob knows the printer", version)
        desk.supervision.comment(ticket_id, "Watching this one")
        notes = [m.body_text for m in desk.tickets.ticket(ticket_id).messages if m.kind == "internal_note"]
    finally:
        runtime.close()
    assert changed.ticket.assignee_id == swept.ids["bob"]
    assert notes == ["Reassigned to Bob: Bob knows the printer", "Watching this one"]


def test_the_cli_service_acknowledges_for_an_admin(swept: Desk) -> None:
    runtime = _as(swept, "dana")
    try:
        with runtime.uow() as uow:
            done = supervision.acknowledge(uow, swept.ids["billing_open"])
            uow.commit()
    finally:
        runtime.close()
    assert done.as_json()["acknowledged_by"] == "Dana" and done.recorded


def test_two_leads_acknowledging_at_once_record_it_once(swept: Desk) -> None:
    """carol (Tech's lead) and dana (admin) acknowledge tech_open's escalation in two open transactions:
    one records it, the other waits on its row lock and then finds it acknowledged at that level."""
    ticket_id = swept.ids["tech_open"]
    with swept.connect_as_dba() as dba:
        dba.execute("DELETE FROM switchboard.escalation_ack WHERE ticket_id = %s", (ticket_id,))
        counted = dba.execute(
            "SELECT count(*) FROM switchboard.audit_event WHERE ticket_id = %s AND action = 'acknowledge'",
            (ticket_id,),
        ).fetchone()
    assert counted is not None
    before = int(str(counted[0]))
    with swept.connect("carol") as carol, swept.connect("dana") as dana, swept.connect_as_dba() as watcher:
        carol.execute("BEGIN")
        first = carol.execute("SELECT acknowledge_escalation(%s)", (ticket_id,)).fetchone()
        answers: list[object] = []
        racer = threading.Thread(
            target=lambda: answers.append(dana.execute("SELECT acknowledge_escalation(%s)", (ticket_id,)).fetchone())
        )
        racer.start()
        while racer.is_alive() and watcher.execute(  # dana's call waits on carol's row lock: they overlap
            "SELECT wait_event_type IS DISTINCT FROM 'Lock' FROM pg_stat_activity WHERE pid = %s",
            (dana.info.backend_pid,),
        ).fetchone() != (False,):
            racer.join(0.01)
        assert racer.is_alive()  # still waiting for carol
        carol.execute("COMMIT")
        racer.join()
        second = answers[0]
    assert (first, second) == ((True,), (False,))
    with swept.connect_as_dba() as dba:
        after = dba.execute(
            "SELECT count(*) FROM switchboard.audit_event WHERE ticket_id = %s AND action = 'acknowledge'",
            (ticket_id,),
        ).fetchone()
    assert after == (before + 1,)
