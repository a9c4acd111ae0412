"""Routing decisions as the client shows them ("Why this agent?"). No SQLAlchemy here: views import it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FactorView:
    factor: str
    weighted: float
    note: str
    score: float = 0.0  # before weighting, 0 … 1


@dataclass(frozen=True)
class CandidateView:
    name: str
    total: float
    factors: tuple[FactorView, ...]
    agent_id: int | None = None


@dataclass(frozen=True)
class RoutingExplanation:
    """The latest routing decision of a ticket: who got it (None: nobody was eligible) and why."""

    ticket_number: int
    decided_at: dt.datetime
    asked_by: str  # intake, reopen, drain, supervisor, handback, sla (the escalation ladder's level 3)
    caller: str | None
    winner: str | None
    config_version: int
    relaxed: tuple[str, ...]
    candidates: tuple[CandidateView, ...]
    exclusions: tuple[tuple[str, str], ...]  # (name, reason)
    winner_id: int | None = None
    reason: str | None = None  # a supervisor's or a hand-back's
    excluded_ids: tuple[int | None, ...] = ()  # the agent of each exclusion, in order

    def to_json(self) -> dict[str, Any]:
        """The decision for scripts (`routing explain --json`, `handback`, `reassign`)."""
        return {
            "ticket": self.ticket_number,
            "decided_at": self.decided_at.isoformat(),
            "asked_by": self.asked_by,
            "caller": self.caller,
            "winner": self.winner,
            "winner_id": self.winner_id,
            "config_version": self.config_version,
            "relaxed": list(self.relaxed),
            "candidates": [
                {
                    "agent_id": c.agent_id,
                    "name": c.name,
                    "total": c.total,
                    "factors": [
                        {"factor": f.factor, "score": f.score, "weighted": f.weighted, "note": f.note}
                        for f in c.factors
                    ],
                }
                for c in self.candidates
            ],
            "exclusions": [
                {"agent_id": agent_id, "name": name, "reason": reason}
                for (name, reason), agent_id in zip(
                    self.exclusions, self.excluded_ids or (None,) * len(self.exclusions), strict=True
                )
            ],
            "reason": self.reason,
        }


WEIGHT_FACTORS = ("skill", "language", "room", "stickiness", "track_record", "sla_risk")


@dataclass(frozen=True)
class QueueRoutingSettings:
    """A queue's routing settings as they apply now: its own, else the default's (`own` False), else the
    built-in weights (`version` 0). `settings` is the stored JSON object, kept whole so that a change of
    weights keeps the skills asked per tag."""

    queue_id: int
    queue: str
    version: int
    own: bool
    weights: tuple[tuple[str, float], ...]  # in WEIGHT_FACTORS order
    overflow_cap: int
    urgent_weight: int
    settings: Mapping[str, Any]

    def with_changes(
        self, weights: Mapping[str, float], *, overflow_cap: int | None = None, urgent_weight: int | None = None
    ) -> dict[str, Any]:
        """The settings to store: these weights over the current ones, the rest as it is."""
        changed = dict(self.settings)
        changed["weights"] = {**dict(self.weights), **{name: float(value) for name, value in weights.items()}}
        if overflow_cap is not None:
            changed["overflow_cap"] = overflow_cap
        if urgent_weight is not None:
            changed["urgent_weight"] = urgent_weight
        return changed

    def to_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "version": self.version,
            "own": self.own,
            "weights": dict(self.weights),
            "overflow_cap": self.overflow_cap,
            "urgent_weight": self.urgent_weight,
            "settings": dict(self.settings),
        }


@dataclass(frozen=True)
class AgentRoutingFacts:
    """What routing knows about an agent, as a supervisor edits it."""

    agent_id: int
    login: str
    name: str
    availability: str
    capacity: int
    languages: tuple[str, ...]
    skills: tuple[tuple[str, int], ...]  # by name
    queues: tuple[str, ...]
    time_zone: str
    shift: Mapping[str, Any] | None  # weekday "0" (Monday) … "6" -> [[start, end] minutes], local
    out_of_office_until: dt.date | None
    substitute: str | None  # the substitute's login

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "name": self.name,
            "availability": self.availability,
            "capacity": self.capacity,
            "languages": list(self.languages),
            "skills": dict(self.skills),
            "queues": list(self.queues),
            "time_zone": self.time_zone,
            "shift": dict(self.shift) if self.shift else None,
            "out_of_office_until": self.out_of_office_until.isoformat() if self.out_of_office_until else None,
            "substitute": self.substitute,
        }


@dataclass(frozen=True)
class AgentTally:
    name: str
    would_get: int
    actually_got: int


@dataclass(frozen=True)
class DryRunPreview:
    """A dry-run's outcome as the settings dialog shows it: nothing was written."""

    days: int
    tickets: int
    changed: int  # would have gone to someone else than they did
    no_eligible_agent: int
    agents: tuple[AgentTally, ...]
    relaxed: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class WaitingTicket:
    """An open ticket routing found no eligible agent for, as the supervisor view lists it: since when it
    waits (the first of its decisions for nobody since routing last found someone) and why nobody qualified,
    summed up ("2 offline, 1 at capacity") and by name (`who`: "Hannah Becker: at capacity; …")."""

    ticket_id: int
    number: int
    subject: str
    queue: str
    priority: str
    due_at: dt.datetime | None
    since: dt.datetime
    why: str
    who: str = ""
    version: int = 0  # the ticket's version when read (assigning it from the list)
    assignee_id: None = None  # nobody has it: that is why it is listed
