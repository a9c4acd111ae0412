"""What a database error means for the person in front of the screen.

psycopg reports a dropped connection, a deadlock, a lock timeout and a cancelled statement all as
OperationalError; the SQLSTATE tells them apart, and each deserves its own sentence.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from app.services.errors import DatabaseBusy, DatabaseUnavailable, InvalidInput, KnownError, NotFound, NotPermitted

UNAVAILABLE_STATES = {"57P01", "57P02", "57P03"}  # admin shutdown, crash shutdown, cannot connect now
RETRY_STATES = {
    "40P01": "The database broke a deadlock between two changes",
    "40001": "Another change got in first",
    "55P03": "Someone else is changing the same record right now",
    "57014": "The database took too long to answer",
}


def explain_database_error(error: DBAPIError) -> KnownError | None:
    """A KnownError for failures a person can act on; None for ours (a bug to log)."""
    state = getattr(error.orig, "sqlstate", None)
    reason = first_line(error)
    if state is None or state.startswith("08") or state in UNAVAILABLE_STATES:
        return DatabaseUnavailable(f"The database connection failed: {reason}")
    if state in RETRY_STATES:
        return DatabaseBusy(f"{RETRY_STATES[state]}; nothing was saved. Please try again.")
    if state == "42501":
        return NotPermitted(f"The database did not permit this: {reason}")
    return None


def first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else "unknown error"


REFUSALS: dict[str, type[KnownError]] = {
    "42501": NotPermitted,  # insufficient_privilege: the role may not do this
    "P0002": NotFound,  # no_data_found: nothing the caller may see by that id
    "22023": InvalidInput,  # invalid_parameter_value
    "42710": InvalidInput,  # duplicate_object (a login that exists already)
}


def refusal(error: DBAPIError) -> KnownError | None:
    """What a definer function or a policy said no with, as the matching domain error."""
    state = getattr(error.orig, "sqlstate", None)
    if state not in REFUSALS:
        return None
    return REFUSALS[state](first_line(error).capitalize())
