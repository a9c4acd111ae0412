"""The dialog a save meets when someone saved first: who changed what since the agent opened the ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.services.errors import ChangeBy, TicketConflict
from app.services.navigation.dto import Vocabulary
from app.views.change_labels import ChangeWords
from app.views.conversation import format_local_time
from app.views.history_tab import ChangesTable
from app.views.labels import plain_label

COLUMNS = ("Who", "When", "What", "Change")


class ConflictDialog(QDialog):
    """Someone saved first. Show what they changed; the agent's own text stays in the composer.

    Attributes:
        reload_button: accepts the dialog (the editor then reloads the ticket, keeping the composer's text).
        changes: the table of their changes, worded as the history tab words them (`change_labels`).

    `status_labels` (key → label) name the statuses the changes carry as keys; when not given, the
    vocabulary of the editor that opens the dialog (its parent) is used, so admins' own labels show.
    """

    def __init__(
        self, conflict: TicketConflict, parent: QWidget | None = None, *, status_labels: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ticket #{conflict.number} changed while you were working")
        self.setMinimumWidth(640)
        heading = plain_label(
            f"{', '.join(conflict.changed_by) or 'Someone'} changed this ticket after you opened it. "
            "Nothing of yours was saved, and nothing was overwritten."
        )
        heading.setWordWrap(True)
        words = ChangeWords(status_labels or _status_labels_of(parent))
        self.changes = ChangesTable(COLUMNS, unbroken=(COLUMNS.index("When"),))
        self.changes.set_rows([change_texts(change, words) for change in conflict.changes])
        note = plain_label(
            "Your reply or note is still in the composer, and your unsaved changes stay in the form. Reload to "
            "see their changes (a field you both changed is marked: keep yours or take theirs), then save again."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.reload_button = buttons.addButton("Reload ticket, keep my text", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reload_button.setDefault(True)  # the way on; the table is only to read
        buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, self.changes, note, buttons):
            layout.addWidget(widget)
        self.reload_button.setFocus()


def change_texts(change: ChangeBy, words: ChangeWords) -> tuple[str, str, str, str]:
    """Who, when, what and the change, in the words and on the clock the history tab uses."""
    when = format_local_time(dt.datetime.fromisoformat(change.occurred_at_iso))
    what = words.what(None, change.field, change.new_value)
    return change.actor, when, what, words.change(change.field, change.old_value, change.new_value)


def _status_labels_of(parent: QWidget | None) -> dict[str, str]:
    """The opening editor's status labels (it holds the desk's vocabulary); none from any other parent."""
    vocabulary = getattr(parent, "vocabulary", None)
    if not isinstance(vocabulary, Vocabulary):
        return {}
    return vocabulary.status_labels()
