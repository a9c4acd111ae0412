"""Account attributes as conditions for SLA policies, routing and automation: read from the database, never
from the tool (no HTTP call inside anyone's transaction).

    attributes = account_attributes(uow, customer_id)            # {"tier": "vip", "region": "EU", ...}
    account_matches(attributes, {"account.tier": "vip"})         # True
    account_matches(attributes, {"account.region": ["EU", "UK"], "priority": "high"})  # other keys ignored

Two sources, one API (`source=`):
- `Source.VERIFIED` (the default, for every reader that decides something: priority on intake, SLA policy
  selection, routing skills): `account_verified`, what the tool answered when the worker asked it itself,
  with the credential of its own keyring (`connectors.verify`), or an admin's `connector verify`. Staff
  cannot write it (migration 0030). Only corroborated answers count (migration 0032): the tool was asked
  by the customer's own address, or its answer carries one of the customer's addresses, or the site trusts
  named accounts (`trust_named_accounts`); an account merely named for the customer does not.
- `Source.DISPLAY`: `account_cache`, what agents' clients stored for the account panel. Shown, marked with
  its age; never a condition: an agent with `psql` may store anything there for a customer they see.

The attributes are the newest answer for the customer, expired or not (an expired answer is still the best
knowledge; `fresh_only=True` asks for unexpired ones only). The read goes through the caller's row-level
security: an agent sees a customer's attributes while they see one of the customer's tickets; the worker
sees all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from sqlalchemy import text

from app.services.connectors.conditions import ACCOUNT_PREFIX
from app.services.platform.uow import UnitOfWork


class Source(enum.Enum):
    VERIFIED = "verified"  # the worker's own lookups: what rules decide on
    DISPLAY = "display"  # what agents' clients stored for the panel: shown, never decided on


# Per source: the table, which rows of the customer `c.id` count, and when its answer was fetched. A verified
# row counts only when the tool's answer corroborates that the account is the customer's (migration 0032):
# an account merely named for them (a pattern in their own message, a ticket field, an agent's link) is
# looked up and shown, never decided on.
_ROWS = {
    Source.VERIFIED: (
        "switchboard.account_verified",
        "customer_id = c.id AND found AND corroborated_by IS NOT NULL",
        "verified_at",
    ),
    Source.DISPLAY: ("switchboard.account_cache", "customer_ids @> ARRAY[c.id] AND found", "fetched_at"),
}


def account_attributes(
    uow: UnitOfWork,
    customer_id: int,
    *,
    connector: str | None = None,
    fresh_only: bool = False,
    source: Source = Source.VERIFIED,
) -> dict[str, str]:
    return accounts_of(uow, [customer_id], connector=connector, fresh_only=fresh_only, source=source).get(
        customer_id, {}
    )


def accounts_of(
    uow: UnitOfWork,
    customer_ids: Iterable[int | None],
    *,
    connector: str | None = None,
    fresh_only: bool = False,
    source: Source = Source.VERIFIED,
) -> dict[int, dict[str, str]]:
    """`account_attributes` for many customers in one statement (the SLA sweep's batch, a dry run), by
    customer; a customer without a found account is left out."""
    wanted = sorted({int(c) for c in customer_ids if c is not None})
    if not wanted:
        return {}
    table, counted, fetched = _ROWS[source]
    rows = uow.session.execute(
        text(
            "SELECT c.id, a.attributes FROM unnest(CAST(:customers AS bigint[])) AS c(id)"
            f" CROSS JOIN LATERAL (SELECT attributes FROM {table} WHERE {counted}"
            " AND (CAST(:connector AS text) IS NULL OR connector = :connector)"
            " AND (NOT :fresh_only OR expires_at > now())"
            f" ORDER BY {fetched} DESC NULLS LAST LIMIT 1) a"
        ),
        {"customers": wanted, "connector": connector, "fresh_only": fresh_only},
    ).all()
    return {int(row[0]): {str(k): str(v) for k, v in row[1].items()} for row in rows if isinstance(row[1], dict)}


def account_matches(attributes: Mapping[str, str], conditions: Mapping[str, object]) -> bool:
    """True when every `account.NAME` condition holds: equal to a value, or one of a list of values (case
    does not matter). Conditions without the `account.` prefix are someone else's and ignored; a missing
    attribute never matches."""
    for key, wanted in conditions.items():
        if not key.startswith(ACCOUNT_PREFIX):
            continue
        value = attributes.get(key.removeprefix(ACCOUNT_PREFIX))
        if value is None:
            return False
        allowed = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        if value.casefold() not in {str(option).casefold() for option in allowed}:
            return False
    return True
