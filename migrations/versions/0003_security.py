"""The database as the security boundary: group roles, grants, row-level security, audited definer
functions and append-only audit written by triggers.

Revision ID: 0003_security
Revises: 0002_knowledge_articles
Create Date: 2026-11-25

Run by a superuser (the DBA's `switchboard db init`, or the embedded server's own superuser): creating a
role with BYPASSRLS needs one. Group roles are named after the database (`<db>_agent`,
`<db>_supervisor`, `<db>_admin`) and the schema belongs to `<db>_owner`, a NOLOGIN role used only by
migrations and by the SECURITY DEFINER functions below.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0003_security"
down_revision: str | None = "0002_knowledge_articles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
PROTECTED_TABLES = ["ticket", "message", "attachment", "blob", "customer", "customer_email", "audit_event",
                    "change_log", "agent_preference"]
READ_FOR_ALL_STAFF = ["agent", "agent_skill", "queue", "queue_member", "ticket_status", "status_transition",
                      "organisation", "customer", "customer_email", "ticket", "message", "attachment", "blob",
                      "audit_event", "change_log", "knowledge_article", "ticket_link", "alembic_version"]
TICKET_COLUMNS_STAFF_MAY_EDIT = [
    "subject", "status", "priority", "type", "tags", "custom_fields", "language", "updated_at", "version",
    "first_response_at", "resolved_at", "closed_at", "merged_into_id",
]


def _names() -> dict[str, str]:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    names = {kind: f"{database}_{kind}" for kind in ("owner", "agent", "supervisor", "admin")}
    names["staff"] = ", ".join(f'"{names[k]}"' for k in ("agent", "supervisor", "admin"))
    return names


def upgrade() -> None:
    op.create_table(
        "agent_preference",
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], [f"{S}.agent.id"], name=op.f("fk_agent_preference_agent_id_agent"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agent_id", "key", name=op.f("pk_agent_preference")),
        schema=S,
    )
    n = _names()
    for statement in [*_roles(n), *_ownership(n), *_identity_functions(n), *_audit(n), *_policies(n),
                      *_privileged_functions(n), *_user_functions(n), *_grants(n)]:
        op.execute(statement)


def downgrade() -> None:
    n = _names()
    for table in PROTECTED_TABLES:
        op.execute(f"ALTER TABLE {S}.{table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {S}.{table} DISABLE ROW LEVEL SECURITY")
        for (policy,) in op.get_bind().execute(
            sa.text("SELECT policyname FROM pg_policies WHERE schemaname = :s AND tablename = :t"),
            {"s": S, "t": table},
        ):
            op.execute(f'DROP POLICY "{policy}" ON {S}.{table}')
    op.execute(f"DROP TRIGGER IF EXISTS audit_is_append_only ON {S}.audit_event")
    op.execute(f"DROP TRIGGER IF EXISTS audit_cannot_be_truncated ON {S}.audit_event")
    op.execute(f"DROP TRIGGER IF EXISTS ticket_audit ON {S}.ticket")
    op.execute(f"DROP TRIGGER IF EXISTS message_audit ON {S}.message")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {S}.{function}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {S} FROM {n['staff']}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {S} FROM {n['staff']}")
    op.execute(f"REVOKE USAGE ON SCHEMA {S} FROM {n['staff']}")
    op.drop_table("agent_preference", schema=S)
    # The roles stay: other databases' objects or login roles may still refer to them. `db` docs say how
    # to drop them by hand.


FUNCTIONS = [
    "assign_ticket(bigint, bigint, integer)", "move_ticket(bigint, bigint, integer)",
    "escalate_ticket(bigint, integer)", "check_version(integer, integer, bigint)",
    "lock_visible_ticket(bigint, integer)",
    "add_user(text, text, text, text, text, bigint[])", "disable_user(text)", "set_user_role(text, text)",
    "set_user_password(text, text)", "create_queue(text, text)", "set_queue_members(bigint, bigint[])",
    "audit_ticket()", "audit_message()", "refuse_audit_change()", "audit_value(text, jsonb)",
    "require_role(text[])", "visible_queue_ids()", "is_admin()", "current_agent_id()", "current_agent_role()",
    "current_login()", "is_trusted_session()",
]


def _roles(n: dict[str, str]) -> list[str]:
    create = []
    for kind in ("agent", "supervisor", "admin"):
        create.append(f"""
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{n[kind]}') THEN
                CREATE ROLE "{n[kind]}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
            END IF;""")
    return [
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{n['owner']}') THEN
                CREATE ROLE "{n['owner']}" NOLOGIN BYPASSRLS CREATEROLE;
            END IF;
            {''.join(create)}
        END $$""",
        f'GRANT "{n["agent"]}", "{n["supervisor"]}", "{n["admin"]}" TO "{n["owner"]}" WITH ADMIN OPTION',
    ]


def _ownership(n: dict[str, str]) -> list[str]:
    """The schema and its objects pass to the owner role in env.py, after every upgrade."""
    return [f"REVOKE ALL ON SCHEMA {S} FROM PUBLIC"]


def _sql(function: str, version: int) -> str:
    """A released version of a function: migrations/sql/functions/<function>/v<version>.sql."""
    return function_sql(function, version, DatabaseNames.of(op.get_bind()))


def _identity_functions(n: dict[str, str]) -> list[str]:
    return [
        _sql("is_trusted_session", 1),
        _sql("current_login", 1),
        _sql("current_agent_id", 1),
        _sql("current_agent_role", 1),
        _sql("is_admin", 1),
        _sql("visible_queue_ids", 1),
        _sql("require_role", 1),
    ]


def _audit(n: dict[str, str]) -> list[str]:
    return [
        _sql("audit_value", 1),
        _sql("audit_ticket", 1),
        _sql("audit_message", 1),
        _sql("refuse_audit_change", 1),
        f"CREATE TRIGGER ticket_audit AFTER INSERT OR UPDATE ON {S}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.audit_ticket()",
        f"CREATE TRIGGER message_audit AFTER INSERT ON {S}.message FOR EACH ROW EXECUTE FUNCTION {S}.audit_message()",
        f"CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON {S}.audit_event "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.refuse_audit_change()",
        f"CREATE TRIGGER audit_cannot_be_truncated BEFORE TRUNCATE ON {S}.audit_event "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.refuse_audit_change()",
    ]


VISIBLE_TICKET = ("(queue_id = ANY ((SELECT {s}.visible_queue_ids())::bigint[]) "
                  "OR assignee_id = (SELECT {s}.current_agent_id()))").format(s=S)


def _policies(n: dict[str, str]) -> list[str]:
    staff = n["staff"]
    visible_via_ticket = f"EXISTS (SELECT FROM {S}.ticket t WHERE t.id = ticket_id)"
    statements = [f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY" for table in PROTECTED_TABLES]
    statements += [f"ALTER TABLE {S}.{table} FORCE ROW LEVEL SECURITY" for table in PROTECTED_TABLES]
    return statements + [
        f"CREATE POLICY ticket_read ON {S}.ticket FOR SELECT TO {staff} USING {VISIBLE_TICKET}",
        f"CREATE POLICY ticket_create ON {S}.ticket FOR INSERT TO {staff} "
        f"WITH CHECK (queue_id = ANY ((SELECT {S}.visible_queue_ids())::bigint[]))",
        f"CREATE POLICY ticket_edit ON {S}.ticket FOR UPDATE TO {staff} USING {VISIBLE_TICKET} "
        f"WITH CHECK {VISIBLE_TICKET}",
        f"CREATE POLICY message_read ON {S}.message FOR SELECT TO {staff} USING ({visible_via_ticket})",
        f"CREATE POLICY message_write ON {S}.message FOR INSERT TO {staff} WITH CHECK ({visible_via_ticket} "
        f"AND (author_agent_id IS NULL OR author_agent_id = (SELECT {S}.current_agent_id())))",
        f"CREATE POLICY message_move ON {S}.message FOR UPDATE TO {staff} USING ({visible_via_ticket}) "
        f"WITH CHECK ({visible_via_ticket})",
        f"CREATE POLICY attachment_read ON {S}.attachment FOR SELECT TO {staff} "
        f"USING (EXISTS (SELECT FROM {S}.message m WHERE m.id = message_id))",
        f"CREATE POLICY attachment_write ON {S}.attachment FOR INSERT TO {staff} "
        f"WITH CHECK (EXISTS (SELECT FROM {S}.message m WHERE m.id = message_id))",
        f"CREATE POLICY blob_read ON {S}.blob FOR SELECT TO {staff} "
        f"USING (EXISTS (SELECT FROM {S}.attachment a WHERE a.blob_sha256 = sha256))",
        f"CREATE POLICY blob_write ON {S}.blob FOR INSERT TO {staff} WITH CHECK (true)",
        # Every agent may look customers up (a caller on the phone has no ticket yet); only staff who
        # work one of the customer's tickets, or admins, may change them.
        f"CREATE POLICY customer_read ON {S}.customer FOR SELECT TO {staff} USING (true)",
        f"CREATE POLICY customer_create ON {S}.customer FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY customer_edit ON {S}.customer FOR UPDATE TO {staff} "
        f"USING ((SELECT {S}.is_admin()) OR EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = customer.id))",
        f"CREATE POLICY customer_email_read ON {S}.customer_email FOR SELECT TO {staff} USING (true)",
        f"CREATE POLICY customer_email_create ON {S}.customer_email FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY audit_read ON {S}.audit_event FOR SELECT TO {staff} "
        f"USING ((SELECT {S}.is_admin()) OR {visible_via_ticket})",
        f"CREATE POLICY change_log_read ON {S}.change_log FOR SELECT TO {staff} "
        f"USING (ticket_id IS NULL OR {visible_via_ticket})",
        f"CREATE POLICY change_log_append ON {S}.change_log FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY preference_own ON {S}.agent_preference FOR ALL TO {staff} "
        f"USING (agent_id = (SELECT {S}.current_agent_id())) "
        f"WITH CHECK (agent_id = (SELECT {S}.current_agent_id()))",
    ]


def _privileged_functions(n: dict[str, str]) -> list[str]:
    return [
        _sql("check_version", 1),
        _sql("lock_visible_ticket", 1),
        _sql("assign_ticket", 1),
        _sql("move_ticket", 1),
        _sql("escalate_ticket", 1),
        _sql("create_queue", 1),
        _sql("set_queue_members", 1),
    ]


def _user_functions(n: dict[str, str]) -> list[str]:
    return [
        _sql("add_user", 1),
        _sql("disable_user", 1),
        _sql("set_user_role", 1),
        _sql("set_user_password", 1),
    ]


def _grants(n: dict[str, str]) -> list[str]:
    staff = n["staff"]
    editable = ", ".join(TICKET_COLUMNS_STAFF_MAY_EDIT)
    statements = [
        f"GRANT USAGE ON SCHEMA {S} TO {staff}",
        f"GRANT SELECT ON {', '.join(f'{S}.{t}' for t in READ_FOR_ALL_STAFF)} TO {staff}",
        f"GRANT INSERT ON {S}.ticket, {S}.message, {S}.attachment, {S}.blob, {S}.customer, {S}.customer_email,"
        f" {S}.change_log, {S}.ticket_link TO {staff}",
        f"GRANT UPDATE ({editable}) ON {S}.ticket TO {staff}",
        f"GRANT UPDATE (ticket_id) ON {S}.message TO {staff}",
        f"GRANT UPDATE (name, language, organisation_id, external_account_id) ON {S}.customer TO {staff}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {S}.agent_preference TO {staff}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {S} TO {staff}",
        f'GRANT INSERT, UPDATE ON {S}.ticket_status, {S}.status_transition, {S}.organisation TO "{n["admin"]}"',
        f'GRANT INSERT, UPDATE ON {S}.knowledge_article TO {staff}',
    ]
    for function in FUNCTIONS:
        statements.append(f"REVOKE EXECUTE ON FUNCTION {S}.{function} FROM PUBLIC")
    callable_by_staff = [f for f in FUNCTIONS if not f.startswith(("audit_", "refuse_audit", "lock_visible"))]
    statements += [f"GRANT EXECUTE ON FUNCTION {S}.{f} TO {staff}" for f in callable_by_staff]
    return statements
