"""The values the navigation hands the views. No SQLAlchemy here: the desktop imports this module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.services.tickets.dto import SortOrder, TicketFilter, TicketPage
from app.vocabulary import Priority

VIEW_PREFIX = "view:"


@dataclass(frozen=True)
class DeskView:
    """An entry of the navigation: a filter and a sort (its count comes separately, see `counts`)."""

    key: str
    label: str
    ticket_filter: TicketFilter
    sort: SortOrder = SortOrder.SLA_DUE
    saved: bool = False


@dataclass(frozen=True)
class FirstScreen:
    """What a window shows first, in one read (issue 12: the vocabulary beside the views, then a page, then maybe
    another were four round trips on two connections): the drop-downs' vocabulary (the queue's status labels
    too), the views, and the first page of "My tickets" by its key — and of "All open" when mine is empty, where
    the window then starts (`NavigationSidebar.leave_empty_mine` decides; this only reads ahead). Each page is
    of its view as read: unfiltered, in the view's own sort."""

    views: tuple[DeskView, ...]
    pages: Mapping[str, TicketPage]
    vocabulary: Vocabulary


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Vocabulary:
    """What the editor's drop-downs offer: statuses (key, label, category), queues, agents, the ordinary
    status moves the lifecycle allows (from, to), and who works which queue (queue key, agent key)."""

    statuses: tuple[tuple[str, str, str], ...]
    queues: tuple[Choice, ...]
    agents: tuple[Choice, ...]
    priorities: tuple[str, ...] = field(default=tuple(p.label for p in Priority))
    moves: tuple[tuple[str, str], ...] = ()
    members: tuple[tuple[str, str], ...] = ()
    leads: tuple[tuple[str, str], ...] = ()  # (queue key, agent key) of each queue's team lead

    def targets(self, status: str) -> list[str]:
        """The statuses a ticket in `status` may be moved to by an ordinary edit, in the statuses' order."""
        allowed = {to for frm, to in self.moves if frm == status}
        return [key for key, _label, _category in self.statuses if key in allowed]

    def status_labels(self) -> dict[str, str]:
        """Each status key's label, as the desk names it (admins add statuses)."""
        return {key: label for key, label, _category in self.statuses}

    def queues_of(self, agent_key: str, *, anywhere: bool = False) -> list[Choice]:
        """The queues an agent files tickets into: those they work or lead (every queue for an admin,
        `anywhere`), as the database's policy has it; Ctrl+N offered every queue and defaulted to one the
        agent could not use, and the refusal was the policy's own words."""
        if anywhere:
            return list(self.queues)
        theirs = {queue for queue, agent in (*self.members, *self.leads) if agent == agent_key}
        return [queue for queue in self.queues if queue.key in theirs]

    def agents_of(self, queue_key: str) -> list[Choice]:
        """Who may hold the queue's tickets, as `works_queue` has it: its members and its team lead (who
        need not be a member). Admins may too, but are offered only where they work or lead."""
        working = {agent for queue, agent in (*self.members, *self.leads) if queue == queue_key}
        return [agent for agent in self.agents if agent.key in working]


@dataclass(frozen=True)
class AboutDesk:
    """What Help ▸ About shows: this build, the schema it needs and finds, and the server it talks to
    (`host` None: a local socket, as the embedded database on this computer)."""

    version: str
    code_revision: str
    schema_revision: str | None
    server_version: str
    host: str | None
    port: int | None
    database: str
    login: str

    @property
    def schema_is_current(self) -> bool:
        return self.schema_revision == self.code_revision
