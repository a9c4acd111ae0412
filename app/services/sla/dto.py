"""What the supervisor view shows, as plain values (no SQLAlchemy here: the views import this module)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.services.routing.dto import WaitingTicket
from app.services.sla.clocks import LedgerEvent, Target


class BoardState(enum.StrEnum):
    """Where a ticket stands against its earliest running clock."""

    BREACHED = "breached"  # the due time has passed
    WARNED = "warned"  # the sweep's pre-breach warning was taken
    DUE_SOON = "due soon"  # due within the board's horizon, not warned yet


class Risk(enum.StrEnum):
    """Where a ticket stands against its due time and the typical handling of similar tickets (see
    `app.services.sla.prediction`)."""

    BREACHED = "breached"
    LIKELY = "likely to breach"
    ON_TRACK = "on track"
    PAUSED = "paused"


@dataclass(frozen=True)
class BoardRow:
    """A ticket on the escalation board: open, with a clock running that is breached or about to be,
    ranked by predicted breach (`app.services.sla.prediction`)."""

    ticket_id: int
    number: int
    subject: str
    queue: str
    priority: str
    assignee: str | None
    due_at: dt.datetime
    state: BoardState
    level: int | None  # the highest escalation step taken (0 the warning, 1… the ladder); None: none yet
    target: str = "resolution"  # the clock that is due first
    minutes_left: float | None = None  # business minutes to the due time (negative: overdue by)
    typical_minutes: float | None = None  # median handling of similar tickets, business minutes; None: no history
    margin: float | None = None  # business minutes between the typical finish and the due time
    risk: Risk = Risk.ON_TRACK
    past_typical: bool = False  # open longer than similar tickets take: no estimate beyond the time left
    acknowledged_by: str | None = None  # the lead who acknowledged the escalation as it stands
    acknowledged_at: dt.datetime | None = None
    version: int = 0  # the ticket's version when read (for reassigning from the board)
    assignee_id: int | None = None
    queue_id: int = 0


def minutes_words(minutes: float | None) -> str:
    """`2 h 5 min`, `-40 min`, `—`: a number of minutes for a table cell or a line of the CLI."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    hours, rest = divmod(abs(whole), 60)
    words = f"{hours} h {rest} min" if hours and rest else (f"{hours} h" if hours else f"{rest} min")
    return f"-{words}" if whole < 0 else words


_DURATION = re.compile(
    r"^(?:(?P<hours>\d+(?:[.,]\d+)?)\s*(?:h|hrs?|hours?))?\s*(?:(?P<minutes>\d+)\s*(?:m|mins?|minutes?)?)?$"
)
_CLOCK = re.compile(r"^(?P<hours>\d+):(?P<minutes>[0-5]\d)$")


def minutes_from_words(text: str) -> int | None:
    """The minutes a person typed as a duration, as `minutes_words` writes them or as people do: `240`,
    `4 h`, `1 h 30 min`, `1h30`, `1.5 h`, `1:30` (a team lead thought in hours and the editor took minutes
    only). None when it is not one; days are not taken (a business day is the calendar's, not 24 h)."""
    typed = " ".join(text.strip().lower().split())
    clock = _CLOCK.match(typed)
    if clock:
        return int(clock["hours"]) * 60 + int(clock["minutes"])
    found = _DURATION.match(typed) if typed else None
    if found is None or not (found["hours"] or found["minutes"]):
        return None
    hours = float(found["hours"].replace(",", ".")) if found["hours"] else 0.0
    total = hours * 60 + int(found["minutes"] or 0)
    return round(total) if total == round(total) else None


def left_words(minutes: float | None, *, short: bool = False) -> str:
    """Business time left to a target as people say it: "overdue by 39 h", not "-39 h left" (a board cell
    takes the `short` form: "39 h over"); None is a paused clock."""
    if minutes is None:
        return "paused"
    if minutes < 0:
        return f"{minutes_words(-minutes)} over" if short else f"overdue by {minutes_words(-minutes)} of business time"
    return minutes_words(minutes) if short else f"{minutes_words(minutes)} of business time left"


@dataclass(frozen=True)
class Acknowledgement:
    """A ticket's escalation as acknowledged: the level (the highest step taken then; -1 before any), who
    and when; `recorded` says whether this call recorded it (False: it was acknowledged at that level)."""

    ticket_id: int
    number: int
    level: int
    acknowledged_by: str | None
    acknowledged_at: dt.datetime
    recorded: bool

    def as_json(self) -> dict[str, object]:
        return {
            "ticket": self.number,
            "level": self.level,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": self.acknowledged_at.isoformat(),
            "recorded": self.recorded,
        }


@dataclass(frozen=True)
class AgentLoad:
    """One agent of the team as the supervisor sees them: their open tickets in the queues the supervisor
    sees, waiting ones included; their load as routing counts it against their capacity (`queue_loads()`:
    open tickets in every queue, not waiting ones, an urgent one twice: Team load said "12 of 20 open" of an
    agent routing had left out "at capacity 20/20"); availability, the oldest open ticket and today's
    breaches."""

    agent_id: int
    name: str
    availability: str
    open_tickets: int
    capacity: int
    oldest_open_at: dt.datetime | None
    breaches_today: int
    routing_load: int = 0

    @property
    def over_capacity(self) -> bool:
        return self.routing_load > self.capacity

    @property
    def load_share(self) -> float:
        """The routing load against capacity (1.0: at capacity; a capacity of 0 takes nothing)."""
        return self.routing_load / self.capacity if self.capacity > 0 else float(self.routing_load > 0)

    def load_words(self) -> str:
        """ "load 35 of 25 (140%)": as routing counts it."""
        share = f" ({self.load_share:.0%})" if self.capacity > 0 else ""
        return f"load {self.routing_load} of {self.capacity}{share}"

    def as_json(self) -> dict[str, object]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "availability": self.availability,
            "open": self.open_tickets,
            "routing_load": self.routing_load,
            "capacity": self.capacity,
            "over_capacity": self.over_capacity,
            "oldest_open_at": None if self.oldest_open_at is None else self.oldest_open_at.isoformat(),
            "breaches_today": self.breaches_today,
        }

    def in_words(self) -> str:
        """One line of `switchboard team`: "Bob Baker: load 35 of 25 (140%), over capacity, 38 open,
        available; oldest open since 2026-12-01 09:12; 2 breaches today"."""
        over = ", over capacity" if self.over_capacity else ""
        oldest = "" if self.oldest_open_at is None else f"; oldest open since {self.oldest_open_at:%Y-%m-%d %H:%M}"
        breaches = f"{self.breaches_today} breach{'' if self.breaches_today == 1 else 'es'} today"
        return (
            f"{self.name}: {self.load_words()}{over}, {self.open_tickets} open, {self.availability}{oldest}; {breaches}"
        )


@dataclass(frozen=True)
class ComplianceCount:
    """How many clocks of a queue's tickets of one priority were met and breached on one day (the day the
    clock was fulfilled, in its calendar's time zone), replayed from their ledgers."""

    day: dt.date
    queue: str
    target: str
    met: int
    breached: int
    priority: str = ""  # the ticket's priority ("urgent" … "low"); issue 14 asks for compliance per priority too

    def as_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "queue": self.queue,
            "priority": self.priority,
            "target": self.target,
            "met": self.met,
            "breached": self.breached,
        }


@dataclass(frozen=True)
class SupervisorOverview:
    """Everything the supervisor view shows, read in one go (the board, the team, the compliance, and the
    tickets routing found no eligible agent for)."""

    as_of: dt.datetime
    board: tuple[BoardRow, ...]
    team: tuple[AgentLoad, ...]
    compliance: tuple[ComplianceCount, ...]
    queues: tuple[str, ...]
    nobody: tuple[WaitingTicket, ...] = ()


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


# --- why a ticket is due when it is (`ledger.explain_ticket`; the ticket view, `sla explain`) ---


@dataclass(frozen=True)
class TargetExplanation:
    target: Target
    target_minutes: int | None
    due_at: dt.datetime | None
    running: bool
    met: bool | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SlaExplanation:
    """Why the ticket is due when it is: per target, its ledger in words and what it adds up to."""

    ticket_id: int
    number: int
    policy: str | None
    calendar: str
    time_zone: str
    stored_due: Mapping[str, dt.datetime | None]
    targets: tuple[TargetExplanation, ...]
    events: tuple[LedgerEvent, ...]

    def as_json(self) -> dict[str, Any]:
        def when(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "ticket": self.number,
            "policy": self.policy,
            "calendar": self.calendar,
            "time_zone": self.time_zone,
            "due": {column: when(value) for column, value in self.stored_due.items()},
            "targets": [
                {
                    "target": t.target.value,
                    "minutes": t.target_minutes,
                    "due_at": when(t.due_at),
                    "running": t.running,
                    "met": t.met,
                    "explanation": list(t.lines),
                }
                for t in self.targets
            ],
            "ledger": [
                {
                    "at": e.at.isoformat(),
                    "target": e.target.value,
                    "entry": e.entry.value,
                    "status": e.status,
                    "note": e.note,
                }
                for e in self.events
            ],
        }
