"""The window agents work in all day: views on the left with live counts, the queue in the middle, the
ticket on the right. Keyboard first; colleagues' changes arrive within a second; nothing blocks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStatusBar,
    QSystemTrayIcon,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import Desk
from app.services.navigation.dto import DeskView, Vocabulary
from app.services.platform.live_notices import ChangeNotice, Listen, PresenceEntry, PresenceNotice
from app.services.tickets.dto import TicketChanged, TicketSummary
from app.views.drafts import DraftStore
from app.views.editor import TicketEditor
from app.views.errors import explain_failure, log_unless_known
from app.views.filter_bar import FilterBar
from app.views.live_bridge import LiveBridge
from app.views.palette import CommandPalette, ShortcutOverlay, apply_tooltips
from app.views.tasks import TaskRunner
from app.views.ticket_table import TicketTableModel

LIVE_BATCH_MS = 150
TYPING_FRESH_SECONDS = 10.0  # a keystroke this recent still counts as typing at the next heartbeat


def notification_for(
    old: TicketSummary | None, new: TicketSummary, me: int, open_statuses: frozenset[str]
) -> tuple[str, str] | None:
    """What to tell the agent about a live change, if anything: a ticket newly assigned to them, or a
    customer writing back on one of theirs (their message wakes a waiting or finished ticket into one of
    the desk's open statuses, as the database defines them)."""
    if new.assignee_id != me:
        return None
    if old is None or old.assignee_id != me:
        return "Assigned to you", f"#{new.number} {inert(new.subject)}"
    if new.status != old.status and new.status in open_statuses and new.version > old.version:
        return "Customer replied", f"#{new.number} {inert(new.subject)}"
    return None


def inert(text: str) -> str:
    """Some desktops render markup in notifications (even images): angle brackets become lookalikes."""
    return text.replace("<", "\u2039").replace(">", "\u203a").replace("&", "\uff06")


class MainWindow(QMainWindow):
    """Attributes:
    model: the queue's TicketTableModel.
    editor: the TicketEditor of the selected ticket.
    connected: false while the server is unreachable (the window is read-only then).
    """

    def __init__(
        self,
        desk: Desk,
        runner: TaskRunner,
        drafts: DraftStore,
        listen: Listen | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.runner, self.drafts = desk, runner, drafts
        self.setWindowTitle(f"Switchboard — {desk.me.display_name}")
        self.views: list[DeskView] = []
        self.counts: dict[str, int] = {}
        self.tray_text = "Switchboard"
        self.start_in_open = False
        self.current_view: DeskView | None = None
        self.connected = True
        self._pending_ids: set[int] = set()
        self._presence: tuple[PresenceEntry, ...] = ()
        self._open_statuses: frozenset[str] = frozenset()  # from the database's vocabulary
        self._last_typing = 0.0  # when 'typing' was last announced
        self._last_keystroke = -TYPING_FRESH_SECONDS  # when the agent last typed in the composer
        self._build()
        self._build_actions()
        self.bridge = LiveBridge(listen) if listen is not None else None
        if self.bridge is not None:
            self.bridge.changed.connect(self._on_change)
            self.bridge.presence.connect(self._on_presence)
            self.bridge.connection_changed.connect(self._on_connection)
            self.bridge.start()
        self.resize(1440, 860)
        self._restore_layout()
        self.refresh_views()
        self.runner.run(desk.navigation.vocabulary, self._vocabulary_arrived, self._report)

    # --- layout ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.navigation = QTreeWidget()
        self.navigation.setColumnCount(2)
        self.navigation.setHeaderHidden(True)
        self.navigation.setRootIsDecorated(False)
        self.navigation.header().setStretchLastSection(False)
        self.navigation.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.navigation.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.navigation.currentItemChanged.connect(lambda _c, _p: self._view_chosen(self._navigation_row()))
        self.model = TicketTableModel(self.runner)
        self.model.page_failed.connect(self._report)
        self.model.loaded.connect(self._select_first_if_none)
        self.model.loaded.connect(self._mine_is_empty)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.selectionModel().currentRowChanged.connect(self._ticket_chosen)
        self.editor = TicketEditor(self.desk, self.runner, self.drafts)
        self.editor.ticket_saved.connect(self._ticket_saved)
        self.editor.typing.connect(self._typing)
        self.filters = FilterBar()
        self.filters.changed.connect(self._filters_changed)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.filters)
        middle_layout.addWidget(self.table)
        self.table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        self.splitter = QSplitter()
        for widget in (self.navigation, middle, self.editor):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([180, 800, 520])
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        for column, width in enumerate((72, 300, 135, 90, 70, 120, 120, 130, 96)):
            if width:
                self.table.setColumnWidth(column, width)
        self.setCentralWidget(self.splitter)
        self.status = QStatusBar()
        self.connection_label = QLabel("● Connected")
        self.connection_label.setStyleSheet("color: #2e7d32;")
        self.busy_label = QLabel()
        self.status.addPermanentWidget(self.busy_label)
        self.status.addPermanentWidget(self.connection_label)
        self.setStatusBar(self.status)
        self.runner.busy_changed.connect(lambda busy: self.busy_label.setText("Working…" if busy else ""))
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_BATCH_MS)
        self._live_timer.timeout.connect(self._apply_live)
        self._counts_timer = QTimer(self)  # counts follow live changes, at most every two seconds
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(2000)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._presence_timer = QTimer(self)
        self._presence_timer.setInterval(15_000)
        self._presence_timer.timeout.connect(self._heartbeat)
        self._presence_timer.start()
        self.tray = QSystemTrayIcon(self.windowIcon(), self) if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.tray is not None:
            self.tray.show()

    def _build_actions(self) -> None:
        specs: list[tuple[str, str, str, Callable[[], None]]] = [
            ("Ticket", "&Reply", "R", self.editor.start_reply),
            ("Ticket", "Internal &note", "N", self.editor.start_note),
            ("Ticket", "&Assign to me", "A", self.editor.assign_to_me),
            ("Ticket", "Change &status…", "S", self.choose_status),
            ("Ticket", "Next ticket", "J", lambda: self.move_selection(1)),
            ("Ticket", "Previous ticket", "K", lambda: self.move_selection(-1)),
            ("View", "Search tickets", "/", self.focus_search),
            ("View", "Save this view…", "Ctrl+Shift+S", self.save_view),
            ("View", "Refresh", "F5", self.refresh_views),
            ("View", "Command palette", "Ctrl+K", self.open_palette),
            ("Help", "Keyboard shortcuts", "?", self.show_shortcuts),
        ]
        self.actions_by_text: dict[str, QAction] = {}
        menus: dict[str, QMenu] = {}
        for menu_name, text, keys, handler in specs:
            if menu_name not in menus:
                menus[menu_name] = self.menuBar().addMenu(f"&{menu_name}")
            menu = menus[menu_name]
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(handler)
            menu.addAction(action)
            self.addAction(action)
            self.actions_by_text[text.replace("&", "")] = action
        apply_tooltips(self.actions_by_text.values())

    # --- views and tickets --------------------------------------------------------------------------------

    def refresh_views(self) -> None:
        self.runner.run(self.desk.navigation.views, self._show_views, self._report)

    def refresh_counts(self) -> None:
        views = list(self.views)
        self.runner.run(lambda: self.desk.navigation.counts(views), self._show_counts, self._report)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        mine = counts.get("mine")
        self.tray_text = (
            "Switchboard" if mine is None else f"Switchboard: {mine} open ticket{'s' * (mine != 1)} of yours"
        )
        if self.tray is not None:
            self.tray.setToolTip(self.tray_text)
        for row, view in enumerate(self.views):
            item = self.navigation.topLevelItem(row)
            if item is not None and view.key in counts:
                item.setText(1, f"{counts[view.key]:,}")

    def _show_views(self, views: list[DeskView]) -> None:
        chosen = self.current_view.key if self.current_view else "mine"
        if self.current_view is None and self.start_in_open:
            chosen = "open"
        self.views = views
        self.navigation.blockSignals(True)
        self.navigation.clear()
        for view in views:
            known = self.counts.get(view.key)
            item = QTreeWidgetItem([view.label, "" if known is None else f"{known:,}"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(1, self.palette().placeholderText())
            self.navigation.addTopLevelItem(item)
        row = next((i for i, v in enumerate(views) if v.key == chosen), 0)
        if (current := self.navigation.topLevelItem(row)) is not None:
            self.navigation.setCurrentItem(current)
        self.navigation.blockSignals(False)
        if self.current_view is None or self.current_view.key != chosen:
            self._view_chosen(row)
        self.refresh_counts()

    def _navigation_row(self) -> int:
        item = self.navigation.currentItem()
        return self.navigation.indexOfTopLevelItem(item) if item is not None else -1

    def _view_chosen(self, row: int) -> None:
        if 0 <= row < len(self.views):
            self.current_view = self.views[row]
            self._show_effective_view()

    def _filters_changed(self) -> None:
        if self.current_view is not None:
            self._show_effective_view()

    def _show_effective_view(self) -> None:
        """The chosen view narrowed by the filter bar, in the bar's sort order."""
        assert self.current_view is not None
        view = self.filters.narrow(self.current_view, self.desk.me.agent_id)
        self.model.show_view(lambda cursor: self.desk.navigation.page(view, cursor), view.ticket_filter, view.sort)

    def _column_menu(self, position: QPoint) -> None:
        """Right-click on the header: show or hide columns (remembered with the header's state)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in range(1, self.model.columnCount()):
            action = menu.addAction(str(self.model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
        menu.exec(header.mapToGlobal(position))

    def _ticket_chosen(self, current: object, _previous: object) -> None:
        row = self.table.currentIndex().row()
        ticket = self.model.ticket_at(row)
        if ticket is not None:
            self.editor.open_ticket(ticket.id)
            self._announce(ticket.id, "viewing")

    def _mine_is_empty(self) -> None:
        """Nothing assigned to me yet: start where the work is."""
        if self.current_view is not None and self.current_view.key == "mine" and self.model.rowCount() == 0:
            row = next((i for i, v in enumerate(self.views) if v.key == "open"), None)
            item = self.navigation.topLevelItem(row) if row is not None else None
            if item is not None and not self.start_in_open:
                self.start_in_open = True
                self.navigation.setCurrentItem(item)

    def _select_first_if_none(self) -> None:
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def move_selection(self, step: int) -> None:
        row = max(0, min(self.model.rowCount() - 1, self.table.currentIndex().row() + step))
        if self.model.rowCount():
            self.table.selectRow(row)

    def choose_status(self) -> None:
        if self.editor.vocabulary is None or self.editor.detail is None:
            return
        labels = [label for _key, label, _cat in self.editor.vocabulary.statuses]
        label, ok = QInputDialog.getItem(self, "Change status", "Status", labels, 0, False)
        if ok:
            key = next(k for k, lab, _c in self.editor.vocabulary.statuses if lab == label)
            self.editor.change_status_to(key)

    def focus_search(self) -> None:
        self.filters.text.setFocus()
        self.filters.text.selectAll()

    def save_view(self) -> None:
        if self.current_view is None:
            return
        name, ok = QInputDialog.getText(self, "Save view", "Name of the view")
        if ok and name.strip():
            view = self.filters.narrow(self.current_view, self.desk.me.agent_id)
            self.runner.run(
                lambda: self.desk.navigation.save_view(name.strip(), view),
                lambda _r: self.refresh_views(),
                self._report,
            )

    def _vocabulary_arrived(self, vocabulary: Vocabulary) -> None:
        self._open_statuses = frozenset(key for key, _label, category in vocabulary.statuses if category == "open")
        self.editor.set_vocabulary(vocabulary)
        self.filters.set_statuses(vocabulary.statuses)

    def open_palette(self) -> None:
        self.command_palette = CommandPalette(list(self.actions_by_text.values()), self)
        self.command_palette.open()

    def show_shortcuts(self) -> None:
        self.overlay = ShortcutOverlay(list(self.actions_by_text.values()), self)
        self.overlay.open()

    # --- live updates -------------------------------------------------------------------------------------

    def _on_change(self, notice: ChangeNotice) -> None:
        if notice.ticket_ids is None:
            self.refresh_views()
            if self.current_view is not None:
                self._view_chosen(self._navigation_row())
            return
        self._pending_ids.update(notice.ticket_ids)
        self._live_timer.start()

    def _apply_live(self) -> None:
        ids, self._pending_ids = sorted(self._pending_ids), set()
        before = {t.id: t for t in self.model.rows}
        self.runner.run(
            lambda: self.desk.navigation.summaries(ids),
            lambda fresh: self._live_arrived(ids, fresh, before),
            self._report,
        )
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _live_arrived(self, ids: list[int], fresh: list[TicketSummary], before: dict[int, TicketSummary]) -> None:
        self.model.apply_live(fresh, ids)
        open_ticket = self.editor.detail.ticket if self.editor.detail else None
        for ticket in fresh:
            if open_ticket is not None and ticket.id == open_ticket.id and ticket.version != open_ticket.version:
                self.editor.reload()
            self._notify_if_mine(before.get(ticket.id), ticket)

    def _notify_if_mine(self, old: TicketSummary | None, new: TicketSummary) -> None:
        message = notification_for(old, new, self.desk.me.agent_id, self._open_statuses)
        if message is not None and self.tray is not None:
            self.tray.showMessage(*message)  # plain text: the tray never renders markup

    def _ticket_saved(self, result: TicketChanged) -> None:
        self.model.apply_live([result.ticket], [result.ticket.id])

    def _on_connection(self, connected: bool) -> None:
        was = self.connected
        self.connected = connected
        self.connection_label.setText("● Connected" if connected else "● Reconnecting…")
        self.connection_label.setStyleSheet(f"color: {'#2e7d32' if connected else '#c62828'};")
        self.editor.set_read_only(not connected)
        if connected and not was:
            self.refresh_views()  # catch up on what happened while we were away

    # --- presence ---------------------------------------------------------------------------------------------

    def _announce(self, ticket_id: int, state: str) -> None:
        if self.connected:
            self.runner.run(lambda: self.desk.presence.announce(ticket_id, state), lambda _r: None, log_unless_known)

    def _typing(self, ticket_id: int) -> None:
        self._last_keystroke = time.monotonic()
        if self._last_keystroke - self._last_typing > 3:
            self._last_typing = self._last_keystroke
            self._announce(ticket_id, "typing")

    def _heartbeat(self) -> None:
        """Keep this agent's presence alive; someone still typing stays 'typing' (a plain 'viewing' here would
        tell colleagues they stopped), someone who stopped a while ago goes back to 'viewing'."""
        if self.editor.detail is not None:
            typing = time.monotonic() - self._last_keystroke < TYPING_FRESH_SECONDS
            self._announce(self.editor.detail.ticket.id, "typing" if typing else "viewing")
        self._show_presence()

    def _on_presence(self, notice: PresenceNotice) -> None:
        """The database's whole picture of who is where (read through row-level security, never forged)."""
        self._presence = notice.entries
        self._show_presence()

    def _show_presence(self) -> None:
        if self.editor.detail is None:
            return
        ticket_id = self.editor.detail.ticket.id
        here = {e.name: e.state for e in self._presence if e.ticket_id == ticket_id and e.login != self.desk.me.login}
        self.editor.show_presence(here)

    # --- lifecycle --------------------------------------------------------------------------------------------

    def _report(self, error: Exception) -> None:
        self.status.showMessage(explain_failure(error), 8000)

    def _restore_layout(self) -> None:
        settings = QSettings()
        for key, restore in (
            ("main/geometry", self.restoreGeometry),
            ("main/state", self.restoreState),
            ("main/splitter", self.splitter.restoreState),
            ("main/columns", self.table.horizontalHeader().restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def closeEvent(self, event: object) -> None:
        self.editor.save_draft()
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        settings.setValue("main/splitter", self.splitter.saveState())
        settings.setValue("main/columns", self.table.horizontalHeader().saveState())
        self.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]

    def shutdown(self) -> None:
        self.editor.stop()
        self.drafts.flush()
        self.model.stop()
        self._presence_timer.stop()
        self._live_timer.stop()
        self._counts_timer.stop()
        self.status.clearMessage()  # a message shown for a while runs a timer of its own
        if self.bridge is not None:
            self.bridge.stop()
