"""A real account-lookup tool on loopback for the connector tests: pytest-httpserver, threaded (a hanging
handler must not stop the next request), plain or TLS with a trustme CA."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from pytest_httpserver import HTTPServer

from app.services.connectors.settings import ConnectorSettings, parse

FIELDS = {"Status": "status", "Plan": "plan.name", "Region": "region"}


def start(ssl_context: ssl.SSLContext | None = None) -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", ssl_context=ssl_context, threaded=True)
    server.start()
    return server


@pytest.fixture
def tool() -> Iterator[HTTPServer]:
    server = start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session")
def tool_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_tool(tool_ca: trustme.CA) -> Iterator[HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tool_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = start(context)
    yield server
    server.clear()
    server.stop()


def connector_settings(base_url: str, name: str = "accounts", **options: Any) -> ConnectorSettings:
    table: dict[str, Any] = {
        "kind": "http",
        "base_url": base_url,
        "auth": "bearer",
        "paths": {"account_id": "/api/accounts/{key}", "email": "/api/accounts?email={key}"},
        "fields": dict(FIELDS),
        "attributes": {"tier": "tier"},
        "link": "https://tool.example.test/players/{key}",
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "deadline": 3.0,
        "max_bytes": 1_000_000,
        "backoff": 0.05,
    }
    table.update(options)
    return parse(name, table, source="the test")


ACCOUNT = {"id": "12345", "status": "active", "plan": {"name": "Gold"}, "region": "EU", "tier": "vip"}
