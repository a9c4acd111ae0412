"""Engines and session factories, built at run time by the composition root, never at import."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import DatabaseUnavailable, KnownError, SignInFailed, SignInRequired, TlsFailed
from app.services.platform.database.dsn import display_url

APPLICATION_NAME = "switchboard"
CONNECT_TIMEOUT_SECONDS = 5

SessionFactory = sessionmaker[Session]


def build_engine(
    url: URL, *, application_name: str = APPLICATION_NAME, pool_size: int = 5, statement_timeout_ms: int = 60_000
) -> Engine:
    """Timeouts keep a dead LAN server from freezing anything for long; pre-ping replaces stale sockets.
    Migrations pass `statement_timeout_ms=0`: rebuilding an index on millions of rows takes longer.
    `hide_parameters`: an error's text (and so the log) never carries the values of a statement — ticket
    subjects, bodies, addresses, password verifiers."""
    return create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=pool_size,
        connect_args={
            "application_name": application_name,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={statement_timeout_ms} -c lock_timeout=10000",
        },
    )


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
        return SignInFailed(
            f"Sign-in as {login} failed: wrong user name or password, or the login is disabled "
            f"({reason.split(': ')[-1]})."
        )
    if "certificate" in lowered or "ssl" in lowered:
        return TlsFailed(f"The TLS connection to {where} failed: {reason}. Check the CA file in the settings.")
    return DatabaseUnavailable(f"Cannot reach the database at {where}: {reason}")
