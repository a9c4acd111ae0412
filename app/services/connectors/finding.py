"""Which account a ticket's customer is in the account-lookup tool, in this order:

1. the customer's stored external account id (set by an import, an admin, or an agent's correction);
2. the ticket's custom field the site names (`find.custom_field`, e.g. "player_id");
3. the site's patterns in the subject, then in the ticket's first messages (`player id: 12345`);
4. the customer's primary email address, when the connector can look up by email.

An agent corrects the link by storing the account id on the customer (`link_account`); the database
audits that change whoever makes it (migration 0020), attached to the ticket it was made from.

A key found here only names an account: the panel shows it, but rules decide on it only when the tool's
answer corroborates that it is the customer's (`verify.corroboration`, migration 0032).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from app.models import Customer, CustomerEmail, Message, Ticket
from app.services.connectors.base import KeyKind, clean_key
from app.services.connectors.settings import FindSettings
from app.services.errors import InvalidInput, NotFound
from app.services.platform.uow import UnitOfWork

MESSAGES_SEARCHED = 3
TEXT_SEARCHED = 20_000  # characters of each message: a pattern never runs over a whole mail archive


@dataclass(frozen=True)
class AccountKey:
    """A key, its kind, and where it was found ("the customer's account id", "the subject" …)."""

    kind: KeyKind
    key: str
    source: str


@dataclass(frozen=True)
class TicketCustomer:
    ticket_id: int
    customer_id: int
    customer_name: str


def ticket_customer(uow: UnitOfWork, ticket_id: int) -> TicketCustomer:
    row = uow.session.execute(
        select(Ticket.customer_id, Customer.name)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    return TicketCustomer(ticket_id, int(row[0]), str(row[1]))


def find_key(uow: UnitOfWork, ticket_id: int, find: FindSettings, kinds: tuple[KeyKind, ...]) -> AccountKey | None:
    """The first key found for the ticket's customer, or None. Reads through the caller's own policies."""
    return find_customer_and_key(uow, ticket_id, find, kinds)[1]


def find_customer_and_key(
    uow: UnitOfWork, ticket_id: int, find: FindSettings, kinds: tuple[KeyKind, ...]
) -> tuple[TicketCustomer, AccountKey | None]:
    """The ticket's customer and the first key found for them (one statement on the common path)."""
    row = uow.session.execute(
        select(Customer.external_account_id, Ticket.custom_fields, Ticket.subject, Customer.id, Customer.name)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        raise NotFound(f"No ticket with id {ticket_id}")
    stored, custom_fields, subject, customer_id, name = row
    customer = TicketCustomer(ticket_id, int(customer_id), str(name))
    if KeyKind.ACCOUNT_ID in kinds:
        for candidate, source in _account_id_candidates(uow, ticket_id, stored, custom_fields, subject, find):
            try:
                return customer, AccountKey(KeyKind.ACCOUNT_ID, clean_key(KeyKind.ACCOUNT_ID, candidate), source)
            except InvalidInput:
                continue  # a malformed value is no key; look further
    if KeyKind.EMAIL in kinds:
        address = uow.session.scalar(
            select(CustomerEmail.address)
            .where(CustomerEmail.customer_id == customer_id)
            .order_by(CustomerEmail.is_primary.desc(), CustomerEmail.id)
            .limit(1)
        )
        if address:
            try:
                return customer, AccountKey(KeyKind.EMAIL, clean_key(KeyKind.EMAIL, address), "the customer's email")
            except InvalidInput:
                return customer, None
    return customer, None


def _account_id_candidates(
    uow: UnitOfWork, ticket_id: int, stored: str | None, custom_fields: object, subject: str, find: FindSettings
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if stored:
        found.append((stored, "the customer's account id"))
    if find.custom_field and isinstance(custom_fields, dict):
        value = custom_fields.get(find.custom_field)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            found.append((str(value), f"the field {find.custom_field}"))
    if found or not find.patterns:
        return found
    texts = [("the subject", subject)]
    bodies = uow.session.scalars(
        select(Message.body_text).where(Message.ticket_id == ticket_id).order_by(Message.id).limit(MESSAGES_SEARCHED)
    ).all()
    texts += [("the first message" if i == 0 else f"message {i + 1}", body) for i, body in enumerate(bodies)]
    for where, content in texts:
        for pattern in find.patterns:
            match = pattern.search(content[:TEXT_SEARCHED])
            if match and match.group(1):
                found.append((match.group(1), f"{where} (“{match.group(0).strip()[:60]}”)"))
                return found
    return found


def link_account(uow: UnitOfWork, ticket_id: int, key: str | None) -> None:
    """Store (or, with None, clear) the account id of the ticket's customer, through the database's
    `link_customer_account()` (customers are otherwise an admin's to edit), which audits it against this
    ticket."""
    cleaned = clean_key(KeyKind.ACCOUNT_ID, key) if key is not None else None
    if cleaned is not None and len(cleaned) > 100:
        raise InvalidInput("An account id has at most 100 characters")
    uow.session.execute(text("SELECT switchboard.link_customer_account(:t, :k)"), {"t": ticket_id, "k": cleaned})
