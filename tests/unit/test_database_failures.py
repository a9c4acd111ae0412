"""Database failures become sentences a person can act on; anything else stays ours to log."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.services.database.failures import explain_database_error
from app.services.errors import DatabaseBusy, DatabaseUnavailable


@pytest.mark.parametrize(
    ("orig", "kind", "words"),
    [
        (psycopg.errors.LockNotAvailable("lock timeout"), DatabaseBusy, "changing the same record"),
        (psycopg.errors.DeadlockDetected("deadlock"), DatabaseBusy, "deadlock"),
        (psycopg.errors.QueryCanceled("statement timeout"), DatabaseBusy, "too long"),
        (psycopg.errors.AdminShutdown("terminating"), DatabaseUnavailable, "connection failed: terminating"),
        (psycopg.OperationalError("server closed the connection unexpectedly"), DatabaseUnavailable, "closed"),
    ],
)
def test_operational_failures_are_explained(orig: Exception, kind: type[Exception], words: str) -> None:
    explained = explain_database_error(OperationalError("UPDATE ticket …", {}, orig))
    assert isinstance(explained, kind) and words in str(explained)
    assert "nothing was saved" in str(explained) or kind is DatabaseUnavailable


def test_a_broken_query_is_ours_not_the_users() -> None:
    error = ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("column nope does not exist"))
    assert explain_database_error(error) is None
