"""The background worker's jobs. Each job has a period; a run is claimed by inserting the (job, period)
row, so with any number of workers every period runs exactly once — no leader to elect, nothing to
clean up when a worker dies (a claimed run that never finished shows in `job_run` without finished_at).

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

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert

from app.models import ChangeLogEntry, JobRun, WorkerHeartbeat
from app.services.uow import UnitOfWork

log = logging.getLogger(__name__)
CHANGE_LOG_RETENTION = dt.timedelta(days=30)


@dataclass(frozen=True)
class Job:
    name: str
    period: dt.timedelta
    run: Callable[[UnitOfWork], dict[str, Any]]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def period_start(now: dt.datetime, period: dt.timedelta) -> dt.datetime:
    """The start of the period `now` falls in, counted from the epoch (periods line up on every worker)."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return epoch + ((now - epoch) // period) * period


def trim_change_log(uow: UnitOfWork) -> dict[str, Any]:
    """Keep 30 days of change log: clients and search indexes that are further behind rebuild."""
    cutoff = uow.now() - CHANGE_LOG_RETENTION
    deleted = uow.session.execute(
        delete(ChangeLogEntry).where(ChangeLogEntry.changed_at < cutoff).returning(ChangeLogEntry.seq)
    ).all()
    return {"deleted": len(deleted), "before": cutoff.isoformat()}


def heartbeat(new_uow: Callable[[], UnitOfWork], worker: str) -> None:
    """Every worker beats on its own (this is not a claimed job): IT sees each one that is alive."""
    with new_uow() as uow:
        statement = insert(WorkerHeartbeat).values(worker=worker, seen_at=uow.now())
        uow.session.execute(statement.on_conflict_do_update(index_elements=["worker"], set_={"seen_at": uow.now()}))
        uow.commit()


def default_jobs() -> list[Job]:
    """Later issues add the SLA sweep, mail polling and the outbox here."""
    return [Job("change_log_housekeeping", dt.timedelta(hours=1), trim_change_log)]


def run_due_jobs(new_uow: Callable[[], UnitOfWork], jobs: list[Job], worker: str) -> list[str]:
    """Claim and run every job whose current period has not run yet; returns the names run here."""
    ran = []
    for job in jobs:
        with new_uow() as uow:
            start = period_start(uow.now(), job.period)
            claimed = uow.session.execute(
                insert(JobRun)
                .values(job=job.name, period_start=start, worker=worker)
                .on_conflict_do_nothing()
                .returning(JobRun.job)
            ).scalar_one_or_none()
            if claimed is None:
                continue  # another worker has this period
            result = job.run(uow)
            uow.session.execute(
                update(JobRun)
                .where(JobRun.job == job.name, JobRun.period_start == start)
                .values(finished_at=func.now(), result=result)
            )
            uow.commit()
            log.info("ran %s for the period starting %s: %s", job.name, start.isoformat(), result)
            ran.append(job.name)
    return ran
