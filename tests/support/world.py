"""A small help desk to test against: two queues, four agents, two customers.

alice works Billing; bob works Billing and Technical Support; dave works Technical Support only (the
"other queue's agent"); carol is a supervisor who leads both queues.

Each agent is a real PostgreSQL login in its group role, and `world.uow(person)` works as that login
(`SET SESSION AUTHORIZATION`, so `session_user`, grants and row-level security are the agent's own) inside
the test's rolled-back transaction. Only `world.trusted_uow()` is the superuser — for setting up and
checking, never for the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from psycopg import sql
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from app.bootstrap import Runtime
from app.models import Agent, Customer, CustomerEmail, Queue, QueueMember
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.events import EventHandlers
from app.services.platform.uow import UnitOfWork
from app.vocabulary import AgentRole

PEOPLE = {"alice": AgentRole.AGENT, "bob": AgentRole.AGENT, "carol": AgentRole.SUPERVISOR, "dave": AgentRole.AGENT}


class LoginUnitOfWork(UnitOfWork):
    """A unit of work whose every transaction runs as `login` (`SET LOCAL`, so it ends with the transaction).

    On the rolled-back test connection the unit's transactions are savepoints, which do not end a `SET
    LOCAL`: leaving the unit resets the authorization on that connection."""

    def __init__(self, factory: sessionmaker[Session], login: str, handlers: EventHandlers | None = None) -> None:
        super().__init__(factory, handlers=handlers)
        self._factory = factory
        self._statement = sql.SQL("SET LOCAL SESSION AUTHORIZATION {}").format(sql.Identifier(login)).as_string()

    def __enter__(self) -> LoginUnitOfWork:
        super().__enter__()
        event.listen(self.session, "after_begin", self._sign_in)
        return self

    def _sign_in(self, _session: Session, _transaction: object, connection: Connection) -> None:
        connection.exec_driver_sql(self._statement)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        bind = self._factory.kw.get("bind")
        if isinstance(bind, Connection):
            bind.exec_driver_sql("RESET SESSION AUTHORIZATION")


@dataclass(frozen=True)
class World:
    factory: sessionmaker[Session]
    database: str
    billing: int
    tech: int
    alice: int
    bob: int
    carol: int
    dave: int
    jane: int
    omar: int

    def login(self, person: str) -> str:
        return f"{self.database}_{person}"

    def uow(self, person: str = "alice", *, handlers: EventHandlers | None = None) -> UnitOfWork:
        return LoginUnitOfWork(self.factory, self.login(person), handlers)

    def trusted_uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory)


def login_url(url: URL, person: str) -> URL:
    """The URL a person signs in with: their own login (the test servers trust local connections)."""
    return url.set(username=f"{url.database}_{person}", password=None)


def runtime_as(url: URL, person: str) -> Runtime:
    """A runtime signed in as the person's own login, as the desktop client and the CLI are."""
    engine = build_engine(login_url(url, person))
    return Runtime(engine, build_session_factory(engine))


def create_login(session: Session, login: str, role: AgentRole) -> None:
    """The login and its group, as `add_user` makes them (idempotent: committed worlds reuse logins)."""
    database = session.execute(text("SELECT current_database()")).scalar_one()
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
    if exists is None:
        statement = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
            sql.Identifier(login), sql.Identifier(f"{database}_{role.value}")
        )
        session.connection().exec_driver_sql(statement.as_string())


def build_world(factory: sessionmaker[Session]) -> World:
    with factory() as session:
        database = session.execute(text("SELECT current_database()")).scalar_one()
        for person, role in PEOPLE.items():
            create_login(session, f"{database}_{person}", role)
        billing, tech = Queue(name="Billing"), Queue(name="Technical Support")
        alice = Agent(display_name="Alice Archer", email="alice@example.test", db_login=f"{database}_alice")
        bob = Agent(display_name="Bob Baker", email="bob@example.test", db_login=f"{database}_bob")
        carol = Agent(
            display_name="Carol Chen",
            email="carol@example.test",
            db_login=f"{database}_carol",
            role=AgentRole.SUPERVISOR,
        )
        dave = Agent(display_name="Dave Dunn", email="dave@example.test", db_login=f"{database}_dave")
        jane = Customer(name="Jane Doe", language="en")
        omar = Customer(name="Omar Haddad", language="ar")
        session.add_all([billing, tech, alice, bob, carol, dave, jane, omar])
        session.flush()
        billing.team_lead_id = tech.team_lead_id = carol.id  # carol leads both teams
        session.add_all(
            [
                QueueMember(queue_id=billing.id, agent_id=alice.id),
                QueueMember(queue_id=billing.id, agent_id=bob.id),
                QueueMember(queue_id=tech.id, agent_id=bob.id),
                QueueMember(queue_id=tech.id, agent_id=dave.id),
                CustomerEmail(customer_id=jane.id, address="jane@customer.test", is_primary=True),
                CustomerEmail(customer_id=omar.id, address="omar@customer.test", is_primary=True),
            ]
        )
        session.commit()
        return World(factory, database, billing.id, tech.id, alice.id, bob.id, carol.id, dave.id, jane.id, omar.id)
