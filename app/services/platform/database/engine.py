"""Engines and session factories, built at run time by the composition root, never at import."""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import DatabaseUnavailable, KnownError, SignInFailed, SignInRequired, TlsFailed
from app.services.platform.database.dsn import display_url

APPLICATION_NAME = "switchboard"
CONNECT_TIMEOUT_SECONDS = 5
# A pooled connection idle for longer than this is pinged before it is handed out (a LAN server or a
# firewall may have dropped it meanwhile); one used a moment ago is not: a ping is a round trip, and on a
# warm pool it was a fifth of a queue page's time (issue 12).
IDLE_PING_SECONDS = 10.0

SessionFactory = sessionmaker[Session]


def build_engine(
    url: URL, *, application_name: str = APPLICATION_NAME, pool_size: int = 5, statement_timeout_ms: int = 60_000
) -> Engine:
    """Timeouts keep a dead LAN server from freezing anything for long; a connection that sat idle is
    pinged before use and replaced when stale (`ping_when_idle`). Migrations pass `statement_timeout_ms=0`:
    rebuilding an index on millions of rows takes longer. `hide_parameters`: an error's text (and so the
    log) never carries the values of a statement — ticket subjects, bodies, addresses, password verifiers.
    psycopg prepares a statement on the server after its fifth run on a connection (`prepare_threshold`),
    so the queue's page statements are planned once; see `UnitOfWork.reads` for why they survive."""
    engine = create_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        connect_args={
            "application_name": application_name,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={statement_timeout_ms} -c lock_timeout=10000",
            "prepare_threshold": 5,
        },
    )
    ping_when_idle(engine)
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip before every unit of work. Here
    a connection is pinged only when it sat idle for `idle_seconds` (a silent network drop), or when the
    server sent it something while it sat in the pool (a server that ends a session — restart, shutdown,
    `pg_terminate_backend`, a disabled login — says so and closes the socket: readable, no round trip to
    find out). A dead one makes the pool connect afresh (up to three times) instead of failing the
    caller's statement. A connection dropped while in use still fails that unit of work, as it did with
    pre-ping (GOTCHAS: retry the whole unit)."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # just connected
        if time.monotonic() - idle_since < idle_seconds and not _server_spoke(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping runs: no transaction left open
        except Exception as error:  # any failure: this socket is not worth keeping
            raise DisconnectionError(f"a pooled connection idle for {idle_seconds:.0f} s was gone") from error
        if not alive:
            raise DisconnectionError(f"a pooled connection idle for {idle_seconds:.0f} s was gone")


def build_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


SIGN_IN_REFUSALS = ("password authentication failed", "is not permitted to log in")


def check_reachable(engine: Engine) -> None:
    """Turn 'connection refused', a wrong password or a TLS failure into one sentence naming the server."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        raise explain_connection_error(engine.url, error) from None


def explain_connection_error(url: URL, error: OperationalError) -> KnownError:
    where = display_url(url)
    reason = str(error.orig).strip().splitlines()[0] if error.orig else "unknown error"
    state = getattr(error.orig, "sqlstate", None)
    login = url.username or "your login"
    lowered = reason.lower()
    if "no password supplied" in lowered:
        return SignInRequired(f"The server at {where} asks {login} for a password.")
    unknown_role = 'role "' in lowered and "does not exist" in lowered
    if state in ("28P01", "28000") or unknown_role or any(sign in lowered for sign in SIGN_IN_REFUSALS):
        # One sentence whichever it was: the server's own words ("role … does not exist") would tell a
        # stranger which logins exist.
        return SignInFailed(f"Sign-in as {login} failed: wrong user name or password, or the login is disabled.")
    if "permission denied for database" in lowered:  # signed in, but not one of the desk's people
        return SignInFailed(
            f"Sign-in as {login} failed: the login is not a Switchboard user of the desk at {where}."
            " Ask an admin to add it."
        )
    if any(sign in lowered for sign in NOT_POSTGRES):
        return DatabaseUnavailable(
            f"Cannot reach the database at {where}: something answers at that host and port, but it is not "
            "PostgreSQL (a web server, say). Check the port in the URL."
        )
    if "certificate" in lowered or "ssl" in lowered:
        return TlsFailed(f"The TLS connection to {where} failed: {reason}. Check the CA file in the settings.")
    return DatabaseUnavailable(f"Cannot reach the database at {where}: {_unreachable(url, lowered, reason)}")


# What libpq says when whatever answers does not speak its protocol (an HTTP server on the database's port).
NOT_POSTGRES = (
    "invalid response to ssl negotiation",
    "expected authentication request from server",
    "received invalid response",
)

# What the driver says when nothing usable answers, as a person can act on it (its own text otherwise).
UNREACHABLE = [
    ("connection refused", "nothing answers at that host and port (connection refused). Is the server running?"),
    ("timeout expired", "no answer within {seconds} seconds. Is the host right, and does a firewall let you through?"),
    ("could not translate host name", "the host name is unknown. Check its spelling, or use the server's address."),
    ("name or service not known", "the host name is unknown. Check its spelling, or use the server's address."),
    ("no route to host", "the network has no way to that host. Is it on this network (or the VPN)?"),
    ("the database system is starting up", "the server is starting up. Try again in a moment."),
    ("the database system is shutting down", "the server is shutting down."),
    ("too many clients", "the server has no connection to spare (too many clients). Ask IT to raise its limit."),
    (
        "remaining connection slots are reserved",
        "the server has no connection to spare for staff now (the rest are kept for the worker and admins). "
        "Ask IT to raise its limit.",
    ),
    (
        "too many connections for role",
        "your login has as many connections open as it may. Close another Switchboard window or command, "
        "then try again.",
    ),
]


def _unreachable(url: URL, lowered: str, reason: str) -> str:
    if f'database "{str(url.database or "").lower()}" does not exist' in lowered:
        return f"there is no database named {url.database!r} on that server. Check the name in the URL."
    for sign, sentence in UNREACHABLE:
        if sign in lowered:
            return sentence.format(seconds=CONNECT_TIMEOUT_SECONDS)
    return reason


def _server_spoke(dbapi_connection: Any) -> bool:
    """Whether bytes (or the end of the stream) arrived on an idle connection's socket: a quiet one has
    nothing to read. Asked of the socket without waiting."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # no usable socket: let the ping find out
    return bool(readable)
