"""Account attributes as conditions for SLA policies, routing and automation: read from the team's cache,
never from the tool (no HTTP call inside anyone's transaction).

    attributes = account_attributes(uow, customer_id)            # {"tier": "vip", "region": "EU", ...}
    account_matches(attributes, {"account.tier": "vip"})         # True
    account_matches(attributes, {"account.region": ["EU", "UK"], "priority": "high"})  # other keys ignored

Whoever owns a rule engine calls these two; nothing here changes SLA or routing code. The attributes are the
newest answer cached for any of the customer's account keys, expired or not (an expired answer is still the
best knowledge; `account_attributes(..., fresh_only=True)` asks for unexpired ones only). The read goes
through the caller's row-level security: an agent sees a customer's attributes while they see one of the
customer's tickets; the worker sees all. What the cache holds is what an agent's client stored (see
docs/security.md): a hint for routing and SLA, not an authorisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import text

from app.services.platform.uow import UnitOfWork

PREFIX = "account."


def account_attributes(
    uow: UnitOfWork, customer_id: int, *, connector: str | None = None, fresh_only: bool = False
) -> dict[str, str]:
    row = uow.session.execute(
        text(
            "SELECT attributes FROM switchboard.account_cache"
            " WHERE customer_ids @> ARRAY[CAST(:customer AS bigint)] AND found"
            " AND (CAST(:connector AS text) IS NULL OR connector = :connector)"
            " AND (NOT :fresh_only OR expires_at > now())"
            " ORDER BY fetched_at DESC NULLS LAST LIMIT 1"
        ),
        {"customer": customer_id, "connector": connector, "fresh_only": fresh_only},
    ).first()
    if row is None or not isinstance(row[0], dict):
        return {}
    return {str(k): str(v) for k, v in row[0].items()}


def accounts_of(uow: UnitOfWork, customer_ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    """`account_attributes` for many customers in one statement (the SLA sweep's batch, a dry run), by
    customer; a customer without a cached account is left out. Same rows, same order, same security."""
    wanted = sorted({int(c) for c in customer_ids if c is not None})
    if not wanted:
        return {}
    rows = uow.session.execute(
        text(
            "SELECT c.id, a.attributes FROM unnest(CAST(:customers AS bigint[])) AS c(id)"
            " CROSS JOIN LATERAL (SELECT attributes FROM switchboard.account_cache"
            " WHERE customer_ids @> ARRAY[c.id] AND found ORDER BY fetched_at DESC NULLS LAST LIMIT 1) a"
        ),
        {"customers": wanted},
    ).all()
    return {int(row[0]): {str(k): str(v) for k, v in row[1].items()} for row in rows if isinstance(row[1], dict)}


def account_matches(attributes: Mapping[str, str], conditions: Mapping[str, object]) -> bool:
    """True when every `account.NAME` condition holds: equal to a value, or one of a list of values (case
    does not matter). Conditions without the `account.` prefix are someone else's and ignored; a missing
    attribute never matches."""
    for key, wanted in conditions.items():
        if not key.startswith(PREFIX):
            continue
        value = attributes.get(key.removeprefix(PREFIX))
        if value is None:
            return False
        allowed = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        if value.casefold() not in {str(option).casefold() for option in allowed}:
            return False
    return True
