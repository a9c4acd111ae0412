"""The knowledge panel beside the ticket: suggested articles and similar past tickets for the ticket being
worked (a more-like-this query over its subject and last customer message, run on the task pool).

Keys, wherever the window has the keyboard: Ctrl+I inserts the selected suggested article's text into the
reply (an internal article's into a note: it is for agents only), Ctrl+Shift+I a reference to it; in the
panel, Enter on a similar ticket opens it. Only published articles are suggested.

Signals:
    insert_requested(str, str, bool): text for the reply, at its cursor, what it is (the article “Title”),
        and whether it is internal (then it goes into a note, never into the reply).
    ticket_chosen(int, int): a similar ticket's id and number.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.desk_api import SearchArea
from app.services.search.dto import SearchHit
from app.views.labels import plain_tip
from app.views.tasks import TaskRunner

HIT_ROLE = Qt.ItemDataRole.UserRole + 1


def article_reference(hit: SearchHit) -> str:
    return f"{hit.title} (knowledge base article {hit.id})"


def article_label(hit: SearchHit) -> str:
    """An article's title with what to know before using it: "Refund rules  · Internal"."""
    return "  · ".join((hit.title, *hit.article_marks))


class KnowledgePanel(QWidget):
    insert_requested = Signal(str, str, bool)
    ticket_chosen = Signal(int, int)

    def __init__(self, search: SearchArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search, self.runner = search, runner
        self.ticket_id: int | None = None
        self._asked = 0
        self.loaded_for: int | None = None  # the ticket whose suggestions are shown (tests wait on it)
        self.articles = QListWidget()
        self.tickets = QListWidget()
        self.tickets.itemActivated.connect(self._open_ticket)
        self.articles.itemActivated.connect(lambda _item: self.insert_text())
        self.hint = QLabel(
            "Ctrl+I inserts the article's text into the reply (an internal one's into a note),"
            " Ctrl+Shift+I a reference to it."
        )
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (
            QLabel("Suggested articles"),
            self.articles,
            QLabel("Similar tickets"),
            self.tickets,
            self.empty,
            self.hint,
        ):
            if isinstance(widget, QLabel):
                widget.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(widget)

    def show_for(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self._asked += 1
        asked = self._asked
        self.runner.run(
            lambda: self.search.similar(ticket_id=ticket_id),
            lambda found: self._arrived(asked, ticket_id, found),
            lambda error: self._failed(asked, error),
        )

    def _arrived(self, asked: int, ticket_id: int, found: tuple[tuple[SearchHit, ...], tuple[SearchHit, ...]]) -> None:
        if asked != self._asked:
            return
        articles, tickets = found
        for widget, hits in ((self.articles, articles), (self.tickets, tickets)):
            widget.clear()
            for hit in hits:
                label = f"#{hit.number} {hit.title}" if hit.kind == "ticket" else article_label(hit)
                item = QListWidgetItem(label)
                item.setData(HIT_ROLE, hit)
                item.setToolTip(plain_tip(hit.snippet[:300]))
                widget.addItem(item)
            if hits:
                widget.setCurrentRow(0)
        self.empty.setText("" if articles or tickets else "Nothing similar yet (or the search index is being built).")
        self.loaded_for = ticket_id

    def _failed(self, asked: int, error: Exception) -> None:
        if asked == self._asked:
            self.empty.setText(str(error))

    def _selected_article(self) -> SearchHit | None:
        item = self.articles.currentItem()
        hit = item.data(HIT_ROLE) if item is not None else None
        return hit if isinstance(hit, SearchHit) else None

    def insert_text(self) -> None:
        """The selected article's text into the reply (read from the index in the background)."""
        hit = self._selected_article()
        if hit is None:
            return
        self.runner.run(
            lambda: self.search.article_text(hit.id),
            lambda text: self.insert_requested.emit(text or hit.snippet, f"the article “{hit.title}”", hit.is_internal),
            lambda error: self.empty.setText(str(error)),
        )

    def insert_reference(self) -> None:
        hit = self._selected_article()
        if hit is not None:
            self.insert_requested.emit(article_reference(hit), f"a reference to “{hit.title}”", hit.is_internal)

    def _open_ticket(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if isinstance(hit, SearchHit):
            self.ticket_chosen.emit(hit.id, hit.number or 0)
