"""Which status S offers first (the picker's highlighted one, Enter takes it)."""

from __future__ import annotations

from app.services.navigation.dto import Vocabulary
from app.views.status_choice import likely_next

STATUSES = (
    ("new", "New", "open"),
    ("in_progress", "In progress", "open"),
    ("waiting", "Waiting on customer", "paused"),
    ("pending", "Pending third party", "paused"),
    ("answered", "Answered", "paused"),
    ("resolved", "Resolved", "done"),
    ("closed", "Closed", "done"),
)
MOVES = tuple(
    (frm, to)
    for frm, tos in {
        "new": ("in_progress", "waiting", "resolved"),
        "in_progress": ("waiting", "pending", "answered", "resolved"),
        "waiting": ("in_progress", "pending", "resolved"),
        "pending": ("in_progress", "waiting", "resolved"),
        "resolved": ("closed", "in_progress"),
    }.items()
    for to in tos
)
VOCABULARY = Vocabulary(statuses=STATUSES, queues=(), agents=(), moves=MOVES)


def test_a_waiting_ticket_goes_back_to_work_first() -> None:
    """It offered Pending third party, the next in order, to a ticket waiting on the customer (usability probe)."""
    assert likely_next(VOCABULARY, "waiting") == "in_progress"
    assert likely_next(VOCABULARY, "pending") == "in_progress"


def test_otherwise_the_next_along() -> None:
    assert likely_next(VOCABULARY, "new") == "in_progress"
    assert likely_next(VOCABULARY, "in_progress") == "waiting"
    assert likely_next(VOCABULARY, "resolved") == "closed"
