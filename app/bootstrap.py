"""The composition root: settings → database → engine → session factory → services.

Nothing connects at import time; the CLI, the worker, the desktop client and the tests all come through
here (tests may also build a `Runtime` around their own engine).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

from app.services.errors import SignInRequired
from app.services.platform.clock import Clock
from app.services.platform.config import DatabaseTarget
from app.services.platform.database import schema
from app.services.platform.database.engine import SessionFactory, build_engine, build_session_factory, check_reachable
from app.services.platform.events import (
    DomainEvent,
    EventHandlers,
    FieldsChanged,
    MessageAdded,
    PriorityChanged,
    QueueChanged,
    StatusChanged,
    TicketCreated,
)
from app.services.platform.live_notices import Listen
from app.services.platform.redaction import register_secret
from app.services.platform.uow import UnitOfWork

# Imported where first needed, not here (issue 12: a client of a team server started in 734 ms, 558 of them
# imports): the OS keyring (`credentials`, only when a password is recalled or remembered), the embedded
# server (`embedded`, only without a server URL), live updates (`live`, once a window listens), routing
# (`routing.engine`, when a policy first runs) and Alembic (`schema` imports it only to migrate, or when
# a schema does not match). The search index (`search`, tantivy)
# loads when a window or command first searches. tests/unit/test_lazy_imports.py keeps it so.

if TYPE_CHECKING:
    from app.services.search.service import Search

# Two-int advisory lock key for the embedded server's first start: a namespace ("Swch") and a number.
# Only the embedded server (private to this OS user) is set up this way; a team server is upgraded by IT.
LOCK_NAMESPACE = 0x5377_6368
SETUP_LOCK = 2

log = logging.getLogger(__name__)


def event_handlers() -> EventHandlers:
    """The in-transaction policies, registered here and nowhere else: push routing on intake and reopen,
    and the SLA due times of a clock that starts or resumes (stored with the change, not at the next sweep)."""
    handlers = EventHandlers()
    handlers.on(TicketCreated, _raise_priority_for_account)  # before routing, which weighs the priority
    handlers.on(TicketCreated, _route_new_ticket)
    handlers.on(StatusChanged, _route_reopened_ticket)
    # Every event whose change can write the SLA ledger (not `Assigned`: a claim stays one statement), once per
    # round for all of them: a new ticket records two events and its due times are computed once.
    handlers.on_round(
        (TicketCreated, StatusChanged, MessageAdded, PriorityChanged, QueueChanged, FieldsChanged),
        _store_sla_due_times,
    )
    return handlers


def _raise_priority_for_account(uow: UnitOfWork, event: TicketCreated) -> None:
    from app.services.connectors import rules  # issue 16: a VIP tier raises priority (from the cache only)

    rules.raise_priority_on_intake(uow, event)


def _route_new_ticket(uow: UnitOfWork, event: TicketCreated) -> None:
    from app.services.routing import engine as routing

    routing.route_new_ticket(uow, event)


def _route_reopened_ticket(uow: UnitOfWork, event: StatusChanged) -> None:
    from app.services.routing import engine as routing

    routing.route_reopened_ticket(uow, event)


def _store_sla_due_times(uow: UnitOfWork, events: list[DomainEvent]) -> None:
    from app.services.sla import due_on_change

    due_on_change.due_times_on_changes(uow, events)


@dataclass
class Runtime:
    """What a running Switchboard process holds: one engine and the means to open units of work."""

    engine: Engine
    session_factory: SessionFactory
    acting_login: str | None = None
    clock: Clock | None = field(default=None)
    handlers: EventHandlers = field(default_factory=event_handlers)
    _search: Search | None = field(default=None, init=False, repr=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory, acting_login=self.acting_login, clock=self.clock, handlers=self.handlers
        )

    def listener(self) -> Listen:
        """Live updates for this runtime's login, for one window's life: its cursor survives reconnects, so
        the window catches up on what it missed. Views get this, never the engine."""
        from app.services.platform import live

        return partial(live.listen, self.engine, cursor=live.LiveCursor())

    def search(self, base: Path | None = None) -> Search:
        """This login's search index on this workstation (issue 15), one per runtime; `base`: somewhere else
        than the user's cache (a throwaway database's smoke test keeps it in its scratch folder)."""
        if self._search is None:
            from app.services.search.service import Search
            from app.services.search.store import IndexHome

            url = self.engine.url
            server = f"{url.host or url.query.get('host', '')}:{url.port or ''}"
            home = IndexHome.for_login(server, str(url.database), str(url.username), base=base)
            self._search = Search(self, home)
        return self._search

    def close(self) -> None:
        if self._search is not None:
            self._search.close()
        self.engine.dispose()

    def sign_out(self, *, wipe_search_index: bool = False, search_base: Path | None = None) -> None:
        """The person leaves this workstation: close, and when the site says so delete the login's local
        search index (`app/services/search/settings.py`) — also when this session never opened it (the
        client opens it after the first page; an earlier session's index is still on the disk)."""
        search = self.search(search_base) if wipe_search_index else None
        self.close()
        if wipe_search_index and search is not None:
            search.wipe()


@dataclass(frozen=True)
class SignIn:
    """Who connects. No login: on the embedded database its local admin, on a server the URL's user.
    The password lives only in memory (typed, piped in, or read from the OS keyring)."""

    login: str | None = None
    password: str | None = field(default=None, repr=False)


def connect(target: DatabaseTarget, *, for_migrations: bool = False, sign_in: SignIn | None = None) -> Engine:
    """An engine on a reachable server (the embedded one is started first); no schema check yet.
    Without `sign_in`, the target's own URL: on the embedded server that is its superuser."""
    if target.url is None:
        from app.services.platform.database.embedded import start_embedded_server

        url = start_embedded_server(target.data_dir)
    else:
        url = target.url
    register_secret(url.password)
    if sign_in is not None:
        register_secret(sign_in.password)
    if sign_in is not None and sign_in.login:
        url = url.set(username=sign_in.login, password=sign_in.password)
    elif sign_in is not None and sign_in.password:
        url = url.set(password=sign_in.password)
    engine = build_engine(url, statement_timeout_ms=0) if for_migrations else build_engine(url)
    try:
        check_reachable(engine)
    except Exception:
        engine.dispose()
        raise
    return engine


def open_runtime(target: DatabaseTarget, *, sign_in: SignIn | None = None, acting_login: str | None = None) -> Runtime:
    """Sign in and make sure the schema fits this build.

    The embedded database is ours: it upgrades itself (as its superuser), then the person signs in as
    its local admin, or as the login they name. A LAN database belongs to IT, so a mismatch stops the
    client with the versions and the command to run.
    """
    sign_in = sign_in or SignIn()
    if target.is_embedded:
        maintenance = connect(target)
        try:
            local_admin = prepare_embedded(maintenance)
        finally:
            maintenance.dispose()
        sign_in = SignIn(sign_in.login or local_admin, sign_in.password)
    engine = connect(target, sign_in=sign_in)
    try:
        schema.require_current_schema(engine)
    except Exception:
        engine.dispose()
        raise
    return Runtime(engine, build_session_factory(engine), acting_login)


@dataclass(frozen=True)
class SignedIn:
    runtime: Runtime
    keyring_note: str | None = None  # why the password was not remembered, when that was asked for


def password_for(target: DatabaseTarget, login: str | None, given: str | None) -> str | None:
    """The password given, else the one the OS keyring remembers for this server and login."""
    if given is None and login and not target.is_embedded:
        from app.services.platform import credentials

        return credentials.recall(target, login)
    return given


def sign_in(
    target: DatabaseTarget,
    login: str | None,
    password: str | None,
    *,
    remember: bool = False,
    prompt: Callable[[str], str] | None = None,
    acting_login: str | None = None,
) -> SignedIn:
    """The one sign-in of the CLI, the desktop and the doctor: recall from the keyring, connect (asking
    `prompt` once when the server wants a password nobody gave), then remember if asked. Blocks: the
    desktop calls it off the GUI thread (a keyring may wait for an unlock prompt)."""
    password = password_for(target, login, password)
    try:
        runtime = open_runtime(target, sign_in=SignIn(login, password), acting_login=acting_login)
    except SignInRequired:
        if password is not None or prompt is None:
            raise
        password = prompt(f"Password for {login or 'your login'}")
        runtime = open_runtime(target, sign_in=SignIn(login, password), acting_login=acting_login)
    note = None
    if remember and login and password:
        from app.services.platform import credentials

        note = credentials.remember(target, login, password)
    return SignedIn(runtime, note)


def open_maintenance_runtime(target: DatabaseTarget, *, acting_login: str | None = None) -> Runtime:
    """The target's own URL (the embedded superuser, or the DBA's URL): for demo data and trusted tools."""
    engine = connect(target)
    try:
        if target.is_embedded:
            prepare_embedded(engine)
        schema.require_current_schema(engine)
    except Exception:
        engine.dispose()
        raise
    return Runtime(engine, build_session_factory(engine), acting_login)


def prepare_embedded(engine: Engine) -> str:
    """Upgrade and seed the embedded database; two processes starting at once take turns.
    Returns the local admin's login."""
    with engine.connect() as connection:
        connection.execute(select(func.pg_advisory_lock(LOCK_NAMESPACE, SETUP_LOCK)))
        try:
            if not schema.schema_status(engine).is_current:
                log.info("upgrading the embedded database schema")
                schema.upgrade(engine)
            from app.services.people.agents import ensure_local_admin

            return ensure_local_admin(build_session_factory(engine))
        finally:
            connection.execute(select(func.pg_advisory_unlock(LOCK_NAMESPACE, SETUP_LOCK)))
            connection.commit()
