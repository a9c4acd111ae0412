"""A circuit breaker: after `fail_max` failures in a row the tool is not asked again for `reset_seconds`,
and every lookup meanwhile says so at once (instead of each agent waiting out the timeouts). Then one trial
call is let through (half-open): an answer closes the breaker, a failure opens it for another period.

Written by hand (pybreaker adds nothing here: one process, no shared state); one per connector and process,
with the clock injected so tests move it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar

from app.services.connectors.base import ConnectorMisconfigured, ConnectorUnavailable
from app.services.platform.clock import Clock

T = TypeVar("T")


class CircuitBreaker:
    """Attributes:
    state: "closed" (calls go through), "open" (refused until `open_until`), "half-open" (one trial).
    failures: failures in a row.
    last_error: the sentence of the last failure.
    """

    def __init__(
        self, name: str, *, fail_max: int = 3, reset_seconds: float = 30.0, clock: Clock | None = None
    ) -> None:
        self.name = name
        self.fail_max = fail_max
        self.reset = dt.timedelta(seconds=reset_seconds)
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.failures = 0
        self.open_until: dt.datetime | None = None
        self.last_error = ""
        self._trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self.open_until is None:
            return "closed"
        return "open" if self.clock() < self.open_until else "half-open"

    def call(self, operation: Callable[[], T]) -> T:
        with self._lock:
            state = self._state()
            if state == "open" or (state == "half-open" and self._trial_running):
                assert self.open_until is not None
                until = self.open_until.astimezone().strftime("%H:%M:%S")
                raise ConnectorUnavailable(  # what the panel shows first, the details after the semicolon
                    f"The {self.name} tool is not asked again until {until}; it failed {self.failures} times in a"
                    f" row, last: {self.last_error}"
                )
            if state == "half-open":
                self._trial_running = True
        try:
            result = operation()
        except ConnectorMisconfigured:
            with self._lock:
                self._trial_running = False
            raise  # our settings, not the tool: nothing to wait out
        except ConnectorUnavailable as error:
            with self._lock:
                self._trial_running = False
                self.failures += 1
                self.last_error = str(error).rstrip(".")
                if self.failures >= self.fail_max or self.open_until is not None:
                    self.open_until = self.clock() + self.reset
            raise
        with self._lock:
            self._trial_running = False
            self.failures = 0
            self.open_until = None
        return result
