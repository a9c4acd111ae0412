"""What a probe as each role found (migration 0044), each as the role's own login through plain SQL, the way
psql or a modified client sends it, on both servers: SLA policy specs the engine cannot read, a lead's ladder
into another team's queue, routing closed tickets and oversized decisions, an out of office that overflows
date arithmetic, an unversioned change, and answers to logins that are no active staff."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import end_stale_transactions
from app.services.sla.ledger import load_book
from app.services.sla.recompute import recompute_pending
from tests.support.desk import Desk

pytestmark = pytest.mark.slow

SAVE = "SELECT switchboard.save_sla_policy(NULL, NULL, %s, 50, %s, %s, false, NULL, NULL, %s, true)"
TARGETS = {"normal": {"first_response": 60, "resolution": 480}}


def _save(
    desk: Desk, person: str, name: str, conditions: object, targets: object, ladder: Sequence[object] = ()
) -> None:
    with desk.connect(person) as caller:
        caller.execute(SAVE, (name, json.dumps(conditions), json.dumps(targets), json.dumps(list(ladder))))


@pytest.mark.parametrize(
    ("conditions", "targets", "ladder"),
    [
        ({"queue_ids": ["tech"]}, {"normal": {"first_response": "abc"}}, []),
        ({"queue_ids": ["tech"]}, {"normal": {"first_response": 99_999_999_999_999}}, []),
        ({"queue_ids": ["tech"]}, {"normal": {"first_response": 0}}, []),
        ({"queue_ids": ["tech"]}, {"normal": {"first_response": 1.5}}, []),
        ({"queue_ids": ["tech"]}, {"someday": {"first_response": 60}}, []),
        ({"queue_ids": ["tech"]}, {"normal": {"lunch": 60}}, []),
        ({"queue_ids": ["tech"], "queue_id": [1]}, TARGETS, []),  # a typo'd key matched every ticket
        ({"queue_ids": ["tech"], "priorities": ["someday"]}, TARGETS, []),
        ({"queue_ids": ["tech"]}, TARGETS, [{"level": 0, "action": "notify_assignee"}]),
        ({"queue_ids": ["tech"]}, TARGETS, [{"level": 1, "action": "explode"}]),
        ({"queue_ids": ["tech"]}, TARGETS, [{"level": 1, "action": "move_to_queue"}]),
        ({"queue_ids": ["tech"]}, TARGETS, [{"level": 1, "action": "notify_lead", "after_breach_minutes": -5}]),
        ({"queue_ids": ["tech"]}, TARGETS, [{"level": 1, "action": "notify_lead"}] * 21),
    ],
)
def test_a_policy_the_engine_cannot_read_is_refused_whoever_sends_it(
    desk: Desk, conditions: dict[str, list[object]], targets: object, ladder: list[object]
) -> None:
    conditions = {k: [desk.ids["tech"] if v == "tech" else v for v in values] for k, values in conditions.items()}
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        _save(desk, "dana", "malformed", conditions, targets, ladder)  # an admin, whose scope is everything


def test_a_leads_ladder_moves_tickets_only_into_a_queue_they_may_move_tickets_into(desk: Desk) -> None:
    conditions = {"queue_ids": [desk.ids["tech"]]}
    into_billing = [{"level": 3, "action": "move_to_queue", "queue_id": desk.ids["billing"]}]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="a queue you may move tickets into"):
        _save(desk, "carol", "Tech to Billing", conditions, TARGETS, into_billing)  # carol leads Tech only
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _save(desk, "carol", "Tech to nowhere", conditions, TARGETS, [{**into_billing[0], "queue_id": 999_999}])
    _save(desk, "carol", "Tech within Tech", conditions, TARGETS, [{**into_billing[0], "queue_id": desk.ids["tech"]}])
    _save(desk, "dana", "Tech to Billing (admin)", conditions, TARGETS, into_billing)


def test_a_malformed_policy_saved_before_is_left_out_not_every_queues_due_times(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        dba.execute(
            "INSERT INTO switchboard.sla_policy (name, position, conditions, targets, ladder)"
            " VALUES ('from an older version', 1, '{}', '{\"normal\": {\"first_response\": \"abc\"}}', '[]')"
        )
    runtime = desk.runtime("dana")
    try:
        with runtime.uow() as uow:
            names = [policy.name for policy in load_book(uow).book.policies]
    finally:
        runtime.close()
    assert "from an older version" not in names


def _closed_ticket(desk: Desk) -> int:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
            " VALUES ('done', 'closed', 1, 'question', %s, %s, 'email') RETURNING id",
            (desk.ids["billing"], desk.ids["jane"]),
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_routing_takes_only_open_tickets_and_bounded_decisions(desk: Desk) -> None:
    route = "SELECT switchboard.route_ticket(%s, NULL, 'intake', %s, NULL)"
    closed = _closed_ticket(desk)
    with desk.connect("alice") as alice:
        with pytest.raises(psycopg.Error, match="nothing to route"):  # SQLSTATE SB003
            alice.execute(route, (closed, "{}"))
        huge = json.dumps({"ranked": list(range(1_000_000))})
        with pytest.raises(psycopg.errors.ProgramLimitExceeded):
            alice.execute(route, (desk.ids["billing_open"], huge))
        assert alice.execute(route, (desk.ids["billing_open"], '{"ranked": []}')).fetchone() is not None


def test_out_of_office_is_a_date_within_ten_years(desk: Desk) -> None:
    facts = "SELECT switchboard.set_agent_routing(%s, %s)"
    with desk.connect("alice") as alice:
        me = alice.execute("SELECT switchboard.current_agent_id()").fetchone()
        for date in ("9999-12-31", "1900-01-01"):
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                alice.execute(facts, (me[0] if me else None, json.dumps({"out_of_office_until": date})))
        alice.execute(facts, (me[0] if me else None, json.dumps({"out_of_office_until": "2027-01-04"})))
        alice.execute(facts, (me[0] if me else None, json.dumps({"out_of_office_until": None})))


def test_a_change_sent_without_its_version_gets_the_next_one_and_is_audited_under_it(desk: Desk) -> None:
    ticket = desk.ids["billing_open"]
    with desk.connect("alice") as alice:
        before = alice.execute("SELECT version FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
        alice.execute("UPDATE switchboard.ticket SET subject = 'quietly changed' WHERE id = %s", (ticket,))
        after = alice.execute("SELECT version FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
        audited = alice.execute(
            "SELECT ticket_version FROM switchboard.audit_event WHERE ticket_id = %s AND field = 'subject'"
            " ORDER BY id DESC LIMIT 1",
            (ticket,),
        ).fetchone()
    assert before is not None and after == (int(str(before[0])) + 1,) and audited == after
    with desk.connect("alice") as alice:  # a write that changes nothing first, then the change: one version
        alice.execute("BEGIN")
        alice.execute("UPDATE switchboard.ticket SET tags = tags WHERE id = %s", (ticket,))
        alice.execute("UPDATE switchboard.ticket SET subject = 'quietly changed again' WHERE id = %s", (ticket,))
        alice.execute("COMMIT")
        again = alice.execute("SELECT version FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
    assert after is not None and again == (int(str(after[0])) + 1,)


@pytest.mark.parametrize("person", ["ghost", "fay"])
def test_logins_that_are_no_active_staff_learn_nothing_from_the_helper_functions(desk: Desk, person: str) -> None:
    """`ghost` is in the agent group without an agent row; `fay` is an agent made inactive."""
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT switchboard.add_user(%s, 'Fay', %s, 'agent', NULL, %s) WHERE NOT EXISTS"
            " (SELECT FROM switchboard.agent WHERE db_login = %s)",
            (desk.login("fay"), f"{desk.login('fay')}@desk.test", [desk.ids["billing"]], desk.login("fay")),
        )
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("fay"),))
    with desk.connect(person) as caller:
        alice = caller.execute("SELECT id FROM switchboard.agent").fetchall()
        assert alice == []
        works = caller.execute(
            "SELECT switchboard.works_queue(a, %s) FROM unnest(%s::bigint[]) a",
            (desk.ids["billing"], list(range(1, 50))),
        ).fetchall()
        assert {row[0] for row in works} == {False}
        emails = caller.execute("SELECT switchboard.customer_has_email(%s)", (desk.ids["jane"],)).fetchone()
        assert emails == (False,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            caller.execute("SELECT switchboard.change_log_horizon()")


def test_the_worker_ends_a_staff_transaction_that_holds_the_change_log(desk: Desk) -> None:
    """Any login could stall every client's live updates and search index by keeping a transaction open
    (its timeouts SET away); the worker's job ends it, and never a trusted session's."""
    engine = build_engine(desk.url)
    worker = Runtime(engine, build_session_factory(engine))
    alice = desk.connect("alice")
    dba = desk.connect_as_dba()
    try:
        alice.execute("SET idle_in_transaction_session_timeout = 0")
        alice.execute("BEGIN")
        held = alice.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        dba.execute("BEGIN")
        dba.execute("SELECT pg_current_xact_id()")  # a trusted session's open transaction: left alone
        with desk.connect("dana") as dana:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dana.execute("SELECT * FROM switchboard.end_stale_transactions(0, 0)")  # the worker's only
            assert dana.execute("SELECT switchboard.change_log_horizon()").fetchone() <= held  # type: ignore[operator]
            result = end_stale_transactions(worker.uow, idle=dt.timedelta(0))
            assert [ended["login"] for ended in result["ended"]] == [desk.login("alice")]
            with pytest.raises(psycopg.OperationalError):
                alice.execute("SELECT 1")
            dba.execute("ROLLBACK")
            horizon = dana.execute("SELECT switchboard.change_log_horizon()").fetchone()
        assert held is not None and horizon is not None and int(str(horizon[0])) > int(str(held[0]))
    finally:
        alice.close()
        dba.close()
        worker.close()


def test_a_lead_edits_a_canned_response_but_not_its_author(desk: Desk) -> None:
    with desk.connect("carol") as carol:  # leads Tech
        row = carol.execute(
            "INSERT INTO switchboard.canned_response (title, body, queue_id, author_id)"
            " VALUES ('Restart', 'Please restart it.', %s, switchboard.current_agent_id()) RETURNING id",
            (desk.ids["tech"],),
        ).fetchone()
        assert row is not None
        carol.execute("UPDATE switchboard.canned_response SET body = 'Please restart.' WHERE id = %s", row)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            carol.execute(
                "UPDATE switchboard.canned_response SET author_id = (SELECT min(id) FROM switchboard.agent)"
                " WHERE id = %s",
                row,
            )


def test_a_leads_policy_change_walks_and_names_only_the_queues_it_can_move(desk: Desk) -> None:
    """A team lead's policy wrote its name into the ledger of every open ticket, other teams' too, and the
    sweep walked them all (a policy for every queue still walks every queue)."""
    engine = build_engine(desk.url)
    worker = Runtime(engine, build_session_factory(engine))
    try:
        recompute_pending(worker.uow)  # what the module's other saves asked for, walked first
        _save(desk, "carol", "Tech only", {"queue_ids": [desk.ids["tech"]]}, TARGETS)  # carol leads Tech
        recompute_pending(worker.uow)
    finally:
        worker.close()
    with desk.connect_as_dba() as dba:
        scope = dba.execute(
            "SELECT queue_ids FROM switchboard.sla_recompute WHERE reason = 'policy Tech only added'"
        ).fetchone()
        marked = dba.execute(
            "SELECT DISTINCT t.queue_id FROM switchboard.sla_ledger l JOIN switchboard.ticket t ON t.id = l.ticket_id"
            " WHERE l.note = 'recompute: policy Tech only added'"
        ).fetchall()
    assert scope == ([desk.ids["tech"]],)
    assert marked == [(desk.ids["tech"],)]  # Billing's open tickets were not walked nor named


def test_two_transactions_running_at_once_hold_the_horizon_at_the_older_one(desk: Desk) -> None:
    """Version 2 took a running id above the snapshot's xmax (one past the latest completed id) for one of
    the previous epoch: with two transactions open, the younger one's id made the horizon negative and
    followers read nothing new until both ended."""
    older, younger = desk.connect_as_dba(), desk.connect_as_dba()
    try:
        older.execute("BEGIN")
        held = older.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        younger.execute("BEGIN")
        younger.execute("SELECT pg_current_xact_id()")
        with desk.connect("dana") as dana:
            horizon = dana.execute("SELECT switchboard.change_log_horizon()").fetchone()
        assert held is not None and horizon is not None
        assert 0 < int(str(horizon[0])) <= int(str(held[0]))
    finally:
        older.close()
        younger.close()
