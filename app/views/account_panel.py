"""The customer's account beside the conversation (issue 16): the fields the site maps from the
account-lookup tool, how fresh they are, a button that opens the account in the tool, the agent's
correction of which account it is, and the customer's other tickets.

It never blocks: the cached answer is read in the background and shown first (even expired, marked stale
with its age), then a refresh asks the tool, also in the background. A tool that is down, slow or refuses
shows one clear line; the ticket beside it works as before. Only the last ticket asked for is shown.

Signals:
    ticket_requested(int): the agent chose another ticket of the customer (its id).
Attributes:
    panel: the AccountPanel shown (None while the first answer is on its way).
    refreshing: true while a refresh of the shown ticket's account runs.
    open_url: how a link is opened (tests replace it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.connectors.dto import AccountPanel
from app.services.desk_api import AccountArea
from app.views.appearance import accents, appearance_changes
from app.views.errors import explain_failure
from app.views.labels import plain_label, plain_tip
from app.views.status_choice import status_text
from app.views.tasks import TaskRunner

SHORT_PROBLEM = 110  # characters of the problem line; the whole sentence is its tooltip
# The address and the details in brackets are IT's, in the tooltip: the panel said "The accounts tool at
# https://… failed 3 times in a row (The accounts tool at https://… (3 tries in 6.0 s)); …" in three lines
# and pushed the customer's other tickets off a 1366x768 screen.
_ADDRESS = re.compile(r" at https?://\S+")
_DETAILS = re.compile(r" \((?:[^()]|\([^()]*\))*\)")


def problem_line(problem: str) -> str:
    """What the panel shows of a problem: the sentence without the tool's address and bracketed details, up
    to the semicolon that starts the details, within `SHORT_PROBLEM` characters."""
    short = _DETAILS.sub("", _ADDRESS.sub("", problem)).split("; ", 1)[0].strip()
    return short if len(short) <= SHORT_PROBLEM else short[: SHORT_PROBLEM - 1] + "…"


def problem_style() -> str:
    return f"color: {accents().overdue};"  # readable on the dark theme's grey as on white


def stale_style() -> str:
    return f"color: {accents().at_risk};"


class AccountPanelView(QFrame):
    ticket_requested = Signal(int)

    def __init__(self, accounts: AccountArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts, self.runner = accounts, runner
        self.panel: AccountPanel | None = None
        self.status_labels: Mapping[str, str] = {}  # status key → the desk's label, from its vocabulary
        self.refreshing = False
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._ticket_id: int | None = None
        self._generation = 0
        self._build()

    def _build(self) -> None:
        self.setObjectName("account_panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        self.title = plain_label("Account")
        self.title.setStyleSheet("font-weight: bold;")
        self.headline = plain_label("")
        self.headline.setWordWrap(True)
        self.freshness = plain_label("")
        self.freshness.setWordWrap(True)
        self.correction = plain_label("")  # a colleague's lookup the worker's check contradicts
        self.correction.setWordWrap(True)
        self.correction.setStyleSheet(stale_style())
        self.correction.hide()
        self.problem = plain_label("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())
        self.problem.hide()
        appearance_changes().changed.connect(self._follow_appearance)
        self.fields_box = QWidget()
        self.fields_form = QFormLayout(self.fields_box)
        self.fields_form.setContentsMargins(0, 0, 0, 0)
        self.open_button = QPushButton("Open in the tool")
        self.open_button.setToolTip("Opens the account in the account-lookup tool (your browser)")
        self.open_button.clicked.connect(self.open_in_tool)
        self.open_button.setEnabled(False)
        self.key_edit = QLineEdit()
        self.key_edit.setPlaceholderText("Account id")
        self.key_edit.setAccessibleName("Account id of this customer")
        self.key_edit.returnPressed.connect(self.correct_link)
        self.link_button = QPushButton("Link")
        self.link_button.setToolTip("This customer is this account (audited)")
        self.link_button.clicked.connect(self.correct_link)
        link_row = QHBoxLayout()
        link_row.addWidget(self.key_edit, 1)
        link_row.addWidget(self.link_button)
        self.others_label = plain_label("Other tickets")
        self.others_label.setStyleSheet("font-weight: bold;")
        self.others = QListWidget()
        self.others.setAccessibleName("The customer's other tickets")
        self.others.setWordWrap(True)
        self.others.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.others.itemActivated.connect(self._other_chosen)
        for widget in (
            self.title,
            self.headline,
            self.freshness,
            self.correction,
            self.problem,
            self.fields_box,
            self.open_button,
        ):
            layout.addWidget(widget)
        layout.addLayout(link_row)
        layout.addWidget(self.others_label)
        layout.addWidget(self.others, 1)
        self._set_enabled(False)

    # --- loading ------------------------------------------------------------------------------------

    def show_ticket(self, ticket_id: int) -> None:
        """The account of this ticket's customer: the cache's answer first, then a refresh if it is old."""
        switching = ticket_id != self._ticket_id
        self._ticket_id = ticket_id
        self._generation += 1
        generation = self._generation
        if switching:
            self.panel = None
            self._clear("Loading the account…")
        self.runner.run(
            lambda: self.accounts.panel(ticket_id),
            lambda panel: self._arrived(generation, panel, refresh=True),
            lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, panel: AccountPanel, *, refresh: bool) -> None:
        if generation != self._generation:
            return  # an answer for a ticket no longer shown
        self.show_panel(panel)
        if refresh and panel.needs_refresh:
            self.refreshing = True
            self.freshness.setText(f"{panel.freshness} — refreshing…" if panel.freshness else "Asking the tool…")
            ticket_id = panel.ticket_id
            self.runner.run(
                lambda: self.accounts.refresh(ticket_id),
                lambda fresh: self._refreshed(generation, fresh),
                lambda error: self._failed(generation, error),
            )

    def _refreshed(self, generation: int, panel: AccountPanel) -> None:
        if generation == self._generation:
            self.refreshing = False
        self._arrived(generation, panel, refresh=False)

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self.refreshing = False
        self._show_problem(f"The account could not be read: {explain_failure(error)}")
        if self.panel is not None:
            self.freshness.setText(self.panel.freshness)

    # --- showing ------------------------------------------------------------------------------------

    def show_panel(self, panel: AccountPanel) -> None:
        self.panel = panel
        self.title.setText(f"Account of {panel.customer_name}" if panel.customer_name else "Account")
        self.headline.setText(panel.headline)
        self.freshness.setText(panel.freshness)
        self.freshness.setStyleSheet(stale_style() if panel.state == "stale" else "")
        self.correction.setText(panel.correction or "")
        self.correction.setVisible(bool(panel.correction))
        self._show_problem(panel.problem)
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        for label, value in panel.fields:
            shown = plain_label(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields_form.addRow(plain_label(label), shown)
        self.open_button.setEnabled(bool(panel.link))
        self.open_button.setToolTip(plain_tip(panel.link) if panel.link else "No link for this account")
        self._set_enabled(panel.state != "unconfigured")
        if not self.key_edit.hasFocus():
            self.key_edit.setText(panel.key or "" if panel.source == "the customer's account id" else "")
        self.others.clear()
        for ticket in panel.other_tickets:
            item = QListWidgetItem(
                f"#{ticket.number}  {ticket.subject}  ({status_text(ticket.status, self.status_labels)})"
            )
            item.setData(Qt.ItemDataRole.UserRole, ticket.id)
            item.setToolTip(plain_tip(item.text()))
            self.others.addItem(item)
        self.others_label.setText("Other tickets" if panel.other_tickets else "No other tickets")

    def _show_problem(self, problem: str | None) -> None:
        self.problem.setText(problem_line(problem) if problem else "")
        self.problem.setToolTip(plain_tip(problem) if problem else "")
        self.problem.setVisible(bool(problem))

    def _follow_appearance(self) -> None:
        """Light to dark or back: the warning colours follow (a style sheet keeps a label from hearing the
        palette change itself)."""
        self.problem.setStyleSheet(problem_style())
        self.correction.setStyleSheet(stale_style())
        if self.panel is not None:
            self.freshness.setStyleSheet(stale_style() if self.panel.state == "stale" else "")

    def _clear(self, line: str) -> None:
        self.title.setText("Account")
        self.headline.setText(line)
        self.freshness.setText("")
        self.correction.hide()
        self._show_problem(None)
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self.open_button.setEnabled(False)
        self.others.clear()

    def _set_enabled(self, enabled: bool) -> None:
        self.key_edit.setEnabled(enabled)
        self.link_button.setEnabled(enabled)

    # --- acting -------------------------------------------------------------------------------------

    def open_in_tool(self) -> None:
        if self.panel is not None and self.panel.link:
            self.open_url(QUrl(self.panel.link))

    def correct_link(self) -> None:
        """This customer is the account typed (empty: no stored account); audited by the database."""
        if self._ticket_id is None:
            return
        ticket_id, key = self._ticket_id, self.key_edit.text().strip() or None
        self._generation += 1
        generation = self._generation
        self.link_button.setEnabled(False)
        self.runner.run(
            lambda: self.accounts.link(ticket_id, key),
            lambda panel: self._linked(generation, panel),
            lambda error: self._link_failed(generation, error),
        )

    def _linked(self, generation: int, panel: AccountPanel) -> None:
        self.link_button.setEnabled(True)
        self._arrived(generation, panel, refresh=True)

    def _link_failed(self, generation: int, error: Exception) -> None:
        self.link_button.setEnabled(True)
        self._failed(generation, error)

    def _other_chosen(self, item: QListWidgetItem) -> None:
        ticket_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(ticket_id, int):
            self.ticket_requested.emit(ticket_id)
