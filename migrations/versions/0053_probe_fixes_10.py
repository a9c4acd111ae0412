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
  base category with no article and no subcategory, a retired SLA policy (a policy in force is retired
  first, so a due time never loses the policy that explains it). Nobody else deletes any of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0053_probe_fixes_10"
down_revision: str | None = "0052_probe_fixes_9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [("refuse_beyond_rows", 1, 2)]
ADMIN = f"(SELECT {S}.is_active_agent()) AND (SELECT {S}.is_admin())"
# The rows an admin may delete, per table: what may go without taking anything with it.
REMOVABLE = {
    "canned_response": ADMIN,
    # an article's category would be emptied by its foreign key (an admin is an editor: sees every article);
    # a category with subcategories is kept by theirs
    "knowledge_category": (
        f"{ADMIN} AND NOT EXISTS (SELECT FROM {S}.knowledge_article a WHERE a.category_id = knowledge_category.id)"
    ),
    "sla_policy": f"{ADMIN} AND NOT is_active",
}
CONFIG_INSERTS = "ix_audit_event_config_inserts"


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
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))
    op.drop_index(CONFIG_INSERTS, table_name="audit_event", schema=S)
