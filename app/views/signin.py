"""Sign-in: this computer's embedded database, or the team's server; the password is typed (or comes
from the OS keyring) and never written to a file. Each failure gets its own sentence."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.services.desk_api import ServerChoice, SignedInClient, SignInService
from app.services.errors import KnownError
from app.views.appearance import accents
from app.views.errors import explain_failure
from app.views.tasks import TaskRunner

THIS_COMPUTER = "This computer"
GETTING_READY = "Getting ready…"
GETTING_READY_AFTER_MS = 1500
TEAM_SERVER = "Team server"


class SignInDialog(QDialog):
    """Attributes:
    client: the signed-in desk with its live updates, once the dialog is accepted.
    """

    def __init__(
        self, runner: TaskRunner, service: SignInService, parent: QWidget | None = None, *, login: str | None = None
    ) -> None:
        """The server `--database`, the environment or a settings file name (`service.configured_server()`)
        wins over whatever this dialog remembered, and is used as given. `login`: from `--user`."""
        super().__init__(parent)
        self.setWindowTitle("Sign in to Switchboard")
        self.setMinimumWidth(460)
        self.runner = runner
        self.service = service
        self.client: SignedInClient | None = None
        self.settings = QSettings()
        # The configured server is asked in the background (resolving it loads the database layers, which
        # the desktop client loads behind this window): Sign in waits for the answer, the fields do not.
        self.configured: ServerChoice | None = None
        self.configuration_known = False
        self.configuration_failed = False  # the window says why: nothing to sign in to
        self._login = login
        self._build()
        self._load_profile(login)
        self.sign_in_button.setEnabled(False)
        self.runner.run(service.configured_server, self._configured, self._configuration_failed)
        QTimer.singleShot(GETTING_READY_AFTER_MS, self, self._still_getting_ready)

    def _build(self) -> None:
        heading = QLabel("Switchboard")
        heading.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.server = QComboBox()
        self.server.addItems([THIS_COMPUTER, TEAM_SERVER])
        self.host, self.database, self.ca_file = QLineEdit(), QLineEdit("switchboard"), QLineEdit()
        self.host.setPlaceholderText("helpdesk-db.example.lan")
        self.ca_file.setPlaceholderText("CA certificate (for verified TLS)")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.browse = QPushButton("Browse…")
        # In a dialog every push button is an "auto default": once it has been focused (or merely comes first
        # in the dialog), Enter in any field presses it. Enter must sign in, never open the file picker.
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(self.browse)
        self.user, self.password = QLineEdit(), QLineEdit()
        self.user.setPlaceholderText("your login (empty: this computer's admin)")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in the system keyring")
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {accents().overdue};")  # readable on light and dark
        form = QFormLayout()
        form.addRow("Server", self.server)
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("TLS CA", ca_row)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("", self.remember)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.server.currentTextChanged.connect(self._server_changed)
        self._server_changed(self.server.currentText())

    def _server_changed(self, choice: str) -> None:
        remote = choice == TEAM_SERVER
        for widget in (self.host, self.port, self.database, self.ca_file, self.browse):
            widget.setEnabled(remote)

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA certificate", "", "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_file.setText(path)

    def _load_profile(self, login: str | None) -> None:
        """What this dialog remembered; what the flag, environment or settings file say wins when it is known
        (`_configured`)."""
        saved_server = self.settings.value("signin/server")
        if isinstance(saved_server, str) and saved_server in (THIS_COMPUTER, TEAM_SERVER):
            self.server.setCurrentText(saved_server)
        for key, widget in (
            ("signin/host", self.host),
            ("signin/database", self.database),
            ("signin/ca", self.ca_file),
        ):
            value = self.settings.value(key)
            if isinstance(value, str) and value:
                widget.setText(value)
        saved_user = self.settings.value("signin/user")
        chosen = login or saved_user
        if isinstance(chosen, str) and chosen:
            self.user.setText(chosen)
        self._user_at_start = self.user.text()
        if login:
            self.password.setFocus()

    def _configured(self, configured: ServerChoice | None) -> None:
        if not isValid(self):  # closed before the answer came
            return
        self.configured = configured
        if configured is not None:
            self.server.setCurrentText(TEAM_SERVER)
            self.host.setText(configured.host or "")
            self.port.setValue(configured.port)
            self.database.setText(configured.database)
            self.ca_file.setText(configured.ca_file)
            self.server.setEnabled(False)
            for widget in (self.host, self.port, self.database, self.ca_file, self.browse):
                widget.setEnabled(False)
                widget.setToolTip(f"Set by {configured.set_by}")
            # the configured login fills the field unless --user named one or the person typed one meanwhile
            if configured.user and not self._login and self.user.text() == self._user_at_start:
                self.user.setText(configured.user)
        self.configuration_known = True
        self.sign_in_button.setEnabled(True)
        if self.message.text() == GETTING_READY:
            self.message.clear()

    def _still_getting_ready(self) -> None:
        """Ready in well under a second on a workstation; on a slow disk, say why Sign in is not yet enabled."""
        if not self.configuration_known and not self.message.text():
            self._show(GETTING_READY)

    def _configuration_failed(self, error: Exception) -> None:
        """A bad --database, environment variable or settings file: said here; nothing to sign in to."""
        if isValid(self):
            self.configuration_failed = True
            self._show(explain_failure(error))

    def chosen_server(self) -> ServerChoice:
        if self.configured is not None:
            return self.configured
        if self.server.currentText() == THIS_COMPUTER:
            return ServerChoice()
        host = self.host.text().strip()
        if not host:
            raise KnownError("Enter the host name of the team's server.")
        return ServerChoice(host, self.port.value(), self.database.text().strip(), self.ca_file.text().strip())

    def sign_in(self) -> None:
        if not self.configuration_known:  # the button is disabled until then; a direct call does nothing
            return
        try:
            server = self.chosen_server()
        except KnownError as error:
            self._show(explain_failure(error))
            return
        login, password = self.user.text().strip() or None, self.password.text() or None
        remember = self.remember.isChecked()
        self._busy(True)
        # In the background: the keyring may block on an unlock prompt, and the server may be slow.
        self.runner.run(
            lambda: self.service.sign_in(server, login, password, remember=remember), self._signed_in, self._failed
        )

    def _signed_in(self, client: SignedInClient) -> None:
        self.client = client
        self._remember_profile()
        if client.keyring_note:
            self.settings.setValue("signin/keyring_note", client.keyring_note)
        self.password.clear()
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy(False)
        self._show(explain_failure(error))

    def _show(self, text: str) -> None:
        self.message.setText(text)

    def _busy(self, busy: bool) -> None:
        self.sign_in_button.setEnabled(not busy)
        self.message.setText("Signing in…" if busy else self.message.text())

    def _remember_profile(self) -> None:
        self.settings.setValue("signin/server", self.server.currentText())
        self.settings.setValue("signin/host", self.host.text())
        self.settings.setValue("signin/database", self.database.text())
        self.settings.setValue("signin/ca", self.ca_file.text())
        self.settings.setValue("signin/user", self.user.text())
