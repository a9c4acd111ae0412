"""How many tickets sit in each (queue, status, assignee): kept by a trigger, so the navigation's counts
are sums over a few rows instead of counts over a million tickets.

Append-only since migration 0008: each writing statement appends its differences (+1, -1) and the
rows of a group are folded now and then; a count is the sum of a group's rows, so writers never wait
on each other's tally row."""

from __future__ import annotations

from sqlalchemy import BigInteger, Identity, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

NOBODY = 0  # assignee_id of unassigned tickets (a primary key cannot hold NULL)


class TicketTally(Base):
    __tablename__ = "ticket_tally"
    __table_args__ = (
        Index("ix_ticket_tally_group", "queue_id", "status", "assignee_id"),
        Index("ix_ticket_tally_assignee", "assignee_id", "status"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    queue_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[int] = mapped_column(BigInteger)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The urgent ones among them (since 0021): routing's load counts an urgent ticket twice.
    urgent: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
