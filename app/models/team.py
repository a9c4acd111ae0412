"""Agents, their skills, and the queues they work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.columns import created_at_column, enum_type
from app.vocabulary import AgentRole, Availability


class Agent(Base):
    """A person who works tickets. `db_login` is the PostgreSQL role they sign in as."""

    __tablename__ = "agent"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    db_login: Mapped[str] = mapped_column(String(63), unique=True)
    role: Mapped[AgentRole] = mapped_column(enum_type(AgentRole, "role"), default=AgentRole.AGENT)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default="{}")
    capacity: Mapped[int] = mapped_column(SmallInteger, default=20, server_default="20")
    availability: Mapped[Availability] = mapped_column(
        enum_type(Availability, "availability"), default=Availability.OFFLINE
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_at: Mapped[dt.datetime] = created_at_column()
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    shift: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # weekday -> [[start, end] minutes], local
    out_of_office_until: Mapped[dt.date | None] = mapped_column(Date)
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))


class AgentSkill(Base):
    """A skill with a level from 1 (basic) to 5 (expert); the router weighs the level."""

    __tablename__ = "agent_skill"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)


class Queue(Base):
    __tablename__ = "queue"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    team_lead_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()


class QueueMember(Base):
    __tablename__ = "queue_member"

    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True, index=True)
