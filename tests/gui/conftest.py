"""GUI tests: real widgets offscreen. A test fails if it leaves background work running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.desk_window import close_signed_in


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Every test starts with no remembered settings (sign-in profile, layout, theme) of an earlier test."""
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def close_runtimes(qtbot: QtBot) -> Iterator[None]:
    """Every runtime a journey signed in with is closed when it ends (tests/support/desk_window.py)."""
    yield
    close_signed_in()


@pytest.fixture(autouse=True)
def no_dangling_threads() -> Iterator[None]:
    yield
    pool = QThreadPool.globalInstance()
    finished = pool.waitForDone(5000)
    assert finished and pool.activeThreadCount() == 0, "a test left background work running"


@pytest.fixture(autouse=True)
def no_running_timers(qtbot: QtBot) -> Iterator[None]:
    """Windows the test closed (or shut down) must not keep timers ticking."""
    yield
    running = [
        f"{type(widget).__name__}: {timer.objectName() or 'timer'} every {timer.interval()} ms"
        for widget in QApplication.topLevelWidgets()
        if not widget.isVisible()
        for timer in widget.findChildren(QTimer)
        if timer.isActive()
    ]
    assert not running, f"timers left running: {running}"
