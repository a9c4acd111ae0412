"""Looking up the people and queues that tickets refer to, by the names people type."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Agent, Customer, CustomerEmail, Queue
from app.services.errors import NotFound
from app.services.people.addresses import parse_mailbox
from app.services.platform.plain_text import clean_line
from app.services.platform.uow import UnitOfWork


def find_queue_id(uow: UnitOfWork, *, name: str) -> int:
    queue_id = uow.session.scalar(select(Queue.id).where(func.lower(Queue.name) == name.strip().lower()))
    if queue_id is None:
        known = ", ".join(uow.session.scalars(select(Queue.name).order_by(Queue.name)))
        raise NotFound(f"No queue named {name!r}; the queues are: {known or 'none yet'}")
    return queue_id


def find_agent_id(uow: UnitOfWork, *, login_or_email: str) -> int:
    needle = login_or_email.strip().lower()
    agent_id = uow.session.scalar(
        select(Agent.id).where((func.lower(Agent.db_login) == needle) | (func.lower(Agent.email) == needle))
    )
    if agent_id is None:
        raise NotFound(f"No agent with login or email {login_or_email!r}")
    return agent_id


def find_or_create_customer(uow: UnitOfWork, *, email: str, name: str | None = None) -> int:
    """Customers are known by any of their addresses; an unknown address becomes a new customer, named by
    `name`, else by the display name that came with the address ("Jane Doe <jane@…>"), else by its local
    part."""
    mailbox = parse_mailbox(email)
    address = mailbox.address
    customer_id = uow.session.scalar(
        select(CustomerEmail.customer_id).where(func.lower(CustomerEmail.address) == address.lower())
    )
    if customer_id is not None:
        return customer_id
    customer = Customer(name=clean_line(name or "") or clean_line(mailbox.name) or address.split("@", 1)[0])
    uow.session.add(customer)
    uow.session.flush()
    uow.session.add(CustomerEmail(customer_id=customer.id, address=address, is_primary=True))
    return customer.id
