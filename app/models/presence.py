"""Who is looking at which ticket: written only by `announce_presence()`, read through row-level security."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column


class TicketPresence(Base):
    """One row per agent and ticket they have open; `announce_presence()` keeps it, stale rows expire."""

    __tablename__ = "ticket_presence"
    __table_args__ = (
        CheckConstraint("state IN ('viewing', 'typing')", name="ticket_presence_state_check"),
        Index("ix_ticket_presence_ticket", "ticket_id"),
    )

    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[dt.datetime] = created_at_column()
