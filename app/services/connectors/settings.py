"""The connectors a site configures, from the same settings files as the database (per-user first, then
site-wide), then the data directory's `connectors.toml`, which only `switchboard demo` writes. The first file
that names a connector wins for that connector.

```toml
[connectors.accounts]
kind = "http"                                   # the entry point that builds it (switchboard.connectors)
base_url = "https://accounts.example.lan"
ca_bundle = "/etc/ssl/certs/example-ca.pem"     # TLS is checked against this CA (else the system's)
auth = "bearer"                                 # bearer | basic | none; the secret is in the OS keyring
paths = { account_id = "/api/accounts/{key}", email = "/api/accounts?email={key}" }
link = "https://accounts.example.lan/players/{id}"   # {id}: the answer's id_field; {key}: the key
email_field = "contact.email"                   # the account's email address(es) in the tool's JSON
trust_named_accounts = false                    # see below; leave it off
ttl_seconds = 900
[connectors.accounts.fields]                    # label shown = dotted path in the tool's JSON
Status = "status"
Plan = "plan.name"
[connectors.accounts.attributes]                # what routing and SLA may match on (tier = "vip")
tier = "tier"
[connectors.accounts.find]                      # where a ticket names the account, after the customer's id
custom_field = "player_id"
patterns = ['player id:?\\s*#?(\\d{3,12})']
```

Rules (priority, SLA policies, routing skills) decide on an account only when the tool's answer corroborates
that it is the customer's: the tool was asked by the customer's own address, or its answer for an account id
carries, at `email_field` (a text or a list of texts), one of the customer's addresses. An account merely
named (by the customer's own text through `find.patterns`, a ticket field, an agent's link) is shown, not
decided on. `trust_named_accounts = true` makes every found account count: only for a tool that has no
emails, and then anyone who writes "player id: <a VIP's id>", or an agent who relinks a customer, gets the
VIP's priority and SLA (docs/security.md).

Secrets never sit here: a token, password or credential key anywhere in a connector's table is refused.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.connectors.base import ConnectorMisconfigured, KeyKind
from app.services.platform import paths
from app.services.platform.redaction import is_secret_key

DEMO_FILE = "connectors.toml"
_SECRET_WORDS = re.compile(r"token|secret|credential|authorization|apikey|bearer$")
MAX_PATTERNS = 20


@dataclass(frozen=True)
class FindSettings:
    """Where a ticket names its account when the customer has no stored id."""

    custom_field: str | None = None
    patterns: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class ConnectorSettings:
    name: str
    kind: str
    source: str
    options: Mapping[str, Any]
    ttl_seconds: int = 900
    find: FindSettings = field(default_factory=FindSettings)
    trust_named_accounts: bool = False  # every found account counts for rules, corroborated or not

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def _is_secret(key: str) -> bool:
    lowered = re.sub(r"[^a-z]", "", key.lower())
    return is_secret_key(key) or bool(_SECRET_WORDS.search(lowered))


def _secret_in(table: object, prefix: str = "") -> str | None:
    if isinstance(table, dict):
        for key, value in table.items():
            name = f"{prefix}{key}"
            if _is_secret(str(key)):
                return name
            if (found := _secret_in(value, f"{name}.")) is not None:
                return found
    return None


_USER_IN_ADDRESS = re.compile(r"^\s*[a-z][a-z0-9+.-]*://[^/?#@\s]*@", re.IGNORECASE)


def _address_with_user(table: object, prefix: str = "") -> str | None:
    """The key of a value that is an address with a user (and perhaps a password) in it, as
    `https://svc:Hunter2@tools.lan`: requests sent it as Basic authentication whatever `auth` said, and it
    was shown to every agent in the tool's error line, `connector list` and the shared account cache."""
    if isinstance(table, dict):
        for key, value in table.items():
            if (found := _address_with_user(value, f"{prefix}{key}.")) is not None:
                return found
    elif isinstance(table, list):
        for value in table:
            if (found := _address_with_user(value, prefix)) is not None:
                return found
    elif isinstance(table, str) and _USER_IN_ADDRESS.match(table):
        return prefix.rstrip(".")
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError):
        raise ConnectorMisconfigured(f"Cannot read the settings file {path}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConnectorMisconfigured(f"The settings file {path} is not valid TOML: {error}") from None
    connectors = document.get("connectors", {})
    if not isinstance(connectors, dict):
        raise ConnectorMisconfigured(f"In {path}, [connectors] must be a table")
    return connectors


def settings_files() -> list[Path]:
    return [paths.user_settings_path(), paths.site_settings_path(), paths.data_dir() / DEMO_FILE]


def configured_connectors(files: list[Path] | None = None) -> dict[str, ConnectorSettings]:
    """Every configured connector by name; the first file naming one wins."""
    found: dict[str, ConnectorSettings] = {}
    for path in files if files is not None else settings_files():
        for name, table in _read(path).items():
            if name not in found:
                found[name] = parse(name, table, source=str(path))
    return found


def parse(name: str, table: object, *, source: str) -> ConnectorSettings:
    where = f"[connectors.{name}] in {source}"
    if not isinstance(table, dict):
        raise ConnectorMisconfigured(f"{where} must be a table")
    if (key := _secret_in(table)) is not None:
        raise ConnectorMisconfigured(
            f"{where} holds a secret ({key!r}); remove it: the credential lives in the OS keyring "
            f"(switchboard connector credential {name})"
        )
    if (key := _address_with_user(table)) is not None:
        raise ConnectorMisconfigured(
            f"{where}: {key} holds a user name or password in its address; remove it: the credential lives in "
            f"the OS keyring (switchboard connector credential {name}), and an address is shown to every agent"
        )
    kind = table.get("kind", "http")
    ttl = table.get("ttl_seconds", 900)
    if not isinstance(kind, str) or not isinstance(ttl, int) or ttl < 0:
        raise ConnectorMisconfigured(f"{where}: kind must be a name and ttl_seconds a whole number of seconds")
    find_table = table.get("find", {})
    if not isinstance(find_table, dict):
        raise ConnectorMisconfigured(f"{where}: find must be a table")
    patterns: list[re.Pattern[str]] = []
    raw_patterns = find_table.get("patterns", [])
    if not isinstance(raw_patterns, list) or len(raw_patterns) > MAX_PATTERNS:
        raise ConnectorMisconfigured(f"{where}: find.patterns must be a list of at most {MAX_PATTERNS}")
    for text in raw_patterns:
        try:
            pattern = re.compile(str(text), re.IGNORECASE)
        except re.error as error:
            raise ConnectorMisconfigured(
                f"{where}: the pattern {text!r} is not a regular expression: {error}"
            ) from None
        if pattern.groups != 1:
            raise ConnectorMisconfigured(f"{where}: the pattern {text!r} must capture the key in one group")
        if nests_repeats(str(text)):
            raise ConnectorMisconfigured(
                f"{where}: the pattern {text!r} repeats a repetition (as in (a+)+), which takes exponential time on "
                "some customer text; write it without the nested repeat"
            )
        patterns.append(pattern)
    custom_field = find_table.get("custom_field")
    find = FindSettings(str(custom_field) if custom_field else None, tuple(patterns))
    trust = table.get("trust_named_accounts", False)
    if not isinstance(trust, bool):
        raise ConnectorMisconfigured(f"{where}: trust_named_accounts must be true or false")
    return ConnectorSettings(name, kind, source, table, ttl, find, trust)


def key_kinds_of(settings: ConnectorSettings) -> tuple[KeyKind, ...]:
    """The kinds its `paths` table names, account id first."""
    lookup_paths = settings.option("paths", {})
    if not isinstance(lookup_paths, dict):
        raise ConnectorMisconfigured(f"[connectors.{settings.name}] paths must be a table")
    kinds = tuple(k for k in KeyKind if k.value in lookup_paths)
    unknown = set(lookup_paths) - {k.value for k in KeyKind}
    if unknown or not kinds:
        raise ConnectorMisconfigured(
            f"[connectors.{settings.name}] paths names {sorted(unknown) or 'no key kind'}; "
            f"use {', '.join(k.value for k in KeyKind)}"
        )
    return kinds


def nests_repeats(pattern: str) -> bool:
    """Whether a repeat of varying count holds another (`(a+)+`, `(\\w*\\s?)*`) with nothing to tell its
    rounds apart: the shape that backtracks exponentially. Fixed counts (`\\d{3}`) and rounds that must
    match a punctuation mark (`(\\w+(?:\\.\\w+)*)`, an IBAN's `(?: ?\\d{4}){4}`) are fine. The pattern is
    the admin's but the text it runs over is the customer's: 42 'a's and a '!' in a subject kept
    `connector verify` busy past 40 s with (a+)+$. Read from Python's own parse of it."""
    import re._constants as sre  # type: ignore[import-not-found]  # the parser `re` itself uses
    import re._parser as sre_parse  # type: ignore[import-not-found]

    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}

    def inner(op: Any, value: Any) -> list[Any]:
        """The sub-patterns of one parsed item: a group's body, a branch's alternatives, a look-around's."""
        if op == sre.SUBPATTERN:
            return [value[-1]]
        if op == sre.BRANCH:
            return list(value[1])
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            return [value[1]]
        return []

    def separated(body: Any) -> bool:
        """Whether each round of a repeat must match a punctuation mark (`(?:\\.\\w+)*`, `(?:-\\d{3})*`):
        then the rounds cannot trade text between them, and nothing backtracks exponentially."""
        return any(
            op == sre.LITERAL and not (chr(value).isalnum() or chr(value).isspace() or chr(value) == "_")
            for op, value in body
        )

    def walk(items: Any, inside: bool) -> bool:
        for op, value in items:
            if op in repeats:
                low, high, body = value
                varies = low != high  # {3} repeats, but one way only
                if (varies and inside) or walk(body, inside or (varies and not separated(body))):
                    return True
            elif any(walk(sub, inside) for sub in inner(op, value)):
                return True
        return False

    return walk(sre_parse.parse(pattern), False)
