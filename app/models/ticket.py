"""The ticket: one model for every channel, with the SLA due times stored on it (the earliest, `sla_due_at`, indexed
over working tickets)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    CheckConstraint,
    Computed,
    ForeignKey,
    Identity,
    Index,
    Sequence,
    String,
    bindparam,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys name, registered with it: a flush sorts tables by their foreign keys
# (models load on first use, app/models/__init__.py).
import app.models.customer
import app.models.status
import app.models.team  # noqa: F401
from app.models.base import SCHEMA, Base, IntEnumType
from app.models.columns import created_at_column, enum_type
from app.vocabulary import Channel, LinkKind, Priority, TicketType

TICKET_NUMBER_SEQUENCE = Sequence("ticket_number_seq", start=10001, schema=SCHEMA)

# The earliest clock still running: first response counts only until it happened.
SLA_DUE_EXPRESSION = (
    "LEAST(CASE WHEN first_response_at IS NULL THEN first_response_due_at END, next_response_due_at, resolution_due_at)"
)


# The statuses of the seeded open and paused categories ("working" tickets): the predicate of the partial
# indexes below (migration 0008). Queries render a status list as literals so the planner can prove it
# (it cannot from a bound parameter); a status an admin adds later is found through the other indexes.
WORKING_STATUSES = ("new", "in_progress", "waiting", "pending", "answered")


def working_status_literals() -> BindParameter[str]:
    """WORKING_STATUSES for `status IN (…)`, rendered as literals so the planner proves the partial indexes."""
    return bindparam("working", list(WORKING_STATUSES), expanding=True, literal_execute=True, unique=True)


_WORKING = text("status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') AND merged_into_id IS NULL")
_UNDATED = text(
    "sla_due_at IS NULL AND status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') "
    "AND merged_into_id IS NULL"
)
_DATED = text("sla_due_at IS NOT NULL")
_CLAIMABLE = text(
    "assignee_id IS NULL AND status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') "
    "AND merged_into_id IS NULL"
)


class Ticket(Base):
    """`number` is what people say (#10423); `id` is what rows point at. `version` guards edits."""

    __tablename__ = "ticket"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="priority_range"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        Index("ix_ticket_assignee_sla", "assignee_id", "sla_due_at", "id"),
        Index("ix_ticket_queue_updated", "queue_id", "updated_at", "id"),
        Index("ix_ticket_status_id", "status", "id"),
        Index("ix_ticket_updated", "updated_at", "id"),
        Index("ix_ticket_queue_priority", "queue_id", "priority", "id"),
        Index("ix_ticket_tags", "tags", postgresql_using="gin"),
        # Tickets with a clock, by due time (migration 0038): the SLA sort of a view that is not all working
        # statuses (resolved, a status an admin added, every status); only working tickets have a due time.
        Index("ix_ticket_dated_sla", "sla_due_at", "id", postgresql_where=_DATED, postgresql_include=["status"]),
        Index(
            "ix_ticket_dated_queue_sla",
            "queue_id",
            "sla_due_at",
            "id",
            postgresql_where=_DATED,
            postgresql_include=["status"],
        ),
        # Merges are few: the tickets folded into one are found without an entry for every other ticket.
        Index("ix_ticket_merged_into_id", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL")),
        # The partial indexes over working tickets carry what row-level security and the views filter on
        # (migration 0039): a walk decides from the index alone which entries an agent's page keeps.
        Index(
            "ix_ticket_open_queue_sla",
            "queue_id",
            "sla_due_at",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_queue_priority",
            "queue_id",
            "priority",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_queue_updated",
            "queue_id",
            "updated_at",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_sla",
            "sla_due_at",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "queue_id", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_priority",
            "priority",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "queue_id", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_updated",
            "updated_at",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "queue_id", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_assignee_sla",
            "assignee_id",
            "sla_due_at",
            "id",
            postgresql_where=_WORKING,
            postgresql_include=["status", "queue_id"],
        ),
        # The same for the claimable and the undated working tickets (migration 0040).
        Index(
            "ix_ticket_claimable",
            "queue_id",
            "sla_due_at",
            "id",
            postgresql_where=_CLAIMABLE,
            postgresql_include=["status"],
        ),
        Index(
            "ix_ticket_open_undated_queue",
            "queue_id",
            "id",
            postgresql_where=_UNDATED,
            postgresql_include=["status", "assignee_id"],
        ),
        Index(
            "ix_ticket_open_undated",
            "id",
            postgresql_where=_UNDATED,
            postgresql_include=["status", "queue_id", "assignee_id"],
        ),
        # A customer's tickets newest first, however many (migration 0043): the account panel's other tickets
        # by update, and routing's stickiness (the newest assigned ticket) by creation.
        Index("ix_ticket_customer_updated", "customer_id", "updated_at", "id"),
        Index(
            "ix_ticket_customer_assigned",
            "customer_id",
            "created_at",
            "id",
            postgresql_where=text("assignee_id IS NOT NULL"),
            postgresql_include=["queue_id", "assignee_id"],
        ),
        Index(
            "ix_ticket_queue_type_resolved",
            "queue_id",
            "type",
            "resolved_at",
            postgresql_where=text("resolved_at IS NOT NULL"),
        ),  # routing's track records (migration 0013)
        # The typical handling of similar tickets (migration 0027; the worker's `sla_typical_handling` job
        # since 0031): the newest met tickets of a (queue, priority, type), read backwards.
        Index(
            "ix_ticket_kind_first_response",
            "queue_id",
            "priority",
            "type",
            "first_response_at",
            postgresql_include=["created_at", "assignee_id"],
            postgresql_where=text("first_response_at IS NOT NULL AND merged_into_id IS NULL"),
        ),
        Index(
            "ix_ticket_kind_resolved",
            "queue_id",
            "priority",
            "type",
            "resolved_at",
            postgresql_include=["created_at", "assignee_id"],
            postgresql_where=text("resolved_at IS NOT NULL AND merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    number: Mapped[int] = mapped_column(
        BigInteger, TICKET_NUMBER_SEQUENCE, server_default=TICKET_NUMBER_SEQUENCE.next_value(), unique=True
    )
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(ForeignKey("ticket_status.key"))
    priority: Mapped[Priority] = mapped_column(IntEnumType(Priority), default=Priority.NORMAL)
    type: Mapped[TicketType] = mapped_column(enum_type(TicketType, "type"), default=TicketType.QUESTION)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))  # indexed by ix_ticket_customer_updated
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    language: Mapped[str | None] = mapped_column(String(16))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))

    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    first_response_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    first_response_due_at: Mapped[dt.datetime | None]
    next_response_due_at: Mapped[dt.datetime | None]
    resolution_due_at: Mapped[dt.datetime | None]
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(Computed(SLA_DUE_EXPRESSION, persisted=True))

    version: Mapped[int] = mapped_column(default=1, server_default="1")


class TicketLink(Base):
    """An undirected link, stored once with the smaller id first."""

    __tablename__ = "ticket_link"
    __table_args__ = (CheckConstraint("ticket_id < related_ticket_id", name="ordered_pair"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    related_ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind, "kind"), default=LinkKind.RELATED)
    created_at: Mapped[dt.datetime] = created_at_column()
