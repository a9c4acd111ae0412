"""The lifecycle rules the initial migration seeds, spelled out for the unit tests.

`tests/integration/test_migrations.py` checks that a migrated database holds exactly these, so the unit
tests cannot drift from what ships.
"""

from __future__ import annotations

from app.services.tickets.lifecycle import LifecycleRules
from app.vocabulary import StatusCategory, TransitionKind

OPEN, PAUSED, DONE = StatusCategory.OPEN, StatusCategory.PAUSED, StatusCategory.DONE
CHANGE, REOPEN = TransitionKind.CHANGE, TransitionKind.REOPEN

STATUSES = [
    ("new", OPEN),
    ("in_progress", OPEN),
    ("waiting", PAUSED),
    ("pending", PAUSED),
    ("answered", PAUSED),
    ("resolved", DONE),
    ("closed", DONE),
]
WORKING = ["in_progress", "waiting", "pending", "answered"]


def _moves() -> set[tuple[str, str, TransitionKind]]:
    moves = {("new", target, CHANGE) for target in [*WORKING, "resolved", "closed"]}
    for source in WORKING:
        moves |= {(source, target, CHANGE) for target in [*WORKING, "resolved", "closed"] if target != source}
    moves |= {("resolved", "closed", CHANGE), ("resolved", "in_progress", CHANGE), ("resolved", "new", REOPEN)}
    moves |= {("closed", "in_progress", REOPEN), ("closed", "new", REOPEN)}
    return moves


DEFAULT_RULES = LifecycleRules.from_rows(STATUSES, _moves())
