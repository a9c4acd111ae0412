"""What a database error means for the person in front of the screen.

psycopg reports a dropped connection, a deadlock, a lock timeout and a cancelled statement all as
OperationalError; the SQLSTATE tells them apart, and each deserves its own sentence. Values the database
cannot store (too long, out of range, bytes that are not text, NUL) are bad input, not a server that is
down; a full disk, here or on the server, says so.
"""

from __future__ import annotations

import errno
import traceback

from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError

from app.services.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    DiskFull,
    InvalidInput,
    KnownError,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    register_translator,
)

UNAVAILABLE_STATES = {"57P01", "57P02", "57P03"}  # admin shutdown, crash shutdown, cannot connect now
RETRY_STATES = {
    "40P01": "The database broke a deadlock between two changes",
    "40001": "Another change got in first",
    "55P03": "Someone else is changing the same record right now",
    "57014": "The database took too long to answer",
}
INVALID_VALUE_STATES = {
    "22001": "A value is longer than the database allows",  # string_data_right_truncation
    "22003": "A number is out of range",  # numeric_value_out_of_range
    "22021": "The text holds bytes that are not valid in its encoding",  # character_not_in_repertoire
    "22P05": "The text holds a character the database cannot store",  # untranslatable_character
}
DISK_FULL_STATE = "53100"
NO_SPACE = "no space left on device"
NUL_REFUSED = "cannot contain nul"  # psycopg refuses NUL in text before it reaches the server


def explain_database_error(error: DBAPIError) -> KnownError | None:
    """A KnownError for failures a person can act on; None for ours (a bug to log)."""
    state = getattr(error.orig, "sqlstate", None)
    reason = first_line(error)
    if (full := _disk_full(state, reason)) is not None:
        return full
    if state in INVALID_VALUE_STATES:
        return InvalidInput(f"{INVALID_VALUE_STATES[state]} ({reason}); nothing was saved.")
    if isinstance(error, DataError) and NUL_REFUSED in reason.lower():
        return InvalidInput("Text may not contain NUL characters (\\0); nothing was saved.")
    if (state is None and isinstance(error, OperationalError | InterfaceError)) or (
        state is not None and (state.startswith("08") or state in UNAVAILABLE_STATES)
    ):
        return DatabaseUnavailable(unreachable_words(reason))
    if state in RETRY_STATES:
        return DatabaseBusy(f"{RETRY_STATES[state]}; nothing was saved. Please try again.")
    if state == "42501" and ROW_SECURITY in reason:
        return NotPermitted(ROLE_REFUSED)
    if state == "42501":
        return NotPermitted(f"The database did not permit this: {reason}")
    return None


# What a lost or refused connection's text ends with, in words a person can act on.
UNREACHABLE_CAUSES = {
    "no such file or directory": "it is not running here",
    "connection refused": "it is not running or does not listen there",
    "timeout expired": "it did not answer in time",
    "could not translate host name": "its host name is unknown",
    "server closed the connection unexpectedly": "it closed the connection (restarted or stopped)",
    "terminating connection due to administrator command": "the server ended this session (stopped, restarted, or an"
    " administrator ended it)",
}


UNKNOWN_OUTCOME = (
    "What was being saved may not have been (look before doing it again); Switchboard reconnects by itself."
)


def unreachable_words(reason: str) -> str:
    """The server could not be reached, and why in a few words (the driver's sentence names a socket
    path or an address: `connection is bad: connection to server on socket "/tmp/…" failed: No such file or
    directory`), then the driver's own last clause for IT. A connection lost during a commit leaves its
    outcome unknown: "nothing was saved" could send a reply twice."""
    lowered = reason.lower()
    why = next((words for cause, words in UNREACHABLE_CAUSES.items() if cause in lowered), None)
    detail = reason.rsplit(": ", 1)[-1].strip() or reason
    said = (
        f"No connection to the database server: {why} ({detail})"
        if why
        else f"The database connection failed: {reason}"
    )
    return f"{said}. {UNKNOWN_OUTCOME}"


# A row-level security refusal names a policy and a table, not a reason a person can act on.
ROW_SECURITY = "row-level security"
ROLE_REFUSED = "Your role may not do this here (for example, in a queue you do not work); nothing was saved."


def _disk_full(state: str | None, reason: str) -> DiskFull | None:
    if state == DISK_FULL_STATE or NO_SPACE in reason.lower():
        return DiskFull(f"The database server's disk is full ({reason}); no change is saved until IT frees space.")
    return None


def explain_disk_full(error: BaseException) -> DiskFull | None:
    """A full disk anywhere in the chain of causes (an OSError ENOSPC, SQLSTATE 53100), as one sentence."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            where = f": cannot write {current.filename}" if current.filename else ""
            return DiskFull(f"The disk is full{where} (No space left on device); free some space and try again.")
        if isinstance(current, DBAPIError):
            found = _disk_full(getattr(current.orig, "sqlstate", None), first_line(current))
            if found is not None:
                return found
        current = current.__cause__ or current.__context__
    return None


def first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else "unknown error"


REFUSALS: dict[str, type[KnownError]] = {
    "42501": NotPermitted,  # insufficient_privilege: the role may not do this
    "P0002": NotFound,  # no_data_found: nothing the caller may see by that id
    "22023": InvalidInput,  # invalid_parameter_value
    "42710": InvalidInput,  # duplicate_object (a login that exists already)
    "SB003": TransitionNotAllowed,  # not in a state for this: closed or merged (routing), nothing to acknowledge
    "SB001": InvalidInput,  # route_ticket: the chosen agent does not qualify (away, not in the queue, full)
    "SB002": InvalidInput,  # route_ticket: the ticket is assigned already
    "54000": InvalidInput,  # program_limit_exceeded: the desk's own bounds ("at most 200 SLA policies")
}


# The checks that bound what any writer stores (migration 0045), by the end of the constraint's name: what a
# client sends within the bounds is never refused by them, so reaching one is input to be told about.
BOUNDS = {
    "_times_in_range": "Times and dates lie between the years 1900 and 2999; nothing was saved.",
    "ck_ticket_custom_fields_bounded": "A ticket's custom fields hold at most 64 KiB; nothing was saved.",
    "ck_ticket_tags_bounded": "A ticket has at most 100 tags; nothing was saved.",
    "ck_message_body_bounded": "A message holds at most 10 MiB of text and 10 MiB of HTML; nothing was saved.",
    "ck_knowledge_article_body_bounded": "An article holds at most 10 MiB of text and of HTML; nothing was saved.",
    "ck_canned_response_body_bounded": "A canned response holds at most 128 KiB of text; nothing was saved.",
    "_config_bounded": "A setting holds at most 64 KiB (routing settings 256 KiB, a calendar 10,000 own dates); "
    "nothing was saved.",
    "ck_knowledge_article_tags_bounded": "An article has at most 128 tags; nothing was saved.",
    "ck_agent_preference_value_bounded": "A saved view or signature holds at most 64 KiB; nothing was saved.",
    "_plain_list": "A list (tags, languages, dates) is one plain list of values; nothing was saved.",
    "_one_line": "A name, subject, tag or address is one line, without control characters or direction "
    "overrides; nothing was saved.",
    "_json_readable": "A setting or field nests at most 16 levels and holds no number beyond 1e100; nothing was saved.",
    "_json_shape": "Custom fields and settings are a set of named values (a routing decision's lists of them); "
    "nothing was saved.",
    "_no_empty_items": "A list (tags, languages, dates) holds no empty item; nothing was saved.",
    "ck_customer_email_mailbox": "An email address is one address (name@domain), without spaces, commas or "
    "invisible characters; nothing was saved.",
    "_bounded": "A note or reason holds at most 2,000 characters; nothing was saved.",
    "_time_zone_known": "The database server does not know that time zone: give one of the tz database's names "
    "(e.g. Europe/Berlin); nothing was saved.",
}


def refusal(error: DBAPIError) -> KnownError | None:
    """What a definer function, a policy or one of the bounds said no with, as the matching domain error."""
    state = getattr(error.orig, "sqlstate", None)
    if state == "23514":  # check_violation
        constraint = str(getattr(getattr(error.orig, "diag", None), "constraint_name", None) or "")
        if not constraint:  # a definer function's or a trigger's own words ("an article holds at most 20 files")
            return InvalidInput(first_line(error).capitalize())
        said = next((sentence for end, sentence in BOUNDS.items() if constraint.endswith(end)), None)
        return InvalidInput(said) if said else None
    if state not in REFUSALS:
        return None
    said = first_line(error)
    if state == "42501" and ROW_SECURITY in said:
        return NotPermitted(ROLE_REFUSED)
    return REFUSALS[state](said.capitalize())


def explain(error: BaseException) -> KnownError | None:
    """The domain's sentence for any failure a person can act on, the same for the CLI and the desktop: a
    full disk anywhere in the chain, a KnownError as it is, a database error that means something (the
    server is unreachable, busy, refused this login), a definer function's refusal. None for ours."""
    if (full := explain_disk_full(error)) is not None:
        return full
    if isinstance(error, KnownError):
        return error
    if isinstance(error, DBAPIError):
        return explain_database_error(error) or refusal(error)
    return None


def describe_for_log(error: DBAPIError) -> str:
    """What a developer needs (the kind of error, its SQLSTATE, the statement, where) and no values:
    neither the statement's parameters nor the server's message, which can quote them."""
    state = getattr(error.orig, "sqlstate", None)
    where = "".join(traceback.format_tb(error.__traceback__))
    return f"database error {type(error.orig).__name__} (SQLSTATE {state}) in statement:\n{error.statement}\n{where}"


register_translator(explain)
