"""`status:` as people type it: the key (`pending`) or the label the desk shows (`"pending third party"`,
`waiting_on_customer`). The index holds keys only, so a label found nothing, and the note said no ticket had
that status (a real-world probe, 2026-12-07). The desk's statuses are read once in a while (admins add some)."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.models import TicketStatus
from app.services.platform.uow import UnitOfWorkSource
from app.services.search.query import ParsedQuery

READ_AGAIN_AFTER_S = 300


def folded(name: str) -> str:
    """`Pending third party`, `pending_third_party` and `pending-third-party` alike."""
    return " ".join(re.split(r"[\s_-]+", name.strip().lower()))


class StatusNames:
    """The desk's status keys by every name a person may type for them."""

    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self._runtime = runtime
        self._keys: dict[str, str] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def keyed(self, parsed: ParsedQuery) -> ParsedQuery:
        """The query with each `status:` value that names a status by its label given as its key."""
        wanted = parsed.filters.get("status")
        if not wanted:
            return parsed
        keys = self._names()
        found = tuple(keys.get(folded(value), value) for value in wanted)
        return parsed if found == wanted else replace(parsed, filters={**parsed.filters, "status": found})

    def _names(self) -> dict[str, str]:
        with self._lock:
            if time.monotonic() - self._read_at > READ_AGAIN_AFTER_S:
                try:
                    with self._runtime.uow() as uow:
                        rows = uow.session.execute(select(TicketStatus.key, TicketStatus.label)).all()
                except DBAPIError:  # the server away: the index still answers, with the names read before
                    return self._keys
                self._keys = {folded(name): key for key, label in rows for name in (key, label)}
                self._read_at = time.monotonic()
            return self._keys
