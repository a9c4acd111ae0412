"""The sign-in dialog: the embedded database signs in its local admin; a dead server gets a sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import NoReturn

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from app.desktop import DesktopSignIn
from app.services.desk_api import ServerChoice
from app.services.errors import KnownError
from app.services.platform.config import resolve_database
from app.views.signin import GETTING_READY, TEAM_SERVER, THIS_COMPUTER, SignInDialog
from app.views.tasks import TaskRunner

pytestmark = pytest.mark.slow


def _opened(qtbot: QtBot, dialog: SignInDialog) -> SignInDialog:
    """The dialog once it knows the configured server (asked in the background as it opens)."""
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.configuration_known, timeout=30_000)
    return dialog


def test_this_computer_signs_in_its_admin(qtbot: QtBot) -> None:
    dialog = _opened(qtbot, SignInDialog(TaskRunner(), DesktopSignIn()))
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
    dialog = _opened(qtbot, SignInDialog(TaskRunner(), DesktopSignIn()))
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
    dialog = _opened(qtbot, SignInDialog(TaskRunner(), service, login="ben.okafor"))
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
    dialog = _opened(qtbot, SignInDialog(TaskRunner(), DesktopSignIn()))
    assert dialog.server.currentText() == TEAM_SERVER
    assert dialog.host.text() == "site-db.example.lan"
    assert dialog.user.text() == "someone.else"  # a remembered login still fills an empty field


class _RecordingSignIn:
    """A sign-in service that records what it was asked and refuses, so nothing connects."""

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, str | None]] = []

    def configured_server(self) -> ServerChoice | None:
        return None

    def sign_in(self, server: ServerChoice, login: str | None, password: str | None, *, remember: bool) -> NoReturn:
        self.asked.append((login, password))
        raise KnownError("No such login (test).")


@pytest.mark.parametrize("server", [THIS_COMPUTER, TEAM_SERVER])
def test_enter_in_the_sign_in_form_signs_in_and_never_opens_the_file_picker(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    picked: list[str] = []

    def pick(*_args: object, **_kwargs: object) -> tuple[str, str]:
        picked.append("asked")
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    service = _RecordingSignIn()
    dialog = _opened(qtbot, SignInDialog(TaskRunner(), service))
    dialog.server.setCurrentText(server)
    dialog.show()
    qtbot.waitExposed(dialog)
    if server == TEAM_SERVER:
        qtbot.keyClicks(dialog.host, "db.example.lan")
    qtbot.keyClicks(dialog.user, "ann")
    fields = [field for field in (dialog.host, dialog.user, dialog.password) if field.isEnabled()]
    for field in fields:  # Enter wherever the cursor is
        field.setFocus()
        qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "No such login" in dialog.message.text(), timeout=5000)
        dialog.message.clear()
    assert picked == []
    assert service.asked == [("ann", None)] * len(fields)
    assert dialog.sign_in_button.isDefault() and not dialog.browse.autoDefault()


class _SlowConfiguration(_RecordingSignIn):
    """Names a configured server only when the test lets it (as a slow disk would load the layers)."""

    def __init__(self, configured: ServerChoice | None) -> None:
        super().__init__()
        self.configured = configured
        self.go = threading.Event()

    def configured_server(self) -> ServerChoice | None:
        self.go.wait(30)
        return self.configured


def test_the_window_opens_at_once_and_sign_in_waits_for_the_configured_server(qtbot: QtBot) -> None:
    """The fields are there to type in while the configured server is asked; Sign in (button, Enter, a direct
    call) does nothing until it is known; the configured server then fills and locks its fields, but a login
    the person typed meanwhile stays."""
    service = _SlowConfiguration(ServerChoice("site-db.example.lan", 5432, "switchboard", "", "ops", set_by="test"))
    dialog = SignInDialog(TaskRunner(), service)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.sign_in_button.isEnabled() and not dialog.configuration_known
    qtbot.keyClicks(dialog.user, "ann")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.sign_in()
    assert service.asked == [] and dialog.message.text() == ""
    qtbot.waitUntil(lambda: dialog.message.text() == GETTING_READY, timeout=10_000)  # a slow start says so
    service.go.set()
    qtbot.waitUntil(lambda: dialog.configuration_known, timeout=10_000)
    assert dialog.sign_in_button.isEnabled() and dialog.message.text() == ""
    assert (dialog.server.currentText(), dialog.host.text()) == (TEAM_SERVER, "site-db.example.lan")
    assert not dialog.host.isEnabled() and dialog.user.text() == "ann"
    dialog.sign_in()
    qtbot.waitUntil(lambda: "No such login" in dialog.message.text(), timeout=5000)
    assert service.asked == [("ann", None)]


def test_a_bad_settings_file_is_said_in_the_window_and_nothing_signs_in(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings_file = tmp_path / "switchboard" / "settings.toml"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[database]\nhost = "site-db.example.lan"\nport = "not a port"\n')
    dialog = SignInDialog(TaskRunner(), DesktopSignIn())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "settings" in dialog.message.text(), timeout=30_000)
    assert not dialog.sign_in_button.isEnabled() and not dialog.configuration_known


# What the sign-in window does not wait for: the database layers, the services and the main window's modules.
LOADED_BEHIND_THE_WINDOW = [
    "sqlalchemy",
    "psycopg",
    "app.bootstrap",
    "app.services.desk",
    "app.services.tickets.queries",
    "app.views.main_window",
    "app.views.editor",
    "app.views.ticket_table",
]

OFFSCREEN_SIZE_HINTS = "This plugin does not support propagateSizeHints()"  # the test platform's, see pyproject

SIGN_IN_WINDOW = """
import json, sys
import app.cli  # the console command's module, as `switchboard` loads it
from app import desktop
watched = json.loads(sys.argv[1])
application = desktop.application()
before = [m for m in watched if m in sys.modules]
runner = desktop.TaskRunner()
dialog = desktop.SignInDialog(runner, desktop.DesktopSignIn())
dialog.show()
ready = desktop.process_events_until(lambda: dialog.configuration_known, 60)
after = [m for m in watched if m in sys.modules]
dialog.close()
desktop.process_events_until(lambda: not runner.in_flight, 10)
print(json.dumps({"before": before, "ready": ready, "after": after}))
"""


def test_the_sign_in_window_opens_before_the_database_layers_load_and_they_load_behind_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SIGN_IN_WINDOW, json.dumps(LOADED_BEHIND_THE_WINDOW)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", **os.environ},
    )
    assert result.returncode == 0, result.stderr
    said_by_qt = [line for line in result.stderr.splitlines() if line != OFFSCREEN_SIZE_HINTS]
    assert said_by_qt == []  # the views loaded off the GUI thread, and Qt had nothing to say about it
    said = json.loads(result.stdout.strip().splitlines()[-1])
    assert said == {"before": [], "ready": True, "after": LOADED_BEHIND_THE_WINDOW}
