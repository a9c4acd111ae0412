"""The desk is where driver errors stop: what leaves it is a domain error (or our bug, untouched), never a
SQLAlchemy error carrying its statement and values."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.services.desk import HelpDesk
from app.services.errors import DatabaseUnavailable, KnownError, NotFound, TicketConflict
from app.services.navigation.views import Navigation
from app.services.platform.database.boundary import speaks_domain_errors
from app.services.tickets.work import TicketWork

SECRET_VALUE = "value-only-the-database-saw"


def raising(error: Exception) -> None:
    raise error


def test_a_dropped_connection_leaves_as_database_unavailable_without_the_statement() -> None:
    dropped = OperationalError(
        "SELECT * FROM ticket WHERE x = %(x)s",
        {"x": SECRET_VALUE},
        psycopg.OperationalError("server closed the connection unexpectedly"),
    )
    with pytest.raises(DatabaseUnavailable) as caught:
        speaks_domain_errors(raising)(dropped)
    assert "server closed the connection" in str(caught.value) and "SELECT" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_refusal_of_a_definer_function_is_its_domain_error() -> None:
    refused = ProgrammingError("SELECT f()", {}, psycopg.errors.NoDataFound("no ticket 7 you may see"))
    with pytest.raises(NotFound, match="No ticket 7 you may see"):
        speaks_domain_errors(raising)(refused)


def test_an_unexplained_database_error_is_logged_without_values_and_said_as_the_cli_says_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = ProgrammingError(
        "SELECT nope FROM ticket WHERE x = %(x)s", {"x": SECRET_VALUE}, psycopg.errors.UndefinedColumn("column nope")
    )
    with pytest.raises(KnownError) as caught:
        speaks_domain_errors(raising)(broken)
    assert str(caught.value) == "The database refused the request: column nope"
    assert "SELECT nope FROM ticket" in caplog.text and SECRET_VALUE not in caplog.text


@pytest.mark.parametrize(
    "error",
    [RuntimeError("a bug of ours"), TicketConflict(number=1, expected_version=1, current_version=2, changes=())],
)
def test_known_errors_and_bugs_pass_unchanged(error: Exception) -> None:
    with pytest.raises(type(error)) as caught:
        speaks_domain_errors(raising)(error)
    assert caught.value is error


@pytest.mark.parametrize("area", [HelpDesk, Navigation, TicketWork])
def test_every_public_method_of_the_desk_its_areas_and_their_subclasses_is_covered(area: type) -> None:
    class Dropped(area):  # type: ignore[misc]
        def ticket(self, ticket_id: int) -> object:
            raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))

    public = [name for name in vars(area) if not name.startswith("_") and callable(vars(area)[name])]
    assert all(hasattr(vars(area)[name], "__wrapped__") for name in [*public, "__init__"])
    with pytest.raises(DatabaseUnavailable):
        object.__new__(Dropped).ticket(1)
