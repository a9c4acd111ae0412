"""A keyring for tests that run `switchboard` as a real process: a JSON file named by
SWITCHBOARD_TEST_KEYRING, chosen with PYTHON_KEYRING_BACKEND=tests.support.file_keyring.FileKeyring.
Tests only (plain text, in a test's temp dir): the app itself never stores a secret in a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = -1  # below zero: never chosen by keyring on its own

    @property
    def path(self) -> Path:
        return Path(os.environ["SWITCHBOARD_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        store = self._load()
        store[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(store))

    def delete_password(self, service: str, username: str) -> None:
        store = self._load()
        store.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(store))
