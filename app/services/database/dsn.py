"""One way from a SQLAlchemy URL to a libpq connection string, for code that talks to psycopg directly."""

from __future__ import annotations

from sqlalchemy.engine import URL


def libpq_dsn(url: URL) -> str:
    """The URL as libpq reads it (the password, when the sign-in put one in memory, included)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
