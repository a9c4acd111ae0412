"""The team's cache of account answers, in PostgreSQL (migration 0020), with a TTL.

- A read never calls the tool: it returns what is cached (fresh, or expired and shown as stale with its
  age) through the caller's own row-level security.
- A refresh asks the tool at most once for many concurrent lookups of one key, across workstations: it
  claims the key (`account_claim`, committed), asks the tool with no transaction open, and stores the
  answer (`account_store`, committed). Whoever finds the key claimed waits for that answer instead
  (polling the row until the claim's lease ends). No HTTP call ever runs inside a database transaction.
- A tool that cannot be asked leaves the previous answer in place (stale) and the failure's sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select, text

from app.models import AccountCacheEntry, Agent
from app.services.connectors.base import Account, Connector, ConnectorUnavailable, KeyKind, NotFound
from app.services.connectors.finding import AccountKey
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource

LEASE_SECONDS = 15
RETENTION = dt.timedelta(days=7)  # an expired answer is shown (stale) this long, then the worker removes it

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedAccount:
    """The cache's row as the caller may see it, with the database's time of reading (`read_at`).

    `found` is None when the tool never answered for this key; `error` is the last failure's sentence
    (set when the last refresh failed after the answer shown was fetched). Whose client stored the answer:
    `mine` (the reader's own), else `fetched_by_name`, the writer's display name (None: an agent no longer
    in the directory). Any agent who sees the customer's ticket can store any answer through
    `account_store()`, so the panel names a colleague's lookup rather than present it as the tool's."""

    kind: KeyKind
    key: str
    found: bool | None
    fields: tuple[tuple[str, str], ...]
    attributes: dict[str, str] = field(default_factory=dict)
    link: str | None = None
    fetched_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    error: str | None = None
    failed_at: dt.datetime | None = None
    mine: bool = False
    fetched_by_name: str | None = None

    @property
    def fresh(self) -> bool:
        return self.expires_at is not None and self.read_at is not None and self.read_at < self.expires_at

    @property
    def age(self) -> dt.timedelta | None:
        if self.fetched_at is None or self.read_at is None:
            return None
        return self.read_at - self.fetched_at


class AccountCache:
    """Attributes:
    calls: how many times this process asked the tool (benchmarks and tests read it).
    """

    def __init__(
        self,
        runtime: UnitOfWorkSource,
        connector: Connector,
        *,
        ttl_seconds: int,
        lease_seconds: int = LEASE_SECONDS,
        poll_seconds: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.runtime = runtime
        self.connector = connector
        self.ttl_seconds = ttl_seconds
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._sleep = sleep
        self.calls = 0

    def read(self, key: AccountKey) -> CachedAccount | None:
        with self.runtime.uow() as uow:
            return read_cached(uow, self.connector.name, key.kind, key.key)

    def refresh(self, customer_id: int, key: AccountKey) -> CachedAccount:
        """The fresh answer for the key: from the cache when it is fresh, else from the tool (asked once
        however many ask at the same time). A tool that cannot be asked gives the cached answer (stale, or
        never fetched) with the failure's sentence in `error`."""
        give_up = time.monotonic() + self.lease_seconds * 2
        while True:
            claim = self._claim(customer_id, key)
            if claim == "claimed":
                return self._ask_and_store(customer_id, key)
            cached = self.read(key)
            if claim == "fresh" and cached is not None and cached.fresh:
                return cached
            # 'busy': a colleague's client asks the tool right now; wait for its answer, its failure, or the
            # end of its lease (then claim the key ourselves).
            seen_failure = cached.failed_at if cached is not None else None
            while time.monotonic() < give_up:
                self._sleep(self.poll_seconds)
                cached = self.read(key)
                if cached is not None and (cached.fresh or cached.failed_at != seen_failure):
                    return cached
                if not self._claim_running(key):
                    break
            else:
                return _with_error(cached, key, "The account lookup is taking too long; try again later")

    def _claim(self, customer_id: int, key: AccountKey) -> str:
        with self.runtime.uow() as uow:
            claim = uow.session.execute(
                text("SELECT switchboard.account_claim(:c, :k, :v, :customer, :lease)"),
                {
                    "c": self.connector.name,
                    "k": key.kind.value,
                    "v": key.key,
                    "customer": customer_id,
                    "lease": self.lease_seconds,
                },
            ).scalar_one()
            uow.commit()
        return str(claim)

    def _claim_running(self, key: AccountKey) -> bool:
        with self.runtime.uow() as uow:
            return bool(
                uow.session.execute(
                    text(
                        "SELECT refreshing_until > clock_timestamp() FROM switchboard.account_cache"
                        " WHERE connector = :c AND key_kind = :k AND key = :v"
                    ),
                    {"c": self.connector.name, "k": key.kind.value, "v": key.key},
                ).scalar()
            )

    def _ask_and_store(self, customer_id: int, key: AccountKey) -> CachedAccount:
        """The HTTP call, with no transaction open; then the answer (or the failure) for everyone."""
        self.calls += 1
        try:
            answer: Account | NotFound | None = self.connector.lookup(key.kind, key.key)
            error = None
        except ConnectorUnavailable as failure:
            answer, error = None, str(failure)
            log.warning("account lookup failed: %s", error)  # IT reads the client's log, not the panel
        with self.runtime.uow() as uow:
            store(uow, self.connector.name, customer_id, key, answer, error, self.ttl_seconds)
            uow.commit()
        cached = self.read(key)
        if cached is None:  # cannot happen: the caller sees the customer it just stored for
            return CachedAccount(key.kind, key.key, None, (), error=error)
        return cached


def store(
    uow: UnitOfWork,
    connector: str,
    customer_id: int,
    key: AccountKey,
    answer: Account | NotFound | None,
    error: str | None,
    ttl_seconds: int,
) -> None:
    found = None if answer is None else isinstance(answer, Account)
    fields = answer.fields if isinstance(answer, Account) else ()
    attributes = dict(answer.attributes or {}) if isinstance(answer, Account) else {}
    link = answer.link if isinstance(answer, Account) else None
    uow.session.execute(
        text(
            "SELECT switchboard.account_store(:c, :k, :v, :customer, :found, CAST(:fields AS jsonb),"
            " CAST(:attributes AS jsonb), :link, :ttl, :error)"
        ),
        {
            "c": connector,
            "k": key.kind.value,
            "v": key.key,
            "customer": customer_id,
            "found": found,
            "fields": json.dumps([list(pair) for pair in fields]),
            "attributes": json.dumps(attributes),
            "link": link,
            "ttl": ttl_seconds,
            "error": error[:500] if error else None,
        },
    )


def read_cached(uow: UnitOfWork, connector: str, kind: KeyKind, key: str) -> CachedAccount | None:
    """The row and, in the same statement, whose client stored it (every staff member reads `agent`)."""
    row = uow.session.execute(
        select(
            AccountCacheEntry,
            text("clock_timestamp()"),
            AccountCacheEntry.fetched_by == func.switchboard.current_agent_id(),
            Agent.display_name,
        )
        .outerjoin(Agent, Agent.id == AccountCacheEntry.fetched_by)
        .where(
            AccountCacheEntry.connector == connector,
            AccountCacheEntry.key_kind == kind.value,
            AccountCacheEntry.key == key,
        )
    ).first()
    if row is None:
        return None
    entry, read_at, mine, name = row
    return replace(to_cached(entry, read_at), mine=bool(mine), fetched_by_name=name)


def to_cached(entry: AccountCacheEntry, read_at: dt.datetime) -> CachedAccount:
    fields = tuple((str(pair[0]), str(pair[1])) for pair in entry.fields if isinstance(pair, list) and len(pair) == 2)
    return CachedAccount(
        KeyKind(entry.key_kind),
        entry.key,
        entry.found,
        fields,
        {str(k): str(v) for k, v in (entry.attributes or {}).items()},
        entry.link,
        entry.fetched_at,
        entry.expires_at,
        read_at,
        entry.last_error,
        entry.failed_at,
    )


def _with_error(cached: CachedAccount | None, key: AccountKey, error: str) -> CachedAccount:
    if cached is None:
        return CachedAccount(key.kind, key.key, None, (), error=error)
    return replace(cached, error=error)


def purge_expired(new_uow: Callable[[], UnitOfWork], *, older_than: dt.timedelta = RETENTION) -> dict[str, Any]:
    """The worker's periodic job (`account_cache_cleanup`, claimed per period in `job_run` like the other
    jobs): remove the answers expired longer ago than `older_than`, and keys never answered whose last
    claim or failure is that old, through `account_cache_purge()` (trusted sessions only). A key being
    refreshed is kept; the next lookup of a removed key asks the tool again."""
    with new_uow() as uow:
        removed = uow.session.execute(
            text("SELECT switchboard.account_cache_purge(make_interval(secs => :seconds))"),
            {"seconds": older_than.total_seconds()},
        ).scalar_one()
        uow.commit()
    return {"removed": int(removed), "expired_for": str(older_than)}
