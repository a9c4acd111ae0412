"""What every account-lookup connector is: `lookup(kind, key) -> Account | NotFound`, for the key kinds it
declares. The HTTP connector is one implementation; a site adds its own (a CRM, a directory) as a package
that registers a factory under the `switchboard.connectors` entry point group (`discovery.py`).

Nothing here imports `requests`: the views may know these values and errors.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from app.services.errors import InvalidInput, KnownError

MAX_KEY_LENGTH = 200


class KeyKind(enum.StrEnum):
    """How a customer is known to the outside tool."""

    ACCOUNT_ID = "account_id"
    EMAIL = "email"


@dataclass(frozen=True)
class Account:
    """An account as shown: the mapped fields in the site's order (label, value as text), the link that
    opens it in the tool, the raw attributes the rest of the system may match on (tier, region …), and the
    email addresses the tool holds for it (what corroborates that an account id is a customer's)."""

    kind: KeyKind
    key: str
    fields: tuple[tuple[str, str], ...]
    link: str | None = None
    attributes: Mapping[str, str] | None = None
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotFound:
    """The tool answered and knows no account under this key."""

    kind: KeyKind
    key: str


class ConnectorUnavailable(KnownError):
    """The tool could not be asked or did not answer usefully (down, slow, refused the credential, bad TLS,
    an answer too big or not JSON, the circuit breaker open). The sentence says which, for a person."""

    exit_code = 6


class ConnectorMisconfigured(ConnectorUnavailable):
    """The site settings name no such connector, or its settings do not make sense."""

    exit_code = 2


class Connector(Protocol):
    """Attributes:
    name: the name the site settings give it (`[connectors.accounts]` → "accounts").
    key_kinds: the kinds of key it can look up, in the order to try them.
    """

    name: str
    key_kinds: tuple[KeyKind, ...]

    def lookup(self, kind: KeyKind, key: str) -> Account | NotFound:
        """May block (network); raises ConnectorUnavailable, never a transport's own error."""
        ...

    def describe(self) -> str:
        """One line for `connector list`: kind and where it points (no credential)."""
        ...


def clean_key(kind: KeyKind, key: str) -> str:
    """The key as it may be sent anywhere, or InvalidInput: NFC, no control or line characters (CRLF
    header and log injection), no path segments made only of dots, not empty, not longer than 200. The
    connector still quotes it for where it goes."""
    text = unicodedata.normalize("NFC", key.strip())
    if not text:
        raise InvalidInput("An account key cannot be empty")
    if len(text) > MAX_KEY_LENGTH:
        raise InvalidInput(f"An account key has at most {MAX_KEY_LENGTH} characters")
    if any(unicodedata.category(c)[0] in ("C", "Z") and c != " " for c in text):
        raise InvalidInput("An account key cannot hold control characters, line breaks or unusual spaces")
    if set(text) <= {"."}:
        raise InvalidInput("An account key cannot be only dots")
    if kind is KeyKind.EMAIL and ("@" not in text or " " in text):
        raise InvalidInput("An email key must be an address")
    return text


def age_in_words(age: dt.timedelta) -> str:
    """'just now', '4 min', '3 h', '2 days' — how old a cached account is."""
    seconds = max(int(age.total_seconds()), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
