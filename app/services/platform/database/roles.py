"""Before a schema is built on a server, the roles it will trust are checked: roles are cluster-wide, so
another help desk's admin (or a leftover of a dropped database) may have made a role with the name this
database's roles will have.

The owner role owns every object and bypasses row-level security; the group roles carry every agent's
rights. So an existing one must look exactly like one Switchboard made: no login, no powers, no
membership elsewhere, and — on a database that has no Switchboard schema yet — no members either
(leftover logins are removed from the groups; a member of the owner role refuses the whole set-up).
"""

from __future__ import annotations

import logging

from psycopg import sql
from sqlalchemy import Connection, text

from app.models.base import SCHEMA
from app.models.security import GroupRole, group_role_name
from app.services.errors import NotPermitted

log = logging.getLogger(__name__)
MAX_ROLE_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1: longer names are cut, and cut names collide
# Migration 0047 makes the owner and the admin group members of this role on PostgreSQL 16 and later (they may
# use the connections a DBA reserves): every later upgrade on such a server refused the admin group as "not
# one Switchboard made" until it was allowed here (found by a probe upgrading a 0049 desk to 0050).
RESERVED_SLOTS = "pg_use_reserved_connections"
LONGEST_SUFFIX = max(len(f"_{group.value}") for group in GroupRole)
MAX_DATABASE_NAME_BYTES = MAX_ROLE_NAME_BYTES - LONGEST_SUFFIX

_ROLE = text(
    """SELECT r.rolcanlogin OR r.rolsuper OR r.rolcreatedb OR r.rolreplication
              OR (r.rolbypassrls AND :group_role) OR (r.rolcreaterole AND :group_role) AS powerful,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid) AS member_of,
              ARRAY(SELECT u.rolname::text FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member
                    WHERE m.roleid = r.oid) AS members
       FROM pg_roles r WHERE r.rolname = :name"""
)


def check_database_name(database: str) -> None:
    if len(database.encode()) > MAX_DATABASE_NAME_BYTES:
        raise NotPermitted(
            f"The database name {database!r} is too long for Switchboard's role names "
            f"(at most {MAX_DATABASE_NAME_BYTES} bytes: PostgreSQL cuts role names at {MAX_ROLE_NAME_BYTES}, "
            "and cut names would make two roles one); choose a shorter name."
        )


def prepare_roles(connection: Connection) -> None:
    """Refuse roles that are not what Switchboard would have made; clear leftover members on a new desk.
    Runs in the upgrade's own transaction, so a refusal leaves nothing behind."""
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    check_database_name(database)
    fresh = connection.execute(text("SELECT to_regnamespace(:s) IS NULL"), {"s": SCHEMA}).scalar_one()
    groups = {group_role_name(database, g) for g in GroupRole if g is not GroupRole.OWNER}
    owner = group_role_name(database, GroupRole.OWNER)
    # Since PostgreSQL 16 the owner is made a member (without inheritance) of every login it creates, so
    # its own memberships are checked only where it should have created nothing yet.
    owner_members = _check_role(
        connection,
        owner,
        allowed_member_of=groups | {"pg_signal_backend", "pg_read_all_stats", RESERVED_SLOTS} if fresh else None,
        group_role=False,
    )
    if fresh and owner_members:
        raise NotPermitted(
            f"The role {owner!r} exists already and has members ({', '.join(sorted(owner_members))}); a new "
            "help desk cannot trust it. Ask the DBA to drop it (or choose another database name)."
        )
    admin = group_role_name(database, GroupRole.ADMIN)
    for group in sorted(groups):
        allowed = {RESERVED_SLOTS} if group == admin else set()
        members = _check_role(connection, group, allowed_member_of=allowed, group_role=True)
        if fresh:
            _remove_leftover_members(connection, group, members - {owner})


def _check_role(connection: Connection, name: str, *, allowed_member_of: set[str] | None, group_role: bool) -> set[str]:
    """Refuse the role if it exists and is not one Switchboard made; returns its members (none: no role)."""
    row = connection.execute(_ROLE, {"name": name, "group_role": group_role}).one_or_none()
    if row is None:
        return set()
    strange = set(row.member_of) - allowed_member_of if allowed_member_of is not None else set()
    if row.powerful or strange:
        raise NotPermitted(
            f"The role {name!r} exists already but is not one Switchboard made (it can log in, has powers or "
            "memberships of its own); nothing was changed. Ask the DBA to drop it (or choose "
            "another database name)."
        )
    return set(row.members)


def _remove_leftover_members(connection: Connection, group: str, members: set[str]) -> None:
    """Logins left from a dropped database of the same name must not become agents of the new one."""
    for member in sorted(members):
        log.warning("removing %s from %s: it is left over from an earlier database of this name", member, group)
        statement = sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(member))
        connection.exec_driver_sql(statement.as_string())
