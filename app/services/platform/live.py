"""Live updates: LISTEN for hints that something changed, then read what changed through our own permissions.

Any login that can connect may LISTEN on any channel and NOTIFY any payload, so a notification is only a
hint: its payload is never read. On a hint the listener reads the change log after its position, and the
presence of colleagues, on its own connection — as the signed-in agent, so row-level security shows it
only what it may see. Hints are coalesced: however many arrive, the log is read at most a few times a
second, so a flood of forged notifications costs one small query per interval and never an error.

The position survives reconnects (`LiveCursor`), so a client that was away catches up on what it missed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine

from app.services.platform.changes import ChangeFollower, Run, read_head, read_since
from app.services.platform.database.dsn import libpq_dsn
from app.services.platform.live_notices import ChangeNotice, PresenceEntry, PresenceNotice

log = logging.getLogger(__name__)
CHANGES_CHANNEL = "switchboard_changes"
PRESENCE_CHANNEL = "switchboard_presence"
MIN_SECONDS_BETWEEN_READS = 0.25
MAX_TICKETS_PER_NOTICE = 500
POLL_SECONDS = 0.2


# Is anything after the position that the last read could not take yet? Entries of transactions that
# committed while an older one was still running wait below the horizon (see `changes`); their NOTIFY has
# come and gone, so the listener reads again until they are taken, instead of waiting for the next change.
_BEHIND = "SELECT EXISTS (SELECT FROM switchboard.change_log WHERE (txid, seq) > (%(txid)s, %(seq)s))"

_PRESENCE = """
    SELECT p.ticket_id, a.db_login, a.display_name, p.state FROM switchboard.ticket_presence p
    JOIN switchboard.agent a ON a.id = p.agent_id
    WHERE p.seen_at > now() - interval '45 seconds' AND a.db_login <> session_user
    ORDER BY p.ticket_id, a.display_name"""


def _run_on(connection: psycopg.Connection[tuple[object, ...]]) -> Run:
    return lambda sql, params: connection.execute(sql, params).fetchall()


@dataclass
class LiveCursor:
    """The live client's place in the change log, across reconnects: it starts at the log's head (a client
    that just opened reads its views anyway) and afterwards catches up from where it was."""

    follower: ChangeFollower | None = None

    def start(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        if self.follower is None:
            self.follower = ChangeFollower(read_head(_run_on(connection)))

    @property
    def started(self) -> bool:
        return self.follower is not None

    def read(self, connection: psycopg.Connection[tuple[object, ...]]) -> ChangeNotice | None:
        """The tickets changed since the last read, or None when nothing visible changed."""
        self.start(connection)
        assert self.follower is not None
        run = _run_on(connection)
        changes = self.follower.read(lambda position, limit: read_since(run, position, limit))
        ticket_ids = {c.ticket_id for c in changes if c.ticket_id is not None}
        if not ticket_ids:
            return None
        listed = tuple(sorted(ticket_ids)) if len(ticket_ids) <= MAX_TICKETS_PER_NOTICE else None
        return ChangeNotice(self.follower.position, listed)

    def behind(self, connection: psycopg.Connection[tuple[object, ...]]) -> bool:
        """Whether the log holds entries after our position that we may see (held back by the horizon, or
        committed since the last read)."""
        assert self.follower is not None
        txid, seq = self.follower.position
        row = connection.execute(_BEHIND, {"txid": txid, "seq": seq}).fetchone()
        return bool(row and row[0])


@dataclass
class _Pending:
    changes: bool = False
    presence: bool = False
    last_read: float = 0.0


def listen(
    engine: Engine,
    on_change: Callable[[ChangeNotice], None],
    on_presence: Callable[[PresenceNotice], None],
    should_stop: Callable[[], bool],
    on_listening: Callable[[], None] | None = None,
    *,
    cursor: LiveCursor | None = None,
) -> None:
    """Block, delivering notices, until `should_stop()` (checked five times a second) or the connection drops
    (psycopg.OperationalError propagates: the caller shows 'reconnecting' and calls again with the same
    cursor, which then catches up).

    `on_listening()` is called once per connection, when LISTEN has succeeded on both channels and the
    cursor has its place: from then on no change is missed, so only then may a window say "connected"."""
    cursor = cursor if cursor is not None else LiveCursor()
    with psycopg.connect(
        libpq_dsn(engine.url), autocommit=True, application_name="switchboard-live", connect_timeout=5
    ) as connection:
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        connection.execute(f"LISTEN {PRESENCE_CHANNEL}")
        caught_up = cursor.started
        cursor.start(connection)
        if on_listening is not None:
            on_listening()
        pending = _Pending(changes=caught_up, presence=True)
        while not should_stop():
            for notice in connection.notifies(timeout=POLL_SECONDS, stop_after=1):
                pending.changes |= notice.channel == CHANGES_CHANNEL
                pending.presence |= notice.channel == PRESENCE_CHANNEL
            if (pending.changes or pending.presence) and _interval_passed(pending):
                _read_pending(connection, cursor, pending, on_change, on_presence)


def _interval_passed(pending: _Pending) -> bool:
    return time.monotonic() - pending.last_read >= MIN_SECONDS_BETWEEN_READS


def _read_pending(
    connection: psycopg.Connection[tuple[object, ...]],
    cursor: LiveCursor,
    pending: _Pending,
    on_change: Callable[[ChangeNotice], None],
    on_presence: Callable[[PresenceNotice], None],
) -> None:
    pending.last_read = time.monotonic()
    if pending.changes:
        notice = cursor.read(connection)
        if notice is not None:
            on_change(notice)
        pending.changes = cursor.behind(connection)  # read again after the interval, not after the next hint
    if pending.presence:
        pending.presence = False
        on_presence(PresenceNotice(_presence_entries(connection.execute(_PRESENCE).fetchall())))


def _presence_entries(rows: Sequence[tuple[object, ...]]) -> tuple[PresenceEntry, ...]:
    return tuple(PresenceEntry(int(str(t)), str(login), str(name), str(state)) for t, login, name, state in rows)
