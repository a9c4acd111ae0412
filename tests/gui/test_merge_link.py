"""Merging and linking in the client, by keys on a real database: M (merge into) and L (link with) on the
shown ticket, the other found by typing its number or subject words, Enter. What landed is read back
through the person's own login."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.views.main_window import MainWindow
from app.views.relate_dialog import RelateDialog
from tests.support.desk_window import close_window, go_to, open_window, press, runtime_as
from tests.support.desk_window import create_billing_ticket as create
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(  # the offers are a popup: offscreen Qt can neither raise it nor grab keys
        "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
    ),
]


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def choose_other(qtbot: QtBot, window: MainWindow, key: Qt.Key, typed: str, offered: str) -> RelateDialog:
    """M or L, the other ticket typed and picked from the offers (Down, Enter)."""
    window.relate_dialog = None  # type: ignore[assignment]
    press(qtbot, key)
    qtbot.waitUntil(lambda: window.relate_dialog is not None and window.relate_dialog.isVisible())
    dialog = window.relate_dialog
    edit: QLineEdit = dialog.other
    qtbot.keyClicks(edit, typed)
    completer = edit.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [offered]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.others.picked is not None)
    return dialog


def test_m_merges_the_shown_ticket_into_one_found_by_typing_and_l_links_two(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    duplicate = create(world, "Charged twice in March")
    original = create(world, "Double charge on my card")
    related = create(world, "Invoice address wrong")
    window = open_window(qtbot, engine, tmp_path, "alice")
    alice = HelpDesk(runtime_as(engine, "alice"))

    go_to(qtbot, window, duplicate.number)
    dialog = choose_other(
        qtbot, window, Qt.Key.Key_M, str(original.number), f"#{original.number}  Double charge on my card — Jane Doe"
    )
    assert dialog.windowTitle() == f"Merge #{duplicate.number} into another ticket"
    qtbot.keyClick(dialog.other, Qt.Key.Key_Return)  # Enter: merge
    qtbot.waitUntil(lambda: window.editor.detail.ticket.merged_into_id == original.id, timeout=5000)  # type: ignore[union-attr]
    merged = alice.tickets.ticket(duplicate.id).ticket
    assert (merged.merged_into_id, merged.status) == (original.id, "closed")
    assert "Charged twice in March." in [m.body_text for m in alice.tickets.ticket(original.id).messages]

    go_to(qtbot, window, original.number)
    dialog = choose_other(
        qtbot, window, Qt.Key.Key_L, "invoice address", f"#{related.number}  Invoice address wrong — Jane Doe"
    )
    qtbot.keyClick(dialog.other, Qt.Key.Key_Return)  # Enter: link
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
    assert alice.tickets.ticket(original.id).linked_ticket_ids == (related.id,)
    close_window(window, qtbot)
