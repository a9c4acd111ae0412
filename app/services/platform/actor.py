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
