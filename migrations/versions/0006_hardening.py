"""Whatever SQL a login sends, the result is something the real client could have done, audited and announced.

Revision ID: 0006_hardening
Revises: 0005_jobs
Create Date: 2026-12-01

What an adversarial probe found, closed as classes:
- Every check in a definer function is written so that NULL cannot pass (`IS NOT TRUE`), and supervisor
  powers are the queues a supervisor *leads*; an assignee must work the ticket's queue.
- Direct writes by staff go through guard triggers (SECURITY INVOKER, so they see who is really writing):
  numbers, versions, times, the status lifecycle and authorship are the database's, not the client's.
  Writes from inside our own definer functions run as the owner role and are trusted.
- The change log and its NOTIFY are written by triggers, so every change is announced whoever made it,
  and staff can no longer write the log. It is ordered without a lock: each entry carries the writing
  transaction's id, and readers only read below the oldest running transaction (commit-safe, no gaps).
- Notifications carry nothing: they are hints to re-read the change log and presence through RLS.
  Presence lives in a table written only by a definer function, so it cannot be forged.
- Every staff-readable table needs an active agent behind the login: group membership alone reads nothing.
- Blobs must match their hash; links need both tickets visible; customers are edited by admins only;
  an address is added only to a new customer.
- User administration refuses logins that are more than plain members of this desk's groups, and
  disabling a user ends their sessions and their group membership.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0006_hardening"
down_revision: str | None = "0005_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
# Tables every active agent reads, and only an active agent: membership of a group alone reads nothing.
DIRECTORY_TABLES = ["agent", "agent_skill", "queue", "queue_member", "organisation", "ticket_status",
                    "status_transition", "knowledge_article"]
NEW_FUNCTIONS = [
    "is_active_agent()", "led_queue_ids()", "works_queue(bigint, bigint)", "is_privileged_writer()",
    "guard_ticket()", "guard_message()", "ticket_timestamps()", "message_first_response()",
    "log_change()", "merge_ticket(bigint, bigint, integer)", "announce_presence(bigint, text)",
    "check_plain_login(text)", "change_log_horizon()", "customer_has_email(bigint)",
]

KEPT_ON_DOWNGRADE = ["is_active_agent()", "led_queue_ids()", "works_queue(bigint, bigint)", "check_plain_login(text)"]


def _names() -> dict[str, str]:
    database = op.get_bind().execute(sa.text("SELECT current_database()")).scalar_one()
    names = {kind: f"{database}_{kind}" for kind in ("owner", "agent", "supervisor", "admin")}
    names["staff"] = ", ".join(f'"{names[k]}"' for k in ("agent", "supervisor", "admin"))
    return names


def _sql(function: str, version: int) -> str:
    """A released version of a function: migrations/sql/functions/<function>/v<version>.sql."""
    return function_sql(function, version, DatabaseNames.of(op.get_bind()))


def upgrade() -> None:
    n = _names()
    for statement in [*_change_log(n), *_presence(n), *_helpers(n), *_ticket_functions(n), *_user_functions(n),
                      *_guards(n), *_policies(n), *_grants(n)]:
        op.execute(statement)


def downgrade() -> None:
    """Back to 0005's objects and grants. The definer functions 0003 created keep their hardened bodies:
    reopening the holes is not something a downgrade should do."""
    n = _names()
    staff = n["staff"]
    for trigger, table in [("ticket_change_log", "ticket"), ("message_change_log", "message"),
                           ("ticket_link_change_log", "ticket_link"), ("customer_change_log", "customer"),
                           ("a_guard_ticket", "ticket"), ("b_ticket_timestamps", "ticket"),
                           ("a_guard_message", "message"), ("message_first_response", "message")]:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {S}.{table}")
    op.execute(f"DROP TABLE {S}.ticket_presence")
    for table in [*DIRECTORY_TABLES, "ticket_link"]:
        for (policy,) in op.get_bind().execute(
            sa.text("SELECT policyname FROM pg_policies WHERE schemaname = :s AND tablename = :t"),
            {"s": S, "t": table},
        ):
            op.execute(f'DROP POLICY "{policy}" ON {S}.{table}')
        op.execute(f"ALTER TABLE {S}.{table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {S}.{table} DISABLE ROW LEVEL SECURITY")
    for policy, table in [("customer_read", "customer"), ("customer_create", "customer"),
                          ("customer_edit", "customer"), ("customer_email_read", "customer_email"),
                          ("customer_email_create", "customer_email"), ("blob_write", "blob"),
                          ("audit_read", "audit_event"), ("change_log_read", "change_log")]:
        op.execute(f"DROP POLICY IF EXISTS {policy} ON {S}.{table}")
    visible = f"EXISTS (SELECT FROM {S}.ticket t WHERE t.id = ticket_id)"
    for statement in [
        f"CREATE POLICY customer_read ON {S}.customer FOR SELECT TO {staff} USING (true)",
        f"CREATE POLICY customer_create ON {S}.customer FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY customer_edit ON {S}.customer FOR UPDATE TO {staff} USING ((SELECT {S}.is_admin()) "
        f"OR EXISTS (SELECT FROM {S}.ticket t WHERE t.customer_id = customer.id))",
        f"CREATE POLICY customer_email_read ON {S}.customer_email FOR SELECT TO {staff} USING (true)",
        f"CREATE POLICY customer_email_create ON {S}.customer_email FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY blob_write ON {S}.blob FOR INSERT TO {staff} WITH CHECK (true)",
        f"CREATE POLICY audit_read ON {S}.audit_event FOR SELECT TO {staff} USING ((SELECT {S}.is_admin()) "
        f"OR {visible})",
        f"CREATE POLICY change_log_read ON {S}.change_log FOR SELECT TO {staff} "
        f"USING (ticket_id IS NULL OR {visible})",
        f"CREATE POLICY change_log_append ON {S}.change_log FOR INSERT TO {staff} WITH CHECK (true)",
        f"GRANT INSERT ON {S}.change_log TO {staff}",
        f"GRANT UPDATE (first_response_at, resolved_at, closed_at, merged_into_id) ON {S}.ticket TO {staff}",
        f"GRANT UPDATE (ticket_id) ON {S}.message TO {staff}",
        f"GRANT UPDATE (name, language, organisation_id, external_account_id) ON {S}.customer TO {staff}",
        f"REVOKE pg_signal_backend FROM \"{n['owner']}\"",
        f"ALTER TABLE {S}.blob DROP CONSTRAINT ck_blob_sha256_matches_data",
        f"DROP INDEX {S}.ix_change_log_txid_seq",
        f"ALTER TABLE {S}.change_log DROP COLUMN txid",
    ]:
        op.execute(statement)
    # The helpers the hardened definer bodies call stay; what only 0006's triggers and tables use goes.
    for function in NEW_FUNCTIONS:
        if function not in KEPT_ON_DOWNGRADE:
            op.execute(f"DROP FUNCTION IF EXISTS {S}.{function}")


def _change_log(n: dict[str, str]) -> list[str]:
    return [
        # The writing transaction's id, as a bigint: readers stop below the oldest running transaction.
        f"ALTER TABLE {S}.change_log ADD COLUMN txid bigint NOT NULL "
        f"DEFAULT (pg_current_xact_id()::text::bigint)",
        f"CREATE INDEX ix_change_log_txid_seq ON {S}.change_log (txid, seq)",
        _sql("change_log_horizon", 1),
        f"DROP POLICY IF EXISTS change_log_append ON {S}.change_log",
        f"REVOKE INSERT ON {S}.change_log FROM {n['staff']}",
        _sql("log_change", 1),
        f"CREATE TRIGGER ticket_change_log AFTER INSERT OR UPDATE ON {S}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.log_change('ticket')",
        f"CREATE TRIGGER message_change_log AFTER INSERT OR UPDATE ON {S}.message "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.log_change('message')",
        f"CREATE TRIGGER ticket_link_change_log AFTER INSERT ON {S}.ticket_link "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.log_change('ticket_link')",
        f"CREATE TRIGGER customer_change_log AFTER INSERT OR UPDATE ON {S}.customer "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.log_change('customer')",
    ]


def _presence(n: dict[str, str]) -> list[str]:
    return [
        f"""CREATE TABLE {S}.ticket_presence (
            agent_id bigint NOT NULL REFERENCES {S}.agent (id) ON DELETE CASCADE,
            ticket_id bigint NOT NULL REFERENCES {S}.ticket (id) ON DELETE CASCADE,
            state varchar(16) NOT NULL CHECK (state IN ('viewing', 'typing')),
            seen_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT pk_ticket_presence PRIMARY KEY (agent_id, ticket_id))""",
        f"CREATE INDEX ix_ticket_presence_ticket ON {S}.ticket_presence (ticket_id)",
    ]


def _helpers(n: dict[str, str]) -> list[str]:
    return [
        _sql("customer_has_email", 1),
        _sql("is_active_agent", 1),
        _sql("current_agent_id", 2),
        _sql("current_agent_role", 2),
        _sql("visible_queue_ids", 2),
        _sql("led_queue_ids", 1),
        _sql("works_queue", 1),
        _sql("is_privileged_writer", 1),
        _sql("lock_visible_ticket", 2),
    ]


def _ticket_functions(n: dict[str, str]) -> list[str]:
    return [
        _sql("assign_ticket", 2),
        _sql("move_ticket", 2),
        _sql("merge_ticket", 1),
        _sql("announce_presence", 1),
    ]


def _user_functions(n: dict[str, str]) -> list[str]:
    return [
        _sql("check_plain_login", 1),
        _sql("set_user_password", 2),
        _sql("set_user_role", 2),
        _sql("disable_user", 2),
    ]


def _guards(n: dict[str, str]) -> list[str]:
    return [
        _sql("guard_ticket", 1),
        _sql("ticket_timestamps", 1),
        _sql("guard_message", 1),
        _sql("message_first_response", 1),
        f"CREATE TRIGGER a_guard_ticket BEFORE INSERT OR UPDATE ON {S}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.guard_ticket()",
        f"CREATE TRIGGER b_ticket_timestamps BEFORE UPDATE ON {S}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.ticket_timestamps()",
        f"CREATE TRIGGER a_guard_message BEFORE INSERT ON {S}.message "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.guard_message()",
        f"CREATE TRIGGER message_first_response AFTER INSERT ON {S}.message "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.message_first_response()",
        # Content-addressed means the address is the content's.
        f"ALTER TABLE {S}.blob ADD CONSTRAINT ck_blob_sha256_matches_data "
        f"CHECK (sha256 = encode(sha256(data), 'hex'))",
    ]


ACTIVE = f"((SELECT {S}.is_active_agent()))"
VISIBLE_ID = (f"EXISTS (SELECT FROM {S}.ticket t WHERE t.id = {{column}})")


def _policies(n: dict[str, str]) -> list[str]:
    staff = n["staff"]
    statements: list[str] = []
    for table in [*DIRECTORY_TABLES, "ticket_link", "ticket_presence"]:
        statements += [f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY",
                       f"ALTER TABLE {S}.{table} FORCE ROW LEVEL SECURITY"]
    for table in DIRECTORY_TABLES:
        statements.append(f"CREATE POLICY {table}_read ON {S}.{table} FOR SELECT TO {staff} USING {ACTIVE}")
    replaced = {
        "customer": ["customer_read", "customer_create", "customer_edit"],
        "customer_email": ["customer_email_read", "customer_email_create"],
        "blob": ["blob_write"], "change_log": ["change_log_read"], "audit_event": ["audit_read"],
    }
    for table, policies in replaced.items():
        statements += [f"DROP POLICY IF EXISTS {policy} ON {S}.{table}" for policy in policies]
    return statements + [
        f"CREATE POLICY ticket_status_write ON {S}.ticket_status FOR ALL TO \"{n['admin']}\" "
        f"USING ((SELECT {S}.is_admin())) WITH CHECK ((SELECT {S}.is_admin()))",
        f"CREATE POLICY status_transition_write ON {S}.status_transition FOR ALL TO \"{n['admin']}\" "
        f"USING ((SELECT {S}.is_admin())) WITH CHECK ((SELECT {S}.is_admin()))",
        f"CREATE POLICY organisation_write ON {S}.organisation FOR ALL TO \"{n['admin']}\" "
        f"USING ((SELECT {S}.is_admin())) WITH CHECK ((SELECT {S}.is_admin()))",
        f"CREATE POLICY knowledge_article_create ON {S}.knowledge_article FOR INSERT TO {staff} "
        f"WITH CHECK ({ACTIVE} AND author_id = (SELECT {S}.current_agent_id()))",
        f"CREATE POLICY knowledge_article_edit ON {S}.knowledge_article FOR UPDATE TO {staff} "
        f"USING ({ACTIVE}) WITH CHECK ({ACTIVE})",
        f"CREATE POLICY customer_read ON {S}.customer FOR SELECT TO {staff} USING {ACTIVE}",
        f"CREATE POLICY customer_create ON {S}.customer FOR INSERT TO {staff} WITH CHECK {ACTIVE}",
        f"CREATE POLICY customer_edit ON {S}.customer FOR UPDATE TO {staff} "
        f"USING ((SELECT {S}.is_admin())) WITH CHECK ((SELECT {S}.is_admin()))",
        f"CREATE POLICY customer_email_read ON {S}.customer_email FOR SELECT TO {staff} USING {ACTIVE}",
        # A new customer gets its first address; more addresses for a known customer are an admin's call.
        f"CREATE POLICY customer_email_create ON {S}.customer_email FOR INSERT TO {staff} "
        f"WITH CHECK ({ACTIVE} AND ((SELECT {S}.is_admin()) OR NOT {S}.customer_has_email(customer_id)))",
        f"CREATE POLICY blob_write ON {S}.blob FOR INSERT TO {staff} WITH CHECK {ACTIVE}",
        f"CREATE POLICY audit_read ON {S}.audit_event FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND ((SELECT {S}.is_admin()) OR {VISIBLE_ID.format(column='ticket_id')}))",
        f"CREATE POLICY change_log_read ON {S}.change_log FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND (ticket_id IS NULL OR {VISIBLE_ID.format(column='ticket_id')}))",
        f"CREATE POLICY ticket_link_read ON {S}.ticket_link FOR SELECT TO {staff} "
        f"USING ({VISIBLE_ID.format(column='ticket_id')} AND {VISIBLE_ID.format(column='related_ticket_id')})",
        f"CREATE POLICY ticket_link_create ON {S}.ticket_link FOR INSERT TO {staff} "
        f"WITH CHECK ({ACTIVE} AND {VISIBLE_ID.format(column='ticket_id')} "
        f"AND {VISIBLE_ID.format(column='related_ticket_id')})",
        f"CREATE POLICY presence_read ON {S}.ticket_presence FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND {VISIBLE_ID.format(column='ticket_id')})",
    ]


def _grants(n: dict[str, str]) -> list[str]:
    staff = n["staff"]
    statements = [
        # Derived or owned by definer functions now: response and finish times, merges, message moves.
        f"REVOKE UPDATE ON {S}.ticket FROM {staff}",
        f"GRANT UPDATE (subject, status, priority, type, tags, custom_fields, language, updated_at, version) "
        f"ON {S}.ticket TO {staff}",
        f"REVOKE UPDATE ON {S}.message FROM {staff}",
        f"REVOKE UPDATE ON {S}.customer FROM {staff}",
        f"GRANT UPDATE (name, language, organisation_id, external_account_id) ON {S}.customer "
        f"TO \"{n['admin']}\"",
        f"GRANT SELECT ON {S}.ticket_presence TO {staff}",
        f"GRANT SELECT ON {S}.job_run, {S}.worker_heartbeat TO \"{n['admin']}\"",
        # Only definer functions compare versions; a direct caller would only hear its own arguments echoed.
        f"REVOKE EXECUTE ON FUNCTION {S}.check_version(integer, integer, bigint) FROM {staff}",
        # disable_user ends the disabled login's sessions.
        f"GRANT pg_signal_backend TO \"{n['owner']}\"",
    ]
    for function in NEW_FUNCTIONS:
        statements.append(f"REVOKE EXECUTE ON FUNCTION {S}.{function} FROM PUBLIC")
    callable_by_staff = ["is_active_agent()", "led_queue_ids()", "works_queue(bigint, bigint)",
                         "is_privileged_writer()", "merge_ticket(bigint, bigint, integer)",
                         "announce_presence(bigint, text)", "change_log_horizon()", "customer_has_email(bigint)"]
    statements += [f"GRANT EXECUTE ON FUNCTION {S}.{f} TO {staff}" for f in callable_by_staff]
    # Invoker trigger functions run with the writer's rights; they only need EXECUTE on themselves.
    statements += [f"GRANT EXECUTE ON FUNCTION {S}.{f} TO {staff}" for f in ("guard_ticket()", "guard_message()")]
    return statements
