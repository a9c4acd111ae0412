"""GUI tests: real widgets offscreen. A test fails if it leaves background work running."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThreadPool, QTimer
from pytestqt.qtbot import QtBot

from tests.support.desk_window import close_signed_in
from tests.support.gui_thread import GuiThreadGuard


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


THREADS_OF_OURS = "switchboard-"  # the live listener's and the draft journal's threads are named so


def dangling_threads() -> list[str]:
    """Our own threads still running: the live listener (`switchboard-live`), the draft journal's fsync
    thread (`switchboard-draft-sync`) and any other the app names so."""
    return sorted(t.name for t in threading.enumerate() if t.name.startswith(THREADS_OF_OURS) and t.is_alive())


@pytest.fixture(autouse=True)
def no_dangling_python_threads(qtbot: QtBot) -> Iterator[None]:
    """Threads the app starts itself (not through the pool) must end with the window or store that
    started them (napari's `dangling_qthreads`, for our threading.Thread ones)."""
    yield
    left = dangling_threads()
    assert not left, f"threads left running: {left}"


_started_timers: list[QTimer] = []  # this test's, recorded by `no_running_timers`


def running_timers() -> list[str]:
    """The QTimers this test started that still run (whoever their parent is, or none)."""
    return sorted(
        {
            f"{type(timer.parent()).__name__ if timer.parent() else 'no parent'}: "
            f"{timer.objectName() or 'timer'} every {timer.interval()} ms"
            for timer in _started_timers
            if shiboken6.isValid(timer) and timer.isActive()
        }
    )


@pytest.fixture(autouse=True)
def no_running_timers(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every QTimer a test started (its window's, a model's, a bar's, parented or not) must have stopped
    by the end, once pytest-qt has closed the test's widgets (as napari's `dangling_qtimers`)."""
    start = QTimer.start

    def recorded_start(timer: QTimer, *args: object) -> None:
        _started_timers.append(timer)
        start(timer, *args)

    monkeypatch.setattr(QTimer, "start", recorded_start)
    _started_timers.clear()
    yield
    running = running_timers()
    _started_timers.clear()
    assert not running, f"timers left running: {running}"


@pytest.fixture
def gui_guard() -> Iterator[GuiThreadGuard]:
    """Started by the test once its window is up; when the test ends, no SQL statement, pooled connection or
    network connect may have run on the GUI thread in between (outside the test's own `paused()` work)."""
    guard = GuiThreadGuard()
    yield guard
    blocking = guard.stop()
    assert not blocking, f"the GUI thread waited on: {blocking[:5]}"
