"""SQLAlchemy models: tables, types and constraints. No workflows live here."""

from app.models.account import AccountCacheEntry, AccountPriorityRule, AccountVerification
from app.models.audit import AuditEvent, ChangeLogEntry, ChangeLogTrim
from app.models.base import SCHEMA, Base
from app.models.configuration import ConfigVersion
from app.models.customer import Customer, CustomerEmail, Organisation
from app.models.jobs import JobRun, WorkerHeartbeat
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
    "StatusTransition",
    "Ticket",
    "TicketLink",
    "TicketPresence",
    "TicketStatus",
    "TicketTally",
    "WorkerHeartbeat",
]
