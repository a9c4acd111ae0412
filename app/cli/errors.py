"""One line and a distinct exit code for every error a person can act on; never a traceback.

Exit codes: 1 other known error, 2 bad input or settings, 3 not found, 4 transition not allowed,
5 not permitted, 6 database unavailable, 7 schema mismatch, 8 database busy (try again), 9 conflict
(stale --if-version), 70 a bug of ours (details in the log file).
"""

from __future__ import annotations

import logging
import sys

import click
from sqlalchemy.exc import DBAPIError

from app.services.database.failures import explain_database_error, first_line
from app.services.errors import KnownError
from app.services.redaction import redact

log = logging.getLogger("app.cli")
INTERNAL_ERROR_EXIT = 70


def run_guarded(command: click.Group) -> None:
    try:
        result = command.main(standalone_mode=False, prog_name="switchboard")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KnownError as error:
        _fail(str(error), error.exit_code)
    except DBAPIError as error:
        known = explain_database_error(error)
        if known is not None:
            _fail(str(known), known.exit_code)
        log.exception("database error")
        _fail(f"The database refused the request: {first_line(error)}", 1)
    except Exception:
        log.exception("unexpected error")
        _fail("Switchboard hit an internal error; the details are in its log file.", INTERNAL_ERROR_EXIT)
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    click.echo(f"switchboard: {redact(message)}", err=True)
    sys.exit(code)
