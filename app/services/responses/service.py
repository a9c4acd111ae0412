"""Canned responses: listing what a ticket may use, filling in placeholders, and keeping the team's set.

Placeholders are `{name}` with a name from `dto.PLACEHOLDERS`, filled by plain substitution (never
`str.format`, which would let a response reach attributes of the values); an unknown `{word}` stays as
typed so the agent sees it before sending. Row-level security decides who sees and edits which response.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from sqlalchemy import or_, select

from app.models import AgentPreference
from app.models import CannedResponse as ResponseRow
from app.services.errors import InvalidInput, NotFound
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.plain_text import clean_body, clean_line
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.responses.dto import PLACEHOLDERS, CannedResponse
from app.services.tickets.dto import TicketSummary
from app.services.tickets.queries import get_summary

SIGNATURE_KEY = "signature"
MAX_SIGNATURE = 2_000
MAX_BODY = 20_000
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# What reads as a placeholder though it is none of ours: {{customer_first_name}}, {Ticket_Number},
# { customer_name }, {customer-name}, Zendesk's {{ticket.requester.first_name}}. Imported responses kept them,
# and customers got them as written. Braces around anything else (a JSON snippet, quotes) are text.
_LOOKS_LIKE_ONE = re.compile(r"\{\{?\s*([A-Za-z][\w .-]{0,60}?)\s*\}?\}")
# Words before a name that are not the name: "Dr. Anna Schmidt" is greeted as Anna.
_TITLES = {
    "dr",
    "prof",
    "mr",
    "mrs",
    "ms",
    "mx",
    "miss",
    "sir",
    "dame",
    "herr",
    "frau",
    "mme",
    "mlle",
    "m",
    "sr",
    "sra",
}


def fill(body: str, values: Mapping[str, str]) -> str:
    """Each known `{name}` replaced by its value; anything else left exactly as written."""
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), body)


def first_name(full: str) -> str:
    """The name to greet someone by: "Doe, Jane" (Outlook's order) is Jane, "Dr. Anna Schmidt" is Anna; a name
    in Chinese, Japanese or Korean script, family name first, is greeted whole. "Hi Müller,," and "Hi Dr.,"
    reached customers."""
    name = re.sub(r"\s*\([^)]*\)", "", full).strip()  # "Doe, Jane (IT)"
    if "," in name:
        last, _comma, given = name.partition(",")
        name = given.strip() or last.strip()
    if any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in name):
        return name
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        words = words[1:]
    return words[0] if words else ""


def placeholder_values(ticket: TicketSummary, agent_name: str, signature: str) -> dict[str, str]:
    return {
        "customer_first_name": first_name(ticket.customer_name),
        "customer_name": ticket.customer_name,
        "ticket_number": str(ticket.number),
        "ticket_subject": ticket.subject,
        "agent_name": agent_name,
        "agent_first_name": first_name(agent_name),
        "queue": ticket.queue_name,
        "signature": signature,
    }


def unknown_placeholders(body: str) -> list[str]:
    """What reads as a placeholder but is none of ours, as written ("{{customer_first_name}}", "{Ticket_Number}")."""
    return sorted({match[0] for match in _LOOKS_LIKE_ONE.finditer(body) if match[0][1:-1] not in PLACEHOLDERS})


def _meant(written: str) -> str | None:
    """The placeholder an unknown one most likely means ("{ customer-name }" is {customer_name})."""
    words = re.sub(r"[^a-z]+", "_", written.strip("{} ").lower()).strip("_")
    if words in PLACEHOLDERS:
        return words
    last_words = "_".join(words.split("_")[-3:])  # ticket_requester_first_name: requester_first_name
    close = difflib.get_close_matches(last_words, PLACEHOLDERS, n=1, cutoff=0.6)
    return close[0] if close else None


def list_responses(uow: UnitOfWork, *, queue_id: int | None = None) -> list[CannedResponse]:
    """The active responses this login may read; with a queue, that queue's and the team-wide ones."""
    query = select(ResponseRow).where(ResponseRow.is_active)
    if queue_id is not None:
        query = query.where(or_(ResponseRow.queue_id.is_(None), ResponseRow.queue_id == queue_id))
    rows = uow.session.scalars(query.order_by(ResponseRow.title, ResponseRow.id))
    return [CannedResponse(row.id, row.title, row.body, row.queue_id) for row in rows]


def add_response(uow: UnitOfWork, *, title: str, body: str, queue_id: int | None) -> CannedResponse:
    """A new response (a supervisor for a queue they lead, an admin for any queue or for all)."""
    title, body = clean_line(title), clean_body(body).strip()
    if not title or not body:
        raise InvalidInput("A response needs a title and a text")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"A response may be at most {MAX_BODY:,} characters long")
    if unknown := unknown_placeholders(body):
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        said = [f"{n} (write {{{meant}}})" if (meant := _meant(n)) else n for n in unknown]
        raise InvalidInput(f"Unknown placeholder {', '.join(said)}; the placeholders are: {known}")
    row = ResponseRow(title=title[:200], body=body, queue_id=queue_id, author_id=uow.actor.agent_id)
    uow.session.add(row)
    uow.session.flush()
    return CannedResponse(row.id, row.title, row.body, row.queue_id)


def retire_response(uow: UnitOfWork, *, response_id: int) -> None:
    row = uow.session.get(ResponseRow, response_id)
    if row is None:
        raise NotFound(f"No response {response_id} you may change")
    row.is_active = False
    uow.session.flush()


def signature_of(uow: UnitOfWork) -> str:
    row = uow.session.get(AgentPreference, (uow.actor.agent_id, SIGNATURE_KEY))
    return str(row.value) if row is not None and isinstance(row.value, str) else ""


def set_signature(uow: UnitOfWork, text: str) -> None:
    text = clean_body(text).strip()
    if len(text) > MAX_SIGNATURE:
        raise InvalidInput(f"A signature may be at most {MAX_SIGNATURE:,} characters long")
    uow.session.merge(AgentPreference(agent_id=uow.actor.agent_id, key=SIGNATURE_KEY, value=text))


def render(uow: UnitOfWork, *, response_id: int, ticket_id: int) -> str:
    ticket = get_summary(uow, ticket_id=ticket_id)
    row = uow.session.get(ResponseRow, response_id)
    if row is None or not row.is_active or row.queue_id not in (None, ticket.queue_id):
        raise NotFound(f"No response {response_id} for this ticket")
    return fill(row.body, placeholder_values(ticket, uow.actor.display_name, signature_of(uow)))


class Responses(SpeaksDomainErrors):
    """The desk's response area (`desk.responses`)."""

    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self.runtime = runtime

    def for_ticket(self, ticket_id: int) -> list[CannedResponse]:
        with self.runtime.uow() as uow:
            return list_responses(uow, queue_id=get_summary(uow, ticket_id=ticket_id).queue_id)

    def render(self, response_id: int, ticket_id: int) -> str:
        with self.runtime.uow() as uow:
            return render(uow, response_id=response_id, ticket_id=ticket_id)

    def signature(self) -> str:
        with self.runtime.uow() as uow:
            return signature_of(uow)

    def set_signature(self, text: str) -> None:
        with self.runtime.uow() as uow:
            set_signature(uow, text)
            uow.commit()
