"""Routing settings from the command line on a fresh embedded demo (filled by a real process; the commands
then run their `main()` in the test process, tests/support/embedded_cli.py): a lead changes a
queue's weights and their agents' facts and shifts, an agent goes out of office with a substitute; the
database refuses the rest, with exit code 5 and nothing changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.embedded_cli import demo_data_dir, leave_embedded_server
from tests.support.embedded_cli import run_in_process as run

pytestmark = pytest.mark.slow
NOT_PERMITTED = 5
BAD_INPUT = 2
# The demo: amelie.durand leads Billing and Accounts & Access, daniel.kowalski Technical Support and
# Shipping & Returns; ben.okafor works Billing; julia.rossi is an admin.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = demo_data_dir(tmp_path_factory.mktemp("routing-settings-demo"), tickets=50)
    yield data_dir
    leave_embedded_server(data_dir)


def ok(data_dir: Path, *args: str) -> object:
    done = run(data_dir, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--json" in args else done.stdout


def test_a_lead_changes_a_queues_weights_and_the_rest_stays(demo: Path) -> None:
    before = ok(demo, "routing", "settings", "show", "Billing", "--json")
    assert isinstance(before, dict) and not before["own"]  # the demo's default applies
    after = ok(
        demo, "--user", "amelie.durand", "routing", "settings", "set", "Billing",
        "--weight", "skill=4", "--weight", "stickiness=0", "--overflow-cap", "1", "--json",
    )  # fmt: skip
    assert isinstance(after, dict) and after["own"] and after["version"] == 1
    assert after["weights"] == {**before["weights"], "skill": 4.0, "stickiness": 0.0}
    assert after["overflow_cap"] == 1
    assert after["settings"]["skills_by_tag"] == before["settings"]["skills_by_tag"]  # kept
    shown = ok(demo, "--user", "ben.okafor", "routing", "settings", "show", "Billing")
    assert "skill         4" in str(shown) and "version 1 (its own)" in str(shown)


@pytest.mark.parametrize(
    ("person", "queue"),
    [("ben.okafor", "Billing"), ("amelie.durand", "Technical Support"), ("daniel.kowalski", "Billing")],
)
def test_who_does_not_lead_the_queue_cannot_change_its_weights(demo: Path, person: str, queue: str) -> None:
    before = ok(demo, "routing", "settings", "show", queue, "--json")
    refused = run(demo, "--user", person, "routing", "settings", "set", queue, "--weight", "skill=9")
    assert refused.returncode == NOT_PERMITTED, refused.stderr
    assert ok(demo, "routing", "settings", "show", queue, "--json") == before


def test_bad_weights_are_refused_before_anything_is_asked(demo: Path) -> None:
    for weight in ("charm=3", "skill=lots", "skill=101"):
        refused = run(demo, "routing", "settings", "set", "Billing", "--weight", weight)
        assert refused.returncode == BAD_INPUT, refused.stderr
        assert "weight" in refused.stderr or "number" in refused.stderr


def test_a_lead_sets_an_agents_facts_and_shift_in_their_time_zone(demo: Path) -> None:
    facts = ok(
        demo, "--user", "amelie.durand", "agent", "facts", "set", "ben.okafor",
        "--skill", "billing:3", "--skill", "refunds:2", "--language", "EN", "--language", "de",
        "--capacity", "12", "--queue", "Billing", "--queue", "Accounts & Access", "--json",
    )  # fmt: skip
    assert isinstance(facts, dict)
    assert facts["skills"] == {"billing": 3, "refunds": 2} and facts["languages"] == ["de", "en"]
    assert facts["capacity"] == 12 and facts["queues"] == ["Accounts & Access", "Billing"]
    shift = ok(
        demo, "--user", "amelie.durand", "agent", "shift", "ben.okafor",
        "--on", "mon-fri=08:00-16:30", "--time-zone", "Europe/Berlin", "--json",
    )  # fmt: skip
    assert isinstance(shift, dict) and shift["time_zone"] == "Europe/Berlin"
    assert shift["shift"] == {str(day): [[480, 990]] for day in range(5)}
    shown = str(ok(demo, "agent", "facts", "show", "ben.okafor"))
    assert "mon 08:00-16:30" in shown and "Europe/Berlin" in shown
    ok(demo, "--user", "amelie.durand", "agent", "shift", "ben.okafor", "--none")
    assert ok(demo, "agent", "facts", "show", "ben.okafor", "--json")["shift"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    "args",
    [
        ("--user", "ben.okafor", "agent", "facts", "set", "hannah.becker", "--capacity", "1"),  # an agent
        ("--user", "daniel.kowalski", "agent", "facts", "set", "ben.okafor", "--capacity", "1"),  # another lead
        ("--user", "daniel.kowalski", "agent", "shift", "ben.okafor", "--on", "mon=00:00-01:00"),
        ("--user", "amelie.durand", "agent", "facts", "set", "ben.okafor", "--queue", "Technical Support"),
        ("--user", "ben.okafor", "agent", "away-until", "2030-01-01", "--agent", "hannah.becker"),
    ],
)
def test_what_a_lead_or_agent_may_not_change_is_refused_and_unchanged(demo: Path, args: tuple[str, ...]) -> None:
    before = (
        ok(demo, "agent", "facts", "show", "hannah.becker", "--json"),
        ok(demo, "agent", "facts", "show", "ben.okafor", "--json"),
    )
    refused = run(demo, *args)
    assert refused.returncode == NOT_PERMITTED, refused.stderr
    after = (
        ok(demo, "agent", "facts", "show", "hannah.becker", "--json"),
        ok(demo, "agent", "facts", "show", "ben.okafor", "--json"),
    )
    assert after == before


def test_an_agent_goes_out_of_office_with_a_substitute_and_comes_back(demo: Path) -> None:
    away = ok(demo, "--user", "ben.okafor", "agent", "away-until", "2030-01-31", "--substitute", "hannah.becker",
              "--json")  # fmt: skip
    assert isinstance(away, dict)
    assert (away["out_of_office_until"], away["substitute"]) == ("2030-01-31", "hannah.becker")
    refused = run(demo, "--user", "ben.okafor", "agent", "away-until", "2030-01-31", "--substitute", "grace.liu")
    assert refused.returncode == BAD_INPUT, refused.stderr  # she works none of his queues
    past = run(demo, "--user", "ben.okafor", "agent", "away-until", "2020-01-01")
    assert past.returncode == BAD_INPUT and "has passed" in past.stderr, past.stderr  # was shown as if away
    back = ok(demo, "--user", "ben.okafor", "agent", "back", "--json")
    assert isinstance(back, dict) and (back["out_of_office_until"], back["substitute"]) == (None, None)
