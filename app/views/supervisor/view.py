"""The supervisor view: a window of its own beside the main window (View ▸ Supervisor view, Ctrl+E), for
team leads and admins. Three tabs, each by keyboard: the escalation board, the team's load, and SLA
compliance per day as a chart for a chosen queue and target.

The board is ranked by predicted breach (business minutes left against the typical handling of similar
tickets; the tooltip of Left, Typical and Risk says it in words). On its selected row, by key, by the
buttons below it or by its context menu: A acknowledges the escalation (a team lead of the ticket's queue
or an admin; the database decides and the line under the board says its answer), R reassigns with a
reason (an internal note), C comments (an internal note), Enter (or a double click) opens the ticket in
the main window. The same actions are in the window's command palette (Ctrl+K) while the board is the
current tab, beside the window's own commands (refresh, the tabs, the SLA policies); the palette runs the
very action the key does. Enter on an agent in Team load lists their open tickets in the main window; on
the "No eligible agent" list, R assigns the ticket by hand (with a reason) and Enter opens it. Agents never
see any of it: the window is built for leads only.

Read in one background call (`desk.supervision.overview`); live: colleagues' changes (the main window's
change notices) ask for a fresh read, at most once a second, never a poll of the whole table.

Signals:
    ticket_chosen(int): the ticket id of the board row chosen (Enter or a double click).
    agent_chosen(int): the agent id of the Team load row chosen (Enter or a double click): their tickets.
    loaded(): an overview arrived and is shown.
    failed(object): a read failed (the main window reports it).
    acted(str): an action on the board was done or refused (its sentence, also shown under the board).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import SupervisionArea
from app.services.routing.dto import WaitingTicket
from app.services.sla.dto import Acknowledgement, BoardRow, ComplianceCount, Risk, SupervisorOverview
from app.services.tickets.dto import TicketChanged
from app.views.dialog_keys import tab_leaves
from app.views.empty_note import EmptyNote
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.sizing import resize_on_screen
from app.views.sla_admin import SlaAdminDialog
from app.views.supervisor.actions import BoardActionDialog, Mode, OnTicket
from app.views.supervisor.charts import ComplianceChart, ComplianceSeries
from app.views.supervisor.models import EscalationBoardModel, NobodyModel, TeamLoadModel
from app.views.tasks import TaskRunner
from app.vocabulary import Priority

if TYPE_CHECKING:
    from app.views.palette import CommandPalette

REFRESH_AT_MOST_EVERY_MS = 1000
TIMES_MOVE_ON_MS = 60_000  # the board read again while shown, for its times' sake
NOTICE_MS = 20_000  # how long what an action did stays under the board
OPENS_AT = (1560, 900)  # at most the screen's share (`resize_on_screen`)
GEOMETRY_KEY = "supervisor/geometry"  # where and how large it was last closed
NOBODY_EMPTY = "Routing found an agent for every ticket waiting in your queues."
BOARD_EMPTY = "Nothing in your queues is at risk of breaching its SLA or past it."
NOBODY_TAB = "&No eligible agent"  # routing found nobody: the tickets wait for a lead (or someone available)
ALL_QUEUES = "All queues"
ALL_PRIORITIES = "All priorities"
TARGETS = {"Resolution": "resolution", "First response": "first_response"}


BOARD_KEYS = {Qt.Key.Key_A: "acknowledge", Qt.Key.Key_R: "reassign", Qt.Key.Key_C: "comment"}
NOBODY_KEYS = {Qt.Key.Key_R: "reassign"}  # assign by hand what routing found nobody for


class BoardTable(QTableView):
    """A table of tickets: Enter (or a double click) opens the selected one; its letters (the board's A, R
    and C) ask for an action on it (plain letters, taken before the table's type-to-search)."""

    opened = Signal(int)
    action_asked = Signal(str)

    def __init__(self, model: QAbstractItemModel, keys: Mapping[Qt.Key, str] = BOARD_KEYS) -> None:
        super().__init__()
        self.keys = dict(keys)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        tab_leaves(self)  # rows are chosen by the arrows; Tab went from cell to cell and never out
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.doubleClicked.connect(self._open)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if plain and event.key() in self.keys:
            self.action_asked.emit(self.keys[Qt.Key(event.key())])
            return
        super().keyPressEvent(event)

    def open_current(self) -> None:
        """Enter, or the button for it: the selected ticket, if one is."""
        self._open(self.currentIndex())

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(int(self.model().data(index, Qt.ItemDataRole.UserRole)))


class SupervisorView(QWidget):
    """Attributes:
    board_model, team_model: the item models; board, team: their tables; chart: the ComplianceChart.
    queue_choice, target_choice: what the chart shows; overview: the last overview read (None before).
    summary: the line above the tabs (as of when, how many breached).
    board_note, nobody_note: what an empty board or "no eligible agent" list says, once read.
    sla_admin_button: opens the SLA policies and calendars (Ctrl+Shift+L); sla_admin_dialog: it, once open.
    """

    ticket_chosen = Signal(int)
    agent_chosen = Signal(int)
    loaded = Signal()
    failed = Signal(object)
    acted = Signal(str)

    def __init__(self, supervision: SupervisionArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.supervision, self.runner = supervision, runner
        self.setWindowTitle("Switchboard — Supervisor view")
        self.overview: SupervisorOverview | None = None
        self._reading = False
        self._again = False
        self.summary = QLabel("Reading…")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.board_model, self.team_model = EscalationBoardModel(self), TeamLoadModel(self)
        self.board = BoardTable(self.board_model)
        self.board.opened.connect(self.ticket_chosen)
        self.board.action_asked.connect(self.act)
        self.board.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.board.customContextMenuRequested.connect(self._board_menu)
        self.action_dialog: BoardActionDialog | None = None
        self.notice = plain_label()
        self.notice.setWordWrap(True)
        self.notice_timer = QTimer(self)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.setInterval(NOTICE_MS)
        self.notice_timer.timeout.connect(self.notice.clear)
        self.board_actions: dict[str, QAction] = {}
        board_page = QWidget()
        buttons = QHBoxLayout()
        for name, title, keys, long_title in (
            ("acknowledge", "Acknowledge", "A", "Acknowledge the escalation"),
            ("reassign", "Reassign…", "R", "Reassign with a reason…"),
            ("comment", "Comment…", "C", "Comment (an internal note)…"),
            ("open", "Open ticket", "Enter", "Open the ticket"),
        ):
            action = QAction(long_title, self)  # the name the context menu and the palette show
            action.setShortcut(QKeySequence(keys))  # shown in the menu; the table takes the keys itself
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # never fires from elsewhere
            action.triggered.connect(lambda _checked=False, name=name: self.act(name))
            self.board_actions[name] = action
            button = QPushButton(f"{title}  ({keys})")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys belong to the board
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
        buttons.addStretch(1)
        board_layout = QVBoxLayout(board_page)
        board_layout.setContentsMargins(0, 0, 0, 0)
        board_layout.addWidget(self.board, 1)
        board_layout.addLayout(buttons)
        self.team = QTableView()
        tab_leaves(self.team)
        self.team.setModel(self.team_model)
        self.team.verticalHeader().hide()
        self.team.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.team.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.team.setWordWrap(False)
        self.team.activated.connect(self._open_agent)
        self.team_page = with_buttons(
            self.team, [("Show their open tickets", "Enter", lambda: self._open_agent(self.team.currentIndex()))]
        )
        self._fitted = False  # the columns fit the first overview; then they are the person's
        self.chart = ComplianceChart()
        self.queue_choice, self.target_choice, self.priority_choice = QComboBox(), QComboBox(), QComboBox()
        self.target_choice.addItems(list(TARGETS))
        self.priority_choice.addItems([ALL_PRIORITIES, *(p.label.capitalize() for p in reversed(Priority))])
        for box in (self.queue_choice, self.target_choice, self.priority_choice):
            box.currentIndexChanged.connect(self._show_chart)
        compliance = QWidget()
        choices = QHBoxLayout()
        for label, box in (
            ("&Queue", self.queue_choice),
            ("P&riority", self.priority_choice),
            ("&Target", self.target_choice),
        ):
            caption = QLabel(label)
            caption.setBuddy(box)
            choices.addWidget(caption)
            choices.addWidget(box)
        choices.addStretch(1)
        compliance_layout = QVBoxLayout(compliance)
        compliance_layout.addLayout(choices)
        compliance_layout.addWidget(self.chart, 1)
        self.nobody_model = NobodyModel(self)
        self.nobody = BoardTable(self.nobody_model, NOBODY_KEYS)  # R assigns by hand; Enter opens the ticket
        self.nobody.horizontalHeader().setStretchLastSection(True)
        self.nobody.opened.connect(self.ticket_chosen)
        self.nobody.action_asked.connect(self.act_on_waiting)
        self.nobody_page = with_buttons(
            self.nobody,
            [
                ("Assign…", "R", lambda: self.act_on_waiting("reassign")),
                ("Open ticket", "Enter", self.nobody.open_current),
            ],
        )
        self.nobody_note = EmptyNote(
            self.nobody, NOBODY_EMPTY, lambda: self.overview is not None and not self.nobody_model.rowCount()
        )
        self.board_note = EmptyNote(
            self.board, BOARD_EMPTY, lambda: self.overview is not None and not self.board_model.rowCount()
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(board_page, "&Escalation board")
        self.tabs.addTab(self.team_page, "Team &load")
        self.tabs.addTab(compliance, "SLA &compliance")
        self.tabs.addTab(self.nobody_page, NOBODY_TAB)
        self.sla_admin_dialog: SlaAdminDialog | None = None
        self.sla_admin_button = QPushButton("SLA &policies and calendars…")
        self.sla_admin_button.setToolTip("Ctrl+Shift+L")
        self.sla_admin_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # it took the keyboard: A, R, C did nothing
        self.sla_admin_button.clicked.connect(self.open_sla_admin)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(self.sla_admin_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice)  # under every tab: an assignment from "No eligible agent" said it under the board
        self.window_actions: list[QAction] = []
        # Ctrl+Tab switches tabs in browsers and most tabbed windows; in the board it moved the focused cell
        # (usability probe, 2026-12-07). The first keys of each are the ones the palette shows.
        for title, shortcuts, handler in (
            ("Refresh the supervisor view", ("F5",), self.refresh),
            ("Next tab", ("Ctrl+PgDown", "Ctrl+Tab"), lambda: self._next_tab(1)),
            ("Previous tab", ("Ctrl+PgUp", "Ctrl+Shift+Tab", "Ctrl+Backtab"), lambda: self._next_tab(-1)),
            ("SLA policies and calendars…", ("Ctrl+Shift+L",), self.open_sla_admin),
        ):
            action = QAction(title, self)
            action.setShortcuts([QKeySequence(keys) for keys in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(handler)
            self.addAction(action)  # the keys work anywhere in this window, as they did as QShortcuts
            self.window_actions.append(action)
        self.command_palette: CommandPalette | None = None
        QShortcut(QKeySequence("Ctrl+K"), self, self.open_palette)
        QShortcut(QKeySequence("Esc"), self, self.close)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setObjectName("supervisor refresh")
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_AT_MOST_EVERY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        # The board's times move on with nothing changing: "Left", the risks and "As of" went stale for
        # minutes. Read again each minute while it is shown (a bounded read: at most 500 soonest-due tickets
        # by their index, not the table); changes still arrive at once through the notifications.
        self._clock_timer = QTimer(self)
        self._clock_timer.setObjectName("supervisor minute")
        self._clock_timer.setInterval(TIMES_MOVE_ON_MS)
        self._clock_timer.timeout.connect(self.refresh_soon)
        resize_on_screen(self, *OPENS_AT)  # wide enough for the board's thirteen columns, then as left
        geometry = QSettings().value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the overview again (one read at a time; a request meanwhile reads once more after it)."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        self.runner.run(self.supervision.overview, self._arrived, self._failed)

    def refresh_soon(self) -> None:
        """Something changed: read again within a second, however many changes arrive meanwhile."""
        if self.isVisible() and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def stop(self) -> None:
        self._refresh_timer.stop()
        self._clock_timer.stop()
        self.notice_timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        self._clock_timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._clock_timer.stop()
        super().hideEvent(event)

    def _arrived(self, overview: SupervisorOverview) -> None:
        self._reading = False
        self.overview = overview
        current = self.board.currentIndex()
        chosen = self.board_model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.board_model.set_rows(list(overview.board), overview.as_of)
        agent = self.team_model.data(self.team.currentIndex(), Qt.ItemDataRole.UserRole)
        self.team_model.set_rows(list(overview.team), overview.as_of)
        if self.team_model.rows:  # a row chosen from the start (Ctrl+Tab to Team load, then Enter), the same after
            agents = [row.agent_id for row in self.team_model.rows]
            self.team.setCurrentIndex(self.team_model.index(agents.index(agent) if agent in agents else 0, 0))
        waiting_row, waiting_id = self.nobody.currentIndex().row(), self._waiting_id()
        self.nobody_model.set_rows(list(overview.nobody), overview.as_of)
        if self.nobody_model.rows:  # the same ticket, or (the one assigned went) the one now in its place
            ids = [row.ticket_id for row in self.nobody_model.rows]
            row = ids.index(waiting_id) if waiting_id in ids else min(max(waiting_row, 0), len(ids) - 1)
            self.nobody.setCurrentIndex(self.nobody_model.index(row, 0))
        waiting = len(overview.nobody)
        self.tabs.setTabText(
            self.tabs.indexOf(self.nobody_page), f"{NOBODY_TAB} ({waiting})" if waiting else NOBODY_TAB
        )
        self._select_ticket(chosen)
        if not self._fitted:
            self._fit_columns()
        self.board.resizeColumnToContents(ACKNOWLEDGED)  # as wide as a name once someone acknowledged
        self.summary.setText(board_summary(overview))
        wanted = self.queue_choice.currentText() or ALL_QUEUES
        self.queue_choice.blockSignals(True)
        self.queue_choice.clear()
        self.queue_choice.addItems([ALL_QUEUES, *overview.queues])
        self.queue_choice.setCurrentText(wanted)
        self.queue_choice.blockSignals(False)
        self._show_chart()
        self.loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _fit_columns(self) -> None:
        """Once: columns to their contents (at most a board's 500 rows), the subject taking what is left."""
        self._fitted = True
        for table in (self.board, self.team, self.nobody):
            table.resizeColumnsToContents()
        subject = EscalationBoardModel.COLUMNS.index("Subject")
        self.board.horizontalHeader().setSectionResizeMode(subject, QHeaderView.ResizeMode.Stretch)
        self.team.horizontalHeader().setStretchLastSection(True)

    def _open_agent(self, index: QModelIndex) -> None:
        agent_id = self.team_model.data(index, Qt.ItemDataRole.UserRole)
        if agent_id is not None:
            self.agent_chosen.emit(int(agent_id))

    def _waiting_row(self) -> WaitingTicket | None:
        row = self.nobody.currentIndex().row()
        return self.nobody_model.rows[row] if 0 <= row < len(self.nobody_model.rows) else None

    def _waiting_id(self) -> int:
        row = self._waiting_row()
        return row.ticket_id if row is not None else 0

    def _failed(self, error: Exception) -> None:
        """The board stays as last read, and says so: with the server gone it still said "As of 00:12" and
        looked live, the failure said only in the main window's status bar (a usability probe)."""
        self._reading = self._again = False
        read = f"what was read at {self.overview.as_of.astimezone():%H:%M}" if self.overview else "nothing yet"
        self.summary.setText(f"Not up to date, showing {read}: {explain_failure(error)}")
        self.failed.emit(error)

    def _select_ticket(self, ticket_id: object) -> None:
        for row, board_row in enumerate(self.board_model.rows):
            if board_row.ticket_id == ticket_id or (ticket_id is None and row == 0):
                self.board.setCurrentIndex(self.board_model.index(row, 0))
                return

    def _show_chart(self) -> None:
        if self.overview is None:
            return
        queue = self.queue_choice.currentText() or ALL_QUEUES
        target_label = self.target_choice.currentText()
        self.chart.show_series(
            compliance_series(
                self.overview.compliance,
                self.overview.as_of,
                queue,
                TARGETS[target_label],
                priority=self.priority_choice.currentText() or ALL_PRIORITIES,
            )
        )

    def open_sla_admin(self) -> None:
        """The SLA policies (a lead's over their queues, an admin's all) and the business calendars."""
        if self.sla_admin_dialog is not None and self.sla_admin_dialog.isVisible():
            self.sla_admin_dialog.raise_()
            self.sla_admin_dialog.activateWindow()
            return
        self.sla_admin_dialog = SlaAdminDialog(self.supervision.sla_admin, self.runner, self)
        self.sla_admin_dialog.open()

    # --- the command palette ------------------------------------------------------------------------------

    def palette_actions(self) -> list[QAction]:
        """What Ctrl+K offers here: the board's actions while the board is the current tab (they act on its
        selected row, exactly as A, R, C and Enter do), then the window's own commands."""
        on_board = self.tabs.currentIndex() == 0
        return [*(self.board_actions.values() if on_board else ()), *self.window_actions]

    def open_palette(self) -> None:
        """Ctrl+K: the palette over this window (commands only; tickets are found from the main window)."""
        from app.views.palette import CommandPalette

        had_focus = self.focusWidget() or self.board
        self.command_palette = CommandPalette(self.palette_actions(), self)
        self.command_palette.finished.connect(lambda _result: self._focus_back(had_focus))
        self.command_palette.open()

    def _focus_back(self, widget: QWidget) -> None:
        """The palette closed (before its action runs): the keys belong where they were, so A, R and C
        work on the board at once. A dialog the action opens takes the focus after this."""
        self.activateWindow()
        widget.setFocus()

    # --- acting on the board -------------------------------------------------------------------------------

    def current_row(self) -> BoardRow | None:
        index = self.board.currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.board_model.rows):
            return None
        return self.board_model.rows[index.row()]

    def act(self, name: str) -> None:
        """An action on the selected row: acknowledge, reassign, comment or open."""
        row = self.current_row()
        if row is None:
            self._say("Choose a ticket on the board first.")
            return
        if name == "open":
            self.ticket_chosen.emit(row.ticket_id)
        elif name == "acknowledge":
            ticket_id = row.ticket_id
            self.runner.run(lambda: self.supervision.acknowledge(ticket_id), self._acknowledged, self._refused)
        elif name in ("reassign", "comment"):
            self._open_dialog("reassign" if name == "reassign" else "comment", row, self.board)

    def act_on_waiting(self, name: str) -> None:
        """R on the "No eligible agent" list: assign the ticket by hand, with the team's load beside each name."""
        row = self._waiting_row()
        if row is None:
            self._say("Choose a ticket in the list first.")
        elif name == "reassign":
            self._open_dialog("reassign", row, self.nobody)

    def _open_dialog(self, mode: Mode, row: OnTicket, back_to: QWidget) -> None:
        team = self.overview.team if self.overview is not None else ()
        dialog = BoardActionDialog(mode, row, self.supervision, self.runner, self, team=team)
        verb = "reassigned" if row.assignee_id is not None else "assigned"
        dialog.written.connect(lambda changed: self._written(mode, changed, verb))
        dialog.finished.connect(lambda _result: self._back_to(back_to))
        self.action_dialog = dialog
        dialog.open()

    def _back_to(self, table: QWidget) -> None:
        """A dialog closed: the keys belong to the table it was asked from again."""
        self.activateWindow()
        table.setFocus()

    def _acknowledged(self, done: Acknowledgement) -> None:
        what = "acknowledged" if done.recorded else "was already acknowledged"
        self._say(f"#{done.number} {what} by {done.acknowledged_by}, {done.acknowledged_at.astimezone():%H:%M}.")
        self.refresh()

    def _written(self, mode: Mode, changed: TicketChanged, verb: str = "reassigned") -> None:
        ticket = changed.ticket
        if mode == "reassign":
            self._say(f"#{ticket.number} {verb} to {ticket.assignee_name or 'nobody'}; the reason is noted.")
        else:
            self._say(f"Note added to #{ticket.number}.")
        self.refresh()

    def _refused(self, error: Exception) -> None:
        self._say(explain_failure(error))

    def _say(self, sentence: str) -> None:
        """Said under the board for a while: "Note added to #10463." still stood there seven minutes later,
        read as news (usability probe, 2026-12-07)."""
        self.notice.setText(sentence)
        self.notice_timer.start()
        self.acted.emit(sentence)

    def _board_menu(self, at: QPoint) -> None:
        index = self.board.indexAt(at)
        if index.isValid():
            self.board.setCurrentIndex(index)
        menu = QMenu(self)
        for action in self.board_actions.values():
            menu.addAction(action)
        menu.popup(self.board.viewport().mapToGlobal(at))

    def _next_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        self.stop()
        if self.action_dialog is not None:
            self.action_dialog.close()
        super().closeEvent(event)


# Empty until a lead acknowledges: its room kept for a name from the start squeezed the subject at 1366 pixels
# (a usability probe), so it is fitted to what it holds at each read.
ACKNOWLEDGED = EscalationBoardModel.COLUMNS.index("Acknowledged")


def with_buttons(table: QTableView, buttons: list[tuple[str, str, Callable[[], None]]]) -> QWidget:
    """A tab's page: the table, and under it a button for each of its keys (title, keys, what it does),
    which never takes the keyboard from the table."""
    page = QWidget()
    row = QHBoxLayout()
    for title, keys, handler in buttons:
        button = QPushButton(f"{title}  ({keys})")
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys belong to the table
        button.clicked.connect(handler)
        row.addWidget(button)
    row.addStretch(1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    layout.addLayout(row)
    return page


def board_summary(overview: SupervisorOverview) -> str:
    """The header's counts, in the words of the board's own columns: every row not yet breached was counted
    "about to breach", and a lead found two of 25 said so ("Likely to breach"); the rest are due within
    the board's hours and on track."""
    board = overview.board
    breached = sum(1 for row in board if row.risk is Risk.BREACHED)
    likely = sum(1 for row in board if row.risk is Risk.LIKELY)
    over = sum(1 for agent in overview.team if agent.over_capacity)
    return (
        f"As of {overview.as_of.astimezone():%H:%M}: {breached} breached, {likely} likely to breach,"
        f" {len(board) - breached - likely} more due soon; {over} of {len(overview.team)} agents over capacity."
    )


def compliance_series(
    counts: tuple[ComplianceCount, ...],
    as_of: dt.datetime,
    queue: str,
    target: str,
    days: int = 28,
    priority: str = ALL_PRIORITIES,
) -> ComplianceSeries:
    """Met and breached per day over the last `days` (every day present, the quiet ones as zero), of one
    queue or all, one priority or all. A count is dated on its calendar's clock, which may be a day ahead of
    this workstation's (a lead in New York at 19:00 is past midnight in Berlin): the days end at the later
    of the two, or the chart dropped that day's clocks and disagreed with `sla compliance`."""
    last = max([as_of.astimezone().date(), *(count.day for count in counts)])
    dates = tuple(last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1))
    met = dict.fromkeys(dates, 0)
    breached = dict.fromkeys(dates, 0)
    for count in counts:
        if count.target != target or (queue != ALL_QUEUES and count.queue != queue) or count.day not in met:
            continue
        if priority != ALL_PRIORITIES and count.priority != priority.lower():
            continue
        met[count.day] += count.met
        breached[count.day] += count.breached
    label = {v: k for k, v in TARGETS.items()}[target]
    which = "" if priority == ALL_PRIORITIES else f", {priority.lower()} priority"
    return ComplianceSeries(
        f"{label}, {queue.lower() if queue == ALL_QUEUES else queue}{which}",
        dates,
        tuple(met[d] for d in dates),
        tuple(breached[d] for d in dates),
    )
