"""The ticket's SLA in its header, and "Why then?": the running clock in one line ("Resolution due Tue 08 Dec
09:30", "First response overdue since Mon 07 Dec 14:00", "SLA paused"), and the ledger in words behind it —
the policy, the calendar, and per target what started, paused and resumed the clock and what that adds up to,
as `switchboard sla explain N` says it. A usability probe found the ticket view without any clock at all;
issue 14 asks that "why is this due at 10:40?" be answered where the agent works.

The dialog (`sla_dialog`) loads when first asked, not with the first painted queue.
"""

from __future__ import annotations

import datetime as dt

from app.services.tickets.dto import TicketSummary

CLOCK_NAMES = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}


def when_words(moment: dt.datetime) -> str:
    """In the viewer's own time zone, with the weekday: what a person plans by."""
    return moment.astimezone().strftime("%a %d %b %H:%M")


def running_clock(ticket: TicketSummary) -> str | None:
    """Which target the ticket's SLA due time is (`sla_due_at` is the earliest running clock's due)."""
    if ticket.sla_due_at is None:
        return None
    dues = {
        "first_response": ticket.first_response_due_at if ticket.first_response_at is None else None,
        "next_response": ticket.next_response_due_at,
        "resolution": ticket.resolution_due_at,
    }
    return next((name for name, due in dues.items() if due == ticket.sla_due_at), "resolution")


def sla_words(ticket: TicketSummary, now: dt.datetime, paused_in: str | None = None) -> str:
    """The header's line: which clock runs and when it falls due, or why none does. `paused_in`: the label
    of the ticket's status when it is a waiting one (its clocks stand still, and have no due time then)."""
    clock = running_clock(ticket)
    if clock is None or ticket.sla_due_at is None:
        if paused_in is not None:
            return f"SLA paused while {paused_in}"
        kept = (ticket.first_response_due_at, ticket.next_response_due_at, ticket.resolution_due_at)
        return "SLA paused" if any(due is not None for due in kept) else "No SLA clock running"
    name = CLOCK_NAMES[clock]
    if ticket.sla_due_at <= now:
        return f"{name} overdue since {when_words(ticket.sla_due_at)}"
    return f"{name} due {when_words(ticket.sla_due_at)}"
