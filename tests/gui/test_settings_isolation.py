"""No test reads the person's or the site's settings: QSettings and settings.toml start empty in a temp folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot


def _inside_temp(path: str) -> bool:
    return Path(path).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())


def test_settings_are_read_from_empty_temporary_folders_only(qtbot: QtBot) -> None:
    assert _inside_temp(os.environ["XDG_CONFIG_HOME"])
    assert all(_inside_temp(folder) for folder in os.environ["XDG_CONFIG_DIRS"].split(os.pathsep))
    user = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "Switchboard", "Switchboard")
    site = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.SystemScope, "Switchboard", "Switchboard")
    assert _inside_temp(user.fileName()) and _inside_temp(site.fileName())
    assert site.allKeys() == []
