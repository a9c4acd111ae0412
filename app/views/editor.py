"""One ticket, assembled from its parts: the header form, the conversation with the composer under it, the
history tab, and who else is looking. The editor owns what the parts share — the ticket shown, which load
may still land, the one write in flight — and every read and write goes through the TaskRunner.

After its own write the editor applies what the write returned (a TicketChanged) instead of reading the
ticket again: the header and version from the ticket as it is now, a new message read by its id and put
in its place, the history read again only when its tab is shown. The write carried the version shown, so
nobody else's change can lie between what was shown and what came back.

Signals:
    ticket_saved(object): a TicketChanged after any successful write.
    typing(int): the agent typed in the composer of this ticket (for presence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.services.desk_api import Desk
from app.services.errors import TicketConflict
from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import HistoryEntry, MessageView, TicketChanged, TicketDetail, TicketSummary
from app.views.composer import Composer
from app.views.conflict_dialog import ConflictDialog
from app.views.conversation import ConversationView
from app.views.drafts import DraftStore
from app.views.errors import show_failure
from app.views.header_form import HeaderForm
from app.views.history_tab import HistoryTab
from app.views.tasks import TaskRunner

CONVERSATION_TAB, HISTORY_TAB = 0, 1


class TicketEditor(QWidget):
    """Attributes:
    detail: the TicketDetail shown (None until the first ticket arrives).
    vocabulary: the statuses and queues offered (None until read).
    read_only: true while the server is unreachable.
    header_form, composer_panel, conversation, history_tab, tabs: the parts.
    composer, subject, status, assign_me, save_button, send_button, presence: widgets of the parts, named
        here because tests, tools and the main window's shortcuts reach them.
    conflict_dialog, error_box: the last such dialog shown.
    """

    ticket_saved = Signal(object)
    typing = Signal(int)

    def __init__(self, desk: Desk, runner: TaskRunner, drafts: DraftStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner, self.drafts = desk, runner, drafts
        self.detail: TicketDetail | None = None
        self._open_generation = 0  # which open_ticket() call the shown ticket must come from
        self._history_generation = 0  # which history read the history tab must come from
        self._write_in_flight = False
        self.vocabulary: Vocabulary | None = None
        self.read_only = False
        self._build()
        self.setEnabled(False)

    def _build(self) -> None:
        self.header_form = HeaderForm()
        self.header_form.save_requested.connect(self.save_header)
        self.header_form.assign_requested.connect(self.assign_to_me)
        self.composer_panel = Composer(self.drafts, self)
        self.composer_panel.send_requested.connect(self.send)
        self.composer_panel.typing.connect(self.typing)
        self.conversation = ConversationView()
        # Conversations read like mail: dark ink on light cards, in a dark desktop too.
        self.conversation.setStyleSheet("QTextBrowser { background: #ffffff; color: #1f2328; }")
        conversation_tab = QWidget()
        conversation_layout = QVBoxLayout(conversation_tab)
        conversation_layout.addWidget(self.conversation, 3)
        self.composer_panel.add_to(conversation_layout)
        self.history_tab = HistoryTab()
        self.tabs = QTabWidget()
        self.tabs.addTab(conversation_tab, "Conversation")
        self.tabs.addTab(self.history_tab, "History")
        self.tabs.currentChanged.connect(lambda _index: self._refresh_history_if_shown())
        layout = QVBoxLayout(self)
        layout.addWidget(self.header_form)
        layout.addWidget(self.tabs, 1)
        header, composer = self.header_form, self.composer_panel
        self.subject, self.status, self.presence = header.subject, header.status, header.presence
        self.assign_me, self.save_button = header.assign_me, header.save_button
        self.composer, self.send_button = composer.text, composer.send_button

    # --- showing a ticket -------------------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.header_form.set_vocabulary(vocabulary)
        self.composer_panel.set_statuses(vocabulary.statuses)

    def open_ticket(self, ticket_id: int) -> None:
        """Load in the background; the composer keeps (or restores) the draft of that ticket. Only the last
        ticket asked for is shown: a slower load of one asked for earlier must not arrive on top of it."""
        self.save_draft()
        self._open_generation += 1
        generation = self._open_generation
        self.runner.run(
            lambda: (self.desk.tickets.ticket(ticket_id), self.desk.tickets.history(ticket_id)),
            lambda loaded: self.show_ticket(*loaded) if generation == self._open_generation else None,
            self._failed,
        )

    def reload(self) -> None:
        if self.detail is not None:
            self.open_ticket(self.detail.ticket.id)

    def follow_live(self, fresh: list[TicketSummary]) -> None:
        """Summaries a live update brought: the ticket shown is read again if someone moved it on."""
        shown = self.detail.ticket if self.detail is not None else None
        if shown is not None and any(t.id == shown.id and t.version != shown.version for t in fresh):
            self.reload()

    def show_ticket(self, detail: TicketDetail, history: list[HistoryEntry]) -> None:
        switching = self.detail is None or self.detail.ticket.id != detail.ticket.id
        if not switching and self.detail is not None and detail.ticket.version < self.detail.ticket.version:
            return  # read before the agent's own write, which is already shown
        self.detail = detail
        self.header_form.show_ticket(detail.ticket)
        self.conversation.show_messages(detail.messages)
        self._history_generation += 1  # a lazy history read still under way is older than this one
        self.history_tab.show_history(history)
        if switching:
            self.composer_panel.show_draft_of(detail.ticket.id)
        self.setEnabled(True)
        self._apply_read_only()

    def save_draft(self) -> None:
        self.composer_panel.save_draft()

    # --- writing ----------------------------------------------------------------------------------------

    def start_reply(self) -> None:
        self.tabs.setCurrentIndex(CONVERSATION_TAB)
        self.composer_panel.start("reply")

    def start_note(self) -> None:
        self.tabs.setCurrentIndex(CONVERSATION_TAB)
        self.composer_panel.start("note")

    def send(self) -> None:
        body = self.composer_panel.message()
        if self.detail is None or self.read_only or body is None:
            return
        ticket, then = self.detail.ticket, self.composer_panel.then_status.currentData()
        if self.composer_panel.mode == "note":
            self._write(lambda: self.desk.tickets.note(ticket.id, body, ticket.version), sent=True)
        else:
            self._write(lambda: self.desk.tickets.reply(ticket.id, body, ticket.version, then), sent=True)

    def save_header(self) -> None:
        if self.detail is None or self.read_only:
            return
        t = self.detail.ticket
        new_status, changes = self.header_form.edits(t)
        self._write(lambda: self.desk.tickets.edit_ticket(t.id, new_status, changes, t.version))

    def assign_to_me(self) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            self._write(lambda: self.desk.tickets.take(t.id, t.version))

    def change_status_to(self, status: str) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            self._write(lambda: self.desk.tickets.change_status(t.id, status, t.version))

    def _write(self, op: Callable[[], TicketChanged], *, sent: bool = False) -> None:
        """One write at a time: a second gesture while the first is saving would carry the same version and
        conflict with the agent's own change, so write actions wait (disabled) until it is done."""
        if self._write_in_flight:
            return
        self._write_in_flight = True
        self._apply_read_only()
        self.runner.run(op, lambda result: self._written(result, sent), self._write_failed)

    def _written(self, result: TicketChanged, sent: bool) -> None:
        self._write_in_flight = False
        self._apply_read_only()
        if sent:
            self.composer_panel.sent(result.ticket.id)
        self.ticket_saved.emit(result)
        self._apply_change(result)

    def _apply_change(self, result: TicketChanged) -> None:
        """Show what the agent's own write returned; read only what it does not carry."""
        shown = self.detail
        if shown is None or shown.ticket.id != result.ticket.id or result.ticket.version < shown.ticket.version:
            return  # the agent moved on to another ticket, or a newer read is already shown
        self.detail = replace(shown, ticket=result.ticket)
        self.header_form.show_ticket(result.ticket)
        if result.ticket.version != shown.ticket.version:
            self._history_generation += 1  # a history read still under way predates this write
            self.history_tab.mark_stale()
            self._refresh_history_if_shown()
        if result.message_id is not None:
            ticket_id, message_id = result.ticket.id, result.message_id
            self.runner.run(
                lambda: self.desk.tickets.message(message_id),
                lambda message: self._message_arrived(ticket_id, message),
                lambda _error: self.reload(),  # whatever is missing, a whole read brings it (or says why not)
            )

    def _message_arrived(self, ticket_id: int, message: MessageView) -> None:
        shown = self.detail
        if shown is None or shown.ticket.id != ticket_id or any(m.id == message.id for m in shown.messages):
            return  # another ticket by now, or a whole read already brought it
        messages = tuple(sorted((*shown.messages, message), key=lambda m: (m.created_at, m.id)))
        self.detail = replace(shown, messages=messages)
        self.conversation.show_messages(messages)

    def _refresh_history_if_shown(self) -> None:
        if self.detail is None or not self.history_tab.stale or self.tabs.currentIndex() != HISTORY_TAB:
            return
        self._history_generation += 1
        generation, ticket_id = self._history_generation, self.detail.ticket.id
        self.runner.run(
            lambda: self.desk.tickets.history(ticket_id),
            lambda history: self._history_arrived(generation, history),
            self._failed,
        )

    def _history_arrived(self, generation: int, history: list[HistoryEntry]) -> None:
        if generation == self._history_generation:
            self.history_tab.show_history(history)

    def _write_failed(self, error: Exception) -> None:
        self._write_in_flight = False
        self._apply_read_only()
        if isinstance(error, TicketConflict):
            self.save_draft()
            dialog = ConflictDialog(error, self)
            dialog.accepted.connect(self.reload)
            dialog.open()
            self.conflict_dialog = dialog
            return
        self._failed(error)

    def _failed(self, error: Exception) -> None:
        self.error_box = show_failure(error, self)

    # --- presence and connection ---------------------------------------------------------------------------

    def show_presence(self, people: dict[str, str]) -> None:
        """{name: state} of colleagues on this ticket."""
        self.header_form.show_presence(people)

    def stop(self) -> None:
        """Write what is pending and leave no timer running (closing the window)."""
        self.composer_panel.stop()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        writable = not self.read_only and not self._write_in_flight
        self.header_form.set_writable(writable)
        self.composer_panel.set_writable(writable)
