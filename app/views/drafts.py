"""Drafts on local disk, written as the agent types: a crash, a kill or a lost connection loses nothing.

Each draft is one small JSON file per ticket, replaced atomically (write, fsync, rename), so a crash in
the middle of a save leaves the previous draft, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Draft:
    ticket_id: int
    mode: str  # "reply" or "note"
    text: str


class DraftStore:
    """Attributes:
    directory: where the drafts of this login live.

    `save_soon` hands the write (with its fsync, which can take tens of milliseconds on a busy disk) to
    one background thread, so typing never waits for the disk and the writes stay in order.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="switchboard-drafts")

    def save_soon(self, draft: Draft) -> None:
        self._writer.submit(self.save, draft)

    def discard_soon(self, ticket_id: int) -> None:
        """In the same queue as the saves, so a save still pending cannot bring a sent draft back."""
        self._writer.submit(self.discard, ticket_id)

    def flush(self) -> None:
        """Wait for pending writes (on quitting)."""
        self._writer.shutdown(wait=True)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="switchboard-drafts")

    def _path(self, ticket_id: int) -> Path:
        return self.directory / f"ticket-{ticket_id}.json"

    def save(self, draft: Draft) -> None:
        if not draft.text.strip():
            self.discard(draft.ticket_id)
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"ticket_id": draft.ticket_id, "mode": draft.mode, "text": draft.text})
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".draft-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self._path(draft.ticket_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, ticket_id: int) -> Draft | None:
        try:
            data = json.loads(self._path(ticket_id).read_text(encoding="utf-8"))
            return Draft(int(data["ticket_id"]), str(data["mode"]), str(data["text"]))
        except (OSError, ValueError, KeyError):
            return None

    def discard(self, ticket_id: int) -> None:
        self._path(ticket_id).unlink(missing_ok=True)
