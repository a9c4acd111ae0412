"""Ticket statuses and the one table of allowed transitions between them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.columns import enum_type
from app.vocabulary import StatusCategory, TransitionKind


class TicketStatus(Base):
    """Admins may add statuses; the category decides what SLA clocks do in them."""

    __tablename__ = "ticket_status"
    __table_args__ = (
        CheckConstraint(
            "sla_clocks <@ ARRAY['first_response', 'next_response', 'resolution']::text[]", name="sla_clocks"
        ),
    )

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    category: Mapped[StatusCategory] = mapped_column(enum_type(StatusCategory, "category"))
    position: Mapped[int] = mapped_column(SmallInteger)
    is_builtin: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The SLA clocks that run in this status; NULL: the category decides (migration 0014).
    sla_clocks: Mapped[list[str] | None] = mapped_column(ARRAY(Text))


class StatusTransition(Base):
    __tablename__ = "status_transition"

    from_status: Mapped[str] = mapped_column(ForeignKey("ticket_status.key", ondelete="CASCADE"), primary_key=True)
    to_status: Mapped[str] = mapped_column(ForeignKey("ticket_status.key", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[TransitionKind] = mapped_column(enum_type(TransitionKind, "kind"), default=TransitionKind.CHANGE)
