"""Root of the test suite. Qt must know it has no display before anything imports it."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
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

# Python's collector never runs on its own in the suite, as in the app (app/views/memory.py): it runs on
# whichever thread allocates past a threshold — the test databases' preparers, a pool thread, a live
# listener — and a cycle holding a Qt object collected there is deleted off the GUI thread; Qt then warns
# ("Timers cannot be stopped from another thread") or crashes in a later test while processing events
# (seen once a worker of the parallel suite ran integration tests after GUI tests with the collector back
# on: a segfault in pytest-qt's event processing). Each test's garbage is collected after it, on the main
# thread, which is the GUI thread.
gc.disable()
FULL_COLLECTION_EVERY = 50  # tests; a full collection walks every object of the run (~0.3 s here)
_collections = 0


@pytest.fixture(autouse=True)
def collect_on_the_main_thread() -> Iterator[None]:
    """Set up first and torn down last (the outermost autouse fixture): everything else of the test is torn
    down when its garbage is collected. With collection off, what the test made is still in the young
    generations, so collecting those is enough and cheap; a full collection now and then takes what aged."""
    global _collections
    yield
    _collections += 1
    gc.collect(2 if _collections % FULL_COLLECTION_EVERY == 0 else 1)


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
