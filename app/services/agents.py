"""Agents as the rest of the system needs them before per-person sign-in exists everywhere."""

from __future__ import annotations

import getpass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.models import Agent
from app.models.enums import AgentRole, Availability


def ensure_local_admin(session: Session) -> int:
    """Make the database login of this connection an admin agent, once: the owner of the embedded
    database, or the DBA seeding a fresh server, is who they are."""
    login = session.execute(text("SELECT session_user")).scalar_one()
    agent_id = session.scalar(select(Agent.id).where(Agent.db_login == login))
    if agent_id is not None:
        return agent_id
    person = _os_user()
    agent = Agent(
        display_name=f"Local administrator ({person})",
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


def seed_first_admin(engine: Engine) -> str | None:
    """On a help desk with no agents yet, the login that ran the upgrade becomes the first admin.
    Returns that login, or None when agents already exist."""
    with Session(engine) as session:
        if session.scalar(select(Agent.id).limit(1)) is not None:
            return None
        ensure_local_admin(session)
        session.commit()
        return str(session.execute(text("SELECT session_user")).scalar_one())


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "this computer"
