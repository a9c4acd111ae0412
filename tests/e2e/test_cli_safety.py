"""The command facing hostile or broken input, full disks and secrets: real processes, real databases.

Bad input is exit 2 and one line; customer text never drives the terminal; a password never sits in a
URL, the log or the wire in plain text; the log is private and holds no statement values; a full disk
is one sentence.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import socket
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL

from tests.e2e.test_cli import _create, as_, on_test_db, switchboard
from tests.support.postgres import PgServer

__all__ = ["on_test_db"]  # the fixture, used by name below
pytestmark = pytest.mark.slow
RAW_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if c != 0x0A] + ["\u202e"]


def _one_sentence(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("switchboard: "), done.stderr
    assert "Traceback" not in done.stderr and "Logging error" not in done.stderr
    return lines[0]


def _raw(db: list[str], *args: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "app", *db, *args], input=stdin, capture_output=True, timeout=120, env=os.environ
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


# --- exit codes: bad input is 2 and one sentence --------------------------------------------------------

CREATE = ["ticket", "create", "--subject", "s", "--queue", "billing"]
CREATE_REST = [b"--queue", b"billing", b"--customer", b"x@y.test", b"--body", b"b"]


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["ticket", "note", "{number}"], b"before\x00after", "NUL"),
        (["ticket", "reply", "{number}"], b"caf\xe9 cr\xe8me", "not UTF-8"),
        (["ticket", "show", str(2**63)], b"", "9223372036854775808 is not in the range"),
        (["ticket", "status", "{number}", "open", "--if-version", str(2**31)], b"", "--if-version"),
        (["ticket", "merge", "{number}", str(2**64)], b"", "not in the range"),
        (
            [*CREATE, "--customer", "x@y.test", "--customer-name", "N" * 5000, "--body", "b"],
            b"",
            "longer than the database allows",
        ),
        (
            [*CREATE, "--customer", "e" * 400 + "@y.test", "--body", "b"],
            b"",
            "longer than an email address may be",
        ),
        ([*CREATE, "--customer", "a@b.example,c@d.example", "--body", "b"], b"", "is not one email address"),
        ([*CREATE, "--customer", "evil@x.example\nBcc: y@z.example", "--body", "b"], b"", "line break"),
        (
            ["ticket", "create", "--subject", "s" * 600, "--queue", "billing", "--customer", "x@y.test", "--body", "b"],
            b"",
            "A subject holds at most 500 characters; this one has 600",
        ),
        # Read with a bound before they are read whole (/dev/zero grew to 22.7 GB until the kernel killed it).
        ([*CREATE, "--customer", "x@y.test"], b"y\n" * (6 * 1024 * 1024), "Standard input holds more than 10 MiB"),
        (["kb", "attach", "1", "/dev/zero"], b"", "is a device or a pipe, not a file"),
        (["sla", "calendar", "holidays", "Default", "--ics", "/dev/zero"], b"", "is a device or a pipe"),
    ],
)
def test_bad_input_is_exit_2_and_one_sentence(on_test_db: list[str], args: list[str], stdin: bytes, words: str) -> None:
    number = str(_create(on_test_db)["number"])
    done = _raw(on_test_db, *as_(on_test_db, "alice"), *[a.replace("{number}", number) for a in args], stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert words in _one_sentence(done)


def test_undecodable_bytes_on_the_command_line_are_exit_2(on_test_db: list[str]) -> None:
    args = [*on_test_db, *as_(on_test_db, "alice"), "ticket", "create", "--subject"]
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"app", *(a.encode() for a in args), b"caf\xe9", *CREATE_REST],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert b"not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr


# --- human output never drives the terminal -------------------------------------------------------------

HOSTILE_SUBJECT = "Refund \x1b[2J\x1b]0;pwned\x07now\rFAKE\u202eevil"
HOSTILE_NAME = "Jane \x1b[31mRed\x1b[0m\nforged: line"
HOSTILE_BODY = "Hello\r\nline two \x1b[1A\x1b[2K\x9b31m\rtricked\nend"


def test_customer_text_loses_its_controls_at_the_door_and_what_remains_is_escaped(on_test_db: list[str]) -> None:
    """Terminal controls never reach the database (issue 11, finding 14); what may legitimately remain
    (a bidi override is a letter's business, not a control) is still escaped wherever it is printed."""
    created = switchboard(
        *on_test_db,
        *as_(on_test_db, "alice"),
        "ticket",
        "create",
        "--subject",
        HOSTILE_SUBJECT,
        "--customer",
        f"hostile-{uuid.uuid4().hex[:6]}@customer.test",
        "--customer-name",
        HOSTILE_NAME,
        "--queue",
        "billing",
        stdin=HOSTILE_BODY,
    )
    assert created.returncode == 0, created.stderr
    number = created.stdout.split("#", 1)[1].split(":", 1)[0]
    shown = switchboard(*on_test_db, *as_(on_test_db, "alice"), "ticket", "show", number)
    listed = switchboard(*on_test_db, *as_(on_test_db, "alice"), "ticket", "list")
    for output in (created.stdout, shown.stdout, listed.stdout):
        assert not any(char in output for char in RAW_CONTROLS), repr(output)
    # A direction override only disguises in a one-line field: gone at the door (it was kept and escaped).
    assert "Refund [2J]0;pwnednow FAKEevil" in shown.stdout and "FAKEevil" in listed.stdout
    assert "Jane [31mRed[0m forged: line" in shown.stdout
    assert "\nforged" not in shown.stdout
    assert "  line two [1A[2K31m\n  tricked\n" in shown.stdout  # CRLF, CR and LF end lines
    as_json = switchboard(*on_test_db, *as_(on_test_db, "alice"), "ticket", "show", number, "--json")
    assert not any(char in as_json.stdout for char in RAW_CONTROLS)
    detail = json.loads(as_json.stdout)
    assert detail["subject"] == "Refund [2J]0;pwnednow FAKEevil"
    assert detail["customer_name"] == "Jane [31mRed[0m forged: line"


# --- passwords: refused in URLs, never in plain text on the wire or in the log ---------------------------

CANARY = "Canary-Url-Secret-3141"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://me:{CANARY}@127.0.0.1:1/x",
        f"postgresql://me@127.0.0.1:1/x?password={CANARY}",
        f"postgresql://me@127.0.0.1:1/x?sslmode=disable&PassWord={CANARY}",
        f"postgresql://me@127.0.0.1:1/x?sslpassword={CANARY}",
        f"postgresql://me@127.0.0.1:1/x?passfile=/tmp/{CANARY}",
    ],
)
def test_a_password_in_any_url_is_refused_everywhere_and_never_printed(tmp_path: Path, url: str) -> None:
    config = tmp_path / "config"
    (config / "switchboard").mkdir(parents=True)
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(config)}
    flag = switchboard("--database", url, "db", "status", env=env)
    assert flag.returncode == 2 and "`ps`" in flag.stderr and "--password-stdin" in flag.stderr
    from_env = switchboard("db", "status", env={**env, "SWITCHBOARD_DATABASE_URL": url})
    assert from_env.returncode == 2 and "SWITCHBOARD_DATABASE_URL holds a password" in from_env.stderr
    (config / "switchboard" / "settings.toml").write_text(f'[database]\nurl = "{url}"\n')
    from_file = switchboard("db", "status", env=env)
    assert from_file.returncode == 2 and "holds a password" in from_file.stderr
    doctor = switchboard("doctor", env=env)
    assert doctor.returncode == 1 and "FAIL  configuration" in doctor.stdout
    written = b"".join(path.read_bytes() for path in (tmp_path / "data").rglob("*") if path.is_file())
    for done in (flag, from_env, from_file, doctor):
        assert CANARY not in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert CANARY.encode() not in written


class WireTap:
    """A TCP forwarder in front of the test server that keeps every byte the client sends."""

    def __init__(self, target: URL) -> None:
        socket_dir = target.query.get("host")
        self.unix_path = f"{socket_dir}/.s.PGSQL.{target.port or 5432}" if socket_dir else None
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.sent = bytearray()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _upstream(self) -> socket.socket:
        if self.unix_path:
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.unix_path)
            return upstream
        return socket.create_connection(self.target)

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pump, args=(client, self._upstream()), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        with client, upstream, selector:
            while True:
                for key, _ in selector.select(timeout=30):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    if key.fileobj is client:
                        self.sent += data
                    key.data.sendall(data)

    def close(self) -> None:
        self.stopping = True
        self.listener.close()


@pytest.fixture
def first_admin(pg_server: PgServer) -> Iterator[tuple[URL, str]]:
    url = pg_server.create_database()
    boss = f"{url.database}_boss"
    try:
        init = switchboard("--database", url.render_as_string(hide_password=False), "db", "init", "--admin", boss)
        assert init.returncode == 0, init.stderr
        yield url, boss
    finally:
        pg_server.drop_database(url)


def _role_secret(url: URL, login: str) -> str | None:
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        row = connection.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (login,)).fetchone()
    return None if row is None else row[0]


def test_plain_passwords_never_reach_the_server_and_one_may_change_ones_own(
    first_admin: tuple[URL, str], tmp_path: Path
) -> None:
    """Every byte sent to the server is recorded: whatever log_statement says, it cannot log what it
    never received. Only SCRAM verifiers travel; the log holds neither password nor verifier."""
    url, boss = first_admin
    newbie = f"{url.database}_newbie"
    chosen, own, by_admin = "Chosen-Plain-Pw-5150", "Own-Plain-Pw-8080", "Admin-Set-Pw-2718"
    tap = WireTap(url)
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data"), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    db = ["--database", f"postgresql://127.0.0.1:{tap.port}/{url.database}?sslmode=disable"]
    try:
        added = switchboard(
            *db, "--user", boss, "user", "add", newbie, "--password-prompt", stdin=f"{chosen}\n{chosen}\n", env=env
        )
        assert added.returncode == 0, added.stderr
        first = _role_secret(url, newbie)
        changed = switchboard(*db, "--user", newbie, "user", "password", newbie, stdin=f"{own}\n{own}\n", env=env)
        assert changed.returncode == 0, changed.stderr  # was exit 70: text() took the verifier's ':' for a parameter
        assert f"Password of {newbie} changed." in changed.stdout
        second = _role_secret(url, newbie)
        reset = switchboard(*db, "--user", boss, "user", "password", newbie, stdin=f"{by_admin}\n{by_admin}\n", env=env)
        assert reset.returncode == 0, reset.stderr
        assert "Warning" not in changed.stderr + reset.stderr  # getpass's, with its source line, on piped input
        differ = switchboard(*db, "--user", boss, "user", "password", newbie, stdin="one-Pw-1\ntwo-Pw-2\n", env=env)
        assert differ.returncode == 2 and "differ" in differ.stderr, differ.stderr
        third = _role_secret(url, newbie)
    finally:
        tap.close()
    secrets = [s for s in (first, second, third) if s]
    assert len(set(secrets)) == 3 and all(s.startswith("SCRAM-SHA-256$") for s in secrets)
    assert second is not None and second.encode() in tap.sent  # the own change really went over this wire
    for password in (chosen, own, by_admin):
        assert password.encode() not in tap.sent
    log = b"".join(path.read_bytes() for path in (tmp_path / "data").rglob("*.log"))
    for secret in (chosen, own, by_admin, *secrets):
        assert secret.encode() not in log
        for piece in secret.replace("$", ":").split(":")[1:]:
            assert len(piece) < 8 or piece.encode() not in log


# --- the log: private, and no statement values ---------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_is_private_and_an_old_open_one_is_tightened(on_test_db: list[str], tmp_path: Path) -> None:
    fresh, old = tmp_path / "fresh", tmp_path / "old"
    (old / "logs").mkdir(parents=True)
    (old / "logs" / "switchboard.log").write_text("earlier\n")
    os.chmod(old / "logs", 0o755)
    os.chmod(old / "logs" / "switchboard.log", 0o644)
    for data in (fresh, old):
        done = switchboard(
            *on_test_db, *as_(on_test_db, "alice"), "ticket", "list", env={"SWITCHBOARD_DATA_DIR": str(data)}
        )
        assert done.returncode == 0, done.stderr
        assert _mode(data / "logs") == 0o700 and _mode(data / "logs" / "switchboard.log") == 0o600
    assert (old / "logs" / "switchboard.log").read_text().startswith("earlier\n")


def test_failed_statements_leave_no_values_in_the_log(on_test_db: list[str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    canary = "Subject-Canary-9876 "
    env = {"SWITCHBOARD_DATA_DIR": str(data)}
    args = [*as_(on_test_db, "alice"), "-v", "ticket"]
    too_long = switchboard(
        *on_test_db, *args, "create", "--subject", f"{canary}subject", "--queue", "billing",
        "--customer", "new@c.test", "--customer-name", canary * 50, stdin=f"{canary}body", env=env,
    )  # fmt: skip
    assert too_long.returncode == 2, too_long.stderr
    number = str(_create(on_test_db, subject=f"{canary}ok")["number"])
    noted = switchboard(*on_test_db, *args, "note", number, "--body", f"{canary}note", env=env)
    assert noted.returncode == 0, noted.stderr
    log = (data / "logs" / "switchboard.log").read_text()
    assert canary.strip() not in log


# --- a full disk is one sentence -------------------------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `mount` while the test runs (root only; skipped elsewhere)."""
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, to be filled to the last block."""
    with _tmpfs(tmp_path / "full", "64k") as mount:
        yield mount


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: room for a small search index, until it is filled."""
    with _tmpfs(tmp_path / "small", "4m") as mount:
        yield mount


def _fill(mount: Path) -> None:
    with (mount / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 4096)


def test_a_full_log_disk_is_one_line_not_a_traceback_per_record(on_test_db: list[str], full_disk: Path) -> None:
    logs = full_disk / "data" / "logs"
    logs.mkdir(parents=True)
    (logs / "switchboard.log").write_bytes(b"x" * 4096)  # one full page: the next line needs a new block
    _fill(full_disk)
    env = {"SWITCHBOARD_DATA_DIR": str(full_disk / "data")}
    number = str(_create(on_test_db)["number"])
    listed = switchboard(*on_test_db, *as_(on_test_db, "alice"), "-v", "ticket", "list", env=env)
    assert listed.returncode == 0 and f"#{number}" in listed.stdout
    assert "Logging error" not in listed.stderr and "Traceback" not in listed.stderr
    assert listed.stderr.strip().splitlines() == [
        f"switchboard: cannot write the log file {full_disk}/data/logs/switchboard.log (the disk is full); not logging."
    ]


def test_output_to_a_full_disk_is_one_sentence(on_test_db: list[str], full_disk: Path, tmp_path: Path) -> None:
    _create(on_test_db)
    _fill(full_disk)
    with (full_disk / "tickets.json").open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "app", *on_test_db, *as_(on_test_db, "alice"), "ticket", "list", "--json"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path / "data")},
        )
    assert done.returncode == 1
    assert "The disk is full" in _one_sentence(subprocess.CompletedProcess(done.args, 1, "", done.stderr))


def test_the_embedded_database_on_a_full_disk_says_the_disk_is_full(full_disk: Path) -> None:
    data = full_disk / "data"
    done = switchboard("ticket", "list", env={"SWITCHBOARD_DATA_DIR": str(data)})
    assert done.returncode == 1
    line = _one_sentence(done)
    assert f"The disk holding {data} is full" in line and "see " not in line


def test_a_full_index_disk_answers_from_the_database_and_says_so(on_test_db: list[str], small_disk: Path) -> None:
    """The index could not take a new ticket (its disk full): search answered "nothing found" from the old
    index without a word. Now the database answers, and the note says why; a build that cannot finish
    leaves no half-written generation behind, and the answer stands (exit 0)."""
    env = {"SWITCHBOARD_DATA_DIR": str(small_disk / "data")}
    alice = [*on_test_db, *as_(on_test_db, "alice")]
    first = switchboard(*alice, "search", "anything", env=env)  # builds the index while there is room
    assert first.returncode == 0, first.stderr
    _fill(small_disk)
    created = _create(on_test_db, subject="Fulldisk printer jam")
    found = switchboard(*alice, "search", "fulldisk", env=env)
    assert found.returncode == 0 and "Traceback" not in found.stderr, found.stderr
    assert f"#{created['number']} Fulldisk printer jam" in found.stdout
    assert "could not be brought up to date (the disk holding it is full)" in found.stdout
    (small_disk / "filler").unlink()
    shutil.rmtree(small_disk / "data" / "cache")  # the index lost: the next search builds it again
    _fill(small_disk)
    again = switchboard(*alice, "search", "fulldisk", env=env)  # no index at all: the first build fails
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert f"#{created['number']}" in again.stdout
    assert "disk is full" in again.stderr  # said in one sentence, whichever write failed first
    assert not list((small_disk / "data" / "cache").rglob("gen-*"))
