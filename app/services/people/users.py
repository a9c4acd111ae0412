"""User administration: every person signs in as their own PostgreSQL login role.

The work is done by SECURITY DEFINER functions in the database, which check that the caller is an admin;
this module only prepares what they need. Passwords never travel to the server in plain text: the client
computes the SCRAM-SHA-256 verifier (as `psql`'s `\\password` does) and sends that. Values always go as
bound parameters; `ALTER ROLE` takes none, so the verifier is checked against SCRAM's alphabet and sent as
driver SQL (SQLAlchemy's `text()` would read the verifier's `:` as a parameter). The verifier and its
pieces are registered with the redaction net before any statement that carries them runs.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.models import Agent
from app.models.security import GroupRole, group_role_name
from app.services.errors import InvalidInput
from app.services.platform.database.failures import refusal
from app.services.platform.redaction import register_secret, register_verifier
from app.services.platform.uow import UnitOfWork
from app.vocabulary import AgentRole

LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{0,62}$")
GENERATED_PASSWORD_BYTES = 15
_B64 = "[A-Za-z0-9+/]+={0,2}"
SCRAM_VERIFIER = re.compile(rf"SCRAM-SHA-256\$[0-9]+:{_B64}\${_B64}:{_B64}")


@dataclass(frozen=True)
class UserView:
    login: str
    display_name: str
    email: str
    role: AgentRole
    is_active: bool


@dataclass(frozen=True)
class NewUser:
    agent_id: int
    login: str
    generated_password: str | None  # shown once, never stored by Switchboard


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.match(login):
        raise InvalidInput(
            f"{login!r} is not a usable login: use lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter, at most 63 characters"
        )
    return login


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def check_not_a_group(login: str, database: str) -> None:
    """The help desk's group roles are named after its database (`helpdesk_agent` …): a login of that name
    was refused only after `db init` had made the schema and the groups, naming the group as a login that
    exists already."""
    groups = sorted(group_role_name(database, group) for group in GroupRole)
    if login in groups:
        raise InvalidInput(
            f"{login!r} is the name of one of this help desk's group roles ({', '.join(groups)}); choose another login"
        )


def add_user(
    uow: UnitOfWork,
    *,
    login: str,
    display_name: str,
    email: str,
    role: AgentRole,
    queue_ids: tuple[int, ...] = (),
    password: str | None = None,
    generate: bool = False,
) -> NewUser:
    """Create the login role (in the role's group) and the agent. With `generate`, a password is made
    and returned once; with neither, the login has no password (peer, GSSAPI or local trust)."""
    check_login(login)
    check_not_a_group(login, str(uow.session.get_bind().engine.url.database))
    chosen = generate_password() if generate else password
    verifier = scram_verifier(uow, login, chosen) if chosen else None
    agent_id = _call(
        uow,
        "SELECT switchboard.add_user(:login, :name, :email, :role, :verifier, CAST(:queues AS bigint[]))",
        login=login,
        name=display_name,
        email=email,
        role=role.value,
        verifier=verifier,
        queues=list(queue_ids),
    )
    return NewUser(int(agent_id), login, chosen if generate else None)


def disable_user(uow: UnitOfWork, *, login: str) -> None:
    _call(uow, "SELECT switchboard.disable_user(:login)", login=login)


def set_role(uow: UnitOfWork, *, login: str, role: AgentRole) -> None:
    _call(uow, "SELECT switchboard.set_user_role(:login, :role)", login=login, role=role.value)


def set_password(uow: UnitOfWork, *, login: str, password: str) -> None:
    """An admin sets anyone's password; everyone may set their own (a plain ALTER ROLE of oneself)."""
    verifier = scram_verifier(uow, login, password)
    own = uow.session.execute(text("SELECT session_user")).scalar_one() == login
    if own:
        if not SCRAM_VERIFIER.fullmatch(verifier):  # only SCRAM's alphabet: nothing to escape, nothing to inject
            raise ValueError("libpq returned something that is not a SCRAM-SHA-256 verifier")
        try:
            uow.session.connection().exec_driver_sql(f"ALTER ROLE CURRENT_USER PASSWORD '{verifier}'")
        except DBAPIError as error:
            if (known := refusal(error)) is not None:
                raise known from None
            raise
    else:
        _call(uow, "SELECT switchboard.set_user_password(:login, :verifier)", login=login, verifier=verifier)


def list_users(uow: UnitOfWork) -> list[UserView]:
    rows = uow.session.scalars(select(Agent).order_by(Agent.is_active.desc(), Agent.display_name))
    return [UserView(a.db_login, a.display_name, a.email, a.role, a.is_active) for a in rows]


def scram_verifier(uow: UnitOfWork, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier, computed by libpq on this machine."""
    raw = uow.session.connection().connection.dbapi_connection
    pgconn = raw.pgconn  # type: ignore[union-attr]
    register_secret(password)
    verifier: bytes = pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    register_verifier(verifier.decode())
    return verifier.decode()


def _call(uow: UnitOfWork, statement: str, **params: object) -> Any:
    try:
        return uow.session.execute(text(statement), params).scalar()
    except DBAPIError as error:
        if (known := refusal(error)) is not None:
            raise known from None
        raise
