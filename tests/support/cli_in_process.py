"""The `switchboard` command run inside the test process: the same `main()` (click's parsing, the error
mapping to one line and an exit code, the context that opens and closes the runtimes), without starting
an interpreter and importing the app again for every call (~1 s each, hundreds of calls in the e2e suite).

For tests about what a command does to the database and prints. Whatever is about the process itself
(the console script, bytes on the command line or stdin, a server that stops with the last process, the
bundle) keeps real processes (tests/e2e/test_cli.py `switchboard`, tests/support/embedded_cli.py).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from click.testing import CliRunner

from app.cli import main


@contextmanager
def _logging_restored() -> Iterator[None]:
    """Each call configures the log file as a process does; its handlers go again with the call."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)


def switchboard_in_process(
    *args: str, stdin: str | None = None, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """As `subprocess.run([... "switchboard", *args])` would answer: exit code, stdout and stderr."""
    code: int | str | None = 0
    argv = sys.argv
    with _logging_restored(), CliRunner().isolation(input=stdin, env=env) as (out, err, _output):
        sys.argv = ["switchboard", *args]
        try:
            main()
        except SystemExit as done:
            code = done.code
        finally:
            sys.argv = argv
    if isinstance(code, str):  # sys.exit("...") prints it and exits 1
        err.write(f"{code}\n".encode())
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(
        ["switchboard", *args], returncode, out.getvalue().decode(), err.getvalue().decode()
    )
