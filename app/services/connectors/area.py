"""The desk's account area (`desk.accounts`): the customer's account beside a ticket, from the team's cache,
refreshed from the tool in the background, and the agent's correction of which account it is.

`panel()` never calls the tool (the first paint is the cache's, even stale); `refresh()` may, with no
transaction open while it does. A connector that is missing, misconfigured or down gives a panel with a
clear `problem` line, never an exception: the ticket works as before.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.models import Ticket
from app.services.connectors.base import ConnectorUnavailable, age_in_words
from app.services.connectors.cache import AccountCache, CachedAccount, read_cached
from app.services.connectors.discovery import ConnectorRegistry, Guarded, any_configured
from app.services.connectors.dto import AccountPanel, OtherTicket
from app.services.connectors.finding import AccountKey, find_customer_and_key, link_account, ticket_customer
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource

OTHER_TICKETS = 10


class Accounts(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, registry: ConnectorRegistry | None = None) -> None:
        self.runtime = runtime
        self.registry = registry if registry is not None else ConnectorRegistry()
        self._cache: AccountCache | None = None
        self._problem: str | None = None

    def _connector(self) -> Guarded | None:
        if self._cache is not None:
            return self._cache.connector  # type: ignore[return-value]
        try:
            connector = self.registry.first()
        except ConnectorUnavailable as error:
            self._problem = str(error)
            return None
        if connector is not None:
            self._cache = AccountCache(self.runtime, connector, ttl_seconds=connector.settings.ttl_seconds)
        return connector

    def configured(self) -> bool:
        """Whether any connector is configured (a desk without one shows no account panel)."""
        return any_configured(self.registry)

    @property
    def cache(self) -> AccountCache | None:
        self._connector()
        return self._cache

    def panel(self, ticket_id: int) -> AccountPanel:
        """What the cache holds for the ticket's customer (no call to the tool)."""
        connector = self._connector()
        with self.runtime.uow() as uow:
            if connector is None:
                customer = ticket_customer(uow, ticket_id)
                others = _other_tickets(uow, ticket_id, customer.customer_id)
                line = self._problem or "No account-lookup tool is configured"
                return AccountPanel(ticket_id, "unconfigured", line, customer.customer_name, other_tickets=others)
            customer, key = find_customer_and_key(uow, ticket_id, connector.settings.find, connector.key_kinds)
            others = _other_tickets(uow, ticket_id, customer.customer_id)
            if key is None:
                return _no_key(ticket_id, customer.customer_name, others)
            cached = read_cached(uow, connector.name, key.kind, key.key)
        return _panel(ticket_id, customer.customer_name, key, cached, others, connector)

    def refresh(self, ticket_id: int) -> AccountPanel:
        """The answer from the tool when the cache's has expired (one call for everyone asking at once)."""
        connector = self._connector()
        cache = self._cache
        if connector is None or cache is None:
            return self.panel(ticket_id)
        with self.runtime.uow() as uow:
            customer, key = find_customer_and_key(uow, ticket_id, connector.settings.find, connector.key_kinds)
        if key is None:
            return self.panel(ticket_id)
        cached = cache.refresh(customer.customer_id, key)  # no transaction is open here
        with self.runtime.uow() as uow:
            others = _other_tickets(uow, ticket_id, customer.customer_id)
        return _panel(ticket_id, customer.customer_name, key, cached, others, connector)

    def link(self, ticket_id: int, key: str | None) -> AccountPanel:
        """The agent's correction: the customer is this account (None: no stored account). Audited."""
        with self.runtime.uow() as uow:
            link_account(uow, ticket_id, key)
            uow.commit()
        return self.panel(ticket_id)


def _other_tickets(uow: UnitOfWork, ticket_id: int, customer_id: int) -> tuple[OtherTicket, ...]:
    rows = uow.session.execute(
        select(Ticket.id, Ticket.number, Ticket.subject, Ticket.status)
        .where(Ticket.customer_id == customer_id, Ticket.id != ticket_id)
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(OTHER_TICKETS)
    ).all()
    return tuple(OtherTicket(int(i), int(n), str(s), str(st)) for i, n, s, st in rows)


def _no_key(ticket_id: int, customer_name: str, others: tuple[OtherTicket, ...]) -> AccountPanel:
    return AccountPanel(
        ticket_id,
        "no_key",
        "Nothing on this ticket names the customer's account",
        customer_name,
        other_tickets=others,
    )


def _panel(
    ticket_id: int,
    customer_name: str,
    key: AccountKey,
    cached: CachedAccount | None,
    others: tuple[OtherTicket, ...],
    connector: Guarded,
) -> AccountPanel:
    base = AccountPanel(
        ticket_id,
        "unfetched",
        f"Account {key.key} (from {key.source})",
        customer_name,
        key=key.key,
        source=key.source,
        other_tickets=others,
    )
    if cached is None or cached.found is None:
        return replace(base, problem=cached.error if cached is not None else None, needs_refresh=True)
    age = cached.age
    when = "fetched just now" if age is None or age_in_words(age) == "just now" else f"fetched {age_in_words(age)} ago"
    failed_since = cached.failed_at is not None and (cached.fetched_at is None or cached.failed_at >= cached.fetched_at)
    problem = cached.error if failed_since else None
    if cached.fresh:
        base = replace(base, state="fresh", freshness=when, problem=problem)
    else:
        base = replace(base, state="stale", freshness=f"stale: {when}", problem=problem, needs_refresh=True)
    if cached.found is False:
        return replace(
            base,
            state="not_found",
            headline=f"The {connector.name} tool knows no account {key.key} (from {key.source})",
        )
    return replace(base, fields=cached.fields, link=cached.link)
