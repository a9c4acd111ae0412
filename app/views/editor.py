"""One ticket, assembled from its parts: the header form, the conversation with the composer under it, the
history tab, and who else is looking. The editor owns what the parts share — the ticket shown, which load
may still land, the one write in flight — and every read and write goes through the TaskRunner.

After its own write the editor applies what the write returned (a TicketChanged) instead of reading the
ticket again: the header and version from the ticket as it is now, a new message read by its id and put
in its place, the history read again only when its tab is shown. The write carried the version shown, so
nobody else's change can lie between what was shown and what came back.

The keyboard is never trapped in the editor: Esc in the composer, and a message sent while the keyboard
was in the composer, hand the keyboard back to the queue (`queue_requested(0)`); "send and next" sends
the message with the status chosen in one transaction and, once it is saved, asks the queue for the next
ticket (`queue_requested(1)`), so a triage ends where the next one starts.

Signals:
    ticket_saved(object): a TicketChanged after any successful write.
    typing(int): the agent typed in the composer of this ticket (for presence).
    queue_requested(int): hand the keyboard to the queue and move its selection by this many rows (0: stay).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QMenu, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.services.desk_api import AccountArea, Desk
from app.services.errors import InvalidInput, TicketConflict
from app.services.navigation.dto import Vocabulary
from app.services.responses.dto import CannedResponse
from app.services.tickets.dto import (
    FieldChanges,
    HistoryEntry,
    MessageView,
    TicketChanged,
    TicketDetail,
    TicketSummary,
)
from app.views.account_panel import AccountPanelView
from app.views.composer import Composer
from app.views.conflict_dialog import ConflictDialog
from app.views.conversation import ConversationView
from app.views.drafts import DraftStore
from app.views.errors import show_failure
from app.views.header_form import HeaderForm
from app.views.history_tab import HistoryTab
from app.views.signature_dialog import SignatureDialog
from app.views.status_choice import label_of, likely_next
from app.views.tasks import TaskRunner
from app.vocabulary import Priority

CONVERSATION_TAB, HISTORY_TAB = 0, 1


class Queue(Protocol):
    """What the editor hands the keyboard back to (the window's QueueView)."""

    def move_selection(self, step: int) -> None: ...
    def setFocus(self) -> None: ...


class TicketEditor(QWidget):
    """Attributes:
    detail: the TicketDetail shown (None until the first ticket arrives).
    vocabulary: the statuses and queues offered (None until read).
    read_only: true while the server is unreachable.
    header_form, composer_panel, conversation, history_tab, tabs: the parts.
    composer, subject, status, assign_me, save_button, send_button, presence: widgets of the parts, named
        here because tests, tools and the main window's shortcuts reach them.
    conflict_dialog, error_box, status_menu, signature_dialog, routing_dialog, take_confirmation: the last such
        dialog or menu shown.
    responses: the canned responses read so far, by queue id.
    """

    ticket_saved = Signal(object)
    notice = Signal(str)  # a line for the status bar: what a send did, or why nothing was sent
    typing = Signal(int)
    queue_requested = Signal(int)

    def __init__(
        self,
        desk: Desk,
        runner: TaskRunner,
        drafts: DraftStore,
        parent: QWidget | None = None,
        accounts: AccountArea | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.runner, self.drafts = desk, runner, drafts
        # The customer's account beside the conversation (issue 16), when the desk has an account area.
        self.account_panel = AccountPanelView(accounts, runner) if accounts is not None else None
        self.detail: TicketDetail | None = None
        self._open_generation = 0  # which open_ticket() call the shown ticket must come from
        self._opening: int | None = None  # the ticket that call asked for
        self._history_generation = 0  # which history read the history tab must come from
        self._write_in_flight = False
        self._send_when_inserted: bool | None = None  # a send asked for while a response was being filled in
        self.responses: dict[int, list[CannedResponse]] = {}
        self._responses_asked: set[int] = set()
        self.vocabulary: Vocabulary | None = None
        self.read_only = False
        self._build()
        self.setEnabled(False)

    def _build(self) -> None:
        self.header_form = HeaderForm()
        self.header_form.save_requested.connect(self.save_header)
        self.header_form.assign_requested.connect(self.assign_to_me)
        self.header_form.why_requested.connect(self.explain_routing)
        self.header_form.sla_why_requested.connect(self.explain_sla)
        self.composer_panel = Composer(self.drafts, self)
        self.composer_panel.send_requested.connect(self.send)
        self.composer_panel.send_and_next_requested.connect(self.send_and_next)
        self.composer_panel.leave_requested.connect(lambda: self.queue_requested.emit(0))
        self.composer_panel.response_chosen.connect(self._render_response)
        self.composer_panel.responses_wanted.connect(lambda: self._read_responses(force=True))
        self.composer_panel.signature_requested.connect(self.edit_signature)
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
        if self.account_panel is not None:
            beside = QSplitter(Qt.Orientation.Horizontal)
            beside.addWidget(conversation_tab)
            beside.addWidget(self.account_panel)
            beside.setStretchFactor(0, 3)
            beside.setStretchFactor(1, 1)
            conversation_tab = beside
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
        self.send_next_button = composer.send_next_button

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc that no field took (in the header, the conversation, the history; the composer has its own):
        back to the queue. A key event, not a shortcut, so a dialog over the window keeps its own Esc."""
        if event.key() == Qt.Key.Key_Escape:
            self._leave_for_queue()
            return
        super().keyPressEvent(event)

    def _leave_for_queue(self) -> None:
        """Esc in the header, the conversation or the history: half-typed names go back to the assignee
        chosen (nothing else of the agent's edits is lost: they stay for Ctrl+S), the keyboard to the queue."""
        self.header_form.settle_typing()
        self.queue_requested.emit(0)

    def hand_keyboard_to(self, queue: Queue) -> None:
        """Where Esc, a send and "send and next" hand the keyboard: `queue`, moved by the requested step."""

        def to_queue(step: int) -> None:
            if step:
                queue.move_selection(step)
            queue.setFocus()

        self.queue_requested.connect(to_queue)

    # --- showing a ticket -------------------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.header_form.set_vocabulary(vocabulary)
        if self.account_panel is not None:
            self.account_panel.status_labels = vocabulary.status_labels()
        self._offer_statuses()

    def open_ticket(self, ticket_id: int) -> None:
        """Load in the background; the composer keeps (or restores) the draft of that ticket. Only the last
        ticket asked for is shown: a slower load of one asked for earlier must not arrive on top of it."""
        self.save_draft()
        self._open_generation += 1
        self._opening = ticket_id
        if self.account_panel is not None:
            self.account_panel.show_ticket(ticket_id)  # in the background, beside the ticket's own load
        generation = self._open_generation
        self.runner.run(
            lambda: (self.desk.tickets.ticket(ticket_id), self.desk.tickets.history(ticket_id)),
            lambda loaded: self.show_ticket(*loaded) if generation == self._open_generation else None,
            self._failed,
        )

    @property
    def opening(self) -> int | None:
        """The ticket last asked for (shown, or on its way)."""
        return self._opening

    def reload(self) -> None:
        if self.detail is not None:
            self.open_ticket(self.detail.ticket.id)

    def follow_live(self, fresh: list[TicketSummary]) -> None:
        """Summaries a live update brought: the ticket shown is read again if someone moved it on."""
        shown = self.detail.ticket if self.detail is not None else None
        opening = self._opening
        if opening is not None and (shown is None or shown.id != opening) and any(t.id == opening for t in fresh):
            self.open_ticket(opening)  # the load under way may have read it before this change
        elif shown is not None and any(t.id == shown.id and t.version != shown.version for t in fresh):
            self.reload()

    def show_ticket(self, detail: TicketDetail, history: list[HistoryEntry]) -> None:
        switching = self.detail is None or self.detail.ticket.id != detail.ticket.id
        if not switching and self.detail is not None and detail.ticket.version < self.detail.ticket.version:
            return  # read before the agent's own write, which is already shown
        self.detail = detail
        self.header_form.show_ticket(detail.ticket, history)
        self.conversation.show_messages(detail.messages)
        self._history_generation += 1  # a lazy history read still under way is older than this one
        self.history_tab.show_history(history)
        if switching:  # another ticket opens on its conversation, not on the last one's History tab
            self._send_when_inserted = None
            self.composer_panel.show_draft_of(detail.ticket.id)
            self.tabs.setCurrentIndex(CONVERSATION_TAB)
        self._offer_statuses()
        self._offer_responses()
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

    def send(self, *, then_next: bool = False) -> None:
        """Send the reply or note with the status chosen under it, as one write. A response still being
        filled in by the server goes in first: the send waits for it."""
        if self.detail is None or self.read_only or self._write_in_flight:
            return
        if self.composer_panel.inserting:
            self._send_when_inserted = then_next
            return
        body = self.composer_panel.message()
        if body is None:  # Ctrl+Enter on an empty composer did nothing, and said nothing
            self.notice.emit("Nothing to send: write the reply or note first.")
            return
        ticket, then = self.detail.ticket, self.composer_panel.then()
        if self.composer_panel.mode == "note":
            op = lambda: self.desk.tickets.note(ticket.id, body, ticket.version, then)  # noqa: E731
        else:
            op = lambda: self.desk.tickets.reply(ticket.id, body, ticket.version, then)  # noqa: E731
        self._write(op, sent=(body, then_next, self.composer_panel.has_focus()))

    def send_and_next(self) -> None:
        """Send, then (once it is saved) go on to the next ticket of the queue, the keyboard on the queue."""
        self.send(then_next=True)

    def save_header(self) -> None:
        if self.detail is None or self.read_only:
            return
        if self.header_form.conflicts:  # Ctrl+S saved mine over a colleague's change still marked
            named = ", ".join(self.header_form.fields[name].label for name in self.header_form.conflicts)
            self._failed(
                InvalidInput(
                    f"{named}: a colleague changed this while you were editing. Choose Keep mine or Take theirs "
                    "first; nothing was saved."
                )
            )
            return
        t = self.detail.ticket
        new_status, changes = self.header_form.edits(t)
        reassigned, assignee_id = self.header_form.assignee_edit(t)
        if reassigned:
            self._write(lambda: self.desk.tickets.edit_and_assign(t.id, new_status, changes, assignee_id, t.version))
            return
        if new_status is None and changes == FieldChanges():
            return  # nothing to save: no write, no new version
        self._write(lambda: self.desk.tickets.edit_ticket(t.id, new_status, changes, t.version))

    def assign_to_me(self) -> None:
        """Take the ticket (A, Assign to me): at once when nobody has it; a colleague's only after asking
        ("Take #N from Ben Okafor?", Enter takes it, Esc leaves it with them)."""
        if self.detail is None or self.read_only or self._write_in_flight:
            return
        t = self.detail.ticket
        if t.assignee_id is None or t.assignee_id == self.desk.me.agent_id:
            self._write(lambda: self.desk.tickets.take(t.id, t.version), said=f"#{t.number} is yours now.")
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Take this ticket?",
            f"Take #{t.number} from {t.assignee_name or 'a colleague'}?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # an agent's name is shown as it is
        take = box.addButton("Take it", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(take)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self._take_confirmed(t.id, t.version))
        box.finished.connect(box.deleteLater)
        self.take_confirmation = box
        box.open()

    def _take_confirmed(self, ticket_id: int, version: int) -> None:
        """Only the ticket asked about, at the version asked about: a change meanwhile is a conflict."""
        shown = self.detail
        if shown is not None and shown.ticket.id == ticket_id and not self.read_only:
            number = shown.ticket.number
            self._write(lambda: self.desk.tickets.take(ticket_id, version), said=f"#{number} is yours now.")

    def change_status_to(self, status: str) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            self._write(lambda: self.desk.tickets.change_status(t.id, status, t.version))

    def choose_status(self) -> None:
        """The status picker (S): only the moves the lifecycle allows from the ticket's status, the likely
        next one highlighted, so Enter takes it; Esc leaves the status as it is."""
        if self.detail is None or self.vocabulary is None or self.read_only or self._write_in_flight:
            return
        status = self.detail.ticket.status
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        likely = likely_next(self.vocabulary, status)
        targets = self.vocabulary.targets(status)
        if not targets:
            none = menu.addAction(f"{label_of(self.vocabulary, status)}: no ordinary move (reopen it instead)")
            none.setEnabled(False)
        active = None
        for key in targets:
            action = menu.addAction(label_of(self.vocabulary, key))
            action.setData(key)
            action.triggered.connect(lambda _checked=False, key=key: self.change_status_to(key))
            if key == likely:
                active = action
        self.status_menu = _picker_under(menu, self.header_form.status, active)

    def choose_priority(self) -> None:
        """The priority picker (P), saved at once as S saves a status: Urgent to Low, the ticket's own
        marked and not offered; Esc leaves it. It took the header's drop-down and Ctrl+S, by mouse."""
        if self.detail is None or self.read_only or self._write_in_flight:
            return
        t = self.detail.ticket
        menu = QMenu(self)
        for priority in reversed(Priority):
            label = priority.label.capitalize()
            action = menu.addAction(f"{label} (now)" if priority is t.priority else label)
            action.setEnabled(priority is not t.priority)
            action.triggered.connect(lambda _checked=False, priority=priority: self.change_priority_to(priority))
        first = next((action for action in menu.actions() if action.isEnabled()), None)
        self.priority_menu = _picker_under(menu, self.header_form.priority, first)

    def change_priority_to(self, priority: Priority) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            changes = FieldChanges(priority=priority)
            said = f"#{t.number} is {priority.label} priority now."
            self._write(lambda: self.desk.tickets.edit_ticket(t.id, None, changes, t.version), said=said)

    def explain_routing(self) -> None:
        """ "Why this agent?": the shown ticket's latest routing decision, read in the background."""
        if self.detail is None:
            return
        from app.views.routing_dialog import RoutingDialog  # on demand, not with the first painted queue

        t = self.detail.ticket
        self.routing_dialog = RoutingDialog(self.desk.routing, self.runner, t.id, t.number, t.assignee_name, self)
        self.routing_dialog.open()

    def explain_sla(self) -> None:
        """ "Why then?": the shown ticket's SLA ledger in words, read in the background."""
        if self.detail is None:
            return
        from app.views.sla_dialog import SlaExplainDialog  # on demand, not with the first painted queue

        t = self.detail.ticket
        self.sla_dialog = SlaExplainDialog(self.desk.tickets, self.runner, t.id, t.number, self)
        self.sla_dialog.open()

    def edit_signature(self) -> None:
        self.signature_dialog = SignatureDialog(self.desk.responses, self.runner, self)
        self.signature_dialog.open()

    # --- canned responses ---------------------------------------------------------------------------------

    def _offer_responses(self) -> None:
        if self.detail is None:
            return
        queue_id = self.detail.ticket.queue_id
        self.composer_panel.set_responses(self.responses.get(queue_id))
        if queue_id not in self.responses:
            self._read_responses(force=False)

    def _read_responses(self, *, force: bool) -> None:
        """Read the responses of the shown ticket's queue once per queue (again when the picker asks)."""
        if self.detail is None:
            return
        ticket_id, queue_id = self.detail.ticket.id, self.detail.ticket.queue_id
        if queue_id in self._responses_asked and not force:
            return
        self._responses_asked.add(queue_id)
        self.runner.run(
            lambda: self.desk.responses.for_ticket(ticket_id),
            lambda responses: self._responses_arrived(queue_id, responses),
            lambda error: self._responses_failed(queue_id, error),
        )

    def _responses_arrived(self, queue_id: int, responses: list[CannedResponse]) -> None:
        self.responses[queue_id] = responses
        if self.detail is not None and self.detail.ticket.queue_id == queue_id:
            self.composer_panel.set_responses(responses)

    def _responses_failed(self, queue_id: int, error: Exception) -> None:
        self._responses_asked.discard(queue_id)  # the next ticket of that queue asks again
        self._failed(error)

    def _render_response(self, response_id: int) -> None:
        if self.detail is None:
            self.composer_panel.response_failed()
            return
        ticket_id = self.detail.ticket.id
        self.runner.run(
            lambda: self.desk.responses.render(response_id, ticket_id),
            lambda text: self._response_rendered(ticket_id, text),
            self._response_failed,
        )

    def _response_rendered(self, ticket_id: int, text: str) -> None:
        self.composer_panel.insert_response(ticket_id, text)
        then_next, self._send_when_inserted = self._send_when_inserted, None
        if then_next is not None and self.detail is not None and self.detail.ticket.id == ticket_id:
            self.send(then_next=then_next)

    def _response_failed(self, error: Exception) -> None:
        self.composer_panel.response_failed()
        self._send_when_inserted = None  # nothing is sent that the agent has not seen
        self._failed(error)

    # --- the one write in flight ------------------------------------------------------------------------

    def _write(
        self, op: Callable[[], TicketChanged], *, sent: tuple[str, bool, bool] | None = None, said: str | None = None
    ) -> None:
        """One write at a time: a second gesture while the first is saving would carry the same version and
        conflict with the agent's own change, so write actions wait (disabled) until it is done. `said`: the
        status bar's line once it is saved."""
        if self._write_in_flight:
            return
        self._write_in_flight = True
        self._apply_read_only()
        self.runner.run(op, lambda result: self._written(result, sent, said), self._write_failed)

    def _written(self, result: TicketChanged, sent: tuple[str, bool, bool] | None, said: str | None = None) -> None:
        """`sent`: the body sent, whether to go on to the next ticket, whether the keyboard was in the
        composer. The queue moves before it hears of the change, so "next" is the row after this ticket
        where it stood, whether or not the change takes it out of the view."""
        self._write_in_flight = False
        self._apply_read_only()
        if sent is not None:
            body, then_next, from_composer = sent
            self.notice.emit(
                sent_words(result.ticket.number, self.composer_panel.mode, result.ticket.status, self.vocabulary)
            )
            self.composer_panel.sent(result.ticket.id, body)
            still_here = self.detail is not None and self.detail.ticket.id == result.ticket.id
            if still_here and then_next:
                self.queue_requested.emit(1)
            elif still_here and from_composer and self.composer_panel.has_focus():
                self.queue_requested.emit(0)
        if said is not None:
            self.notice.emit(said)
        self.ticket_saved.emit(result)
        self._apply_change(result)

    def _apply_change(self, result: TicketChanged) -> None:
        """Show what the agent's own write returned; read only what it does not carry."""
        shown = self.detail
        if shown is None or shown.ticket.id != result.ticket.id or result.ticket.version < shown.ticket.version:
            return  # the agent moved on to another ticket, or a newer read is already shown
        self.detail = replace(shown, ticket=result.ticket)
        self.header_form.show_ticket(result.ticket, changed_by="Your last save")
        self._offer_statuses()
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
        self.conversation.scroll_to_end()  # the agent's own message, just sent: in sight

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

    def _offer_statuses(self) -> None:
        status = self.detail.ticket.status if self.detail is not None else None
        self.composer_panel.set_status_choices(self.vocabulary, status)

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
        """Write what is pending and leave nothing open (closing the window)."""
        self.composer_panel.stop()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        writable = not self.read_only and not self._write_in_flight
        self.header_form.set_writable(writable)
        self.composer_panel.set_writable(writable)


def sent_words(number: int, mode: str, status: str, vocabulary: Vocabulary | None) -> str:
    """What a send did, for the status bar: "Reply sent on #10280; it is Answered now"."""
    what = "Internal note added" if mode == "note" else "Reply sent"
    return f"{what} on #{number}; it is {label_of(vocabulary, status)} now."


def _picker_under(menu: QMenu, anchor: QWidget, active: QAction | None) -> QMenu:
    """A picker (S, P) opened under its field with `active` highlighted, so Enter takes it; one menu per
    key press, gone when it closes (none left with its timers running)."""
    menu.aboutToHide.connect(menu.deleteLater)
    if active is not None:
        menu.setActiveAction(active)
    menu.popup(anchor.mapToGlobal(QPoint(0, anchor.height())))
    if active is not None:
        menu.setActiveAction(active)  # popup() may reset it on some styles
    return menu
