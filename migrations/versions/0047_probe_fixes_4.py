"""What a fourth probe as each role found: one agent could take every connection the server had, fill
its disk through temporary tables and through stores nothing trims, and keep vacuum back with a
transaction that held only a snapshot.

Revision ID: 0047_probe_fixes_4
Revises: 0046_probe_fixes_3
Create Date: 2026-12-07

- Connections: a staff login connects at most 30 times at once (`add_user()` v2 for new logins, here for
  the logins there are that had no limit; a client uses up to 17). One agent opened 97 connections in a loop and every
  colleague, admin and the worker was refused ("remaining connection slots are reserved") until the DBA
  stepped in. On PostgreSQL 16 and later the owner role and the admin group may also use the slots a DBA
  reserves (`reserved_connections`, docs/security.md).
- The desk's database: no login connects or makes temporary tables by default (PostgreSQL grants both to
  PUBLIC); the staff groups and the owner role connect. A temporary table of 293 MB took 0.4 s, and
  `temp_file_limit` does not cover temporary tables. Only when the migration runs as a superuser or the
  database's owner; otherwise it says so and leaves them.
- `end_stale_transactions()` v3: a transaction idle past ten minutes is ended whatever it holds, one that
  holds only a snapshot after 30 minutes (it kept vacuum back on every table), a session holding more than
  1 GiB of temporary files whatever its state (a cursor WITH HOLD; `pg_ls_tmpdir()` granted to the owner
  role), and while the notification queue fills, a listener stuck writing to its client at once and any
  other untrusted session ten seconds into a transaction, in the server's other databases too. One
  statement spills at most 4 GB to disk (`temp_file_limit`, set on the database).
- Stores nobody trims grow only within bounds: `route_ticket()` v6 records "no eligible agent" once per
  ticket in ten minutes and a decision within 1 MB (fifty 3.8 MB decisions for nobody took seven
  seconds); a knowledge base article holds at most 20 files and 50 MiB of them (`kb_attach_file()` v2;
  ten files of 10 MiB took 3.5 s) and at most 128 tags of 64 characters (an array of two million was
  accepted, and copied again into the article's history); a login's preferences at most 200 keys of 64
  KiB each (`agent_preference_bounded()`; 190 MB took eight seconds).
- Every array column holds a plain list (one dimension, from 1): '{{a,b},{c,d}}' as a ticket's tags (an
  agent's UPDATE) or an article's (an editor's) stopped every colleague's `ticket show`, `kb show` and header.
- Claims with their summary (`claim_next_summary()`, `claim_summary()`): the claim functions' row with the
  names the client shows, read by the owner for the one ticket claimed (issue 12's claims per second).
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.services.platform.database.sql_files import DatabaseNames, function_sql, quote_identifier

revision: str = "0047_probe_fixes_4"
down_revision: str | None = "0046_probe_fixes_3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
FUNCTIONS = [
    ("add_user", 1, 2),
    ("end_stale_transactions", 2, 3),
    ("route_ticket", 5, 6),
    ("kb_attach_file", 1, 2),
]
CONNECTIONS_PER_LOGIN = 30  # as add_user() v2
TEMP_FILE_LIMIT = "4GB"  # what one statement may spill to disk (a sort, a hash, a cursor WITH HOLD)
# A claim with the names its summary shows, in one definer call (the client joined them through five
# tables' row-level security: a fifth of a claim's time on the server).
CLAIM_SUMMARIES = {"claim_next_summary": "bigint", "claim_summary": "bigint, integer"}
# The staff logins there are: members of a staff group that may log in, neither superusers nor the owner.
STAFF_LOGINS = text(
    "SELECT r.rolname FROM pg_roles r WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolconnlimit = :unlimited_before"
    " AND (pg_has_role(r.oid, :agent, 'MEMBER') OR pg_has_role(r.oid, :supervisor, 'MEMBER')"
    " OR pg_has_role(r.oid, :admin, 'MEMBER')) AND NOT pg_has_role(r.oid, :owner, 'MEMBER') ORDER BY 1"
)
# Every array column holds a plain list (one dimension, counted from 1): an agent stored '{{a,b},{c,d}}' as a
# ticket's tags and every colleague's `ticket show` and the client's header failed on it.
ARRAY_COLUMNS = {
    "account_cache": ("customer_ids",),
    "agent": ("languages",),
    "business_calendar": ("closed_dates",),
    "knowledge_article": ("tags",),
    "knowledge_article_version": ("tags",),
    "message": ("references",),
    "routing_decision": ("relaxed",),
    "sla_recompute": ("queue_ids",),
    "ticket": ("tags",),
    "ticket_status": ("sla_clocks",),
}
APPEND_ONLY = {"knowledge_article_version", "message", "routing_decision"}
PLAIN_LIST = "array_ndims({column}) IS NULL OR array_ndims({column}) = 1 AND array_lower({column}, 1) = 1"
BOUNDS = {
    "knowledge_article": (
        "ck_knowledge_article_tags_bounded",
        "cardinality(tags) <= 128",
        "UPDATE {S}.knowledge_article SET tags = tags[1:128] WHERE cardinality(tags) > 128",
    ),
    "agent_preference": (
        "ck_agent_preference_value_bounded",
        "octet_length(value::text) <= 65536",
        "DELETE FROM {S}.agent_preference WHERE octet_length(value::text) > 65536",
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    names = DatabaseNames.of(bind)
    for function, _before, after in FUNCTIONS:
        op.execute(function_sql(function, after, names))
    if _is_superuser():
        _limit_connections(names, CONNECTIONS_PER_LOGIN)
        _reserved_slots("GRANT", "TO", names)
        owner = quote_identifier(names.owner_role)
        op.execute(f"GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_tmpdir() TO {owner}")  # the stale job's spill rule
        op.execute(f"ALTER DATABASE {quote_identifier(_database())} SET temp_file_limit = '{TEMP_FILE_LIMIT}'")
    else:
        print("0047: not a superuser: the logins there are keep their connection limits (docs/security.md)")
    if _owns_the_database():
        _only_staff_connect(names)
    else:
        print("0047: neither a superuser nor the database's owner: every login may still connect (docs/security.md)")
    for table, (name, check, repair) in BOUNDS.items():
        op.execute(repair.replace("{S}", S))  # what a site holds already is made to pass first
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {name} CHECK ({check})")
    _plain_lists()
    staff = ", ".join(quote_identifier(role) for role in (names.agent_role, names.supervisor_role, names.admin_role))
    for function, signature in CLAIM_SUMMARIES.items():
        op.execute(function_sql(function, 1, names))
        op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.{function}({signature}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {S}.{function}({signature}) TO {staff}")
    op.execute(function_sql("agent_preference_bounded", 1, names))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {S}.agent_preference_bounded() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER agent_preference_bounded BEFORE INSERT ON {S}.agent_preference"
        f" FOR EACH ROW EXECUTE FUNCTION {S}.agent_preference_bounded()"
    )


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    for function, signature in CLAIM_SUMMARIES.items():
        op.execute(f"DROP FUNCTION {S}.{function}({signature})")
    op.execute(f"DROP TRIGGER agent_preference_bounded ON {S}.agent_preference")
    op.execute(f"DROP FUNCTION {S}.agent_preference_bounded()")
    for table, (name, _check, _repair) in BOUNDS.items():
        op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT {name}")
    for table, columns in ARRAY_COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {S}.{table} DROP CONSTRAINT ck_{table}_{column}_plain_list")
    if _owns_the_database():
        op.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {quote_identifier(_database())} TO PUBLIC")
    if _is_superuser():
        _reserved_slots("REVOKE", "FROM", names)
        _limit_connections(names, -1)
        op.execute(f"REVOKE EXECUTE ON FUNCTION pg_catalog.pg_ls_tmpdir() FROM {quote_identifier(names.owner_role)}")
        op.execute(f"ALTER DATABASE {quote_identifier(_database())} RESET temp_file_limit")
    for function, before, _after in FUNCTIONS:
        op.execute(function_sql(function, before, names))


def _plain_lists() -> None:
    """What a site holds is flattened first (what unnest gives back, counted from 1); in the append-only
    tables with their guards off for that one statement (a NOT VALID check trips Alembic's comparison)."""
    for table, columns in ARRAY_COLUMNS.items():
        for column in columns:
            check = PLAIN_LIST.format(column=f'"{column}"')
            guarded = table in APPEND_ONLY
            if guarded:
                op.execute(f"ALTER TABLE {S}.{table} DISABLE TRIGGER USER")
            op.execute(f'UPDATE {S}.{table} SET "{column}" = ARRAY(SELECT unnest("{column}")) WHERE NOT ({check})')
            if guarded:
                op.execute(f"ALTER TABLE {S}.{table} ENABLE TRIGGER USER")
            op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT ck_{table}_{column}_plain_list CHECK ({check})")


def _limit_connections(names: DatabaseNames, limit: int) -> None:
    """Up: the staff logins with no limit get one (a limit a DBA set stays). Down: those at 30 lose it."""
    groups = {"agent": names.agent_role, "supervisor": names.supervisor_role, "admin": names.admin_role}
    before = -1 if limit != -1 else CONNECTIONS_PER_LOGIN
    for (login,) in op.get_bind().execute(STAFF_LOGINS, {**groups, "owner": names.owner_role, "unlimited_before": before}):
        op.execute(f"ALTER ROLE {quote_identifier(login)} CONNECTION LIMIT {limit}")


def _only_staff_connect(names: DatabaseNames) -> None:
    database = quote_identifier(_database())
    op.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC")
    for role in (names.owner_role, names.agent_role, names.supervisor_role, names.admin_role):
        op.execute(f"GRANT CONNECT ON DATABASE {database} TO {quote_identifier(role)}")


def _reserved_slots(verb: str, preposition: str, names: DatabaseNames) -> None:
    """The owner role (the worker) and the admins may use the connections a DBA reserves (PostgreSQL 16+)."""
    if op.get_bind().execute(text("SELECT current_setting('server_version_num')::integer >= 160000")).scalar():
        for role in (names.owner_role, names.admin_role):
            op.execute(f"{verb} pg_use_reserved_connections {preposition} {quote_identifier(role)}")


def _database() -> str:
    return str(op.get_bind().execute(text("SELECT current_database()")).scalar_one())


def _is_superuser() -> bool:
    return bool(op.get_bind().execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def _owns_the_database() -> bool:
    """A superuser, or the database's owner (or a member of it), may change who connects."""
    return bool(
        op.get_bind()
        .execute(
            text(
                "SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_roles r, pg_database d"
                " WHERE r.rolname = current_user AND d.datname = current_database()"
            )
        )
        .scalar()
    )
