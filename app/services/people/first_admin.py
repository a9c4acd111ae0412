"""The first admin of a server, made by the DBA's own session before any admin exists."""

from __future__ import annotations

from sqlalchemy import Engine

from app.services.people import users
from app.services.platform.database.engine import build_session_factory
from app.services.platform.uow import UnitOfWork
from app.vocabulary import AgentRole


def create_first_admin(
    engine: Engine, *, login: str, display_name: str, email: str, role: AgentRole, generate_password: bool
) -> users.NewUser:
    """Runs as the DBA (a trusted session acting for nobody), which the database lets act as an admin."""
    with UnitOfWork(build_session_factory(engine)) as uow:
        created = users.add_user(
            uow, login=login, display_name=display_name, email=email, role=role, generate=generate_password
        )
        uow.commit()
    return created
