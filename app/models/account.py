"""The team's cache of the account-lookup tool's answers (migration 0020). Written only through the
definer functions `account_claim()` and `account_store()`; staff read a row while they see a ticket of one
of its customers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class AccountCacheEntry(Base):
    """`found` is None until the tool first answered; `fields` is [[label, value], …] in the site's order."""

    __tablename__ = "account_cache"
    __table_args__ = (
        CheckConstraint("key_kind IN ('account_id', 'email')", name="key_kind"),
        Index("ix_account_cache_customer_ids", "customer_ids", postgresql_using="gin"),
    )

    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    found: Mapped[bool | None]
    fields: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    link: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    fetched_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    refreshing_until: Mapped[dt.datetime | None]
    refreshing_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[dt.datetime | None]
