"""Where the database is: command line, environment, a per-user file, a site-wide file — in that order.

Settings files are TOML and never hold a password; one that does is refused, so a secret cannot sit in a
file that backups and support bundles copy around. Everything else (host, port, database, TLS CA) may.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.services.errors import ConfigurationError

APP_NAME = "switchboard"
DATABASE_URL_VARIABLE = "SWITCHBOARD_DATABASE_URL"
DATA_DIR_VARIABLE = "SWITCHBOARD_DATA_DIR"
ROOT_DATA_DIR = Path("/var/lib/switchboard")


@dataclass(frozen=True)
class DatabaseTarget:
    """Either the embedded server in `data_dir` (url is None) or a server at `url`."""

    url: URL | None
    source: str
    data_dir: Path

    @property
    def is_embedded(self) -> bool:
        return self.url is None

    def describe(self) -> str:
        if self.url is None:
            return f"the embedded database in {self.data_dir}"
        return f"{self.url.render_as_string(hide_password=True)} (from {self.source})"


def user_settings_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "settings.toml"


def site_settings_path() -> Path:
    return platformdirs.site_config_path(APP_NAME) / "settings.toml"


def data_dir() -> Path:
    """The local data directory. As root we stay out of /root: the embedded server would open it up."""
    if explicit := os.environ.get(DATA_DIR_VARIABLE):
        return Path(explicit)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ROOT_DATA_DIR
    return platformdirs.user_data_path(APP_NAME)


def parse_database_url(text: str, *, source: str) -> URL:
    """A PostgreSQL URL, or a ConfigurationError that names where the bad value came from."""
    try:
        url = make_url(text.strip())
        _ = url.port  # a non-numeric port fails here, not later
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"The database URL from {source} is malformed; expected postgresql://user@host:5432/database"
        ) from None
    if url.get_backend_name() == "postgres":  # libpq's own spelling
        url = url.set(drivername="postgresql")
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"The database URL from {source} is for {url.get_backend_name()!r}; Switchboard needs PostgreSQL"
        )
    if url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url


def _url_from_settings_file(path: Path) -> URL | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigurationError(f"Cannot read the settings file {path}: {error.strerror}") from None
    try:
        database = tomllib.loads(text).get("database", {})
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"The settings file {path} is not valid TOML: {error}") from None
    if not isinstance(database, dict):
        raise ConfigurationError(f"In {path}, [database] must be a table")
    if "password" in database:
        raise ConfigurationError(f"The settings file {path} holds a password; remove it (passwords never go in files)")
    return _url_from_table(database, path) if database else None


def _url_from_table(database: dict[str, object], path: Path) -> URL:
    source = f"settings file {path}"
    if "url" in database:
        url = parse_database_url(str(database["url"]), source=source)
    else:
        try:
            url = URL.create(
                "postgresql+psycopg",
                host=str(database.get("host", "localhost")),
                port=int(str(database.get("port", 5432))),
                database=str(database.get("database", APP_NAME)),
                username=str(database["user"]) if "user" in database else None,
            )
        except ValueError:
            raise ConfigurationError(f"In {path}, [database] port must be a number") from None
    if url.password is not None:
        raise ConfigurationError(f"The settings file {path} holds a password; remove it (passwords never go in files)")
    query: dict[str, str] = {key: str(database[key]) for key in ("sslmode", "sslrootcert") if key in database}
    return url.update_query_dict(query) if query else url


def resolve_database(explicit_url: str | None = None) -> DatabaseTarget:
    """The first source that names a database wins; with none, the embedded default."""
    directory = data_dir()
    if explicit_url:
        return DatabaseTarget(parse_database_url(explicit_url, source="--database"), "--database", directory)
    if from_env := os.environ.get(DATABASE_URL_VARIABLE):
        source = DATABASE_URL_VARIABLE
        return DatabaseTarget(parse_database_url(from_env, source=source), source, directory)
    for path in (user_settings_path(), site_settings_path()):
        if (url := _url_from_settings_file(path)) is not None:
            return DatabaseTarget(url, f"settings file {path}", directory)
    return DatabaseTarget(None, "default", directory)
