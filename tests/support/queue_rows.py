"""The queue's rows as tickets, for tests whose views fit in their first page (every ticket at hand)."""

from __future__ import annotations

from app.services.tickets.dto import TicketSummary
from app.views.ticket_table import TicketTableModel


def listed(model: TicketTableModel) -> list[TicketSummary]:
    """Every listed row's ticket, in order; fails if one is not at hand (a view longer than its first page)."""
    tickets: list[TicketSummary] = []
    for row in range(model.rowCount()):
        ticket = model.ticket_at(row)
        assert ticket is not None, f"row {row}'s ticket is not at hand"
        tickets.append(ticket)
    return tickets
