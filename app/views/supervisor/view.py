"""The supervisor view: a window of its own beside the main window (View ▸ Supervisor view, Ctrl+E), for
team leads and admins. Three tabs, each by keyboard: the escalation board (Enter opens the ticket in the
main window), the team's load, and SLA compliance per day as a chart for a chosen queue and target.

Read in one background call (`desk.supervision.overview`); live: colleagues' changes (the main window's
change notices) ask for a fresh read, at most once a second, never a poll of the whole table.

Signals:
    ticket_chosen(int): the ticket id of the board row chosen (Enter or a double click).
    loaded(): an overview arrived and is shown.
    failed(object): a read failed (the main window reports it).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import SupervisionArea
from app.services.sla.dto import ComplianceCount, SupervisorOverview
from app.views.sla_admin import SlaAdminDialog
from app.views.supervisor.charts import ComplianceChart, ComplianceSeries
from app.views.supervisor.models import EscalationBoardModel, TeamLoadModel
from app.views.tasks import TaskRunner

REFRESH_AT_MOST_EVERY_MS = 1000
ALL_QUEUES = "All queues"
TARGETS = {"Resolution": "resolution", "First response": "first_response"}


class BoardTable(QTableView):
    """The board: Enter (or a double click) opens the selected ticket."""

    opened = Signal(int)

    def __init__(self, model: EscalationBoardModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.doubleClicked.connect(self._open)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(int(self.model().data(index, Qt.ItemDataRole.UserRole)))


class SupervisorView(QWidget):
    """Attributes:
    board_model, team_model: the item models; board, team: their tables; chart: the ComplianceChart.
    queue_choice, target_choice: what the chart shows; overview: the last overview read (None before).
    summary: the line above the tabs (as of when, how many breached).
    sla_admin_button: opens the SLA policies and calendars (Ctrl+Shift+L); sla_admin_dialog: it, once open.
    """

    ticket_chosen = Signal(int)
    loaded = Signal()
    failed = Signal(object)

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
        self.team = QTableView()
        self.team.setModel(self.team_model)
        self.team.verticalHeader().hide()
        self.team.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.team.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.team.setWordWrap(False)
        self._fitted = False  # the columns fit the first overview; then they are the person's
        self.chart = ComplianceChart()
        self.queue_choice, self.target_choice = QComboBox(), QComboBox()
        self.target_choice.addItems(list(TARGETS))
        self.queue_choice.currentIndexChanged.connect(self._show_chart)
        self.target_choice.currentIndexChanged.connect(self._show_chart)
        compliance = QWidget()
        choices = QHBoxLayout()
        for label, box in (("&Queue", self.queue_choice), ("&Target", self.target_choice)):
            caption = QLabel(label)
            caption.setBuddy(box)
            choices.addWidget(caption)
            choices.addWidget(box)
        choices.addStretch(1)
        compliance_layout = QVBoxLayout(compliance)
        compliance_layout.addLayout(choices)
        compliance_layout.addWidget(self.chart, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.board, "&Escalation board")
        self.tabs.addTab(self.team, "Team &load")
        self.tabs.addTab(compliance, "SLA &compliance")
        self.sla_admin_dialog: SlaAdminDialog | None = None
        self.sla_admin_button = QPushButton("SLA &policies and calendars…")
        self.sla_admin_button.setToolTip("Ctrl+Shift+L")
        self.sla_admin_button.clicked.connect(self.open_sla_admin)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(self.sla_admin_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            QShortcut(QKeySequence(keys), self, lambda step=step: self._next_tab(step))
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.open_sla_admin)
        QShortcut(QKeySequence("Esc"), self, self.close)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setObjectName("supervisor refresh")
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_AT_MOST_EVERY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.resize(1100, 640)

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

    def _arrived(self, overview: SupervisorOverview) -> None:
        self._reading = False
        self.overview = overview
        current = self.board.currentIndex()
        chosen = self.board_model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.board_model.set_rows(list(overview.board), overview.as_of)
        self.team_model.set_rows(list(overview.team), overview.as_of)
        self._select_ticket(chosen)
        if not self._fitted:
            self._fit_columns()
        breached = sum(1 for row in overview.board if row.state.value == "breached")
        over = sum(1 for agent in overview.team if agent.over_capacity)
        self.summary.setText(
            f"As of {overview.as_of.astimezone():%H:%M}: {breached} breached, "
            f"{len(overview.board) - breached} about to breach; {over} of {len(overview.team)} agents over capacity."
        )
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
        for table in (self.board, self.team):
            table.resizeColumnsToContents()
        subject = EscalationBoardModel.COLUMNS.index("Subject")
        self.board.horizontalHeader().setSectionResizeMode(subject, QHeaderView.ResizeMode.Stretch)
        self.team.horizontalHeader().setStretchLastSection(True)

    def _failed(self, error: Exception) -> None:
        self._reading = self._again = False
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
            compliance_series(self.overview.compliance, self.overview.as_of, queue, TARGETS[target_label])
        )

    def open_sla_admin(self) -> None:
        """The SLA policies (a lead's over their queues, an admin's all) and the business calendars."""
        if self.sla_admin_dialog is not None and self.sla_admin_dialog.isVisible():
            self.sla_admin_dialog.raise_()
            self.sla_admin_dialog.activateWindow()
            return
        self.sla_admin_dialog = SlaAdminDialog(self.supervision.sla_admin, self.runner, self)
        self.sla_admin_dialog.open()

    def _next_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)


def compliance_series(
    counts: tuple[ComplianceCount, ...], as_of: dt.datetime, queue: str, target: str, days: int = 28
) -> ComplianceSeries:
    """Met and breached per day over the last `days` (every day present, the quiet ones as zero)."""
    last = as_of.astimezone().date()
    dates = tuple(last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1))
    met = dict.fromkeys(dates, 0)
    breached = dict.fromkeys(dates, 0)
    for count in counts:
        if count.target != target or (queue != ALL_QUEUES and count.queue != queue) or count.day not in met:
            continue
        met[count.day] += count.met
        breached[count.day] += count.breached
    label = {v: k for k, v in TARGETS.items()}[target]
    return ComplianceSeries(
        f"{label}, {queue.lower() if queue == ALL_QUEUES else queue}",
        dates,
        tuple(met[d] for d in dates),
        tuple(breached[d] for d in dates),
    )
