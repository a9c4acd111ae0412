"""Time is injectable so tests can move it. Without an injected clock, a unit of work asks the
database for its transaction time, so every workstation stamps changes with the same clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
