"""Who is asking, as the database says, asked once per statement.

The identity functions (`current_agent_id()`, `visible_queue_ids()` …) are STABLE: written bare in a
filter or a join, PostgreSQL calls them for every row it tests, and `current_login()`, a SQL function, is
inlined and then called per row too — the actor's own lookup made 74 identity calls where it needed one
(issue 12). Written as a scalar sub-select they become an init plan: evaluated once, its answer a
parameter of the plan (the row-level security policies use the same form). Use these, never the bare call.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, String, literal_column
from sqlalchemy.dialects.postgresql import ARRAY


def current_agent_id() -> ColumnElement[int]:
    """The signed-in (or acted-for) agent's id, NULL for a login without an active agent row."""
    return literal_column("(SELECT switchboard.current_agent_id())", BigInteger)


def visible_queue_ids() -> ColumnElement[list[int]]:
    """The queues the caller may see, as an array: compare with `any_(visible_queue_ids())`."""
    queues: ARRAY[int] = ARRAY(BigInteger)
    # The cast makes it an expression: `ANY ((SELECT …))` would still be read as ANY over a sub-select's rows.
    return literal_column("(SELECT switchboard.visible_queue_ids())::bigint[]", queues)  # type: ignore[arg-type]


def current_agent_role() -> ColumnElement[str]:
    """The caller's role as the database says it ('admin' for a trusted session acting for nobody: the worker,
    IT's monitoring), NULL for a login without an active agent row."""
    return literal_column("(SELECT switchboard.current_agent_role()::text)", String)
