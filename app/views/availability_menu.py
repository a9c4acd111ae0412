"""One's availability for routing, in the status bar: a coloured dot and the word (Available, Away, Offline);
a click opens the menu to change it. Read once `refresh` is called (the main window: after its first page is
painted, issue 12), changed in the background.

Becoming available hands over the waiting tickets nobody was eligible for, up to one's capacity, and the
status bar says how many ("Routing gave you 3 waiting tickets").

The client sets the agent away on their behalf in two cases, and only from Available:
- **Closing the window** (which is signing out: the session ends with it). Best effort: the write goes to
  the background and the close never waits for it; when the application quits, it waits at most
  `GOODBYE_WAIT_SECONDS` for the write to land.
- **Idle** past the configured time (`app/views/idle.py`: QSettings `availability/away_after_idle_minutes`,
  15 by default). Coming back does NOT make the agent available again by itself: the status bar says they
  are still away and how to become available. Someone passing their desk for a moment must not be handed
  tickets; being available is the agent's own, deliberate choice.

Signals:
    changed(object): the Availability now in force (after a change the server accepted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QMenu, QStatusBar, QToolButton, QWidget

from app.services.desk_api import RoutingArea
from app.views.appearance import accents
from app.views.errors import explain_failure, log_unless_known
from app.views.idle import IdleWatch
from app.views.tasks import TaskRunner
from app.vocabulary import Availability

GOODBYE_WAIT_SECONDS = 2.0
MESSAGE_MS = 8000
WORDS = {Availability.AVAILABLE: "Available", Availability.AWAY: "Away", Availability.OFFLINE: "Offline"}
MENU_TEXT = {Availability.AVAILABLE: "&Available", Availability.AWAY: "A&way", Availability.OFFLINE: "&Offline"}
MEANING = {
    Availability.AWAY: "routing gives you no new tickets",
    Availability.OFFLINE: "routing gives you no new tickets",
}


def drained_words(count: int) -> str:
    if count == 0:
        return "You are available: routing gives you tickets. Nothing was waiting."
    tickets = "ticket" if count == 1 else "tickets"
    return f"You are available. Routing gave you {count} waiting {tickets}."


class AvailabilityMenu(QToolButton):
    """Attributes:
    state: the Availability shown (None until read); pending: the one being set, if any.
    states_menu: the menu of states; state_actions: its actions by state.
    palette_actions: "Availability: available" and so on, for the command palette.
    idle: the IdleWatch; away_because_idle: true while the away in force is the idle watch's doing.
    """

    changed = Signal(object)

    def __init__(
        self, routing: RoutingArea, runner: TaskRunner, status: QStatusBar, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.routing, self.runner, self.status = routing, runner, status
        self.state: Availability | None = None
        self.pending: Availability | None = None
        self.away_because_idle = False
        self._away_after_pending = False
        self._stopped = False
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.setToolTip("Your availability for routing (click to change)")
        self.states_menu = QMenu(self)
        group = QActionGroup(self)
        self.state_actions: dict[Availability, QAction] = {}
        self.palette_actions: dict[str, QAction] = {}
        for state in Availability:
            action = QAction(MENU_TEXT[state], self)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, state=state: self.choose(state))
            group.addAction(action)
            self.states_menu.addAction(action)
            self.state_actions[state] = action
            command = QAction(f"Availability: {WORDS[state].lower()}", self)
            command.triggered.connect(lambda _checked=False, state=state: self.choose(state))
            self.palette_actions[command.text()] = command
        self.clicked.connect(self.open_menu)
        self.idle = IdleWatch(self)
        self.idle.went_idle.connect(self._went_idle)
        self.idle.came_back.connect(self._came_back)
        self._show()

    # --- reading and choosing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        routing = self.routing  # asked on the pool thread: the area may be built (imported) on first use there
        self.runner.run(lambda: routing.availability(), self._arrived, self._read_failed)

    def open_menu(self) -> None:
        """Above the button (the status bar is at the bottom), the current state active so arrows move."""
        current = self.state_actions.get(self.state) if self.state is not None else None
        height = self.states_menu.sizeHint().height()
        self.states_menu.popup(self.mapToGlobal(QPoint(0, -height)), current)

    def choose(self, state: Availability, *, message: str | None = None) -> None:
        """Set one's availability in the background; the status bar says what it did."""
        if self.pending is not None or (state is self.state and message is None):
            self._show()
            return
        self.pending = state
        self._show()
        routing = self.routing
        self.runner.run(
            lambda: routing.set_availability(state),
            lambda count: self._chosen(state, count, message),
            self._choose_failed,
        )

    def _arrived(self, state: Availability) -> None:
        if self._stopped:
            return  # read after the first page; the window closed before the answer came (nothing to show)
        if self.pending is None:
            self.state = state
            self._show()

    def _chosen(self, state: Availability, count: int, message: str | None) -> None:
        self.pending = None
        self.state = state
        if state is not Availability.AWAY:
            self.away_because_idle = False
        self._show()
        self.changed.emit(state)
        if self._stopped:  # the window closed meanwhile: nobody to tell, only the goodbye owed
            if self._away_after_pending:
                self._away_after_pending = False
                self._say_goodbye()
            return
        if message is None and state is Availability.AVAILABLE:
            message = drained_words(count)
        elif message is None:
            message = f"You are {WORDS[state].lower()}: {MEANING[state]}."
        self.status.showMessage(message, MESSAGE_MS)
        if state is Availability.AVAILABLE and self.idle.idle:
            self._went_idle()  # the person left while the change was under way

    def _choose_failed(self, error: Exception) -> None:
        self.pending = None
        self._away_after_pending = False
        if self._stopped:
            return
        self.away_because_idle = False
        self._show()
        self.status.showMessage(f"Your availability was not changed. {explain_failure(error)}", MESSAGE_MS)

    def _read_failed(self, error: Exception) -> None:
        log_unless_known(error)  # the connection indicator already says the server is gone
        if not self._stopped:
            self._show()

    # --- idle and goodbye ---------------------------------------------------------------------------------

    def _went_idle(self) -> None:
        if self.state is Availability.AVAILABLE and self.pending is None:
            self.away_because_idle = True
            minutes = _minutes(self.idle.limit)
            self.choose(
                Availability.AWAY,
                message=f"You are away: no input for {minutes}. Routing gives you no new tickets until you are back.",
            )

    def _came_back(self) -> None:
        if self.away_because_idle and self.state is Availability.AWAY:
            self.status.showMessage(
                "Welcome back. You are still away (set after a while without input): choose Available in the "
                "status bar when you are ready for tickets.",
                30_000,
            )

    def stop(self) -> None:
        """The window closes: no more idle checks, and an agent shown as available is set away (best effort:
        in the background, never holding the close up)."""
        self._stopped = True
        self.idle.stop()
        if self.pending is Availability.AVAILABLE:
            self._away_after_pending = True  # after the change in flight, not racing it
        elif self.state is Availability.AVAILABLE and self.pending is None:
            self._say_goodbye()

    def _say_goodbye(self) -> None:
        self.state = Availability.AWAY
        landed = threading.Event()
        routing = self.routing

        def goodbye() -> int:
            try:
                return routing.set_availability(Availability.AWAY)
            finally:
                landed.set()

        self.runner.run(goodbye, lambda _count: None, log_unless_known)
        app = QCoreApplication.instance()
        if app is not None:  # quitting waits a moment for it, so the process does not end under the write
            app.aboutToQuit.connect(_waiter(landed))

    # --- showing ----------------------------------------------------------------------------------------

    def _show(self) -> None:
        shown = self.pending or self.state
        if shown is None:
            self.setText("Availability…")
            self.setIcon(QIcon())
        else:
            self.setText(WORDS[shown] + ("…" if self.pending is not None else ""))
            self.setIcon(_dot(self._colour(shown)))
        for state, action in self.state_actions.items():
            action.setChecked(state is self.state)

    def _colour(self, state: Availability) -> QColor:
        colours = accents(self.palette())
        if state is Availability.AVAILABLE:
            return QColor(colours.connected)
        if state is Availability.AWAY:
            return QColor(colours.at_risk)
        return self.palette().color(QPalette.ColorRole.PlaceholderText)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._show()


def _dot(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes >= 1:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(seconds)} seconds"


def _waiter(landed: threading.Event) -> Callable[[], None]:
    def wait() -> None:
        landed.wait(GOODBYE_WAIT_SECONDS)

    return wait
