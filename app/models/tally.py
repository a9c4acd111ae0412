"""How many tickets sit in each (queue, status, assignee): kept by a trigger, so the navigation's counts
are sums over a few rows instead of counts over a million tickets."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

NOBODY = 0  # assignee_id of unassigned tickets (a primary key cannot hold NULL)


class TicketTally(Base):
    __tablename__ = "ticket_tally"

    queue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
