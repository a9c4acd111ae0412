"""The desk's routing area (`desk.routing`): why a ticket went to whom, one's availability, get next."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.models import Agent, Ticket
from app.services.platform.actor import Actor
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.routing import engine
from app.services.routing.dto import CandidateView, FactorView, RoutingExplanation
from app.services.tickets import service
from app.services.tickets.dto import TicketChanged
from app.vocabulary import Availability


class Routing(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    def explain(self, ticket_id: int) -> RoutingExplanation | None:
        """The ticket's latest routing decision; None when it was never routed."""
        with self.runtime.uow() as uow:
            decision = engine.latest_decision(uow, ticket_id)
            if decision is None:
                return None
            names: dict[int | None, str] = dict(uow.session.execute(select(Agent.id, Agent.display_name)).all())
            number = uow.session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
            return RoutingExplanation(
                ticket_number=int(number or 0),
                decided_at=decision.decided_at,
                asked_by=decision.asked_by,
                caller=names.get(decision.actor_agent_id),
                winner=names.get(decision.winner_agent_id),
                config_version=decision.config_version,
                relaxed=tuple(decision.relaxed),
                candidates=tuple(_candidate(c) for c in decision.ranked),
                exclusions=tuple((str(e["name"]), str(e["reason"])) for e in decision.exclusions),
            )

    def availability(self) -> Availability:
        with self.runtime.uow() as uow:
            state = uow.session.scalar(select(Agent.availability).where(Agent.id == self.me.agent_id))
            return Availability(state or Availability.OFFLINE)

    def set_availability(self, state: Availability) -> int:
        """Returns how many waiting tickets routing handed over (becoming available drains them)."""
        with self.runtime.uow() as uow:
            drained = engine.set_availability(uow, state)
            uow.commit()
            return len(drained)

    def next_ticket(self) -> TicketChanged | None:
        """Claim the most urgent waiting ticket of one's queues; None when nothing waits."""
        with self.runtime.uow() as uow:
            claimed = _claim_from_my_queues(uow)
            uow.commit()
            return claimed


def _claim_from_my_queues(uow: UnitOfWork) -> TicketChanged | None:
    for queue_id in uow.session.execute(engine.visible_queues_by_urgency()).scalars():
        claimed = service.claim_next(uow, queue_id=queue_id)
        if claimed is not None:
            return claimed
    return None


def _candidate(data: dict[str, Any]) -> CandidateView:
    factors = tuple(FactorView(str(f["factor"]), float(f["weighted"]), str(f["note"])) for f in data["factors"])
    return CandidateView(str(data["name"]), float(data["total"]), factors)
