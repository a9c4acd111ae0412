"""A dialog whose OK button writes in the background (merge, link, reassign, comment): one write at a time,
Esc ignored while it is under way (it lands, and the dialog would not say so if closed), a refusal shown
in the dialog's problem line in the database's words with the button enabled again, nothing typed lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from app.views.errors import explain_failure
from app.views.labels import plain_label, problem_style
from app.views.tasks import TaskRunner


class WritingDialog(QDialog):
    """Subclasses call `_problem_line()` and `_go_button()` while building, `_write(op)` to write, and
    override `_wrote(result)` to say what was written (a signal); the dialog then closes."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._writing = False

    def _problem_line(self) -> QLabel:
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())
        return self.problem

    def _go_button(self, buttons: QDialogButtonBox, text: str) -> None:
        go_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert go_button is not None
        self.go_button = go_button
        self.go_button.setText(text)
        self.go_button.setDefault(True)

    def _write(self, op: Callable[[], Any]) -> None:
        self.problem.setText("")
        self._writing = True
        self.go_button.setEnabled(False)
        self.runner.run(op, self._done, self._failed)

    def _wrote(self, result: Any) -> None:
        raise NotImplementedError

    def _done(self, result: Any) -> None:
        self._writing = False
        self._wrote(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._writing = False
        self.go_button.setEnabled(True)
        self.problem.setText(explain_failure(error))

    def reject(self) -> None:
        if not self._writing:  # Esc while the write is under way: it lands, and the dialog says so then
            super().reject()
