"""Canned responses: the team's answers, per queue or for every queue. Agents read the ones of the queues
they see; supervisors write their led queues' ones, admins all (row-level security, migration 0009)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Identity, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.team  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column


class CannedResponse(Base):
    __tablename__ = "canned_response"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
