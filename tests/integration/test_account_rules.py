"""Account attributes at work (issue 16), each person as their own login, on both servers: an SLA policy
that names `account.tier`, the priority rule a new ticket meets on intake, the tier in routing's
explanation, all read from the verified accounts (seeded here as the worker would store them; no tool runs
here at all); the worker's hourly clean-up of
long-expired answers, claimed once per period with two workers racing; and the probes: who may write a
rule or purge the cache (agent, supervisor, admin, a disabled agent, a group member without an agent, a
login outside every group, the worker's own login)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import select

from app.bootstrap import Runtime
from app.models import JobRun, Ticket
from app.services.connectors import rules
from app.services.connectors.attributes import accounts_of
from app.services.connectors.cache import purge_expired
from app.services.errors import InvalidInput, NotPermitted
from app.services.platform import jobs
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.routing import engine as routing
from app.services.sla import admin
from app.services.sla.dry_run import dry_run
from app.services.sla.ledger import explain_ticket
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.vocabulary import Availability, Priority
from tests.support.desk import Desk

pytestmark = pytest.mark.slow
CONNECTOR = "accounts"
TARGETS = {p.label: {"first_response": 240, "resolution": 2400} for p in Priority}
VIP_TARGETS = {p.label: {"first_response": 30, "resolution": 480} for p in Priority}


def _cache(dba: psycopg.Connection[Any], key: str, customer: int, attributes: str, *, expired_days: float = 0) -> None:
    """What a client's account panel would have stored (set up as the DBA: the probes are elsewhere)."""
    dba.execute(
        "INSERT INTO switchboard.account_cache (connector, key_kind, key, customer_ids, found, attributes,"
        " fetched_at, expires_at) VALUES (%s, 'account_id', %s, ARRAY[%s::bigint], true, %s::jsonb,"
        " now() - make_interval(secs => %s * 86400) - interval '5 minutes', now() - make_interval(secs => %s * 86400))",
        (CONNECTOR, key, customer, attributes, expired_days, expired_days),
    )


def _verified(dba: psycopg.Connection[Any], key: str, customer: int, attributes: str, *, expired_days: float) -> None:
    """What the worker's verification would have stored (set up as the DBA: the probes are elsewhere)."""
    dba.execute(
        "INSERT INTO switchboard.account_verified (customer_id, connector, key_kind, key, linked_account_id, found,"
        " attributes, checked_at, verified_at, expires_at, verified_by) VALUES (%s, %s, 'account_id', %s, %s, true,"
        " %s::jsonb, now() - make_interval(secs => %s * 86400) - interval '5 minutes',"
        " now() - make_interval(secs => %s * 86400) - interval '5 minutes',"
        " now() - make_interval(secs => %s * 86400), 'the test')",
        (customer, CONNECTOR, key, key, attributes, expired_days, expired_days, expired_days),
    )


@pytest.fixture(scope="module")
def vip_desk(desk: Desk) -> Desk:
    """Vera is a VIP account (tier 'vip', verified an hour ago and expired: still the best knowledge);
    Stan is a standard one; Omar (no ticket, no account) has nothing verified."""
    with desk.connect_as_dba() as dba:
        for name in ("vera", "stan"):
            row = dba.execute(
                "INSERT INTO switchboard.customer (name, external_account_id) VALUES (%s, %s) RETURNING id",
                (name.title(), f"ACC-{name}"),
            ).fetchone()
            assert row is not None
            desk.ids[name] = int(str(row[0]))
        _verified(dba, "ACC-vera", desk.ids["vera"], '{"tier": "VIP", "region": "EU"}', expired_days=1 / 24)
        _verified(dba, "ACC-stan", desk.ids["stan"], '{"tier": "standard", "region": "EU"}', expired_days=0)
        # What a client's panel stored says otherwise: it is shown, never decided on.
        _cache(dba, "ACC-stan", desk.ids["stan"], '{"tier": "vip"}')
    return desk


@pytest.fixture
def as_person(vip_desk: Desk) -> Iterator[Any]:
    runtimes: list[Runtime] = []

    def open_as(person: str) -> Runtime:
        runtimes.append(vip_desk.runtime(person))
        return runtimes[-1]

    yield open_as
    for runtime in runtimes:
        runtime.close()


def _create(runtime: Runtime, customer: int, queue: int, priority: Priority = Priority.NORMAL) -> int:
    with runtime.uow() as uow:
        ticket = service.create_ticket(
            uow, subject="Account rules", customer_id=customer, queue_id=queue, body="Help", priority=priority
        ).ticket
        uow.commit()
    return ticket.id


def _priority(desk: Desk, ticket_id: int) -> Priority:
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT priority FROM switchboard.ticket WHERE id = %s", (ticket_id,)).fetchone()
    assert row is not None
    return Priority(int(str(row[0])))


def test_a_verified_vip_account_raises_a_new_tickets_priority_and_routing_names_the_tier(
    vip_desk: Desk, as_person: Any
) -> None:
    desk = vip_desk
    with as_person("dana").uow() as uow:
        rule = rules.set_rule(uow, "VIP", conditions={"account.tier": "vip"}, priority=Priority.HIGH)
        rules.set_rule(uow, "Retired", conditions={"account.region": ["EU"]}, priority=Priority.URGENT, active=False)
        uow.commit()
    assert (rule.version, rule.priority) == (1, Priority.HIGH)
    alice = as_person("alice")
    with alice.uow() as uow:
        routing.set_availability(uow, Availability.AVAILABLE)  # someone to rank (and explain)
        uow.commit()
    vera = _create(alice, desk.ids["vera"], desk.ids["billing"])
    stan = _create(alice, desk.ids["stan"], desk.ids["billing"])
    urgent = _create(alice, desk.ids["vera"], desk.ids["billing"], Priority.URGENT)
    omar = _create(alice, desk.ids["omar"], desk.ids["billing"])

    assert _priority(desk, vera) is Priority.HIGH  # the tier's case does not matter; expired still counts
    assert _priority(desk, stan) is Priority.NORMAL  # verified standard, whatever the panel's cache says
    assert _priority(desk, urgent) is Priority.URGENT  # never lowered
    assert _priority(desk, omar) is Priority.NORMAL  # nothing verified, nothing raised (and no HTTP call)
    with desk.connect_as_dba() as dba:
        audited = dba.execute(
            "SELECT action FROM switchboard.audit_event WHERE ticket_id = %s AND field = 'priority'", (vera,)
        ).fetchall()
    assert audited == [("account priority rule",)]
    with alice.uow() as uow:
        explained = routing.explain(uow, vera)
    assert explained is not None
    notes = {factor.note for candidate in explained.candidates for factor in candidate.factors}
    assert any("account tier VIP" in note for note in notes), notes


def test_an_sla_policy_naming_the_account_tier_applies_to_vip_tickets_in_explanations_and_the_sweep(
    vip_desk: Desk, as_person: Any
) -> None:
    desk = vip_desk
    with as_person("dana").uow() as uow:
        admin.add_policy(uow, {"name": "Default", "position": 100, "targets": TARGETS, "business_hours": False})
        admin.add_policy(
            uow,
            {
                "name": "VIP",
                "position": 1,
                "targets": VIP_TARGETS,
                "business_hours": False,
                "conditions": {"account.tier": ["vip", "gold"]},
            },
        )
        with pytest.raises(InvalidInput, match="account attribute"):
            admin.add_policy(uow, {"name": "Bad", "position": 2, "targets": TARGETS, "conditions": {"account.": "x"}})
        uow.commit()
    bob = as_person("bob")
    vera, stan = _create(bob, desk.ids["vera"], desk.ids["tech"]), _create(bob, desk.ids["stan"], desk.ids["tech"])
    with bob.uow() as uow:
        assert explain_ticket(uow, vera).policy == "VIP"
        assert explain_ticket(uow, stan).policy == "Default"
    with as_person("carol").uow() as uow:  # without the VIP policy, only Vera's ticket would be due later
        without_vip = dry_run(uow, [{"position": 100, "targets": TARGETS, "business_hours": False}])
    assert (without_vip.moved, without_vip.later, without_vip.earlier) == (1, 1, 0)

    worker = Runtime(*_engine_and_factory(desk))
    try:
        sla_sweep(worker.uow)
        with worker.uow() as uow:
            due = {
                t.id: t.first_response_due_at - t.created_at
                for t in uow.session.scalars(select(Ticket).where(Ticket.id.in_([vera, stan])))
                if t.first_response_due_at is not None
            }
    finally:
        worker.close()
    assert due == {vera: dt.timedelta(minutes=30), stan: dt.timedelta(minutes=240)}


def _engine_and_factory(desk: Desk, login: str | None = None) -> tuple[Any, Any]:
    engine = build_engine(desk.url if login is None else desk.url.set(username=login, password=None))
    return engine, build_session_factory(engine)


def test_only_admins_write_priority_rules_and_the_database_checks_what_is_stored(vip_desk: Desk) -> None:
    desk = vip_desk
    call = "SELECT switchboard.set_account_priority_rule(%s, %s::jsonb, 2, 5, true)"
    for person in ("alice", "bob", "carol", "sam"):
        with desk.connect(person) as conn:
            assert conn.execute("SELECT count(*) FROM switchboard.account_priority_rule").fetchone() is not None
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(call, (f"by {person}", '{"account.tier": "vip"}'))
    with desk.connect("dana") as dana:
        for statement in [
            "INSERT INTO switchboard.account_priority_rule (name, conditions, priority) VALUES ('x', '{}', 3)",
            "UPDATE switchboard.account_priority_rule SET priority = 0",
            "DELETE FROM switchboard.account_priority_rule",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dana.execute(statement)
        for name, conditions in [
            ("no account prefix", '{"tier": "vip"}'),
            ("empty", "{}"),
            ("a number", '{"account.tier": 3}'),
            ("an empty list", '{"account.tier": []}'),
            ("a blank value", '{"account.tier": " "}'),
            ("", '{"account.tier": "vip"}'),
        ]:
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                dana.execute(call, (name, conditions))
        assert dana.execute(call, ("by dana", '{"account.region": ["EU", "UK"]}')).fetchone() == (1,)
        dana.execute(
            "SELECT add_user(%s, 'Fay', 'fay@desk.test', 'admin', NULL, %s)", (desk.login("fay"), [desk.ids["billing"]])
        )
    with desk.connect("fay") as fay:
        assert fay.execute(call, ("by fay", '{"account.plan": "gold"}')).fetchone() == (1,)
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("fay"),))
        assert fay.execute("SELECT count(*) FROM switchboard.account_priority_rule").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            fay.execute(call, ("by a disabled admin", '{"account.tier": "vip"}'))
    with desk.connect("ghost") as ghost:
        assert ghost.execute("SELECT count(*) FROM switchboard.account_priority_rule").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ghost.execute(call, ("by ghost", '{"account.tier": "vip"}'))
    with desk.connect("outsider") as outsider:
        for statement, args in [
            ("SELECT count(*) FROM switchboard.account_priority_rule", ()),
            (call, ("by outsider", '{"account.tier": "vip"}')),
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                outsider.execute(statement, args)


def test_the_service_says_not_permitted_to_an_agent(as_person: Any) -> None:
    with as_person("sam").uow() as uow, pytest.raises(NotPermitted):
        rules.set_rule(uow, "Sam's", conditions={"account.tier": "vip"}, priority=Priority.URGENT)


PURGE = "SELECT switchboard.account_cache_purge(interval '7 days')"


def test_the_worker_removes_long_expired_answers_once_per_period_with_two_workers_racing(vip_desk: Desk) -> None:
    desk = vip_desk
    with desk.connect_as_dba() as dba:
        dba.execute("DELETE FROM switchboard.job_run WHERE job = 'account_cache_cleanup'")
        dba.execute(
            "INSERT INTO switchboard.account_priority_rule (name, conditions, priority) VALUES"
            " ('Seen by the worker', '{\"account.tier\": \"vip\"}', 2)"
        )
        _cache(dba, "old", desk.ids["jane"], "{}", expired_days=8)
        _cache(dba, "recent", desk.ids["jane"], "{}", expired_days=2)
        dba.execute(
            "INSERT INTO switchboard.account_cache (connector, key_kind, key, customer_ids, failed_at, last_error)"
            " VALUES (%s, 'account_id', 'never-answered', ARRAY[%s::bigint], now() - interval '9 days', 'down'),"
            " (%s, 'account_id', 'old-but-refreshing', ARRAY[%s::bigint], NULL, NULL)",
            (CONNECTOR, desk.ids["jane"], CONNECTOR, desk.ids["jane"]),
        )
        dba.execute(
            "UPDATE switchboard.account_cache SET expires_at = now() - interval '30 days',"
            " refreshing_until = now() + interval '10 seconds' WHERE key = 'old-but-refreshing'"
        )
        # The worker's own login: a member of the owner role (docs/it-guide.md), not a superuser.
        dba.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(desk.login("worker")), sql.Identifier(desk.login("owner"))
            )
        )
    job = next(job for job in jobs.default_jobs() if job.name == "account_cache_cleanup")
    assert job.run is purge_expired and job.period == dt.timedelta(hours=1)
    workers = [Runtime(*_engine_and_factory(desk, desk.login("worker"))) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, list[jobs.RunOutcome]] = {}

    def work(name: str, runtime: Runtime) -> None:
        barrier.wait(timeout=30)
        outcomes[name] = jobs.run_due_jobs(runtime.uow, [job], name)

    threads = [threading.Thread(target=work, args=(f"w{n}", r)) for n, r in enumerate(workers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with workers[0].uow() as uow:
            claims = uow.session.execute(
                select(JobRun.worker, JobRun.result).where(JobRun.job == "account_cache_cleanup")
            ).all()
    finally:
        for runtime in workers:
            runtime.close()

    ran = [outcome for found in outcomes.values() for outcome in found]
    assert len(ran) == 1 and ran[0].error is None, ran
    assert ran[0].result is not None and ran[0].result["removed"] == 2
    winner = next(name for name, found in outcomes.items() if found)
    assert [(worker, result["removed"]) for worker, result in claims] == [(winner, 2)]
    with desk.connect_as_dba() as dba:
        keys = {row[0] for row in dba.execute("SELECT key FROM switchboard.account_cache").fetchall()}
    assert {"recent", "old-but-refreshing", "ACC-stan"} <= keys
    assert not {"old", "never-answered"} & keys
    worker = Runtime(*_engine_and_factory(desk, desk.login("worker")))
    try:  # the worker's own login reads every cached account and rule (its sweep and intake see the tiers)
        with worker.uow() as uow:
            assert accounts_of(uow, [desk.ids["vera"], desk.ids["omar"]]) == {
                desk.ids["vera"]: {"tier": "VIP", "region": "EU"}
            }
            seen = len(rules.list_rules(uow, include_retired=True))
        with desk.connect_as_dba() as dba:
            assert (seen,) == dba.execute("SELECT count(*) FROM switchboard.account_priority_rule").fetchone()
    finally:
        worker.close()


def test_nobody_but_the_worker_purges_the_cache(vip_desk: Desk) -> None:
    desk = vip_desk
    for person in ("alice", "carol", "dana", "ghost", "outsider"):
        with desk.connect(person) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(PURGE)
    with desk.connect_as_dba() as dba, pytest.raises(psycopg.errors.InvalidParameterValue):
        dba.execute("SELECT switchboard.account_cache_purge(interval '1 minute')")
