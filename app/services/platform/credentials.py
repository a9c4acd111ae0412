"""Remembered passwords live in the OS keyring, and nowhere else.

Where the machine has no usable keyring (a headless Linux without a Secret Service), nothing is stored:
the person is asked each time and told why. There is no plain-text fallback, and `keyrings.alt` is not a
dependency (it would silently become one).
"""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError

from app.services.platform.config import DatabaseTarget
from app.services.platform.redaction import register_secret

log = logging.getLogger(__name__)
SERVICE = "switchboard"
NO_KEYRING = "this computer has no usable keyring, so the password is asked for each time"


def account(target: DatabaseTarget, login: str) -> str:
    """One entry per login and server: the same name on two servers has two passwords."""
    if target.url is None:
        return f"{login}@embedded"
    url = target.url
    return f"{login}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def recall(target: DatabaseTarget, login: str) -> str | None:
    try:
        password = keyring.get_password(SERVICE, account(target, login))
        register_secret(password)
        return password
    except KeyringError as error:
        log.info("no keyring: %s", type(error).__name__)
        return None


def remember(target: DatabaseTarget, login: str, password: str) -> str | None:
    """Store the password; returns None on success, else the sentence saying why it was not kept."""
    try:
        keyring.set_password(SERVICE, account(target, login), password)
    except KeyringError:
        return NO_KEYRING
    return None


def forget(target: DatabaseTarget, login: str) -> None:
    with contextlib.suppress(KeyringError):
        keyring.delete_password(SERVICE, account(target, login))
