"""Jobs: claim (committed) → work (no transaction open) → record, exactly once per period."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from app.bootstrap import Runtime
from app.models import JobRun, WorkerHeartbeat
from app.services.platform import jobs
from app.services.platform.database.dsn import libpq_dsn
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import Job, NewUnitOfWork

pytestmark = pytest.mark.slow
HOUR = dt.timedelta(hours=1)
TEN_PAST_TEN = dt.datetime(2031, 3, 4, 10, 10, tzinfo=dt.UTC)


def _at(runtime: Runtime, clock: Callable[[], dt.datetime]) -> NewUnitOfWork:
    return dataclasses.replace(runtime, clock=clock).uow


def _runs(runtime: Runtime) -> dict[str, tuple[str, dt.datetime | None, Any]]:
    with runtime.session_factory() as session:
        rows = session.execute(select(JobRun.job, JobRun.worker, JobRun.finished_at, JobRun.result)).all()
    return {job: (worker, finished, result) for job, worker, finished, result in rows}


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_no_transaction_is_open_while_a_job_works(committed_runtime: Runtime, database_url: URL) -> None:
    """Seen from outside, while the job works: its claim is committed and no session of this database
    (the claimer's included) sits in a transaction."""
    seen: dict[str, Any] = {}

    def look_from_outside(new_uow: NewUnitOfWork) -> dict[str, Any]:
        with psycopg.connect(libpq_dsn(database_url), autocommit=True) as outside:
            seen["in_transaction"] = outside.execute(
                "SELECT state FROM pg_stat_activity"  # client sessions: the server's autovacuum may be at work
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                " AND backend_type = 'client backend'"
            ).fetchall()
            seen["claims"] = outside.execute(
                "SELECT worker, finished_at FROM switchboard.job_run WHERE job = 'look'"
            ).fetchall()
        return {"looked": True}

    outcomes = jobs.run_due_jobs(committed_runtime.uow, [Job("look", HOUR, look_from_outside)], "w1")

    assert seen["in_transaction"] == []  # before: the claimer was 'idle in transaction' for the whole job
    assert seen["claims"] == [("w1", None)]  # claimed and committed, not yet finished
    assert [(o.job, o.result, o.error) for o in outcomes] == [("look", {"looked": True}, None)]
    worker, finished, result = _runs(committed_runtime)["look"]
    assert (worker, result) == ("w1", {"looked": True}) and finished is not None


def test_a_job_commits_its_own_units_of_work(committed_runtime: Runtime) -> None:
    """What the job commits stays even when a later job of the round fails."""

    def writes(new_uow: NewUnitOfWork) -> dict[str, Any]:
        jobs.heartbeat(new_uow, "written-by-the-job")
        return {}

    def fails(_new_uow: NewUnitOfWork) -> dict[str, Any]:
        raise RuntimeError("after the first job")

    jobs.run_due_jobs(committed_runtime.uow, [Job("writes", HOUR, writes), Job("fails", HOUR, fails)], "w1")

    with committed_runtime.session_factory() as session:
        assert session.scalars(select(WorkerHeartbeat.worker)).all() == ["written-by-the-job"]


def test_a_worker_finding_the_period_claimed_does_not_wait_for_the_work(committed_runtime: Runtime) -> None:
    working, loser_done = threading.Event(), threading.Event()

    def slow(_new_uow: NewUnitOfWork) -> dict[str, Any]:
        working.set()
        return {"other_worker_moved_on": loser_done.wait(timeout=10)}

    job = Job("slow", HOUR, slow)
    winner = threading.Thread(target=jobs.run_due_jobs, args=(committed_runtime.uow, [job], "winner"))
    winner.start()
    assert working.wait(timeout=30)
    loser_outcomes = jobs.run_due_jobs(committed_runtime.uow, [job], "loser")  # before: blocked on the claim
    loser_done.set()
    winner.join(timeout=30)

    assert loser_outcomes == []
    assert _runs(committed_runtime)["slow"][0::2] == ("winner", {"other_worker_moved_on": True})


def test_two_workers_racing_run_each_period_exactly_once(committed_runtime: Runtime) -> None:
    ran: Counter[str] = Counter()
    lock = threading.Lock()

    def counted(name: str) -> Callable[[NewUnitOfWork], dict[str, Any]]:
        def run(_new_uow: NewUnitOfWork) -> dict[str, Any]:
            with lock:
                ran[name] += 1
            time.sleep(0.005)  # widen the window in which the other worker looks at the same period
            return {"ran": name}

        return run

    due = [Job(f"job{n}", HOUR, counted(f"job{n}")) for n in range(20)]
    barrier = threading.Barrier(2)
    claimed: dict[str, list[str]] = {}

    def work(worker: str) -> None:
        barrier.wait(timeout=30)
        claimed[worker] = [outcome.job for outcome in jobs.run_due_jobs(committed_runtime.uow, due, worker)]

    threads = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    names = [job.name for job in due]
    assert ran == Counter(names)
    assert sorted(claimed["w1"] + claimed["w2"]) == sorted(names)
    runs = _runs(committed_runtime)
    assert sorted(runs) == sorted(names)
    assert all(worker in claimed and name in claimed[worker] for name, (worker, _f, _r) in runs.items())
    assert all(finished is not None for _w, finished, _r in runs.values())


def test_a_failing_job_is_recorded_and_the_next_job_still_runs(
    committed_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    def breaks(_new_uow: NewUnitOfWork) -> dict[str, Any]:
        raise ConnectionRefusedError("the mail server said no\nsecond line with details")

    def works(_new_uow: NewUnitOfWork) -> dict[str, Any]:
        return {"done": 1}

    with caplog.at_level(logging.ERROR, logger="app.services.platform.jobs"):
        outcomes = jobs.run_due_jobs(
            committed_runtime.uow, [Job("breaks", HOUR, breaks), Job("works", HOUR, works)], "w1"
        )

    sentence = "ConnectionRefusedError: the mail server said no"
    assert [(o.job, o.result, o.error) for o in outcomes] == [("breaks", None, sentence), ("works", {"done": 1}, None)]
    runs = _runs(committed_runtime)
    assert runs["breaks"][2] == {"error": sentence} and runs["breaks"][1] is not None
    assert runs["works"][2] == {"done": 1} and runs["works"][1] is not None
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "breaks" in record.getMessage() and record.exc_info is not None  # the traceback is in the log
    assert [f.error for f in jobs.failed_runs(committed_runtime.uow, dt.timedelta(days=1))] == [sentence]


def test_a_failed_period_is_not_retried_and_the_next_period_runs_again(committed_runtime: Runtime) -> None:
    """The chosen policy: a claimed period is done, failed or not; the next period is the retry."""
    attempts: list[dt.datetime] = []
    now = [TEN_PAST_TEN]

    def flaky(new_uow: NewUnitOfWork) -> dict[str, Any]:
        with new_uow() as uow:
            attempts.append(uow.now())
        if len(attempts) == 1:
            raise TimeoutError("the connector timed out")
        return {"attempt": len(attempts)}

    due = [Job("flaky", HOUR, flaky)]
    first = jobs.run_due_jobs(_at(committed_runtime, lambda: now[0]), due, "w1")
    now[0] = TEN_PAST_TEN + dt.timedelta(minutes=40)  # same period, another worker
    again = jobs.run_due_jobs(_at(committed_runtime, lambda: now[0]), due, "w2")
    now[0] = TEN_PAST_TEN + dt.timedelta(minutes=55)  # the next period
    next_period = jobs.run_due_jobs(_at(committed_runtime, lambda: now[0]), due, "w2")

    assert [o.error for o in first] == ["TimeoutError: the connector timed out"]
    assert again == []
    assert [(o.period_start.hour, o.result) for o in next_period] == [(11, {"attempt": 2})]
    assert len(attempts) == 2


def _claim_and_hang(url: str, worker: str) -> None:
    """A worker that claims, then works forever (until the test kills it)."""
    engine = build_engine(make_url(url))
    runtime = Runtime(engine, build_session_factory(engine), clock=lambda: TEN_PAST_TEN)

    def hang(_new_uow: NewUnitOfWork) -> dict[str, Any]:
        threading.Event().wait()
        return {}

    jobs.run_due_jobs(runtime.uow, [Job("hangs", HOUR, hang)], worker)


def test_a_worker_killed_mid_job_leaves_a_visible_unfinished_claim(
    committed_runtime: Runtime, database_url: URL
) -> None:
    process = multiprocessing.get_context("spawn").Process(
        target=_claim_and_hang, args=(database_url.render_as_string(hide_password=False), "doomed:1")
    )
    process.start()
    try:
        _wait_for(lambda: "hangs" in _runs(committed_runtime), "the claim to be committed")
    finally:
        process.kill()
        process.join(timeout=30)
    due = [Job("hangs", HOUR, lambda _new_uow: {})]

    assert _runs(committed_runtime)["hangs"][:2] == ("doomed:1", None)  # the claim outlived its worker
    during = jobs.stale_runs(_at(committed_runtime, lambda: TEN_PAST_TEN + dt.timedelta(minutes=30)), due)
    after = jobs.stale_runs(_at(committed_runtime, lambda: TEN_PAST_TEN + dt.timedelta(minutes=50)), due)
    assert during == []  # it may still be working within its period
    assert [(run.job, run.worker, run.period_start.hour) for run in after] == [("hangs", "doomed:1", 10)]
    assert "never finished" in after[0].line()
    # The next period is claimed and run as usual.
    later = jobs.run_due_jobs(_at(committed_runtime, lambda: TEN_PAST_TEN + HOUR), due, "w2")
    assert [(o.job, o.period_start.hour, o.error) for o in later] == [("hangs", 11, None)]
