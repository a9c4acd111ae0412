"""The desk's routing area (`desk.routing`): why a ticket went to whom, one's availability, get next."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.models import Agent
from app.services.platform.actor import Actor
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.routing.dto import (
    AgentRoutingFacts,
    DryRunPreview,
    QueueRoutingSettings,
    RoutingExplanation,
)
from app.services.tickets import service
from app.services.tickets.dto import TicketChanged
from app.vocabulary import Availability

PREVIEW_DAYS = 30

# The routing engine (its scoring), the dry run and the settings are imported when a method first needs
# them: the desk's routing area is built at the client's start (the availability menu asks for one's
# state), and those modules are not needed to paint the first queue (issue 12).


class Routing(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    def explain(self, ticket_id: int) -> RoutingExplanation | None:
        """The ticket's latest routing decision; None when it was never routed."""
        from app.services.routing import engine

        with self.runtime.uow() as uow:
            return engine.explain(uow, ticket_id)

    def availability(self) -> Availability:
        with self.runtime.uow() as uow:
            state = uow.session.scalar(select(Agent.availability).where(Agent.id == self.me.agent_id))
            return Availability(state or Availability.OFFLINE)

    def set_availability(self, state: Availability) -> int:
        """Returns how many waiting tickets routing handed over (becoming available drains them)."""
        from app.services.routing import engine

        with self.runtime.uow() as uow:
            drained = engine.set_availability(uow, state)
            uow.commit()
            return len(drained)

    def led_queues(self) -> list[tuple[int, str]]:
        """The queues whose routing one may change (a lead's, or every queue for an admin), by name."""
        from app.services.routing import settings as routing_settings

        with self.runtime.uow() as uow:
            return sorted(routing_settings.led_queues(uow), key=lambda q: q[1].lower())

    def queue_settings(self, queue_id: int) -> QueueRoutingSettings:
        from app.services.routing import settings as routing_settings

        with self.runtime.uow() as uow:
            return routing_settings.queue_settings(uow, queue_id)

    def queue_agents(self, queue_id: int) -> list[AgentRoutingFacts]:
        from app.services.routing import settings as routing_settings

        with self.runtime.uow() as uow:
            return routing_settings.queue_agents(uow, queue_id)

    def preview(
        self,
        queue_id: int,
        settings: Mapping[str, Any],
        agent_facts: Mapping[int, Mapping[str, Any]],
        days: int = PREVIEW_DAYS,
    ) -> DryRunPreview:
        """The queue's last days replayed under these settings and agents' facts; nothing is written."""
        from app.services.routing.dry_run import dry_run

        with self.runtime.uow() as uow:
            result = dry_run(uow, dict(settings), days=days, now=uow.now(), queue_id=queue_id, agent_facts=agent_facts)
            return result.preview(days)

    def save_settings(
        self, queue_id: int, settings: Mapping[str, Any] | None, agent_facts: Mapping[int, Mapping[str, Any]]
    ) -> int:
        """The queue's settings (None: unchanged) and the agents' changed facts, in one transaction, through
        the database's checks; returns the queue's settings version after."""
        from app.services.routing import settings as routing_settings

        with self.runtime.uow() as uow:
            for agent_id, facts in sorted(agent_facts.items()):
                routing_settings.set_agent_facts(uow, agent_id, facts)
            if settings is not None:
                routing_settings.save_queue_settings(uow, queue_id, settings)
            uow.commit()
            return routing_settings.queue_settings(uow, queue_id).version

    def next_ticket(self) -> TicketChanged | None:
        """Claim the most urgent waiting ticket of one's queues; None when nothing waits."""
        with self.runtime.uow() as uow:
            claimed = _claim_from_my_queues(uow)
            uow.commit()
            return claimed


def _claim_from_my_queues(uow: UnitOfWork) -> TicketChanged | None:
    from app.services.routing import engine

    for queue_id in uow.reads().execute(engine.visible_queues_by_urgency()).scalars():
        claimed = service.claim_next(uow, queue_id=queue_id)
        if claimed is not None:
            return claimed
    return None
