"""The routing issue's "done when" on a fresh embedded demo: a new ticket is routed and explained; with
everyone in a queue away it waits, listed, assigned to nobody; eight concurrent `ticket next`, real
processes, never return the same ticket. The other commands run their `main()` in the test process
(tests/support/embedded_cli.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.embedded_cli import demo_data_dir, leave_embedded_server, run
from tests.support.embedded_cli import run_in_process as in_process

pytestmark = pytest.mark.slow
SHIPPING = ["grace.liu", "daniel.kowalski", "julia.rossi"]  # everyone who works Shipping & Returns in the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = demo_data_dir(tmp_path_factory.mktemp("routing-demo"), tickets=200)
    yield data_dir
    leave_embedded_server(data_dir)


def create(data_dir: Path, queue: str, customer: str) -> int:
    done = in_process(
        data_dir,
        "ticket",
        "create",
        "--subject",
        "Where is my parcel?",
        "--customer",
        customer,
        "--queue",
        queue,
        "--body",
        "It has been two weeks.",
        "--tag",
        "delivery",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)["ticket"]
    explained = json.loads(in_process(data_dir, "routing", "explain", str(created["number"]), "--json").stdout)
    # printed as it was committed: routed (or not) and with its due times, not as it stood before routing
    assert created["assignee_name"] == explained["winner"] and created["sla_due_at"] is not None
    return int(created["number"])


def test_a_new_ticket_is_routed_to_a_qualified_available_agent_and_explained(demo: Path) -> None:
    for login in SHIPPING:
        assert in_process(demo, "--user", login, "agent", "status", "available").returncode == 0
    number = create(demo, "Shipping & Returns", "routing-check@northwind.example")
    explained = json.loads(in_process(demo, "routing", "explain", str(number), "--json").stdout)
    assert explained["winner"] in ("Grace Liu", "Daniel Kowalski", "Julia Rossi") and explained["asked_by"] == "intake"
    assert explained["candidates"] and all(c["factors"] for c in explained["candidates"])
    skill = next(f for f in explained["candidates"][0]["factors"] if f["factor"] == "skill")
    assert "shipping" in skill["note"]  # the tag asked for it (demo routing settings)


def test_with_everyone_in_the_queue_away_a_new_ticket_waits_listed_and_unassigned(demo: Path) -> None:
    for login in SHIPPING:
        assert in_process(demo, "--user", login, "agent", "status", "away").returncode == 0
    number = create(demo, "Shipping & Returns", "nobody-home@contoso.example")
    waiting = json.loads(in_process(demo, "routing", "unassigned", "--json").stdout)
    assert number in [t["number"] for t in waiting]
    shown = json.loads(in_process(demo, "ticket", "show", str(number), "--json").stdout)
    assert shown["assignee_id"] is None
    back = json.loads(in_process(demo, "--user", "daniel.kowalski", "agent", "status", "available", "--json").stdout)
    assert back["assigned"], "becoming available drains the waiting ticket"  # the lead keeps no shift: any hour


def test_the_demo_agents_have_shifts_in_their_time_zones_and_one_is_out_of_office_with_a_substitute(
    demo: Path,
) -> None:
    grace = json.loads(in_process(demo, "agent", "facts", "show", "grace.liu", "--json").stdout)
    assert grace["time_zone"] == "Asia/Singapore" and grace["shift"]["5"] == [[600, 840]]  # Saturdays too
    ivan = json.loads(in_process(demo, "agent", "facts", "show", "ivan.petrov", "--json").stdout)
    assert ivan["out_of_office_until"] and ivan["substitute"] == "farid.haddad"
    number = create(demo, "Technical Support", "holiday-check@contoso.example")
    explained = json.loads(in_process(demo, "routing", "explain", str(number), "--json").stdout)
    assert ("Ivan Petrov", "out of office") in [(e["name"], e["reason"]) for e in explained["exclusions"]]


def test_eight_concurrent_get_next_never_return_the_same_ticket(demo: Path) -> None:
    billing = ["ben.okafor", "hannah.becker", "julia.rossi", "amelie.durand"]
    for login in billing:  # away: new tickets wait for a pull instead of being pushed
        assert in_process(demo, "--user", login, "agent", "status", "away").returncode == 0
    for index in range(12):
        create(demo, "Billing", f"burst{index}@tailspin.example")
    logins = billing * 2
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda login: run(demo, "--user", login, "ticket", "next", "--json"), logins))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    numbers = [json.loads(r.stdout)["ticket"]["number"] for r in results if json.loads(r.stdout)]
    assert len(numbers) == 8 and len(set(numbers)) == 8


def test_the_dry_run_prints_loads_and_changes_and_writes_nothing(demo: Path, tmp_path: Path) -> None:
    settings = tmp_path / "weights.json"
    settings.write_text('{"weights": {"skill": 0, "language": 0, "room": 5}, "overflow_cap": 0}', encoding="utf-8")
    before = in_process(demo, "ticket", "list", "--all", "--json").stdout
    done = in_process(demo, "routing", "dry-run", "--days", "30", "--weights", str(settings), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    would_get = sum(agent["would_get"] for agent in result["agents"])
    assert result["tickets"] > 0 and would_get + len(result["no_eligible_agent"]) == result["tickets"]
    assert in_process(demo, "ticket", "list", "--all", "--json").stdout == before
    settings.write_text("{not json", encoding="utf-8")
    refused = in_process(demo, "routing", "dry-run", "--weights", str(settings))
    assert refused.returncode == 2 and "is not valid JSON" in refused.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"skills_by_tag": {"vip": {"billing": "x"}}}', "levels 1 to 5"),  # was an internal error
        (b'{"weights": {"skill": -5}}', "from 0 to 100"),
        (b'{"weights": {"skill": NaN}}', "from 0 to 100"),  # previewed, and changed who got what
        (b'{"weights": {"skill": 1e309}}', "from 0 to 100"),
        (b'{"weights": {"bogus": 2}}', "Weights are"),
        (b'{"overflow_cap": -3}', "overflow_cap"),
        (b'{"wieghts": {"skill": 2}}', "Unknown routing settings 'wieghts'"),
        (b"[1, 2]", "a JSON object"),
        (bytes(range(256)), "not a text file"),  # was an internal error
    ],
)
def test_the_dry_run_refuses_what_the_settings_would_refuse(
    demo: Path, tmp_path: Path, content: bytes, words: str
) -> None:
    settings = tmp_path / "weights.json"
    settings.write_bytes(content)
    refused = in_process(demo, "routing", "dry-run", "--weights", str(settings))
    assert refused.returncode == 2 and words in refused.stderr, (refused.returncode, refused.stderr)
