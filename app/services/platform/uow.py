"""The unit of work: one transaction, the acting agent, and what changed.

Nothing is committed unless the caller says `uow.commit()`; leaving the block rolls back. Services record
domain events (`app/services/platform/events.py`) on the unit; at commit the registered handlers run first, inside
the same transaction. The change log and its NOTIFY are written by the database's own triggers (migration
0006), so a change is announced whoever makes it and however: this client, the worker, or a login's SQL.
"""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy import Connection, Engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import NotPermitted
from app.services.platform.actor import Actor
from app.services.platform.clock import Clock
from app.services.platform.events import MAX_EVENT_ROUNDS, DomainEvent, EventHandlers
from app.vocabulary import AgentRole

# The login as an init plan (`(SELECT f())`): bare, the inlined `current_login()` was called per agent row.
_ACTOR = text(
    "SELECT w.login, a.id, a.display_name, a.role, now()"
    " FROM (SELECT (SELECT switchboard.current_login())::text AS login) w"
    " LEFT JOIN switchboard.agent a ON a.db_login = w.login AND a.is_active"
)
# The desk's configuration version (migration 0033): none visible to a login that is no active staff member.
_CONFIG_VERSION = text("SELECT version FROM switchboard.config_version")


class UnitOfWork:
    """Use as `with UnitOfWork(factory) as uow: ...; uow.commit()`.

    Attributes:
        session: the SQLAlchemy session of this transaction (services only; never handed to views).
        now(): the time of this transaction, from the database server (one clock for every
            workstation), unless a clock was injected (tests move time with one).
        handlers_ran: an event handler took one of the unit's events (routing gave a new ticket to someone, the
            SLA engine stored due times): what the unit's own code read of its tickets may be older.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        acting_login: str | None = None,
        clock: Clock | None = None,
        handlers: EventHandlers | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._handlers = handlers
        self._pending: list[DomainEvent] = []
        self._acting_login = acting_login
        self._actor: Actor | None = None
        self._clock = clock
        self._now: dt.datetime | None = None
        self._reads: Connection | None = None
        self._handling_events = False
        self._config_version: int | None = None

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self._reads = None
        if self._acting_login is not None:
            event.listen(self.session, "after_begin", self._declare_acting_login)
        self._actor = None
        self._now = None
        self._pending = []
        self.handlers_ran = False
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()
        if self._reads is not None:
            self._reads.close()
            self._reads = None

    def reads(self) -> Connection:
        """Where a statement that only reads runs: outside any transaction of its own when it can.

        A queue page is one statement, and one statement is its own snapshot: wrapping it in BEGIN and
        ROLLBACK cost two round trips, and the ROLLBACK made psycopg drop the connection's prepared
        statements, so nothing was ever planned once (issue 12). So the first read of a unit that has not
        begun a transaction runs on a pooled connection in autocommit, kept for the unit's further reads.
        Not for a trusted session acting for someone (`switchboard.acting_login` is set per transaction),
        nor on a factory bound to a connection (a test's rolled-back transaction, where the login is set
        per transaction): those read in the session's transaction, as before. Never write through it."""
        if self._reads is not None:
            return self._reads
        bind = self._session_factory.kw.get("bind")
        if self._acting_login is not None or not isinstance(bind, Engine) or self.session.in_transaction():
            return self.session.connection()
        self._reads = bind.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._reads

    def alone(self, *recorded: type[DomainEvent]) -> Connection:
        """Where a change that is one statement, complete and atomic in itself (a claim: a definer function
        that checks, locks and writes), runs: on its own, committed by the server as it ends, when this unit
        has begun nothing, holds no events and no handler reacts to the events the change will record —
        one round trip instead of three (BEGIN, the statement, COMMIT), and no transaction kept open while
        the client decodes the answer (issue 12). Otherwise, and for a trusted session acting for someone,
        in this unit's transaction like any change. Such a change cannot be rolled back by leaving the
        unit: the caller says so in its own documentation."""
        if self._pending or (self._handlers is not None and self._handlers.react_to(recorded)):
            self.session.flush()
            return self.session.connection()
        return self.reads()

    def config_version(self) -> int | None:
        """The desk's configuration version as this transaction sees it (None: this login sees none), for
        what a process keeps between transactions (`config_cache`). Read afresh on every call, so a change
        this very transaction made is seen; except while the commit's handlers run — they write tickets,
        never configuration — where the first answer serves them all: one read per creation instead of
        one per policy."""
        if self._config_version is not None:
            return self._config_version
        version: int | None = self.session.execute(_CONFIG_VERSION).scalar_one_or_none()
        if self._handling_events:
            self._config_version = version
        return version

    def cache_scope(self) -> tuple[str, str, str]:
        """Whose reads these are, for a cache kept by the process: the server and database, the login, and
        whom a trusted session acts for (row-level security answers by these)."""
        url = self.session.get_bind().engine.url
        where = f"{url.host or url.query.get('host', '')}:{url.port or ''}/{url.database}"
        return where, str(url.username or ""), self._acting_login or ""

    def now(self) -> dt.datetime:
        if self._clock is not None:
            return self._clock()
        if self._now is None:
            self._now = self.session.execute(select(func.now())).scalar_one()
        return self._now

    def _declare_acting_login(self, _session: Session, _transaction: object, connection: Connection) -> None:
        """Tell the database whom a trusted session acts for, in every transaction of this unit.
        PostgreSQL honours it only for superusers and the owner role; anyone else is who they signed in as."""
        connection.execute(select(func.set_config("switchboard.acting_login", self._acting_login, True)))

    @property
    def actor(self) -> Actor:
        """The agent this transaction acts for: the database login's agent, looked up once."""
        if self._actor is None:
            self._actor = self._resolve_actor()
        return self._actor

    def _resolve_actor(self) -> Actor:
        """The database decides who is acting (`switchboard.current_login()`), the same answer its
        policies and audit triggers use. One round trip: the login, its active agent row and the
        transaction's time together (the time is `now()`'s whenever asked in this transaction)."""
        login, agent_id, display_name, role, now = self.session.execute(_ACTOR).one()
        if self._now is None:
            self._now = now
        if agent_id is None:
            raise NotPermitted(
                f"The database login {login!r} is not an active Switchboard agent; ask an admin to add it as an agent."
            )
        return Actor(agent_id, login, display_name, AgentRole(role))

    def record(self, *events: DomainEvent) -> None:
        """What this unit changed; handled at commit, before the transaction ends."""
        self._pending.extend(events)

    def commit(self) -> None:
        self.handle_events()
        session = self.session
        if session.in_transaction() or session.new or session.dirty or session.deleted:  # a claim alone: nothing
            session.commit()
        self._now = None

    def handle_events(self) -> None:
        """Run the handlers of what this unit recorded, in its transaction: at commit, or before it for a
        caller that reads what they wrote (`queries.as_landed`). Handlers may record more events; a chain
        longer than MAX_EVENT_ROUNDS is a loop between policies."""
        self._handling_events = True
        try:
            for _round in range(MAX_EVENT_ROUNDS):
                if not self._pending:
                    return
                batch, self._pending = self._pending, []
                if self._handlers is not None:
                    self.session.flush()
                    self.handlers_ran |= self._handlers.dispatch(self, batch)
        finally:
            self._handling_events = False
            self._config_version = None
        raise RuntimeError(f"domain events still pending after {MAX_EVENT_ROUNDS} rounds: {self._pending[:3]}")


class UnitOfWorkSource(Protocol):
    """What opens units of work for a signed-in login (a `Runtime`, or a test's stand-in)."""

    def uow(self) -> UnitOfWork: ...
