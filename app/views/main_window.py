"""The window agents work in all day: views on the left with live counts, the queue in the middle, the
ticket on the right. Keyboard first; colleagues' changes arrive within a second; nothing blocks.

The window assembles its parts and wires them together; each part is named for what it is:
NavigationSidebar (views and counts), QueueView over TicketTableModel (the queue), TicketEditor (the
ticket), LiveUpdates (colleagues' changes), PresenceTracker (who is where), TrayNotifier, DeskStatusBar
and LayoutMemory; the CommandPalette (commands and "go to anything"), the ShortcutOverlay and AboutDialog.

It opens at a size that fits the screen (1366x768 included) and never leaves a blank: an empty result says
what matched nothing and how to get out, the ticket pane says why no ticket is open, the filter bar counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import AccountArea, Desk, RoutingArea, SearchArea, SupervisionArea
from app.services.navigation.dto import DeskView, FirstScreen, Vocabulary
from app.services.platform.live_notices import Listen
from app.services.tickets.dto import TicketChanged, TicketPage, TicketSummary
from app.views.appearance import Theme, choose_theme, saved_theme
from app.views.availability_menu import AvailabilityMenu
from app.views.drafts import DraftStore
from app.views.editor import TicketEditor
from app.views.filter_bar import FilterBar
from app.views.layout_memory import COLUMNS_KEY, GEOMETRY_KEY, LayoutMemory
from app.views.letters import LettersToDropDowns
from app.views.live_bridge import LiveBridge
from app.views.live_updates import LiveUpdates
from app.views.navigation_sidebar import NavigationSidebar
from app.views.next_ticket import TicketPuller
from app.views.on_first_use import OnFirstUse
from app.views.presence_tracker import PresenceTracker
from app.views.queue_view import QueueView
from app.views.status_bar import DeskStatusBar
from app.views.supervisor.alerts import SlaAlertWatcher
from app.views.tasks import TaskRunner
from app.views.ticket_table import COLUMNS, SLA_COLUMN, SORTED_BY_COLUMN, TicketTableModel, queue_pages
from app.views.tray import TrayNotifier

# The dialogs and windows opened on demand (about, bulk, new ticket, merge/link, routing settings, the
# knowledge base, the supervisor view, the palette, global search) are imported when first opened: the
# first painted queue needs none of them (issue 12). tests/integration/test_client_start_imports.py
# keeps it so.
if TYPE_CHECKING:
    from app.views.article_editor import ArticleEditor
    from app.views.bulk import BulkChange, BulkOutcome
    from app.views.global_search import SearchFeatures
    from app.views.palette import TicketFinder
    from app.views.relate_dialog import Mode
    from app.views.supervisor.view import SupervisorView

DEFAULT_SIZE = QSize(1440, 860)
# A title bar and a frame, about: a window sized to the screen's room (1366 x 768 less a panel) put its
# status bar, with the availability menu and the connection, under the screen's bottom edge.
FRAME_ROOM = QSize(16, 48)
THE_REST_AFTER_MS = 250  # after the first page: a few frames, more than a paint takes on a slow machine
SIDEBAR_WIDTH = 170
FIND_LIMIT = 20


def default_size() -> QSize:
    """The size the window first opens at: 1440x860, or all the screen offers when it offers less."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    room = screen.availableGeometry().size()
    return QSize(min(DEFAULT_SIZE.width(), room.width()), min(DEFAULT_SIZE.height(), room.height()))


def _room_beyond(size: QSize) -> bool:
    """Whether the screen's room holds `size` with the window's title bar and frame around it."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return True
    room = screen.availableGeometry().size()
    return room.width() >= size.width() + FRAME_ROOM.width() and room.height() >= size.height() + FRAME_ROOM.height()


def pane_sizes(width: int) -> list[int]:
    """Views, queue, ticket: the queue gets the most, the ticket at least 440 px."""
    ticket = max(440, int(width * 0.34))
    return [SIDEBAR_WIDTH, max(300, width - SIDEBAR_WIDTH - ticket), ticket]


class MainWindow(QMainWindow):
    """Attributes:
    desk: the help desk; setting it hands the new one to every part that reads (tests swap in a broken one).
    navigation: the NavigationSidebar; views, counts, current_view: what it shows.
    model: the queue's TicketTableModel; table: the QueueView showing it; filters: the FilterBar above it.
    editor: the TicketEditor of the selected ticket; ticket_pane: the editor, or `no_ticket` (why none is open).
    command_palette, overlay, about_dialog, bulk_dialog, bulk_summary, new_ticket_dialog,
        relate_dialog: the last one opened.
    live_updates, presence_tracker, tray, layout_memory: the window's background parts.
    opens_maximised: a first start on a screen with no room for the default size and a frame around it
        (the client then shows the window maximised, not sized to the room and cut at the bottom).
    status: the DeskStatusBar; connection_label: its connection indicator.
    connected: false while the server is unreachable (the window is read-only then).
    actions_by_text: every keyboard action by its text (the palette and the overlay list them).
    menus: the menu bar's menus by name ("Ticket", "Knowledge", "View", "Help").
    search_features: global search and the knowledge panel, once `enable_search` was called.
    """

    search_features: SearchFeatures | None = None

    def __init__(
        self,
        desk: Desk,
        runner: TaskRunner,
        drafts: DraftStore,
        listen: Listen | None = None,
        parent: QWidget | None = None,
        accounts: AccountArea | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk, self.runner, self.drafts = desk, runner, drafts
        self._accounts = accounts  # the account panel beside the conversation (issue 16)
        self.setWindowTitle(f"Switchboard — {desk.me.display_name}")
        self.connected = True
        self._shut_down = False
        self.signed_out = False  # closed by Sign out: the desktop asks who signs in next (`app.desktop`)
        self.supervisor_view: SupervisorView | None = None  # opened by Ctrl+E (team leads and admins)
        self._first_page_seen = self._the_rest_started = False  # what waits for it: see _first_page_shown
        self._waiting_for_the_first_page: list[Callable[[], None]] = []
        # the first screen's pages, read with its views: each shown without a round trip of its own, until the
        # first page is in (see _first_screen_arrived)
        self._pages_ahead: dict[str, tuple[DeskView, TicketPage]] = {}  # by view key: the view as read, its page
        self._vocabulary: Vocabulary | None = None
        self._build()
        self._build_actions()
        self._letters = LettersToDropDowns(self)  # a drop-down keeps the letters typed into it (J, L, A …)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._letters)
        self.bridge = LiveBridge(listen) if listen is not None else None
        if self.bridge is not None:
            self.bridge.changed.connect(self.live_updates.notice)
            self.bridge.presence.connect(self.presence_tracker.entries_arrived)
            self.bridge.connection_changed.connect(self._on_connection)
            self.status.show_connecting()  # "Connected" once the listener really listens
            self.bridge.start()
        size = default_size()
        self.resize(size)
        self.splitter.setSizes(pane_sizes(size.width()))
        restored = self.layout_memory.restore()
        self.opens_maximised = GEOMETRY_KEY not in restored and not _room_beyond(DEFAULT_SIZE)
        if COLUMNS_KEY in restored:
            self.table.fit_when_shown = False  # the agent's own columns
            self._show_sort_indicator()  # the saved header carries the arrow of its day; the sort is today's
        self.model.loaded.connect(self._first_page_shown)
        self.model.page_failed.connect(self._first_page_shown)
        self.navigation.failed.connect(self._first_page_shown)  # no views, no page: start the rest anyway
        self.runner.run(desk.navigation.first_screen, self._first_screen_arrived, self._first_screen_failed)

    def _first_screen_arrived(self, first: FirstScreen) -> None:
        """The vocabulary, the views and the first pages, read in one unit of work while the window was built and
        first shown (issue 12: four round trips on two connections, each page waiting for the GUI thread before
        it was asked for); each page goes in when its view is chosen, as if it had been read then."""
        self._vocabulary_arrived(first.vocabulary)  # the status labels, before the first page goes in
        self._pages_ahead = {view.key: (view, first.pages[view.key]) for view in first.views if view.key in first.pages}
        self.navigation.show_views(list(first.views))

    def _first_screen_failed(self, error: Exception) -> None:
        """Said in the status bar; F5 reads the views again, and the vocabulary is asked for on its own."""
        self.navigation.failed.emit(error)
        self.runner.run(self.desk.navigation.vocabulary, self._vocabulary_arrived, self._report)

    def _first_page_shown(self, *_why: object) -> None:
        """The first page is in the table (or failed): what can wait starts a moment later, once the page
        is painted and the first keys are answered, so its imports and threads (the search index's sync
        reads the change log, the SLA alerts load the SLA area) take no time from the first painted queue."""
        if self.model.loading:
            return  # an empty "Mine" was left for the open tickets: their page is the first the agent sees
        self._pages_ahead.clear()  # from now on every page is read when it is shown
        if not self._first_page_seen:
            self._first_page_seen = True
            QTimer.singleShot(THE_REST_AFTER_MS, self, self._start_the_rest)

    def _start_the_rest(self) -> None:
        self._the_rest_started = True
        waiting, self._waiting_for_the_first_page = self._waiting_for_the_first_page, []
        for work in waiting:
            if not self._shut_down:
                work()

    def after_first_page(self, work: Callable[[], None]) -> None:
        """Run `work` once the first page is painted (at once if it is already): the start of what the
        first painted queue does not need (the search index's sync, the SLA alerts)."""
        if self._the_rest_started:
            work()
        else:
            self._waiting_for_the_first_page.append(work)

    # --- assembly --------------------------------------------------------------------------------------

    def _build(self) -> None:
        desk, runner = self._desk, self.runner
        self.navigation = NavigationSidebar(desk, runner)
        self.navigation.view_chosen.connect(lambda _view: self._view_chosen())
        self.navigation.views_shown.connect(lambda _views: self._offer_colleagues())
        self.navigation.failed.connect(self._report)
        self.model = TicketTableModel(runner)
        self.model.page_failed.connect(self._report)
        self.table = QueueView(self.model)
        self.model.loaded.connect(self._mine_is_empty)
        self.model.loaded.connect(self._page_arrived)
        self.table.ticket_chosen.connect(self._ticket_chosen)
        self.editor = TicketEditor(desk, runner, self.drafts, accounts=self._accounts)
        if self.editor.account_panel is not None:  # the customer's other tickets, chosen in the account panel
            self.editor.account_panel.ticket_requested.connect(self.open_ticket_by_id)
        self.editor.ticket_saved.connect(self._ticket_saved)
        self.editor.hand_keyboard_to(self.table)
        self.filters = FilterBar()
        self.filters.changed.connect(self._filters_changed)
        self._sort_from_header()
        self.filters.leave_requested.connect(self.table.setFocus)
        self.navigation.leave_requested.connect(self.table.setFocus)
        self.navigation.rename_requested.connect(self.rename_view)
        self.navigation.delete_requested.connect(self.delete_view)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.filters)
        middle_layout.addWidget(self.table)
        self.no_ticket = QLabel()
        self.no_ticket.setTextFormat(Qt.TextFormat.PlainText)
        self.no_ticket.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_ticket.setWordWrap(True)
        self.no_ticket.setMargin(24)
        self.no_ticket.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.ticket_pane = QStackedWidget()
        self.ticket_pane.addWidget(self.editor)
        self.ticket_pane.addWidget(self.no_ticket)
        self.splitter = QSplitter()
        for widget in (self.navigation, middle, self.ticket_pane):
            self.splitter.addWidget(widget)
        self.splitter.setChildrenCollapsible(False)
        for index, stretch in enumerate((0, 1, 0)):  # a wider window widens the queue
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setSizes(pane_sizes(DEFAULT_SIZE.width()))
        self.setCentralWidget(self.splitter)
        self._counted = 0  # answers for an older view or filter are dropped
        self.status = DeskStatusBar()
        self.editor.notice.connect(lambda words: self.status.showMessage(words, 6000))
        self.connection_label = self.status.connection_label
        self.setStatusBar(self.status)
        # routing: available/away/offline; its area is imported, and the state read, after the first page
        routing = cast("RoutingArea", OnFirstUse(lambda: desk.routing))
        self.availability = AvailabilityMenu(routing, runner, self.status)
        self.status.insertPermanentWidget(0, self.availability)
        self.after_first_page(self.availability.refresh)
        runner.busy_changed.connect(self.status.show_busy)
        self.live_updates = LiveUpdates(desk, runner, self.model, self)
        self.live_updates.arrived.connect(self.editor.follow_live)
        self.live_updates.everything_changed.connect(self._everything_changed)
        self.live_updates.counts_due.connect(self.refresh_counts)
        self.live_updates.counts_due.connect(self._count_shown_view)
        self.live_updates.failed.connect(self._report)
        self.after_first_page(self.live_updates.know_mine)
        self.presence_tracker = PresenceTracker(desk, runner, self._shown_ticket_id, self)
        self.presence_tracker.colleagues.connect(self.editor.show_presence)
        self.editor.typing.connect(self.presence_tracker.typed)
        self.tray = TrayNotifier(self.windowIcon(), self)
        self.navigation.counts_shown.connect(self.tray.show_counts)
        self.live_updates.notification.connect(self.tray.notify)
        # SLA warnings on my tickets; the SLA area is imported on the first ask, after the first page
        self.sla_alerts = SlaAlertWatcher(cast("SupervisionArea", OnFirstUse(lambda: desk.supervision)), runner, self)
        self.sla_alerts.notification.connect(self.tray.notify)
        self.sla_alerts.failed.connect(self._report)
        self.after_first_page(self.sla_alerts.start)
        self.layout_memory = LayoutMemory(self, self.splitter, self.table.horizontalHeader(), self.table.header_state)

    def _build_actions(self) -> None:
        specs: list[tuple[str, str, str, Callable[[], None]]] = [
            ("Ticket", "&Go to ticket…", "Ctrl+G", lambda: self.open_palette("#")),
            ("Ticket", "&New ticket…", "Ctrl+N", self.new_ticket),
            ("Ticket", "&Reply", "R", self.editor.start_reply),
            ("Ticket", "Internal &note", "N", self.editor.start_note),
            ("Ticket", "&Assign to me", "A", self.editor.assign_to_me),
            ("Ticket", "Change &status…", "S", self.editor.choose_status),
            ("Ticket", "Change &priority…", "P", self.editor.choose_priority),
            ("Ticket", "&Why this agent?", "", self.editor.explain_routing),
            ("Ticket", "Why is it &due then?", "", self.editor.explain_sla),
            ("Ticket", "&Bulk change the selection…", "B", self.bulk_change),
            ("Ticket", "&Merge into another ticket…", "M", lambda: self.relate("merge")),
            ("Ticket", "&Link with another ticket…", "L", lambda: self.relate("link")),
            ("Ticket", "Next ticket", "J", lambda: self.move_selection(1)),
            ("Ticket", "Previous ticket", "K", lambda: self.move_selection(-1)),
            ("Ticket", "Get next ticket", "G", TicketPuller(self).pull),
            ("Ticket", "&Turn into article…", "Ctrl+Shift+T", self.turn_into_article),
            ("Ticket", "Sign &out", "", self.sign_out),
            ("Ticket", "&Quit Switchboard", "Ctrl+Q", self.quit),
            ("Knowledge", "&Knowledge base…", "Ctrl+Shift+K", self.open_knowledge_base),
            ("View", "Search tickets", "/", self.focus_search),
            ("View", "Save this view…", "Ctrl+Shift+S", self.save_view),
            ("View", "Rename this view…", "", self.rename_view),
            ("View", "Delete this view", "", self.delete_view),
            ("View", "Refresh", "F5", self.refresh_views),
            ("View", "Command palette", "Ctrl+K", lambda: self.open_palette()),
            ("View", "Clear the filter", "", self.filters.clear),
            ("View", "Choose columns…", "", self.choose_columns),
            ("Help", "Keyboard shortcuts", "?", self.show_shortcuts),
            ("Help", "About Switchboard", "", self.show_about),
        ]
        if self._desk.me.leads:  # team leads and admins only (as supervision.allowed): an agent changes none
            specs.append(("View", "Routing settings…", "Ctrl+Shift+R", self.routing_settings))
            specs.append(("View", "Supervisor view", "Ctrl+E", self.show_supervisor))
            specs.append(("View", "SLA policies and calendars…", "", self.show_sla_admin))  # in the palette too
        self.actions_by_text: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        menus = self.menus
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
        go_to = self.actions_by_text["Go to ticket…"]
        go_to.setShortcuts([QKeySequence("Ctrl+G"), QKeySequence("#")])
        self._build_appearance_menu(menus["View"])
        self.actions_by_text.update(self.availability.palette_actions)
        self.after_first_page(self._apply_tooltips)  # shown on hover: the palette module loads after the page

    def _apply_tooltips(self) -> None:
        from app.views.palette import apply_tooltips

        apply_tooltips(self.actions_by_text.values())

    def _build_appearance_menu(self, view_menu: QMenu) -> None:
        """View ▸ Appearance: follow the system, light or dark; remembered (and in the palette as
        "Appearance: dark" and so on)."""
        menu = view_menu.addMenu("&Appearance")
        group = QActionGroup(self)
        group.setExclusive(True)
        chosen = saved_theme()
        self.theme_actions: dict[Theme, QAction] = {}
        for theme in Theme:
            action = QAction(f"Appearance: {theme.label.lower()}", self)
            action.setCheckable(True)
            action.setChecked(theme is chosen)
            action.triggered.connect(lambda _checked=False, theme=theme: self.choose_theme(theme))
            group.addAction(action)
            menu.addAction(action)
            self.addAction(action)
            self.theme_actions[theme] = action
            self.actions_by_text[action.text()] = action

    def choose_theme(self, theme: Theme) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            choose_theme(app, theme)
        self.theme_actions[theme].setChecked(True)

    @property
    def desk(self) -> Desk:
        return self._desk

    @desk.setter
    def desk(self, desk: Desk) -> None:
        self._desk = desk
        self.navigation.desk = self.live_updates.desk = self.presence_tracker.desk = desk
        if self._the_rest_started:
            self.live_updates.know_mine()  # another desk: perhaps another login

    @property
    def views(self) -> list[DeskView]:
        return self.navigation.views

    @property
    def counts(self) -> dict[str, int]:
        return self.navigation.counts

    @property
    def current_view(self) -> DeskView | None:
        return self.navigation.current_view

    # --- views and tickets --------------------------------------------------------------------------------

    def refresh_views(self) -> None:
        self.navigation.refresh_views()

    def refresh_counts(self) -> None:
        self.navigation.refresh_counts()

    def _offer_colleagues(self) -> None:
        """ "Who has it" offers the people of the queues the sidebar shows (both arrive on their own)."""
        if self._vocabulary is not None:
            self.filters.set_agents(colleagues(self._vocabulary, self.views), self.desk.me.agent_id)

    def _view_chosen(self) -> None:
        """Another view: a colleague chosen in "who has it" (Team load's drill-down) goes, as it narrowed
        "My tickets" to the colleague's while the sidebar said "My tickets"; the other filters stay."""
        self.filters.forget_colleague()
        self._show_effective_view()

    def _filters_changed(self) -> None:
        if self.current_view is not None:
            self._show_effective_view()

    def _show_effective_view(self) -> None:
        """The chosen view narrowed by the filter bar, in the bar's sort order, and how many it holds."""
        assert self.current_view is not None
        view = self.filters.narrow(self.current_view, self.desk.me.agent_id)
        if self.filters.is_narrowed():
            how = "Esc in the filter box" if self.filters.text.text().strip() else "View ▸ Clear the filter"
            empty = f"No tickets in {view.label} {self.filters.describe()}.\n\n{how} clears it."
        else:
            empty = f"No tickets in {view.label}."
        self.table.set_empty_text(empty)
        read, page = self._pages_ahead.pop(view.key, (None, None))  # read with the first screen
        if read is None or (read.ticket_filter, read.sort) != (view.ticket_filter, view.sort):
            page = None  # the view has changed since (a filter, another sort): its page is read now
        self.show_in_table(view, page)
        self._count_shown_view()

    def show_in_table(self, view: DeskView, first_page: TicketPage | None = None) -> None:
        """The view in the queue's table: its pages, and the tickets of the rows shown read as they are."""
        pages = queue_pages(lambda: self.desk.navigation, view)  # the desk of the moment (a reconnect replaces it)
        self.model.show_view(
            pages, view.ticket_filter, view.sort, first_page, lambda ids: self.desk.navigation.summaries(ids)
        )

    def _count_shown_view(self) -> None:
        if self.current_view is None:
            return
        view = self.filters.narrow(self.current_view, self.desk.me.agent_id)
        self._counted += 1
        asked = self._counted
        self.filters.show_count(None)
        self.runner.run(
            lambda: self.desk.navigation.counts([view]).get(view.key, 0),
            lambda count: self._counted_shown_view(asked, count),
            self._report,
        )

    def _sort_from_header(self) -> None:
        """A click on the SLA due, Priority or Updated header sorts by it (the filter bar's Sort, which the
        server pages by); the header shows which. The other columns have no order of their own."""
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        self.filters.sort.currentIndexChanged.connect(lambda _index: self._keep_open_ticket())
        self.filters.sort.currentIndexChanged.connect(lambda _index: self._show_sort_indicator())
        self._show_sort_indicator()

    def _keep_open_ticket(self) -> None:
        """Another order of the same tickets: the one being read stays chosen (and open) after the reload."""
        detail = self.editor.detail
        self.table.keep_ticket = detail.ticket.id if detail is not None else None

    def _header_clicked(self, column: int) -> None:
        if (order := SORTED_BY_COLUMN.get(column)) is not None:
            self.filters.sort.setCurrentIndex(self.filters.sort.findData(order))
        self._show_sort_indicator()  # a click elsewhere must not leave Qt's arrow on that column

    def _show_sort_indicator(self) -> None:
        order = self.filters.sort.currentData()
        column = next((c for c, sort in SORTED_BY_COLUMN.items() if sort == order), len(COLUMNS))
        ascending = column == SLA_COLUMN  # soonest due first; the others most first
        direction = Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
        self.table.horizontalHeader().setSortIndicator(column, direction)

    def _counted_shown_view(self, asked: int, count: int) -> None:
        if asked == self._counted:
            self.filters.show_count(count)

    def _page_arrived(self) -> None:
        """An empty result leaves no ticket open behind it: the ticket pane says why (the draft is kept). A
        queue at the model's row limit says how many it lists."""
        self.filters.show_held(self.model.rowCount() if self.model.capped else None)
        if self.model.rowCount() == 0:
            self.editor.save_draft()
            label = self.current_view.label if self.current_view is not None else "this view"
            if self.filters.is_narrowed():
                said = (
                    f"No ticket open: nothing in {label} matches the filter.\n\nClear the filter (Esc in the "
                    "filter box), choose another view, or go to a ticket by its number (Ctrl+G)."
                )
            else:
                said = (
                    f"No ticket open: {label} is empty.\n\nChoose another view, or go to a ticket by its number "
                    "(Ctrl+G). New tickets appear here as they come."
                )
            self.no_ticket.setText(said)
            self.ticket_pane.setCurrentWidget(self.no_ticket)

    def _ticket_chosen(self, ticket_id: int) -> None:
        self.ticket_pane.setCurrentWidget(self.editor)
        self.editor.open_ticket(ticket_id)
        self.presence_tracker.announce(ticket_id, "viewing")

    def open_ticket_by_id(self, ticket_id: int) -> None:
        self.runner.run(
            lambda: self._desk.navigation.summaries([ticket_id]),
            lambda found: self.open_ticket(found[0]) if found else None,
            self._report,
        )

    def open_ticket(self, ticket: TicketSummary) -> None:
        """Go to a ticket: its row when the queue lists it, otherwise just the ticket (the queue keeps its
        view and says so)."""
        if self.table.select_ticket(ticket.id):
            self.ticket_pane.setCurrentWidget(self.editor)
            if self.editor.opening != ticket.id:  # its row was selected already, another ticket open
                self._ticket_chosen(ticket.id)
            return
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._ticket_chosen(ticket.id)
        self.status.showMessage(f"#{ticket.number} is not in this view; it is open on the right.", 8000)

    def find_tickets(self, text: str, found: Callable[[list[TicketSummary]], None]) -> None:
        """Go to anything: the desk's answer comes back on the GUI thread."""
        self.runner.run(lambda: self.desk.navigation.find(text, FIND_LIMIT), found, self._report)

    def _mine_is_empty(self) -> None:
        if self.model.rowCount() == 0:
            self.navigation.leave_empty_mine()

    def _shown_ticket_id(self) -> int | None:
        return self.editor.detail.ticket.id if self.editor.detail is not None else None

    def move_selection(self, step: int) -> None:
        self.table.move_selection(step)

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
        """Ctrl+Shift+S: the view as filtered now, under a name; the dialog says what it keeps, and a name in
        use asks before it replaces that view."""
        if self.current_view is None:
            return
        view = self.filters.narrow(self.current_view, self.desk.me.agent_id)
        kept = self.filters.description(self.current_view)
        name, ok = QInputDialog.getText(self, "Save view", f"Keeps: {kept}\n\nName of the view")
        name = name.strip()
        if not ok or not name:
            return
        if any(v.saved and v.label == name for v in self.views) and not self._confirm(
            "Replace the view", f"You have a view named “{name}”: replace it with this one?"
        ):
            return
        self.runner.run(
            lambda: self.desk.navigation.save_view(name, view),
            lambda _r: self._views_changed(f"Saved the view “{name}”: {kept}."),
            self._report,
        )

    def rename_view(self) -> None:
        view = self.current_view
        if view is None or not view.saved:
            self.status.showMessage("Only a saved view is renamed: choose one of yours in the list on the left.", 5000)
            return
        name, ok = QInputDialog.getText(self, "Rename view", "New name of the view", text=view.label)
        name = name.strip()
        if ok and name and name != view.label:
            self.runner.run(
                lambda: self.desk.navigation.rename_view(view.key, name),
                lambda _r: self._views_changed(f"Renamed the view “{view.label}” to “{name}”."),
                self._report,
            )

    def delete_view(self) -> None:
        view = self.current_view
        if view is None or not view.saved:
            self.status.showMessage("Only a saved view is deleted: choose one of yours in the list on the left.", 5000)
            return
        if self._confirm("Delete the view", f"Delete the view “{view.label}”? Its tickets stay; only the view goes."):
            self.runner.run(
                lambda: self.desk.navigation.delete_view(view.key),
                lambda _r: self._views_changed(f"Deleted the view “{view.label}”."),
                self._report,
            )

    def _views_changed(self, said: str) -> None:
        self.status.showMessage(said, 5000)
        self.refresh_views()

    def _confirm(self, title: str, question: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, title, question, buttons, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def new_ticket(self) -> None:
        """Ctrl+N: a ticket on behalf of a customer found by typing; once created, it opens."""
        vocabulary = self.editor.vocabulary
        if vocabulary is None:
            return
        from app.views.new_ticket import NewTicketDialog

        dialog = NewTicketDialog(self.desk.tickets, self.runner, vocabulary, self, me=self.desk.me)
        dialog.created.connect(self._ticket_created)
        dialog.finished.connect(dialog.deleteLater)
        self.new_ticket_dialog = dialog
        dialog.open()

    def _ticket_created(self, result: TicketChanged) -> None:
        ticket = result.ticket
        self.live_updates.own_change([ticket])
        self.open_ticket(ticket)
        self.refresh_counts()
        self._count_shown_view()
        self.status.showMessage(f"#{ticket.number} created for {ticket.customer_name}.", 8000)

    def relate(self, mode: Mode) -> None:
        """M / L: merge the shown ticket into another, or link the two (the other found by typing)."""
        detail = self.editor.detail
        if detail is None or not self.connected:
            return
        from app.views.relate_dialog import RelateDialog

        dialog = RelateDialog(mode, detail.ticket, self.desk.navigation, self.desk.tickets, self.runner, self)
        dialog.related.connect(self._related)
        dialog.finished.connect(dialog.deleteLater)
        self.relate_dialog = dialog
        dialog.open()

    def _related(self, result: TicketChanged) -> None:
        self._ticket_saved(result)
        self.editor.follow_live([result.ticket])  # a merge closed it and moved its messages; a link shows on it
        self.refresh_counts()
        self._count_shown_view()

    def bulk_change(self) -> None:
        """B: status, assignee and a tag for every selected ticket, each saved on its own (see bulk.py)."""
        ids = self.table.selected_ids()
        vocabulary = self.editor.vocabulary
        if not ids or vocabulary is None:
            self.status.showMessage("Select tickets first: Shift or Ctrl with a click or the arrows.", 8000)
            return
        from app.views.bulk import BULK_AT_MOST, BulkDialog

        if len(ids) > BULK_AT_MOST:
            self.status.showMessage(
                f"A bulk change takes at most {BULK_AT_MOST:,} tickets; {len(ids):,} are selected. "
                "Narrow the view with a filter, or select fewer.",
                12_000,
            )
            return

        # as the queue shows them now: a row that changes while the dialog is open is refused, not overwritten
        at_hand = {ticket_id: ticket for ticket_id in ids if (ticket := self.model.ticket_by_id(ticket_id))}
        versions = {ticket_id: v for ticket_id in ids if (v := self.model.listed_version(ticket_id)) is not None}
        dialog = BulkDialog(len(ids), vocabulary, self.desk.me.agent_id, self)
        dialog.accepted.connect(lambda: self._apply_bulk(ids, at_hand, versions, dialog.change()))
        dialog.finished.connect(dialog.deleteLater)
        self.bulk_dialog = dialog
        dialog.open()

    def _apply_bulk(
        self, ids: list[int], at_hand: dict[int, TicketSummary], versions: dict[int, int], change: BulkChange
    ) -> None:
        if change.is_empty:
            return
        from app.views.bulk import change_each, selected_tickets

        area, read = self.desk.tickets, self.desk.navigation.summaries

        def change_them() -> BulkOutcome:
            tickets, gone = selected_tickets(ids, at_hand, versions, read)
            return change_each(area, tickets, change, gone)

        self.status.showMessage(f"Changing {len(ids)} tickets…", 8000)
        self.live_updates.hold(ids)  # their notices tell the agent nothing: the change is theirs
        self.runner.run(change_them, lambda outcome: self._bulk_done(ids, outcome), lambda e: self._bulk_failed(ids, e))

    def _bulk_failed(self, ids: list[int], error: Exception) -> None:
        self.live_updates.release(ids)
        self._report(error)

    def _bulk_done(self, ids: list[int], outcome: BulkOutcome) -> None:
        from app.views.bulk import summary

        fresh = [changed.ticket for changed in outcome.changed]
        self.live_updates.own_change(fresh)
        self.live_updates.release(ids)
        self.editor.follow_live(fresh)
        self.refresh_counts()
        self._count_shown_view()
        self.status.clearMessage()
        box = QMessageBox(QMessageBox.Icon.Information, "Bulk change", summary(outcome), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setMinimumWidth(460)  # its title read "Bul…ge" in a narrow box
        box.finished.connect(box.deleteLater)
        self.bulk_summary = box
        box.open()

    def choose_columns(self) -> None:
        self.table.choose_columns()

    def _vocabulary_arrived(self, vocabulary: Vocabulary) -> None:
        self.live_updates.set_vocabulary(vocabulary)
        self.editor.set_vocabulary(vocabulary)
        self.filters.set_statuses(vocabulary.statuses)
        self._vocabulary = vocabulary
        self._offer_colleagues()
        self.model.set_status_labels(vocabulary.status_labels())
        if self.search_features is not None:
            self.search_features.dialog.status_labels = self.model.status_labels

    def open_palette(self, text: str = "") -> None:
        """Commands and tickets ("go to anything"); Ctrl+G and # open it on a ticket number."""
        from app.views.palette import CommandPalette

        finder: TicketFinder = self.find_tickets
        views = QObject(self)  # "View: Unassigned", "View: Refunds"…: gone with the palette
        view_actions = [self._view_action(view, views) for view in self.views]
        self.command_palette = CommandPalette(
            [*self.actions_by_text.values(), *view_actions],
            self,
            find_tickets=finder,
            open_ticket=self.open_ticket,
            text=text,
            status_labels=self.model.status_labels,
        )
        views.setParent(self.command_palette)
        self.command_palette.open()

    def _view_action(self, view: DeskView, parent: QObject) -> QAction:
        action = QAction(f"View: {view.label}", parent)
        action.triggered.connect(lambda: self.navigation.choose(view.key))
        return action

    def show_shortcuts(self) -> None:
        """Every key the window answers to, gathered from the actions and shortcuts themselves."""
        from app.views.palette import ShortcutOverlay, keyboard_rows

        self.overlay = ShortcutOverlay([], self, rows=keyboard_rows(self))
        self.overlay.open()

    def open_knowledge_base(self) -> None:
        """Ctrl+Shift+K: the knowledge base window (one per main window, raised when open already). Built in
        one turn of the event loop and shown in the next, so neither blocks input for long."""
        from app.views.article_editor import ArticleEditor

        if getattr(self, "knowledge_window", None) is None:
            self.knowledge_window: ArticleEditor = ArticleEditor(self.desk.knowledge, self.runner, self)
        QTimer.singleShot(0, self.knowledge_window.bring_forward)

    def turn_into_article(self) -> None:
        """Ctrl+Shift+T: the open (resolved) ticket as the agent's draft article, in the knowledge base window."""
        ticket_id = self._shown_ticket_id()
        if ticket_id is not None:
            self.open_knowledge_base()
            self.knowledge_window.from_ticket(ticket_id)

    def routing_settings(self) -> None:
        from app.views.routing_settings import RoutingSettingsDialog

        self.routing_settings_dialog = RoutingSettingsDialog(self.desk.routing, self.runner, self)
        self.routing_settings_dialog.open()

    def show_supervisor(self) -> None:
        """Ctrl+E: the escalation board, team load and SLA compliance in a window of its own, kept fresh by
        the live updates; Enter on the board opens the ticket here."""
        if self.supervisor_view is None:
            from app.views.supervisor.view import SupervisorView

            view = SupervisorView(self.desk.supervision, self.runner, self)
            view.ticket_chosen.connect(self._supervised_ticket_chosen)
            view.agent_chosen.connect(self.show_tickets_of)
            view.failed.connect(self._report)
            self.live_updates.counts_due.connect(view.refresh_soon)
            self.supervisor_view = view
        if self.supervisor_view.isVisible():
            self.supervisor_view.raise_()  # open behind the main window: to the front
        self.supervisor_view.show()
        self.supervisor_view.activateWindow()
        self.supervisor_view.board.setFocus()  # A, R, C and Enter work on the board from the first key
        self.supervisor_view.refresh()

    def show_sla_admin(self) -> None:
        """The SLA policies and calendars, which live in the supervisor view (Ctrl+Shift+L there)."""
        self.show_supervisor()
        if self.supervisor_view is not None:
            self.supervisor_view.open_sla_admin()

    def _supervised_ticket_chosen(self, ticket_id: int) -> None:
        def opened(found: list[TicketSummary]) -> None:
            if found:  # to the front: activating alone left it behind the supervisor view on some desktops
                self.raise_()
                self.activateWindow()
                self.open_ticket(found[0])

        navigation = self.desk.navigation  # the pool thread holds no Qt object: none is freed there
        self.runner.run(lambda: navigation.summaries([ticket_id]), opened, self._report)

    def show_tickets_of(self, agent_id: int) -> None:
        """A colleague's open tickets in the queue (Team load's Enter or a double click): All open, narrowed to
        them by the filter bar, which says so and how to see everyone's again; the window to the front. One's
        own row shows one's own ("Me"). Choosing another view drops the colleague (`_view_chosen`)."""
        self.raise_()
        self.activateWindow()
        self.navigation.choose("open")
        if not self.filters.show_assigned_to(agent_id):
            self.status.showMessage("That agent works none of the queues you see any more.", 10_000)
            return
        self.status.showMessage(
            f"All open, assigned to {self.filters.assignee.currentText()}: choose Anyone in the filter bar, or"
            " View ▸ Clear the filter, for everyone's.",
            15_000,
        )
        self.table.setFocus()

    def quit(self) -> None:
        """Ctrl+Q: close the window as its close button does (the layout is kept, the agent set away)."""
        self.close()

    def sign_out(self) -> None:
        """Close the window as Quit does, and let the next person sign in on this workstation (a shared desk
        at the change of shift): the sign-in window comes back instead of the program ending."""
        self.signed_out = True
        if not self.close():
            self.signed_out = False

    def show_about(self) -> None:
        from app.views.about_dialog import AboutDialog

        self.about_dialog = AboutDialog(self.desk, self.runner, self)
        self.about_dialog.open()

    # --- live updates and the connection ------------------------------------------------------------------

    def _everything_changed(self) -> None:
        self.refresh_views()
        self.navigation.choose_current_again()

    def _ticket_saved(self, result: TicketChanged) -> None:
        self.live_updates.own_change([result.ticket])

    def _on_connection(self, connected: bool) -> None:
        if self._shut_down:
            return  # queued by the listener before it stopped
        was = self.connected
        self.connected = self.presence_tracker.connected = connected
        self.status.show_connected(connected)
        self.editor.set_read_only(not connected)
        if connected and not was:
            self.refresh_views()  # catch up on what happened while we were away

    # --- lifecycle --------------------------------------------------------------------------------------------

    def _report(self, error: Exception) -> None:
        self.status.report(error)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.save_draft()
        self.layout_memory.save()
        self.shutdown()
        super().closeEvent(event)

    def enable_search(self, search: SearchArea, *, sync: bool = False) -> None:
        """Global search, the knowledge panel and (in the real client) the index's sync thread (issue 15)."""
        from app.views.global_search import SearchFeatures

        self.search_features = SearchFeatures(self, search, sync=sync)
        self.search_features.dialog.status_labels = self.model.status_labels

    def shutdown(self) -> None:
        """Stop every thread and timer of the window (tests/gui/conftest.py fails a test that leaves one).
        The listener goes first, so no notice arrives after the parts that would act on it have stopped
        (one still queued is dropped by them)."""
        self._shut_down = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._letters)
        if self.bridge is not None:
            self.bridge.stop()
        self.live_updates.stop()
        if self.search_features is not None:
            self.search_features.stop()  # the index's sync thread
        self.filters.stop()  # a filter typed just before: its debounce would read the view again
        self.editor.stop()
        self.drafts.flush()  # after the editor: its last draft is in the journal, and the sync thread ends
        self.model.stop()
        self.presence_tracker.stop()
        self.availability.stop()  # sets an available agent away (best effort) and stops the idle watch
        self.sla_alerts.stop()
        if self.supervisor_view is not None:
            self.supervisor_view.stop()
            self.supervisor_view.close()
        self.status.clearMessage()  # a message shown for a while runs a timer of its own


def colleagues(vocabulary: Vocabulary, views: list[DeskView]) -> list[tuple[int, str]]:
    """Who may hold a ticket one sees: the people of the queues in the sidebar (members and leads), by name;
    a name two people share gets each one's number. Everyone on the desk was offered, other queues' people
    and the local administrator among them, and choosing one of them found nothing."""
    queues = {view.key.removeprefix("queue:") for view in views if view.key.startswith("queue:")}
    working = {agent for queue, agent in (*vocabulary.members, *vocabulary.leads) if queue in queues}
    people = [(int(agent.key), agent.label) for agent in vocabulary.agents if agent.key in working]
    shared = {name for name, times in Counter(name for _id, name in people).items() if times > 1}
    return [(agent_id, f"{name} (#{agent_id})" if name in shared else name) for agent_id, name in people]
