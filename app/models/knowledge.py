"""Knowledge base articles: what agents search beside the ticket and link in replies.

Rights live in the database (migration 0018_knowledge_base): every active agent reads published articles
(internal and public ones), the author reads their own drafts, editors (supervisors, admins and agents an
admin made editors) read and write everything. Staff write no table here directly: the definer functions
`kb_create_article`, `kb_edit_article`, `kb_set_article_state`, `kb_attach_file`, `kb_add_category` and
`kb_set_editor` keep the rules in one place, and a trigger writes every version into the append-only
history, whoever wrote the article.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.message
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column

ARTICLE_STATES = ("draft", "published", "archived")
ARTICLE_VISIBILITIES = ("internal", "public")
# What one attached file may weigh: screenshots and PDFs, not videos (the bytes live in the database).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class KnowledgeCategory(Base):
    """A node of the category tree (Billing ▸ Refunds). The parent is set once, so the tree has no cycles."""

    __tablename__ = "knowledge_category"
    __table_args__ = (
        UniqueConstraint("parent_id", "name", postgresql_nulls_not_distinct=True),
        CheckConstraint("parent_id IS DISTINCT FROM id", name="not_its_own_parent"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_category.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = created_at_column()


class KnowledgeArticle(Base):
    """`body` is the article's text (what search indexes and the CLI prints); `body_html`, when the article
    has formatting, is its sanitised HTML, cleaned on the way in and again whenever it is shown.
    `is_published` is derived from `state` (a stored generated column), so the two never disagree."""

    __tablename__ = "knowledge_article"
    __table_args__ = (
        CheckConstraint(_one_of("state", ARTICLE_STATES), name="state"),
        CheckConstraint(_one_of("visibility", ARTICLE_VISIBILITIES), name="visibility"),
        Index("ix_knowledge_article_state_category", "state", "category_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    body_html: Mapped[str | None] = mapped_column(Text)
    # a category is kept while an article is in it (migration 0053)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_category.id"))
    visibility: Mapped[str] = mapped_column(String(16), default="internal", server_default="internal")
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    is_published: Mapped[bool] = mapped_column(Computed("state = 'published'", persisted=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))


class KnowledgeArticleVersion(Base):
    """Every saved state of an article, written by a trigger and never changed (append-only for everyone)."""

    __tablename__ = "knowledge_article_version"
    __table_args__ = (
        CheckConstraint(_one_of("state", ARTICLE_STATES), name="state"),
        CheckConstraint(_one_of("visibility", ARTICLE_VISIBILITIES), name="visibility"),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_article.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    category_id: Mapped[int | None] = mapped_column(BigInteger)
    visibility: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()


class KnowledgeEditor(Base):
    """An agent an admin allowed to write and publish articles (supervisors and admins may anyway)."""

    __tablename__ = "knowledge_editor"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    granted_at: Mapped[dt.datetime] = created_at_column()


class KnowledgeAttachment(Base):
    """An image or file of an article; the bytes are a content-addressed `blob` (sha256), stored once."""

    __tablename__ = "knowledge_attachment"
    __table_args__ = (
        CheckConstraint(f"size BETWEEN 1 AND {MAX_ATTACHMENT_BYTES}", name="size_bounded"),
        UniqueConstraint("article_id", "filename"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_article.id"), index=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()
