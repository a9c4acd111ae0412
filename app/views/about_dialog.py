"""Help ▸ About: the build's version, the schema revision it needs and the one the database has, and the
server — what a person reads to IT on the phone. Read in the background (`desk.navigation.about`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app import __version__
from app.services.desk_api import Desk
from app.services.navigation.dto import AboutDesk
from app.views.errors import explain_failure
from app.views.tasks import TaskRunner


def server_text(about: AboutDesk) -> str:
    where = f"{about.host}:{about.port}" if about.host else "this computer (local socket)"
    return f"PostgreSQL {about.server_version} on {where}, database {about.database}"


def schema_text(about: AboutDesk) -> str:
    if about.schema_is_current:
        return f"{about.schema_revision} (current)"
    return f"{about.schema_revision or 'none'}; this build needs {about.code_revision}"


class AboutDialog(QDialog):
    """Attributes:
    fields: the value labels by name ("Version", "Schema", "Server", "Signed in as"), all plain text.
    """

    def __init__(self, desk: Desk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Switchboard")
        heading = QLabel("Switchboard")
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for name, value in (("Version", __version__), ("Schema", "…"), ("Server", "…"), ("Signed in as", "…")):
            label = QLabel(value)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.fields[name] = label
            form.addRow(name, label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(QLabel("An on-premise help desk for support teams."))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self._display_name = desk.me.display_name
        runner.run(desk.navigation.about, self._arrived, self._failed)

    def _arrived(self, about: AboutDesk) -> None:
        self.fields["Version"].setText(about.version)
        self.fields["Schema"].setText(schema_text(about))
        self.fields["Server"].setText(server_text(about))
        name, login = self._display_name, about.login
        # "Local administrator (root)" is already named after its login: not "(root) (root)"
        self.fields["Signed in as"].setText(name if f"({login})" in name else f"{name} ({login})")
        self.adjustSize()  # the wrapped lines came after the dialog took its size: it grows to show them whole

    def _failed(self, error: Exception) -> None:
        for name in ("Schema", "Server", "Signed in as"):
            self.fields[name].setText("—")
        self.fields["Server"].setText(explain_failure(error))
        self.adjustSize()
