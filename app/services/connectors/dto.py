"""What the account panel is handed: plain frozen values, no driver, no `requests` (the views import this)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OtherTicket:
    id: int
    number: int
    subject: str
    status: str


@dataclass(frozen=True)
class AccountPanel:
    """The customer's account beside a ticket.

    state: "unconfigured" (no connector), "no_key" (nothing names the account), "unfetched" (never asked
        yet), "fresh", "stale" (expired; shown while a refresh runs), "not_found" (the tool knows no such
        account).
    headline: the account and where its key was found.
    freshness: "fetched 3 min ago", "stale: fetched 2 h ago"; a colleague's lookup is named ("looked up by
        Mallory Stone's client 3 min ago"), the worker's check says so ("checked by the worker 4 min ago").
    correction: one line when the shown lookup differed from the worker's own check of the same account
        ("Mallory Stone's lookup differed from the worker's check at 10:42; showing the worker's"), else None.
    problem: one clear line when the tool could not be asked (the ticket works as before), else None.
    needs_refresh: the panel should ask for a refresh (in the background).
    """

    ticket_id: int
    state: str
    headline: str
    customer_name: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    link: str | None = None
    freshness: str = ""
    problem: str | None = None
    needs_refresh: bool = False
    key: str | None = None
    source: str | None = None
    other_tickets: tuple[OtherTicket, ...] = ()
    correction: str | None = None
