"""One way from a SQLAlchemy URL to a libpq connection string, for code that talks to psycopg directly
(the live listener, benchmarks, tests). Keyword/value form, quoted by psycopg: a URI would turn a space
in a socket directory into '+', and query parameters (host, sslmode, sslrootcert) must survive."""

from __future__ import annotations

from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.services.platform.redaction import MASK, is_secret_key, redact


def libpq_dsn(url: URL) -> str:
    """The URL as libpq reads it (the password, when the sign-in put one in memory, included)."""
    params: dict[str, str | int | None] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        params[key] = value[-1] if isinstance(value, tuple) else value
    return make_conninfo("", **{key: value for key, value in params.items() if value is not None})


def display_url(url: URL | str) -> str:
    """The one way a database URL is shown or logged: password and secret parameters masked."""
    if isinstance(url, str):
        text = url
        try:
            url = make_url(text.strip())
        except (ArgumentError, ValueError):
            return redact(text)
    hidden = {key: MASK for key in url.query if is_secret_key(key)}
    if hidden:
        url = url.update_query_dict(hidden)
    return redact(url.render_as_string(hide_password=True))
