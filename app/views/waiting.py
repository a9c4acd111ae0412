"""Waiting without an event loop of one's own (smoke runs, scripts, benchmarks): keep Qt's events flowing
until a condition holds."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication


def process_events_until(condition: Callable[[], bool], timeout: float) -> bool:
    """True when the condition held before the timeout (seconds), False otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents()
        time.sleep(0.01)
    return True
