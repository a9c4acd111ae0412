"""What the live listener hands a window: plain values, so the views may hold them without loading the
driver that produced them (see `live` for how they are read)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeNotice:
    position: tuple[int, int]
    ticket_ids: tuple[int, ...] | None  # None: too many to list; re-read the open view


@dataclass(frozen=True)
class PresenceEntry:
    ticket_id: int
    login: str
    name: str
    state: str  # viewing or typing


@dataclass(frozen=True)
class PresenceNotice:
    """Everyone this agent may see on any ticket, as the database has it now (stale entries expire there)."""

    entries: tuple[PresenceEntry, ...]


# What a window is handed: listen(on_change, on_presence, should_stop, on_listening), blocking until stopped or
# dropped; on_listening() is called once LISTEN has succeeded on a connection (see `live.listen`).
Listen = Callable[
    [Callable[[ChangeNotice], None], Callable[[PresenceNotice], None], Callable[[], bool], Callable[[], None]], None
]
