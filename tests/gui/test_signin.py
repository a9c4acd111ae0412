"""The sign-in dialog: the embedded database signs in its local admin; a dead server gets a sentence."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.views.signin import TEAM_SERVER, THIS_COMPUTER, SignInDialog
from app.views.tasks import TaskRunner

pytestmark = pytest.mark.slow


def test_this_computer_signs_in_its_admin(qtbot: QtBot) -> None:
    dialog = SignInDialog(TaskRunner())
    qtbot.addWidget(dialog)
    dialog.server.setCurrentText(THIS_COMPUTER)
    dialog.user.clear()
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.sign_in()
    assert dialog.desk is not None and dialog.desk.me.role.value == "admin"
    assert dialog.password.text() == ""
    dialog.desk.runtime.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("host", "port", "words"),
    [("", 5432, "Enter the host name"), ("127.0.0.1", 1, "Cannot reach the database at")],
)
def test_a_server_that_cannot_be_reached_is_named(qtbot: QtBot, host: str, port: int, words: str) -> None:
    dialog = SignInDialog(TaskRunner())
    qtbot.addWidget(dialog)
    dialog.server.setCurrentText(TEAM_SERVER)
    dialog.host.setText(host)
    dialog.port.setValue(port)
    dialog.user.setText("alice")
    dialog.password.setText("Canary-Password-404")
    dialog.sign_in()
    qtbot.waitUntil(lambda: words in dialog.message.text(), timeout=15_000)
    assert dialog.result() == 0 and dialog.desk is None
    assert dialog.message.textFormat().name == "PlainText"
    assert "Canary-Password-404" not in " ".join(label.text() for label in dialog.findChildren(QLabel))
