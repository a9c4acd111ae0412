"""An account condition as people type it (`account.tier=vip`, `region = EU, UK`): the CLI's account
priority rules and the desktop's SLA policy editor read it alike. No database here, so views may import it."""

from __future__ import annotations

from app.services.errors import InvalidInput

ACCOUNT_PREFIX = "account."  # a condition on the customer's verified account: account.NAME


def account_condition(pair: str) -> tuple[str, str | list[str]]:
    """One `NAME=value` or `NAME=value, value` (the `account.` prefix may be left out) as the condition's
    key and value: one value as text, several (any of them) as a list."""
    key, equals, value = pair.partition("=")
    key = key.strip()
    if not key.startswith(ACCOUNT_PREFIX):
        key = ACCOUNT_PREFIX + key
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not equals or key == ACCOUNT_PREFIX or not values:
        raise InvalidInput(f"{pair.strip()!r} is not a condition; write account.NAME = value (or value, value).")
    return key, values[0] if len(values) == 1 else values
