"""What a thirteenth probe as each role found: the desk's row bounds were everyone's to spend.

Revision ID: 0053_probe_fixes_10
Revises: 0052_probe_fixes_9
Create Date: 2026-12-08

- `refuse_beyond_rows()` v2: one team lead's 200 SLA policies, or canned responses up to the desk's 2,000,
  or one knowledge editor's 1,000 categories (a second each) refused every other lead and every admin, and
  nobody but the DBA could remove them. Staff now fill at most three quarters of each bound (the rest is
  the admins'), and each login at most a tenth of it, counting the rows it added that the desk still keeps
  (the config audit's insert rows with its name, by a partial index of the config audit's inserts).
- Admins remove what was added to hurt (audited as every config change): a canned response, a knowledge
  base category with no article and no subcategory (an article's category is now kept by its foreign key,
  which emptied it before: nothing deleted categories then), a retired SLA policy (a policy in force is
  retired first, so a due time never loses the policy that explains it). Nobody else deletes any of them.
- The bound is checked before each row (`refuse_beyond_rows()` v2, each login's share after the statement
  in the new `refuse_beyond_share()`): a statement of 3,000 rows of 128 KB wrote 815 MB before it was
  refused at its end, and an INSERT of no rows held the table's lock for its transaction.
- `business_calendar.closed_date_names`: the team's own closed dates by name ("Inventory day", an .ics
  event's summary), an object of ISO dates to one-line names (a date without a name has none); the closed
  days showed "closed (the team's own date)" for every one, and an .ics import threw its names away.
  `sla_config_changed()` v4 files no recompute for a change of names alone (they move no due time).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0053_probe_fixes_10"
down_revision: str | None = "0052_probe_fixes_9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [("refuse_beyond_rows", 1, 2), ("sla_config_changed", 3, 4)]
NEW_FUNCTIONS = [("refuse_beyond_share", "")]
# 0050's bounds (its ROW_BOUNDS): the table, the most rows, what they are.
ROW_BOUNDS = {
    "knowledge_category": (1000, "knowledge base categories"),
    "sla_policy": (200, "SLA policies"),
    "business_calendar": (100, "business calendars"),
    "canned_response": (2000, "canned responses"),
    "account_priority_rule": (200, "account priority rules"),
    "queue": (500, "queues"),
    "ticket_status": (64, "ticket statuses"),
}
ADMIN = f"(SELECT {S}.is_active_agent()) AND (SELECT {S}.is_admin())"
# The rows an admin may delete, per table: what may go without taking anything with it (a category that
# holds an article or a subcategory is kept by their foreign keys, which see every row, committed or not).
REMOVABLE = {"canned_response": ADMIN, "knowledge_category": ADMIN, "sla_policy": f"{ADMIN} AND NOT is_active"}
ARTICLE_CATEGORY = "fk_knowledge_article_category_id_knowledge_category"
CONFIG_INSERTS = "ix_audit_event_config_inserts"
NAMES = "closed_date_names"
# An object of ISO dates to names, each a string on one line (what no one-line column holds, 0049), at most
# 256 KB in all (10,000 dates, the most a calendar keeps, of about 25 characters' names).
NOT_ONE_LINE = r"[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
LARGEST = "1e100"  # 0049's readability check, for the new column beside weekly_hours
READABLE = (
    "NOT (jsonb_path_exists({c}, 'strict $.**{{17 to last}}')"
    " OR jsonb_path_exists({c}, 'strict $.** ? (@.type() == \"number\" && (@ > {n} || @ < -{n}))'))"
)
SHAPE = "jsonb_typeof({c}) = 'object'"
# The calendar's JSON checks named as 0049 and 0050 name them (tests find every JSON column in them).
REBUILT = {
    "ck_business_calendar_json_readable": READABLE,
    "ck_business_calendar_json_shape": SHAPE,
}
NAMES_CHECKS = {
    "ck_business_calendar_closed_date_names": (
        f"jsonb_typeof({NAMES}) = 'object'"
        f" AND NOT jsonb_path_exists({NAMES}, 'strict $.keyvalue() ? (!(@.key like_regex \"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$\"))')"
        f" AND NOT jsonb_path_exists({NAMES}, 'strict $.* ? (@.type() != \"string\")')"
        f" AND NOT jsonb_path_exists({NAMES}, 'strict $.* ? (@ like_regex \"{NOT_ONE_LINE}\")')"
        f" AND octet_length({NAMES}::text) <= 262144"
    ),
}


def upgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    op.create_index(
        CONFIG_INSERTS,
        "audit_event",
        ["entity", "actor_login", "entity_id"],
        schema=S,
        postgresql_where=sa.text("ticket_id IS NULL AND action = 'insert'"),
    )
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    for function, signature in NEW_FUNCTIONS:
        op.execute(function_sql(function, 1, names))
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function}({signature}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{function}({signature}) TO {names.staff}")
    for table, (most, what) in ROW_BOUNDS.items():
        op.execute(f"DROP TRIGGER z_{table}_rows_bounded ON {S}.{table}")
        op.execute(
            f"CREATE TRIGGER z_{table}_rows_bounded BEFORE INSERT ON {S}.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION {S}.refuse_beyond_rows('{most}', '{what}')"
        )
        op.execute(
            f"CREATE TRIGGER z_{table}_share_bounded AFTER INSERT ON {S}.{table} REFERENCING NEW TABLE AS new_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_beyond_share('{most}', '{what}')"
        )
    _article_category_on_delete("NO ACTION")
    op.add_column(
        "business_calendar",
        sa.Column(NAMES, postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        schema=S,
    )
    for name, expression in NAMES_CHECKS.items():
        op.execute(f"ALTER TABLE {S}.business_calendar ADD CONSTRAINT {name} CHECK ({expression})")
    _rebuild_json_checks(("weekly_hours", NAMES))
    _grant_as_closed_dates(NAMES)
    admin = quote_identifier(names.admin_role)
    for table, removable in REMOVABLE.items():
        op.execute(f"GRANT DELETE ON {S}.{table} TO {admin}")
        op.execute(f"CREATE POLICY {table}_remove ON {S}.{table} FOR DELETE TO {admin} USING ({removable})")


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    admin = quote_identifier(names.admin_role)
    for table in REMOVABLE:
        op.execute(f"DROP POLICY {table}_remove ON {S}.{table}")
        op.execute(f"REVOKE DELETE ON {S}.{table} FROM {admin}")
    _rebuild_json_checks(("weekly_hours",))
    op.execute(f"ALTER TABLE {S}.business_calendar DROP CONSTRAINT {next(iter(NAMES_CHECKS))}")
    op.drop_column("business_calendar", NAMES, schema=S)
    _article_category_on_delete("SET NULL")
    for table, (most, what) in ROW_BOUNDS.items():
        op.execute(f"DROP TRIGGER z_{table}_share_bounded ON {S}.{table}")
        op.execute(f"DROP TRIGGER z_{table}_rows_bounded ON {S}.{table}")
        op.execute(
            f"CREATE TRIGGER z_{table}_rows_bounded AFTER INSERT ON {S}.{table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_beyond_rows('{most}', '{what}')"
        )
    for function, signature in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{function}({signature})")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    op.drop_index(CONFIG_INSERTS, table_name="audit_event", schema=S)


def _rebuild_json_checks(columns: tuple[str, ...]) -> None:
    """The calendar's JSON readability and shape checks over these columns."""
    for name, template in REBUILT.items():
        expression = " AND ".join(template.format(c=column, n=LARGEST) for column in columns)
        op.execute(f"ALTER TABLE {S}.business_calendar DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {S}.business_calendar ADD CONSTRAINT {name} CHECK ({expression})")


def _grant_as_closed_dates(column: str) -> None:
    """The column's privileges as the calendar's closed dates have them (everyone on the desk reads a
    calendar; admins write it), granted column by column as that table's are."""
    grants = op.get_bind().execute(
        sa.text(
            "SELECT grantee, privilege_type FROM information_schema.column_privileges"
            " WHERE table_schema = :schema AND table_name = 'business_calendar' AND column_name = 'closed_dates'"
            " AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE') ORDER BY 1, 2"
        ),
        {"schema": S},
    )
    for grantee, privilege in grants:
        op.execute(f"GRANT {privilege} ({column}) ON {S}.business_calendar TO {quote_identifier(grantee)}")


def _article_category_on_delete(action: str) -> None:
    """An article's category: kept while an article is in it (NO ACTION), or emptied with it (SET NULL,
    before 0053; nothing deleted categories then)."""
    op.execute(f"ALTER TABLE {S}.knowledge_article DROP CONSTRAINT {ARTICLE_CATEGORY}")
    op.execute(
        f"ALTER TABLE {S}.knowledge_article ADD CONSTRAINT {ARTICLE_CATEGORY} FOREIGN KEY (category_id)"
        f" REFERENCES {S}.knowledge_category (id) ON DELETE {action}"
    )

