"""The values the navigation hands the views. No SQLAlchemy here: the desktop imports this module."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.services.tickets.dto import SortOrder, TicketFilter
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
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Vocabulary:
    """What the editor's drop-downs offer: statuses (key, label, category), queues, agents."""

    statuses: tuple[tuple[str, str, str], ...]
    queues: tuple[Choice, ...]
    agents: tuple[Choice, ...]
    priorities: tuple[str, ...] = field(default=tuple(p.label for p in Priority))
