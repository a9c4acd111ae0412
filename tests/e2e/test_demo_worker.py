"""`switchboard demo` runs the background jobs in a `switchboard worker` of its own while its app is open,
and that worker ends with the app, however the app ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import Runtime, open_maintenance_runtime
from app.cli.worker import WorkerProcess
from app.models import JobRun, WorkerHeartbeat
from app.services.platform.config import resolve_database
from tests.support.embedded_cli import demo_data_dir, leave_embedded_server

pytestmark = pytest.mark.slow

_APP_THAT_DIES = (
    "import sys, time\n"
    "from app.cli.worker import WorkerProcess\n"
    "worker = WorkerProcess.start()\n"
    "print(worker._process.pid, flush=True)\n"
    "time.sleep(600)\n"
)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _swept_by(runtime: Runtime, since: float) -> set[str]:
    """Workers that finished an SLA sweep and beat after `since` (epoch seconds)."""
    with runtime.session_factory() as session:
        swept = set(
            session.scalars(select(JobRun.worker).where(JobRun.job == "sla_sweep", JobRun.finished_at.is_not(None)))
        )
        beating = {
            worker
            for worker, seen in session.execute(select(WorkerHeartbeat.worker, WorkerHeartbeat.seen_at))
            if seen.timestamp() >= since
        }
    return swept & beating


def _beat(runtime: Runtime, name_ending: str) -> bool:
    with runtime.session_factory() as session:
        return any(w.endswith(name_ending) for w in session.scalars(select(WorkerHeartbeat.worker)))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_demos_worker_runs_the_jobs_beside_the_app_and_ends_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = demo_data_dir(tmp_path / "data", 40)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SWITCHBOARD_DATABASE_URL", raising=False)
    runtime = open_maintenance_runtime(resolve_database(None))  # the app's side of the same embedded server
    try:
        started = time.time()
        worker = WorkerProcess.start()
        try:
            _wait(lambda: bool(_swept_by(runtime, started)), "the demo's worker never ran the SLA sweep")
            assert worker.stop(wait=60) == 0  # asked, it finished what it was doing and exited cleanly
        finally:
            worker.stop(wait=60)

        # An app killed outright (no finally runs) still takes its worker with it: its standard input closes.
        with subprocess.Popen([sys.executable, "-c", _APP_THAT_DIES], stdout=subprocess.PIPE, text=True) as app:
            try:
                assert app.stdout is not None
                pid = int(app.stdout.readline())
                _wait(lambda: _beat(runtime, f":{pid}"), "the second worker never started")
                app.send_signal(signal.SIGKILL)
                app.wait(30)
                _wait(lambda: _gone(pid), "the worker outlived the app that started it", timeout=60)
            finally:
                app.kill()
    finally:
        runtime.close()
        leave_embedded_server(data_dir)
