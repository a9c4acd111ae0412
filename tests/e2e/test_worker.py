"""Workers: several at once, each job period runs exactly once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.models import JobRun, WorkerHeartbeat

pytestmark = pytest.mark.slow


def test_two_workers_started_together_run_each_job_once(committed_runtime: Runtime, database_url: URL) -> None:
    command = [
        sys.executable,
        "-m",
        "app",
        "--database",
        database_url.render_as_string(hide_password=False),
        "worker",
        "--once",
    ]
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    with committed_runtime.session_factory() as session:
        runs = session.execute(select(JobRun.job, JobRun.period_start, JobRun.finished_at)).all()
        beats = session.scalars(select(WorkerHeartbeat.worker)).all()
    assert [job for job, _start, _done in runs] == ["change_log_housekeeping"]
    assert all(done is not None for _job, _start, done in runs)
    ran = "".join(out for out, _err in outputs)
    assert ran.count("ran: change_log_housekeeping") == 1  # one of the two ran it
    assert len(beats) == 2  # both are alive
