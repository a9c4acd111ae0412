"""The help desk as the desktop client sees it: a thin façade with one attribute per area, each method its
own unit of work returning frozen values. The views call it from background threads only, and know it
only by the protocol in `desk_api` (no SQLAlchemy on their side of the line).

Driver errors stop here: every public method of every area raises the domain's `KnownError`s
(`platform/database/boundary.py`), so the views never see a SQLAlchemy or psycopg exception, nor its SQL.
New areas (routing, SLA, search, connectors) join as attributes beside these.

The areas the first painted queue needs (navigation, tickets, presence, responses) are built with the
desk; the others (routing, accounts, knowledge, supervision) are imported and built on first use, so a
client's start does not pay for modules it may not touch for minutes (issue 12: the desk's eager imports
were a quarter of the client's start-up). tests/integration/test_client_start_imports.py keeps it so.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from app.services.navigation.presence import Presence
from app.services.navigation.views import Navigation
from app.services.platform.actor import Actor
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWorkSource
from app.services.responses.service import Responses
from app.services.tickets.work import TicketWork

if TYPE_CHECKING:
    from app.services.connectors.area import Accounts
    from app.services.connectors.discovery import ConnectorRegistry
    from app.services.knowledge.area import KnowledgeBase
    from app.services.routing.area import Routing
    from app.services.sla.supervision import Supervision


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
        self.runtime, self._connectors = runtime, connectors
        self.navigation = Navigation(runtime, self.me)
        self.tickets = TicketWork(runtime, self.me)
        self.presence = Presence(runtime)
        self.responses = Responses(runtime)

    # Built on first use, on whichever thread asks first (Python 3.11's cached_property builds them under a
    # lock; without one, two threads asking at once could each build an area and one would be kept).

    @cached_property
    def routing(self) -> Routing:
        from app.services.routing.area import Routing

        return Routing(self.runtime, self.me)

    @cached_property
    def accounts(self) -> Accounts:
        from app.services.connectors.area import Accounts

        return Accounts(self.runtime, self._connectors)

    def has_accounts(self) -> bool:
        """Whether the desk shows an account panel at all (a connector is configured), read from the settings
        without building `accounts` (its modules load with the first ticket's panel)."""
        from app.services.connectors.discovery import ConnectorRegistry, any_configured

        if self._connectors is None:
            self._connectors = ConnectorRegistry()  # the same registry `accounts` is built with
        return any_configured(self._connectors)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        from app.services.knowledge.area import KnowledgeBase

        return KnowledgeBase(self.runtime)

    @cached_property
    def supervision(self) -> Supervision:
        from app.services.sla.supervision import Supervision

        return Supervision(self.runtime, self.me)
