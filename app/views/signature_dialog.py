"""The agent's own signature, which canned responses put where they say `{signature}`: read and saved in the
background, edited in a small dialog opened from the composer (Signature…).

Signals:
    saved(str): the signature as saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from app.services.desk_api import ResponseArea
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.tasks import TaskRunner


class SignatureDialog(QDialog):
    """Attributes:
    text: the signature being edited (disabled until it has been read); status: what is going on.
    save_button: saves and closes.
    """

    saved = Signal(str)

    def __init__(self, responses: ResponseArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.responses, self.runner = responses, runner
        self.setWindowTitle("Your signature")
        self.setMinimumWidth(440)
        explanation = plain_label("Canned responses end with this where they say {signature}.")
        explanation.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setEnabled(False)
        self.status = plain_label("Reading your signature…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save_button is not None
        self.save_button = save_button
        self.save_button.setEnabled(False)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (explanation, self.text, self.status, buttons):
            layout.addWidget(widget)
        runner.run(responses.signature, self._arrived, self._failed)

    def _arrived(self, signature: str) -> None:
        self.text.setPlainText(signature)
        self.text.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.setText("")
        self.text.setFocus()

    def _save(self) -> None:
        signature = self.text.toPlainText()
        self.save_button.setEnabled(False)
        self.status.setText("Saving…")
        self.runner.run(
            lambda: self.responses.set_signature(signature), lambda _none: self._done(signature), self._failed
        )

    def _done(self, signature: str) -> None:
        self.saved.emit(signature)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.status.setText(explain_failure(error))
        self.save_button.setEnabled(self.text.isEnabled())
