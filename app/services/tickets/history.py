"""A ticket's audit trail for reading, with the names the database has for what its values refer to.

The audit stores ids and keys (assignee 3, status "pending"): exact, and meaningless to an agent. Only the
database knows whose id 3 is, so the names are looked up here, in the same statement as the rows
(correlated subqueries by primary key, evaluated only for rows whose field refers to something): opening a
ticket costs no extra round trip over a LAN. What this login cannot see (a queue it does not work) stays
unnamed, and the view says "queue 7" rather than guessing.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, String, bindparam, case, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.models import Agent, AuditEvent, Customer, Queue, Ticket, TicketStatus
from app.services.platform.uow import UnitOfWork
from app.services.tickets.dto import SYSTEM_ACTOR, HistoryEntry


def read_history(uow: UnitOfWork, *, ticket_id: int, after_version: int | None = None) -> list[HistoryEntry]:
    """The ticket's audit rows, newest first, each with its actor and values in words; only the changes
    after `after_version` if given (what a colleague saved since, for the conflict message)."""
    since = after_version is not None
    parameters = {"ticket_id": ticket_id, **({"after_version": after_version} if since else {})}
    rows = uow.session.execute(_statement(since), parameters).all()
    return [
        HistoryEntry(
            occurred_at=event.occurred_at,
            actor=actor_label(event.entity, event.action, event.new_value, agent_name),
            action=event.action,
            field=event.field,
            old_value=event.old_value,
            new_value=event.new_value,
            old_name=old_name,
            new_name=new_name,
            actor_login=event.actor_login,
        )
        for event, agent_name, old_name, new_name in rows
    ]


def actor_label(entity: str, action: str, new_value: Any, agent_name: str | None) -> str:
    """Who, as an agent reads it: a message's customer by name, an agent by name, and anything no agent
    wrote (intake, the worker, the DBA: a trusted session acting for nobody) as the system, not as the
    database login it used.

    Only a message's own audit row (`audit_message()` writes its author) names a customer: a ticket's row
    takes its action label from a setting any session may SET, and a probe's edit of custom fields
    {"author": "Amélie Durand"} labelled 'customer_message' read as "Amélie Durand (customer)"."""
    if entity == "message" and action == "customer_message" and isinstance(new_value, dict) and new_value.get("author"):
        return f"{new_value['author']} (customer)"
    return agent_name or SYSTEM_ACTOR


@functools.cache
def _statement(since_version: bool) -> Select[AuditEvent, str, str | None, str | None]:
    """Built once (per shape): building the select and its cache key costs more than running it for a short
    trail."""
    actor = aliased(Agent)  # aliased, so the name subqueries' `agent` is not correlated with the actor's
    statement = (
        select(AuditEvent, actor.display_name, _name_of(AuditEvent.old_value), _name_of(AuditEvent.new_value))
        .outerjoin(actor, actor.id == AuditEvent.actor_agent_id)
        .where(AuditEvent.ticket_id == bindparam("ticket_id"))
        .order_by(AuditEvent.id.desc())
    )
    return statement.where(AuditEvent.ticket_version > bindparam("after_version")) if since_version else statement


def _name_of(value: InstrumentedAttribute[Any | None]) -> ColumnElement[str | None]:
    """The name of the agent, queue, customer, ticket (merged into, linked with) or status an audited value
    refers to, by its field; NULL for any other field."""
    as_text = value.op("#>>", return_type=String)(literal_column("'{}'"))  # a JSON scalar as text
    as_id = case((as_text.regexp_match("^[0-9]{1,18}$"), as_text.cast(BigInteger)))
    field = AuditEvent.field
    return case(
        (field == "assignee_id", select(Agent.display_name).where(Agent.id == as_id).scalar_subquery()),
        (field == "queue_id", select(Queue.name).where(Queue.id == as_id).scalar_subquery()),
        (field == "customer_id", select(Customer.name).where(Customer.id == as_id).scalar_subquery()),
        (
            field.in_(("merged_into_id", "linked")),
            select(literal_column("'#'") + Ticket.number.cast(String)).where(Ticket.id == as_id).scalar_subquery(),
        ),
        (field == "status", select(TicketStatus.label).where(TicketStatus.key == as_text).scalar_subquery()),
    )
