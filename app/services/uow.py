"""The unit of work: one transaction, the acting agent, and what changed.

Nothing is committed unless the caller says `uow.commit()`; leaving the block rolls back. On commit the
changes are appended to the change log — under a transaction-scoped advisory lock, so the log's sequence
follows commit order and a reader never skips an entry that commits late — and one NOTIFY carrying ids only
goes out, delivered by PostgreSQL only if the transaction commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.models import Agent, ChangeLogEntry
from app.models.enums import AgentRole
from app.services.clock import Clock, system_clock
from app.services.errors import NotPermitted

CHANGES_CHANNEL = "switchboard_changes"
CHANGE_LOG_LOCK_KEY = 0x5377_6368  # "Swch": any fixed bigint, only this module takes it
MAX_IDS_IN_NOTIFY = 200


@dataclass(frozen=True)
class Actor:
    agent_id: int
    login: str
    display_name: str
    role: AgentRole


@dataclass(frozen=True)
class Change:
    entity: str
    entity_id: int
    ticket_id: int | None
    operation: str


class UnitOfWork:
    """Use as `with UnitOfWork(factory) as uow: ...; uow.commit()`.

    Attributes:
        session: the SQLAlchemy session of this transaction (services only; never handed to views).
        clock: returns the current UTC time; tests pass a fixed one.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        acting_login: str | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._session_factory = session_factory
        self._acting_login = acting_login
        self._actor: Actor | None = None
        self._changes: list[Change] = []
        self.clock = clock

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self._changes = []
        self._actor = None
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    @property
    def actor(self) -> Actor:
        """The agent this transaction acts for: the database login's agent, looked up once."""
        if self._actor is None:
            self._actor = self._resolve_actor()
        return self._actor

    def _resolve_actor(self) -> Actor:
        login = self._acting_login or self.session.execute(text("SELECT session_user")).scalar_one()
        agent = self.session.execute(select(Agent).where(Agent.db_login == login, Agent.is_active)).scalar_one_or_none()
        if agent is None:
            raise NotPermitted(
                f"The database login {login!r} is not an active Switchboard agent; "
                "an admin adds it with `switchboard user add`."
            )
        return Actor(agent.id, agent.db_login, agent.display_name, agent.role)

    def record(self, entity: str, entity_id: int, operation: str, *, ticket_id: int | None = None) -> None:
        self._changes.append(Change(entity, entity_id, ticket_id, operation))

    def commit(self) -> None:
        self.session.flush()
        if self._changes:
            self._append_change_log()
        self.session.commit()
        self._changes = []

    def _append_change_log(self) -> None:
        self.session.execute(select(text(f"pg_advisory_xact_lock({CHANGE_LOG_LOCK_KEY})")))
        rows = [
            {"entity": c.entity, "entity_id": c.entity_id, "ticket_id": c.ticket_id, "operation": c.operation}
            for c in self._changes
        ]
        seqs = self.session.scalars(insert(ChangeLogEntry).returning(ChangeLogEntry.seq), rows).all()
        ticket_ids = sorted({c.ticket_id for c in self._changes if c.ticket_id is not None})
        payload: dict[str, object] = {"seq": max(seqs)}
        if len(ticket_ids) <= MAX_IDS_IN_NOTIFY:
            payload["tickets"] = ticket_ids
        self.session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANGES_CHANNEL, "payload": json.dumps(payload)},
        )
