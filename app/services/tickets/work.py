"""Working a ticket from the desk: read it with its history, reply, note, move, assign, edit the header.
Each call is one unit of work through the signed-in login's permissions, and returns what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, or_, select

from app.models import Customer, CustomerEmail
from app.services.navigation.dto import Choice
from app.services.people import directory
from app.services.platform.actor import Actor
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.plain_text import ACCENTED, PLAIN, fold_accents, like_contains
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.tickets import history, queries, service
from app.services.tickets.dto import FieldChanges, HistoryEntry, MessageView, TicketChanged, TicketDetail

if TYPE_CHECKING:
    from app.services.sla.dto import SlaExplanation


class TicketWork(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    def ticket(self, ticket_id: int) -> TicketDetail:
        with self.runtime.uow() as uow:
            return queries.get_ticket(uow, ticket_id=ticket_id)

    def message(self, message_id: int) -> MessageView:
        """One message, as `ticket` lists it: what a view appends after its own reply or note."""
        with self.runtime.uow() as uow:
            return queries.get_message(uow, message_id=message_id)

    def history(self, ticket_id: int) -> list[HistoryEntry]:
        """The audit trail, newest first, with names for the agents, queues and statuses it refers to."""
        with self.runtime.uow() as uow:
            return history.read_history(uow, ticket_id=ticket_id)

    def sla_explanation(self, ticket_id: int) -> SlaExplanation:
        """The ticket's SLA ledger in words, per target, as `switchboard sla explain` says it; the SLA engine
        loads when first asked, not with the first painted queue."""
        from app.services.sla.ledger import explain_ticket

        with self.runtime.uow() as uow:
            return explain_ticket(uow, ticket_id)

    def reply(self, ticket_id: int, body: str, expected_version: int, then_status: str | None = None) -> TicketChanged:
        """A reply, and the status it leaves the ticket in, as one transaction."""
        return self._write(
            lambda uow: service.reply(
                uow, ticket_id=ticket_id, body=body, expected_version=expected_version, then_status=then_status
            )
        )

    def note(self, ticket_id: int, body: str, expected_version: int, then_status: str | None = None) -> TicketChanged:
        """An internal note, and the status it leaves the ticket in, as one transaction."""
        return self._write(
            lambda uow: service.add_note(
                uow, ticket_id=ticket_id, body=body, expected_version=expected_version, then_status=then_status
            )
        )

    def change_status(self, ticket_id: int, status: str, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.change_status(
                uow, ticket_id=ticket_id, status=status, expected_version=expected_version
            )
        )

    def assign(self, ticket_id: int, assignee_id: int | None, expected_version: int) -> TicketChanged:
        return self._write(
            lambda uow: service.assign(
                uow, ticket_id=ticket_id, assignee_id=assignee_id, expected_version=expected_version
            )
        )

    def take(self, ticket_id: int, expected_version: int) -> TicketChanged:
        """Assign the ticket to the signed-in agent."""
        return self.assign(ticket_id, self.me.agent_id, expected_version)

    def edit_ticket(
        self, ticket_id: int, status: str | None, changes: FieldChanges, expected_version: int
    ) -> TicketChanged:
        """The header as one gesture: status and fields in one transaction."""
        return self._write(
            lambda uow: service.edit_ticket(
                uow, ticket_id=ticket_id, changes=changes, status=status, expected_version=expected_version
            )
        )

    def edit_and_assign(
        self,
        ticket_id: int,
        status: str | None,
        changes: FieldChanges,
        assignee_id: int | None,
        expected_version: int,
    ) -> TicketChanged:
        """The header with a new assignee (None: nobody) as one transaction: when the assignment is refused,
        none of the other edits is saved either."""

        def action(uow: UnitOfWork) -> TicketChanged:
            version = expected_version
            if status is not None or changes != FieldChanges():
                version = service.edit_ticket(
                    uow, ticket_id=ticket_id, changes=changes, status=status, expected_version=version
                ).ticket.version
            return service.assign(uow, ticket_id=ticket_id, assignee_id=assignee_id, expected_version=version)

        return self._write(action)

    def customers(self, text: str, limit: int = 10) -> list[Choice]:
        """Customers whose name or one of whose addresses holds every word typed (the new-ticket type-ahead):
        key the id, label "Name <address>" with the primary address."""
        words = text.split()
        if not words:
            return []
        address = (
            select(CustomerEmail.address)
            .where(CustomerEmail.customer_id == Customer.id)
            .order_by(CustomerEmail.is_primary.desc(), CustomerEmail.id)
            .limit(1)
            .scalar_subquery()
        )
        statement = select(Customer.id, Customer.name, address)
        folded_name = func.lower(func.translate(Customer.name, ACCENTED, PLAIN))  # "muller" finds Müller
        for word in words:
            pattern = like_contains(fold_accents(word))
            statement = statement.where(
                or_(
                    folded_name.like(pattern, escape="\\"),
                    exists().where(
                        CustomerEmail.customer_id == Customer.id, CustomerEmail.address.ilike(pattern, escape="\\")
                    ),
                )
            )
        with self.runtime.uow() as uow:
            rows = uow.session.execute(statement.order_by(Customer.name, Customer.id).limit(limit)).all()
        return [Choice(str(i), f"{name} <{email}>" if email else name) for i, name, email in rows]

    def create(self, *, subject: str, customer_id: int, queue_id: int, body: str) -> TicketChanged:
        """A ticket opened by the signed-in agent on behalf of a customer (routed as any new ticket)."""
        return self._write(
            lambda uow: service.create_ticket(
                uow, subject=subject, customer_id=customer_id, queue_id=queue_id, body=body
            )
        )

    def create_for_address(self, *, subject: str, address: str, queue_id: int, body: str) -> TicketChanged:
        """A ticket for whoever writes from `address` ("Nora New <nora@…>" or the bare address): the customer
        who has it, else a new customer named as it says, in the same transaction (a caller on the phone
        whom the desk has never heard from)."""

        def create(uow: UnitOfWork) -> TicketChanged:
            customer_id = directory.find_or_create_customer(uow, email=address)
            return service.create_ticket(uow, subject=subject, customer_id=customer_id, queue_id=queue_id, body=body)

        return self._write(create)

    def merge(self, source_id: int, target_id: int, expected_version: int) -> TicketChanged:
        """Fold the ticket (at the version shown) into another: its messages move, it closes."""
        return self._write(
            lambda uow: service.merge(uow, source_id=source_id, target_id=target_id, expected_version=expected_version)
        )

    def link(self, ticket_id: int, related_id: int) -> TicketChanged:
        return self._write(lambda uow: service.link(uow, ticket_id=ticket_id, related_id=related_id))

    def _write(self, action: Callable[[UnitOfWork], TicketChanged]) -> TicketChanged:
        with self.runtime.uow() as uow:
            result = queries.as_landed(uow, action(uow))
            uow.commit()
            return result
