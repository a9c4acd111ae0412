"""The typical handling time of similar tickets in business minutes (issue 14), on both servers: the worker's
job, as the worker's own login, measures each recent ticket on the calendar of its own policy and stores
the medians; the escalation board reads them; staff read the rows of the queues they see and nobody on
staff writes them (an agent of each queue, a lead, an admin, a disabled agent, a group member without an
agent, a login outside every group)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
from psycopg import sql

from app.bootstrap import Runtime
from app.services.platform import jobs
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import supervision, typical
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow
UTC = dt.UTC


def _last_week_friday(now: dt.datetime) -> dt.datetime:
    """Midnight (UTC) of a Friday 7 to 13 days ago: its weekend lies inside the last four weeks."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=(today.weekday() - 4) % 7 + 7)


def _worker(desk: Desk) -> Runtime:
    engine = build_engine(desk.url.set(username=desk.login("worker"), password=None))
    return Runtime(engine, build_session_factory(engine))


def _rows(connection: psycopg.Connection[Any]) -> dict[int, tuple[Any, ...]]:
    rows = connection.execute(
        "SELECT queue_id, first_minutes, first_samples, resolution_minutes, resolution_samples"
        " FROM switchboard.sla_typical WHERE priority = 1 AND type = 'question'"
    ).fetchall()
    return {int(row[0]): tuple(row[1:]) for row in rows}


@pytest.fixture(scope="module")
def measured(desk: Desk) -> Desk:
    """Billing works office hours (Monday to Friday, 09:00-17:00 UTC); Tech counts calendar time. Last
    week's Friday-to-Monday tickets of each, answered and resolved; then the worker's job, as its login."""
    friday = _last_week_friday(dt.datetime.now(UTC))
    monday = friday + dt.timedelta(days=3)
    at = {
        "fri 16:30": friday + dt.timedelta(hours=16, minutes=30),
        "fri 16:50": friday + dt.timedelta(hours=16, minutes=50),
    }
    at |= {
        f"mon {h}": monday + dt.timedelta(hours=int(h[:2]), minutes=int(h[3:]))
        for h in ("09:00", "09:10", "10:00", "10:10", "12:00")
    }
    history = [  # queue, created, first response, resolved: the business minutes on Billing's calendar
        ("billing", "fri 16:50", "mon 09:10", "mon 12:00"),  # 20 (10 on Friday, 10 on Monday); 190
        ("billing", "fri 16:30", "mon 09:00", "mon 12:00"),  # 30; 210
        ("billing", "mon 10:00", "mon 10:10", "mon 12:00"),  # 10; 120
        ("tech", "fri 16:50", "mon 09:10", None),  # calendar time: 2 days 16 h 20 min = 3,860 minutes
    ]
    alice, bob = desk.runtime("alice"), desk.runtime("bob")
    ids = []
    for queue, *_times in history:
        runtime = alice if queue == "billing" else bob
        with runtime.uow() as uow:
            ticket = service.create_ticket(
                uow, subject="Similar", customer_id=desk.ids["jane"], queue_id=desk.ids[queue], body="?"
            ).ticket
            uow.commit()
        ids.append(ticket.id)
    alice.close()
    bob.close()
    with desk.connect_as_dba() as dba:
        for ticket_id, (_queue, created, answered, resolved) in zip(ids, history, strict=True):
            if resolved is not None:  # resolved first: the status change stamps resolved_at with now()
                dba.execute("UPDATE switchboard.ticket SET status = 'resolved' WHERE id = %s", (ticket_id,))
            dba.execute(
                "UPDATE switchboard.ticket SET created_at = %s, first_response_at = %s, resolved_at = %s WHERE id = %s",
                (at[created], at[answered], at.get(resolved or ""), ticket_id),
            )
        row = dba.execute(
            "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours)"
            " VALUES ('Office', 'UTC', %s::jsonb) RETURNING id",
            ('{"0": [[540, 1020]], "1": [[540, 1020]], "2": [[540, 1020]], "3": [[540, 1020]], "4": [[540, 1020]]}',),
        ).fetchone()
        assert row is not None
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, calendar_id, conditions)"
            ' VALUES (\'Office hours\', 10, \'{"normal": {"first_response": 60, "resolution": 960}}\', true, %s,'
            ' %s::jsonb), (\'Calendar time\', 100, \'{"normal": {"first_response": 60, "resolution": 960}}\','
            " false, NULL, '{}')",
            (row[0], f'{{"queue_ids": [{desk.ids["billing"]}]}}'),
        )
        # The worker's own login: a member of the owner role (docs/it-guide.md), not a superuser.
        dba.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(desk.login("worker")), sql.Identifier(desk.login("owner"))
            )
        )
        dba.execute(
            "SELECT switchboard.add_user(%s, 'Ivy', 'ivy@desk.test', 'agent', NULL, %s)",
            (desk.login("ivy"), [desk.ids["billing"]]),
        )
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("ivy"),))
        dba.execute(  # the open tickets' clocks started an hour ago, for the board
            "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
            " SELECT id, 'first_response', 'restart', now() - interval '1 hour', 'probe' FROM switchboard.ticket"
            " WHERE first_response_at IS NULL"
        )
        dba.execute("UPDATE switchboard.sla_watch SET check_at = now()")
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    sla_sweep(runtime.uow)
    runtime.close()
    worker = _worker(desk)
    try:
        job = next(job for job in jobs.default_jobs() if job.name == "sla_typical_handling")
        assert job.run is typical.refresh_typical_handling and job.period == dt.timedelta(minutes=15)
        outcome = job.run(worker.uow)
    finally:
        worker.close()
    assert outcome == {"groups": 2, "tickets_measured": 7, "groups_gone": 0}
    return desk


def test_each_ticket_is_measured_in_business_minutes_on_its_own_policys_calendar(measured: Desk) -> None:
    with measured.connect_as_dba() as dba:
        rows = _rows(dba)
    assert rows == {
        measured.ids["billing"]: (20.0, 3, 190.0, 3),  # the weekend does not count on office hours
        measured.ids["tech"]: (3860.0, 1, None, 0),  # calendar time counts it all
    }


def test_the_board_reads_the_typical_business_minutes(measured: Desk) -> None:
    runtime = measured.runtime("dana")
    try:
        with runtime.uow() as uow:
            rows = supervision.escalation_board(uow, horizon=dt.timedelta(days=7))
    finally:
        runtime.close()
    typical_by_queue = {(row.queue, row.target): row.typical_minutes for row in rows}
    assert typical_by_queue[("Billing", "first_response")] == 20.0
    assert typical_by_queue[("Tech", "first_response")] == 3860.0


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("alice", {"billing"}),  # an agent of Billing
        ("bob", {"tech"}),  # an agent of Tech: not Billing's
        ("carol", {"tech"}),  # the lead of Tech
        ("sam", {"billing"}),  # a supervisor working Billing
        ("dana", {"billing", "tech"}),  # an admin
        ("ivy", set()),  # a disabled agent of Billing
        ("ghost", set()),  # in the agent group with no agent
    ],
)
def test_staff_read_the_rows_of_the_queues_they_see_and_write_none(measured: Desk, person: str, sees: set[str]) -> None:
    with measured.connect(person) as conn:
        assert set(_rows(conn)) == {measured.ids[q] for q in sees}
        for statement in (
            "INSERT INTO switchboard.sla_typical (queue_id, priority, type, first_minutes) VALUES (%s, 0, 'task', 1)",
            "UPDATE switchboard.sla_typical SET first_minutes = 1 WHERE queue_id = %s",
            "DELETE FROM switchboard.sla_typical WHERE queue_id = %s",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement, (measured.ids["billing"],))


def test_a_login_outside_every_group_reads_nothing(measured: Desk) -> None:
    with measured.connect("outsider") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM switchboard.sla_typical")


def test_a_group_without_recent_history_loses_its_row(measured: Desk) -> None:
    with measured.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.ticket SET first_response_at = now() - interval '40 days' WHERE queue_id = %s"
            " AND first_response_at IS NOT NULL",
            (measured.ids["tech"],),
        )
    worker = _worker(measured)
    try:
        outcome = typical.refresh_typical_handling(worker.uow)
    finally:
        worker.close()
    assert outcome == {"groups": 1, "tickets_measured": 6, "groups_gone": 1}
    with measured.connect_as_dba() as dba:
        assert set(_rows(dba)) == {measured.ids["billing"]}
