"""Where the database is: command line, environment, a per-user file, a site-wide file — in that order.

Settings files are TOML and never hold a password; one that does is refused, so a secret cannot sit in a
file that backups and support bundles copy around. Everything else (host, port, database, TLS CA) may.
The same goes for `--database` (a command line shows in `ps` to every user of the machine) and the
environment: a password in any form — the URL's user info, a `password`/`sslpassword` parameter in any
spelling, a `passfile` — is refused wherever a URL comes from. Passwords come from `--password-stdin`,
the prompt or the OS keyring only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.services.errors import ConfigurationError
from app.services.platform import paths
from app.services.platform.database.dsn import display_url
from app.services.platform.redaction import is_secret_key

DATABASE_URL_VARIABLE = "SWITCHBOARD_DATABASE_URL"


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
        return f"{display_url(self.url)} (from {self.source})"


def parse_database_url(text: str, *, source: str) -> URL:
    """A PostgreSQL URL without a password, or a ConfigurationError that names where the bad value came from."""
    try:
        text.encode("utf-8")  # undecodable bytes from the environment become lone surrogates
        if "\x00" in text:
            raise ValueError("NUL")
        url = make_url(text.strip())
        _ = url.port  # a non-numeric port fails here, not later
    except (ArgumentError, ValueError):  # UnicodeEncodeError is a ValueError
        raise ConfigurationError(
            f"The database URL from {source} is malformed; expected postgresql://user@host:5432/database"
        ) from None
    if url.get_backend_name() == "postgres":  # libpq's own spelling
        url = url.set(drivername="postgresql")
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"The database URL from {source} is for {url.get_backend_name()!r}; Switchboard needs PostgreSQL"
        )
    refuse_password(url, source=source)
    if url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url


def refuse_password(url: URL, *, source: str) -> None:
    """No password in the user info, nor in a query parameter under any spelling (nor a password file)."""
    if url.password:  # `user:@host` (as the embedded server's own URL has it) carries no secret
        raise password_refused(source, "a password after the user name")
    for key in url.query:
        if is_secret_key(key):
            raise password_refused(source, f"the parameter {key!r}")


def password_refused(source: str, where: str) -> ConfigurationError:
    """One sentence that says where the password is (never what it is) and what to do instead."""
    instead = "pipe it in with --password-stdin, type it when asked, or keep it in the keyring with --remember"
    if source == "--database":
        return ConfigurationError(
            f"The URL given with --database holds a password ({where}), and a command line shows in `ps` "
            f"to every user of this computer; remove it and {instead}"
        )
    if source.startswith("settings file"):
        return ConfigurationError(
            f"The {source} holds a password ({where}); remove it (passwords never go in files) and {instead}"
        )
    return ConfigurationError(f"The database URL from {source} holds a password ({where}); remove it and {instead}")


def _url_from_settings_file(path: Path) -> URL | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise ConfigurationError(f"Cannot read the settings file {path}: {reason}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"The settings file {path} is not valid TOML: {error}") from None
    if (key := _secret_key_in(document)) is not None:
        raise password_refused(f"settings file {path}", f"the key {key!r}")
    _refuse_unknown(document, SETTINGS_SECTIONS, path, "")
    database = document.get("database", {})
    if not isinstance(database, dict):
        raise ConfigurationError(f"In {path}, [database] must be a table")
    _refuse_unknown(database, DATABASE_KEYS, path, "[database] ")
    return _url_from_table(database, path) if database else None


# What a settings file may hold: a misspelt section or key was ignored, and "[databse]" sent the client to
# an empty embedded database instead of the team's server without a word.
SETTINGS_SECTIONS = ("database", "connectors", "search")
DATABASE_KEYS = ("url", "host", "port", "database", "user", "sslmode", "sslrootcert")


def _refuse_unknown(table: dict[str, object], known: tuple[str, ...], path: Path, where: str) -> None:
    if unknown := sorted(set(table) - set(known)):
        names = ", ".join(f"[{name}]" if not where else repr(name) for name in unknown)
        raise ConfigurationError(
            f"In {path}, {where}{'key' if where else 'section'} {names} is unknown (known: {', '.join(known)})"
        )


def _secret_key_in(table: object, prefix: str = "") -> str | None:
    """The dotted name of the first key anywhere in the document that carries a password."""
    items = table.items() if isinstance(table, dict) else enumerate(table) if isinstance(table, list) else ()
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(key, str) and is_secret_key(key):
            return name
        if (found := _secret_key_in(value, f"{name}.")) is not None:
            return found
    return None


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
                database=str(database.get("database", paths.APP_NAME)),
                username=str(database["user"]) if "user" in database else None,
            )
        except ValueError:
            raise ConfigurationError(f"In {path}, [database] port must be a number") from None
    refuse_password(url, source=source)
    query: dict[str, str] = {key: str(database[key]) for key in ("sslmode", "sslrootcert") if key in database}
    if "sslmode" in query and query["sslmode"] not in SSL_MODES:  # a typo, not a failed handshake
        raise ConfigurationError(
            f"In {path}, [database] sslmode {query['sslmode']!r} is not one of {', '.join(SSL_MODES)}"
        )
    return url.update_query_dict(query) if query else url


SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def resolve_database(explicit_url: str | None = None) -> DatabaseTarget:
    """The first source that names a database wins; with none, the embedded default."""
    directory = paths.data_dir()
    if explicit_url:
        return DatabaseTarget(parse_database_url(explicit_url, source="--database"), "--database", directory)
    if from_env := os.environ.get(DATABASE_URL_VARIABLE):
        source = DATABASE_URL_VARIABLE
        return DatabaseTarget(parse_database_url(from_env, source=source), source, directory)
    for path in (paths.user_settings_path(), paths.site_settings_path()):
        if (url := _url_from_settings_file(path)) is not None:
            return DatabaseTarget(url, f"settings file {path}", directory)
    return DatabaseTarget(None, "default", directory)
