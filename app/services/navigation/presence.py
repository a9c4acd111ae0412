"""Who else is on a ticket: the desk's half (announcing); the live listener reads the other half."""

from __future__ import annotations

from sqlalchemy import text

from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWorkSource


class Presence(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self.runtime = runtime

    def announce(self, ticket_id: int, state: str) -> None:
        """Tell colleagues this agent is viewing or typing in a ticket (or left it). The database records it
        under the signed-in login, so nobody can speak for a colleague."""
        with self.runtime.uow() as uow:
            uow.session.execute(
                text("SELECT switchboard.announce_presence(:ticket, :state)"), {"ticket": ticket_id, "state": state}
            )
            uow.commit()
