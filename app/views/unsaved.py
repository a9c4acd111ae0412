"""Closing an editor with changes not saved asks first: the routing settings' Close threw a previewed
change away without a word, and so did Esc in an SLA policy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


def keep_editing(parent: QWidget, what: str) -> bool:
    """Ask whether to discard the changes to `what` ("the routing settings"); True when the person chose to
    keep editing (the default, as Enter or Esc in the question), False to discard them."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Discard changes?",
        f"Your changes to {what} are not saved. Discard them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(QMessageBox.StandardButton.Cancel).setText("Keep editing")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is not box.button(QMessageBox.StandardButton.Discard)


class AsksBeforeDiscarding(QDialog):
    """A dialog whose Esc, Close (or Cancel) button and window close button ask before edits not saved are
    dropped. `reject()` and `close()` called by code do not ask (a window closing its dialogs, a test). Subclasses say
    what they edit (`discard_what`) and whether they hold unsaved edits (`has_unsaved_edits`), and connect
    their Close button to `close_asked`."""

    discard_what = "this"

    def has_unsaved_edits(self) -> bool:
        return False

    def close_asked(self) -> None:
        if not self._keeps_editing():
            self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._keeps_editing():
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's own close button (spontaneous); not `close()` by code, as a closing main window does.
        if event.spontaneous() and self.isVisible() and self._keeps_editing():
            event.ignore()
            return
        super().closeEvent(event)

    def _keeps_editing(self) -> bool:
        return self.has_unsaved_edits() and keep_editing(self, self.discard_what)
