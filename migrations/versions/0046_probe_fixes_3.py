"""What a third probe as each role found: ids any agent could plant ahead of the sequences, locks held to
freeze a queue or the desk's configuration, an escalation to a disabled lead, a lead changing an admin's
routing, an account linked at a customer's creation without audit, and large objects any login could store.

Revision ID: 0046_probe_fixes_3
Revises: 0045_probe_fixes_2
Create Date: 2026-12-07

- Identity columns are no longer writable by staff:
  an agent inserted a message, a ticket and a customer with the ids their sequences would hand out next,
  and every colleague's next note, ticket or customer then failed on a duplicate key — one statement
  planted 100,000 and stopped intake, the worker and every queue for as long. Generated from the catalogue
  (every table, every staff group, INSERT and UPDATE), so a table added later is held to it by
  `tests/integration/test_probe_fixes_0046.py`. A table-level grant becomes the same grant on every other
  column.
- `end_stale_transactions()` v2: also a transaction that holds a lock stronger than a reader's without a
  transaction id (`LOCK TABLE agent_preference IN EXCLUSIVE MODE` was never ended); the worker passes two
  minutes instead of 30 (app/services/platform/jobs.py); a login holding such locks at three runs in a row
  however short its transactions (`stale_lock_sample`); and, while the notification queue is a fifth full,
  any untrusted session a minute into a transaction (a listener in a transaction held it back until every
  announced write was refused).
- `escalate_ticket()` v3: the queue's lead only while active and still a supervisor or an admin;
  `works_queue()` v3 likewise (a lead made an agent again still held the queue's tickets).
- `set_agent_routing()` v4: a lead's or an admin's routing facts only by an admin; skills written only
  where they change.
- The configuration is audited (`audit_config()`, a row trigger on each configuration table): who changed
  an agent's routing facts or role (not their own availability, toggled on idle), a queue's members or lead, routing settings, SLA
  policies, calendars, statuses, priority rules, organisations, canned responses, editors — none of it
  was recorded. Admins read these rows. The configuration's free-form values are bounded (64 KiB; routing
  settings 256 KiB; a calendar's own dates 10,000), as each change is copied into the audit.
- A customer created with an account id is audited as a later link is (`customer_account_audit_insert`);
  agents and leads create a customer by name (as the client does), not in an organisation of their choosing
  (an SLA policy may match organisations) nor with a language (`guard_customer()` v2).
- A knowledge base file's media type is one type/subtype and its name holds no control character or
  direction override, whoever writes it (checks on `knowledge_attachment`; what a site holds is repaired
  first).
- Large objects: `lo_create`, `lo_creat` and `lo_from_bytea` are not PUBLIC's in this database (a login in
  no group stored data the desk never cleans up). Only when the migration runs as a superuser, the owner of
  those functions; otherwise it says so and leaves them.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0046_probe_fixes_3"
down_revision: str | None = "0045_probe_fixes_2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("end_stale_transactions", 1, 2),
    ("escalate_ticket", 2, 3),
    ("set_agent_routing", 3, 4),
    ("works_queue", 2, 3),
    ("guard_customer", 1, 2),
]
# The configuration tables, each with its id column ('' for a table keyed by text) and the key columns an
# update's audit row names besides what changed.
CONFIG_TABLES = {
    "agent": ("id",),
    "agent_skill": ("agent_id", "skill"),
    "queue_member": ("agent_id", "queue_id"),
    "queue": ("id",),
    "routing_config": ("id", "queue_id"),
    "sla_policy": ("id",),
    "business_calendar": ("id",),
    "account_priority_rule": ("id",),
    "ticket_status": ("", "key"),
    "status_transition": ("", "from_status", "to_status"),
    "organisation": ("id",),
    "canned_response": ("id",),
    "knowledge_editor": ("agent_id",),
    "knowledge_category": ("id",),
}
# A knowledge base file's name and type are shown, and sent back as headers one day: checked where every
# writer passes (kb_attach_file() took CR LF in a type and direction overrides in a name from psql).
FILE_CHECKS = {
    "ck_knowledge_attachment_media_type": (
        "media_type ~ '^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9_.+-]{0,126}$'",
        "UPDATE {S}.knowledge_attachment SET media_type = 'application/octet-stream'"
        " WHERE NOT media_type ~ '^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9_.+-]{0,126}$'",
    ),
    "ck_knowledge_attachment_filename": (
        "filename !~ '[\\x01-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]'",
        "UPDATE {S}.knowledge_attachment"
        " SET filename = regexp_replace(filename, '[\\x01-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]', '', 'g')"
        " WHERE filename ~ '[\\x01-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]'",
    ),
}
CONFIG_AUDIT_TRIGGER = "{table}_audit_config"
# Every change of these is copied, old and new, into the append-only audit (above): bounded like the values
# 0045 bounded, generously (a desk's settings are kilobytes; a site holding more is told by the upgrade).
CONFIG_BOUNDS = {
    "account_priority_rule": "octet_length(conditions::text) <= 65536",
    "agent": "coalesce(octet_length(shift::text), 0) <= 65536 AND cardinality(languages) <= 50",
    "business_calendar": "octet_length(weekly_hours::text) <= 65536 AND coalesce(cardinality(closed_dates), 0) <= 10000",
    "queue": "coalesce(octet_length(description), 0) <= 65536",
    "routing_config": "octet_length(settings::text) <= 262144",
    "sla_policy": "octet_length(conditions::text) + octet_length(targets::text) + octet_length(ladder::text) <= 196608",
}
CONFIG_BOUND = "ck_{table}_config_bounded"
LARGE_OBJECT_MAKERS = ("lo_create(oid)", "lo_creat(integer)", "lo_from_bytea(oid, bytea)")
# Every identity column. (A ticket's number is drawn by the client's INSERT, `nextval(…)`, and the guard
# (`guard_ticket()`) replaces any other value with the sequence's.)
GENERATED_COLUMNS = text(
    "SELECT c.relname, a.attname FROM pg_attribute a"
    " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND a.attidentity <> '' ORDER BY c.relname, a.attnum"
)
# Table-level grants of INSERT or UPDATE to a role, on a table of the schema.
TABLE_GRANTS = text(
    "SELECT c.relname, g.privilege_type FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " CROSS JOIN LATERAL aclexplode(c.relacl) g"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND g.grantee = CAST(:role AS regrole)"
    " AND g.privilege_type IN ('INSERT', 'UPDATE')"
)
# Column-level grants of INSERT or UPDATE to a role on one column.
COLUMN_GRANTS = text(
    "SELECT g.privilege_type FROM pg_attribute a CROSS JOIN LATERAL aclexplode(a.attacl) g"
    " WHERE a.attrelid = CAST(:schema || '.' || :table AS regclass) AND a.attname = :column"
    " AND g.grantee = CAST(:role AS regrole) AND g.privilege_type IN ('INSERT', 'UPDATE')"
)
OTHER_COLUMNS = text(
    "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = CAST(:schema || '.' || :table AS regclass)"
    " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND NOT a.attname = ANY (:generated)"
    " ORDER BY a.attnum"
)


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = (names.agent_role, names.supervisor_role, names.admin_role)
    op.execute(  # end_stale_transactions() v2's count of logins seen holding locks run after run; owner's only
        f"CREATE TABLE {S}.stale_lock_sample (login varchar(63) CONSTRAINT pk_stale_lock_sample PRIMARY KEY,"
        " seen integer NOT NULL, last_seen timestamptz NOT NULL, CONSTRAINT ck_stale_lock_sample_times_in_range"
        " CHECK (last_seen >= '1900-01-01' AND last_seen < '3000-01-01'))"
    )
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    _generated_columns_to_nobody(staff)
    for table, check in CONFIG_BOUNDS.items():
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {CONFIG_BOUND.format(table=table)} CHECK ({check})")
    op.execute(function_sql("audit_config", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.audit_config() FROM PUBLIC")
    for table, arguments in CONFIG_TABLES.items():
        listed = ", ".join(f"'{argument}'" for argument in arguments)
        op.execute(
            f"CREATE TRIGGER {CONFIG_AUDIT_TRIGGER.format(table=table)} AFTER INSERT OR UPDATE OR DELETE"
            f" ON {S}.{table} FOR EACH ROW EXECUTE FUNCTION {S}.audit_config({listed})"
        )
    for name, (check, repair) in FILE_CHECKS.items():
        op.execute(repair.replace("{S}", S))  # what a site holds already is made to pass first
        op.execute(f"ALTER TABLE {S}.knowledge_attachment ADD CONSTRAINT {name} CHECK ({check})")
    op.execute(
        f"CREATE TRIGGER customer_account_audit_insert AFTER INSERT ON {S}.customer "
        "FOR EACH ROW WHEN (NEW.external_account_id IS NOT NULL) "
        f"EXECUTE FUNCTION {S}.audit_customer_account()"
    )
    if _is_superuser():
        for function in LARGE_OBJECT_MAKERS:
            op.execute(f"REVOKE EXECUTE ON FUNCTION pg_catalog.{function} FROM PUBLIC")
    else:
        print("0046: not a superuser: large objects stay creatable by every login (docs/security.md)")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    if _is_superuser():
        for function in LARGE_OBJECT_MAKERS:
            op.execute(f"GRANT EXECUTE ON FUNCTION pg_catalog.{function} TO PUBLIC")
    op.execute(f"DROP TRIGGER customer_account_audit_insert ON {S}.customer")
    for name in FILE_CHECKS:
        op.execute(f"ALTER TABLE {S}.knowledge_attachment DROP CONSTRAINT {name}")
    for table in CONFIG_TABLES:
        op.execute(f"DROP TRIGGER {CONFIG_AUDIT_TRIGGER.format(table=table)} ON {S}.{table}")
    op.execute(f"DROP FUNCTION {S}.audit_config()")
    for table in CONFIG_BOUNDS:
        op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {CONFIG_BOUND.format(table=table)}")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    op.execute(f"DROP TABLE {S}.stale_lock_sample")
    # The grants stay column by column: the same rights, less the generated columns (a downgrade does not
    # reopen the hole; 0045's schema works as it did with them).


def _generated_columns_to_nobody(roles: tuple[str, ...]) -> None:
    bind = op.get_bind()
    generated: dict[str, list[str]] = {}
    for table, column in bind.execute(GENERATED_COLUMNS, {"schema": S}):
        generated.setdefault(table, []).append(column)
    for role in roles:
        for table, privilege in bind.execute(TABLE_GRANTS, {"schema": S, "role": role}).all():
            if table not in generated:
                continue
            others = bind.execute(OTHER_COLUMNS, {"schema": S, "table": table, "generated": generated[table]})
            columns = ", ".join(f'"{name}"' for (name,) in others)
            op.execute(f'REVOKE {privilege} ON {S}.{table} FROM "{role}"')
            op.execute(f'GRANT {privilege} ({columns}) ON {S}.{table} TO "{role}"')
        for table, columns in generated.items():
            for column in columns:
                parameters = {"schema": S, "table": table, "column": column, "role": role}
                for (privilege,) in bind.execute(COLUMN_GRANTS, parameters).all():
                    op.execute(f'REVOKE {privilege} ("{column}") ON {S}.{table} FROM "{role}"')


def _is_superuser() -> bool:
    return bool(op.get_bind().execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
