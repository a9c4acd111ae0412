"""The sign-in dialog: the embedded database signs in its local admin; a dead server gets a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.desktop import DesktopSignIn
from app.services.platform.config import resolve_database
from app.views.signin import TEAM_SERVER, THIS_COMPUTER, SignInDialog
from app.views.tasks import TaskRunner

pytestmark = pytest.mark.slow


def test_this_computer_signs_in_its_admin(qtbot: QtBot) -> None:
    dialog = SignInDialog(TaskRunner(), DesktopSignIn())
    qtbot.addWidget(dialog)
    dialog.server.setCurrentText(THIS_COMPUTER)
    dialog.user.clear()
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.sign_in()
    assert dialog.client is not None and dialog.client.desk.me.role.value == "admin"
    assert dialog.password.text() == ""
    dialog.client.close()


@pytest.mark.parametrize(
    ("host", "port", "words"),
    [("", 5432, "Enter the host name"), ("127.0.0.1", 1, "Cannot reach the database at")],
)
def test_a_server_that_cannot_be_reached_is_named(qtbot: QtBot, host: str, port: int, words: str) -> None:
    dialog = SignInDialog(TaskRunner(), DesktopSignIn())
    qtbot.addWidget(dialog)
    dialog.server.setCurrentText(TEAM_SERVER)
    dialog.host.setText(host)
    dialog.port.setValue(port)
    dialog.user.setText("alice")
    dialog.password.setText("Canary-Password-404")
    dialog.sign_in()
    qtbot.waitUntil(lambda: words in dialog.message.text(), timeout=15_000)
    assert dialog.result() == 0 and dialog.client is None
    assert dialog.message.textFormat().name == "PlainText"
    assert "Canary-Password-404" not in " ".join(label.text() for label in dialog.findChildren(QLabel))


def _remember_a_local_profile() -> None:
    settings = QSettings()
    settings.setValue("signin/server", THIS_COMPUTER)
    settings.setValue("signin/host", "old-server.example.lan")
    settings.setValue("signin/user", "someone.else")
    settings.sync()


def test_the_database_flag_and_user_flag_win_over_what_the_dialog_remembered(qtbot: QtBot) -> None:
    """`switchboard --database URL --user LOGIN` opens the sign-in on that server, as that login."""
    _remember_a_local_profile()
    flagged = resolve_database("postgresql://db.example.lan:6543/helpdesk?sslmode=verify-full&sslrootcert=/ca.pem")
    service = DesktopSignIn(flagged)
    dialog = SignInDialog(TaskRunner(), service, login="ben.okafor")
    qtbot.addWidget(dialog)
    assert dialog.server.currentText() == TEAM_SERVER and not dialog.server.isEnabled()
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text()) == ("db.example.lan", 6543, "helpdesk")
    assert dialog.user.text() == "ben.okafor"
    assert service.target(dialog.chosen_server()) is flagged  # used as given: its TLS settings included


def test_a_settings_file_wins_over_what_the_dialog_remembered(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _remember_a_local_profile()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings_file = tmp_path / "switchboard" / "settings.toml"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[database]\nhost = "site-db.example.lan"\ndatabase = "switchboard"\n')
    dialog = SignInDialog(TaskRunner(), DesktopSignIn())
    qtbot.addWidget(dialog)
    assert dialog.server.currentText() == TEAM_SERVER
    assert dialog.host.text() == "site-db.example.lan"
    assert dialog.user.text() == "someone.else"  # a remembered login still fills an empty field
