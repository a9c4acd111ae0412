"""The domain's vocabularies for callers that may not import the models (the Qt views)."""

from app.models.enums import AgentRole, Channel, MessageKind, Priority, StatusCategory, TicketType

__all__ = ["AgentRole", "Channel", "MessageKind", "Priority", "StatusCategory", "TicketType"]
