"""A new user with no configuration: the embedded server starts, migrates itself and holds the demo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import switchboard

pytestmark = pytest.mark.slow


def test_demo_then_list_new_tickets_on_the_embedded_default(tmp_path: Path) -> None:
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data")}
    filled = switchboard("demo", "--tickets", "300", "--no-open", env=env)
    assert filled.returncode == 0, filled.stderr
    assert "300 tickets" in filled.stdout

    listed = switchboard("ticket", "list", "--status", "new", "--all", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and all(row["status"] == "new" for row in rows)
    assert len({row["number"] for row in rows}) == len(rows)

    status = switchboard("db", "status", env=env)
    assert status.returncode == 0 and "is current" in status.stdout
    assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    assert (tmp_path / "data" / "logs" / "switchboard.log").exists()


def test_a_second_demo_run_keeps_one_set_and_add_adds_tickets_but_not_people(tmp_path: Path) -> None:
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data")}
    first = switchboard("demo", "--tickets", "20", "--no-open", env=env)
    again = switchboard("demo", "--tickets", "20", "--no-open", env=env)
    added = switchboard("demo", "--tickets", "20", "--no-open", "--seed", "8", "--add", env=env)
    assert first.returncode == again.returncode == added.returncode == 0, added.stderr
    assert "there already (20 tickets); nothing added" in again.stdout
    assert "10 agents" in added.stdout
    listed = json.loads(switchboard("ticket", "list", "--all", "--json", env=env).stdout)
    assert len(listed) == 40


def test_two_processes_starting_on_an_empty_data_directory_both_work(tmp_path: Path) -> None:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "app", "ticket", "list", "--json"]
    racers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], results
    assert all(json.loads(out) == [] for out, _err in results)


def test_the_demo_people_are_real_logins_who_see_what_their_role_allows(tmp_path: Path) -> None:
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data")}
    assert switchboard("demo", "--tickets", "200", "--no-open", env=env).returncode == 0
    queues_seen = {}
    for login in ("ben.okafor", "daniel.kowalski", "julia.rossi"):
        listed = switchboard("--user", login, "ticket", "list", "--all", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        queues_seen[login] = {row["queue_name"] for row in json.loads(listed.stdout)}
    assert queues_seen["ben.okafor"] == {"Billing"}  # an agent of Billing
    assert queues_seen["daniel.kowalski"] == {"Technical Support", "Shipping & Returns"}  # supervisor, leads both
    assert queues_seen["julia.rossi"] == {"Billing", "Technical Support", "Accounts & Access", "Shipping & Returns"}
    refused = switchboard("--user", "ben.okafor", "user", "add", "mallory", "--role", "admin", env=env)
    assert refused.returncode == 5 and "needs the role admin" in refused.stderr


def test_a_data_directory_too_long_for_a_socket_path_works_and_stops_with_the_last_process(tmp_path: Path) -> None:
    data = tmp_path / ("a-long-data-directory-" + "d" * 90)  # pgdata/.s.PGSQL.5432 would not fit in sun_path
    env = {"SWITCHBOARD_DATA_DIR": str(data)}
    try:
        listed = switchboard("ticket", "list", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []
        assert not (data / "pgdata" / "postmaster.pid").exists()  # the last process stopped the server
    finally:
        record = data / "pgdata" / "switchboard.socket_dir"  # our private socket directory under /tmp
        if record.exists():
            shutil.rmtree(record.read_text().strip(), ignore_errors=True)
