"""Probes of `claim_next_ticket()` version 2 (migration 0015), each as the login's own session: it asks
who the caller is once, and must still refuse and assign exactly as version 1 did. An agent can never
claim as someone else, whatever it sets in its session; only a trusted session acts for another login.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.desk import Desk

REFUSED = psycopg.errors.InsufficientPrivilege


@pytest.fixture
def claimable(desk: Desk) -> Iterator[dict[str, int]]:
    """One new, unassigned ticket in each queue (the desk's own unassigned ones are given to dana for the
    while), closed afterwards (the audit trail keeps them) so each probe starts from the same queues."""
    made = {}
    with desk.connect_as_dba() as dba:
        for queue in ("billing", "tech"):
            row = dba.execute(
                "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel)"
                " VALUES (%s, 'new', 1, 'question', %s, %s, 'manual') RETURNING id",
                (f"claim me ({queue})", desk.ids[queue], desk.ids["jane"]),
            ).fetchone()
            assert row is not None
            made[queue] = int(str(row[0]))
        dba.execute(
            "UPDATE switchboard.ticket SET assignee_id = %s, version = version + 1 WHERE id = ANY(%s)",
            (desk.ids["dana"], [desk.ids["billing_open"], desk.ids["tech_open"]]),
        )
    yield made
    with desk.connect_as_dba() as dba:
        dba.execute(
            "UPDATE switchboard.ticket SET status = 'closed', version = version + 1 WHERE id = ANY(%s)",
            (list(made.values()),),
        )
        dba.execute(
            "UPDATE switchboard.ticket SET assignee_id = NULL, version = version + 1 WHERE id = ANY(%s)",
            ([desk.ids["billing_open"], desk.ids["tech_open"]],),
        )


def _claim(connection: psycopg.Connection[tuple[object, ...]], queue: int) -> tuple[int, int] | None:
    row = connection.execute("SELECT id, assignee_id FROM switchboard.claim_next_ticket(%s)", (queue,)).fetchone()
    return None if row is None else (int(str(row[0])), int(str(row[1])))


def _stored(desk: Desk, ticket: int) -> tuple[object, ...]:
    with desk.connect_as_dba() as dba:
        row = dba.execute(
            "SELECT t.assignee_id, t.version, a.actor_login, a.actor_agent_id, a.action"
            " FROM switchboard.ticket t JOIN switchboard.audit_event a ON a.ticket_id = t.id"
            " AND a.field = 'assignee_id' WHERE t.id = %s ORDER BY a.id DESC LIMIT 1",
            (ticket,),
        ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize(
    ("person", "queue"),
    [("alice", "billing"), ("bob", "tech"), ("carol", "tech"), ("sam", "billing"), ("dana", "tech")],
)
def test_staff_claim_from_the_queues_they_see_as_themselves(
    desk: Desk, claimable: dict[str, int], person: str, queue: str
) -> None:
    with desk.connect(person) as connection:
        claimed = _claim(connection, desk.ids[queue])
    assert claimed == (claimable[queue], desk.ids[person])
    assignee, _version, actor_login, actor_agent, action = _stored(desk, claimable[queue])
    me = desk.ids[person]
    assert (assignee, actor_login, actor_agent, action) == (me, desk.login(person), me, "assign")


@pytest.mark.parametrize(("person", "queue"), [("alice", "tech"), ("bob", "billing"), ("carol", "billing")])
def test_another_queues_agent_or_supervisor_is_refused_and_nothing_changes(
    desk: Desk, claimable: dict[str, int], person: str, queue: str
) -> None:
    with desk.connect(person) as connection, pytest.raises(REFUSED, match="you do not work that queue"):
        _claim(connection, desk.ids[queue])
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT assignee_id FROM switchboard.ticket WHERE id = %s", (claimable[queue],)).fetchone()
    assert row == (None,)


def test_a_login_without_an_active_agent_row_is_refused_by_name(desk: Desk, claimable: dict[str, int]) -> None:
    with desk.connect("ghost") as ghost, pytest.raises(REFUSED, match="is not an active Switchboard agent"):
        _claim(ghost, desk.ids["billing"])


def test_a_login_outside_every_group_cannot_call_it(desk: Desk, claimable: dict[str, int]) -> None:
    with desk.connect("outsider") as outsider, pytest.raises(REFUSED):
        _claim(outsider, desk.ids["billing"])


def test_an_agent_naming_another_login_in_its_session_still_claims_as_itself(
    desk: Desk, claimable: dict[str, int]
) -> None:
    """`switchboard.acting_login` is honoured for trusted sessions only: alice cannot pose as ann."""
    with desk.connect("alice") as alice:
        alice.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("ann"),))
        claimed = _claim(alice, desk.ids["billing"])
    assert claimed == (claimable["billing"], desk.ids["alice"])
    assert _stored(desk, claimable["billing"])[2:4] == (desk.login("alice"), desk.ids["alice"])


def test_a_trusted_session_claims_only_when_acting_for_an_agent(desk: Desk, claimable: dict[str, int]) -> None:
    with desk.connect_as_dba() as dba:
        with pytest.raises(REFUSED, match="only an agent claims tickets"):
            _claim(dba, desk.ids["billing"])
        dba.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("outsider"),))
        with pytest.raises(REFUSED, match="is not an active Switchboard agent"):
            _claim(dba, desk.ids["billing"])
        dba.execute("SELECT set_config('switchboard.acting_login', %s, false)", (desk.login("ann"),))
        claimed = _claim(dba, desk.ids["billing"])
    assert claimed == (claimable["billing"], desk.ids["ann"])
    assert _stored(desk, claimable["billing"])[2:4] == (desk.login("ann"), desk.ids["ann"])


def test_a_claimed_ticket_is_not_claimed_again_and_an_empty_queue_returns_nothing(
    desk: Desk, claimable: dict[str, int]
) -> None:
    with desk.connect("alice") as alice, desk.connect("ann") as ann:
        assert _claim(alice, desk.ids["billing"]) == (claimable["billing"], desk.ids["alice"])
        assert _claim(ann, desk.ids["billing"]) is None


def test_one_claim_asks_who_the_caller_is_at_most_twice(desk: Desk, claimable: dict[str, int]) -> None:
    """Once in the function, once in the audit trigger (version 1: four times)."""
    with desk.connect_as_dba() as dba:
        dba.execute(f"ALTER DATABASE \"{desk.database}\" SET track_functions = 'all'")
    try:
        with desk.connect("bob") as bob:
            bob.autocommit = False
            stat = "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'session_identity'"
            before = bob.execute(stat).fetchone()
            assert _claim(bob, desk.ids["tech"]) == (claimable["tech"], desk.ids["bob"])
            after = bob.execute(stat).fetchone()
            bob.commit()
        assert before is not None and after is not None
        assert 1 <= int(str(after[0])) - int(str(before[0])) <= 2
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute(f'ALTER DATABASE "{desk.database}" RESET track_functions')


# --- the claims with their summary (migration 0047): the owner reads the names, the claims check as before ---

SUMMARY = (
    "SELECT id, assignee_id, queue_name, assignee_name, customer_name, customer_emails, organisation_name"
    " FROM switchboard.claim_next_summary(%s)"
)


@pytest.mark.parametrize(("person", "queue"), [("alice", "billing"), ("bob", "tech"), ("carol", "tech")])
def test_a_claim_with_its_summary_names_what_the_client_shows(
    desk: Desk, claimable: dict[str, int], person: str, queue: str
) -> None:
    with desk.connect(person) as connection:
        row = connection.execute(SUMMARY, (desk.ids[queue],)).fetchone()
    name = {"billing": "Billing", "tech": "Tech"}[queue]
    assert row == (claimable[queue], desk.ids[person], name, person.title(), "Jane Doe", ["jane@customer.test"], None)
    assert _stored(desk, claimable[queue])[2:] == (desk.login(person), desk.ids[person], "assign")  # audited
    with desk.connect(person) as connection:  # take this one (at the version shown): its own, as it is
        version = _stored(desk, claimable[queue])[1]
        again = connection.execute(
            "SELECT id, assignee_name, queue_name FROM switchboard.claim_summary(%s, %s)", (claimable[queue], version)
        ).fetchone()
    assert again == (claimable[queue], person.title(), name)


@pytest.mark.parametrize(
    ("person", "queue", "refusal"),
    [
        ("alice", "tech", "you do not work that queue"),
        ("carol", "billing", "you do not work that queue"),
        ("ghost", "billing", "is not an active Switchboard agent"),
        ("outsider", "billing", "permission denied"),  # for the schema, before the function
    ],
)
def test_a_claim_with_its_summary_refuses_whom_the_claim_refuses(
    desk: Desk, claimable: dict[str, int], person: str, queue: str, refusal: str
) -> None:
    with desk.connect(person) as connection:
        with pytest.raises(REFUSED, match=refusal):
            connection.execute(SUMMARY, (desk.ids[queue],))
        taken = None
        with contextlib.suppress(REFUSED, psycopg.errors.NoDataFound):  # another queue's ticket: none, or no
            taken = connection.execute(
                "SELECT id FROM switchboard.claim_summary(%s, 1)", (claimable[queue],)
            ).fetchone()
    assert taken is None
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT assignee_id FROM switchboard.ticket WHERE id = %s", (claimable[queue],)).fetchone()
    assert row == (None,)
