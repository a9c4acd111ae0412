"""Closed vocabularies of the domain, shared by models, services and (as plain values) the views."""

from __future__ import annotations

import enum


class Priority(enum.IntEnum):
    """Ranked so that sorting by value puts the most urgent last (use DESC for urgent first)."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Priority:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(p.label for p in cls)
            raise ValueError(f"unknown priority {text!r}; use one of {names}") from None


class StatusCategory(enum.StrEnum):
    """What a status means to the SLA clocks: running, paused, or stopped."""

    OPEN = "open"
    PAUSED = "paused"
    DONE = "done"


class TicketType(enum.StrEnum):
    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    TASK = "task"


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEB = "web"
    CHAT = "chat"
    PHONE = "phone"
    MANUAL = "manual"


class MessageKind(enum.StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    SYSTEM_EVENT = "system_event"


class AgentRole(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Availability(enum.StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class TransitionKind(enum.StrEnum):
    """`change` is an ordinary status edit; `reopen` only happens by explicit reopen or a customer message."""

    CHANGE = "change"
    REOPEN = "reopen"


class LinkKind(enum.StrEnum):
    RELATED = "related"
