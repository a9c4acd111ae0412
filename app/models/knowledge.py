"""Knowledge base articles: what agents search beside the ticket and link in replies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Identity, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.columns import created_at_column


class KnowledgeArticle(Base):
    """Published articles are visible to every agent; drafts only to their author and admins."""

    __tablename__ = "knowledge_article"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    is_published: Mapped[bool] = mapped_column(default=False, server_default="false")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    version: Mapped[int] = mapped_column(default=1, server_default="1")
