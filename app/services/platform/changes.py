"""Reading the change log: what changed since a position, for the asynchronous followers — the live client
catching up after a reconnect, the search index, automation.

The database's triggers write one entry per changed row, whoever changed it. Each entry carries its
transaction's id; entries are read in `(txid, seq)` order and only below the oldest transaction of this
database still running (`change_log_horizon()`, migration 0007). Every transaction below that horizon
has ended, so nothing can appear there later: a follower that remembers the last position it applied
never skips a change, and no lock is involved. The horizon is taken in its own statement *before* the
statement that reads the log (so that statement's snapshot sees every transaction below it): read in
READ COMMITTED or autocommit, never inside a REPEATABLE READ snapshot taken earlier. Entries are read
through the reader's own row-level security: a follower sees the changes of the tickets its login may see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.services.platform.uow import UnitOfWork

Position = tuple[int, int]  # (txid, seq) of the last entry applied
START: Position = (0, 0)
BATCH = 1000
# Runs one statement (psycopg's %(name)s placeholders) and returns its rows: a unit of work's connection,
# or the live listener's own psycopg connection, so both read the log with the same code.
Run = Callable[[str, Mapping[str, object]], Sequence[Sequence[object]]]

HORIZON_SQL = "SELECT switchboard.change_log_horizon()"
SINCE_SQL = """
    SELECT txid, seq, entity, entity_id, ticket_id, operation FROM switchboard.change_log
    WHERE (txid, seq) > (%(txid)s, %(seq)s) AND txid < %(horizon)s
    ORDER BY txid, seq LIMIT %(limit)s"""
TRIMMED_THROUGH_SQL = "SELECT switchboard.change_log_trimmed_through()"
HEAD_SQL = """
    SELECT txid, seq FROM switchboard.change_log WHERE txid < %(horizon)s
    ORDER BY txid DESC, seq DESC LIMIT 1"""


@dataclass(frozen=True)
class Change:
    position: Position
    entity: str
    entity_id: int
    ticket_id: int | None
    operation: str


Fetch = Callable[[Position, int], Sequence[Change]]


def to_change(row: Sequence[object]) -> Change:
    txid, seq, entity, entity_id, ticket_id, operation = row
    return Change(
        (int(str(txid)), int(str(seq))),
        str(entity),
        int(str(entity_id)),
        int(str(ticket_id)) if ticket_id is not None else None,
        str(operation),
    )


def _horizon(run: Run) -> int:
    """In its own statement, before the read: see the module's docstring."""
    return int(str(run(HORIZON_SQL, {})[0][0]))


def read_since(run: Run, position: Position, limit: int = BATCH) -> list[Change]:
    """The entries after `position`, oldest first, at most `limit`."""
    params = {"txid": position[0], "seq": position[1], "limit": limit, "horizon": _horizon(run)}
    return [to_change(row) for row in run(SINCE_SQL, params)]


def read_head(run: Run) -> Position:
    """The position of the newest entry a follower could read now: where a new follower starts."""
    rows = run(HEAD_SQL, {"horizon": _horizon(run)})
    return (int(str(rows[0][0])), int(str(rows[0][1]))) if rows else START


def read_trimmed_through(run: Run) -> Position | None:
    """The newest entry housekeeping ever deleted (it records it as it deletes a prefix of the log by
    position): everything ever deleted lies at or below it; None: nothing was ever deleted."""
    value = run(TRIMMED_THROUGH_SQL, {})[0][0]
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    return (int(str(value[0])), int(str(value[1])))


def _run_in(uow: UnitOfWork) -> Run:
    connection = uow.session.connection()
    return lambda sql, params: connection.exec_driver_sql(sql, dict(params)).all()


def changes_since(uow: UnitOfWork, position: Position, limit: int = BATCH) -> list[Change]:
    return read_since(_run_in(uow), position, limit)


def head(uow: UnitOfWork) -> Position:
    return read_head(_run_in(uow))


def horizon(uow: UnitOfWork) -> int:
    """Every transaction with a lower id has ended: a reader that has read the log up to a horizon taken
    before its reads has seen every entry below it."""
    return _horizon(_run_in(uow))


def trimmed_through(uow: UnitOfWork) -> Position | None:
    return read_trimmed_through(_run_in(uow))


def missed_by(trimmed: Position | None, position: Position, covered: int) -> bool:
    """Whether a follower may have missed entries that housekeeping deleted: it applied everything up to
    `position` and every entry of a transaction below `covered` (a horizon it had read the log up to);
    every deleted entry lies at or below `trimmed`. A deleted entry it did not apply lies above `position`
    and belongs to a transaction at or above `covered`, so `trimmed` does too. Pure, tested on its own."""
    if trimmed is None or trimmed <= position:
        return False
    return trimmed[0] >= covered


@dataclass
class ChangeFollower:
    """Remembers how far it has read. `read(fetch)` returns every change since, in order, and moves on;
    the caller persists `position` if it must survive a restart (the search index keeps it with the index)."""

    position: Position = START

    def read(self, fetch: Fetch, *, limit: int = BATCH) -> list[Change]:
        changes: list[Change] = []
        while True:
            batch = list(fetch(self.position, limit))
            if batch:
                changes += batch
                self.position = batch[-1].position
            if len(batch) < limit:
                return changes
