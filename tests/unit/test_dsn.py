"""libpq_dsn keeps what a URI form would lose."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from app.services.platform.database.dsn import libpq_dsn


def test_a_socket_directory_with_a_space_and_the_tls_settings_survive() -> None:
    url = make_url(
        "postgresql+psycopg://ben:s3cr%20t@/switchboard?host=/Library/Application Support/pg"
        "&sslmode=verify-full&sslrootcert=/etc/ca.pem"
    )
    parsed = conninfo_to_dict(libpq_dsn(url))
    assert parsed == {
        "host": "/Library/Application Support/pg",
        "user": "ben",
        "password": "s3cr t",
        "dbname": "switchboard",
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ca.pem",
    }


def test_a_plain_lan_url() -> None:
    parsed = conninfo_to_dict(libpq_dsn(make_url("postgresql://ben@db.example.lan:6543/helpdesk")))
    assert parsed == {"host": "db.example.lan", "port": "6543", "user": "ben", "dbname": "helpdesk"}
