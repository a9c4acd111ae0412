"""Names of the PostgreSQL roles that guard a Switchboard database.

Roles are cluster-wide, databases are not: the group roles carry the database's name, so a server can
host several help desks (and the test suite its throwaway databases) without one's roles granting
anything in another.
"""

from __future__ import annotations

from enum import StrEnum


class GroupRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    OWNER = "owner"


def group_role_name(database: str, group: GroupRole) -> str:
    return f"{database}_{group.value}"
