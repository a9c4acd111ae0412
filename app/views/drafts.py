"""Drafts on local disk, written as the agent types: a crash, a kill or a lost connection loses nothing.

Each draft is one small JSON file per ticket, replaced atomically (write, fsync, rename), so a crash in
the middle of a save leaves the previous draft, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Draft:
    ticket_id: int
    mode: str  # "reply" or "note"
    text: str


class DraftStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

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
