"""The dialog a save meets when someone saved first: who changed what since the agent opened the ticket."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.services.errors import TicketConflict
from app.views.labels import plain_label, shown_value


class ConflictDialog(QDialog):
    """Someone saved first. Show what they changed; the agent's own text stays in the composer.

    Attributes:
        reload_button: accepts the dialog (the editor then reloads the ticket, keeping the composer's text).
    """

    def __init__(self, conflict: TicketConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ticket #{conflict.number} changed while you were working")
        self.setMinimumWidth(520)
        heading = plain_label(
            f"{', '.join(conflict.changed_by) or 'Someone'} changed this ticket after you opened it. "
            "Nothing of yours was saved, and nothing was overwritten."
        )
        heading.setWordWrap(True)
        changes = QTableWidget(len(conflict.changes), 4)
        changes.setHorizontalHeaderLabels(["Who", "When", "What", "Change"])
        for row, change in enumerate(conflict.changes):
            when = dt.datetime.fromisoformat(change.occurred_at_iso).astimezone().strftime("%H:%M:%S")
            what = change.field or ""
            old_new = f"{shown_value(change.old_value)} → {shown_value(change.new_value)}"
            for column, value in enumerate((change.actor, when, what, old_new)):
                changes.setItem(row, column, QTableWidgetItem(value))
        changes.horizontalHeader().setStretchLastSection(True)
        changes.verticalHeader().hide()
        changes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        note = plain_label(
            "Your reply or note is still in the composer, and your unsaved changes stay in the form. Reload to "
            "see their changes (a field you both changed is marked: keep yours or take theirs), then save again."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.reload_button = buttons.addButton("Reload ticket, keep my text", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, changes, note, buttons):
            layout.addWidget(widget)
