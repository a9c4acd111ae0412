from __future__ import annotations

from app.services.errors import ChangeBy, TicketConflict


def test_the_conflict_names_who_changed_what() -> None:
    conflict = TicketConflict(
        number=10423,
        expected_version=3,
        current_version=5,
        changes=[
            ChangeBy("Bob Baker", "2026-11-25T10:00:00+00:00", "status", "new", "in_progress"),
            ChangeBy("Bob Baker", "2026-11-25T10:01:00+00:00", "assignee", None, "Bob Baker"),
        ],
    )
    message = str(conflict)
    assert message.startswith("Ticket #10423 was changed by Bob Baker since you loaded it")
    assert "your version 3, now 5" in message and "nothing was saved" in message
    assert "status new → in_progress" in message  # words for a terminal, not Python's reprs
    assert conflict.changed_by == ("Bob Baker",)
