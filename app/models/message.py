"""The conversation of a ticket, and its attachments stored once per content."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.customer
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column, enum_type
from app.vocabulary import MessageKind


class Message(Base):
    """`body_html` holds only sanitised HTML; the raw customer HTML never reaches the database."""

    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'customer_message' AND author_customer_id IS NOT NULL AND author_agent_id IS NULL)"
            " OR (kind IN ('public_reply', 'internal_note') AND author_agent_id IS NOT NULL"
            " AND author_customer_id IS NULL)"
            " OR (kind = 'system_event' AND author_customer_id IS NULL)",
            name="author_matches_kind",
        ),
        Index("ix_message_ticket_created", "ticket_id", "created_at", "id"),
        Index("ix_message_message_id_header", "message_id_header"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, "kind"))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    author_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), index=True)
    body_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id_header: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    created_at: Mapped[dt.datetime] = created_at_column()


class Blob(Base):
    """Content-addressed bytes: the same logo attached a thousand times is stored once."""

    __tablename__ = "blob"
    __table_args__ = (CheckConstraint("size = octet_length(data)", name="size_matches_data"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = created_at_column()


class Attachment(Base):
    """`filename` is data shown to people, never a path on anyone's disk."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_id: Mapped[str | None] = mapped_column(String(255))
