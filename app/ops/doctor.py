"""`switchboard doctor`: what IT checks first on a workstation, each with what to do when it fails.

Checks run in order and later ones are skipped when an earlier one they need failed (no sign-in check
on an unreachable server). A warning (no keyring) does not fail the run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import keyring
from keyring.backends.fail import Keyring as FailKeyring
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.services.errors import DatabaseUnavailable, KnownError, SignInFailed, TlsFailed
from app.services.platform.config import DatabaseTarget, resolve_database
from app.services.platform.database import schema

MIN_FREE_BYTES = 1 << 30


class Outcome(StrEnum):
    OK = "ok"
    WARN = "warning"
    FAIL = "FAIL"
    SKIPPED = "not checked"


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    detail: str
    advice: str = ""

    def line(self) -> str:
        text_ = f"{self.outcome.value:>11}  {self.name}: {self.detail}"
        return f"{text_}\n             → {self.advice}" if self.advice else text_


def run_checks(database_url: str | None, connect: Callable[[DatabaseTarget], Callable[[], None]]) -> list[Check]:
    """`connect(target)` signs in and returns a function that closes the connection again."""
    checks: list[Check] = []
    try:
        target = resolve_database(database_url)
    except KnownError as error:
        return [Check("configuration", Outcome.FAIL, str(error), "fix the setting it names, or remove it")]
    checks.append(Check("configuration", Outcome.OK, f"using {target.describe()}"))
    checks.append(_writable(target.data_dir))
    checks.append(_free_space(target.data_dir))
    checks.append(_keyring())
    checks += _database(target, connect)
    return checks


def _writable(directory: Path) -> Check:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check(
            "data directory",
            Outcome.FAIL,
            f"{directory} is not writable ({error.strerror})",
            "give this user write access, or set SWITCHBOARD_DATA_DIR to a writable folder",
        )
    return Check("data directory", Outcome.OK, f"{directory} is writable")


def _free_space(directory: Path) -> Check:
    free = shutil.disk_usage(directory if directory.exists() else directory.parent).free
    detail = f"{free / 2**30:.1f} GiB free in {directory}"
    if free < MIN_FREE_BYTES:
        return Check(
            "free disk space", Outcome.FAIL, detail, "free at least 1 GiB: drafts and the embedded database live here"
        )
    return Check("free disk space", Outcome.OK, detail)


def _keyring() -> Check:
    backend = keyring.get_keyring()
    if isinstance(backend, FailKeyring):
        return Check(
            "keyring",
            Outcome.WARN,
            "no system keyring: passwords are asked for at each sign-in",
            "install and unlock a Secret Service (GNOME Keyring, KWallet) to remember passwords",
        )
    return Check("keyring", Outcome.OK, type(backend).__name__)


def _database(target: DatabaseTarget, connect: Callable[[DatabaseTarget], Callable[[], None]]) -> list[Check]:
    tls = _tls_mode(target)
    try:
        close = connect(target)
    except SignInFailed as error:
        return [
            Check("server reachable", Outcome.OK, target.describe()),
            _tls_ok(tls),
            Check("sign-in", Outcome.FAIL, str(error), "check the login and password, or ask an admin"),
            Check("schema version", Outcome.SKIPPED, "needs a sign-in"),
            Check("server upkeep", Outcome.SKIPPED, "needs a sign-in"),
        ]
    except DatabaseUnavailable as error:
        if isinstance(error, TlsFailed):
            return [
                Check("server reachable", Outcome.OK, target.describe()),
                Check(
                    "TLS verified",
                    Outcome.FAIL,
                    str(error),
                    "point sslrootcert at the CA that signed the server's certificate",
                ),
                Check("sign-in", Outcome.SKIPPED, "needs TLS"),
                Check("schema version", Outcome.SKIPPED, ""),
                Check("server upkeep", Outcome.SKIPPED, ""),
            ]
        return [
            Check(
                "server reachable",
                Outcome.FAIL,
                str(error),
                "check the host and port in the settings, the network, and that PostgreSQL runs",
            ),
            *[
                Check(name, Outcome.SKIPPED, "needs the server")
                for name in ("TLS verified", "sign-in", "schema version", "server upkeep")
            ],
        ]
    engine: Engine | None = getattr(close, "engine", None)  # the connection `connect` opened, if any
    try:
        return [
            Check("server reachable", Outcome.OK, target.describe()),
            _tls_ok(tls),
            Check("sign-in", Outcome.OK, "signed in"),
            _schema(engine, embedded=target.is_embedded),
            _upkeep(engine),
        ]
    finally:
        close()


def _schema(engine: Engine | None, *, embedded: bool) -> Check:
    if engine is None:
        return Check("schema version", Outcome.SKIPPED, "")
    status = schema.schema_status(engine)
    if status.is_current:
        return Check("schema version", Outcome.OK, status.describe())
    if embedded and status.known_to_code:
        return Check("schema version", Outcome.OK, f"{status.describe()} It upgrades itself at the next start.")
    advice = (
        "ask IT to run `switchboard db upgrade`"
        if status.known_to_code
        else "install the newer Switchboard build IT provides"
    )
    return Check("schema version", Outcome.FAIL, status.describe(), advice)


_UPKEEP = text("SELECT current_setting('autovacuum'), current_setting('track_counts')")


def _upkeep(engine: Engine | None) -> Check:
    """Autovacuum is the server's, but a help desk depends on it more than most: every claim, edit and
    creation leaves dead rows in the ticket table's indexes, the load tally (which routing and the counts
    sum) and the change log. Without it (found off on a test server: 210,000 dead tally rows after an
    evening of benchmarks, each fold of the tally 4 ms instead of a fraction) everything slows day by day."""
    if engine is None:
        return Check("server upkeep", Outcome.SKIPPED, "")
    with engine.connect() as connection:
        autovacuum, track_counts = connection.execute(_UPKEEP).one()
    if autovacuum == "on" and track_counts == "on":
        return Check("server upkeep", Outcome.OK, "autovacuum is on")
    return Check(
        "server upkeep",
        Outcome.WARN,
        f"autovacuum = {autovacuum}, track_counts = {track_counts}: dead rows are never cleaned up",
        "ask the DBA to turn autovacuum on, with track_counts, which it needs (ALTER SYSTEM SET autovacuum = on;"
        " SELECT pg_reload_conf()); without it queue pages, claims and counts slow down day by day",
    )


def _tls_mode(target: DatabaseTarget) -> str | None:
    if target.url is None:
        return None
    mode = target.url.query.get("sslmode")
    return str(mode) if mode else ""


def _tls_ok(mode: str | None) -> Check:
    if mode is None:
        return Check("TLS verified", Outcome.OK, "not needed: the embedded database listens on a local socket only")
    if mode in ("verify-full", "verify-ca"):
        return Check("TLS verified", Outcome.OK, f"the server's certificate checked ({mode})")
    return Check(
        "TLS verified",
        Outcome.WARN,
        f"sslmode={mode or 'prefer'}: the server's identity is not checked",
        'set sslmode = "verify-full" and sslrootcert in the site settings',
    )


def probe(engine: object) -> None:
    """A round trip that proves the sign-in (used by the CLI's connect)."""
    with engine.connect() as connection:  # type: ignore[attr-defined]
        connection.execute(text("SELECT current_user"))
