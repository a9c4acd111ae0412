"""Verified account attributes (migration 0030), each person as their own login, on both servers: what an
agent's client stores for the panel never raises a priority, whatever connector, key or customer it names;
nobody but the worker's own login writes a verified answer (an agent, another queue's agent, supervisors,
an admin, a disabled agent, a group member without an agent, a login outside every group); the worker's
`account_verify` job, against a real tool on loopback, verifies the customer of an open ticket with no
transaction open while it asks, raises that ticket (audited as intake's raise), marks it for an SLA
recompute that the sweep then applies, and a new ticket of the customer is raised on intake; a dead tool is
a clear job result and changes nothing. An account merely named for a customer (a VIP's id in a stranger's
message, an agent's relink) is looked up and stored but not corroborated: no raise, the default SLA; the
customer's own address, or the tool's answer carrying it, corroborates; a site may trust named accounts
(migration 0032). The customer's own addresses are intake's: where an address came from is the database's
say (migration 0034), so an address an agent typed vouches for nothing (each role probed). The account panel
names a colleague's lookup and shows the worker's check of the same account where it contradicts it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from werkzeug import Request, Response

from app.bootstrap import Runtime
from app.models import Ticket
from app.ops.demo import ensure_tool_directory
from app.services.connectors import credentials, finding, rules
from app.services.connectors.area import Accounts
from app.services.connectors.attributes import Source, account_attributes
from app.services.connectors.discovery import ConnectorRegistry
from app.services.connectors.verify import PERIOD, AccountVerifier, is_trusted_session
from app.services.people import directory
from app.services.platform import jobs
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import admin
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.vocabulary import Priority
from tests.support.desk import Desk
from tests.support.tool import ACCOUNT, connector_settings

pytestmark = pytest.mark.slow
CONNECTOR = "accounts"
TOKEN = "verify-test-token"
TARGETS = {p.label: {"first_response": 240, "resolution": 2400} for p in Priority}
VIP_TARGETS = {p.label: {"first_response": 30, "resolution": 480} for p in Priority}
STORE = "SELECT switchboard.account_store(%s, 'account_id', %s, %s, true, '[]'::jsonb, %s::jsonb, NULL, 3600, NULL)"
VERIFY = (
    "SELECT switchboard.account_verify_store(%s, %s, 'account_id', %s, 'the test', NULL, true, %s::jsonb, 3600, NULL)"
)
TRUSTED_VERIFY = (  # the same answer, saying the site trusts it: what rules would read
    "SELECT switchboard.account_verify_store(%s, %s, 'account_id', %s, 'the test', NULL, true, %s::jsonb, 3600, NULL,"
    " 'site_trust')"
)
FIND = {"patterns": [r"player id:?\s*#?(\d{3,12})"], "custom_field": "player_id"}


@pytest.fixture(scope="module")
def verified_desk(desk: Desk) -> Iterator[Desk]:
    """A VIP rule and an SLA policy for VIP accounts; Tina is a customer of Tech only (account T-7); the
    worker's own login (a member of the owner role, not a superuser: docs/it-guide.md); Fay, a disabled
    Billing agent."""
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Fay', 'fay@desk.test', 'agent', NULL, %s)", (desk.login("fay"), [desk.ids["billing"]])
        )
    runtime = desk.runtime("dana")
    with runtime.uow() as uow:
        rules.set_rule(uow, "VIP", conditions={"account.tier": "vip"}, priority=Priority.HIGH)
        admin.add_policy(uow, {"name": "Default", "position": 100, "targets": TARGETS, "business_hours": False})
        admin.add_policy(
            uow,
            {
                "name": "VIP",
                "position": 1,
                "targets": VIP_TARGETS,
                "business_hours": False,
                "conditions": {"account.tier": "vip"},
            },
        )
        uow.commit()
    runtime.close()
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("fay"),))
        tina = dba.execute(
            "INSERT INTO switchboard.customer (name, external_account_id) VALUES ('Tina Tech', 'T-7') RETURNING id"
        ).fetchone()
        assert tina is not None
        desk.ids["tina"] = int(str(tina[0]))
        dba.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(desk.login("worker")), sql.Identifier(desk.login("owner"))
            )
        )
    desk.ids["tina_ticket"] = _create(desk, "bob", desk.ids["tina"], desk.ids["tech"])
    yield desk


@pytest.fixture
def worker(verified_desk: Desk) -> Iterator[Runtime]:
    engine = build_engine(verified_desk.url.set(username=verified_desk.login("worker"), password=None))
    try:
        yield Runtime(engine, build_session_factory(engine))
    finally:
        engine.dispose()


def _create(desk: Desk, person: str, customer: int, queue: int, subject: str = "Verified?", body: str = "Help") -> int:
    runtime = desk.runtime(person)
    try:
        with runtime.uow() as uow:
            ticket = service.create_ticket(uow, subject=subject, customer_id=customer, queue_id=queue, body=body).ticket
            uow.commit()
    finally:
        runtime.close()
    return ticket.id


def _ticket(desk: Desk, ticket_id: int) -> tuple[Priority, int]:
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT priority, version FROM switchboard.ticket WHERE id = %s", (ticket_id,)).fetchone()
    assert row is not None
    return Priority(int(str(row[0]))), int(str(row[1]))


def _customer(desk: Desk, name: str, account: str | None, email: str | None = None) -> int:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "INSERT INTO switchboard.customer (name, external_account_id) VALUES (%s, %s) RETURNING id", (name, account)
        ).fetchone()
        assert row is not None
        if email is not None:
            dba.execute(
                "INSERT INTO switchboard.customer_email (customer_id, address, is_primary) VALUES (%s, %s, true)",
                (row[0], email),
            )
    return int(str(row[0]))


def test_what_an_agents_client_stores_raises_nothing_whatever_it_names(verified_desk: Desk) -> None:
    desk = verified_desk
    with desk.connect("alice") as alice:
        # Jane's own key, as her tickets name it (another customer's key is refused: test_account_cache.py).
        alice.execute(
            "UPDATE switchboard.ticket SET subject = 'about account J-1', version = version + 1 WHERE id = %s",
            (desk.ids["billing_open"],),
        )
    with desk.connect("alice") as alice:  # a transaction after the one that wrote the subject
        for connector, key in [(CONNECTOR, "J-1"), ("another", "J-1")]:
            alice.execute(STORE, (connector, key, desk.ids["jane"], '{"tier": "vip"}'))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute(STORE, (CONNECTOR, "someone-elses-key", desk.ids["jane"], '{"tier": "vip"}'))
        with pytest.raises(psycopg.errors.NoDataFound):  # a customer of another queue: not even stored
            alice.execute(STORE, (CONNECTOR, "T-7", desk.ids["tina"], '{"tier": "vip"}'))
    ticket_id = _create(desk, "alice", desk.ids["jane"], desk.ids["billing"])
    assert _ticket(desk, ticket_id)[0] is Priority.NORMAL
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            assert account_attributes(uow, desk.ids["jane"]) == {}  # what rules read
            assert account_attributes(uow, desk.ids["jane"], source=Source.DISPLAY) == {"tier": "vip"}  # the panel's
    finally:
        runtime.close()


def test_nobody_but_the_worker_writes_a_verified_answer_and_staff_read_only_their_customers(
    verified_desk: Desk, worker: Runtime
) -> None:
    desk = verified_desk
    assert is_trusted_session(worker.uow)  # what `connector verify` asks before it starts
    for person in ("dana", "alice"):
        runtime = desk.runtime(person)
        try:
            assert not is_trusted_session(runtime.uow), person
        finally:
            runtime.close()
    with worker.uow() as uow:  # the worker's own login may
        for customer in ("jane", "tina"):
            uow.session.connection().exec_driver_sql(
                VERIFY, (desk.ids[customer], "probe", f"{customer}-key", '{"tier": "standard"}')
            )
        uow.commit()
    writes = [
        (
            "INSERT INTO switchboard.account_verified (customer_id, connector, found, attributes, verified_by)"
            " VALUES (%s, 'mine', true, '{\"tier\": \"vip\"}', 'me')",
            (desk.ids["jane"],),
        ),
        ('UPDATE switchboard.account_verified SET attributes = \'{"tier": "vip"}\'', ()),
        ("DELETE FROM switchboard.account_verified", ()),
        (VERIFY, (desk.ids["jane"], "probe", "jane-key", '{"tier": "vip"}')),
        (VERIFY, (desk.ids["tina"], CONNECTOR, "T-7", '{"tier": "vip"}')),
        (TRUSTED_VERIFY, (desk.ids["jane"], CONNECTOR, "jane-key", '{"tier": "vip"}')),
        ("UPDATE switchboard.account_verified SET corroborated_by = 'site_trust'", ()),
    ]
    seen: dict[str, list[str]] = {}
    for person in ("alice", "bob", "carol", "sam", "dana", "fay", "ghost", "outsider"):
        with desk.connect(person) as conn:
            for statement, args in writes:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement, args)
            if person == "outsider":
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT key FROM switchboard.account_verified")
                continue
            rows = conn.execute("SELECT key FROM switchboard.account_verified WHERE connector = 'probe' ORDER BY key")
            seen[person] = [str(row[0]) for row in rows.fetchall()]
    assert seen == {
        "alice": ["jane-key"],  # Tina is Tech's customer: not hers
        "bob": ["jane-key", "tina-key"],
        "carol": ["jane-key", "tina-key"],  # leads Tech
        "sam": ["jane-key"],
        "dana": ["jane-key", "tina-key"],
        "fay": [],  # disabled
        "ghost": [],  # a group member without an agent
    }
    with desk.connect_as_dba() as dba:
        stored = dba.execute(
            "SELECT customer_id, attributes, verified_by FROM switchboard.account_verified WHERE connector = 'probe'"
            " ORDER BY customer_id"
        ).fetchall()
    assert stored == [
        (desk.ids["jane"], {"tier": "standard"}, desk.login("worker")),
        (desk.ids["tina"], {"tier": "standard"}, desk.login("worker")),
    ]


class Tool:
    """The account-lookup tool on loopback: every account a key of `accounts`, else 404; it notes how many
    database connections the worker held while it was asked."""

    def __init__(
        self, server: HTTPServer, worker: Runtime, accounts: dict[str, dict[str, Any]], **options: Any
    ) -> None:
        self.accounts, self.worker = accounts, worker
        self.asked: list[str] = []
        self.held: list[int] = []
        server.expect_request(re.compile(r"/api/accounts.*")).respond_with_handler(self.answer)
        url = server.url_for("/").rstrip("/")
        settings = connector_settings(url, retries=0, email_field="email", find=FIND, **options)
        self.registry = ConnectorRegistry({CONNECTOR: settings})

    def answer(self, request: Request) -> Response:
        key = request.path.rsplit("/", 1)[-1] if request.path != "/api/accounts" else request.args.get("email", "")
        self.asked.append(key)
        self.held.append(self.worker.engine.pool.checkedout())  # type: ignore[attr-defined]
        account = self.accounts.get(key)
        if account is None:
            return Response("", status=404)
        return Response(json.dumps(account), content_type="application/json")

    def job(self, limit: int = 200) -> jobs.Job:
        return jobs.Job("account_verify", PERIOD, AccountVerifier(self.registry, limit=limit).run)


def _run(worker: Runtime, job: jobs.Job, desk: Desk) -> dict[str, Any]:
    with desk.connect_as_dba() as dba:  # a new period for each run here
        dba.execute("DELETE FROM switchboard.job_run WHERE job = 'account_verify'")
    [outcome] = jobs.run_due_jobs(worker.uow, [job], "test-worker")
    assert outcome.error is None and outcome.result is not None, outcome
    return outcome.result


def test_the_worker_verifies_an_open_tickets_customer_raises_the_ticket_and_the_next_on_intake(
    verified_desk: Desk, worker: Runtime, tool: HTTPServer
) -> None:
    desk = verified_desk
    credentials.keep_for_session(CONNECTOR, TOKEN)
    vic = _customer(desk, "Vic", "V-1", "vic@customer.test")
    waiting = _create(desk, "alice", vic, desk.ids["billing"])
    assert _ticket(desk, waiting) == (Priority.NORMAL, 1)  # not verified yet: nothing raised on intake
    # The tool's answer carries Vic's address (in its own spelling): the account is his.
    looked_up = Tool(tool, worker, {"V-1": {**ACCOUNT, "id": "V-1", "tier": "vip", "email": "Vic@Customer.TEST"}})

    result = _run(worker, looked_up.job(), desk)
    assert result["connector"] == CONNECTOR and result["problem"] is None, result
    assert looked_up.asked[0] == "V-1"  # the newest open ticket's customer first
    assert set(looked_up.held) == {0}  # no connection (so no transaction) held while the tool was asked
    assert result["changed"] >= 1 and result["raised"] == 1 and result["failed"] == 0, result
    assert _ticket(desk, waiting) == (Priority.HIGH, 2)
    with desk.connect_as_dba() as dba:
        audited = dba.execute(
            "SELECT action, actor_login, old_value, new_value FROM switchboard.audit_event"
            " WHERE ticket_id = %s AND field = 'priority'",
            (waiting,),
        ).fetchall()
        marks = dba.execute(
            "SELECT target FROM switchboard.sla_ledger WHERE ticket_id = %s AND note = 'recompute: account verified'",
            (waiting,),
        ).fetchall()
    assert [(action, actor) for action, actor, _old, _new in audited] == [(rules.INTAKE_ACTION, desk.login("worker"))]
    assert sorted(str(target) for (target,) in marks) == ["first_response", "resolution"]
    sla_sweep(worker.uow)  # the sweep recomputes under the policy for VIP accounts
    with worker.uow() as uow:
        row = uow.session.scalars(select(Ticket).where(Ticket.id == waiting)).one()
        assert row.first_response_due_at is not None
        assert row.first_response_due_at - row.created_at == dt.timedelta(minutes=30)

    created = _create(desk, "ann", vic, desk.ids["billing"])
    assert _ticket(desk, created)[0] is Priority.HIGH  # on intake
    with worker.uow() as uow:  # and due under the VIP policy at once, before any sweep
        row = uow.session.scalars(select(Ticket).where(Ticket.id == created)).one()
        assert row.first_response_due_at is not None
        assert row.first_response_due_at - row.created_at == dt.timedelta(minutes=30)
    asked_before = len(looked_up.asked)
    again = _run(worker, looked_up.job(), desk)
    assert "V-1" not in looked_up.asked[asked_before:]  # verified and fresh: not asked again
    assert again["changed"] == 0 and again["raised"] == 0, again


def _due_minutes(worker: Runtime, ticket_id: int) -> float:
    with worker.uow() as uow:
        row = uow.session.scalars(select(Ticket).where(Ticket.id == ticket_id)).one()
        assert row.first_response_due_at is not None
        return (row.first_response_due_at - row.created_at).total_seconds() / 60


def _trust(desk: Desk, customer: int) -> tuple[object, ...] | None:
    """The customer's verified row: key, found, the tier the tool answered, why it is theirs."""
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT key, found, attributes->>'tier', corroborated_by FROM switchboard.account_verified"
            " WHERE customer_id = %s AND connector = %s",
            (customer, CONNECTOR),
        ).fetchone()
    return tuple(row) if row is not None else None


def test_an_account_merely_named_for_a_customer_raises_nothing_until_the_tools_answer_corroborates_it(
    verified_desk: Desk, worker: Runtime, tool: HTTPServer
) -> None:
    """One pass of the worker against a real tool: the VIP account 4242 belongs to vip@customer.test."""
    desk = verified_desk
    credentials.keep_for_session(CONNECTOR, TOKEN)
    vip_account = {**ACCOUNT, "id": "4242", "tier": "vip", "email": ["old@customer.test", "vip@customer.test"]}
    billing = desk.ids["billing"]
    # A stranger (anyone can send a mail or fill the web form) names the VIP's id in the first message.
    nemo = _customer(desk, "Nemo", None, "nemo@stranger.test")
    named = _create(desk, "alice", nemo, billing, "Refund", "Hello, player id: 4242, I want a refund")
    # The VIP herself names it in the subject, from her address.
    vera = _customer(desk, "Vera", None, "VIP@customer.test")
    own = _create(desk, "alice", vera, billing, "player id 4242: login broken")
    # An agent relinks a customer of a ticket they see to the VIP's account (audited, and effective before).
    rita = _customer(desk, "Rita", None, "rita@customer.test")
    relinked = _create(desk, "alice", rita, billing)
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            finding.link_account(uow, relinked, "4242")
            uow.commit()
    finally:
        runtime.close()
    # A ticket field an agent filled in names it for another customer.
    fred = _customer(desk, "Fred", None, "fred@customer.test")
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            fielded = service.create_ticket(
                uow, subject="Hi", customer_id=fred, queue_id=billing, body="?", custom_fields={"player_id": "4242"}
            ).ticket.id
            uow.commit()
    finally:
        runtime.close()
    # A customer known to the tool by their own address (no account id anywhere).
    ella = _customer(desk, "Ella", None, "ella@customer.test")
    by_email = _create(desk, "alice", ella, billing, "No id here")
    accounts = {"4242": vip_account, "ella@customer.test": {**ACCOUNT, "id": "E-1", "tier": "vip"}}

    result = _run(worker, Tool(tool, worker, accounts).job(), desk)
    assert result["problem"] is None and result["failed"] == 0 and result["named_only"] == 3, result
    assert _trust(desk, nemo) == ("4242", True, "vip", None)  # looked up, stored, not corroborated
    assert _trust(desk, rita) == _trust(desk, fred) == ("4242", True, "vip", None)
    assert _trust(desk, vera) == ("4242", True, "vip", "tool_email")
    assert _trust(desk, ella) == ("ella@customer.test", True, "vip", "customer_email")
    assert [_ticket(desk, t)[0] for t in (named, relinked, fielded, own, by_email)] == [
        Priority.NORMAL,
        Priority.NORMAL,
        Priority.NORMAL,
        Priority.HIGH,
        Priority.HIGH,
    ]
    sla_sweep(worker.uow)
    assert [_due_minutes(worker, t) for t in (named, relinked, fielded, own, by_email)] == [240, 240, 240, 30, 30]
    with worker.uow() as uow:  # what rules read
        assert account_attributes(uow, nemo) == account_attributes(uow, rita) == {}
        assert account_attributes(uow, vera)["tier"] == "vip"
    assert _ticket(desk, _create(desk, "ann", nemo, billing, "player id: 4242 again"))[0] is Priority.NORMAL
    # The database takes the worker's word for what it cannot check, and checks what it can: the customer's
    # own address is theirs, a corroboration names a found account.
    with worker.uow() as uow:
        connection = uow.session.connection()
        for args in [
            (nemo, "email", "vip@customer.test", True, "customer_email"),  # not Nemo's address
            (nemo, "account_id", "4242", False, "site_trust"),  # not found
            (nemo, "account_id", "4242", True, "my say-so"),
        ]:
            with pytest.raises(DBAPIError) as refused, connection.begin_nested():
                connection.exec_driver_sql(
                    "SELECT switchboard.account_verify_store(%s, 'probe', %s, %s, 'the test', NULL, %s, '{}'::jsonb,"
                    " 60, NULL, %s)",
                    args,
                )
            assert isinstance(refused.value.orig, psycopg.errors.InvalidParameterValue), args

    # A site whose tool has no emails may opt in: then the named account counts (the risk: docs/security.md).
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.account_verified SET expires_at = now() WHERE customer_id = %s", (nemo,))
    trusting = _run(worker, Tool(tool, worker, accounts, trust_named_accounts=True).job(), desk)
    assert trusting["changed"] >= 1 and trusting["raised"] >= 1, trusting
    assert _trust(desk, nemo) == ("4242", True, "vip", "site_trust")
    assert _ticket(desk, named)[0] is Priority.HIGH


def _source(desk: Desk, address: str) -> str | None:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT source FROM switchboard.customer_email WHERE lower(address) = lower(%s)", (address,)
        ).fetchone()
    return str(row[0]) if row is not None else None


def test_where_an_address_came_from_is_the_databases_say_never_the_writers(
    verified_desk: Desk, worker: Runtime
) -> None:
    """Migration 0034: whoever writes an address and whatever the row says, a staff login's address is
    'staff'; only a trusted session (the worker's login: intake) writes 'intake', and nobody else changes it."""
    desk = verified_desk
    for person in ("alice", "bob", "carol", "sam", "dana", "fay", "ghost", "outsider"):
        with desk.connect(person) as conn:
            address = f"{person}.new@source.test"
            try:  # a customer of their own, and its first address, saying it came from intake
                with conn.transaction():
                    row = conn.execute(f"INSERT INTO customer (name) VALUES ('{person}''s') RETURNING id").fetchone()
                    assert row is not None
                    conn.execute(
                        "INSERT INTO customer_email (customer_id, address, source) VALUES (%s, %s, 'intake')",
                        (row[0], address),
                    )
            except psycopg.Error:
                assert person in ("fay", "ghost", "outsider"), person  # no active agent: nothing written
            else:
                assert person not in ("fay", "ghost", "outsider"), person
                assert _source(desk, address) == "staff", person
            for statement, args in [
                ("UPDATE switchboard.customer_email SET source = 'intake'", ()),
                ("UPDATE switchboard.customer_email SET source = 'intake' WHERE lower(address) = %s", (address,)),
                ("DELETE FROM switchboard.customer_email WHERE lower(address) = %s", (address,)),
            ]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement, args)
    assert _source(desk, "alice.new@source.test") == "staff"
    # An admin may add a second address to a known customer: typed by staff all the same.
    with desk.connect("dana") as dana:
        dana.execute(
            "INSERT INTO customer_email (customer_id, address, source) VALUES (%s, %s, 'intake')",
            (desk.ids["jane"], "jane.second@source.test"),
        )
    assert _source(desk, "jane.second@source.test") == "staff"
    # `ticket create --customer` for a new address, as an agent: the same trigger decides.
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            directory.find_or_create_customer(uow, email="typed@source.test", name="Typed")
            uow.commit()
    finally:
        runtime.close()
    assert _source(desk, "typed@source.test") == "staff"
    # The worker's login (intake's) writes 'intake'; the DBA may vouch for an address (docs/it-guide.md), and
    # says only what the column knows.
    with worker.uow() as uow:
        directory.find_or_create_customer(uow, email="sender@source.test", name="Sender")
        uow.commit()
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.customer_email SET source = 'intake' WHERE address = 'typed@source.test'")
    assert _source(desk, "sender@source.test") == _source(desk, "typed@source.test") == "intake"
    with desk.connect_as_dba() as dba, pytest.raises(psycopg.errors.CheckViolation):
        dba.execute("UPDATE switchboard.customer_email SET source = 'vip' WHERE address = 'typed@source.test'")


def test_an_address_staff_typed_does_not_vouch_for_an_account_one_intake_took_does(
    verified_desk: Desk, worker: Runtime, tool: HTTPServer
) -> None:
    """The hole migration 0034 closes: an agent gives a customer without an address a VIP's address (the
    `customer_email_create` policy lets them), or links one to the VIP's account whose answer carries an
    address they typed. One worker pass against a real tool: neither is raised; intake's address is."""
    desk = verified_desk
    credentials.keep_for_session(CONNECTOR, TOKEN)
    billing = desk.ids["billing"]
    # with psql: a customer of her own, and a VIP's address as its first (in one transaction since 0045)
    with desk.connect("alice") as alice, alice.transaction():
        row = alice.execute("INSERT INTO customer (name) VALUES ('Mallory') RETURNING id").fetchone()
        assert row is not None
        mallory = int(str(row[0]))
        alice.execute(
            "INSERT INTO customer_email (customer_id, address, is_primary) VALUES (%s, 'boss@vip.test', true)",
            (mallory,),
        )
    by_email = _create(desk, "alice", mallory, billing, "Where is my order")
    # Through the client: a new customer at an address she types, linked to the VIP account carrying it.
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            oscar = directory.find_or_create_customer(uow, email="big@vip.test", name="Oscar")
            uow.commit()
    finally:
        runtime.close()
    linked = _create(desk, "alice", oscar, billing, "Refund")
    runtime = desk.runtime("alice")
    try:
        with runtime.uow() as uow:
            finding.link_account(uow, linked, "B-1")
            uow.commit()
    finally:
        runtime.close()
    # Intake (the worker's trusted login) took this one from the sender.
    with worker.uow() as uow:
        iris = directory.find_or_create_customer(uow, email="iris@vip.test", name="Iris")
        uow.commit()
    from_intake = _create(desk, "alice", iris, billing, "Hello")
    assert [_source(desk, a) for a in ("boss@vip.test", "big@vip.test", "iris@vip.test")] == [
        "staff",
        "staff",
        "intake",
    ]
    accounts = {
        "boss@vip.test": {**ACCOUNT, "id": "B-0", "tier": "vip", "email": "boss@vip.test"},
        "B-1": {**ACCOUNT, "id": "B-1", "tier": "vip", "email": "big@vip.test"},
        "iris@vip.test": {**ACCOUNT, "id": "I-1", "tier": "vip", "email": "iris@vip.test"},
    }

    result = _run(worker, Tool(tool, worker, accounts).job(), desk)
    assert result["problem"] is None and result["failed"] == 0, result
    assert _trust(desk, mallory) == ("boss@vip.test", True, "vip", None)  # looked up and shown, not decided on
    assert _trust(desk, oscar) == ("B-1", True, "vip", None)
    assert _trust(desk, iris) == ("iris@vip.test", True, "vip", "customer_email")
    assert [_ticket(desk, t)[0] for t in (by_email, linked, from_intake)] == [
        Priority.NORMAL,
        Priority.NORMAL,
        Priority.HIGH,
    ]
    sla_sweep(worker.uow)
    assert [_due_minutes(worker, t) for t in (by_email, linked, from_intake)] == [240, 240, 30]
    # The database refuses the worker's "customer_email" for an address staff typed.
    with worker.uow() as uow:
        connection = uow.session.connection()
        with pytest.raises(DBAPIError) as refused, connection.begin_nested():
            connection.exec_driver_sql(
                "SELECT switchboard.account_verify_store(%s, 'probe', 'email', 'boss@vip.test', 'the test', NULL,"
                " true, '{}'::jsonb, 60, NULL, 'customer_email')",
                (mallory,),
            )
        assert isinstance(refused.value.orig, psycopg.errors.InvalidParameterValue)
    # A site that trusts named accounts counts staff's addresses too, as its own trust (site_trust).
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.account_verified SET expires_at = now() WHERE customer_id = ANY(%s)", ([mallory],)
        )
    trusting = _run(worker, Tool(tool, worker, accounts, trust_named_accounts=True).job(), desk)
    assert trusting["problem"] is None, trusting
    assert _trust(desk, mallory) == ("boss@vip.test", True, "vip", "site_trust")
    assert _ticket(desk, by_email)[0] is Priority.HIGH


def test_the_demo_vouches_for_its_own_addresses_from_before_0034(
    verified_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`switchboard demo` on a data directory whose demo predates migration 0034 (its addresses 'unknown'):
    the demo loader (trusted) says its customers' addresses are intake's, and no other address."""
    desk = verified_desk
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))  # where the demo tool's directory is written
    demo_customer = _customer(desk, "Demo", "ACC-000001", "demo.person0@acme.example")
    other = _customer(desk, "Other", None, "other@elsewhere.test")
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.customer_email SET source = 'unknown' WHERE customer_id = ANY(%s)",
            ([demo_customer, other],),
        )
    engine = build_engine(desk.url)
    try:
        ensure_tool_directory(build_session_factory(engine))
    finally:
        engine.dispose()
    assert _source(desk, "demo.person0@acme.example") == "intake"
    assert _source(desk, "other@elsewhere.test") == "unknown"


def test_a_dead_tool_is_a_clear_job_result_and_changes_nothing(
    verified_desk: Desk, worker: Runtime, tool: HTTPServer
) -> None:
    desk = verified_desk
    credentials.keep_for_session(CONNECTOR, TOKEN)
    wes = _customer(desk, "Wes", "W-1")
    with worker.uow() as uow:  # verified VIP once (corroborated), expired since: due again
        uow.session.connection().exec_driver_sql(TRUSTED_VERIFY, (wes, CONNECTOR, "W-1", '{"tier": "vip"}'))
        uow.commit()
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.account_verified SET linked_account_id = 'W-1', expires_at = now() - interval '1 hour'"
            " WHERE customer_id = %s",
            (wes,),
        )
        dba.execute(  # everyone else is verified and fresh: Wes is the one due
            "INSERT INTO switchboard.account_verified AS v (customer_id, connector, linked_account_id, checked_at,"
            " expires_at, verified_by) SELECT id, %s, external_account_id, now(), now() + interval '1 hour', 'the test'"
            " FROM switchboard.customer WHERE id <> %s ON CONFLICT (customer_id, connector) DO UPDATE"
            " SET linked_account_id = EXCLUDED.linked_account_id, checked_at = now(), expires_at = EXCLUDED.expires_at",
            (CONNECTOR, wes),
        )
    ticket_id = _create(desk, "alice", wes, desk.ids["billing"])
    assert _ticket(desk, ticket_id)[0] is Priority.HIGH  # expired, still the best knowledge
    dead = Tool(tool, worker, {})
    tool.stop()
    try:
        result = _run(worker, dead.job(limit=1), desk)
    finally:
        tool.start()
    assert result["due"] == result["failed"] == result["looked_up"] == 1 and result["changed"] == 0, result
    assert "refused the connection" in result["problem"], result
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT found, attributes, last_error IS NOT NULL FROM switchboard.account_verified"
            " WHERE customer_id = %s AND connector = %s",
            (wes, CONNECTOR),
        ).fetchone()
    assert row == (True, {"tier": "vip"}, True)  # the answer stays, the failure is beside it
    assert _ticket(desk, ticket_id) == (Priority.HIGH, 1)


FAKE = '[["Plan", "Diamond"], ["Balance", "1000000"]]'


def test_the_panel_names_a_colleagues_lookup_and_shows_the_workers_check_where_it_differs(
    verified_desk: Desk, worker: Runtime
) -> None:
    """Bob (Tech) stores a made-up VIP answer for Tina with his own login, as a modified client could; Carol's
    panel (Tech's lead) names Bob's client, and once the worker's own check of the same account says
    otherwise, shows the worker's answer with one line saying whose lookup differed."""
    desk, connector = verified_desk, "panelprov"
    credentials.keep_for_session(connector, TOKEN)
    settings = connector_settings("http://127.0.0.1:9", connector)  # panel() never asks the tool
    with desk.connect("bob") as bob:
        bob.execute(
            "SELECT switchboard.account_store(%s, 'account_id', 'T-7', %s, true, %s::jsonb, '{\"tier\": \"vip\"}',"
            " NULL, 3600, NULL)",
            (connector, desk.ids["tina"], FAKE),
        )
    runtimes = {person: desk.runtime(person) for person in ("bob", "carol")}
    try:
        panels = {
            person: Accounts(runtime, ConnectorRegistry({connector: settings})) for person, runtime in runtimes.items()
        }
        ticket = desk.ids["tina_ticket"]
        made_up = (("Plan", "Diamond"), ("Balance", "1000000"))
        own, seen = panels["bob"].panel(ticket), panels["carol"].panel(ticket)
        assert (own.fields, own.freshness, own.correction) == (made_up, "fetched just now", None)
        assert (seen.state, seen.fields, seen.correction) == ("fresh", made_up, None)  # no check: shown, but named
        assert seen.freshness == "looked up by Bob's client just now"

        with worker.uow() as uow:  # the worker's check of another account of Tina's changes nothing
            uow.session.connection().exec_driver_sql(VERIFY, (desk.ids["tina"], connector, "T-8", '{"tier": "std"}'))
            uow.commit()
        assert panels["carol"].panel(ticket) == seen

        with worker.uow() as uow:  # the worker's own check of T-7 agrees on what it keeps: named only
            uow.session.connection().exec_driver_sql(VERIFY, (desk.ids["tina"], connector, "T-7", '{"tier": "vip"}'))
            uow.commit()
        assert panels["carol"].panel(ticket) == seen

        with worker.uow() as uow:  # and now it differs
            uow.session.connection().exec_driver_sql(VERIFY, (desk.ids["tina"], connector, "T-7", '{"tier": "std"}'))
            uow.commit()
        with desk.connect_as_dba() as dba:
            row = dba.execute(
                "SELECT verified_at FROM switchboard.account_verified WHERE customer_id = %s AND connector = %s",
                (desk.ids["tina"], connector),
            ).fetchone()
        assert row is not None and isinstance(row[0], dt.datetime)
        at = row[0].astimezone().strftime("%H:%M")
        for person, whose in [("carol", "Bob's"), ("bob", "Your")]:
            corrected = panels[person].panel(ticket)
            assert (corrected.state, corrected.fields, corrected.link) == ("fresh", (("tier", "std"),), None), person
            assert corrected.freshness == "checked by the worker just now"
            assert (
                corrected.correction == f"{whose} lookup differed from the worker's check at {at}; showing the worker's"
            )

        with worker.uow() as uow:  # the tool knows no account T-7 at all
            uow.session.connection().exec_driver_sql(
                "SELECT switchboard.account_verify_store(%s, %s, 'account_id', 'T-7', 'the test', NULL, false,"
                " '{}'::jsonb, 3600, NULL)",
                (desk.ids["tina"], connector),
            )
            uow.commit()
        gone = panels["carol"].panel(ticket)
        assert (gone.state, gone.fields, gone.link) == ("not_found", (), None)
        assert gone.headline.startswith(f"The {connector} tool knows no account T-7")
        assert gone.correction is not None and gone.correction.startswith("Bob's lookup differed")

        with desk.connect_as_dba() as dba:  # an expired check corrects nothing (the worker checks again)
            dba.execute("UPDATE switchboard.account_verified SET expires_at = now() WHERE connector = %s", (connector,))
        assert panels["carol"].panel(ticket) == seen
    finally:
        for runtime in runtimes.values():
            runtime.close()


def test_one_ticket_held_by_an_agent_leaves_its_customer_for_the_next_pass_and_verifies_the_rest(
    verified_desk: Desk, worker: Runtime, tool: HTTPServer
) -> None:
    """alice held one open ticket FOR SHARE: the pass waited out its lock timeout on that customer (the newest,
    asked first) and failed, every customer with it, pass after pass (probe 12). Now that customer waits for
    the next pass and the others are verified."""
    desk = verified_desk
    credentials.keep_for_session(CONNECTOR, TOKEN)
    held_customer = _customer(desk, "Hal Held", "H-52", "hal.held@customer.test")
    free_customer = _customer(desk, "Fred Free", "F-52", "fred.free@customer.test")
    free = _create(desk, "bob", free_customer, desk.ids["tech"])
    held = _create(desk, "alice", held_customer, desk.ids["billing"])
    answers = {
        key: {**ACCOUNT, "id": key, "tier": "vip", "email": f"{name}@customer.test"}
        for key, name in (("H-52", "hal.held"), ("F-52", "fred.free"))
    }
    looked_up = Tool(tool, worker, answers)
    alice = desk.connect("alice")
    try:
        alice.execute("SET idle_in_transaction_session_timeout = 0")
        alice.execute("BEGIN")
        alice.execute("SELECT id FROM ticket WHERE id = %s FOR SHARE", (held,))
        result = _run(worker, looked_up.job(), desk)
        assert result["busy"] == 1 and result["problem"] is None, result
        assert _ticket(desk, free)[0] is Priority.HIGH and _ticket(desk, held)[0] is Priority.NORMAL
    finally:
        alice.execute("ROLLBACK")
        alice.close()
    again = _run(worker, looked_up.job(), desk)
    assert again["busy"] == 0 and _ticket(desk, held)[0] is Priority.HIGH, again
