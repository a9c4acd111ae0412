"""Keep Python's garbage collector from freezing the window.

A full (generation 2) collection walks every object the process holds — SQLAlchemy, Qt wrappers, the
loaded rows — and took 50 to 90 ms here, long enough to stall typing. Once the client is up, everything
alive is long-lived: `gc.freeze()` moves it out of the collector's reach, so later full collections only
walk what was made since and stay short.
"""

from __future__ import annotations

import gc


def settle_memory() -> None:
    gc.collect()
    gc.freeze()
