"""The people and companies who ask for help."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, FetchedValue, ForeignKey, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.columns import created_at_column


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(253))
    created_at: Mapped[dt.datetime] = created_at_column()


class Customer(Base):
    """`external_account_id` is the key the internal account-lookup tool knows the customer by."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    external_account_id: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()


class CustomerEmail(Base):
    """A customer may write from several addresses; each address belongs to exactly one customer.
    `source` says where the address came from (migration 0034), set by the database from the session, never
    from what a client sends: 'intake' (taken from the sender by intake, which only trusted sessions run),
    'staff' (typed by an agent, team lead or admin), 'unknown' (from before 0034). Only 'intake' addresses
    vouch for an account (`connectors.verify`)."""

    __tablename__ = "customer_email"
    __table_args__ = (
        Index("uq_customer_email_address_lower", text("lower(address)"), unique=True),
        # One primary address per customer (migration 0049): an admin gave a customer a second one in SQL.
        Index("uq_customer_email_one_primary", "customer_id", unique=True, postgresql_where=text("is_primary")),
        CheckConstraint("source IN ('intake', 'staff', 'unknown')", name="source"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    is_primary: Mapped[bool] = mapped_column(default=False, server_default="false")
    source: Mapped[str] = mapped_column(String(16), server_default=FetchedValue())
