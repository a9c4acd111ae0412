"""Workers: several at once, each job period runs exactly once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.models import JobRun, WorkerHeartbeat

pytestmark = pytest.mark.slow
LONG_AGO = dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC)


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
    assert {job for job, _start, _done in runs} == {
        "change_log_housekeeping",
        "stale_transactions",
        "sla_sweep",
        "account_cache_cleanup",
        "account_verify",  # with no connector configured: a run that says so
        "sla_typical_handling",
    }
    assert all(done is not None for _job, _start, done in runs)
    ran = [
        job
        for out, _err in outputs
        for line in out.splitlines()
        if line.startswith("ran: ")
        for job in line.removeprefix("ran: ").split(", ")
    ]
    # One of the two ran each period (a minute may turn between them: then each ran one sweep).
    assert sorted(ran) == sorted(job for job, _start, _done in runs)
    assert len(beats) == 2  # both are alive


def test_a_claim_left_by_a_killed_worker_is_shown_when_a_worker_starts(
    committed_runtime: Runtime, database_url: URL
) -> None:
    """A worker killed mid-run leaves its claim without finished_at; the next worker to start says so,
    and `--status` lists it with the last day's failures."""
    with committed_runtime.session_factory() as session:
        killed = {"job": "change_log_housekeeping", "period_start": LONG_AGO, "worker": "gone:42"}
        session.execute(insert(JobRun).values(killed))
        failed = {
            "job": "change_log_housekeeping",
            "period_start": func.date_trunc("hour", func.now()) - dt.timedelta(hours=1),
            "worker": "sad:7",
            "finished_at": func.now(),
            "result": {"error": "TimeoutError: the connector timed out"},
        }
        session.execute(insert(JobRun).values(failed))
        session.commit()
    base = [sys.executable, "-m", "app", "--database", database_url.render_as_string(hide_password=False), "worker"]

    started = subprocess.run([*base, "--once"], capture_output=True, text=True, timeout=120, check=True)
    status = subprocess.run([*base, "--status"], capture_output=True, text=True, timeout=120, check=True)

    unfinished = (
        "unfinished: change_log_housekeeping for the period starting 2020-01-01T10:00:00+00:00 was claimed by gone:42"
    )
    assert unfinished in started.stdout
    assert "ran: change_log_housekeeping" in started.stdout  # the current period runs as usual
    assert unfinished in status.stdout
    assert "failed on sad:7: TimeoutError: the connector timed out" in status.stdout


def test_once_exits_1_when_a_job_failed(committed_runtime: Runtime, database_url: URL) -> None:
    """`--once` is for cron and health checks: a failing job must show in the exit status, not only in a
    line of output (a broken sweep went unnoticed with exit 0)."""
    with committed_runtime.session_factory() as session:
        session.execute(text("ALTER TABLE switchboard.account_cache RENAME TO account_cache_away"))
        session.commit()
    try:
        command = [sys.executable, "-m", "app", "--database", database_url.render_as_string(hide_password=False)]
        done = subprocess.run([*command, "worker", "--once"], capture_output=True, text=True, timeout=120)
    finally:
        with committed_runtime.session_factory() as session:
            session.execute(text("ALTER TABLE switchboard.account_cache_away RENAME TO account_cache"))
            session.commit()
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "failed: account_cache_cleanup" in done.stdout
