"""What the supervisor view shows, as plain values (no SQLAlchemy here: the views import this module)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class BoardState(enum.StrEnum):
    """Where a ticket stands against its earliest running clock."""

    BREACHED = "breached"  # the due time has passed
    WARNED = "warned"  # the sweep's pre-breach warning was taken
    DUE_SOON = "due soon"  # due within the board's horizon, not warned yet


@dataclass(frozen=True)
class BoardRow:
    """A ticket on the escalation board: open, with a clock running that is breached or about to be."""

    ticket_id: int
    number: int
    subject: str
    queue: str
    priority: str
    assignee: str | None
    due_at: dt.datetime
    state: BoardState
    level: int | None  # the highest escalation step taken (0 the warning, 1… the ladder); None: none yet


@dataclass(frozen=True)
class AgentLoad:
    """One agent of the team as the supervisor sees them: open tickets (of the queues the supervisor
    sees) against their capacity, availability, the oldest open ticket and today's breaches."""

    agent_id: int
    name: str
    availability: str
    open_tickets: int
    capacity: int
    oldest_open_at: dt.datetime | None
    breaches_today: int

    @property
    def over_capacity(self) -> bool:
        return self.open_tickets > self.capacity


@dataclass(frozen=True)
class ComplianceCount:
    """How many clocks of a queue were met and breached on one day (the day the clock was fulfilled, in
    its calendar's time zone), replayed from their ledgers."""

    day: dt.date
    queue: str
    target: str
    met: int
    breached: int


@dataclass(frozen=True)
class SupervisorOverview:
    """Everything the supervisor view shows, read in one go (the board, the team, the compliance)."""

    as_of: dt.datetime
    board: tuple[BoardRow, ...]
    team: tuple[AgentLoad, ...]
    compliance: tuple[ComplianceCount, ...]
    queues: tuple[str, ...]


@dataclass(frozen=True)
class SlaAlert:
    """A warning or escalation step the sweep took on a ticket of the signed-in agent's (for the tray)."""

    ticket_id: int
    number: int
    subject: str
    target: str
    level: int
    action: str
    due_at: dt.datetime | None  # the clock's due time as stored now (None once it stopped)

    @property
    def title(self) -> str:
        if self.level == 0:
            return "SLA warning"
        return f"SLA breached: escalation level {self.level}"


@dataclass(frozen=True)
class SlaAlerts:
    """Alerts after a moment, and the moment to ask from next time (the server's clock)."""

    as_of: dt.datetime
    alerts: tuple[SlaAlert, ...]
