"""Secrets never reach a log or an exception text shown to anyone.

Two nets: every password this process learns (typed, piped in, read from the keyring) is registered and
scrubbed from every log record, and anything shaped like a secret — a password in a URL, `password=…` —
is masked whatever it is.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
_known: set[str] = set()
_SHAPES = [
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"), rf"\1{MASK}\2"),
    (re.compile(r"(?i)\b(password|passwd|pwd|pgpassword)(\s*[=:]\s*)('[^']*'|\"[^\"]*\"|\S+)"), rf"\1\2{MASK}"),
    (re.compile(r"SCRAM-SHA-256\$[^\s'\"]+"), f"SCRAM-SHA-256${MASK}"),
]


def register_secret(secret: str | None) -> None:
    if secret:
        _known.add(secret)


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
