"""The supervisor view's reads (issue 14) as each person's own login, on both servers: a team lead sees the
board and team of the queues they lead and work, an admin all, an agent is refused, and a group member
without an agent (or a login outside every group) reads nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import psycopg
import pytest
import sqlalchemy.exc

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.errors import NotPermitted
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import supervision
from app.services.sla.dto import AgentLoad
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def swept(desk: Desk) -> Desk:
    """A one-minute first response for every ticket, swept: every open ticket of the desk is breached."""
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours)"
            ' VALUES (\'Board\', 100, \'{"normal": {"first_response": 1, "resolution": 60}}\', false)'
        )
        dba.execute(
            "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
            " SELECT id, 'first_response', 'restart', now() - interval '1 hour', 'probe' FROM switchboard.ticket"
        )
        dba.execute("UPDATE switchboard.sla_watch SET check_at = now()")
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    sla_sweep(runtime.uow)
    runtime.close()
    return desk


def board_of(desk: Desk, person: str) -> set[int]:
    runtime = desk.runtime(person)
    try:
        return {row.ticket_id for row in HelpDesk(runtime).supervision.overview().board}
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("carol", {"tech_open", "tech_bobs"}),  # leads Tech
        ("sam", {"billing_open", "billing_anns"}),  # a supervisor working Billing, leading nothing
        ("dana", {"billing_open", "billing_anns", "tech_open", "tech_bobs"}),  # admin
    ],
)
def test_a_lead_sees_the_board_of_their_queues_and_an_admin_all(swept: Desk, person: str, sees: set[str]) -> None:
    assert board_of(swept, person) == {swept.ids[name] for name in sees}


def test_a_lead_sees_the_team_of_their_queues_only(swept: Desk) -> None:
    runtime = swept.runtime("carol")
    try:
        team = {agent.name: agent for agent in HelpDesk(runtime).supervision.overview().team}
    finally:
        runtime.close()
    assert set(team) == {"Bob"}
    assert team["Bob"].open_tickets == 1 and team["Bob"].breaches_today == 1


def test_an_agent_is_refused_the_supervisor_view(swept: Desk) -> None:
    runtime = swept.runtime("alice")
    try:
        desk = HelpDesk(runtime)
        assert desk.supervision.allowed is False
        with pytest.raises(NotPermitted):
            desk.supervision.overview()
        with pytest.raises(NotPermitted):
            desk.supervision.board()
    finally:
        runtime.close()


def test_a_ghost_reads_an_empty_board_and_an_outsider_nothing_at_all(swept: Desk) -> None:
    ghost = swept.runtime("ghost")
    try:
        with ghost.uow() as uow:
            assert supervision.escalation_board(uow) == []
            assert supervision.team_load(uow) == []
            assert supervision.compliance(uow) == []
    finally:
        ghost.close()
    outsider = swept.runtime("outsider")
    try:
        with outsider.uow() as uow, pytest.raises(sqlalchemy.exc.ProgrammingError) as refused:
            supervision.escalation_board(uow)
        assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
    finally:
        outsider.close()


def test_compliance_counts_what_a_lead_sees(swept: Desk) -> None:
    """bob answers his late Tech ticket: carol's compliance has one breached first response, sam's none."""
    bob = swept.runtime("bob")
    try:
        with bob.uow() as uow:
            service.reply(uow, ticket_id=swept.ids["tech_bobs"], body="Done", expected_version=None)
            uow.commit()
    finally:
        bob.close()
    for person, expected in (("carol", (0, 1)), ("sam", (0, 0))):
        runtime = swept.runtime(person)
        try:
            counts = HelpDesk(runtime).supervision.overview().compliance
        finally:
            runtime.close()
        first = [c for c in counts if c.target == "first_response"]
        assert (sum(c.met for c in first), sum(c.breached for c in first)) == expected


def test_breaches_today_count_from_midnight_on_the_leads_own_clock(swept: Desk) -> None:
    """Counted from UTC midnight: an hour into a Berlin lead's day, a breach at 23:30 UTC (00:30 in Berlin)
    was yesterday's. A day long gone, on a fixed clock, so no other test counts it."""
    breached_at, now = dt.datetime(2025, 1, 1, 23, 30, tzinfo=dt.UTC), dt.datetime(2025, 1, 2, 0, 30, tzinfo=dt.UTC)
    with swept.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note, assignee_id)"
            " VALUES (%s, 'resolution', 'breach', %s, 'probe', %s)",
            (swept.ids["tech_bobs"], breached_at, swept.ids["bob"]),
        )
    counted = {}
    for zone in ("UTC", "Europe/Berlin"):
        with swept.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.agent SET time_zone = %s WHERE id = %s", (zone, swept.ids["carol"]))
        runtime = dataclasses.replace(swept.runtime("carol"), clock=lambda: now)
        try:
            with runtime.uow() as uow:
                counted[zone] = {agent.name: agent.breaches_today for agent in supervision.team_load(uow)}["Bob"]
        finally:
            runtime.close()
    with swept.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET time_zone = 'UTC' WHERE id = %s", (swept.ids["carol"],))
    assert counted == {"UTC": 0, "Europe/Berlin": 1}


def carols_view_of_bob(desk: Desk) -> AgentLoad:
    """Bob as Team load shows him to carol, who leads Tech."""
    runtime = desk.runtime("carol")
    try:
        with runtime.uow() as uow:
            return {agent.name: agent for agent in supervision.team_load(uow)}["Bob"]
    finally:
        runtime.close()


def test_a_breach_stays_on_whoever_held_the_ticket_then(swept: Desk) -> None:
    """Counted on the ticket's assignee of the moment, a breached ticket handed on to be rescued moved the
    breach with it (and one given back to the queue lost it): it stays with who held it at the breach."""
    ticket = swept.ids["tech_bobs"]
    with swept.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.ticket SET assignee_id = NULL WHERE id = %s", (ticket,))
    try:
        bob = carols_view_of_bob(swept)
    finally:
        with swept.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET assignee_id = %s WHERE id = %s", (swept.ids["bob"], ticket))
    assert (bob.open_tickets, bob.breaches_today) == (0, 1)


def test_the_teams_load_is_counted_as_routing_counts_it(swept: Desk) -> None:
    """Team load said "1 of 20 open" of an agent routing counted differently: an urgent ticket counts twice
    against the capacity and a waiting one not at all, as `agent_loads()` counts them when it routes."""
    ticket = swept.ids["tech_bobs"]

    def bob() -> tuple[int, int]:
        load = carols_view_of_bob(swept)
        return load.open_tickets, load.routing_load

    with swept.connect_as_dba() as dba:
        before = dba.execute("SELECT priority, status FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
        assert before is not None
        dba.execute("UPDATE switchboard.ticket SET priority = 3, status = 'in_progress' WHERE id = %s", (ticket,))
    try:
        assert bob() == (1, 2)  # urgent: twice
        with swept.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET status = 'waiting' WHERE id = %s", (ticket,))
        assert bob() == (1, 0)  # waiting on the customer: open, but no load for routing
    finally:
        with swept.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET priority = %s, status = %s WHERE id = %s", (*before, ticket))
