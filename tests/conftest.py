"""Root of the test suite. Qt must know it has no display before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# pgserver and platformdirs warn without a runtime dir, and warnings fail the suite.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="switchboard-xdg-"))
# Tests must never read the person's own settings or data, nor the site's: an inherited XDG_CONFIG_HOME (the
# person's ~/.config) or XDG_CONFIG_DIRS (/etc/xdg, where QSettings and platformdirs look for site-wide files)
# is replaced by fresh, empty folders, so QSettings and settings.toml start from nothing.
os.environ.pop("SWITCHBOARD_DATABASE_URL", None)
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="switchboard-config-")
os.environ["XDG_CONFIG_DIRS"] = tempfile.mkdtemp(prefix="switchboard-site-config-")

pytest_plugins = ["tests.support.postgres", "tests.support.desk", "tests.support.tool"]
os.environ["SWITCHBOARD_DATA_DIR"] = tempfile.mkdtemp(prefix="switchboard-data-")

LAYERS = ("unit", "integration", "gui", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test carries the mark of its layer (`-m unit`, `-m "not e2e"`), taken from its folder."""
    root = Path(__file__).parent
    for item in items:
        try:
            layer = item.path.relative_to(root).parts[0]
        except ValueError:
            continue
        if layer in LAYERS:
            item.add_marker(layer)
