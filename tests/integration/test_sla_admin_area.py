"""The SLA admin views' area (issue 14) on both servers, each person as their own login: a team lead keeps
the policies of the queues they lead through `save_sla_policy()` (add, change, retire, move), and the
database refuses them a policy over another lead's queue or over every queue, a change on an older version,
and anything at all to an agent, a lead who leads nothing, a disabled lead, a login in no group and a
group member with no agent row; an admin keeps every policy and the calendars (a lead reads calendars)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import psycopg
import pytest

from app.services.desk import HelpDesk
from app.services.errors import InvalidInput, NotPermitted
from app.services.sla.admin_area import SlaAdmin, plan_move
from tests.support.desk import Desk

pytestmark = pytest.mark.slow
TARGETS = {"normal": {"first_response": 60, "resolution": 600}}
CALL = "SELECT switchboard.save_sla_policy(%s, %s, %s, 5, %s::jsonb, %s::jsonb, true, NULL, 0.8, '[]', true)"


@pytest.fixture(scope="module")
def areas(desk: Desk) -> Iterator[dict[str, SlaAdmin]]:
    runtimes = {person: desk.runtime(person) for person in ("carol", "dana")}
    yield {person: HelpDesk(runtime).supervision.sla_admin for person, runtime in runtimes.items()}
    for runtime in runtimes.values():
        runtime.close()


def spec(name: str, queue_ids: list[int] | None, position: int = 10) -> dict[str, object]:
    conditions = {"queue_ids": queue_ids} if queue_ids is not None else {}
    return {"name": name, "position": position, "conditions": conditions, "targets": TARGETS, "ladder": []}


def test_a_lead_keeps_the_policies_of_the_queues_they_lead_and_no_other(desk: Desk, areas: dict[str, SlaAdmin]) -> None:
    carol, dana = areas["carol"], areas["dana"]
    tech, billing = desk.ids["tech"], desk.ids["billing"]
    setup = carol.setup()
    assert setup.led == {tech} and not setup.everyone and not setup.may_edit_calendars

    mine = carol.save_policy(None, None, spec("Tech fast", [tech], 10))
    assert (mine.conditions, mine.version, mine.is_active) == ({"queue_ids": [tech]}, 1, True)
    changed = carol.save_policy(mine.id, mine.version, {**spec("Tech fast", [tech], 10), "warn_share": 0.5})
    assert (changed.warn_share, changed.version) == (0.5, 2)
    with pytest.raises(InvalidInput, match="saved by someone else meanwhile"):  # made on version 1: refused
        carol.save_policy(mine.id, 1, spec("Tech fast", [tech], 11))

    for refused in (spec("Billing too", [tech, billing]), spec("Everything", None)):
        with pytest.raises(NotPermitted, match="applies only to queues they lead"):
            carol.save_policy(None, None, refused)
    theirs = dana.save_policy(None, None, spec("Billing slow", [billing], 20))
    with pytest.raises(NotPermitted, match="applies to queues you do not lead"):
        carol.save_policy(theirs.id, theirs.version, spec("Billing slow", [tech], 20))  # taking it over
    with pytest.raises(InvalidInput, match="malformed"):  # the CLI's validation, before the database
        carol.save_policy(None, None, {**spec("Bad", [tech]), "targets": {"normal": {"x": 1}}})

    retired = carol.save_policy(changed.id, changed.version, {**spec("Tech fast", [tech], 10), "active": False})
    assert retired.is_active is False
    with desk.connect("dana") as connection:
        reasons = [row[0] for row in connection.execute("SELECT reason FROM sla_recompute ORDER BY id")]
    assert reasons[-4:] == ["policy Tech fast added", "policy Tech fast changed", "policy Billing slow added",
                            "policy Tech fast retired"]  # fmt: skip


def test_a_move_changes_as_few_positions_as_it_can_and_a_lead_moves_only_their_own(
    desk: Desk, areas: dict[str, SlaAdmin]
) -> None:
    carol, dana = areas["carol"], areas["dana"]
    tech, billing = desk.ids["tech"], desk.ids["billing"]
    a = dana.save_policy(None, None, spec("Move A", [billing], 200))
    b = carol.save_policy(None, None, spec("Move B", [tech], 201))
    c = dana.save_policy(None, None, spec("Move C", [billing], 210))
    policies = [p for p in carol.setup().policies if p.name.startswith("Move")]
    assert plan_move(policies, b.id, 1) == {b.id: 211}  # below C: room, only B moves
    assert plan_move(policies, c.id, -1) == {c.id: 201, b.id: 210}  # between A and B no room: C swaps with B
    assert plan_move(policies, b.id, -1) == {b.id: 199}  # room above A
    with pytest.raises(InvalidInput, match="already first"):
        plan_move(policies, a.id, -1)
    outcome = carol.dry_run({b.id: {"position": 205}})  # nothing written by a dry run
    assert outcome.open_tickets == 2  # carol sees Tech's two
    with pytest.raises(NotPermitted, match="queues you do not lead"):  # the swap would change A, dana's
        carol.apply_positions({b.id: a.position, a.id: b.position}, {a.id: a.version, b.id: b.version})
    after = {p.name: p.position for p in carol.setup().policies if p.name.startswith("Move")}
    assert after == {"Move A": 200, "Move B": 201, "Move C": 210}  # refused whole: neither moved
    dana.apply_positions({b.id: a.position, a.id: b.position}, {a.id: a.version, b.id: b.version})
    after = {p.name: p.position for p in carol.setup().policies if p.name.startswith("Move")}
    assert after == {"Move A": 201, "Move B": 200, "Move C": 210}


def test_an_admin_keeps_calendars_and_a_lead_is_refused(desk: Desk, areas: dict[str, SlaAdmin]) -> None:
    carol, dana = areas["carol"], areas["dana"]
    added = dana.save_calendar(
        None, None, name="Desk hours", time_zone="Europe/Berlin", hours=["mon-fri 09:00-12:00,13:00-17:00"],
        country=" de", subdivision="be ", closed=[dt.date(2026, 12, 28)],
    )  # fmt: skip
    assert (added.country, added.subdivision) == ("DE", "BE")  # as typed in lower case: the codes it means
    changed = dana.save_calendar(
        added.id, added.version, name="Desk hours", time_zone="Europe/Berlin", hours=["mon-sat 08:00-18:00"],
        country="DE", subdivision=None, closed=[],
    )  # fmt: skip
    assert changed.version == 2 and changed.weekly_hours["5"] == [[480, 1080]] and changed.subdivision is None
    with pytest.raises(InvalidInput, match="saved by someone else meanwhile"):
        dana.save_calendar(
            added.id, added.version, name="Desk hours", time_zone="UTC", hours=["mon 09:00-10:00"],
            country=None, subdivision=None, closed=[],
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="within the day"):
        dana.save_calendar(
            None, None, name="Bad", time_zone="UTC", hours=["fri-mon 09:00-25:00"], country=None, subdivision=None,
            closed=[],
        )  # fmt: skip
    with pytest.raises(NotPermitted):
        carol.save_calendar(
            changed.id, changed.version, name="Desk hours", time_zone="UTC", hours=["mon 09:00-10:00"],
            country=None, subdivision=None, closed=[],
        )  # fmt: skip
    assert [c.version for c in carol.setup().calendars if c.name == "Desk hours"] == [2]
    closed = dict(carol.closed_days("DE", "BE", [dt.date(2026, 12, 28)], 2026))
    assert "2026-03-08" in {d.isoformat() for d in closed} and "team's own" in closed[dt.date(2026, 12, 28)]


@pytest.mark.parametrize("person", ["alice", "sam", "ghost", "outsider", "disabled carol"])
def test_nobody_but_a_lead_or_an_admin_saves_a_policy_through_the_function(desk: Desk, person: str) -> None:
    tech = desk.ids["tech"]
    login = "carol" if person == "disabled carol" else person
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.agent SET is_active = %s WHERE id = %s", (person != "disabled carol",
                                                                                   desk.ids["carol"]))  # fmt: skip
        (existing,) = dba.execute("SELECT id FROM switchboard.sla_policy ORDER BY id LIMIT 1").fetchone() or (None,)
    try:
        conditions = json.dumps({"queue_ids": [tech]})
        with desk.connect(login) as caller:
            for policy_id, version in ((None, None), (existing, 1)):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    caller.execute(CALL, (policy_id, version, f"By {person}", conditions, json.dumps(TARGETS)))
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.agent SET is_active = true WHERE id = %s", (desk.ids["carol"],))
    with desk.connect_as_dba() as dba:
        assert dba.execute("SELECT count(*) FROM switchboard.sla_policy WHERE name LIKE 'By %'").fetchone() == (0,)
