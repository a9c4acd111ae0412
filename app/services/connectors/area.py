"""The desk's account area (`desk.accounts`): the customer's account beside a ticket, from the team's cache,
refreshed from the tool in the background, and the agent's correction of which account it is.

`panel()` never calls the tool (the first paint is the cache's, even stale); `refresh()` may, with no
transaction open while it does.

The cache holds what an agent's client stored (`account_store()`), which a modified client can make up. So
the panel names whose lookup it shows when it is not the viewer's own, and where the worker's own check of
the same account (`account_verified`, unexpired) disagrees with it on whether the account exists or on its
attributes, shows the worker's answer instead, with one line saying so (docs/security.md).

A connector that is missing, misconfigured or down gives a panel with a clear `problem` line, never an
exception: the ticket works as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from app.models import AccountVerification, Ticket
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
            checked = read_checked(uow, connector.name, customer.customer_id, key) if _answered(cached) else None
        return _panel(ticket_id, customer.customer_name, key, cached, others, connector, checked)

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
            checked = read_checked(uow, connector.name, customer.customer_id, key) if _answered(cached) else None
        return _panel(ticket_id, customer.customer_name, key, cached, others, connector, checked)

    def link(self, ticket_id: int, key: str | None) -> AccountPanel:
        """The agent's correction: the customer is this account (None: no stored account). Audited."""
        with self.runtime.uow() as uow:
            link_account(uow, ticket_id, key)
            uow.commit()
        return self.panel(ticket_id)


@dataclass(frozen=True)
class CheckedAccount:
    """The worker's own answer for the customer's account (`account_verified`), as the viewer may read it."""

    found: bool
    attributes: dict[str, str]
    verified_at: dt.datetime
    read_at: dt.datetime


def read_checked(uow: UnitOfWork, connector: str, customer_id: int, key: AccountKey) -> CheckedAccount | None:
    """The worker's unexpired answer for this customer and this same key (staff read the rows of customers
    whose tickets they see), or None. Corroborated or not: this is what the tool told the worker about the
    account the panel shows, whoever named it."""
    row = uow.session.execute(
        select(
            AccountVerification.found,
            AccountVerification.attributes,
            AccountVerification.verified_at,
            func.clock_timestamp(),
        ).where(
            AccountVerification.customer_id == customer_id,
            AccountVerification.connector == connector,
            AccountVerification.key_kind == key.kind.value,
            AccountVerification.key == key.key,
            AccountVerification.found.is_not(None),
            AccountVerification.verified_at.is_not(None),
            AccountVerification.expires_at > func.clock_timestamp(),
        )
    ).first()
    if row is None:
        return None
    found, attributes, verified_at, read_at = row
    return CheckedAccount(bool(found), {str(k): str(v) for k, v in (attributes or {}).items()}, verified_at, read_at)


def _answered(cached: CachedAccount | None) -> bool:
    return cached is not None and cached.found is not None


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
    checked: CheckedAccount | None = None,
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
    ago = _ago(cached.age)
    # A colleague's lookup says whose it is; the viewer's own, and one whose writer is unknown (loaded by the
    # desk itself, as the demo's warmed cache is, or by an agent since removed), just say when.
    when = (
        f"looked up by {cached.fetched_by_name}'s client {ago}"
        if cached.fetched_by_name and not cached.mine
        else f"fetched {ago}"
    )
    failed_since = cached.failed_at is not None and (cached.fetched_at is None or cached.failed_at >= cached.fetched_at)
    problem = cached.error if failed_since else None
    if cached.fresh:
        base = replace(base, state="fresh", freshness=when, problem=problem)
    else:
        base = replace(base, state="stale", freshness=f"stale: {when}", problem=problem, needs_refresh=True)
    if checked is not None and _differs(cached, checked):
        return _corrected(base, cached, checked, key, connector)
    if cached.found is False:
        return replace(base, state="not_found", headline=_unknown(key, connector))
    return replace(base, fields=cached.fields, link=cached.link)


def _ago(age: dt.timedelta | None) -> str:
    return "just now" if age is None or age_in_words(age) == "just now" else f"{age_in_words(age)} ago"


def _unknown(key: AccountKey, connector: Guarded) -> str:
    return f"The {connector.name} tool knows no account {key.key} (from {key.source})"


def _differs(cached: CachedAccount, checked: CheckedAccount) -> bool:
    """Whether the lookup shown and the worker's check disagree on what both keep: whether the account
    exists, and its attributes (the worker keeps no shown fields, so those cannot be compared)."""
    return cached.found is not checked.found or (checked.found and cached.attributes != checked.attributes)


def _corrected(
    base: AccountPanel, cached: CachedAccount, checked: CheckedAccount, key: AccountKey, connector: Guarded
) -> AccountPanel:
    """The worker's answer instead of a lookup it contradicts: its attributes as the fields, no link (the
    contradicted answer's link is no better than its fields), and one line saying whose lookup differed."""
    whose = "Your" if cached.mine else f"{cached.fetched_by_name}'s" if cached.fetched_by_name else "Another agent's"
    at = checked.verified_at.astimezone().strftime("%H:%M")
    panel = replace(
        base,
        state="fresh",
        freshness=f"checked by the worker {_ago(checked.read_at - checked.verified_at)}",
        correction=f"{whose} lookup differed from the worker's check at {at}; showing the worker's",
        fields=(),
        link=None,
    )
    if not checked.found:
        return replace(panel, state="not_found", headline=_unknown(key, connector))
    return replace(panel, fields=tuple(sorted(checked.attributes.items())))
