"""The views down the left of the window (mine, open, each queue, saved views), each with its live count.

Signals:
    view_chosen(object): the DeskView the agent chose (or that was chosen for them at start).
    counts_shown(object): the {view key: count} just shown.
    views_shown(object): the list of DeskViews just shown (the queues in it are the ones the login sees).
    failed(object): a read failed (the window reports it).
    leave_requested(): Esc: the keyboard goes back to the queue.
    rename_requested(), delete_requested(): the agent asked to rename or delete the chosen saved view (its
        context menu; Delete on it), which is the current view by then.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from app.services.desk_api import Desk
from app.services.navigation.dto import DeskView
from app.views.tasks import TaskRunner


class NavigationSidebar(QTreeWidget):
    """Attributes:
    desk: where views and counts are read (the window may hand in another).
    views: the views shown, in order; counts: the last counts read, by view key.
    current_view: the view chosen (None until the views arrive).
    start_in_open: true once an empty "mine" sent the agent to "open" at start (it happens only once).
    """

    view_chosen = Signal(object)
    counts_shown = Signal(object)
    views_shown = Signal(object)
    failed = Signal(object)
    leave_requested = Signal()
    rename_requested = Signal()
    delete_requested = Signal()

    def __init__(self, desk: Desk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner = desk, runner
        self.views: list[DeskView] = []
        self.counts: dict[str, int] = {}
        self.current_view: DeskView | None = None
        self.start_in_open = False
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.currentItemChanged.connect(lambda _current, _previous: self._choose_row(self._current_row()))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def choose(self, key: str) -> None:
        """Make the view with this key the current one (the palette's "View: …")."""
        row = next((i for i, v in enumerate(self.views) if v.key == key), None)
        item = self.topLevelItem(row) if row is not None else None
        if item is not None:
            self.setCurrentItem(item)

    def _context_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        row = self.indexOfTopLevelItem(item) if item is not None else -1
        if item is None or not (0 <= row < len(self.views)) or not self.views[row].saved:
            return
        self.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction("Rename view…", self.rename_requested.emit)
        menu.addAction("Delete view", self.delete_requested.emit)
        menu.exec(self.viewport().mapToGlobal(position))

    def refresh_views(self) -> None:
        self.runner.run(self.desk.navigation.views, self._show_views, self.failed.emit)

    def refresh_counts(self) -> None:
        views = list(self.views)
        self.runner.run(lambda: self.desk.navigation.counts(views), self._show_counts, self.failed.emit)

    def choose_current_again(self) -> None:
        """Show the chosen view afresh (everything may have changed)."""
        if self.current_view is not None:
            self._choose_row(self._current_row())

    def leave_empty_mine(self) -> None:
        """Nothing assigned to me yet: start where the work is (once; after that the agent decides)."""
        if self.current_view is None or self.current_view.key != "mine" or self.start_in_open:
            return
        row = next((i for i, v in enumerate(self.views) if v.key == "open"), None)
        item = self.topLevelItem(row) if row is not None else None
        if item is not None:
            self.start_in_open = True
            self.setCurrentItem(item)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        for row, view in enumerate(self.views):
            item = self.topLevelItem(row)
            if item is not None and view.key in counts:
                item.setText(1, f"{counts[view.key]:,}")
        self.counts_shown.emit(counts)

    def show_views(self, views: list[DeskView]) -> None:
        """Views read elsewhere (with the sign-in): shown, and the first chosen, as if read here."""
        self._show_views(views)

    def _show_views(self, views: list[DeskView]) -> None:
        chosen = self.current_view.key if self.current_view else "mine"
        if self.current_view is None and self.start_in_open:
            chosen = "open"
        self.views = views
        self.views_shown.emit(views)
        self.blockSignals(True)
        self.clear()
        for view in views:
            known = self.counts.get(view.key)
            item = QTreeWidgetItem([view.label, "" if known is None else f"{known:,}"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(1, self.palette().placeholderText())
            self.addTopLevelItem(item)
        row = next((i for i, v in enumerate(views) if v.key == chosen), 0)
        if (current := self.topLevelItem(row)) is not None:
            self.setCurrentItem(current)
        self.blockSignals(False)
        if self.current_view is None or self.current_view.key != chosen:
            self._choose_row(row)
        self.refresh_counts()

    def changeEvent(self, event: QEvent) -> None:
        """Light to dark or back: the counts' muted colour follows."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for row in range(self.topLevelItemCount()):
                item = self.topLevelItem(row)
                if item is not None:
                    item.setForeground(1, self.palette().placeholderText())

    def _current_row(self) -> int:
        item = self.currentItem()
        return self.indexOfTopLevelItem(item) if item is not None else -1

    def _choose_row(self, row: int) -> None:
        if 0 <= row < len(self.views):
            self.current_view = self.views[row]
            self.view_chosen.emit(self.current_view)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.leave_requested.emit()
            return
        if event.key() == Qt.Key.Key_Delete and self.current_view is not None and self.current_view.saved:
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)
