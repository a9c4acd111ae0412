"""A help desk with real login roles for the security tests, one per test module (roles are cluster-wide,
so every login carries the database's name).

People: alice and ann work Billing, bob works Tech, carol is a supervisor who leads Tech, sam is a
supervisor who works Billing but leads nothing, dana is an admin; `outsider` is a login in no Switchboard
group, and `ghost` is in the agent group with no agent row (what a dropped desk leaves behind).
Tickets: billing_open (unassigned), billing_anns (ann's), tech_open (unassigned), tech_bobs (bob's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.people import users
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.uow import UnitOfWork
from app.services.tickets import service
from app.vocabulary import AgentRole
from tests.support.postgres import PgServer


@dataclass(frozen=True)
class Desk:
    """A help desk with real login roles: alice and ann work Billing, bob works Tech, carol leads Tech
    (supervisor), dana is an admin; `outsider` is a login in no Switchboard group."""

    url: URL
    database: str
    ids: dict[str, int]

    def login(self, person: str) -> str:
        return f"{self.database}_{person}"

    def connect(self, person: str) -> psycopg.Connection[tuple[object, ...]]:
        url = self.url.set(drivername="postgresql", username=self.login(person), password=None)
        connection = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        connection.execute("SET search_path TO switchboard")
        _opened.append(connection)
        return connection

    def connect_as_dba(self) -> psycopg.Connection[tuple[object, ...]]:
        """The superuser, for setting up probes and checking what they left, never for the probe itself."""
        return psycopg.connect(
            self.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        )

    def runtime(self, person: str) -> Runtime:
        engine = build_engine(self.url.set(username=self.login(person), password=None))
        _engines.append(engine)
        return Runtime(engine, build_session_factory(engine))


@pytest.fixture(scope="module")
def desk(pg_server: PgServer) -> Iterator[Desk]:
    url = pg_server.migrated_database()
    engine = build_engine(url)
    database = str(url.database)
    ids: dict[str, int] = {}
    with UnitOfWork(build_session_factory(engine)) as uow:  # the DBA's trusted session
        s = uow.session
        ids["billing"] = s.execute(text("SELECT switchboard.create_queue('Billing', '')")).scalar_one()
        ids["tech"] = s.execute(text("SELECT switchboard.create_queue('Tech', '')")).scalar_one()
        for person, role, queues in [
            ("alice", "agent", ["billing"]),
            ("ann", "agent", ["billing"]),
            ("bob", "agent", ["tech"]),
            ("carol", "supervisor", []),
            ("sam", "supervisor", ["billing"]),
            ("dana", "admin", []),
        ]:
            ids[person] = users.add_user(
                uow,
                login=f"{database}_{person}",
                display_name=person.title(),
                email=f"{person}@desk.test",
                role=AgentRole(role),
                queue_ids=tuple(ids[q] for q in queues),
            ).agent_id
        s.execute(text(f"UPDATE switchboard.queue SET team_lead_id = {ids['carol']} WHERE id = {ids['tech']}"))
        s.execute(text(f'CREATE ROLE "{database}_outsider" LOGIN'))
        # A login in no group cannot connect to the desk's database (migration 0047); let in here as if a DBA
        # had, so the probes show what such a login could do inside it still holds.
        s.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{database}_outsider"'))
        s.execute(text(f'CREATE ROLE "{database}_ghost" LOGIN IN ROLE "{database}_agent"'))
        ids["jane"] = s.execute(
            text("INSERT INTO switchboard.customer (name) VALUES ('Jane Doe') RETURNING id")
        ).scalar_one()
        s.execute(
            text("INSERT INTO switchboard.customer_email (customer_id, address, is_primary) VALUES (:c, :a, true)"),
            {"c": ids["jane"], "a": "jane@customer.test"},
        )
        ids["omar"] = s.execute(
            text("INSERT INTO switchboard.customer (name) VALUES ('Omar Haddad') RETURNING id")
        ).scalar_one()
        uow.commit()
    engine.dispose()
    desk = Desk(url, database, ids)
    for name, person, queue in [
        ("billing_open", "alice", "billing"),
        ("billing_anns", "ann", "billing"),
        ("tech_open", "bob", "tech"),
        ("tech_bobs", "bob", "tech"),
    ]:
        runtime = desk.runtime(person)
        with runtime.uow() as uow:
            ticket = service.create_ticket(
                uow, subject=f"{name} ticket", customer_id=ids["jane"], queue_id=ids[queue], body="Help!"
            ).ticket
            if name in ("billing_anns", "tech_bobs"):
                service.assign(uow, ticket_id=ticket.id, assignee_id=ids[person], expected_version=None)
            uow.commit()
        runtime.close()
        ids[name] = ticket.id
    yield desk
    close_what_probes_left_open()
    pg_server.drop_database(url)


# Every login connection a probe opened, closed when its module's desk goes at the latest: one a test left
# referenced in a cycle (a traceback kept by pytest.raises, a thread's frame) was collected tests later, and
# its ResourceWarning failed whichever GUI test ran the collection then (CI, twice, on another worker).
_opened: list[psycopg.Connection[tuple[object, ...]]] = []
_engines: list[Engine] = []


def close_what_probes_left_open() -> None:
    while _opened:
        connection = _opened.pop()
        if not connection.closed:
            connection.close()
    while _engines:
        _engines.pop().dispose()  # a runtime a test did not close (closing one twice does nothing)
