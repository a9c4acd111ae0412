""" "Why this agent?": a ticket's latest routing decision in words — who got it and when, what made routing
run, which rules it had to relax, the ranked candidates with each factor's weighted score and note, and who
was left out and why. A ticket never routed and a ticket nobody was eligible for each get a sentence.

Read in the background (`desk.routing.explain`); every name is data, so all of it is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import RoutingArea
from app.services.routing.dto import RoutingExplanation
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.sizing import resize_on_screen
from app.views.tasks import TaskRunner

ASKED_BY_WORDS = {
    "intake": "a new ticket arrived (intake)",
    "reopen": "the ticket was reopened",
    "drain": "an agent became available and routing handed out waiting tickets (drain)",
    "pull": "an agent asked for the next ticket (get next)",
    "supervisor": "a supervisor reassigned it",
    "handback": "an agent handed it back to routing",
    "sla": "the SLA escalation ladder took it from its assignee",
}
CANDIDATE_COLUMNS = ["Rank", "Candidate", "Total", "Factor", "Score", "Note"]
EXCLUSION_COLUMNS = ["Left out", "Reason"]


def when_words(explanation: RoutingExplanation) -> str:
    return explanation.decided_at.astimezone().strftime("%d %b %Y at %H:%M")


def headline(number: int, explanation: RoutingExplanation | None, assignee: str | None) -> str:
    """The decision in one sentence (or two, when the ticket has moved on since)."""
    if explanation is None:
        holder = f"{assignee} was assigned by hand" if assignee else "it waits for someone to take it"
        return f"Routing has never decided on #{number}: {holder}."
    when = when_words(explanation)
    if explanation.winner is None:
        sentence = (
            f"Nobody was eligible for #{number} when routing last tried, on {when}: it waits, unassigned, until "
            "someone of its queue becomes available."
        )
    else:
        sentence = f"Routing gave #{number} to {explanation.winner} on {when}."
    if assignee != explanation.winner:
        sentence += f" Since then it has {'gone to ' + assignee if assignee else 'been left unassigned'}."
    return sentence


def asked_words(explanation: RoutingExplanation) -> str:
    reason = ASKED_BY_WORDS.get(explanation.asked_by, explanation.asked_by)
    caller = f", asked through {explanation.caller}'s login" if explanation.caller else ""
    return f"Routing ran because {reason}{caller}."


def relaxed_words(explanation: RoutingExplanation) -> str:
    settings = (
        f"routing settings version {explanation.config_version}"
        if explanation.config_version
        else "the built-in routing settings"
    )
    if not explanation.relaxed:
        return f"No rule had to be relaxed ({settings})."
    return f"To find someone, routing relaxed: {', '.join(explanation.relaxed)} ({settings})."


def _item(text: str, *, number: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)  # table items never read their text as markup
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item


MOST_ROWS_SHOWN = 18  # a table's rows shown before it scrolls (three candidates with six factors each)


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)  # one line a row: a spanned candidate name wrapping would heighten its first row
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fit_height(table: QTableWidget, most_rows: int) -> None:
    """No taller than its rows (the most `most_rows`; more scroll), no shorter than four of them."""
    rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), most_rows)))
    frame = 2 * table.frameWidth() + table.horizontalHeader().sizeHint().height()
    table.setMaximumHeight(frame + rows)
    table.setMinimumHeight(frame + min(4, table.rowCount()) * table.verticalHeader().defaultSectionSize())


class RoutingDialog(QDialog):
    """Attributes:
    state: "loading", "shown" or "failed".
    explanation: the decision shown (None before it arrives, and for a ticket never routed).
    headline, asked, relaxed: the sentences (plain text labels).
    candidates: one row per factor of each candidate, best candidate first; rank, name and total span
        the candidate's rows. exclusions: who was left out and why. nobody_left_out: said when no one was.
    """

    def __init__(
        self,
        routing: RoutingArea,
        runner: TaskRunner,
        ticket_id: int,
        number: int,
        assignee: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Why this agent? — #{number}")
        self.state = "loading"
        self.explanation: RoutingExplanation | None = None
        self._number, self._assignee = number, assignee
        self.headline = plain_label("Reading the routing decision…")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.asked, self.relaxed = plain_label(), plain_label()
        for label in (self.headline, self.asked, self.relaxed):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.candidates = _table(CANDIDATE_COLUMNS)
        self.exclusions = _table(EXCLUSION_COLUMNS)
        self.nobody_left_out = plain_label("Nobody of the queue was left out.")
        self.candidates_title = plain_label("Candidates, best first: each factor's weighted score and why")
        self.exclusions_title = plain_label("Left out, and why")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.asked)
        layout.addWidget(self.relaxed)
        layout.addWidget(self.candidates_title)
        layout.addWidget(self.candidates, 3)
        layout.addWidget(self.exclusions_title)
        layout.addWidget(self.exclusions, 1)
        layout.addWidget(self.nobody_left_out)
        layout.addStretch()  # takes the room only when the tables are hidden: the sentences stay at the top
        layout.addWidget(buttons)
        for widget in self._details():
            widget.hide()
        resize_on_screen(self, 720, 560)
        runner.run(lambda: routing.explain(ticket_id), self._arrived, self._failed)

    def _details(self) -> tuple[QWidget, ...]:
        return (
            self.asked,
            self.relaxed,
            self.candidates_title,
            self.candidates,
            self.exclusions_title,
            self.exclusions,
            self.nobody_left_out,
        )

    def _arrived(self, explanation: RoutingExplanation | None) -> None:
        self.explanation = explanation
        self.state = "shown"
        self.headline.setText(headline(self._number, explanation, self._assignee))
        if explanation is None:
            self._fit_to_contents()  # one sentence: not a 720 x 560 dialog around it
            return
        self.asked.setText(asked_words(explanation))
        self.relaxed.setText(relaxed_words(explanation))
        self._fill_candidates(explanation)
        self._fill_exclusions(explanation)
        for widget in (self.asked, self.relaxed):
            widget.show()
        has_candidates = bool(explanation.candidates)
        self.candidates_title.setVisible(has_candidates)
        self.candidates.setVisible(has_candidates)
        self.exclusions_title.setVisible(bool(explanation.exclusions))
        self.exclusions.setVisible(bool(explanation.exclusions))
        self.nobody_left_out.setVisible(not explanation.exclusions)
        self._fit_to_contents()

    def _fit_to_contents(self) -> None:
        """Tables as tall as their rows (up to a screenful), the dialog as tall as what it shows: a decision
        with one candidate sat in 560 px of empty table."""
        for table in (self.candidates, self.exclusions):
            _fit_height(table, MOST_ROWS_SHOWN)
        resize_on_screen(self, self.width(), self.sizeHint().height())

    def _fill_candidates(self, explanation: RoutingExplanation) -> None:
        table = self.candidates
        table.setRowCount(sum(max(1, len(c.factors)) for c in explanation.candidates))
        row = 0
        for rank, candidate in enumerate(explanation.candidates, start=1):
            won = candidate.name == explanation.winner and rank == 1
            rows = max(1, len(candidate.factors))
            table.setItem(row, 0, _item(str(rank), number=True, bold=won))
            table.setItem(row, 1, _item(candidate.name + ("  (got it)" if won else ""), bold=won))
            table.setItem(row, 2, _item(f"{candidate.total:.2f}", number=True, bold=won))
            if rows > 1:
                for column in range(3):
                    table.setSpan(row, column, rows, 1)
            for offset, factor in enumerate(candidate.factors):
                table.setItem(row + offset, 3, _item(factor.factor))
                table.setItem(row + offset, 4, _item(f"{factor.weighted:.2f}", number=True))
                table.setItem(row + offset, 5, _item(factor.note))
            row += rows
        # Spanned cells do not count for ResizeToContents: the name column is as wide as the widest name.
        bold = QFont(table.font())
        bold.setBold(True)
        names = [item.text() for r in range(table.rowCount()) if (item := table.item(r, 1)) is not None]
        widest = max((QFontMetrics(bold).horizontalAdvance(name) for name in names), default=0)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(1, max(widest + 16, table.horizontalHeader().sectionSizeHint(1)))

    def _fill_exclusions(self, explanation: RoutingExplanation) -> None:
        self.exclusions.setRowCount(len(explanation.exclusions))
        for row, (name, reason) in enumerate(explanation.exclusions):
            self.exclusions.setItem(row, 0, _item(name))
            self.exclusions.setItem(row, 1, _item(reason))

    def _failed(self, error: Exception) -> None:
        self.state = "failed"
        self.headline.setText(f"The routing decision could not be read. {explain_failure(error)}")
