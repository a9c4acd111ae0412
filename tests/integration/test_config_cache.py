"""The configuration a process keeps between transactions (issue 12, migration 0033): SLA policies, routing
settings, the queue's agents and the account priority rules are read once and kept under the configuration
version, and never served stale — a change by an admin in one session is applied by the very next creation
in another, a change made earlier in the same transaction by that transaction, and a change rolled back by
nobody. Each person as their own login, on both servers; then the version row and `try_route_ticket()`
(push routing without a savepoint) probed as every kind of login."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text

from app.bootstrap import Runtime
from app.services.connectors import rules
from app.services.platform import config_cache
from app.services.routing import engine as routing
from app.services.routing import settings as routing_settings
from app.services.sla import admin
from app.services.tickets import service
from app.vocabulary import Availability, Priority
from tests.support.desk import Desk

pytestmark = pytest.mark.slow
# What the kept parts read (the actor, the summary and the track records read agents and statuses per
# transaction, as they should).
KEPT_READS = (
    "FROM switchboard.sla_policy",
    "FROM switchboard.business_calendar",
    "sla_clocks IS NOT NULL",
    "FROM switchboard.routing_config",
    "FROM switchboard.account_priority_rule",
    "FROM switchboard.agent JOIN switchboard.queue_member",
    "FROM switchboard.agent_skill",
    "FROM switchboard.queue_member WHERE",
)


@pytest.fixture(scope="module")
def kept_desk(desk: Desk) -> Iterator[Desk]:
    """Vera's account is verified as a VIP one; alice is available in Billing (someone to route to); a default
    SLA policy of 60 minutes to the first response, in calendar time."""
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "INSERT INTO switchboard.customer (name, external_account_id) VALUES ('Vera', 'ACC-vera') RETURNING id"
        ).fetchone()
        assert row is not None
        desk.ids["vera"] = int(str(row[0]))
        dba.execute(  # what the worker's verification stores (the tool's answer carries Vera's address)
            "INSERT INTO switchboard.account_verified (customer_id, connector, key_kind, key, linked_account_id,"
            " found, attributes, corroborated_by, checked_at, verified_at, expires_at, verified_by)"
            " VALUES (%s, 'accounts', 'account_id', 'ACC-vera', 'ACC-vera', true, '{\"tier\": \"vip\"}'::jsonb,"
            " 'tool_email', now(), now(), now() + interval '1 day', 'the test')",
            (desk.ids["vera"],),
        )
    runtime = desk.runtime("alice")
    with runtime.uow() as uow:
        routing.set_availability(uow, Availability.AVAILABLE)
        uow.commit()
    runtime.close()
    dana = desk.runtime("dana")
    with dana.uow() as uow:
        targets = {p.label: {"first_response": 60, "resolution": 600} for p in Priority}
        admin.add_policy(uow, {"name": "Kept", "position": 100, "targets": targets, "business_hours": False})
        uow.commit()
    dana.close()
    yield desk


@pytest.fixture
def people(kept_desk: Desk) -> Iterator[dict[str, Runtime]]:
    runtimes = {person: kept_desk.runtime(person) for person in ("alice", "dana")}
    yield runtimes
    with runtimes["dana"].uow() as uow:  # leave the rules as the module found them
        for rule in rules.list_rules(uow):
            rules.retire_rule(uow, rule.name)
        uow.commit()
    for runtime in runtimes.values():
        runtime.close()


def _create(runtime: Runtime, customer: int, queue: int) -> int:
    with runtime.uow() as uow:
        ticket = service.create_ticket(uow, subject="Kept", customer_id=customer, queue_id=queue, body="Help").ticket
        uow.commit()
    return ticket.id


def _facts(desk: Desk, ticket_id: int) -> tuple[Priority, dt.timedelta | None, int | None, set[int]]:
    """The ticket's priority, first-response allowance, and its routing decision's configuration version and
    candidates (ranked and excluded), as the DBA reads them."""
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT t.priority, t.first_response_due_at - t.created_at, d.config_version,"
            " (SELECT array_agg((c ->> 'agent_id')::bigint) FROM jsonb_array_elements(d.ranked || d.exclusions) c)"
            " FROM switchboard.ticket t LEFT JOIN switchboard.routing_decision d ON d.ticket_id = t.id"
            " WHERE t.id = %s ORDER BY d.id DESC LIMIT 1",
            (ticket_id,),
        ).fetchone()
    assert row is not None
    allowance = row[1] if isinstance(row[1], dt.timedelta) else None
    version = int(str(row[2])) if row[2] is not None else None
    candidates = row[3] if isinstance(row[3], list) else []
    return Priority(int(str(row[0]))), allowance, version, {int(str(a)) for a in candidates}


def test_an_admins_change_is_applied_by_the_next_creation_in_another_session(
    kept_desk: Desk, people: dict[str, Runtime]
) -> None:
    desk, alice, dana = kept_desk, people["alice"], people["dana"]
    billing = desk.ids["billing"]
    before = _create(alice, desk.ids["vera"], billing)  # fills alice's process cache
    assert _facts(desk, before)[:2] == (Priority.NORMAL, dt.timedelta(minutes=60))

    with dana.uow() as uow:
        rules.set_rule(uow, "VIP", conditions={"account.tier": "vip"}, priority=Priority.HIGH)
        admin.set_policy(uow, "Kept", {"targets": {p.label: {"first_response": 30} for p in Priority}})
        version = routing_settings.save_queue_settings(uow, billing, {"weights": {"room": 2}})
        uow.session.execute(
            text("SELECT switchboard.set_queue_members(:queue, ARRAY[:alice, :ann, :sam, :dana]::bigint[])"),
            {"queue": billing, **{p: desk.ids[p] for p in ("alice", "ann", "sam", "dana")}},
        )
        uow.commit()

    after = _create(alice, desk.ids["vera"], billing)
    priority, allowance, config_version, candidates = _facts(desk, after)
    assert priority is Priority.HIGH  # the new account rule
    assert allowance == dt.timedelta(minutes=30)  # the changed policy
    assert config_version == version  # the queue's new routing settings
    assert desk.ids["dana"] in candidates  # the new queue member

    with dana.uow() as uow:
        uow.session.execute(
            text("SELECT switchboard.set_queue_members(:queue, ARRAY[:alice, :ann, :sam]::bigint[])"),
            {"queue": billing, **{p: desk.ids[p] for p in ("alice", "ann", "sam")}},
        )
        uow.commit()
    assert desk.ids["dana"] not in _facts(desk, _create(alice, desk.ids["vera"], billing))[3]


def test_a_change_earlier_in_the_same_transaction_is_seen_and_one_rolled_back_is_never_served(
    kept_desk: Desk, people: dict[str, Runtime]
) -> None:
    desk, dana = kept_desk, people["dana"]
    with dana.uow() as uow:
        plain = service.create_ticket(uow, subject="x", customer_id=desk.ids["vera"], queue_id=desk.ids["billing"])
        uow.commit()  # the handlers ran and kept what they read, with no rule
        rules.set_rule(uow, "Urgent VIP", conditions={"account.tier": "vip"}, priority=Priority.URGENT)
        raised = service.create_ticket(uow, subject="y", customer_id=desk.ids["vera"], queue_id=desk.ids["billing"])
        uow.commit()  # the rule set in this transaction applies to its own creation
    assert _facts(desk, plain.ticket.id)[0] is Priority.NORMAL
    assert _facts(desk, raised.ticket.id)[0] is Priority.URGENT
    with dana.uow() as uow:
        rules.retire_rule(uow, "Urgent VIP")
        uow.commit()

    with dana.uow() as uow:  # a rule kept by this process under a version that is then rolled back
        rules.set_rule(uow, "Rolled back", conditions={"account.tier": "vip"}, priority=Priority.URGENT)
        service.create_ticket(uow, subject="z", customer_id=desk.ids["vera"], queue_id=desk.ids["billing"])
        uow.handle_events()  # the handlers run (and keep the rule) as in a commit, but nothing commits
    for person in ("dana", "alice"):
        ticket = _create(people[person], desk.ids["vera"], desk.ids["billing"])
        assert _facts(desk, ticket)[0] is Priority.NORMAL, person


def test_a_warm_creation_reads_no_configuration_and_the_version_once(
    kept_desk: Desk, people: dict[str, Runtime]
) -> None:
    alice = people["alice"]
    config_cache.forget()
    _create(alice, kept_desk.ids["vera"], kept_desk.ids["billing"])  # cold: reads and keeps
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(alice.engine, "before_cursor_execute", seen)
    try:
        _create(alice, kept_desk.ids["vera"], kept_desk.ids["billing"])
    finally:
        event.remove(alice.engine, "before_cursor_execute", seen)
    assert sum("config_version" in s for s in statements) == 1
    assert [s for s in statements if any(kept in " ".join(s.split()) for kept in KEPT_READS)] == []
    config_cache.forget()  # and cold, each is read: the test can fail
    statements.clear()
    event.listen(alice.engine, "before_cursor_execute", seen)
    try:
        _create(alice, kept_desk.ids["vera"], kept_desk.ids["billing"])
    finally:
        event.remove(alice.engine, "before_cursor_execute", seen)
    assert {kept for s in statements for kept in KEPT_READS if kept in " ".join(s.split())} == set(KEPT_READS)


def test_the_version_moves_with_every_kind_of_configuration_write(kept_desk: Desk) -> None:
    desk = kept_desk

    def version() -> int:
        with desk.connect_as_dba() as dba:
            row = dba.execute("SELECT version FROM switchboard.config_version").fetchone()
        assert row is not None
        return int(str(row[0]))

    seen = [version()]
    with desk.connect("dana") as dana:
        for statement in [
            "SELECT set_account_priority_rule('Moves', '{\"account.tier\": \"x\"}'::jsonb, 2, 5, false)",
            f"SELECT set_queue_members({desk.ids['tech']}, ARRAY[{desk.ids['bob']}]::bigint[])",
            "SELECT set_availability('away')",
        ]:
            dana.execute(statement)
            seen.append(version())
        with dana.transaction():
            dana.execute("SELECT set_availability('available')")
            inside = dana.execute("SELECT version FROM config_version").fetchone()
            assert inside is not None and int(str(inside[0])) not in seen  # its own change, before commit
            assert version() == seen[-1]  # not yet anyone else's
    with desk.connect_as_dba() as dba:  # by hand, as a DBA might: a row trigger would miss a TRUNCATE too
        dba.execute("UPDATE switchboard.ticket_status SET position = position WHERE false")
        seen.append(version())
    assert len(set(seen)) == len(seen)


def _gone(desk: Desk) -> None:
    """A disabled agent: the login stays in the agent group, the agent row is inactive."""
    with desk.connect_as_dba() as dba:
        login = desk.login("gone")
        if dba.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is None:
            dba.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE "{desk.database}_agent"')
            dba.execute(
                "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability, is_active)"
                " VALUES ('Gone', 'gone@desk.test', %s, 'agent', 'offline', false)",
                (login,),
            )


@pytest.mark.parametrize("person", ["alice", "sam", "dana", "gone", "ghost", "outsider"])
def test_the_version_is_read_like_the_configuration_and_written_by_nobody(kept_desk: Desk, person: str) -> None:
    desk = kept_desk
    _gone(desk)
    with desk.connect(person) as caller:
        if person == "outsider":
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                caller.execute("SELECT version FROM switchboard.config_version")
        else:
            rows = caller.execute("SELECT version FROM switchboard.config_version").fetchall()
            assert len(rows) == (1 if person in ("alice", "sam", "dana") else 0)
        for statement in [
            "UPDATE switchboard.config_version SET version = 1",
            "INSERT INTO switchboard.config_version (id, version) VALUES (2, 1)",
            "DELETE FROM switchboard.config_version",
            "TRUNCATE switchboard.config_version",
            "SELECT switchboard.config_changed()",
            "SELECT setval('switchboard.config_version_seq', 1)",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                caller.execute(statement)


def _decisions(desk: Desk, ticket: str) -> tuple[object, ...]:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT t.assignee_id, t.version, (SELECT count(*) FROM switchboard.routing_decision d"
            " WHERE d.ticket_id = t.id) FROM switchboard.ticket t WHERE t.id = %s",
            (desk.ids[ticket],),
        ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize("person", ["alice", "gone", "ghost", "outsider"])
def test_try_route_ticket_raises_for_whoever_route_ticket_refuses(kept_desk: Desk, person: str) -> None:
    """Only the two expected refusals are answered; a ticket one may not see, a disabled agent, a login
    without an agent or outside every group get route_ticket()'s error, and nothing changes."""
    desk = kept_desk
    _gone(desk)
    before = _decisions(desk, "tech_open")
    with desk.connect(person) as caller, pytest.raises(psycopg.Error) as raised:
        caller.execute(
            "SELECT switchboard.try_route_ticket(%s, %s, 'intake', '{}'::jsonb, NULL)",
            (desk.ids["tech_open"], desk.ids["bob"]),
        )
    assert raised.value.sqlstate not in ("SB001", "SB002")  # an error, never an answer
    assert _decisions(desk, "tech_open") == before


def test_try_route_ticket_answers_taken_and_not_qualified_and_changes_nothing(kept_desk: Desk) -> None:
    desk = kept_desk
    before = {name: _decisions(desk, name) for name in ("tech_bobs", "tech_open")}
    with desk.connect("dana") as dana:
        call = "SELECT switchboard.try_route_ticket(%s, %s, 'intake', '{}'::jsonb, NULL)"
        taken = dana.execute(call, (desk.ids["tech_bobs"], desk.ids["bob"])).fetchone()
        not_here = dana.execute(call, (desk.ids["tech_open"], desk.ids["alice"])).fetchone()
    assert taken is not None and str(taken[0]).startswith("SB002 ")
    assert not_here is not None and str(not_here[0]).startswith("SB001 ")
    assert "not available for this queue" in str(not_here[0])
    assert {name: _decisions(desk, name) for name in before} == before
