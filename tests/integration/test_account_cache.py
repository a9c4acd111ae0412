"""The team's account cache in PostgreSQL (issue 16), each person as their own login, on both servers: one
HTTP call for many concurrent lookups of one key, stale answers shown with their age while the tool is
down, no HTTP call inside a transaction, where a ticket names its account, the audited correction, and
row-level security on the cache (another queue's agent, a supervisor, an admin, a disabled agent, a group
member without an agent, a login outside every group)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.bootstrap import Runtime
from app.services.connectors import credentials
from app.services.connectors.area import Accounts
from app.services.connectors.attributes import Source, account_attributes, account_matches
from app.services.connectors.discovery import ConnectorRegistry
from app.services.errors import NotFound as NotFoundError
from app.services.tickets import service
from tests.support.desk import Desk
from tests.support.tool import ACCOUNT, connector_settings

pytestmark = pytest.mark.slow
TOKEN = "cache-test-token"


@pytest.fixture(scope="module")
def account_desk(desk: Desk) -> Desk:
    """Jane (tickets in Billing and Tech) is account J-1; Tina has one ticket, in Tech only, account T-7."""
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.customer SET external_account_id = 'J-1' WHERE id = %s", (desk.ids["jane"],))
        tina = dba.execute(
            "INSERT INTO switchboard.customer (name, external_account_id) VALUES ('Tina Tech', 'T-7') RETURNING id"
        ).fetchone()
        assert tina is not None
        desk.ids["tina"] = int(str(tina[0]))
    runtime = desk.runtime("bob")
    with runtime.uow() as uow:
        ticket = service.create_ticket(
            uow, subject="Lag", customer_id=desk.ids["tina"], queue_id=desk.ids["tech"], body="player id: 555"
        ).ticket
        uow.commit()
    runtime.close()
    desk.ids["tina_ticket"] = ticket.id
    return desk


class People:
    """Each person's own Accounts area (their own login, their own process-like registry)."""

    def __init__(self, desk: Desk, tool: HTTPServer, connector: str, **options: Any) -> None:
        self.desk, self.tool, self.connector, self.options = desk, tool, connector, options
        self.runtimes: list[Runtime] = []

    def accounts(self, person: str, **options: Any) -> Accounts:
        runtime = self.desk.runtime(person)
        self.runtimes.append(runtime)
        settings = connector_settings(self.tool.url_for("/").rstrip("/"), self.connector, **{**self.options, **options})
        return Accounts(runtime, ConnectorRegistry({self.connector: settings}))

    def close(self) -> None:
        for runtime in self.runtimes:
            runtime.close()


@pytest.fixture
def people(account_desk: Desk, tool: HTTPServer, request: pytest.FixtureRequest) -> Iterator[People]:
    credentials.keep_for_session(request.node.name[:60], TOKEN)
    crowd = People(account_desk, tool, request.node.name[:60])
    yield crowd
    crowd.close()


def _answer(calls: list[str], delay: float = 0.0) -> Any:
    def handler(request: Request) -> Response:
        calls.append(request.path)
        time.sleep(delay)
        return Response(json.dumps(ACCOUNT), content_type="application/json")

    return handler


def test_many_concurrent_lookups_of_one_key_make_one_http_call(people: People, tool: HTTPServer) -> None:
    calls: list[str] = []
    tool.expect_request("/api/accounts/J-1", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_handler(
        _answer(calls, delay=0.5)
    )
    crowd = [people.accounts(person) for person in ("alice", "ann", "sam", "dana", "alice", "ann", "carol", "bob")]
    ticket = {"carol": "tech_open", "bob": "tech_open"}
    persons = ["alice", "ann", "sam", "dana", "alice", "ann", "carol", "bob"]
    start = threading.Barrier(len(crowd))
    results: list[Any] = [None] * len(crowd)

    def look(i: int) -> None:
        start.wait()
        results[i] = crowd[i].refresh(people.desk.ids[ticket.get(persons[i], "billing_open")])

    threads = [threading.Thread(target=look, args=(i,)) for i in range(len(crowd))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert calls == ["/api/accounts/J-1"]  # one call for all eight
    assert {r.state for r in results} == {"fresh"}
    assert all(r.fields == (("Status", "active"), ("Plan", "Gold"), ("Region", "EU")) for r in results)
    assert sum(a.cache.calls for a in crowd if a.cache is not None) == 1


def test_an_expired_answer_is_shown_stale_with_its_age_and_a_dead_tool_is_one_clear_line(
    people: People, tool: HTTPServer
) -> None:
    calls: list[str] = []
    tool.expect_request("/api/accounts/J-1").respond_with_handler(_answer(calls))
    alice = people.accounts("alice", ttl_seconds=60)
    ticket_id = people.desk.ids["billing_open"]
    first = alice.panel(ticket_id)
    assert first.state == "unfetched" and first.needs_refresh and first.source == "the customer's account id"
    fresh = alice.refresh(ticket_id)
    assert fresh.state == "fresh" and fresh.freshness == "fetched just now" and fresh.link is not None
    assert people.accounts("ann").panel(ticket_id).freshness == "looked up by Alice's client just now"  # a colleague
    with people.desk.connect_as_dba() as dba:  # two hours pass for this entry
        dba.execute(
            "UPDATE switchboard.account_cache SET fetched_at = now() - interval '2 hours',"
            " expires_at = now() - interval '1 hour' WHERE connector = %s",
            (people.connector,),
        )
    stale = alice.panel(ticket_id)
    assert (stale.state, stale.freshness, stale.needs_refresh) == ("stale", "stale: fetched 2 h ago", True)
    assert stale.fields == fresh.fields  # shown while the refresh runs
    tool.stop()  # the tool dies
    try:
        after = people.accounts("ann", retries=0).refresh(ticket_id)
    finally:
        tool.start()
    assert after.state == "stale" and after.fields == fresh.fields
    assert after.problem is not None and "refused the connection" in after.problem
    assert people.accounts("sam").panel(ticket_id).problem == after.problem  # the team sees why, too
    assert len(calls) == 1


def test_no_http_call_runs_inside_a_database_transaction(people: People, tool: HTTPServer) -> None:
    alice = people.accounts("alice")
    engine = people.runtimes[-1].engine
    connections_during_call: list[int] = []

    def answer(request: Request) -> Response:
        connections_during_call.append(engine.pool.checkedout())  # type: ignore[attr-defined]
        return Response(json.dumps(ACCOUNT), content_type="application/json")

    tool.expect_request("/api/accounts/J-1").respond_with_handler(answer)
    assert alice.refresh(people.desk.ids["billing_open"]).state == "fresh"
    assert connections_during_call == [0]  # no session (so no transaction) was open while the tool was asked


def test_an_agent_reads_cached_accounts_only_of_customers_whose_tickets_they_see(
    people: People, tool: HTTPServer
) -> None:
    tool.expect_request("/api/accounts/T-7").respond_with_json({**ACCOUNT, "id": "T-7"})
    tool.expect_request("/api/accounts/J-1").respond_with_json(ACCOUNT)
    desk = people.desk
    assert people.accounts("bob").refresh(desk.ids["tina_ticket"]).state == "fresh"
    assert people.accounts("alice").refresh(desk.ids["billing_open"]).state == "fresh"
    query = "SELECT key FROM switchboard.account_cache WHERE connector = %s ORDER BY key"
    seen = {}
    for person in ("alice", "ann", "bob", "carol", "sam", "dana", "ghost"):
        with desk.connect(person) as caller:
            seen[person] = [row[0] for row in caller.execute(query, (people.connector,)).fetchall()]
    assert seen == {
        "alice": ["J-1"],  # Tina's account is Tech's: not hers
        "ann": ["J-1"],
        "bob": ["J-1", "T-7"],
        "carol": ["J-1", "T-7"],  # leads Tech
        "sam": ["J-1"],  # a supervisor of Billing who leads nothing
        "dana": ["J-1", "T-7"],  # admin
        "ghost": [],  # a group member without an agent
    }
    with desk.connect("outsider") as outsider, pytest.raises(psycopg.errors.InsufficientPrivilege):
        outsider.execute(query, (people.connector,))
    # A ticket for Tina that Alice writes and rolls back opens nothing: it leaves no trace, so it may show
    # nothing (one she commits is audited and her colleagues see it).
    with desk.connect("alice") as alice:
        alice.execute("BEGIN")
        alice.execute(
            "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
            " VALUES ('peek', 'new', 1, 'question', %s, %s, 'email')",
            (desk.ids["billing"], desk.ids["tina"]),
        )
        assert alice.execute(query, (people.connector,)).fetchall() == [("J-1",)]
        alice.execute("ROLLBACK")
    # Alice's own area cannot show Tina's ticket at all (she does not see it).
    with pytest.raises(NotFoundError):
        people.accounts("alice").panel(desk.ids["tina_ticket"])


def test_a_disabled_agent_reads_no_cache_and_claims_nothing(people: People, tool: HTTPServer) -> None:
    tool.expect_request("/api/accounts/J-1").respond_with_json(ACCOUNT)
    desk = people.desk
    people.accounts("alice").refresh(desk.ids["billing_open"])
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Fay', 'fay@desk.test', 'agent', NULL, %s)", (desk.login("fay"), [desk.ids["billing"]])
        )
    with desk.connect("fay") as fay:
        assert fay.execute("SELECT count(*) FROM switchboard.account_cache").fetchone() != (0,)
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.agent SET is_active = false WHERE db_login = %s", (desk.login("fay"),))
        assert fay.execute("SELECT count(*) FROM switchboard.account_cache").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            fay.execute(
                "SELECT switchboard.account_claim(%s, 'account_id', 'J-1', %s, 10)",
                (people.connector, desk.ids["jane"]),
            )


CLAIM = "SELECT switchboard.account_claim(%s, 'account_id', %s, %s, 10)"
STORE = "SELECT switchboard.account_store(%s, 'account_id', %s, %s, true, %s::jsonb, '{}'::jsonb, %s, 60, NULL)"


def test_nobody_writes_the_cache_but_through_the_functions_and_only_for_customers_they_see(
    people: People,
) -> None:
    desk, connector = people.desk, people.connector
    with desk.connect("alice") as alice:
        for statement in [
            "INSERT INTO switchboard.account_cache (connector, key_kind, key) VALUES ('x', 'account_id', 'y')",
            "UPDATE switchboard.account_cache SET fields = '[]'",
            "DELETE FROM switchboard.account_cache",
            "TRUNCATE switchboard.account_cache",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                alice.execute(statement)
        for call, args in [
            (CLAIM, (connector, "T-7", desk.ids["tina"])),
            (STORE, (connector, "T-7", desk.ids["tina"], '[["Status", "forged"]]', None)),
            (STORE, (connector, "T-7", desk.ids["omar"], "[]", None)),  # Omar has no ticket at all
        ]:
            with pytest.raises(psycopg.errors.NoDataFound, match="no customer with id"):
                alice.execute(call, args)
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            alice.execute(STORE, (connector, "J-1", desk.ids["jane"], "[]", "javascript:alert(1)"))
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            alice.execute(STORE, (connector, "J-1", desk.ids["jane"], json.dumps([["x", "y"]] * 51), None))
        # Only the customer's own key: Tina's account id claimed for Jane would have opened Tina's account to
        # everyone who sees Jane (the cache's row-level security reads its customers).
        for key in ("T-7", "J-9"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of this customer's"):
                alice.execute(CLAIM, (connector, key, desk.ids["jane"]))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of this customer's"):
            alice.execute(STORE, (connector, "T-7", desk.ids["jane"], "[]", None))  # the same through a store
        # Nor a key linked in the same transaction and rolled back with what it read (no trace) — also while
        # an older transaction is still open, so that Alice's id is above the snapshot's xmax.
        with desk.connect_as_dba() as older:
            older.execute("BEGIN")
            older.execute("SELECT pg_current_xact_id()")
            alice.execute("BEGIN")
            alice.execute("SELECT switchboard.link_customer_account(%s, 'T-7')", (desk.ids["billing_open"],))
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of this customer's"):
                alice.execute(CLAIM, (connector, "T-7", desk.ids["jane"]))
            alice.execute("ROLLBACK")
            older.execute("ROLLBACK")
        assert alice.execute(CLAIM, (connector, "J-1", desk.ids["jane"])).fetchone() == ("claimed",)
        assert alice.execute(CLAIM, (connector, "J-1", desk.ids["jane"])).fetchone() == ("busy",)
    with desk.connect("outsider") as outsider, pytest.raises(psycopg.errors.InsufficientPrivilege):
        outsider.execute(CLAIM, (connector, "J-1", desk.ids["jane"]))
    with desk.connect("ghost") as ghost, pytest.raises(psycopg.errors.InsufficientPrivilege):
        ghost.execute(CLAIM, (connector, "J-1", desk.ids["jane"]))


def test_the_account_is_found_in_a_custom_field_or_by_a_pattern_and_an_agents_correction_is_audited(
    people: People, tool: HTTPServer
) -> None:
    desk = people.desk
    tool.expect_request("/api/accounts/555").respond_with_json({**ACCOUNT, "id": "555"})
    tool.expect_request("/api/accounts/4242").respond_with_data("", status=404)
    find = {"custom_field": "player_id", "patterns": [r"player id:?\s*#?(\d{3,12})"]}
    bob = people.accounts("bob", find=find)
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.customer SET external_account_id = NULL WHERE id = %s", (desk.ids["tina"],))
    ticket_id = desk.ids["tina_ticket"]
    by_pattern = bob.refresh(ticket_id)
    assert (by_pattern.key, by_pattern.source) == ("555", "the first message (“player id: 555”)")
    assert by_pattern.state == "fresh"
    with desk.connect("bob") as conn:
        conn.execute(
            "UPDATE switchboard.ticket SET custom_fields = '{\"player_id\": 4242}' WHERE id = %s", (ticket_id,)
        )
    by_field = bob.refresh(ticket_id)
    assert (by_field.key, by_field.source, by_field.state) == ("4242", "the field player_id", "not_found")
    corrected = bob.link(ticket_id, "T-7")
    assert (corrected.key, corrected.source) == ("T-7", "the customer's account id")
    with desk.connect_as_dba() as dba:
        audit = dba.execute(
            "SELECT actor_login, entity, entity_id, ticket_id, field, old_value, new_value"
            " FROM switchboard.audit_event WHERE action = 'link_account' AND entity_id = %s ORDER BY id",
            (desk.ids["tina"],),
        ).fetchall()
    # Her creation with an account (audited since 0046) and the DBA's change above: whoever makes them.
    assert [row[0] for row in audit[:-1]] == ["postgres", "postgres"]
    bobs = (desk.login("bob"), "customer", desk.ids["tina"], ticket_id, "external_account_id", None, "T-7")
    assert audit[-1] == bobs
    # Alice cannot correct (or even reach) a customer she sees no ticket of.
    with pytest.raises(NotFoundError):
        people.accounts("alice").link(ticket_id, "X-1")
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.InsufficientPrivilege):
        alice.execute("UPDATE switchboard.customer SET external_account_id = 'X-1' WHERE id = %s", (desk.ids["tina"],))
    with desk.connect("alice") as alice, pytest.raises(psycopg.errors.NoDataFound):
        alice.execute("SELECT switchboard.link_customer_account(%s, 'X-1')", (ticket_id,))
    with desk.connect("bob") as conn, pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("SELECT switchboard.link_customer_account(%s, %s)", (ticket_id, "a\r\nb"))


def test_a_hostile_key_in_a_ticket_is_no_key(people: People, tool: HTTPServer) -> None:
    find = {"custom_field": "player_id", "patterns": []}
    bob = people.accounts("bob", find=find)
    ticket_id = people.desk.ids["tech_open"]
    with people.desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.customer SET external_account_id = NULL WHERE id = %s", (people.desk.ids["jane"],)
        )
    try:
        with people.desk.connect("bob") as conn:
            conn.execute(
                "UPDATE switchboard.ticket SET custom_fields = %s::jsonb WHERE id = %s",
                (json.dumps({"player_id": "1\r\nX-Evil: 1"}), ticket_id),
            )
        panel = bob.panel(ticket_id)
        # The hostile field is no key; the customer's address is the next way to find the account.
        assert (panel.key, panel.source, panel.state) == ("jane@customer.test", "the customer's email", "unfetched")
    finally:
        with people.desk.connect_as_dba() as dba:
            dba.execute(
                "UPDATE switchboard.customer SET external_account_id = 'J-1' WHERE id = %s", (people.desk.ids["jane"],)
            )


def test_the_panels_cached_attributes_are_read_without_a_call_and_never_decide(
    people: People, tool: HTTPServer
) -> None:
    tool.expect_request("/api/accounts/T-7").respond_with_json({**ACCOUNT, "id": "T-7", "tier": "vip"})
    desk = people.desk
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.customer SET external_account_id = 'T-7' WHERE id = %s", (desk.ids["tina"],))
    assert people.accounts("bob").refresh(desk.ids["tina_ticket"]).state == "fresh"
    calls = len(tool.log)
    for person, expected in [("bob", {"tier": "vip"}), ("carol", {"tier": "vip"}), ("alice", {})]:
        runtime = desk.runtime(person)
        try:
            with runtime.uow() as uow:
                shown = account_attributes(uow, desk.ids["tina"], connector=people.connector, source=Source.DISPLAY)
                decided = account_attributes(uow, desk.ids["tina"], connector=people.connector)
        finally:
            runtime.close()
        assert shown == expected, person  # alice sees no ticket of Tina's: nothing
        assert account_matches(shown, {"account.tier": "vip"}) is bool(expected)
        assert decided == {}  # what a client stored is no verified answer: rules read nothing of it
    assert len(tool.log) == calls  # read from the cache only
