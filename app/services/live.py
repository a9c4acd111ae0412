"""Live updates: LISTEN for what colleagues change and who is looking at which ticket.

Payloads carry ids (and, for presence, the colleague's login and name): every client re-reads what
changed through its own permissions. The listener runs in a thread of the caller's choosing and stops
when asked; a dropped connection is reported, and the caller reconnects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine

from app.services.uow import CHANGES_CHANNEL

log = logging.getLogger(__name__)
PRESENCE_CHANNEL = "switchboard_presence"


@dataclass(frozen=True)
class ChangeNotice:
    seq: int
    ticket_ids: tuple[int, ...] | None  # None: too many to list; re-read the open view


@dataclass(frozen=True)
class PresenceNotice:
    ticket_id: int
    login: str
    name: str
    state: str  # viewing, typing, left


def listen(
    engine: Engine,
    on_change: Callable[[ChangeNotice], None],
    on_presence: Callable[[PresenceNotice], None],
    should_stop: Callable[[], bool],
) -> None:
    """Block, delivering notices, until `should_stop()` (checked five times a second) or the connection drops
    (psycopg.OperationalError propagates: the caller shows 'reconnecting' and calls again)."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True, application_name="switchboard-live", connect_timeout=5) as connection:
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        connection.execute(f"LISTEN {PRESENCE_CHANNEL}")
        while not should_stop():
            for notice in connection.notifies(timeout=0.2):
                _deliver(notice.channel, notice.payload, on_change, on_presence)


def _deliver(
    channel: str, payload: str, on_change: Callable[[ChangeNotice], None], on_presence: Callable[[PresenceNotice], None]
) -> None:
    try:
        data = json.loads(payload)
        if channel == CHANGES_CHANNEL:
            tickets = data.get("tickets")
            on_change(ChangeNotice(int(data["seq"]), tuple(int(t) for t in tickets) if tickets is not None else None))
        elif channel == PRESENCE_CHANNEL:
            on_presence(PresenceNotice(int(data["ticket"]), str(data["login"]), str(data["name"]), str(data["state"])))
    except (ValueError, KeyError, TypeError):
        log.warning("ignored a malformed %s notification", channel)
