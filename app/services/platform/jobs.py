"""The background worker's jobs. Each job has a period; a run is claimed by inserting the (job, period)
row, so with any number of workers every period runs exactly once — no leader to elect, nothing to
clean up when a worker dies.

A run has three steps, and no transaction stays open across the job's work (mail polling and HTTP calls
can take minutes; an open transaction would hold locks and snapshots all that time):

1. claim: a short transaction inserts the unique (job, period_start) row in `job_run` and commits;
   a worker that finds the row already there leaves this period to its claimer, without waiting on it.
2. work: the job's function runs with `new_uow`, opening (and committing) its own units of work.
3. record: a short transaction sets `finished_at` and the result, or `{"error": "<one sentence>"}`
   when the job raised (the traceback goes to the log; the worker and the other jobs carry on).

Retry policy: a claimed period is never claimed again, failed or not; the next period is the retry.
A failed run is a finished run with an error; a run whose worker was killed keeps `finished_at` NULL
for good, and `stale_runs` (shown by `switchboard worker` when it starts and by `--status`) lists it
once its period is over. Every job must therefore be safe to run again from the start in the next
period, which is how they are written anyway (they act on what is due, not on what the last run did).

The worker runs as a trusted session (a login in the owner role, see docs/it-guide.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from app.models import JobRun, WorkerHeartbeat
from app.services.connectors.cache import purge_expired
from app.services.connectors.verify import PERIOD as VERIFY_PERIOD
from app.services.connectors.verify import AccountVerifier
from app.services.platform import changes
from app.services.platform.uow import UnitOfWork
from app.services.sla import typical
from app.services.sla.sweep import sla_sweep

log = logging.getLogger(__name__)
CHANGE_LOG_RETENTION = dt.timedelta(days=30)
# A staff login's transaction that writes or locks is ended this long idle or open (`end_stale_transactions`):
# it holds back the change log's horizon, and its locks stop colleagues (a probe froze a queue's tickets and
# every configuration write from psql). The client's transactions last milliseconds and a statement at most
# the logins' 60 s timeout (docs/security.md).
STALE_IDLE = dt.timedelta(minutes=2)
STALE_OPEN = dt.timedelta(minutes=2)
ERROR_TEXT_LIMIT = 300

NewUnitOfWork = Callable[[], UnitOfWork]
"""Opens a fresh unit of work (`with new_uow() as uow: ...; uow.commit()`)."""


@dataclass(frozen=True)
class Job:
    """`run` receives the means to open units of work, never an open one: it commits its own, as often
    as its work needs, and opens none while it waits on the outside world."""

    name: str
    period: dt.timedelta
    run: Callable[[NewUnitOfWork], dict[str, Any]]


@dataclass(frozen=True)
class RunOutcome:
    """One run this worker claimed: its result, or the one-sentence error it failed with."""

    job: str
    period_start: dt.datetime
    result: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class UnfinishedRun:
    """A claim without `finished_at` whose period is over: its worker died mid-run (or it still runs,
    far longer than its period)."""

    job: str
    period_start: dt.datetime
    worker: str
    started_at: dt.datetime

    def line(self) -> str:
        return (
            f"{self.job} for the period starting {self.period_start.isoformat()} was claimed by {self.worker}"
            f" at {self.started_at.isoformat()} and never finished"
        )


@dataclass(frozen=True)
class FailedRun:
    job: str
    period_start: dt.datetime
    worker: str
    error: str

    def line(self) -> str:
        return (
            f"{self.job} for the period starting {self.period_start.isoformat()} failed on {self.worker}: {self.error}"
        )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def period_start(now: dt.datetime, period: dt.timedelta) -> dt.datetime:
    """The start of the period `now` falls in, counted from the epoch (periods line up on every worker)."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return epoch + ((now - epoch) // period) * period


def trim_change_log(new_uow: NewUnitOfWork) -> dict[str, Any]:
    """Keep 30 days of change log: clients and search indexes that are further behind rebuild.

    A prefix of the log by position is deleted — every entry up to the newest one older than the cutoff
    among transactions that have ended — and never the newest entry of all; the newest position deleted
    is recorded in the same transaction (`change_log_trim`, read through `change_log_trimmed_through()`),
    which is how a follower tells that it missed deleted entries; no entry can appear below it later (its
    transaction had ended)."""
    with new_uow() as uow:
        cutoff = uow.now() - CHANGE_LOG_RETENTION
        horizon = changes.horizon(uow)  # its own statement, before the reads (see `changes`)
        connection = uow.session.connection()
        through = connection.exec_driver_sql(
            "SELECT txid, seq FROM switchboard.change_log WHERE changed_at < %(cutoff)s AND txid < %(horizon)s "
            "ORDER BY txid DESC, seq DESC LIMIT 1",
            {"cutoff": cutoff, "horizon": horizon},
        ).first()
        deleted = 0
        if through is not None:
            deleted = connection.exec_driver_sql(
                "DELETE FROM switchboard.change_log WHERE (txid, seq) <= (%(txid)s, %(seq)s) AND (txid, seq) < "
                "(SELECT txid, seq FROM switchboard.change_log ORDER BY txid DESC, seq DESC LIMIT 1)",
                {"txid": through[0], "seq": through[1]},
            ).rowcount
            if deleted:
                connection.exec_driver_sql(
                    "INSERT INTO switchboard.change_log_trim (id, txid, seq) VALUES (1, %(txid)s, %(seq)s)"
                    " ON CONFLICT (id) DO UPDATE SET (txid, seq) = (EXCLUDED.txid, EXCLUDED.seq)"
                    " WHERE (change_log_trim.txid, change_log_trim.seq) < (EXCLUDED.txid, EXCLUDED.seq)",
                    {"txid": through[0], "seq": through[1]},
                )
        uow.commit()
    return {"deleted": deleted, "before": cutoff.isoformat()}


def heartbeat(new_uow: NewUnitOfWork, worker: str) -> None:
    """Every worker beats on its own (this is not a claimed job): IT sees each one that is alive."""
    with new_uow() as uow:
        statement = insert(WorkerHeartbeat).values(worker=worker, seen_at=uow.now())
        uow.session.execute(statement.on_conflict_do_update(index_elements=["worker"], set_={"seen_at": uow.now()}))
        uow.commit()


def end_stale_transactions(
    new_uow: NewUnitOfWork, idle: dt.timedelta = STALE_IDLE, open_for: dt.timedelta = STALE_OPEN
) -> dict[str, Any]:
    """End staff sessions whose transaction has held the change log's horizon or its locks too long: any
    login could stall every client's live updates and search index, or a queue's tickets, by keeping one
    open (a session may SET away its login's timeouts). Their transaction rolls back, as a dropped
    connection's would."""
    with new_uow() as uow:
        ended = uow.session.execute(
            text("SELECT login, pid, open_seconds FROM switchboard.end_stale_transactions(:idle, :open)"),
            {"idle": int(idle.total_seconds()), "open": int(open_for.total_seconds())},
        ).all()
        uow.commit()
    for login, pid, seconds in ended:
        log.warning(
            "ended the session %s of %s: its transaction sat idle, or held locks, a snapshot or the change log"
            " for %s s",
            pid,
            login,
            seconds,
        )
    return {"ended": [{"login": login, "pid": pid, "open_seconds": seconds} for login, pid, seconds in ended]}


def default_jobs() -> list[Job]:
    """Later issues add mail polling and the outbox here."""
    return [
        Job("change_log_housekeeping", dt.timedelta(hours=1), trim_change_log),
        Job("stale_transactions", dt.timedelta(minutes=1), end_stale_transactions),
        Job("sla_sweep", dt.timedelta(minutes=1), sla_sweep),  # app/services/sla/sweep.py
        Job("account_cache_cleanup", dt.timedelta(hours=1), purge_expired),  # app/services/connectors/cache.py
        Job("account_verify", VERIFY_PERIOD, AccountVerifier().run),  # app/services/connectors/verify.py
        Job("sla_typical_handling", typical.PERIOD, typical.refresh_typical_handling),  # app/services/sla/typical.py
    ]


def run_due_jobs(new_uow: NewUnitOfWork, jobs: list[Job], worker: str) -> list[RunOutcome]:
    """Claim and run every job whose current period has not been claimed yet; returns the runs claimed here.

    A job that raises is recorded as failed and the next job runs; errors of the claim or the record
    (the database is gone) are the worker's to handle."""
    outcomes = []
    for job in jobs:
        start = _claim(new_uow, job, worker)
        if start is None:
            continue  # another worker has (or had) this period
        try:
            result = job.run(new_uow)
        except Exception as exc:
            error = error_sentence(exc)
            log.exception("%s for the period starting %s failed", job.name, start.isoformat())
            _record(new_uow, job, start, {"error": error})
            outcomes.append(RunOutcome(job.name, start, None, error))
            continue
        _record(new_uow, job, start, result)
        log.info("ran %s for the period starting %s: %s", job.name, start.isoformat(), result)
        outcomes.append(RunOutcome(job.name, start, result, None))
    return outcomes


def _claim(new_uow: NewUnitOfWork, job: Job, worker: str) -> dt.datetime | None:
    """Insert the (job, period) row and commit; None when another worker's row is already there (if its
    claim is still being committed, the insert waits only for that short transaction)."""
    with new_uow() as uow:
        start = period_start(uow.now(), job.period)
        claimed = uow.session.execute(
            insert(JobRun)
            .values(job=job.name, period_start=start, worker=worker)
            .on_conflict_do_nothing()
            .returning(JobRun.job)
        ).scalar_one_or_none()
        uow.commit()
    return None if claimed is None else start


def _record(new_uow: NewUnitOfWork, job: Job, start: dt.datetime, result: dict[str, Any]) -> None:
    with new_uow() as uow:
        uow.session.execute(
            update(JobRun)
            .where(JobRun.job == job.name, JobRun.period_start == start)
            .values(finished_at=func.now(), result=result)
        )
        uow.commit()


def error_sentence(exc: BaseException) -> str:
    """The exception's type and first line, cut short: database errors put their SQL and parameters on
    later lines, and those belong in no table."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 1] + "…"


def stale_runs(new_uow: NewUnitOfWork, jobs: list[Job]) -> list[UnfinishedRun]:
    """Claims never finished whose period is over (a job no longer in `jobs` counts as over)."""
    periods = {job.name: job.period for job in jobs}
    with new_uow() as uow:
        now = uow.now()
        rows = uow.session.execute(
            select(JobRun.job, JobRun.period_start, JobRun.worker, JobRun.started_at)
            .where(JobRun.finished_at.is_(None))
            .order_by(JobRun.period_start, JobRun.job)
        ).all()
    return [
        UnfinishedRun(name, start, claimer, started)
        for name, start, claimer, started in rows
        if name not in periods or start + periods[name] <= now
    ]


def failed_runs(new_uow: NewUnitOfWork, since: dt.timedelta) -> list[FailedRun]:
    """Runs that ended with an error in the last `since`."""
    with new_uow() as uow:
        cutoff = uow.now() - since
        rows = uow.session.execute(
            select(JobRun.job, JobRun.period_start, JobRun.worker, JobRun.result["error"].astext)
            .where(JobRun.period_start >= cutoff, JobRun.result.has_key("error"))
            .order_by(JobRun.period_start, JobRun.job)
        ).all()
    return [FailedRun(name, start, claimer, error) for name, start, claimer, error in rows]
