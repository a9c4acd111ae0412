"""Rows straight from the driver, for the hottest statements: a claim, a queue's page.

Their SQL is fixed or compiled once (`service._CLAIM_SQL`, `queries._page_sql`) and their rows are decoded by
the callers (`queries.summary_from_row`), so SQLAlchemy's result object did nothing for them but cost: its
column metadata and 29 columns' result processors were a third of a claim's client time (issue 12; a claim
through the service made 881 claims a second at eight agents where the same statement through psycopg
alone made 1,172). Errors come out as SQLAlchemy's, as from `Connection.exec_driver_sql`, and a connection
the driver lost is invalidated, so the pool never hands it out again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def driver_rows(connection: Connection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run `sql`, a statement that returns rows (psycopg's `%(name)s` placeholders), on the connection's own
    psycopg connection, in whatever transaction it is in; its rows as tuples. Prepared on the server at its
    first run (psycopg otherwise waits for the fifth): these statements run all day on the same connection."""
    driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    try:
        try:
            return _fetch(driver, sql, params)
        except psycopg.errors.FeatureNotSupported as error:
            if not (driver.autocommit and STALE_PLAN in str(error)):
                raise  # in a transaction: its ROLLBACK makes psycopg drop what it prepared
            # A migration changed what a prepared statement returns: an autocommit connection never rolls
            # back, so nothing else would forget the old plans (every page failed until a restart).
            driver.execute("DEALLOCATE ALL")  # psycopg forgets its own too
            return _fetch(driver, sql, params)
    except psycopg.Error as error:
        lost = driver.closed or driver.broken
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            dict(params),
            error,
            psycopg.Error,
            hide_parameters=connection.engine.hide_parameters,  # a page's words, a customer's address: never in a log
            connection_invalidated=lost,
            dialect=connection.dialect,
        ) from None


STALE_PLAN = "cached plan must not change result type"


def _fetch(driver: psycopg.Connection[Any], sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    with driver.cursor() as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()  # a statement that returns rows (asking for its description built 29 columns)
