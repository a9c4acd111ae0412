"""The desk's configuration, kept by the process between transactions and never served stale (issue 12).

A routed creation read the SLA policies, calendars and statuses' clocks, the routing settings, the account
priority rules and the queue's agents with their skills and queues — eight statements, on every intake,
for rows that change a few times a day. What a policy needs of them is now kept here, per database, login
and part, under the configuration version it was read at (migration 0033: one row, moved on from a
sequence by every statement that writes those tables, rolled back or not never the same number twice);
each transaction reads the version once (`UnitOfWork.config_version`) and reads the rows again only when
it moved. So a supervisor's change is applied by the very next transaction of every process, and a change
made earlier in the same transaction is seen by it too.

    rules = config_cache.cached(uow, "account priority rules", load_rules)

What is kept must be plain, immutable values (frozen dataclasses, tuples, mappings nobody changes), never
ORM rows: a row belongs to the session that read it. A login that sees no version (no active staff member)
reads the rows every time, through its own row-level security, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

from app.services.platform.uow import UnitOfWork

T = TypeVar("T")

_kept: dict[tuple[tuple[str, str, str], str], tuple[int, object]] = {}
_lock = threading.Lock()


def cached(uow: UnitOfWork, part: str, load: Callable[[UnitOfWork], T]) -> T:
    """`load(uow)`'s answer as of this transaction's configuration version: kept from an earlier
    transaction of this process when the version has not moved since, else read now and kept."""
    version = uow.config_version()
    if version is None:
        return load(uow)
    key = (uow.cache_scope(), part)
    with _lock:
        kept = _kept.get(key)
    if kept is not None and kept[0] == version:
        return cast(T, kept[1])
    value = load(uow)
    with _lock:
        _kept[key] = (version, value)
    return value


def forget() -> None:
    """Drop everything kept (tests that count statements start from nothing)."""
    with _lock:
        _kept.clear()
