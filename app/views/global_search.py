"""Global search (`/` from anywhere): results as you type, grouped into tickets, articles and customers;
Enter opens the chosen one; a full group ends in "More tickets…", which shows up to 50 of that kind alone
(and "Every kind" goes back). And `SearchSync`, the client's background thread that keeps the login's index
in step with the database.

The search itself runs on the task pool (never on the GUI thread); only the answer to the latest question
is shown. While the index is first built, answers come from the database and the note under the field
says so, with how far the build is.

Signals of GlobalSearch:
    ticket_chosen(int, int): a ticket's id and number, to open it.
    article_chosen(int): an article's id.
    customer_chosen(str): a customer's name (the window filters the queue by it).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import SearchArea
from app.services.search.dto import SearchHit, SearchResults
from app.services.search.query import KINDS
from app.services.tickets.dto import TicketSummary
from app.views.knowledge_panel import article_label
from app.views.labels import plain_tip
from app.views.sizing import resize_on_screen
from app.views.status_choice import status_text
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

ASK_AFTER_MS = 120  # asked this long after the last key: typing fast asks once
LIMIT = 6  # of each kind
MORE_LIMIT = 50  # of the one kind "More tickets…" shows
GROUPS = (("ticket", "Tickets"), ("article", "Articles"), ("customer", "Customers"))
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
WIDEN_ROLE = Qt.ItemDataRole.UserRole + 2  # a row that shows more of one kind ("ticket"), or every kind ("")


def snippet_html(hit: SearchHit) -> str:
    """The snippet with its highlights in bold; every character of customer text escaped first."""
    return hit.marked_snippet("<b>", "</b>", html=True).replace("\n", " ")


def hit_label(hit: SearchHit, status_labels: Mapping[str, str] | None = None) -> str:
    """What a hit is; a ticket's status in the desk's own words, as the queue says it ("Billing, New", not
    the key "new")."""
    if hit.kind == "ticket":
        return f"#{hit.number}  {hit.title}  · {hit.queue}, {status_text(hit.status, status_labels)}"
    return article_label(hit) if hit.kind == "article" else hit.title


class GlobalSearch(QDialog):
    ticket_chosen = Signal(int, int)
    article_chosen = Signal(int)
    customer_chosen = Signal(str)

    def __init__(self, search: SearchArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search, self.runner = search, runner
        self.setWindowTitle("Search")
        resize_on_screen(self, 760, 520)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Search tickets, articles, customers — status:waiting queue:billing #10423 …")
        self.field.setClearButtonEnabled(True)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.results = QTreeWidget()
        self.results.setHeaderHidden(True)
        self.results.setColumnCount(1)
        self.results.setRootIsDecorated(False)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays in the field
        self.results.itemActivated.connect(lambda item, _column: self._choose(item))
        self.results.currentItemChanged.connect(self._mark_current)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.note)
        layout.addWidget(self.results)
        self.timer = QTimer(self)
        self.timer.setObjectName("search-as-you-type")
        self.timer.setSingleShot(True)
        self.timer.setInterval(ASK_AFTER_MS)
        self.timer.timeout.connect(self._ask)
        self.field.textChanged.connect(lambda _text: self.timer.start())
        self.field.installEventFilter(self)
        self._asked = 0
        self.only_kind: str | None = None  # "More tickets…" chosen: that kind alone, up to MORE_LIMIT
        self.answered: SearchResults | None = None  # the answer shown (tests wait on it)
        self.status_labels: Mapping[str, str] = {}  # status key → the desk's label, from its vocabulary

    # --- asking ------------------------------------------------------------------------------------------
    def open_with(self, text: str = "") -> None:
        self.only_kind = None
        self.field.setText(text)
        self.field.selectAll()
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()

    def _ask(self) -> None:
        text = self.field.text()
        self._asked += 1
        asked = self._asked
        if not text.strip():
            self._show(SearchResults(text, (), 0, "index"), note="")
            return
        kinds, limit = ((self.only_kind,), MORE_LIMIT) if self.only_kind else (KINDS, LIMIT)
        self.runner.run(
            lambda: self.search.search(text, kinds=kinds, typing=True, limit=limit),
            lambda results: self._answered(asked, results),
            lambda error: self._failed(asked, error),
        )

    def _answered(self, asked: int, results: SearchResults) -> None:
        if asked == self._asked:  # an older question's answer is dropped
            self._show(results, note=results.status_line or "")

    def _failed(self, asked: int, error: Exception) -> None:
        if asked == self._asked:
            self.note.setText(str(error))

    def _show(self, results: SearchResults, *, note: str) -> None:
        self.answered = results
        self.results.clear()
        first: QTreeWidgetItem | None = None
        limit = MORE_LIMIT if self.only_kind else LIMIT
        for kind, label in GROUPS:
            hits = [h for h in results.hits if h.kind == kind]
            if not hits:
                continue
            group = QTreeWidgetItem(self.results, [group_heading(label, len(hits), limit)])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for hit in hits:
                item = QTreeWidgetItem(group)
                item.setData(0, HIT_ROLE, hit)
                item.setToolTip(0, plain_tip(hit.title))
                self.results.setItemWidget(item, 0, self._row(hit, self.status_labels))
                first = first or item
            if self.only_kind:
                self._widen_row(group, "", "Every kind: tickets, articles and customers")
            elif len(hits) >= LIMIT:
                self._widen_row(group, kind, f"More {label.lower()}… (up to {MORE_LIMIT})")
            group.setExpanded(True)
        if first is not None:
            self.results.setCurrentItem(first)
        if results.hits:
            self.note.setText(note)
        else:
            self.note.setText(" ".join(x for x in (note, "Nothing found.") if x) if results.query.strip() else note)

    def _widen_row(self, group: QTreeWidgetItem, kind: str, text: str) -> None:
        """The last row of a group: Enter on it shows more of that kind alone, or every kind again."""
        item = QTreeWidgetItem(group)
        item.setData(0, WIDEN_ROLE, kind)
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(text)
        label.setMargin(3)
        font = label.font()
        font.setItalic(True)
        label.setFont(font)
        self.results.setItemWidget(item, 0, label)

    def widen(self, kind: str | None) -> None:
        """Show up to MORE_LIMIT of one kind (a kind), or every kind again (None), for the same words."""
        self.only_kind = kind or None
        self.timer.stop()
        self._ask()
        self.field.setFocus()

    @staticmethod
    def _row(hit: SearchHit, status_labels: Mapping[str, str]) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)  # every piece of data in it is escaped
        label.setText(_row_html(hit, status_labels, selected=False))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        label.setMargin(3)
        return label

    def _mark_current(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        """A row is a label over the item, which the selection's colours do not reach: the chosen row is
        written again in the highlight's text colour (its snippet was grey on the highlight's blue)."""
        for item, selected in ((previous, False), (current, True)):
            label = self.results.itemWidget(item, 0) if item is not None else None
            if isinstance(label, QLabel) and item is not None and (hit := item.data(0, HIT_ROLE)) is not None:
                label.setText(_row_html(hit, self.status_labels, selected=selected))
            elif isinstance(label, QLabel):  # "More tickets…"
                label.setForegroundRole(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)

    # --- choosing ----------------------------------------------------------------------------------------
    def _items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for g in range(self.results.topLevelItemCount()):
            group = self.results.topLevelItem(g)
            if group is not None:
                items += [child for c in range(group.childCount()) if (child := group.child(c)) is not None]
        return items

    def hits_shown(self) -> list[SearchHit]:
        return [hit for item in self._items() if (hit := item.data(0, HIT_ROLE)) is not None]

    def widen_rows(self) -> list[QTreeWidgetItem]:
        """The rows "More tickets…" and "Every kind" shown, in order."""
        return [item for item in self._items() if item.data(0, WIDEN_ROLE) is not None]

    def move_selection(self, step: int) -> None:
        items = list(self._items())
        if not items:
            return
        current = self.results.currentItem()
        index = items.index(current) if current in items else -1
        self.results.setCurrentItem(items[max(0, min(len(items) - 1, index + step))])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.move_selection(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.timer.isActive():  # Enter before the answer: ask now, choose when it comes
                    self.timer.stop()
                    self._ask()
                    return True
                item = self.results.currentItem()
                if item is not None:
                    self._choose(item)
                return True
        return super().eventFilter(watched, event)

    def _choose(self, item: QTreeWidgetItem) -> None:
        if (kind := item.data(0, WIDEN_ROLE)) is not None:
            self.widen(kind)
            return
        hit = item.data(0, HIT_ROLE)
        if not isinstance(hit, SearchHit):
            return
        self.accept()
        if hit.kind == "ticket":
            self.ticket_chosen.emit(hit.id, hit.number or 0)
        elif hit.kind == "article":
            self.article_chosen.emit(hit.id)
        else:
            self.customer_chosen.emit(hit.title)

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)


class ArticleView(QDialog):
    """An article found by search, read-only, as the index holds it; Ctrl+I (or the button) inserts its text
    into the open ticket's reply, or an internal article's into a note (it is for agents only: an agent sent
    one to a customer, nothing having said so; usability probe, 2026-12-07).

    Signals:
        insert_requested(str, str, bool): the article's text, its title, and whether it is internal.
    """

    insert_requested = Signal(str, str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtGui import QKeySequence, QShortcut
        from PySide6.QtWidgets import QPlainTextEdit, QPushButton

        super().__init__(parent)
        resize_on_screen(self, 640, 480)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.marks = QLabel()
        self.marks.setTextFormat(Qt.TextFormat.PlainText)
        self.marks.setWordWrap(True)
        self.insert_button = QPushButton()
        self.insert_button.clicked.connect(self._insert)
        self.insert_shortcut = QShortcut(QKeySequence("Ctrl+I"), self)
        self.insert_shortcut.activated.connect(self._insert)
        self.internal = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.marks)
        layout.addWidget(self.text)
        layout.addWidget(self.insert_button)

    def show_article(self, title: str, body: str, marks: tuple[str, ...] = ()) -> None:
        self.setWindowTitle(title)
        self.internal = "Internal" in marks
        said = [ARTICLE_MARKS[mark] for mark in marks if mark in ARTICLE_MARKS]
        self.marks.setText(" ".join(said))
        self.marks.setVisible(bool(said))
        self.insert_button.setText("Insert into a note (Ctrl+I)" if self.internal else "Insert into the reply (Ctrl+I)")
        self.text.setPlainText(body)  # plain text: nothing in an article is rendered as markup here
        self.show()

    def _insert(self) -> None:
        self.insert_requested.emit(self.text.toPlainText(), f"the article “{self.windowTitle()}”", self.internal)
        self.accept()


ARTICLE_MARKS = {
    "Internal": "Internal: for agents only. Ctrl+I puts it into an internal note, never into a reply.",
    "Draft": "A draft: not published yet.",
    "Archived": "Archived: no longer current.",
}


class SearchSync:
    """The client's background thread that keeps the index in step (`SearchArea.follow`): builds it when
    missing, applies the change log about once a second, reconciles now and then. A plain thread, not the
    task pool: it runs for the window's life. `stop()` joins it."""

    def __init__(self, search: SearchArea) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=search.follow, args=(self._stop,), name="search-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


class SearchFeatures:
    """What search adds to the desk window (issue 15), wired in one place so the window only calls
    `enable_search`: `/` opens global search (the queue filter moves to Ctrl+F), F2 shows the knowledge
    panel beside the ticket, Ctrl+I / Ctrl+Shift+I insert the suggested article's text / a reference into
    the reply, and (in the real client) the sync thread.

    Attributes:
        dialog: the GlobalSearch; panel: the KnowledgePanel; dock: the panel's dock; sync: the SearchSync or None.
    """

    def __init__(self, window: MainWindow, search: SearchArea, *, sync: bool) -> None:
        from PySide6.QtGui import QAction, QKeySequence
        from PySide6.QtWidgets import QDockWidget

        from app.views.knowledge_panel import KnowledgePanel

        self.window = window
        self.dialog = GlobalSearch(search, window.runner, window)
        self.dialog.ticket_chosen.connect(self.open_ticket)
        self.dialog.customer_chosen.connect(self._filter_by_customer)
        self.dialog.article_chosen.connect(self.open_article)
        self.article_view = ArticleView(window)
        self.article_view.insert_requested.connect(self.insert_into_reply)
        self.panel = KnowledgePanel(search, window.runner)
        self.panel.insert_requested.connect(self.insert_into_reply)
        self.panel.ticket_chosen.connect(self.open_ticket)
        self.dock = QDockWidget("Knowledge", window)
        self.dock.setObjectName("knowledge-panel")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._panel_shown)
        window.table.ticket_chosen.connect(lambda _ticket: self.suggest())
        window.actions_by_text["Search tickets"].setShortcut(QKeySequence("Ctrl+F"))
        filter_hint = window.filters.text.placeholderText()
        window.filters.text.setPlaceholderText(filter_hint.replace("(/)", "(Ctrl+F; / searches everything)"))
        for menu, text, keys, handler in (  # in the menus too: F2 and / were found only in the shortcut list
            ("View", "Search everything…", "/", lambda: self.dialog.open_with("")),
            ("Knowledge", "Knowledge panel", "F2", self.toggle_panel),
            ("Knowledge", "Insert the suggested article", "Ctrl+I", self.panel.insert_text),
            ("Knowledge", "Insert a reference to the suggested article", "Ctrl+Shift+I", self.panel.insert_reference),
        ):
            action = QAction(text, window)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(handler)
            window.addAction(action)
            window.menus[menu].addAction(action)
            window.actions_by_text[text] = action
        self.sync = SearchSync(search) if sync else None
        if self.sync is not None:
            self.sync.start()

    def toggle_panel(self) -> None:
        self.dock.setVisible(not self.dock.isVisible())

    def _panel_shown(self, shown: bool) -> None:
        if shown:
            self.suggest()

    def suggest(self) -> None:
        shown = self.window.editor.detail
        ticket_id = self.window.editor.opening or (shown.ticket.id if shown is not None else None)
        if ticket_id is not None and self.dock.isVisible():
            self.panel.show_for(ticket_id)

    def open_ticket(self, ticket_id: int, _number: int) -> None:
        window = self.window

        def opened(found: list[TicketSummary]) -> None:
            if found:
                window.open_ticket(found[0])
                self.suggest()

        window.runner.run(lambda: window.desk.navigation.summaries([ticket_id]), opened, window.status.report)

    def open_article(self, article_id: int) -> None:
        hit = next((h for h in self.dialog.hits_shown() if h.kind == "article" and h.id == article_id), None)
        title, marks = (hit.title, hit.article_marks) if hit is not None else ("Article", ())
        self.window.runner.run(
            lambda: self.dialog.search.article_text(article_id),
            lambda body: self.article_view.show_article(title, body or "", marks),
            self.window.status.report,
        )

    def _filter_by_customer(self, name: str) -> None:
        self.window.filters.text.setText(name)
        self.window.focus_search()

    def insert_into_reply(self, text: str, what: str, internal: bool = False) -> None:
        """Into the reply at its cursor, as one edit, and said: Ctrl+I from the panel put an article the agent
        had not looked at into the reply, unannounced (usability probe, 2026-12-07). An internal article goes
        into a note instead: it is for agents only, and an agent sent one to a customer."""
        editor = self.window.editor
        if editor.detail is None:
            return
        panel, wanted = editor.composer_panel, "note" if internal else "reply"
        if panel.ticket_id != editor.detail.ticket.id or panel.mode != wanted or not editor.composer.hasFocus():
            editor.start_note() if internal else editor.start_reply()
        panel.insert_response(editor.detail.ticket.id, text)
        if internal:
            said = f"Inserted {what} into a note: it is internal, so it never goes into a reply. Ctrl+Z takes it out."
        else:
            said = f"Inserted {what} into the reply: Ctrl+Z takes it out."
        self.window.status.showMessage(said, 8000)

    def stop(self) -> None:
        self.dialog.timer.stop()
        self.dialog.close()
        self.article_view.close()
        if self.sync is not None:
            self.sync.stop()


def group_heading(label: str, shown: int, limit: int = LIMIT) -> str:
    """A kind's heading: how many it shows, and when that is the most it shows, that there may be more (the
    dialog asks for `limit` of each kind, not for a count: "Tickets (6)" read as six found)."""
    return f"{label} (first {shown})" if shown >= limit else f"{label} ({shown})"


def _row_html(hit: SearchHit, status_labels: Mapping[str, str], *, selected: bool) -> str:
    """A hit's two lines: what it is, and its snippet, dimmed unless the row is the chosen one."""
    first = html.escape(hit_label(hit, status_labels))
    if selected:
        first = f"<span style='color: palette(highlighted-text)'>{first}</span>"
    colour = "palette(highlighted-text)" if selected else "palette(placeholder-text)"
    return first + (f"<br><span style='color: {colour}'>{snippet_html(hit)}</span>" if hit.snippet else "")
