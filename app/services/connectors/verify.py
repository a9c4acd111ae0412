"""The worker verifies the accounts that matter (migration 0030): what rules decide on is what the tool told
the worker, never what an agent's client stored for the panel.

A pass (`account_verify`, a periodic job claimed per period like the others; `switchboard connector verify`
runs one now):

1. one short transaction picks the customers of open tickets whose verified answer is missing, older than
   the connector's TTL, or for another account than the one now linked to the customer (the never verified
   first, then newest tickets first), at most `LOOKUPS_PER_RUN`; and finds each one's key as the panel
   does (`finding`), on the customer's newest open ticket;
2. with no transaction open, asks the tool (the connector of this process: its credential from this
   machine's keyring, its timeouts, its circuit breaker);
3. stores each answer in a short transaction of its own (`account_verify_store()`, trusted sessions only),
   with why the account is the customer's (`corroboration`; rules read corroborated answers only), and
   when what rules read of the customer changed (or appeared), applies it to the customer's open tickets
   as intake would: the priority rules raise (never lower) their priority, audited with intake's
   action, and, when an SLA policy looks at accounts, their due times are recomputed (the ledger's
   recompute mark and the watch list, as after a policy change: `sla.recompute`).

Which account a customer is may come from words anyone writes: a pattern in the customer's own subject or
message, a ticket field, an agent's link. The tool is asked about that account all the same (the panel shows
it), but its answer counts for rules only when it corroborates that the account is this customer's
(migration 0032): the key is one of the customer's own addresses, or the answer carries one of them at the
connector's `email_field`, or the site's settings trust named accounts (`trust_named_accounts`). The
customer's own addresses are those intake took from the sender (`customer_email.source`, migration 0034): an
address an agent, a team lead or an admin typed — an agent may give a customer without one its first — is a
name like an account id, and counts only where the site trusts named accounts (`site_trust`).

A tool that cannot be asked leaves every verified answer as it was (the failure is recorded beside it) and
the pass ends once the circuit breaker opens; its result says why. Nothing is lost: the customers not looked
up are still due at the next pass.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.models import Ticket, TicketStatus
from app.services.connectors.attributes import account_attributes
from app.services.connectors.base import Account, ConnectorUnavailable, KeyKind, NotFound
from app.services.connectors.discovery import ConnectorRegistry, Guarded
from app.services.connectors.finding import AccountKey, find_customer_and_key
from app.services.connectors.rules import kept_rules, priority_for, raise_priorities
from app.services.people.addresses import comparable_address
from app.services.platform.uow import UnitOfWork
from app.services.sla.ledger import kept_book
from app.services.sla.recompute import mark_for_recompute
from app.vocabulary import Priority, StatusCategory

LOOKUPS_PER_RUN = 200
PERIOD = dt.timedelta(minutes=5)
NewUnitOfWork = Callable[[], UnitOfWork]

# The customers of open tickets whose verified answer is missing, expired, or for another linked account,
# by their newest open ticket (the key is found on it): the never verified first (a new customer's ticket
# waits for its raise), then the expired, newest first within each.
_DUE = text(
    "SELECT t.customer_id, max(t.id) AS ticket_id, c.external_account_id"
    " FROM switchboard.ticket t"
    " JOIN switchboard.ticket_status s ON s.key = t.status AND s.category <> 'done'"
    " JOIN switchboard.customer c ON c.id = t.customer_id"
    " LEFT JOIN switchboard.account_verified v ON v.customer_id = t.customer_id AND v.connector = :connector"
    " WHERE t.merged_into_id IS NULL"
    " AND (v.customer_id IS NULL OR v.checked_at IS NULL OR v.expires_at <= now()"
    "      OR v.linked_account_id IS DISTINCT FROM c.external_account_id)"
    " GROUP BY t.customer_id, c.external_account_id"
    " ORDER BY bool_or(v.checked_at IS NULL) DESC, max(t.created_at) DESC, t.customer_id DESC LIMIT :limit"
)
_STORE = text(
    "SELECT switchboard.account_verify_store(:customer, :connector, :kind, :key, :source, :link, :found,"
    " CAST(:attributes AS jsonb), :ttl, :error, :corroborated)"
)
# The customer's own addresses: those intake took from the sender (migration 0034); an address staff typed
# (or one from before 0034) vouches for nothing.
_ADDRESSES = text(
    "SELECT customer_id, address FROM switchboard.customer_email"
    " WHERE customer_id = ANY(CAST(:customers AS bigint[])) AND source = 'intake'"
)


@dataclass
class VerifyResult:
    """What a pass did: `looked_up` calls to the tool (`failed` of them failed), `no_key` customers whom
    nothing names, `named_only` found accounts that were merely named for the customer (not corroborated:
    shown, never decided on; many of them may mean the connector has no `email_field`), `changed` customers
    whose verified attributes changed, and on their open tickets `raised` priorities and `recomputed` SLA due
    times; `busy` customers left for the next pass; `problem`: why the pass stopped or did nothing."""

    connector: str | None
    due: int = 0
    looked_up: int = 0
    failed: int = 0
    no_key: int = 0
    named_only: int = 0
    changed: int = 0
    raised: int = 0
    recomputed: int = 0
    busy: int = 0
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        said = (
            f"{self.connector}: looked up {self.looked_up} of {self.due} due, {self.changed} changed,"
            f" {self.failed} failed, {self.no_key} without a key; {self.raised} open tickets raised,"
            f" {self.recomputed} SLA recomputed"
        )
        if self.named_only:
            said += f"; {self.named_only} found but only named for the customer (not decided on)"
        if self.busy:
            said += f"; {self.busy} left for the next pass (someone held one of their open tickets)"
        return said if self.problem is None else f"{said} ({self.problem})"


class AccountVerifier:
    """The job's state across passes: this process's connectors, built once (so the circuit breaker of a
    dead tool stays open between passes instead of each pass waiting out the timeouts anew)."""

    def __init__(self, registry: ConnectorRegistry | None = None, *, limit: int = LOOKUPS_PER_RUN) -> None:
        self.registry = registry if registry is not None else ConnectorRegistry()
        self.limit = limit

    def run(self, new_uow: NewUnitOfWork) -> dict[str, Any]:
        return self.verify(new_uow).as_json()

    def verify(self, new_uow: NewUnitOfWork) -> VerifyResult:
        try:
            connector = self.registry.first()
        except ConnectorUnavailable as error:
            return VerifyResult(None, problem=str(error))
        if connector is None:
            return VerifyResult(None, problem="no account-lookup connector is configured")
        return verify_accounts(new_uow, connector, limit=self.limit)


def is_trusted_session(new_uow: NewUnitOfWork) -> bool:
    """Whether this login may store verified answers (the worker's: a member of the owner role)."""
    with new_uow() as uow:
        try:
            return bool(uow.session.execute(text("SELECT switchboard.is_trusted_session()")).scalar())
        except DBAPIError:
            return False  # no EXECUTE on it: certainly not


def verify_accounts(new_uow: NewUnitOfWork, connector: Guarded, *, limit: int = LOOKUPS_PER_RUN) -> VerifyResult:
    result = VerifyResult(connector.name)
    ttl = connector.settings.ttl_seconds
    with new_uow() as uow:
        due = uow.session.execute(_DUE, {"connector": connector.name, "limit": limit}).all()
        addresses: dict[int, set[str]] = {}
        for customer_id, address in uow.session.execute(_ADDRESSES, {"customers": [int(row[0]) for row in due]}):
            addresses.setdefault(int(customer_id), set()).add(comparable_address(str(address)))
        plans = [
            (
                int(customer_id),
                link,
                find_customer_and_key(uow, int(ticket_id), connector.settings.find, connector.key_kinds)[1],
                frozenset(addresses.get(int(customer_id), ())),
            )
            for customer_id, ticket_id, link in due
        ]
    result.due = len(plans)
    for customer_id, link, key, theirs in plans:  # no transaction is open while the tool is asked
        answer: Account | NotFound | None = None
        error = None
        if key is None:
            result.no_key += 1
        else:
            result.looked_up += 1
            try:
                answer = connector.lookup(key.kind, key.key)
            except ConnectorUnavailable as failure:
                error = str(failure)
                result.failed += 1
        trusted = corroboration(key, answer, theirs, trust_named=connector.settings.trust_named_accounts)
        if isinstance(answer, Account) and trusted is None:
            result.named_only += 1
        with new_uow() as uow:
            if _store(uow, connector.name, customer_id, key, link, answer, error, ttl, trusted):
                try:
                    raised, recomputed = apply_verified(uow, customer_id)
                except TicketsBusy:  # leaving uncommitted rolls the answer back too: still due next pass
                    result.busy += 1
                    continue
                result.changed += 1
                result.raised += raised
                result.recomputed += recomputed
            uow.commit()
        if error is not None and connector.breaker.state != "closed":
            result.problem = f"{error}; the rest waits for the next pass"
            break
        if error is not None:
            result.problem = error
    return result


def corroboration(
    key: AccountKey | None, answer: Account | NotFound | None, addresses: frozenset[str], *, trust_named: bool
) -> str | None:
    """Why a found account is the customer's (`account_verified.corroborated_by`), or None: merely named.
    `addresses`: the customer's own, lower case: those intake took from the sender, never one staff typed
    (`customer_email.source`). The customer's own address as the key is theirs; an account id, or an address
    staff typed, is only a name (the customer's text, a ticket field, an agent's link or address, an import)
    unless the tool's answer carries one of the customer's own addresses, or the site trusts named accounts."""
    if key is None or not isinstance(answer, Account):
        return None
    if key.kind is KeyKind.EMAIL and comparable_address(key.key) in addresses:
        return "customer_email"
    if any(comparable_address(email) in addresses for email in answer.emails):
        return "tool_email"
    return "site_trust" if trust_named else None


def _store(
    uow: UnitOfWork,
    connector: str,
    customer_id: int,
    key: AccountKey | None,
    link: str | None,
    answer: Account | NotFound | None,
    error: str | None,
    ttl_seconds: int,
    corroborated: str | None,
) -> bool:
    attributes = dict(answer.attributes or {}) if isinstance(answer, Account) else {}
    return bool(
        uow.session.execute(
            _STORE,
            {
                "customer": customer_id,
                "connector": connector,
                "kind": key.kind.value if key is not None else None,
                "key": key.key if key is not None else None,
                "source": key.source[:200] if key is not None else None,
                "link": link[:200] if link else None,
                "found": None if answer is None else isinstance(answer, Account),
                "attributes": json.dumps({str(k): str(v) for k, v in attributes.items()}),
                "ttl": ttl_seconds,
                "error": error[:500] if error else None,
                "corroborated": corroborated if error is None else None,
            },
        ).scalar_one()
    )


class TicketsBusy(Exception):
    """Another transaction holds one of the customer's open tickets (or its watch row): the customer's new
    answer waits for the next pass, as one, rather than the pass waiting out its lock timeout and failing for
    every customer (an agent's `FOR SHARE` on one ticket did that, pass after pass: probe 12)."""


def apply_verified(uow: UnitOfWork, customer_id: int) -> tuple[int, int]:
    """The customer's verified account changed: their open tickets, held `FOR NO KEY UPDATE SKIP LOCKED` in id
    order (as the sweep and the recompute hold them), get at least the matching rules' priority, and are
    marked for an SLA recompute when a policy looks at accounts. Returns (tickets raised, tickets marked);
    TicketsBusy when another transaction holds one of them."""
    open_tickets = (
        select(Ticket.id, Ticket.priority)
        .where(
            Ticket.customer_id == customer_id,
            Ticket.merged_into_id.is_(None),
            Ticket.status.in_(select(TicketStatus.key).where(TicketStatus.category != StatusCategory.DONE)),
        )
        .order_by(Ticket.id)
    )
    rows = uow.session.execute(open_tickets.with_for_update(key_share=True, skip_locked=True)).all()
    if len(rows) < len(uow.session.execute(open_tickets).all()):
        raise TicketsBusy(customer_id)
    if not rows:
        return 0, 0
    current = {int(ticket_id): Priority(priority) for ticket_id, priority in rows}
    raised: list[int] = []
    wanted = priority_for(kept_rules(uow), account_attributes(uow, customer_id))
    if wanted is not None:
        raised = raise_priorities(uow, current, wanted)
    marked = 0
    if kept_book(uow).book.uses_account:
        marked = len(mark_for_recompute(uow, sorted(current), "account verified", uow.now()))
        if marked < len(current):
            raise TicketsBusy(customer_id)
    return len(raised), marked
