"""The help desk as the desktop client sees it: a thin façade with one attribute per area, each method its
own unit of work returning frozen values. The views call it from background threads only, and know it
only by the protocol in `desk_api` (no SQLAlchemy on their side of the line).

Driver errors stop here: every public method of every area raises the domain's `KnownError`s
(`platform/database/boundary.py`), so the views never see a SQLAlchemy or psycopg exception, nor its SQL.
New areas (routing, SLA, search, connectors) join as attributes beside these.
"""

from __future__ import annotations

from app.services.connectors.area import Accounts
from app.services.connectors.discovery import ConnectorRegistry
from app.services.knowledge.area import KnowledgeBase
from app.services.navigation.presence import Presence
from app.services.navigation.views import Navigation
from app.services.platform.actor import Actor
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWorkSource
from app.services.responses.service import Responses
from app.services.routing.area import Routing
from app.services.sla.supervision import Supervision
from app.services.tickets.work import TicketWork


class HelpDesk(SpeaksDomainErrors):
    """Attributes:
    me: the signed-in agent.
    navigation: views, counts, pages, saved views, the vocabulary.
    tickets: reading and working one ticket.
    presence: announcing who is on which ticket.
    responses: canned responses and the agent's signature.
    routing: why a ticket went to whom, one's availability, get next.
    accounts: the customer's account beside a ticket, from the account-lookup connector and its cache.

    knowledge: knowledge base articles (read, write, publish, history), a solved ticket as a draft.

    supervision: the supervisor view's board, team load and SLA compliance (team leads and admins).
    """

    def __init__(self, runtime: UnitOfWorkSource, connectors: ConnectorRegistry | None = None) -> None:
        with runtime.uow() as uow:
            self.me: Actor = uow.actor
        self.navigation = Navigation(runtime, self.me)
        self.tickets = TicketWork(runtime, self.me)
        self.presence = Presence(runtime)
        self.responses = Responses(runtime)
        self.routing = Routing(runtime, self.me)
        self.accounts = Accounts(runtime, connectors)

        self.knowledge = KnowledgeBase(runtime)

        self.supervision = Supervision(runtime, self.me)
