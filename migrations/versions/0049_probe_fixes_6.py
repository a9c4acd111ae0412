"""What a sixth probe as each role found: JSON nested too deeply for any client to read stopped the SLA
sweep and ticket work for every queue, a lead's renames grew the ledger by the megabyte, a calendar no
client would save stopped ticket creation, and writes that escaped the audit.

Revision ID: 0049_probe_fixes_6
Revises: 0048_probe_fixes_5
Create Date: 2026-12-07

- Every JSON column of the schema holds what a Python client reads: nested at most 16 levels below its
  top, no number beyond 1e100 either way (one check per table, over all of its JSON columns, so a column
  added later is caught by `tests/integration/test_probe_fixes_0049.py` until its table's check names it).
  Python's JSON reader raises RecursionError on a few thousand levels, and refuses an integer of more than
  4,300 digits, which PostgreSQL keeps of a 13-byte `1e5000`: an agent's 6 KB of nested lists in a ticket's
  custom fields emptied every colleague's Billing list and stopped every SLA sweep (and, copied into the
  append-only audit, that ticket's history for good); in a routing decision, the "no eligible agent" list
  and every colleague's becoming available; in the account cache, colleagues' account panels; a team
  lead's ladder step, through `save_sla_policy()`, stopped ticket creation in every queue. What a site
  holds already is emptied first ({} or [], as its top was). `save_sla_policy()` v4 also refuses keys of
  conditions and ladder steps the engine does not read, and an account condition's number of more than
  18 digits.
- A policy renamed 3,000 times in a few seconds grew the append-only SLA ledger by 142 MB (the worker
  joined the requests' reasons into one of 330 KB and copied it into two entries of each open ticket):
  `sla_config_changed()` v3 files nothing for a change that moves no due time (a name alone); the worker
  names five reasons and counts the rest; a ledger note and a request's reason hold at most 2,000
  characters.
- A business calendar in a time zone the server does not know, or with hours that overlap or leave the
  day, inserted by an admin in SQL, stopped ticket creation and the sweep of its policy's queues: the
  table checks both (`known_time_zone()`, `weekly_hours_fit()`); a calendar already holding such a value
  is set to UTC or to every hour of the week, and the upgrade names it. The engine reads a calendar it
  cannot use (a country this machine knows no holidays for) without its holidays, or in calendar time.
- Customers and their addresses are audited (`audit_config()`, as the desk's configuration), a new
  address announces its customer (`log_change()` v3: clients and the search index heard nothing), and a
  customer has at most one primary address.
- `lock_visible_ticket()` v3 and the knowledge base's changes (`kb_lock_article()`) read and check before
  they lock: a lock wait on a ticket or draft the caller may not see told them it exists and is being
  changed, where an unknown id was refused at once.
- Attaching a file to an article is audited (`kb_attach_file()` v3).
- When a row was made and changed, and its version, are the database's for canned responses,
  organisations, SLA policies and calendars (`keep_row_stamps()`): a lead back-dated a canned response to
  1901 and the audit, which leaves bookkeeping out, kept nothing of it.
- A file's stored time (`blob.created_at`) is no staff member's to read: it said whether, and since when,
  bytes a caller guessed were stored anywhere on the desk.
- The worker's tables (`job_run`, `worker_heartbeat`) have row-level security: an admin login with no
  active agent row read them.
- Every text column is one line but the bodies, descriptions and a tool's error text (`MULTI_LINE`; a
  check per table, found from the catalogue, so a new column is one line until named there): no control
  character, line or paragraph separator (U+2028, U+2029) or direction override, as the client's
  `clean_line()` keeps a subject, a name, a tag. psql stored line breaks and U+202E in subjects, tags,
  customers' names, a customer's address (CR LF and "Bcc: …": a mail header once replies go out by mail),
  queue, policy, calendar, category and status names, and people's display names.
- No list column holds an empty (NULL) item (a check per table over its array columns, from the catalogue):
  a NULL among a ticket's tags failed the header, `ticket show` and the article list of every colleague.
  A customer's address is one address as `parse_mailbox()` takes one (no space, invisible character,
  comma or bracket; at most 254 characters): lookalikes with a zero-width space, spaces around, or two
  addresses in one passed the unique index. What a site holds is cleaned (empty items left out, invisible
  characters taken out of addresses) and an address still unusable deleted, and said.
- Staff no longer hold USAGE on the identity columns' sequences (an identity draws without it): one login
  burnt five million ids in 2.4 s with nextval(), unaudited. The ticket number's sequence stays theirs.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0049_probe_fixes_6"
down_revision: str | None = "0048_probe_fixes_5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("lock_visible_ticket", 2, 3),
    ("kb_edit_article", 1, 2),
    ("kb_set_article_state", 1, 2),
    ("kb_attach_file", 2, 3),
    ("save_sla_policy", 3, 4),
    ("sla_config_changed", 2, 3),
    ("log_change", 2, 3),
]
# New functions: (name, signature, granted to staff: a check or trigger runs it as the writer).
NEW_FUNCTIONS = [
    ("kb_lock_article", "bigint", False),
    ("keep_row_stamps", "", True),
    ("known_time_zone", "text", True),
    ("weekly_hours_fit", "jsonb", True),
]
DEEPEST = 16  # levels below a JSON value's top; the desk's own values use at most five
LARGEST = "1e100"  # a number's size either way: PostgreSQL keeps 1e5000 as 5,001 digits, Python reads 4,300
TOO_DEEP = f"jsonb_path_exists({{column}}, 'strict $.**{{{{{DEEPEST + 1} to last}}}}')"
TOO_LARGE = (
    f"jsonb_path_exists({{column}}, 'strict $.** ? (@.type() == \"number\" && (@ > {LARGEST} || @ < -{LARGEST}))')"
)
JSON_CHECK = "ck_{table}_json_readable"
# Every JSON column, per table of the schema.
JSON_COLUMNS = text(
    "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND t.typname IN ('json', 'jsonb') ORDER BY c.relname, a.attname"
)
APPEND_ONLY = {"audit_event", "sla_ledger", "routing_decision", "knowledge_article_version"}
# What no one-line value holds (the client's clean_line() removes or folds each, app/services/platform/
# plain_text.py): control characters, the line and paragraph separators (Qt breaks a label's line at them)
# and the direction overrides and isolates (which disguise: "invoice\u202efdp.exe" shows "invoiceexe.pdf").
NOT_ONE_LINE = "'[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]'"
ONE_LINE_CHECK = "ck_{table}_one_line"
# Every text column of the schema is one line (a name, a subject, an address, a key…), but these: bodies,
# descriptions and a tool's error text. A column added later is one line until named here
# (`tests/integration/test_probe_fixes_0049.py` fails for a text column without its table's check).
MULTI_LINE = {
    ("canned_response", "body"),
    ("knowledge_article", "body"),
    ("knowledge_article", "body_html"),
    ("knowledge_article_version", "body"),
    ("knowledge_article_version", "body_html"),
    ("message", "body_text"),
    ("message", "body_html"),
    ("queue", "description"),
    ("account_cache", "last_error"),
    ("account_verified", "last_error"),
}
TEXT_COLUMNS = text(
    "SELECT c.relname, a.attname, t.typcategory = 'A' AS is_array, a.attnotnull FROM pg_attribute a"
    " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND c.relname <> 'alembic_version' AND coalesce(e.typname, t.typname) IN ('text', 'varchar')"
    " ORDER BY c.relname, a.attname"
)
# Every array column holds no empty (NULL) item: the client drops empty tags, and the header, `ticket show`
# and the article list failed on a NULL among the tags ("expected str instance, NoneType found").
ARRAY_COLUMNS = text(
    "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND t.typcategory = 'A' ORDER BY c.relname, a.attname"
)
NO_EMPTY_ITEMS = "ck_{table}_no_empty_items"
# An address as `parse_mailbox()` takes one (app/services/people/addresses.py): name@domain, no space,
# control or invisible character, none of @"(),:;<>[]\ in its parts, at most 254 characters. Staff stored
# "jane@customer.test" with a zero-width space after it, with spaces around it, and two addresses in one:
# lookalikes past the unique index, and a header once replies go out by mail.
_NOT_IN_ADDRESS = (
    "\\x01-\\x20\\x7f-\\xa0\\xad\\u1680\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f"
    '\\u3000\\ufeff@"(),:;<>\\[\\]\\\\'
)
MAILBOX = (
    f"address ~ '^[^{_NOT_IN_ADDRESS}]{{1,64}}@([^{_NOT_IN_ADDRESS}.'']+\\.)+[^{_NOT_IN_ADDRESS}.'']+$'"
    " AND length(address) <= 254"
)
NOTES = {  # (table, column) → at most this many characters
    ("sla_ledger", "note"): 2000,
    ("sla_recompute", "reason"): 2000,
}
CALENDAR_CHECKS = {
    "ck_business_calendar_time_zone_known": f"{S}.known_time_zone(time_zone)",
    "ck_business_calendar_weekly_hours_fit": f"{S}.weekly_hours_fit(weekly_hours)",
}
EVERY_HOUR = "'{" + ", ".join(f'"{day}": [[0, 1440]]' for day in range(7)) + "}'"
STAMPED = ("canned_response", "organisation", "sla_policy", "business_calendar")
CUSTOMER_CHANGED = (
    "(OLD.name, OLD.organisation_id, OLD.language) IS DISTINCT FROM (NEW.name, NEW.organisation_id, NEW.language)"
)
ONE_PRIMARY = "uq_customer_email_one_primary"
WORKER_TABLES = ("job_run", "worker_heartbeat")
# Identity columns draw their values without the inserting login's USAGE; with it, staff called nextval()
# themselves (five million audit or ticket ids burnt in 2.4 s, unaudited). The ticket number's sequence
# stays: the client's INSERT draws it (the column's default, and `guard_ticket()` as the writer).
IDENTITY_SEQUENCES = (
    "agent_id_seq",
    "attachment_id_seq",
    "audit_event_id_seq",
    "change_log_seq_seq",
    "customer_email_id_seq",
    "customer_id_seq",
    "knowledge_article_id_seq",
    "message_id_seq",
    "organisation_id_seq",
    "queue_id_seq",
    "ticket_id_seq",
)
BLOB_READ = "sha256, size, data"  # what staff read of a stored file (not when it was first stored)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = _staff(names)
    for function, signature, granted in NEW_FUNCTIONS:
        op.execute(function_sql(function, 1, names))
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function}({signature}) FROM PUBLIC")
        if granted:
            op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{function}({signature}) TO {staff}")
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    _repair()
    for table, (name, expression) in _checks().items():
        for one_name, one_expression in zip(name, expression, strict=True):
            op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {one_name} CHECK ({one_expression}) NOT VALID")
            op.execute(f"ALTER TABLE {S}.{table} VALIDATE CONSTRAINT {one_name}")
    _customer_trail(create=True)
    for table in STAMPED:
        op.execute(
            f"CREATE TRIGGER a_{table}_stamps BEFORE INSERT OR UPDATE ON {S}.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION {S}.keep_row_stamps()"
        )
    op.execute(f"REVOKE SELECT ON {S}.blob FROM {staff}")
    sequences = ", ".join(f"{S}.{sequence}" for sequence in IDENTITY_SEQUENCES)
    op.execute(f"REVOKE ALL ON SEQUENCE {sequences} FROM {staff}")
    op.execute(f"GRANT SELECT ({BLOB_READ}) ON {S}.blob TO {staff}")
    admin, owner = quote_identifier(names.admin_role), quote_identifier(names.owner_role)
    trusted = f"(SELECT {S}.is_trusted_session())"
    for table in WORKER_TABLES:  # the worker's login is a member of the owner role, not the owner: both policies
        op.execute(f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_trusted ON {S}.{table} TO {owner} USING ({trusted}) WITH CHECK ({trusted})")
        op.execute(
            f"CREATE POLICY {table}_admin_read ON {S}.{table} FOR SELECT TO {admin}"
            f" USING ((SELECT {S}.is_active_agent()) AND (SELECT {S}.is_admin()))"
        )


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = _staff(names)
    for table in WORKER_TABLES:
        op.execute(f"DROP POLICY {table}_admin_read ON {S}.{table}")
        op.execute(f"DROP POLICY {table}_trusted ON {S}.{table}")
        op.execute(f"ALTER TABLE {S}.{table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE SELECT ({BLOB_READ}) ON {S}.blob FROM {staff}")
    op.execute(f"GRANT USAGE ON SEQUENCE {', '.join(f'{S}.{s}' for s in IDENTITY_SEQUENCES)} TO {staff}")
    op.execute(f"GRANT SELECT ON {S}.blob TO {staff}")
    for table in STAMPED:
        op.execute(f"DROP TRIGGER a_{table}_stamps ON {S}.{table}")
    _customer_trail(create=False)
    for table, (name, _expression) in _checks().items():
        for one_name in name:
            op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {one_name}")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    for function, signature, _granted in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{function}({signature})")


def _checks() -> dict[str, tuple[list[str], list[str]]]:
    """Per table, its new checks' names and expressions (JSON nesting, one-line fields, notes, calendars)."""
    checks: dict[str, tuple[list[str], list[str]]] = {}

    def add(table: str, name: str, expression: str) -> None:
        names, expressions = checks.setdefault(table, ([], []))
        names.append(name)
        expressions.append(expression)

    for table, columns in _json_columns().items():
        add(table, JSON_CHECK.format(table=table), " AND ".join(f"NOT {_unreadable(c)}" for c in columns))
    for table, lines in _one_line_columns().items():
        add(table, ONE_LINE_CHECK.format(table=table), " AND ".join(f"{_value(c)} !~ {NOT_ONE_LINE}" for c in lines))
    for (table, column), most in NOTES.items():
        add(table, f"ck_{table}_{column}_bounded", f'length("{column}") <= {most}')
    for name, expression in CALENDAR_CHECKS.items():
        add("business_calendar", name, expression)
    for table, columns in _array_columns().items():
        add(
            table,
            NO_EMPTY_ITEMS.format(table=table),
            " AND ".join(_no_empty_item(c) for c in columns),
        )
    add("customer_email", "ck_customer_email_mailbox", MAILBOX)
    return checks


def _no_empty_item(column: str) -> str:
    """True when the array holds no NULL item: a NULL adds the third argument to the first text and nothing
    to the second. (`array_position` would raise on a list of lists, which the plain-list check refuses.)"""
    return f"array_to_string(\"{column}\", '', 'n') = array_to_string(\"{column}\", '')"


def _array_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in op.get_bind().execute(ARRAY_COLUMNS, {"schema": S}):
        columns.setdefault(table, []).append(column)
    return columns


def _repair() -> None:
    """What a site holds already that the checks refuse is made readable first, with every trigger of the
    table off for the statement (an append-only table's guards refuse it; nothing else needs to hear of
    a repair), and said: JSON nested too deeply is emptied, a note cut, a one-line field cleaned, a
    calendar's unknown time zone made UTC and impossible hours every hour (calendar time: what the engine
    fell back to), each customer's first primary address kept as the one."""
    for table, columns in _json_columns().items():
        for column in columns:
            emptied = f"CASE jsonb_typeof(\"{column}\") WHEN 'array' THEN '[]'::jsonb ELSE '{{}}'::jsonb END"
            what = f"{column} nested too deeply or held a number too large to read: emptied"
            _repair_rows(table, f'"{column}" = {emptied}', _unreadable(column), what)
    for table, lines in _one_line_columns().items():
        for column in lines:
            spaced = "regexp_replace({v}, '[\\t\\n\\r\\u2028\\u2029]+', ' ', 'g')"
            one = f"btrim(regexp_replace({spaced}, {NOT_ONE_LINE}, '', 'g'))"
            if column.is_array:
                cleaned = f'ARRAY(SELECT {one.format(v="v")} FROM unnest("{column.name}") v)'
            else:
                cleaned = one.format(v=f'"{column.name}"')
                cleaned = f"coalesce(nullif({cleaned}, ''), '-')" if column.not_null else f"nullif({cleaned}, '')"
            outside = f"{_value(column)} ~ {NOT_ONE_LINE}"
            _repair_rows(table, f'"{column.name}" = {cleaned}', outside, f"{column.name} held line breaks or controls")
    for table, columns in _array_columns().items():
        for column in columns:
            kept = f'ARRAY(SELECT v FROM unnest("{column}") WITH ORDINALITY AS u(v, n) WHERE v IS NOT NULL ORDER BY n)'
            where = f"NOT {_no_empty_item(column)}"
            _repair_rows(table, f'"{column}" = {kept}', where, f"{column} held empty items: left out")
    invisible = (
        "'[\\x01-\\x20\\x7f-\\xa0\\xad\\u1680\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\ufeff]'"
    )
    _repair_rows(
        "customer_email",
        f"address = regexp_replace(address, {invisible}, '', 'g')",
        f"NOT ({MAILBOX}) AND regexp_replace(address, {invisible}, '', 'g') <> address",
        "address held spaces or invisible characters: taken out",
    )
    _delete_rows("customer_email", f"NOT ({MAILBOX})", "an address no mail could be sent to: deleted")
    for (table, column), most in NOTES.items():
        _repair_rows(
            table,
            f'"{column}" = left("{column}", {most - 1}) || \'…\'',
            f'length("{column}") > {most}',
            f"{column} cut to {most} characters",
        )
    _repair_rows(
        "business_calendar",
        "time_zone = 'UTC'",
        f"NOT {S}.known_time_zone(time_zone)",
        "time zone unknown to the server: now UTC",
    )
    _repair_rows(
        "business_calendar",
        f"weekly_hours = {EVERY_HOUR}",
        f"NOT {S}.weekly_hours_fit(weekly_hours)",
        "hours overlapped or left the day: now every hour",
    )
    _repair_rows(
        "customer_email",
        "is_primary = false",
        f"is_primary AND id <> (SELECT min(e.id) FROM {S}.customer_email e"
        " WHERE e.customer_id = customer_email.customer_id AND e.is_primary)",
        "a second primary address: no longer primary",
    )


def _delete_rows(table: str, where: str, what: str) -> None:
    bind = op.get_bind()
    if not bind.execute(text(f"SELECT EXISTS (SELECT FROM {S}.{table} WHERE {where})")).scalar():
        return
    op.execute(f"ALTER TABLE {S}.{table} DISABLE TRIGGER USER")
    count = bind.execute(text(f"DELETE FROM {S}.{table} WHERE {where}")).rowcount
    op.execute(f"ALTER TABLE {S}.{table} ENABLE TRIGGER USER")
    print(f"0049: {table}: {count} rows' {what}")


def _repair_rows(table: str, assignment: str, where: str, what: str) -> None:
    bind = op.get_bind()
    if not bind.execute(text(f"SELECT EXISTS (SELECT FROM {S}.{table} WHERE {where})")).scalar():
        return
    op.execute(f"ALTER TABLE {S}.{table} DISABLE TRIGGER USER")
    count = bind.execute(text(f"UPDATE {S}.{table} SET {assignment} WHERE {where}")).rowcount
    op.execute(f"ALTER TABLE {S}.{table} ENABLE TRIGGER USER")
    print(f"0049: {table}: {count} rows' {what}")


def _customer_trail(*, create: bool) -> None:
    """Customers and addresses into the audit as configuration (an account link keeps its own, ticket-
    bound audit: `audit_customer_account()`), a new address announced as its customer's change, and one
    primary address per customer."""
    triggers = [
        ("customer", "customer_audit_insert", "AFTER INSERT OR DELETE", "FOR EACH ROW", "audit_config('id')"),
        (
            "customer",
            "customer_audit_update",
            "AFTER UPDATE",
            f"FOR EACH ROW WHEN ({CUSTOMER_CHANGED})",
            "audit_config('id')",
        ),
        (
            "customer_email",
            "customer_email_audit",
            "AFTER INSERT OR UPDATE OR DELETE",
            "FOR EACH ROW",
            "audit_config('id', 'customer_id')",
        ),
        (
            "customer_email",
            "customer_email_change_log_insert",
            "AFTER INSERT",
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
            "log_change('customer_email')",
        ),
        (
            "customer_email",
            "customer_email_change_log_update",
            "AFTER UPDATE",
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
            "log_change('customer_email')",
        ),
    ]
    if not create:
        op.execute(f"DROP INDEX {S}.{ONE_PRIMARY}")
        for table, name, _when, _each, _function in triggers:
            op.execute(f"DROP TRIGGER {name} ON {S}.{table}")
        return
    for table, name, when, each, function in triggers:
        op.execute(f"CREATE TRIGGER {name} {when} ON {S}.{table} {each} EXECUTE FUNCTION {S}.{function}")
    op.execute(f"CREATE UNIQUE INDEX {ONE_PRIMARY} ON {S}.customer_email (customer_id) WHERE is_primary")


def _json_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in op.get_bind().execute(JSON_COLUMNS, {"schema": S}):
        columns.setdefault(table, []).append(column)
    return columns


def _unreadable(column: str) -> str:
    """JSON no Python client reads: nested deeper than `DEEPEST`, or a number beyond `LARGEST`."""
    quoted = f'"{column}"'
    return f"({TOO_DEEP.format(column=quoted)} OR {TOO_LARGE.format(column=quoted)})"


@dataclass(frozen=True)
class TextColumn:
    name: str
    is_array: bool
    not_null: bool


def _one_line_columns() -> dict[str, list[TextColumn]]:
    """Every text column (and array of text) of the schema but the `MULTI_LINE` ones, per table."""
    columns: dict[str, list[TextColumn]] = {}
    for table, column, is_array, not_null in op.get_bind().execute(TEXT_COLUMNS, {"schema": S}):
        if (table, column) not in MULTI_LINE:
            columns.setdefault(table, []).append(TextColumn(column, is_array, not_null))
    return columns


def _value(column: TextColumn) -> str:
    """The column as one text to match: an array's elements joined (a NULL element is left out)."""
    return f"array_to_string(\"{column.name}\", ' ')" if column.is_array else f'"{column.name}"'


def _staff(names: DatabaseNames) -> str:
    return ", ".join(quote_identifier(role) for role in (names.agent_role, names.supervisor_role, names.admin_role))
