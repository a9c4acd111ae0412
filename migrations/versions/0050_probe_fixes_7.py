"""What a ninth probe as each role found: a ticket's custom fields that were not an object stopped a queue's
list, its "get next" and the ticket itself for every colleague; a lead's nested categories made every
colleague's knowledge base take a minute and gigabytes; an admin set colleagues' passwords without a trace;
a REPEATABLE READ transaction routed past a colleague's capacity.

Revision ID: 0050_probe_fixes_7
Revises: 0049_probe_fixes_6
Create Date: 2026-12-07

- Every JSON column holds the shape its readers take (`JSON_SHAPES`: an object, a list, a list of objects,
  or anything where every value is read as such), one check per table, so a column added later fails
  `tests/integration/test_probe_fixes_0050.py` until it is named there. 0049 bounded how deep and how large;
  `'"x"'`, `'5'` or `'[1]'` as a ticket's custom fields still passed, and the queue's list, `ticket show`
  and the claim (which picked the ticket, failed and rolled back, again and again) failed for everyone, with
  no client able to open the ticket to repair it. `[1]` as a routing decision's candidates broke a lead's
  "Why this agent?". What a site holds of another shape is emptied ({} or []) and said.
- The configuration every client reads whole holds a bounded number of rows (`refuse_beyond_rows()`, a
  statement trigger per table: `ROW_BOUNDS`), a category is at most eight levels deep (`kb_add_category()`
  v2), and an SLA policy at most 64 KB (was 192 KB): 12,000 nested categories took every colleague's
  knowledge base 73 s and 5.7 GB to open; 300 policies of 180 KB took a client's ticket creation from 91 to
  224 MB. What a site holds beyond a bound stays (nothing is deleted); only new rows are refused.
- Setting a password is audited (`set_user_password()` v3): an admin could take over any plain login
  without a trace, then read that person's private views and act in their name.
- `route_ticket()` v8 routes at read committed only: two REPEATABLE READ transactions each routed a ticket
  to a colleague of capacity 1.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0050_probe_fixes_7"
down_revision: str | None = "0049_probe_fixes_6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("kb_add_category", 1, 2),
    ("set_user_password", 2, 3),
    ("route_ticket", 7, 8),
]
NEW_FUNCTIONS = [("refuse_beyond_rows", "")]
OBJECT, LIST, LIST_OF_OBJECTS, ANY = "object", "list", "list of objects", "any"
# Every JSON column of the schema and the shape its readers take; `ANY` where every value is read as such
# (an audit's old and new values are any column's; a preference is the login's own client's; a job's result
# is read by its key). A column added later is named here and in the test.
JSON_SHAPES = {
    ("account_cache", "attributes"): OBJECT,
    ("account_cache", "fields"): LIST,
    ("account_priority_rule", "conditions"): OBJECT,
    ("account_verified", "attributes"): OBJECT,
    ("agent", "shift"): OBJECT,
    ("agent_preference", "value"): ANY,
    ("audit_event", "new_value"): ANY,
    ("audit_event", "old_value"): ANY,
    ("business_calendar", "weekly_hours"): OBJECT,
    ("job_run", "result"): ANY,
    ("routing_config", "settings"): OBJECT,
    ("routing_decision", "exclusions"): LIST_OF_OBJECTS,
    ("routing_decision", "ranked"): LIST_OF_OBJECTS,
    ("sla_policy", "conditions"): OBJECT,
    ("sla_policy", "ladder"): LIST,
    ("sla_policy", "targets"): OBJECT,
    ("ticket", "custom_fields"): OBJECT,
}
SHAPE_CHECK = "ck_{table}_json_shape"
JSON_COLUMNS = text(
    "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND t.typname IN ('json', 'jsonb') ORDER BY c.relname, a.attname"
)
# The configuration every client reads whole, and how many rows of it the desk keeps (a desk has a few
# dozen of each; the demo's and the benchmarks' corpus far fewer than these).
ROW_BOUNDS = {
    "knowledge_category": (1000, "knowledge base categories"),
    "sla_policy": (200, "SLA policies"),
    "business_calendar": (100, "business calendars"),
    "canned_response": (2000, "canned responses"),
    "account_priority_rule": (200, "account priority rules"),
    "queue": (500, "queues"),
    "ticket_status": (64, "ticket statuses"),
}
POLICY_BOUND = "ck_sla_policy_config_bounded"
POLICY_SIZE = "octet_length(conditions::text) + octet_length(targets::text) + octet_length(ladder::text) <= {most}"
POLICY_MOST, POLICY_MOST_BEFORE = 65536, 196608


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for function, signature in NEW_FUNCTIONS:
        op.execute(function_sql(function, 1, names))
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function}({signature}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{function}({signature}) TO {_staff(names)}")
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    for table, columns in _shaped_columns().items():
        for column, shape in columns:
            _empty_other_shapes(table, column, shape)
        check = " AND ".join(_shaped(column, shape) for column, shape in columns)
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {SHAPE_CHECK.format(table=table)} CHECK ({check})")
    for table, (most, what) in ROW_BOUNDS.items():
        op.execute(
            f"CREATE TRIGGER z_{table}_rows_bounded AFTER INSERT ON {S}.{table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_beyond_rows('{most}', '{what}')"
        )
    _bound_policies(POLICY_MOST)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    _bound_policies(POLICY_MOST_BEFORE)
    for table in ROW_BOUNDS:
        op.execute(f"DROP TRIGGER z_{table}_rows_bounded ON {S}.{table}")
    for table in _shaped_columns():
        op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {SHAPE_CHECK.format(table=table)}")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    for function, signature in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{function}({signature})")


def _shaped_columns() -> dict[str, list[tuple[str, str]]]:
    """Per table, its JSON columns with a shape to check (every column must be named in `JSON_SHAPES`)."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column in op.get_bind().execute(JSON_COLUMNS, {"schema": S}):
        shape = JSON_SHAPES.get((table, column))
        if shape is None:
            raise RuntimeError(f"0050: {table}.{column} is a JSON column without a shape in JSON_SHAPES")
        if shape != ANY:
            columns.setdefault(table, []).append((column, shape))
    return columns


def _shaped(column: str, shape: str) -> str:
    """True (or NULL, for a NULL value) when the column's value has the shape."""
    quoted = f'"{column}"'
    if shape == OBJECT:
        return f"jsonb_typeof({quoted}) = 'object'"
    listed = f"jsonb_typeof({quoted}) = 'array'"
    if shape == LIST:
        return listed
    return f"({listed} AND NOT jsonb_path_exists({quoted}, 'strict $[*] ? (@.type() != \"object\")'))"


def _empty_other_shapes(table: str, column: str, shape: str) -> None:
    """A value of another shape is emptied ({} or [] as its column takes), with the table's triggers off for
    the statement (an append-only table's guards refuse it; nothing else needs to hear of a repair)."""
    bind = op.get_bind()
    where = f"NOT coalesce({_shaped(column, shape)}, true)"
    if not bind.execute(text(f"SELECT EXISTS (SELECT FROM {S}.{table} WHERE {where})")).scalar():
        return
    emptied = "'{}'::jsonb" if shape == OBJECT else "'[]'::jsonb"
    op.execute(f"ALTER TABLE {S}.{table} DISABLE TRIGGER USER")
    count = bind.execute(text(f'UPDATE {S}.{table} SET "{column}" = {emptied} WHERE {where}')).rowcount
    op.execute(f"ALTER TABLE {S}.{table} ENABLE TRIGGER USER")
    print(f"0050: {table}: {count} rows' {column} was not {'an' if shape == OBJECT else 'a'} {shape}: emptied")


def _bound_policies(most: int) -> None:
    """An SLA policy's size; a site holding a larger one keeps it (the check is then for new writes only)."""
    bind = op.get_bind()
    op.execute(f"ALTER TABLE {S}.sla_policy DROP CONSTRAINT {POLICY_BOUND}")
    op.execute(
        f"ALTER TABLE {S}.sla_policy ADD CONSTRAINT {POLICY_BOUND} CHECK ({POLICY_SIZE.format(most=most)}) NOT VALID"
    )
    larger = bind.execute(text(f"SELECT count(*) FROM {S}.sla_policy WHERE NOT ({POLICY_SIZE.format(most=most)})"))
    if larger.scalar():
        print(f"0050: sla_policy: a policy is larger than {most} bytes: kept; saved again, it must be smaller")
        return
    op.execute(f"ALTER TABLE {S}.sla_policy VALIDATE CONSTRAINT {POLICY_BOUND}")


def _staff(names: DatabaseNames) -> str:
    return ", ".join(quote_identifier(role) for role in (names.agent_role, names.supervisor_role, names.admin_role))
