"""An area of the desk (or the login's search index) asked for when first used, not when a window is
built: the desk imports its areas on first use, and the first painted queue should not wait for modules it
does not need (issue 12). Stands in for the area's protocol (`cast` it to that protocol where it is handed
over); every attribute is the real area's.

Holds no Qt object, so it may be used on pool threads (the area is then built there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class OnFirstUse:
    def __init__(self, area: Callable[[], object]) -> None:
        self._area = area

    def __getattr__(self, name: str) -> Any:
        return getattr(self._area(), name)
