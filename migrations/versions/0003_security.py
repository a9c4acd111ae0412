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


def _definer(signature: str, returns: str, body: str, *, language: str = "plpgsql", volatility: str = "") -> str:
    return (f"CREATE OR REPLACE FUNCTION {S}.{signature} RETURNS {returns} LANGUAGE {language} {volatility} "
            f"SECURITY DEFINER SET search_path = pg_catalog, {S}, pg_temp AS $fn$ {body} $fn$")


def _identity_functions(n: dict[str, str]) -> list[str]:
    return [
        _definer("is_trusted_session()", "boolean", f"""
            SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
                   OR pg_has_role(session_user, '{n['owner']}', 'MEMBER')""", language="sql", volatility="STABLE"),
        # Who is acting. A trusted session (a superuser, or a member of the owner role: migrations, the
        # worker, the test suite) may act for an agent by setting switchboard.acting_login for its
        # transaction; for everyone else the login they signed in with is who they are.
        _definer("current_login()", "name", f"""
            SELECT CASE
                WHEN coalesce(current_setting('switchboard.acting_login', true), '') <> '' AND is_trusted_session()
                THEN current_setting('switchboard.acting_login', true)::name
                ELSE session_user END""", language="sql", volatility="STABLE"),
        _definer("current_agent_id()", "bigint",
                 "SELECT id FROM agent WHERE db_login = current_login() AND is_active",
                 language="sql", volatility="STABLE"),
        # The DBA's own session (superuser or owner member, acting for nobody) counts as an admin: it
        # could do anything anyway, and it is how the first admin of a server is made.
        _definer("current_agent_role()", "text", """
            SELECT CASE WHEN is_trusted_session() AND coalesce(current_setting('switchboard.acting_login', true), '') = ''
                        THEN 'admin'
                        ELSE (SELECT role FROM agent WHERE db_login = current_login() AND is_active) END""",
                 language="sql", volatility="STABLE"),
        _definer("is_admin()", "boolean", "SELECT coalesce(current_agent_role() = 'admin', false)",
                 language="sql", volatility="STABLE"),
        # Agents see the queues they belong to; supervisors also the queues they lead; admins all.
        _definer("visible_queue_ids()", "bigint[]", """
            SELECT CASE WHEN is_admin() THEN (SELECT coalesce(array_agg(id), '{}') FROM queue)
            ELSE (SELECT coalesce(array_agg(DISTINCT queue_id), '{}') FROM (
                    SELECT queue_id FROM queue_member WHERE agent_id = current_agent_id()
                    UNION SELECT id FROM queue
                          WHERE team_lead_id = current_agent_id() AND current_agent_role() = 'supervisor'
                 ) mine) END""", language="sql", volatility="STABLE"),
        _definer("require_role(allowed text[])", "bigint", """
            DECLARE me bigint := current_agent_id();
            BEGIN
                IF me IS NULL AND is_trusted_session()
                   AND coalesce(current_setting('switchboard.acting_login', true), '') = '' THEN
                    RETURN NULL;
                END IF;
                IF me IS NULL THEN
                    RAISE EXCEPTION 'the login % is not an active Switchboard agent', current_login()
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT current_agent_role() = ANY (allowed) THEN
                    RAISE EXCEPTION 'this needs the role %', array_to_string(allowed, ' or ')
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN me;
            END""", volatility="STABLE"),
    ]


def _audit(n: dict[str, str]) -> list[str]:
    return [
        _definer("audit_value(field text, value jsonb)", "jsonb", """
            SELECT CASE WHEN field = 'priority' AND jsonb_typeof(value) = 'number'
                        THEN to_jsonb((ARRAY['low', 'normal', 'high', 'urgent'])[(value #>> '{}')::int + 1])
                        ELSE value END""", language="sql", volatility="IMMUTABLE"),
        # One audit row per changed field, the actor taken from the session, never from the client.
        _definer("audit_ticket()", "trigger", """
            DECLARE
                old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ELSE '{}' END;
                new_row jsonb := to_jsonb(NEW);
                action text := coalesce(nullif(current_setting('switchboard.action', true), ''), 'update');
                field text;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                             ticket_version, action, field, old_value, new_value)
                    VALUES (current_agent_id(), current_login(), 'ticket', NEW.id, NEW.id, NEW.version,
                            'create', 'status', NULL, to_jsonb(NEW.status));
                    RETURN NULL;
                END IF;
                FOR field IN SELECT key FROM jsonb_object_keys(new_row) AS key
                             WHERE key NOT IN ('version', 'updated_at', 'sla_due_at')
                               AND new_row -> key IS DISTINCT FROM old_row -> key ORDER BY key LOOP
                    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                             ticket_version, action, field, old_value, new_value)
                    VALUES (current_agent_id(), current_login(), 'ticket', NEW.id, NEW.id, NEW.version, action,
                            field, audit_value(field, old_row -> field), audit_value(field, new_row -> field));
                END LOOP;
                RETURN NULL;
            END"""),
        _definer("audit_message()", "trigger", """
            BEGIN
                INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                         ticket_version, action, field, old_value, new_value)
                SELECT current_agent_id(), current_login(), 'message', NEW.id, NEW.ticket_id, t.version,
                       NEW.kind, 'message', NULL,
                       jsonb_build_object('kind', NEW.kind, 'author',
                           coalesce((SELECT name FROM customer WHERE id = NEW.author_customer_id),
                                    (SELECT display_name FROM agent WHERE id = NEW.author_agent_id)))
                FROM ticket t WHERE t.id = NEW.ticket_id;
                RETURN NULL;
            END"""),
        _definer("refuse_audit_change()", "trigger", """
            BEGIN
                RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
            END"""),
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
        # Optimistic versioning holds for direct callers too: a stale expected version is refused, and
        # every privileged change raises the version like any other edit. NULL: no expectation.
        _definer("check_version(current_version integer, expected integer, ticket_number bigint)", "void", """
            BEGIN
                IF expected IS NOT NULL AND current_version <> expected THEN
                    RAISE EXCEPTION 'ticket #% changed since version % (it is at %)', ticket_number, expected,
                        current_version USING ERRCODE = 'serialization_failure';
                END IF;
            END""", volatility="IMMUTABLE"),
        # The common start of every privileged ticket change: lock the row, refuse a ticket the caller may
        # not see (as if it did not exist) and a stale version.
        _definer("lock_visible_ticket(p_ticket bigint, p_expected_version integer)", f"{S}.ticket", """
            DECLARE t ticket%ROWTYPE;
            BEGIN
                SELECT * INTO t FROM ticket WHERE id = p_ticket FOR UPDATE;
                IF NOT FOUND OR NOT (t.queue_id = ANY (visible_queue_ids()) OR t.assignee_id = current_agent_id()) THEN
                    RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
                END IF;
                PERFORM check_version(t.version, p_expected_version, t.number);
                RETURN t;
            END"""),
        # Assigning: an agent may take a ticket they can see or give it back; assigning someone else
        # needs a supervisor of the ticket's queue, or an admin. The assignee must work that queue.
        _definer("assign_ticket(p_ticket bigint, p_assignee bigint, p_expected_version integer)", "void", """
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
            BEGIN
                -- Taking an unassigned ticket, or giving back one's own, is every agent's right; anything
                -- else (taking a colleague's ticket included) is for a supervisor of the queue or an admin.
                IF NOT ((t.assignee_id IS NULL AND p_assignee = me)
                        OR (t.assignee_id = me AND (p_assignee IS NULL OR p_assignee = me)))
                   AND NOT (is_admin() OR (current_agent_role() = 'supervisor'
                                           AND t.queue_id = ANY (visible_queue_ids()))) THEN
                    RAISE EXCEPTION 'only a supervisor of the queue or an admin assigns tickets to others'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF p_assignee IS NOT NULL AND NOT EXISTS (SELECT FROM agent WHERE id = p_assignee AND is_active) THEN
                    RAISE EXCEPTION 'no active agent with id %', p_assignee USING ERRCODE = 'no_data_found';
                END IF;
                PERFORM set_config('switchboard.action', 'assign', true);
                UPDATE ticket SET assignee_id = p_assignee, version = version + 1, updated_at = now()
                WHERE id = p_ticket;
            END"""),
        # Moving: into a queue the caller may see (supervisors: the queues they lead; admins: any).
        _definer("move_ticket(p_ticket bigint, p_queue bigint, p_expected_version integer)", "void", """
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
            BEGIN
                IF NOT p_queue = ANY (visible_queue_ids()) THEN
                    RAISE EXCEPTION 'you may not move tickets into that queue' USING ERRCODE = 'insufficient_privilege';
                END IF;
                PERFORM set_config('switchboard.action', 'move', true);
                UPDATE ticket SET queue_id = p_queue, version = version + 1, updated_at = now()
                WHERE id = p_ticket;
            END"""),
        # Escalating: anyone who sees the ticket; it becomes urgent and goes to the queue's team lead.
        _definer("escalate_ticket(p_ticket bigint, p_expected_version integer)", "void", """
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
                    lead bigint;
            BEGIN
                SELECT team_lead_id INTO lead FROM queue WHERE id = t.queue_id;
                PERFORM set_config('switchboard.action', 'escalate', true);
                UPDATE ticket SET priority = 3, assignee_id = coalesce(lead, assignee_id),
                                  version = version + 1, updated_at = now(),
                                  tags = (SELECT array_agg(DISTINCT tag ORDER BY tag)
                                          FROM unnest(tags || ARRAY['escalated']::varchar[]) AS tag)
                WHERE id = p_ticket;
            END"""),
        _definer("create_queue(p_name text, p_description text)", "bigint", """
            DECLARE created bigint;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                INSERT INTO queue (name, description) VALUES (p_name, coalesce(p_description, ''))
                RETURNING id INTO created;
                RETURN created;
            END"""),
        _definer("set_queue_members(p_queue bigint, p_agents bigint[])", "void", """
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                DELETE FROM queue_member WHERE queue_id = p_queue AND NOT agent_id = ANY (p_agents);
                INSERT INTO queue_member (queue_id, agent_id) SELECT p_queue, unnest(p_agents)
                ON CONFLICT DO NOTHING;
            END"""),
    ]


def _user_functions(n: dict[str, str]) -> list[str]:
    groups = f"""jsonb_build_object('agent', '{n['agent']}', 'supervisor', '{n['supervisor']}',
                                   'admin', '{n['admin']}')"""
    return [
        # Only a password verifier (SCRAM) arrives here, computed by the client: the plain password never
        # reaches the server, its statement log or pg_stat_activity. NULL: no password (peer, GSSAPI).
        _definer("add_user(p_login text, p_display_name text, p_email text, p_role text, p_verifier text,"
                 " p_queues bigint[])", "bigint", f"""
            DECLARE created bigint; groups jsonb := {groups};
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT groups ? p_role THEN
                    RAISE EXCEPTION 'unknown role %; use agent, supervisor or admin', p_role
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = p_login) THEN
                    RAISE EXCEPTION 'a database login named % exists already', p_login
                        USING ERRCODE = 'duplicate_object';
                END IF;
                EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
                               ' IN ROLE %I', p_login, groups ->> p_role);
                IF p_verifier IS NOT NULL THEN
                    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
                END IF;
                EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_login, '60s');
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_login, '5min');
                EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', p_login, '10s');
                INSERT INTO agent (display_name, email, db_login, role, languages, capacity, availability, is_active)
                VALUES (p_display_name, p_email, p_login, p_role, '{{}}', 20, 'offline', true)
                ON CONFLICT (db_login) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
                                                     is_active = true
                RETURNING id INTO created;
                INSERT INTO queue_member (queue_id, agent_id) SELECT unnest(p_queues), created ON CONFLICT DO NOTHING;
                RETURN created;
            END"""),
        _definer("disable_user(p_login text)", "void", """
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF p_login = current_login() THEN
                    RAISE EXCEPTION 'you cannot disable yourself' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                UPDATE agent SET is_active = false WHERE db_login = p_login;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
            END"""),
        _definer("set_user_role(p_login text, p_role text)", "void", f"""
            DECLARE groups jsonb := {groups}; previous text;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT groups ? p_role THEN
                    RAISE EXCEPTION 'unknown role %', p_role USING ERRCODE = 'invalid_parameter_value';
                END IF;
                SELECT role INTO previous FROM agent WHERE db_login = p_login;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('REVOKE %I FROM %I', groups ->> previous, p_login);
                EXECUTE format('GRANT %I TO %I', groups ->> p_role, p_login);
                UPDATE agent SET role = p_role WHERE db_login = p_login;
            END"""),
        _definer("set_user_password(p_login text, p_verifier text)", "void", """
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT EXISTS (SELECT FROM agent WHERE db_login = p_login) THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
            END"""),
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
