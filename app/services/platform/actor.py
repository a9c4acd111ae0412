"""Who is acting: the signed-in agent as the database knows them. A plain value the views may hold."""

from __future__ import annotations

from dataclasses import dataclass

from app.vocabulary import AgentRole


@dataclass(frozen=True)
class Actor:
    agent_id: int
    login: str
    display_name: str
    role: AgentRole

    @property
    def leads(self) -> bool:
        """A team lead or an admin (the supervisor view is theirs): as `Supervision.allowed` says, known
        without importing the SLA area (the main window asks at its construction)."""
        return self.role in (AgentRole.SUPERVISOR, AgentRole.ADMIN)
