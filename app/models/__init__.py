"""SQLAlchemy models: tables, types and constraints. No workflows live here.

Each model's module is imported when the model is first asked for (`from app.models import Ticket`), not all
of them with the package: no model has a relationship to another, so a mapper needs only its own module, and
a process that shows the first queue or runs one CLI command need not build the SLA, knowledge base, routing
and account tables' classes first (issue 12: the client's start is mostly imports). What needs every table
(Alembic's comparison, the tests' table list) calls `load_all()` first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from app.models.base import SCHEMA, Base

if TYPE_CHECKING:
    from app.models.account import AccountCacheEntry, AccountPriorityRule, AccountVerification
    from app.models.audit import AuditEvent, ChangeLogEntry, ChangeLogTrim
    from app.models.configuration import ConfigVersion
    from app.models.customer import Customer, CustomerEmail, Organisation
    from app.models.jobs import JobRun, StaleLockSample, WorkerHeartbeat
    from app.models.knowledge import (
        KnowledgeArticle,
        KnowledgeArticleVersion,
        KnowledgeAttachment,
        KnowledgeCategory,
        KnowledgeEditor,
    )
    from app.models.message import Attachment, Blob, Message
    from app.models.preference import AgentPreference
    from app.models.presence import TicketPresence
    from app.models.response import CannedResponse
    from app.models.routing import RoutingConfig, RoutingDecision
    from app.models.sla import BusinessCalendar, EscalationAck, SlaLedgerEntry, SlaPolicy, SlaStep, SlaTypical, SlaWatch
    from app.models.status import StatusTransition, TicketStatus
    from app.models.tally import TicketTally
    from app.models.team import Agent, AgentSkill, Queue, QueueMember
    from app.models.ticket import Ticket, TicketLink

_MODULE_OF = {
    "AccountCacheEntry": "app.models.account",
    "AccountPriorityRule": "app.models.account",
    "AccountVerification": "app.models.account",
    "Agent": "app.models.team",
    "AgentPreference": "app.models.preference",
    "AgentSkill": "app.models.team",
    "Attachment": "app.models.message",
    "AuditEvent": "app.models.audit",
    "Blob": "app.models.message",
    "BusinessCalendar": "app.models.sla",
    "CannedResponse": "app.models.response",
    "ChangeLogEntry": "app.models.audit",
    "ChangeLogTrim": "app.models.audit",
    "ConfigVersion": "app.models.configuration",
    "Customer": "app.models.customer",
    "CustomerEmail": "app.models.customer",
    "EscalationAck": "app.models.sla",
    "JobRun": "app.models.jobs",
    "KnowledgeArticle": "app.models.knowledge",
    "KnowledgeArticleVersion": "app.models.knowledge",
    "KnowledgeAttachment": "app.models.knowledge",
    "KnowledgeCategory": "app.models.knowledge",
    "KnowledgeEditor": "app.models.knowledge",
    "Message": "app.models.message",
    "Organisation": "app.models.customer",
    "Queue": "app.models.team",
    "QueueMember": "app.models.team",
    "RoutingConfig": "app.models.routing",
    "RoutingDecision": "app.models.routing",
    "SlaLedgerEntry": "app.models.sla",
    "SlaPolicy": "app.models.sla",
    "SlaStep": "app.models.sla",
    "SlaTypical": "app.models.sla",
    "SlaWatch": "app.models.sla",
    "StatusTransition": "app.models.status",
    "Ticket": "app.models.ticket",
    "StaleLockSample": "app.models.jobs",
    "TicketLink": "app.models.ticket",
    "TicketPresence": "app.models.presence",
    "TicketStatus": "app.models.status",
    "TicketTally": "app.models.tally",
    "WorkerHeartbeat": "app.models.jobs",
}


if not TYPE_CHECKING:  # the type checker sees the imports above, so a misspelt model is an error there

    def __getattr__(name: str) -> Any:
        """A model by name, its module imported on first use."""
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def load_all() -> type[Base]:
    """Import every model's module, so `Base.metadata` holds every table; the declarative base returned."""
    for module in sorted(set(_MODULE_OF.values())):
        importlib.import_module(module)
    return Base


__all__ = [
    "SCHEMA",
    "AccountCacheEntry",
    "AccountPriorityRule",
    "AccountVerification",
    "Agent",
    "AgentPreference",
    "AgentSkill",
    "Attachment",
    "AuditEvent",
    "Base",
    "Blob",
    "BusinessCalendar",
    "CannedResponse",
    "ChangeLogEntry",
    "ChangeLogTrim",
    "ConfigVersion",
    "Customer",
    "CustomerEmail",
    "EscalationAck",
    "JobRun",
    "KnowledgeArticle",
    "KnowledgeArticleVersion",
    "KnowledgeAttachment",
    "KnowledgeCategory",
    "KnowledgeEditor",
    "Message",
    "Organisation",
    "Queue",
    "QueueMember",
    "RoutingConfig",
    "RoutingDecision",
    "SlaLedgerEntry",
    "SlaPolicy",
    "SlaStep",
    "SlaTypical",
    "SlaWatch",
    "StaleLockSample",
    "StatusTransition",
    "Ticket",
    "TicketLink",
    "TicketPresence",
    "TicketStatus",
    "TicketTally",
    "WorkerHeartbeat",
]
