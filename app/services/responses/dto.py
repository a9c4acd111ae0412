"""Canned responses as the client sees them. No SQLAlchemy here: the desktop imports this module."""

from __future__ import annotations

from dataclasses import dataclass

PLACEHOLDERS = {
    "customer_first_name": "the customer's first name",
    "customer_name": "the customer's full name",
    "ticket_number": "the ticket's number, e.g. 10423",
    "ticket_subject": "the ticket's subject",
    "agent_name": "the signed-in agent's name",
    "agent_first_name": "the signed-in agent's first name",
    "queue": "the ticket's queue",
    "signature": "the signed-in agent's signature (Preferences)",
}


@dataclass(frozen=True)
class CannedResponse:
    """A response the team keeps; `body` holds placeholders like `{customer_first_name}` (see PLACEHOLDERS).
    `queue_id` None: offered in every queue."""

    id: int
    title: str
    body: str
    queue_id: int | None = None
