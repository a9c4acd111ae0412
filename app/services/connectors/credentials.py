"""A connector's credential (a bearer token, or `user:password` for basic auth) lives in the OS keyring of
the machine that uses it, set with `switchboard connector credential NAME`; never in a file or a log.

A headless machine has no keyring (every call raises `KeyringError`): the credential is then kept in this
process's memory for the session only, and the person is told so. There is no plain-text fallback.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError

from app.services.platform.redaction import register_secret

log = logging.getLogger(__name__)
SERVICE = "switchboard-connector"
NO_KEYRING = "this computer has no usable keyring, so the credential is kept for this session only"
_session: dict[str, str] = {}


def recall(name: str) -> str | None:
    """The keyring's credential for the connector, else the one kept for this session, else None."""
    try:
        secret = keyring.get_password(SERVICE, name)
    except KeyringError as error:
        log.info("no keyring for connector %s: %s", name, type(error).__name__)
        secret = None
    secret = secret or _session.get(name)
    register_secret(secret)
    return secret


def remember(name: str, secret: str) -> str | None:
    """Stores it; None when the keyring has it, else the sentence saying it is kept for the session only."""
    register_secret(secret)
    try:
        keyring.set_password(SERVICE, name, secret)
    except KeyringError:
        _session[name] = secret
        return NO_KEYRING
    _session.pop(name, None)
    return None


def keep_for_session(name: str, secret: str) -> None:
    """A credential this process knows without a keyring (the demo's own tool): memory only."""
    register_secret(secret)
    _session[name] = secret


def forget(name: str) -> None:
    _session.pop(name, None)
    with contextlib.suppress(KeyringError):
        keyring.delete_password(SERVICE, name)
