"""Service levels in the database (migration 0014): business calendars, policies, each ticket's SLA ledger,
the escalation steps taken, and the sweep's watch list. Calendars and policies are written by admins
(row-level security); the ledger is appended by a definer trigger on the ticket and by the worker's
sweep, the steps only by the sweep; staff read ledgers and steps of the tickets they can see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.team
import app.models.ticket  # noqa: F401
from app.models.base import Base, IntEnumType
from app.models.columns import created_at_column, enum_type
from app.vocabulary import Priority, TicketType

TARGETS = ("first_response", "next_response", "resolution")
ENTRIES = ("start", "pause", "resume", "fulfil", "restart", "stop", "warn", "breach", "escalate", "recompute")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class BusinessCalendar(Base):
    """Weekly local hours (`{"0": [[540, 1020]], …}`, minutes from midnight, 0 = Monday), a time zone, and
    the dates it is closed: public holidays of `country`/`subdivision` (the `holidays` package, offline)
    plus `closed_dates`."""

    __tablename__ = "business_calendar"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSONB)
    country: Mapped[str | None] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))
    closed_dates: Mapped[list[dt.date]] = mapped_column(ARRAY(Date), default=list, server_default="{}")
    # what the team calls its own dates ({"2026-12-24": "Inventory day"}; a date without a name has none)
    closed_date_names: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = created_at_column()


class SlaPolicy(Base):
    """Tried in `position` order, first match wins; a policy without conditions is the default. `targets`
    is `{priority name: {target: minutes}}`; `ladder` is `[{level, after_breach_minutes, action, queue_id?}]`."""

    __tablename__ = "sla_policy"
    __table_args__ = (
        CheckConstraint("warn_share > 0 AND warn_share < 1", name="warn_share_range"),
        Index("ix_sla_policy_position", "position", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB)
    business_hours: Mapped[bool] = mapped_column(default=True, server_default="true")
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendar.id", ondelete="RESTRICT"))
    warn_share: Mapped[float] = mapped_column(Float, default=0.8, server_default="0.8")
    ladder: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = created_at_column()


class SlaLedgerEntry(Base):
    """One event of one target's clock; append-only (a trigger refuses updates)."""

    __tablename__ = "sla_ledger"
    __table_args__ = (
        CheckConstraint(_one_of("target", TARGETS), name="target"),
        CheckConstraint(_one_of("entry", ENTRIES), name="entry"),
        Index("ix_sla_ledger_ticket_id", "ticket_id", "at", "id"),
        Index("ix_sla_ledger_breach_at", "at", postgresql_where=text("entry = 'breach'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    entry: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime]
    status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who held the ticket when the sweep wrote a warning, breach or escalation mark (migration 0052): "breaches
    # today" counted the ticket's assignee of the moment, so a breached ticket handed to a colleague to rescue
    # it counted as theirs. Null for the other entries and for a ticket nobody held.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))


class SlaStep(Base):
    """A warning (level 0) or ladder level taken for a ticket's target: the key makes each happen once,
    whatever the number of workers."""

    __tablename__ = "sla_step"
    __table_args__ = (
        CheckConstraint(_one_of("target", TARGETS), name="target"),
        CheckConstraint("level >= 0", name="level_not_negative"),
        Index("ix_sla_step_due_at", "due_at"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    due_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime] = created_at_column()
    action: Mapped[str] = mapped_column(String(32))


class EscalationAck(Base):
    """A team lead's acknowledgement of a ticket's escalation (migration 0027): the level acknowledged (the
    highest step taken then; -1 before any), who and when. Written only by `acknowledge_escalation()`."""

    __tablename__ = "escalation_ack"
    __table_args__ = (CheckConstraint("level >= -1", name="level_from_none"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[dt.datetime] = created_at_column()


class SlaWatch(Base):
    """When the sweep must look at a ticket next: now once its ledger grew (recompute), else
    the next warning or ladder step; no row when no clock of the ticket can owe anything."""

    __tablename__ = "sla_watch"
    __table_args__ = (Index("ix_sla_watch_check_at", "check_at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    check_at: Mapped[dt.datetime]


class SlaRecompute(Base):
    """A request to compute the open tickets' due times again after a policy or calendar changed (filed by
    a trigger, migration 0017); the sweep walks tickets up to `up_to_ticket_id` in batches after
    `after_ticket_id`, and sets `finished_at`."""

    __tablename__ = "sla_recompute"
    __table_args__ = (Index("ix_sla_recompute_pending", "id", postgresql_where=text("finished_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[dt.datetime] = created_at_column()
    up_to_ticket_id: Mapped[int] = mapped_column(BigInteger)
    after_ticket_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    tickets: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_at: Mapped[dt.datetime | None]
    # The queues whose tickets the change can move (a policy limited to queues, before and after the change);
    # None: every queue (migration 0044).
    queue_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    # Tickets someone held when the walk came by (migration 0052): tried again once it is through.
    skipped_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")


class SlaTypical(Base):
    """How long similar tickets typically take (migration 0031): per (queue, priority, type), the median
    business minutes from creation to the first response and to resolution of the most recent tickets met
    (each measured on the calendar of its own policy), with how many were measured. Written only by the
    worker's `sla_typical_handling` job; staff read the rows of the queues they see (the escalation board)."""

    __tablename__ = "sla_typical"

    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    priority: Mapped[Priority] = mapped_column(IntEnumType(Priority), primary_key=True)
    type: Mapped[TicketType] = mapped_column(enum_type(TicketType, "type"), primary_key=True)
    first_minutes: Mapped[float | None] = mapped_column(Float)
    first_samples: Mapped[int] = mapped_column(Integer, server_default="0")
    resolution_minutes: Mapped[float | None] = mapped_column(Float)
    resolution_samples: Mapped[int] = mapped_column(Integer, server_default="0")
    computed_at: Mapped[dt.datetime] = created_at_column()
