"""Routing configuration per queue and the decisions routing made, each with its reasons (migration 0010).
Both are read through row-level security and written only through definer functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column

ASKERS = ("intake", "reopen", "drain", "supervisor", "handback", "sla")  # sla: the escalation ladder (0048)


class RoutingConfig(Base):
    """Weights and rules for one queue, or the default for all (`queue_id` None); versioned."""

    __tablename__ = "routing_config"
    __table_args__ = (UniqueConstraint("queue_id", postgresql_nulls_not_distinct=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = created_at_column()


class RoutingDecision(Base):
    __tablename__ = "routing_decision"
    __table_args__ = (
        CheckConstraint(f"asked_by IN ({', '.join(repr(a) for a in ASKERS)})", name="asked_by"),
        Index("ix_routing_decision_ticket_id", "ticket_id", "decided_at"),
        Index("ix_routing_decision_winner_agent_id", "winner_agent_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    decided_at: Mapped[dt.datetime] = created_at_column()
    asked_by: Mapped[str] = mapped_column(String(16))
    actor_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    winner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    config_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    relaxed: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    ranked: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    exclusions: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    reason: Mapped[str | None] = mapped_column(Text)  # a supervisor's reroute or an agent's hand-back says why
