"""The people behind database logins, where they have to exist before anyone can add them."""

from __future__ import annotations

import getpass
import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from app.models import Agent
from app.services.people import users
from app.services.platform.uow import UnitOfWork
from app.vocabulary import AgentRole, Availability


def local_admin_login() -> str:
    """The login of this computer's user on the embedded database: the OS user name, made a valid login."""
    name = re.sub(r"[^a-z0-9._-]", "_", _os_user().lower())[:63] or "local"
    return name if name[0].isalpha() else f"u{name}"[:63]


def ensure_local_admin(session_factory: sessionmaker[Session]) -> str:
    """On the embedded database the person at this computer is its admin, as a real login role (no
    password: the server listens only on a socket this user owns). Returns the login."""
    login = local_admin_login()
    with UnitOfWork(session_factory) as uow:
        if uow.session.scalar(select(Agent.id).where(Agent.db_login == login, Agent.is_active)) is None:
            users.add_user(
                uow,
                login=login,
                display_name=f"Local administrator ({_os_user()})",
                email=f"{login}@localhost",
                role=AgentRole.ADMIN,
            )
            uow.commit()
    return login


def ensure_session_agent(session: Session) -> int:
    """An agent row for a trusted tool's own login (benchmarks, scripts run by the DBA), so the
    service layer has someone to act as. Not a way to sign anyone in."""
    login = session.execute(text("SELECT session_user")).scalar_one()
    agent_id = session.scalar(select(Agent.id).where(Agent.db_login == login))
    if agent_id is not None:
        return agent_id
    agent = Agent(
        display_name=f"Database administrator ({login})",
        email=f"{login}@localhost",
        db_login=login,
        role=AgentRole.ADMIN,
        languages=["en"],
        capacity=0,
        availability=Availability.OFFLINE,
    )
    session.add(agent)
    session.flush()
    return agent.id


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"
