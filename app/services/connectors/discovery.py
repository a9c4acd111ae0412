"""Connectors are found through Python entry points (group `switchboard.connectors`): each names a factory
`build(settings) -> Connector` under the kind a site writes in its settings (`kind = "http"`). Ours is
registered in pyproject.toml; a site's own package registers its kinds the same way, without touching ours.

Every connector built here is wrapped in its circuit breaker (`Guarded`), whatever its kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from app.services.connectors.base import (
    Account,
    Connector,
    ConnectorMisconfigured,
    ConnectorUnavailable,
    KeyKind,
    NotFound,
)
from app.services.connectors.breaker import CircuitBreaker
from app.services.connectors.settings import ConnectorSettings, configured_connectors

GROUP = "switchboard.connectors"
Factory = Callable[[ConnectorSettings], Connector]
# Our own kinds, also where no package metadata is installed (the PyInstaller bundle has no entry points).
BUILT_IN = {"http": "app.services.connectors.http:build"}


class _BuiltIn:
    def __init__(self, target: str) -> None:
        self.module, self.attribute = target.split(":")

    def load(self) -> Any:
        return getattr(importlib.import_module(self.module), self.attribute)


def available_kinds() -> dict[str, Any]:
    """Every installed connector kind by name (the entry points, not yet loaded); a site's package may
    register a kind of its own or replace one of ours."""
    kinds: dict[str, Any] = {name: _BuiltIn(target) for name, target in BUILT_IN.items()}
    kinds.update({point.name: point for point in entry_points(group=GROUP)})
    return kinds


def build(settings: ConnectorSettings, *, breaker: CircuitBreaker | None = None) -> Guarded:
    kinds = available_kinds()
    if settings.kind not in kinds:
        installed = ", ".join(sorted(kinds)) or "none"
        raise ConnectorMisconfigured(
            f"[connectors.{settings.name}] in {settings.source} asks for kind {settings.kind!r}; "
            f"installed kinds: {installed}"
        )
    factory: Factory = kinds[settings.kind].load()
    connector = factory(settings)
    return Guarded(connector, settings, breaker or CircuitBreaker(settings.name))


class Guarded:
    """A connector behind its circuit breaker; what the rest of Switchboard holds.

    Attributes:
    inner: the connector itself; settings: its site settings; breaker: its circuit breaker.
    """

    def __init__(self, inner: Connector, settings: ConnectorSettings, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.settings = settings
        self.breaker = breaker
        self.name = inner.name
        self.key_kinds = inner.key_kinds

    def lookup(self, kind: KeyKind, key: str) -> Account | NotFound:
        return self.breaker.call(lambda: self.inner.lookup(kind, key))

    def describe(self) -> str:
        return self.inner.describe()


def any_configured(registry: ConnectorRegistry) -> bool:
    """Whether any connector is configured (a desk without one shows no account panel); a misconfigured one
    counts (its panel says what is wrong). Read from the settings alone: the account area need not load."""
    try:
        return bool(registry.names())
    except ConnectorUnavailable:
        return True


class ConnectorRegistry:
    """The configured connectors of this process, each built once (so its breaker and connection pool
    live as long as the process). Reads the settings when first asked."""

    def __init__(self, settings: dict[str, ConnectorSettings] | None = None) -> None:
        self._settings = settings
        self._built: dict[str, Guarded] = {}

    def settings(self) -> dict[str, ConnectorSettings]:
        if self._settings is None:
            self._settings = configured_connectors()
        return self._settings

    def names(self) -> list[str]:
        return sorted(self.settings())

    def get(self, name: str) -> Guarded:
        if name not in self._built:
            configured = self.settings()
            if name not in configured:
                known = ", ".join(sorted(configured)) or "none is configured"
                raise ConnectorMisconfigured(f"No connector named {name!r} ({known})")
            self._built[name] = build(configured[name])
        return self._built[name]

    def first(self) -> Guarded | None:
        """The account connector the desk shows: `accounts` if configured, else the first by name."""
        names = self.names()
        if not names:
            return None
        return self.get("accounts" if "accounts" in names else names[0])
