"""What happened, by whom: the audit trail people read, and the change log machines read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base
from app.models.columns import created_at_column


class AuditEvent(Base):
    """One row per changed field: `old_value` → `new_value`, with the actor and the resulting version."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_ticket_version", "ticket_id", "ticket_version"),
        # the rows of the desk's configuration each login added (`refuse_beyond_share()`, migration 0053)
        Index(
            "ix_audit_event_config_inserts",
            "entity",
            "actor_login",
            "entity_id",
            postgresql_where=text("ticket_id IS NULL AND action = 'insert'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    occurred_at: Mapped[dt.datetime] = created_at_column()
    actor_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    actor_login: Mapped[str] = mapped_column(String(63))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    ticket_version: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[Any | None] = mapped_column(JSONB)
    new_value: Mapped[Any | None] = mapped_column(JSONB)


class ChangeLogEntry(Base):
    """Written by the database's triggers for every change, whoever makes it.

    `txid` is the writing transaction's id. A reader orders by `(txid, seq)` and reads only below the oldest
    transaction still running (`change_log_horizon()`): every transaction below it has ended, so nothing can
    appear there later, and a reader that remembers the last `(txid, seq)` it applied never skips a change.
    No lock is involved, so no login can stall writers by holding one."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_txid_seq", "txid", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    operation: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[dt.datetime] = created_at_column()
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("(pg_current_xact_id()::text::bigint)"))


class ChangeLogTrim(Base):
    """How far housekeeping has trimmed the change log (one row, written as it deletes, since 0029): the
    position of the newest entry it deleted. A follower behind it may have missed entries and rebuilds."""

    __tablename__ = "change_log_trim"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    txid: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
