"""Background jobs: one row per job and period, so however many workers run, each run happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.columns import created_at_column


class JobRun(Base):
    """The worker that inserts the (job, period) row first does the run; the others see the conflict."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_start: Mapped[dt.datetime] = mapped_column(primary_key=True)
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = created_at_column()
    finished_at: Mapped[dt.datetime | None]
    result: Mapped[Any | None] = mapped_column(JSONB)


class WorkerHeartbeat(Base):
    """Each worker says it is alive; IT (and `doctor`) can see which workers run where."""

    __tablename__ = "worker_heartbeat"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[dt.datetime] = created_at_column()


class StaleLockSample(Base):
    """How many runs in a row of the worker's `stale_transactions` job found a login holding locks in a
    transaction (migration 0046): at three it is ended, however short each transaction. The owner's only."""

    __tablename__ = "stale_lock_sample"

    login: Mapped[str] = mapped_column(String(63), primary_key=True)
    seen: Mapped[int]
    last_seen: Mapped[dt.datetime]
