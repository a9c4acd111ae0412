"""Remembered passwords go to the OS keyring or nowhere; never to a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError

from app.services.platform import credentials
from app.services.platform.config import DatabaseTarget, parse_database_url


class MemoryKeyring(KeyringBackend):
    priority = -1  # below zero: never chosen by keyring on its own

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class NoKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no backend")


@pytest.fixture
def target(tmp_path: Path) -> DatabaseTarget:
    return DatabaseTarget(parse_database_url("postgresql://db.team.lan:5433/helpdesk", source="test"), "test", tmp_path)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_password_is_kept_per_login_and_server(memory: MemoryKeyring, target: DatabaseTarget) -> None:
    assert credentials.remember(target, "alice", "s3cret-pass") is None
    assert credentials.recall(target, "alice") == "s3cret-pass"
    assert memory.store == {("switchboard", "alice@db.team.lan:5433/helpdesk"): "s3cret-pass"}
    credentials.forget(target, "alice")
    assert credentials.recall(target, "alice") is None


def test_without_a_keyring_nothing_is_stored_and_the_person_is_told(target: DatabaseTarget, tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        assert credentials.remember(target, "alice", "s3cret-pass") == credentials.NO_KEYRING
        assert credentials.recall(target, "alice") is None
    finally:
        keyring.set_keyring(previous)
    assert not any("s3cret-pass" in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
