"""The team's cache of the account-lookup tool's answers (migration 0020). Written only through the
definer functions `account_claim()` and `account_store()` (and emptied of long-expired answers by the
worker's `account_cache_purge()`); staff read a row while they see a ticket of one of its customers.

The verified accounts (migration 0030): what the tool answered when the worker (or an admin) asked it
itself, one row per customer and connector, written only through `account_verify_store()`; the only
attributes rules decide on, and only when the answer corroborates that the account is the customer's
(migration 0032). Staff read a customer's row while they see one of the customer's tickets.

The account priority rules (migration 0021): "a VIP tier raises priority" on intake. Written only through
`set_account_priority_rule()` (admins); every active staff member reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.customer
import app.models.team  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column


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


class AccountVerification(Base):
    """`key` is the one the verifier found for the customer (None: nothing names the account); `found` is
    None until the tool answered; `attributes` are the found account's (empty otherwise); `corroborated_by`
    why the account is this customer's and not merely named for them (migration 0032): rules read a row
    only when it is set."""

    __tablename__ = "account_verified"
    __table_args__ = (
        CheckConstraint("key_kind IN ('account_id', 'email')", name="key_kind"),
        CheckConstraint("corroborated_by IN ('customer_email', 'tool_email', 'site_trust')", name="corroborated_by"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_kind: Mapped[str | None] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(200))
    key_source: Mapped[str | None] = mapped_column(String(200))
    linked_account_id: Mapped[str | None] = mapped_column(String(200))
    found: Mapped[bool | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    corroborated_by: Mapped[str | None] = mapped_column(String(16))
    checked_at: Mapped[dt.datetime | None]
    verified_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    verified_by: Mapped[str] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[dt.datetime | None]


class AccountPriorityRule(Base):
    """`conditions` is `{"account.tier": "vip", "account.region": ["EU", "UK"]}` (all must hold); a new
    ticket whose customer's verified account meets them gets at least `priority` (0 low … 3 urgent)."""

    __tablename__ = "account_priority_rule"
    __table_args__ = (CheckConstraint("priority BETWEEN 0 AND 3", name="priority_range"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB)
    priority: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = created_at_column()
