"""Routing decisions as the client shows them ("Why this agent?"). No SQLAlchemy here: views import it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FactorView:
    factor: str
    weighted: float
    note: str


@dataclass(frozen=True)
class CandidateView:
    name: str
    total: float
    factors: tuple[FactorView, ...]


@dataclass(frozen=True)
class RoutingExplanation:
    """The latest routing decision of a ticket: who got it (None: nobody was eligible) and why."""

    ticket_number: int
    decided_at: dt.datetime
    asked_by: str  # intake, reopen, drain, supervisor, handback
    caller: str | None
    winner: str | None
    config_version: int
    relaxed: tuple[str, ...]
    candidates: tuple[CandidateView, ...]
    exclusions: tuple[tuple[str, str], ...]  # (name, reason)
