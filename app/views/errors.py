"""The one way the desktop client tells a person something failed.

A `KnownError` (the server is unreachable, someone saved first, the disk is full) is shown as its sentence.
Anything else is our bug: its traceback goes to the log file and the person reads one short line saying
where, never the exception's text (a database error's text holds the statement and its values).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.errors import explain
from app.services.platform.paths import log_file
from app.services.platform.redaction import redact

log = logging.getLogger("app.views")


def explain_failure(error: BaseException) -> str:
    """The sentence for a failure; a bug is logged here, with its traceback, exactly once."""
    known = explain(error)
    if known is not None:
        return redact(str(known))
    log.error("unexpected error in the desktop client (%s)", type(error).__name__, exc_info=error)
    return f"Something went wrong; the details are in the log file {log_file()}"


def show_failure(error: BaseException, parent: QWidget) -> QMessageBox:
    """A window-modal warning with the sentence, as plain text."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Switchboard", explain_failure(error), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    return box


def log_unless_known(error: BaseException) -> None:
    """For best-effort background work nobody waits on (presence): a known failure is not worth a word
    (the connection indicator already says the server is gone), a bug still goes to the log."""
    if explain(error) is None:
        explain_failure(error)
