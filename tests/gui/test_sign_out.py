"""Sign out, for a workstation shared at the change of shift: the window closes as Quit closes it (the agent
set away, the connection closed) and the sign-in window comes back for the next person; closing that ends
the program. Driven through `app.desktop.run_desktop`, its event loop and all, as the console command runs it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.desktop import run_desktop
from app.services.tickets import service
from app.views.main_window import MainWindow
from app.views.signin import SignInDialog
from tests.support.world import World, build_world, runtime_as

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        service.create_ticket(uow, subject="Printer on fire", customer_id=world.jane, queue_id=world.billing)
        uow.commit()
    return world


def shown(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")
def test_sign_out_closes_the_desk_and_asks_who_signs_in_next(engine: Engine, world: World) -> None:
    seen: list[str] = []
    windows: list[MainWindow] = []

    def drive() -> None:
        desks, dialogs = shown(MainWindow), shown(SignInDialog)
        if desks and not seen and desks[0].model.rowCount() > 0:
            seen.append("desk")
            windows.append(desks[0])
            sign_out = desks[0].actions_by_text["Sign out"]
            assert sign_out in desks[0].menus["Ticket"].actions()
            sign_out.trigger()
        elif dialogs and seen == ["desk"]:
            seen.append(f"sign-in, login '{dialogs[0].user.text()}'")
            dialogs[0].reject()  # nobody signs in: the program ends
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    before = her_sessions(engine)  # the test's own
    assert run_desktop(runtime_as(engine.url, "alice")) == 0
    assert seen == ["desk", "sign-in, login ''"]
    assert windows[0].signed_out and not windows[0].isVisible()
    assert her_sessions_end(engine, before)  # nothing of hers stays connected for the next person's desk


def her_sessions(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE usename = current_database() || '_alice'")
            ).scalar_one()
        )


def her_sessions_end(engine: Engine, before: int, seconds: float = 10) -> bool:
    """Back to the sessions she had before (the test's own), allowing a backend the moment it takes to go."""
    deadline = time.monotonic() + seconds
    while her_sessions(engine) > before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
