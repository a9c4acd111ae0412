"""One line and a distinct exit code for every error a person can act on; never a traceback.

Exit codes: 1 other known error (a full disk among them), 2 bad input or settings, 3 not found,
4 transition not allowed, 5 not permitted, 6 database unavailable, 7 schema mismatch, 8 database busy
(try again), 9 conflict (stale --if-version), 70 a bug of ours (details in the log file).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import traceback
from typing import TYPE_CHECKING

import click

from app.cli.output import say
from app.services.errors import DatabaseUnavailable, DiskFull, KnownError
from app.services.platform.paths import data_dir
from app.services.platform.redaction import redact

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

log = logging.getLogger("app.cli")
INTERNAL_ERROR_EXIT = 70
# The embedded server's initdb needs some tens of MB; below this, a server that did not start ran out of disk.
EMBEDDED_MIN_FREE_BYTES = 64 << 20


def run_guarded(command: click.Group) -> None:
    try:
        result = command.main(standalone_mode=False, prog_name="switchboard")
    except click.exceptions.Abort:
        say("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        _fail(error.format_message(), error.exit_code)
    except Exception as error:
        known = _explain(error)
        _fail(str(known), known.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


def _explain(error: Exception) -> KnownError:
    """The sentence for any failure; ours are logged (without statement values) and reported as exit 70.
    The database layers are imported here, on a failure: the desktop client's sign-in window opens before
    they load."""
    from sqlalchemy.exc import DBAPIError

    from app.services.platform.database.failures import explain_database_error, explain_disk_full, first_line, refusal

    if (full := explain_disk_full(error)) is not None:
        return full
    if isinstance(error, DatabaseUnavailable) and (full := _embedded_server_out_of_disk(error)) is not None:
        return full
    if isinstance(error, KnownError):
        return error
    if isinstance(error, DBAPIError):
        if (known := explain_database_error(error) or refusal(error)) is not None:
            return known  # as the desktop says it (`boundary.speaks_domain_errors`)
        _log_database_error(error)
        return KnownError(f"The database refused the request: {first_line(error)}")
    log.exception("unexpected error")
    internal = KnownError("Switchboard hit an internal error; the details are in its log file.")
    internal.exit_code = INTERNAL_ERROR_EXIT
    return internal


def _embedded_server_out_of_disk(error: DatabaseUnavailable) -> DiskFull | None:
    """pgserver reports a failed initdb or pg_ctl only as an exit status (the 'No space left on device'
    stays in its output), so a server that did not start on a nearly full disk is a full disk."""
    if not isinstance(error.__cause__, subprocess.CalledProcessError | OSError):
        return None
    directory = data_dir()
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return None
    if free >= EMBEDDED_MIN_FREE_BYTES:
        return None
    return DiskFull(
        f"The disk holding {data_dir()} is full ({free // 1024} KiB free), so the embedded database could not "
        "start; free some space and try again."
    )


def _log_database_error(error: DBAPIError) -> None:
    """What a developer needs (the kind of error, its SQLSTATE, the statement, where) and no values:
    neither the statement's parameters nor the server's message, which can quote them."""
    state = getattr(error.orig, "sqlstate", None)
    where = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "database error %s (SQLSTATE %s) in statement:\n%s\n%s",
        type(error.orig).__name__,
        state,
        error.statement,
        where,
    )


def _fail(message: str, code: int) -> None:
    say(f"switchboard: {redact(message)}", err=True)
    sys.exit(code)
