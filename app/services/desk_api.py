"""What the desktop may ask of the help desk, as protocols over plain values: the views import this
module and the DTO modules, never the façade that implements it (import-linter holds them to that, with
indirect imports counted). `HelpDesk` in `desk.py` is the implementation the composition root hands in."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from app.services.navigation.dto import AboutDesk, Choice, DeskView, FirstScreen, Vocabulary
from app.services.platform.actor import Actor
from app.services.platform.live_notices import Listen
from app.services.responses.dto import CannedResponse
from app.services.tickets.dto import (
    FieldChanges,
    HistoryEntry,
    MessageView,
    PageCursor,
    TicketChanged,
    TicketDetail,
    TicketPage,
    TicketPlaces,
    TicketSummary,
)
from app.vocabulary import Availability

# The areas a window builds on first use (accounts, knowledge, routing, search, SLA) are named here for the
# type checker only: their values' modules load with the area or the view that shows them, not with the
# first painted queue (issue 12; tests/integration/test_client_start_imports.py).
if TYPE_CHECKING:
    from app.services.connectors.dto import AccountPanel
    from app.services.knowledge.dto import (
        Article,
        ArticleDiff,
        ArticleDraft,
        ArticleState,
        ArticleSummary,
        ArticleVersion,
        Category,
        Visibility,
    )
    from app.services.routing.dto import AgentRoutingFacts, DryRunPreview, QueueRoutingSettings, RoutingExplanation
    from app.services.search.dto import SearchHit, SearchResults
    from app.services.sla.admin_dto import CalendarInfo, DryRun, PolicyInfo, SlaSetup
    from app.services.sla.dto import Acknowledgement, BoardRow, SlaAlerts, SlaExplanation, SupervisorOverview


class NavigationArea(Protocol):
    def vocabulary(self) -> Vocabulary: ...
    def views(self) -> list[DeskView]: ...
    def first_screen(self, limit: int = 100) -> FirstScreen: ...
    def counts(self, views: list[DeskView]) -> dict[str, int]: ...
    def page(self, view: DeskView, after: PageCursor | None, limit: int = 100) -> TicketPage: ...
    def places(self, view: DeskView, after: PageCursor | None, limit: int = 1_000) -> TicketPlaces: ...
    def summaries(self, ticket_ids: list[int]) -> list[TicketSummary]: ...
    def save_view(self, label: str, view: DeskView) -> None: ...
    def rename_view(self, key: str, label: str) -> None: ...
    def delete_view(self, key: str) -> None: ...
    def find(self, text: str, limit: int = 20) -> list[TicketSummary]:
        """Tickets by number, subject words, customer name or address, organisation (as the filter box)."""
        ...

    def about(self) -> AboutDesk: ...


class TicketArea(Protocol):
    def ticket(self, ticket_id: int) -> TicketDetail: ...
    def message(self, message_id: int) -> MessageView: ...
    def history(self, ticket_id: int) -> list[HistoryEntry]: ...
    def sla_explanation(self, ticket_id: int) -> SlaExplanation:
        """Why the ticket is due when it is: its SLA ledger in words, per target (`sla explain`)."""
        ...

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
    def create_for_address(self, *, subject: str, address: str, queue_id: int, body: str) -> TicketChanged:
        """For the customer with that address, or a new one named as it says ("Nora New <nora@…>")."""
        ...

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
    # routing settings (supervisors for the queues they lead, admins for all; the database decides)
    def led_queues(self) -> list[tuple[int, str]]: ...
    def queue_settings(self, queue_id: int) -> QueueRoutingSettings: ...
    def queue_agents(self, queue_id: int) -> list[AgentRoutingFacts]: ...
    def preview(
        self, queue_id: int, settings: Mapping[str, Any], agent_facts: Mapping[int, Mapping[str, Any]], days: int = 30
    ) -> DryRunPreview: ...
    def save_settings(
        self, queue_id: int, settings: Mapping[str, Any] | None, agent_facts: Mapping[int, Mapping[str, Any]]
    ) -> int: ...


class AccountArea(Protocol):
    """The customer's account beside a ticket (issue 16): `panel` reads the team's cache only, `refresh`
    may ask the account-lookup tool (slow, may fail: the panel says so), `link` is the agent's audited
    correction of which account it is (None: none stored)."""

    def panel(self, ticket_id: int) -> AccountPanel: ...
    def refresh(self, ticket_id: int) -> AccountPanel: ...
    def link(self, ticket_id: int, key: str | None) -> AccountPanel: ...


class SearchArea(Protocol):
    """This login's search index on this workstation (issue 15); a window gets it from the sign-in."""

    def search(
        self, text: str, *, kinds: Sequence[str] = ..., limit: int = ..., typing: bool = ..., catch_up: bool = ...
    ) -> SearchResults: ...
    def similar(self, *, ticket_id: int, limit: int = ...) -> tuple[tuple[SearchHit, ...], tuple[SearchHit, ...]]:
        """Suggested articles and similar past tickets for a ticket."""
        ...

    def article_text(self, article_id: int) -> str | None: ...
    def follow(self, stop: threading.Event, *, interval: float = ...) -> None:
        """Keeps the index in step with the database until `stop` is set (a background thread's work)."""
        ...


class KnowledgeArea(Protocol):
    """Knowledge base articles; the database decides who reads and writes what (migration 0018)."""

    def may_edit(self) -> bool: ...
    def categories(self) -> list[Category]: ...
    def articles(self, state: ArticleState | None = None) -> list[ArticleSummary]: ...
    def article(self, article_id: int) -> Article: ...
    def create(
        self, *, title: str, body: str, tags: tuple[str, ...], category_id: int | None, visibility: Visibility
    ) -> Article: ...
    def save(
        self,
        article_id: int,
        expected_version: int,
        *,
        title: str,
        body: str,
        body_html: str | None,
        tags: tuple[str, ...],
        category_id: int | None,
        visibility: Visibility,
    ) -> Article:
        """A new version if the article is still at `expected_version`, else `ArticleConflict`."""
        ...

    def set_state(self, article_id: int, expected_version: int, state: ArticleState) -> Article: ...
    def history(self, article_id: int) -> list[ArticleVersion]: ...
    def diff(self, article_id: int, old_version: int | None = None, new_version: int | None = None) -> ArticleDiff: ...
    def from_ticket(self, ticket_id: int) -> tuple[Article, ArticleDraft]:
        """A resolved ticket as the caller's own draft article, the customer's data taken out."""
        ...


class SlaAdminArea(Protocol):
    """SLA policies (a team lead's over the queues they lead, an admin's all) and business calendars
    (admins); the database decides who may save what."""

    def setup(self) -> SlaSetup: ...
    def dry_run(self, changed: Mapping[int | None, Mapping[str, Any]]) -> DryRun: ...
    def save_policy(
        self, policy_id: int | None, expected_version: int | None, spec: Mapping[str, Any]
    ) -> PolicyInfo: ...
    def move_policy(self, policies: Sequence[PolicyInfo], policy_id: int, step: int) -> dict[int, int]: ...
    def apply_positions(self, positions: Mapping[int, int], versions: Mapping[int, int]) -> SlaSetup: ...
    def save_calendar(
        self,
        calendar_id: int | None,
        expected_version: int | None,
        *,
        name: str,
        time_zone: str,
        hours: Sequence[str],
        country: str | None,
        subdivision: str | None,
        closed: Mapping[dt.date, str] | Sequence[dt.date],
    ) -> CalendarInfo: ...
    def dry_run_calendar(
        self,
        calendar_id: int | None,
        *,
        name: str,
        time_zone: str,
        hours: Sequence[str],
        country: str | None,
        subdivision: str | None,
        closed: Mapping[dt.date, str] | Sequence[dt.date],
    ) -> DryRun: ...
    def closed_days(
        self, country: str | None, subdivision: str | None, own: Mapping[dt.date, str] | Sequence[dt.date], year: int
    ) -> list[tuple[dt.date, str]]: ...
    def named_days_from_ics(
        self, path: str, time_zone: str | None = None, hours: Sequence[str] = ()
    ) -> dict[dt.date, str]: ...
    def countries(self) -> list[tuple[str, str]]: ...
    def subdivisions(self, country: str) -> list[tuple[str, str]]: ...
    def time_zones(self) -> list[str]: ...


class SupervisionArea(Protocol):
    @property
    def allowed(self) -> bool:
        """Whether the signed-in person leads (supervisor or admin): only they get the supervisor view."""
        ...

    @property
    def sla_admin(self) -> SlaAdminArea:
        """The SLA policies and calendars, for the supervisor view's admin views."""
        ...

    def overview(self) -> SupervisorOverview: ...
    def board(self) -> list[BoardRow]: ...
    def acknowledge(self, ticket_id: int) -> Acknowledgement:
        """A lead of the ticket's queue or an admin acknowledges its escalation (idempotent, audited)."""
        ...

    def reassign(self, ticket_id: int, assignee_id: int | None, reason: str, expected_version: int) -> TicketChanged:
        """Assign with a reason, kept as an internal note, in one transaction."""
        ...

    def comment(self, ticket_id: int, body: str) -> TicketChanged: ...
    def assignees(self, ticket_id: int) -> list[tuple[int, str]]: ...
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
    def knowledge(self) -> KnowledgeArea: ...
    @property
    def supervision(self) -> SupervisionArea: ...


@dataclass(frozen=True)
class SignedInClient:
    """What a sign-in hands the desktop: the desk, live updates for one window's life, and how to let go."""

    desk: Desk
    listen: Listen
    close: Callable[[], None]
    keyring_note: str | None = None  # why the password was not remembered, when that was asked for
    accounts: AccountArea | None = None  # the account panel's area, when the desk has one

    search: SearchArea | None = None  # the login's search index (issue 15)


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
