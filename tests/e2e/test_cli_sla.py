"""The SLA issue's "done when" on a fresh embedded demo: demo tickets carry due times from the demo policy
that `sla explain --json` derives from their ledger; `worker --once` escalates what is overdue once (a
second worker at the same time does nothing more); `escalations --json` lists them ranked, and an agent
sees only the queues they work. The demo is filled and the workers run as real processes; the other
commands run their `main()` in the test process (tests/support/embedded_cli.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.embedded_cli import demo_data_dir, leave_embedded_server, run
from tests.support.embedded_cli import run_in_process as in_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = demo_data_dir(tmp_path_factory.mktemp("sla-demo"), tickets=150)
    yield data_dir
    leave_embedded_server(data_dir)


def test_a_demo_ticket_is_due_as_its_ledger_says(demo: Path) -> None:
    done = in_process(demo, "sla", "explain", "10001", "--json")
    assert done.returncode == 0, done.stderr
    explained = json.loads(done.stdout)
    # #10001's customer is a Platinum account of the demo tool (tier vip, in the warmed cache): the demo's
    # VIP policy applies to it, before the default one (issue 16); #10002's is a standard account.
    assert explained["policy"] == "VIP accounts" and explained["time_zone"] == "Europe/Berlin"
    assert json.loads(in_process(demo, "sla", "explain", "10002", "--json").stdout)["policy"] == "Default"
    resolution = next(t for t in explained["targets"] if t["target"] == "resolution")
    assert resolution["due_at"] is not None and resolution["due_at"] == explained["due"]["resolution_due_at"]
    assert next(e["entry"] for e in explained["ledger"] if e["target"] == "resolution") == "start"
    assert resolution["explanation"][-1].startswith("due ")
    words = in_process(demo, "sla", "explain", "10001")
    assert words.returncode == 0 and "resolution:" in words.stdout and "started:" in words.stdout


def test_two_workers_escalate_overdue_tickets_once_and_the_board_ranks_them(demo: Path) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--once"],
            env={**os.environ, "SWITCHBOARD_DATA_DIR": str(demo)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    board = json.loads(in_process(demo, "escalations", "--json").stdout)
    assert board, "the demo's history has overdue open tickets"
    keys = [(row["ticket"], row["target"]) for row in board]
    assert len(keys) == len(set(keys))  # the highest step of each (ticket, target), once
    ranked = [(row["margin_minutes"] is None, row["margin_minutes"] or 0, row["clock_due_at"] or "") for row in board]
    assert ranked == sorted(ranked)  # by predicted breach: the most negative margin first, paused clocks last
    assert {row["risk"] for row in board} <= {"breached", "likely to breach", "on track", "paused"}
    # the text says when each clock is due (it said the escalation step's time: "due 16:00" of a clock due at 09:00)
    said = in_process(demo, "escalations").stdout.splitlines()
    for row, line in zip(board, said, strict=True):
        due = row["clock_due_at"]
        when = (
            "clock stopped" if due is None else f"due {dt.datetime.fromisoformat(due).astimezone():%Y-%m-%d %H:%M %Z}"
        )
        assert line.startswith(f"#{row['ticket']} ") and when in line, (line, row)
    again = run(demo, "worker", "--once")
    assert again.returncode == 0
    taken = {(row["ticket"], row["target"], row["level"]): row["done_at"] for row in board}
    for row in json.loads(in_process(demo, "escalations", "--json").stdout):  # no step was taken again
        assert taken.get((row["ticket"], row["target"], row["level"]), row["done_at"]) == row["done_at"]
    # the supervisor view's figures are a lead's, from the CLI as from the desktop (a real-world probe: an agent
    # read the team's load and breaches from the CLI); what she may see of her own tickets is her queue's
    for command in (("escalations", "--json"), ("team", "--json"), ("sla", "compliance", "--json")):
        agent = in_process(demo, "--user", "grace.liu", *command)
        assert agent.returncode == 5 and "for team leads and admins" in agent.stderr, (command, agent.stderr)
    refused = in_process(demo, "--user", "grace.liu", "escalations", "ack", str(board[0]["ticket"]), "--json")
    assert refused.returncode == 5 and "for team leads and admins" in refused.stderr  # an agent: said in words
    first = json.loads(in_process(demo, "escalations", "ack", str(board[0]["ticket"]), "--json").stdout)
    again = json.loads(in_process(demo, "escalations", "ack", str(board[0]["ticket"]), "--json").stdout)
    assert first["recorded"] and not again["recorded"] and again["acknowledged_at"] == first["acknowledged_at"]
    acknowledged = json.loads(in_process(demo, "escalations", "--json").stdout)
    assert {row["acknowledged_by"] for row in acknowledged if row["ticket"] == board[0]["ticket"]} == {
        first["acknowledged_by"]
    }
    # The team's load, as Team load shows it: busiest first, today's breaches on whoever held each ticket.
    team = json.loads(in_process(demo, "team", "--json").stdout)
    loads = [agent["routing_load"] / max(agent["capacity"], 1) for agent in team]
    assert team and loads == sorted(loads, reverse=True)  # busiest first, as routing counts the load
    assert all(agent["open"] >= 0 and agent["routing_load"] >= 0 for agent in team)
    assert sum(agent["breaches_today"] for agent in team) > 0, "the workers just marked assigned tickets breached"
    words = in_process(demo, "team")
    busiest = f"{team[0]['name']}: load {team[0]['routing_load']} of {team[0]['capacity']}"
    assert words.returncode == 0 and busiest in words.stdout
    # Compliance of the last four weeks per queue, priority and target, as the chart counts it.
    counted = json.loads(in_process(demo, "sla", "compliance", "--json").stdout)
    assert counted and {row["priority"] for row in counted} <= {"urgent", "high", "normal", "low"}
    assert {row["target"] for row in counted} <= {"first_response", "resolution"}
    summary = in_process(demo, "sla", "compliance")
    assert summary.returncode == 0 and "% met)" in summary.stdout
    theirs = json.loads(in_process(demo, "--user", "daniel.kowalski", "team", "--json").stdout)  # a team lead
    assert theirs and {agent["name"] for agent in theirs} <= {agent["name"] for agent in team}  # his queues' people


def test_a_vip_accounts_new_ticket_is_raised_by_the_demo_rule_which_only_an_admin_changes(demo: Path) -> None:
    """Issue 16 from the command line: the demo's rule, a VIP customer's new ticket raised to high on intake
    (from the warmed cache: no tool runs here), and an agent's attempt to change a rule refused in a line."""
    rules = json.loads(in_process(demo, "connector", "rule", "list", "--json").stdout)
    assert [(r["name"], r["conditions"], r["priority"]) for r in rules] == [
        ("VIP accounts", {"account.tier": "vip"}, "high")
    ]
    vip = json.loads(in_process(demo, "ticket", "show", "10001", "--json").stdout)["customer_emails"][0]
    created = in_process(
        demo, "--user", "ben.okafor", "ticket", "create", "--subject", "VIP", "--customer", vip, "--queue", "Billing",
        "--body", "Please help", "--json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    number = str(json.loads(created.stdout)["ticket"]["number"])
    assert json.loads(in_process(demo, "ticket", "show", number, "--json").stdout)["priority"] == "high"
    refused = in_process(
        demo, "--user", "ben.okafor", "connector", "rule", "set", "Mine", "--when", "tier=vip", "--priority", "urgent"
    )
    assert refused.returncode != 0 and "admin" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    changed = in_process(demo, "--user", "julia.rossi", "connector", "rule", "retire", "VIP accounts", "--json")
    assert changed.returncode == 0 and json.loads(changed.stdout)["active"] is False, changed.stderr


def test_a_team_lead_keeps_the_policies_of_their_queues_from_the_cli_and_no_other(demo: Path) -> None:
    """`sla policy …` saves through `save_sla_policy()`, as the desktop does: a lead (daniel.kowalski leads
    Technical Support and Shipping & Returns) adds and retires a policy of a queue they lead, and is refused
    one for another queue (the other refusals are probed in tests/integration/test_sla_admin_area.py)."""
    listed = in_process(demo, "ticket", "list", "--all", "--json")
    assert listed.returncode == 0, listed.stderr
    queues = {row["queue_name"]: row["queue_id"] for row in json.loads(listed.stdout)}
    tech, billing = queues["Technical Support"], queues["Billing"]
    lead = ("--user", "daniel.kowalski", "sla", "policy")
    targets = json.dumps({"urgent": {"first_response": 30, "resolution": 240}})

    mine = json.dumps({"queue_ids": [tech], "priorities": ["urgent"]})
    added = in_process(demo, *lead, "add", "Tech urgent", "--position", "5", "--conditions", mine, "--targets", targets)
    assert added.returncode == 0, added.stderr
    retired = in_process(demo, *lead, "retire", "Tech urgent", "--json")  # a change, on the version it read
    assert retired.returncode == 0, retired.stderr
    policy = json.loads(retired.stdout)
    assert (policy["conditions"]["queue_ids"], policy["active"], policy["version"]) == ([tech], False, 2)

    theirs = json.dumps({"queue_ids": [billing]})
    refused = in_process(
        demo, *lead, "add", "Billing urgent", "--position", "6", "--conditions", theirs, "--targets", targets
    )
    assert refused.returncode == 5, (refused.stdout, refused.stderr)
    assert "queues they lead" in refused.stderr


def test_a_policy_the_engine_cannot_read_is_refused_by_name_in_add_and_in_the_dry_run(
    demo: Path, tmp_path: Path
) -> None:
    """A typo'd condition (`queue_id` for `queue_ids`) was ignored, and the policy took every open ticket of
    every queue; a target of 99,999,999,999 minutes stopped the sweep. Both are refused before anything is
    saved or previewed, naming what is wrong (exit 2)."""
    targets = json.dumps({"normal": {"first_response": 30}})
    typo = in_process(
        demo,
        "sla",
        "policy",
        "add",
        "Typo",
        "--position",
        "5",
        "--conditions",
        '{"queue_id": [1]}',
        "--targets",
        targets,
    )
    assert typo.returncode == 2 and "Unknown condition 'queue_id'" in typo.stderr, (typo.stdout, typo.stderr)
    huge = json.dumps({"normal": {"first_response": 99_999_999_999}})
    absurd = in_process(demo, "sla", "policy", "add", "Absurd", "--position", "5", "--targets", huge)
    assert absurd.returncode == 2 and "525,600" in absurd.stderr, (absurd.stdout, absurd.stderr)
    policies = tmp_path / "policies.json"
    policies.write_text(json.dumps([{"position": 1, "conditions": {"bogus_key": 1}, "targets": json.loads(targets)}]))
    preview = in_process(demo, "sla", "dry-run", "--policies", str(policies))
    assert preview.returncode == 2 and "Unknown condition 'bogus_key'" in preview.stderr, preview.stderr
