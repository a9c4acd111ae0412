"""A small help desk to test against: two queues, three agents, two customers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.models import Agent, Customer, CustomerEmail, Queue, QueueMember
from app.models.enums import AgentRole
from app.services.uow import UnitOfWork


@dataclass(frozen=True)
class World:
    factory: sessionmaker[Session]
    billing: int
    tech: int
    alice: int
    bob: int
    carol: int
    jane: int
    omar: int

    def uow(self, login: str = "alice") -> UnitOfWork:
        return UnitOfWork(self.factory, acting_login=login)


def build_world(factory: sessionmaker[Session]) -> World:
    with factory() as session:
        billing, tech = Queue(name="Billing"), Queue(name="Technical Support")
        alice = Agent(display_name="Alice Archer", email="alice@example.test", db_login="alice")
        bob = Agent(display_name="Bob Baker", email="bob@example.test", db_login="bob")
        carol = Agent(
            display_name="Carol Chen", email="carol@example.test", db_login="carol", role=AgentRole.SUPERVISOR
        )
        jane = Customer(name="Jane Doe", language="en")
        omar = Customer(name="Omar Haddad", language="ar")
        session.add_all([billing, tech, alice, bob, carol, jane, omar])
        session.flush()
        billing.team_lead_id = tech.team_lead_id = carol.id  # carol supervises both teams
        session.add_all(
            [
                QueueMember(queue_id=billing.id, agent_id=alice.id),
                QueueMember(queue_id=tech.id, agent_id=bob.id),
                CustomerEmail(customer_id=jane.id, address="jane@customer.test", is_primary=True),
                CustomerEmail(customer_id=omar.id, address="omar@customer.test", is_primary=True),
            ]
        )
        session.commit()
        return World(factory, billing.id, tech.id, alice.id, bob.id, carol.id, jane.id, omar.id)
