"""What a second probe as each role found: times no client can read, unbounded values, a horizon any login
could hold, addresses for anyone's customers, unused direct writes, merged tickets changed; and a quieter
message statement.

Revision ID: 0045_probe_fixes_2
Revises: 0044_probe_fixes
Create Date: 2026-12-07

- Every time and date column of the schema (and every array of them) holds a time from 1900 to 2999: an
  agent stored `-infinity` as a due time (`store_sla_due()` takes any timestamp) or as a new customer's
  creation time, which PostgreSQL keeps and no Python client can read — every agent's queue, the SLA sweep
  of every queue and every client's search index failed on it, and the sweep that should have repaired it
  failed first. One check per table, over all of its columns, so a column added later is caught by
  `tests/integration/test_probe_fixes_0045.py` until its table's check names it.
  What a site holds outside the range already is repaired first (emptied where it may be, else moved to
  the nearest end). New customers that staff create are created now (`guard_customer()`).
- Bounded values: a ticket's custom fields (64 KiB as text) and tags (128: the client takes 100, and
  escalation adds its own), a message's text and HTML (10 MiB each) and its References (64 KiB), a
  knowledge article's text and HTML (10 MiB each: every edit is copied into the append-only history), a
  canned response (128 KiB). Two 19 MB custom-field updates grew the append-only audit by 57 MB in seven
  seconds; one 32 MB article edit the article history by 33 MB.
- `change_log_horizon()` v4: only a session that can write the desk's tables holds the horizon; a login in
  no group that sat in a transaction froze every client's live updates and search feed.
- `customer_email_create`: staff give an address only to a customer created in the same transaction
  (`customer_is_new()`), as the client does; an admin to anyone. Any address-less customer would do.
- `blob` and `attachment`: no direct INSERT for staff. The client never writes them (the knowledge base's
  files go through `kb_attach_file()`); agents attached files to other people's messages, with sizes of
  their choosing, and filled the disk with blobs nothing referenced.
- `assign_ticket()` v3, `move_ticket()` v3, `escalate_ticket()` v2: a merged ticket is refused (SB003);
  their updates run as the owner, past the guard's rule.
- `save_sla_policy()` v3: an account condition's value as the engine reads it (1.5, [] and "  " were
  saved, then left out).
- `message_first_response()` v3: its UPDATE only for a statement that added a public reply. An UPDATE of
  no rows still fires the ticket's statement triggers over empty transition tables: a third of a creation's
  trigger time, and every customer message's and internal note's.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0045_probe_fixes_2"
down_revision: str | None = "0044_probe_fixes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("message_first_response", 2, 3),
    ("change_log_horizon", 3, 4),
    ("assign_ticket", 2, 3),
    ("move_ticket", 2, 3),
    ("escalate_ticket", 1, 2),
    ("save_sla_policy", 2, 3),
]
ACTIVE = f"(SELECT {S}.is_active_agent())"
EMAIL_POLICY_BEFORE = f"{ACTIVE} AND ((SELECT {S}.is_admin()) OR NOT {S}.customer_has_email(customer_id))"
EMAIL_POLICY_AFTER = (
    f"{ACTIVE} AND ((SELECT {S}.is_admin())"
    f" OR NOT {S}.customer_has_email(customer_id) AND {S}.customer_is_new(customer_id))"
)
DIRECT_WRITES = {  # policy → (table, its WITH CHECK), as before this migration
    "blob_write": ("blob", ACTIVE),
    "attachment_write": ("attachment", f"EXISTS (SELECT FROM {S}.message m WHERE m.id = message_id)"),
}
BOUNDS = {  # constraint → (table, check)
    "ck_ticket_custom_fields_bounded": ("ticket", "octet_length(custom_fields::text) <= 65536"),
    "ck_ticket_tags_bounded": ("ticket", "cardinality(tags) <= 128"),  # the client's 100, and room for "escalated"
    "ck_message_body_bounded": (
        "message",
        "octet_length(body_text) <= 10485760 AND coalesce(octet_length(body_html), 0) <= 10485760"
        " AND coalesce(octet_length(array_to_string(\"references\", ' ')), 0) <= 65536",
    ),
    "ck_knowledge_article_body_bounded": (  # each edit copies it into the append-only history
        "knowledge_article",
        "octet_length(body) <= 10485760 AND coalesce(octet_length(body_html), 0) <= 10485760",
    ),
    "ck_canned_response_body_bounded": ("canned_response", "octet_length(body) <= 131072"),  # the client: 20,000 chars
}
EARLIEST, LATEST = "1900-01-01", "3000-01-01"  # a time is at or after the first, before the second
TIMES_CHECK = "ck_{table}_times_in_range"
# Every column of a time or date type, or an array of one, per table of the schema.
TIME_COLUMNS = text(
    "SELECT c.relname, a.attname, t.typcategory = 'A' AS is_array, coalesce(e.typname, t.typname) AS kind,"
    " a.attgenerated <> '' AS generated, NOT a.attnotnull AS nullable"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND coalesce(e.typname, t.typname) IN ('timestamptz', 'timestamp', 'date')"
    " ORDER BY c.relname, a.attname"
)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    op.execute(function_sql("customer_is_new", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.customer_is_new(bigint) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.customer_is_new(bigint) TO {staff}")
    op.execute(f"ALTER POLICY customer_email_create ON {S}.customer_email WITH CHECK ({EMAIL_POLICY_AFTER})")
    for policy, (table, _check) in DIRECT_WRITES.items():
        op.execute(f"DROP POLICY {policy} ON {S}.{table}")
        op.execute(f"REVOKE INSERT ON {S}.{table} FROM {staff}")
    checks = dict(BOUNDS)
    for table, expression in _time_checks().items():
        checks[TIMES_CHECK.format(table=table)] = (table, expression)
    _repair_times()
    for name, (table, expression) in checks.items():  # one scan of each table for its checks
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {name} CHECK ({expression}) NOT VALID")
        op.execute(f"ALTER TABLE {S}.{table} VALIDATE CONSTRAINT {name}")
    op.execute(function_sql("guard_customer", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.guard_customer() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {S}.guard_customer() TO {staff}")
    op.execute(
        f"CREATE TRIGGER a_guard_customer BEFORE INSERT ON {S}.customer"
        f" FOR EACH ROW EXECUTE FUNCTION {S}.guard_customer()"
    )


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    op.execute(f"DROP TRIGGER a_guard_customer ON {S}.customer")
    op.execute(f"DROP FUNCTION {S}.guard_customer()")
    for table in _time_checks():
        op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {TIMES_CHECK.format(table=table)}")
    for name, (table, _expression) in BOUNDS.items():
        op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {name}")
    for policy, (table, check) in DIRECT_WRITES.items():
        op.execute(f"GRANT INSERT ON {S}.{table} TO {staff}")
        op.execute(f"CREATE POLICY {policy} ON {S}.{table} FOR INSERT TO {staff} WITH CHECK ({check})")
    op.execute(f"ALTER POLICY customer_email_create ON {S}.customer_email WITH CHECK ({EMAIL_POLICY_BEFORE})")
    op.execute(f"DROP FUNCTION {S}.customer_is_new(bigint)")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))


def _time_checks() -> dict[str, str]:
    """Per table, the check that every time and date column (and array of them) lies within the range."""
    columns: dict[str, list[str]] = {}
    for table, column, is_array, kind, _generated, _nullable in op.get_bind().execute(TIME_COLUMNS, {"schema": S}):
        low, high = _range(kind)
        if is_array:
            condition = f'{low} <= ALL ("{column}") AND {high} > ALL ("{column}")'
        else:
            condition = f'"{column}" >= {low} AND "{column}" < {high}'
        columns.setdefault(table, []).append(condition)
    return {table: " AND ".join(conditions) for table, conditions in columns.items()}


def _repair_times() -> None:
    """What a site holds already outside the range (the holes above let any agent store it) is made
    readable before the checks: a time that may be empty is emptied, one that may not is moved to the
    nearest end of the range; an array loses the dates outside it. The
    append-only tables' times come from the server's clock and are left alone (their triggers refuse it)."""
    for table, column, is_array, kind, generated, nullable in op.get_bind().execute(TIME_COLUMNS, {"schema": S}).all():
        if table in APPEND_ONLY or generated:  # a generated one (the ticket's sla_due_at) follows the others
            continue
        low, high = _range(kind)
        where = f'"{column}" < {low} OR "{column}" >= {high}'
        if is_array:
            kept = f'ARRAY(SELECT d FROM unnest("{column}") d WHERE d >= {low} AND d < {high})'
            outside = f'NOT ({low} <= ALL ("{column}") AND {high} > ALL ("{column}"))'
            op.execute(f'UPDATE {S}.{table} SET "{column}" = {kept} WHERE {outside}')
            continue
        end = "NULL" if nullable else f"CASE WHEN \"{column}\" < {low} THEN {low} ELSE {high} - interval '1 day' END"
        op.execute(f'UPDATE {S}.{table} SET "{column}" = {end} WHERE {where}')


APPEND_ONLY = {"audit_event", "sla_ledger", "knowledge_article_version"}


def _range(kind: str) -> tuple[str, str]:
    """The range's ends as literals of the column's type (`date`, `timestamp`, `timestamptz`)."""
    if kind == "date":
        return f"'{EARLIEST}'::date", f"'{LATEST}'::date"
    return f"'{EARLIEST} 00:00:00+00'::{kind}", f"'{LATEST} 00:00:00+00'::{kind}"
