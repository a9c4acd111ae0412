"""The `switchboard` command as scripts and people use it, against a real database: real processes for
a whole journey, the console script, the client, doctor and what fails before any database answers; the
rest runs the same `main()` in this process (tests/support/cli_in_process.py), a second each cheaper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from app.bootstrap import Runtime
from app.services.platform.database import schema
from tests.support.cli_in_process import switchboard_in_process as in_process
from tests.support.postgres import PgServer
from tests.support.world import build_world

pytestmark = pytest.mark.slow


def switchboard(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def on_test_db(committed_runtime: Runtime, database_url: URL) -> list[str]:
    build_world(committed_runtime.session_factory)
    return ["--database", database_url.render_as_string(hide_password=False)]


def as_(db: list[str], person: str) -> list[str]:
    """Sign in as the world's person: their own login (the test servers trust local connections)."""
    return ["--user", f"{make_url(db[1]).database}_{person}"]


def _create(db: list[str], subject: str = "VPN drops every hour") -> dict[str, object]:
    done = in_process(
        *db,
        *as_(db, "alice"),
        "ticket",
        "create",
        "--subject",
        subject,
        "--customer",
        "jane@customer.test",
        "--queue",
        "billing",
        "--priority",
        "high",
        "--tag",
        "vpn",
        "--json",
        stdin="Since Monday the VPN disconnects every hour.\n",
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)["ticket"]
    return result


def test_create_list_show_reply_as_json(on_test_db: list[str]) -> None:
    created = _create(on_test_db)
    listed = switchboard(*on_test_db, *as_(on_test_db, "bob"), "ticket", "list", "--status", "new", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["number"] for row in rows] == [created["number"]]
    assert rows[0]["priority"] == "high" and rows[0]["tags"] == ["vpn"] and rows[0]["queue_name"] == "Billing"

    number = str(created["number"])
    replied = switchboard(
        *on_test_db,
        *as_(on_test_db, "bob"),
        "ticket",
        "reply",
        number,
        "--body",
        "Try the new client.",
        "--status",
        "answered",
        "--if-version",
        "1",
        "--json",
    )
    assert replied.returncode == 0, replied.stderr
    assert json.loads(replied.stdout)["ticket"]["status"] == "answered"
    shown = json.loads(switchboard(*on_test_db, *as_(on_test_db, "bob"), "ticket", "show", number, "--json").stdout)
    assert [m["kind"] for m in shown["messages"]] == ["customer_message", "public_reply"]
    assert shown["messages"][1]["author_name"] == "Bob Baker"


def test_an_agent_outside_the_queue_may_not_take_its_ticket(on_test_db: list[str]) -> None:
    """dave works Technical Support only; a Billing ticket is not his to assign, not even to himself."""
    number = str(_create(on_test_db)["number"])
    dave = as_(on_test_db, "dave")
    taken = in_process(*on_test_db, *dave, "ticket", "assign", number, dave[1], "--if-version", "1")
    # Refused and nothing changed: not permitted (5), or not found (3) where the database hides the row
    # from an agent outside its queue, which is what migration 0006 does.
    assert taken.returncode in (3, 5), taken.stderr
    shown = json.loads(in_process(*on_test_db, *as_(on_test_db, "alice"), "ticket", "show", number, "--json").stdout)
    assert shown["assignee_name"] is None and shown["version"] == 1


def test_a_stale_if_version_is_refused_naming_who(on_test_db: list[str]) -> None:
    number = str(_create(on_test_db)["number"])
    alice = as_(on_test_db, "alice")
    first = in_process(*on_test_db, *alice, "ticket", "assign", number, alice[1], "--if-version", "1")
    assert first.returncode == 0, first.stderr
    stale = in_process(
        *on_test_db, *as_(on_test_db, "carol"), "ticket", "status", number, "resolved", "--if-version", "1"
    )
    assert stale.returncode == 9
    assert f"Ticket #{number} was changed by Alice Archer" in stale.stderr
    assert "Traceback" not in stale.stderr
    shown = json.loads(in_process(*on_test_db, *as_(on_test_db, "alice"), "ticket", "show", number, "--json").stdout)
    assert shown["status"] == "new" and shown["assignee_name"] == "Alice Archer"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["ticket", "show", "1"], 3, "No ticket #1"),
        (["ticket", "status", "{number}", "teleported"], 2, "Unknown status 'teleported'"),
        (["ticket", "status", "{number}", "closed"], 0, "closed"),
        (["ticket", "list", "--queue", "Nowhere"], 3, "No queue named 'Nowhere'"),
        (["ticket", "list", "--status", "bogus"], 2, "Unknown status 'bogus'"),  # not "No tickets match."
        (["ticket", "assign", "{number}"], 2, "--none"),
    ],
)
def test_bad_input_gets_one_line_and_an_exit_code(
    on_test_db: list[str], args: list[str], code: int, words: str
) -> None:
    number = str(_create(on_test_db)["number"])
    done = in_process(*on_test_db, *as_(on_test_db, "alice"), *[a.replace("{number}", number) for a in args])
    assert done.returncode == code, done.stderr
    assert words in (done.stderr + done.stdout) and "Traceback" not in done.stderr


def test_a_closed_ticket_cannot_simply_move_on(on_test_db: list[str]) -> None:
    number = str(_create(on_test_db)["number"])
    in_process(*on_test_db, *as_(on_test_db, "alice"), "ticket", "status", number, "closed")
    refused = in_process(*on_test_db, *as_(on_test_db, "alice"), "ticket", "status", number, "in_progress")
    assert refused.returncode == 4 and "reopening" in refused.stderr
    reopened = in_process(*on_test_db, *as_(on_test_db, "alice"), "ticket", "reopen", number, "--json")
    assert json.loads(reopened.stdout)["ticket"]["status"] == "new"


def test_an_unknown_login_may_not_act(on_test_db: list[str]) -> None:
    done = in_process(*on_test_db, "--as", "mallory", "ticket", "list")
    assert done.returncode == 5 and "'mallory' is not an active Switchboard agent" in done.stderr


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        (
            "postgresql://nobody@127.0.0.1:1/none",
            6,
            "Cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/none: nothing answers",
        ),
        ("postgres ql://what", 2, "malformed"),
        ("mysql://db.lan/helpdesk", 2, "needs PostgreSQL"),
    ],
)
def test_database_trouble_is_one_sentence(url: str, code: int, words: str) -> None:
    done = switchboard("--database", url, "ticket", "list")
    assert done.returncode == code and words in done.stderr and "Traceback" not in done.stderr


def test_a_password_in_the_url_is_refused_and_never_reaches_the_message() -> None:
    done = switchboard("--database", "postgresql://agent:Canary-Secret-77@127.0.0.1:1/none", "ticket", "list")
    assert done.returncode == 2 and "Canary-Secret-77" not in done.stderr + done.stdout
    assert "`ps`" in done.stderr and "--password-stdin" in done.stderr


def test_db_status_names_both_revisions(on_test_db: list[str]) -> None:
    done = in_process(*on_test_db, "db", "status")
    assert done.returncode == 0 and f"is current (revision {schema.code_revision()})" in done.stdout


def test_the_desktop_client_opens_on_a_throwaway_database() -> None:
    done = switchboard("--smoke", env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert "smoke test passed" in done.stdout


def test_db_init_makes_the_first_admin_who_manages_users(pg_server: PgServer) -> None:
    url = pg_server.create_database()
    boss, newbie = f"{url.database}_boss", f"{url.database}_newbie"
    try:
        db = ["--database", url.render_as_string(hide_password=False)]
        group = in_process(*db, "db", "init", "--admin", f"{url.database}_agent")
        assert group.returncode == 2 and "group roles" in group.stderr, group.stderr  # was refused half done
        assert in_process(*db, "db", "status").returncode == 7  # nothing was made: no schema yet
        init = in_process(*db, "db", "init", "--admin", boss, "--name", "The Boss")
        assert init.returncode == 0, init.stderr
        assert f"{boss!r} is an admin" in init.stdout and "shown once" in init.stdout
        added = in_process(*db, "--user", boss, "user", "add", newbie, "--role", "agent", "--name", "New Bie")
        assert added.returncode == 0, added.stderr
        people = json.loads(in_process(*db, "--user", boss, "user", "list", "--json").stdout)
        assert {(p["login"], p["role"]) for p in people} == {(boss, "admin"), (newbie, "agent")}
        refused = in_process(*db, "--user", newbie, "user", "add", f"{url.database}_sneaky", "--role", "admin")
        assert refused.returncode == 5 and "needs the role admin" in refused.stderr
        named_as_group = in_process(*db, "--user", boss, "user", "add", f"{url.database}_admin", "--role", "agent")
        assert named_as_group.returncode == 2 and "group roles" in named_as_group.stderr
        disabled = in_process(*db, "--user", boss, "user", "disable", newbie)
        assert disabled.returncode == 0, disabled.stderr
        locked_out = in_process(*db, "--user", newbie, "ticket", "list")
        assert locked_out.returncode == 5 and "Traceback" not in locked_out.stderr
    finally:
        pg_server.drop_database(url)


def test_doctor_passes_on_the_embedded_default(tmp_path: Path) -> None:
    done = switchboard(
        "doctor",
        env={"SWITCHBOARD_DATA_DIR": str(tmp_path / "data"), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok  server reachable" in done.stdout and "ok  schema version" in done.stdout
    assert "ok  server upkeep: autovacuum is on" in done.stdout
    assert "All checks passed." in done.stdout


def test_doctor_names_a_stopped_server_and_what_to_do() -> None:
    done = switchboard("--database", "postgresql://agent@127.0.0.1:1/switchboard", "doctor")
    assert done.returncode == 1
    assert "FAIL  server reachable" in done.stdout and "check the host and port" in done.stdout
    assert "not checked  sign-in" in done.stdout and "Traceback" not in done.stderr


def test_doctor_checks_the_servers_certificate_against_the_ca(tmp_path: Path) -> None:
    """Also a server without autovacuum: a warning with what to ask the DBA (the rest of the desk works)."""
    from tests.support.tls_server import tls_server

    with tls_server(tmp_path / "tls", settings="-c autovacuum=off") as server:
        base = f"postgresql://postgres@127.0.0.1:{server.port}/postgres?sslmode=verify-full"
        wrong = switchboard("--database", f"{base}&sslrootcert={server.wrong_ca_file}", "doctor")
        right = switchboard("--database", f"{base}&sslrootcert={server.ca_file}", "doctor")
    assert wrong.returncode == 1 and "FAIL  TLS verified" in wrong.stdout
    assert "point sslrootcert at the CA that signed the server's certificate" in wrong.stdout
    assert "ok  TLS verified: the server's certificate checked (verify-full)" in right.stdout
    assert "warning  server upkeep: autovacuum = off, track_counts = on" in right.stdout
    assert "ALTER SYSTEM SET autovacuum = on" in right.stdout
