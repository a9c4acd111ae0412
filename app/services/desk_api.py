"""What the desktop may ask of the help desk, as protocols over plain values: the views import this
module and the DTO modules, never the façade that implements it (import-linter holds them to that, with
indirect imports counted). `HelpDesk` in `desk.py` is the implementation the composition root hands in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.services.navigation.dto import AboutDesk, Choice, DeskView, Vocabulary
from app.services.platform.actor import Actor
from app.services.platform.live_notices import Listen
from app.services.responses.dto import CannedResponse
from app.services.routing.dto import RoutingExplanation
from app.services.sla.dto import BoardRow, SlaAlerts, SupervisorOverview
from app.services.tickets.dto import (
    FieldChanges,
    HistoryEntry,
    MessageView,
    PageCursor,
    TicketChanged,
    TicketDetail,
    TicketPage,
    TicketSummary,
)
from app.vocabulary import Availability


class NavigationArea(Protocol):
    def vocabulary(self) -> Vocabulary: ...
    def views(self) -> list[DeskView]: ...
    def counts(self, views: list[DeskView]) -> dict[str, int]: ...
    def page(self, view: DeskView, after: PageCursor | None, limit: int = 100) -> TicketPage: ...
    def summaries(self, ticket_ids: list[int]) -> list[TicketSummary]: ...
    def save_view(self, label: str, view: DeskView) -> None: ...
    def find(self, text: str, limit: int = 20) -> list[TicketSummary]:
        """Tickets by number, subject words, customer name or address, organisation (as the filter box)."""
        ...

    def about(self) -> AboutDesk: ...


class TicketArea(Protocol):
    def ticket(self, ticket_id: int) -> TicketDetail: ...
    def message(self, message_id: int) -> MessageView: ...
    def history(self, ticket_id: int) -> list[HistoryEntry]: ...
    def reply(
        self, ticket_id: int, body: str, expected_version: int, then_status: str | None = None
    ) -> TicketChanged: ...
    def note(
        self, ticket_id: int, body: str, expected_version: int, then_status: str | None = None
    ) -> TicketChanged: ...
    def change_status(self, ticket_id: int, status: str, expected_version: int) -> TicketChanged: ...
    def assign(self, ticket_id: int, assignee_id: int | None, expected_version: int) -> TicketChanged: ...
    def take(self, ticket_id: int, expected_version: int) -> TicketChanged: ...
    def edit_ticket(
        self, ticket_id: int, status: str | None, changes: FieldChanges, expected_version: int
    ) -> TicketChanged: ...
    def edit_and_assign(
        self,
        ticket_id: int,
        status: str | None,
        changes: FieldChanges,
        assignee_id: int | None,
        expected_version: int,
    ) -> TicketChanged:
        """Status, fields and the assignee (None: nobody) in one transaction: a refused part saves nothing."""
        ...

    def customers(self, text: str, limit: int = 10) -> list[Choice]:
        """Customers by name or address words, for the new-ticket type-ahead (key: the customer's id)."""
        ...

    def create(self, *, subject: str, customer_id: int, queue_id: int, body: str) -> TicketChanged: ...
    def merge(self, source_id: int, target_id: int, expected_version: int) -> TicketChanged: ...
    def link(self, ticket_id: int, related_id: int) -> TicketChanged: ...


class ResponseArea(Protocol):
    def for_ticket(self, ticket_id: int) -> list[CannedResponse]:
        """The responses offered on this ticket (its queue's and the team-wide ones), by title."""
        ...

    def render(self, response_id: int, ticket_id: int) -> str:
        """The response with its placeholders filled for this ticket and the signed-in agent."""
        ...

    def signature(self) -> str: ...
    def set_signature(self, text: str) -> None: ...


class RoutingArea(Protocol):
    def explain(self, ticket_id: int) -> RoutingExplanation | None: ...
    def availability(self) -> Availability: ...
    def set_availability(self, state: Availability) -> int: ...
    def next_ticket(self) -> TicketChanged | None: ...


class SupervisionArea(Protocol):
    @property
    def allowed(self) -> bool:
        """Whether the signed-in person leads (supervisor or admin): only they get the supervisor view."""
        ...

    def overview(self) -> SupervisorOverview: ...
    def board(self) -> list[BoardRow]: ...
    def alerts(self, after: dt.datetime | None) -> SlaAlerts:
        """Every agent's own: SLA warnings and escalation steps on their tickets since `after`."""
        ...


class PresenceArea(Protocol):
    def announce(self, ticket_id: int, state: str) -> None: ...


class Desk(Protocol):
    @property
    def me(self) -> Actor: ...
    @property
    def navigation(self) -> NavigationArea: ...
    @property
    def tickets(self) -> TicketArea: ...
    @property
    def presence(self) -> PresenceArea: ...
    @property
    def responses(self) -> ResponseArea: ...
    @property
    def routing(self) -> RoutingArea: ...
    @property
    def supervision(self) -> SupervisionArea: ...


@dataclass(frozen=True)
class SignedInClient:
    """What a sign-in hands the desktop: the desk, live updates for one window's life, and how to let go."""

    desk: Desk
    listen: Listen
    close: Callable[[], None]
    keyring_note: str | None = None  # why the password was not remembered, when that was asked for


@dataclass(frozen=True)
class ServerChoice:
    """Where to sign in, as the sign-in form shows it: this computer's embedded database (no host) or a
    team server. `set_by` names the flag, environment variable or settings file that fixed it; the form
    is then locked and the configured server is used exactly as configured."""

    host: str | None = None
    port: int = 5432
    database: str = "switchboard"
    ca_file: str = ""
    user: str | None = None
    set_by: str | None = None


class SignInService(Protocol):
    def configured_server(self) -> ServerChoice | None:
        """The server `--database`, the environment or a settings file names; None when nothing does."""
        ...

    def sign_in(
        self, server: ServerChoice, login: str | None, password: str | None, *, remember: bool
    ) -> SignedInClient:
        """Connect as this login (the password from the OS keyring when none is given); may block."""
        ...
