"""Letters typed into a drop-down choose in it, whatever the window's one-letter shortcuts.

The main window's keys are single letters (J, K, A, L, R, S …) with the window as their context, and a
shortcut is matched before the focused widget sees the key: typing "Julia" into the filter bar's "who has it"
moved to the next ticket (J), opened the link dialog (L) and gave the shown ticket to the lead (A), without
a question (a usability probe, 2026-12-07). A line edit claims printable keys for itself; a drop-down that is
not editable did not. This filter claims them for it (QEvent.ShortcutOverride accepted), so its own
type-to-find gets them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox

COMMAND_KEYS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class LettersToDropDowns(QObject):
    """Install on the application: every drop-down without a text field keeps the letters typed into it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(watched, QComboBox)
            and not watched.isEditable()
            and isinstance(event, QKeyEvent)
            and event.text().isprintable()
            and event.text().strip()
            and not event.modifiers() & COMMAND_KEYS
        ):
            event.accept()
        return False
