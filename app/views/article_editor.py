"""The knowledge base window: articles listed by category, one edited beside the list (title, category,
visibility, tags, text), saved at the version it was opened at, published or archived by editors, its
history with a readable diff; and a resolved ticket turned into a draft.

Every call to the desk runs in the background (`TaskRunner`) and comes back as a value; what the database
refuses (someone saved first, only editors publish) is shown as its sentence above the form, and the text
being edited stays as typed. Article text is shown as plain text, never as rich text.

Attributes of ArticleEditor:
    knowledge: the desk's knowledge area; runner: the background helper.
    tree: articles by category; filter: narrows it by title or tag as one types.
    title, category, visibility, tags, body: the form; state_label: state, version, author; message: what
        happened last (saved, refused and why, what a ticket's draft lost).
    current: the article open in the form (None: a new one); may_edit: whether this login is an editor.
    history_dialog: the last ArticleHistory opened.
Signals of ArticleEditor:
    article_saved(object): an `Article` the database accepted (saved, published, archived, drafted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import KnowledgeArea
from app.services.knowledge.dto import (
    Article,
    ArticleDiff,
    ArticleDraft,
    ArticleState,
    ArticleSummary,
    ArticleVersion,
    Category,
    Visibility,
)
from app.views.appearance import accents
from app.views.errors import explain_failure
from app.views.labels import plain_label, plain_tip
from app.views.sizing import resize_on_screen
from app.views.tasks import TaskRunner

ARTICLE_ID = Qt.ItemDataRole.UserRole
NO_CATEGORY = "No category"
STATE_WORDS = {ArticleState.DRAFT: "Draft", ArticleState.PUBLISHED: "Published", ArticleState.ARCHIVED: "Archived"}


def tags_from(text: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in text.replace(";", ",").split(",") if tag.strip())


def state_words(article: Article) -> str:
    summary = article.summary
    by = f" · last saved by {article.updated_by_name}" if article.updated_by_name else ""
    files = f" · files: {', '.join(a.filename for a in article.attachments)}" if article.attachments else ""
    return (
        f"{STATE_WORDS[summary.state]} · {summary.visibility.value} · version {summary.version} · "
        f"written by {summary.author_name or 'someone no longer here'}{by}{files}"
    )


class ArticleEditor(QDialog):
    article_saved = Signal(object)

    def __init__(self, knowledge: KnowledgeArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.knowledge, self.runner = knowledge, runner
        self.current: Article | None = None
        self.may_edit = False
        self.summaries: list[ArticleSummary] = []
        self.categories: list[Category] = []
        self.history_dialog: ArticleHistory | None = None
        self._wanted: int | None = None  # the article to open once the list has arrived
        self.setWindowTitle("Knowledge base")
        self.setModal(False)
        resize_on_screen(self, 1100, 720)
        self._build()
        self.reload()

    # --- assembly ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title or tag…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _text: self._fill_tree())
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self._item_chosen)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.tree)

        self.message = plain_label()
        self.message.setWordWrap(True)
        self.state_label = plain_label("New article")
        self.title = QLineEdit()
        self.title.setMaxLength(300)
        self.category = QComboBox()
        self.visibility = QComboBox()
        self.visibility.addItem("Internal (agents only)", Visibility.INTERNAL)
        self.visibility.addItem("Public (may be sent to customers)", Visibility.PUBLIC)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("refund, invoice")
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Category", self.category)
        form.addRow("&Visibility", self.visibility)
        form.addRow("Ta&gs", self.tags)
        buttons = QHBoxLayout()
        self.new_button = self._button("New", "Ctrl+N", self.new_article)
        self.save_button = self._button("Save", "Ctrl+S", self.save)
        self.publish_button = self._button("Publish", "Ctrl+Shift+P", lambda: self.set_state(ArticleState.PUBLISHED))
        self.archive_button = self._button("Archive", "Ctrl+Shift+A", lambda: self.set_state(ArticleState.ARCHIVED))
        self.history_button = self._button("History", "Ctrl+H", self.show_history)
        for button in (self.new_button, self.save_button, self.publish_button, self.archive_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.history_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.message)
        right_layout.addWidget(self.state_label)
        right_layout.addLayout(form)
        right_layout.addWidget(self.body, 1)
        right_layout.addLayout(buttons)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.activated.connect(self.filter.setFocus)
        self._update_buttons()

    def _button(self, text: str, keys: str, handler: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(f"{text} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
        button.setAutoDefault(False)
        button.clicked.connect(handler)
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.activated.connect(lambda: handler() if button.isEnabled() else None)
        return button

    def bring_forward(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    # --- the list ------------------------------------------------------------------------------------------

    def reload(self, then_open: int | None = None) -> None:
        """The categories, the articles this login may read and whether it may edit, in one background call."""
        self._wanted = then_open if then_open is not None else (self.current.id if self.current else None)
        knowledge = self.knowledge
        self._run(lambda: (knowledge.may_edit(), knowledge.categories(), knowledge.articles()), self._listed)

    def _listed(self, found: tuple[bool, list[Category], list[ArticleSummary]]) -> None:
        self.may_edit, self.categories, self.summaries = found
        chosen = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(NO_CATEGORY, None)
        for category in self.categories:
            self.category.addItem(category.label, category.id)
        self.category.setCurrentIndex(max(0, self.category.findData(chosen)))
        self.category.blockSignals(False)
        self._fill_tree()
        self._update_buttons()

    def _fill_tree(self) -> None:
        words = self.filter.text().casefold().split()
        self.tree.blockSignals(True)
        self.tree.clear()
        nodes: dict[int | None, QTreeWidgetItem] = {}
        for category in self.categories:
            parent = nodes.get(category.parent_id)
            node = QTreeWidgetItem([category.name])
            node.setFlags(Qt.ItemFlag.ItemIsEnabled)
            (parent.addChild(node) if parent is not None else self.tree.addTopLevelItem(node))
            nodes[category.id] = node
        loose = QTreeWidgetItem([NO_CATEGORY])
        loose.setFlags(Qt.ItemFlag.ItemIsEnabled)
        wanted_item: QTreeWidgetItem | None = None
        for summary in self.summaries:
            haystack = " ".join([summary.title, *summary.tags, summary.category]).casefold()
            if not all(word in haystack for word in words):
                continue
            label = summary.title if summary.state is ArticleState.PUBLISHED else f"{summary.title} ({summary.state})"
            item = QTreeWidgetItem([label])
            item.setData(0, ARTICLE_ID, summary.id)
            item.setToolTip(0, plain_tip(f"{summary.category or NO_CATEGORY} · {summary.visibility.value}"))
            (nodes.get(summary.category_id) or loose).addChild(item)
            if summary.id == self._wanted:
                wanted_item = item
        if loose.childCount():
            self.tree.addTopLevelItem(loose)
        root = self.tree.invisibleRootItem()
        if root is not None:
            self._prune_empty(root, bool(words))
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if wanted_item is not None:
            self.tree.setCurrentItem(wanted_item)

    def _prune_empty(self, node: QTreeWidgetItem, filtering: bool) -> bool:
        """Drops categories without articles while filtering; says whether `node` holds an article."""
        holds = node.data(0, ARTICLE_ID) is not None
        for index in reversed(range(node.childCount())):
            child = node.child(index)
            if child is None:
                continue
            if self._prune_empty(child, filtering):
                holds = True
            elif filtering:
                node.removeChild(child)
        return holds

    def _item_chosen(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        article_id = item.data(0, ARTICLE_ID) if item is not None else None
        if article_id is None or (self.current is not None and self.current.id == article_id):
            return
        self.open_article(int(article_id))

    # --- one article ---------------------------------------------------------------------------------------

    def open_article(self, article_id: int) -> None:
        knowledge = self.knowledge
        self._run(lambda: knowledge.article(article_id), self._show)

    def _show(self, article: Article, note: str = "") -> None:
        self.current = article
        summary = article.summary
        self.title.setText(summary.title)
        self.category.setCurrentIndex(max(0, self.category.findData(summary.category_id)))
        self.visibility.setCurrentIndex(max(0, self.visibility.findData(summary.visibility)))
        self.tags.setText(", ".join(summary.tags))
        self.body.setPlainText(article.body)
        self.state_label.setText(state_words(article))
        formatting = " It has formatting: changing the text saves it as plain text." if article.body_html else ""
        self.message.setStyleSheet("")
        self.message.setText((note + formatting).strip())
        self._update_buttons()

    def new_article(self) -> None:
        self.current = None
        for field in (self.title, self.tags):
            field.clear()
        self.body.clear()
        self.category.setCurrentIndex(0)
        self.visibility.setCurrentIndex(0)
        self.state_label.setText("New article, not saved yet: Save keeps it as your draft")
        self.message.setStyleSheet("")
        self.message.clear()
        self.tree.clearSelection()
        self._update_buttons()
        self.title.setFocus()

    def save(self) -> None:
        knowledge, current = self.knowledge, self.current
        title, body, tags = self.title.text(), self.body.toPlainText(), tags_from(self.tags.text())
        category_id: int | None = self.category.currentData()
        visibility: Visibility = self.visibility.currentData()
        if current is None:
            op: Callable[[], Article] = lambda: knowledge.create(  # noqa: E731
                title=title, body=body, tags=tags, category_id=category_id, visibility=visibility
            )
        else:
            keep_html = current.body_html if body == current.body else None
            op = lambda: knowledge.save(  # noqa: E731
                current.id,
                current.version,
                title=title,
                body=body,
                body_html=keep_html,
                tags=tags,
                category_id=category_id,
                visibility=visibility,
            )
        self._run(op, lambda article: self._accepted(article, f"Saved as version {article.version}."))

    def set_state(self, state: ArticleState) -> None:
        current = self.current
        if current is None:
            return
        knowledge = self.knowledge
        self._run(
            lambda: knowledge.set_state(current.id, current.version, state),
            lambda article: self._accepted(
                article, f"{STATE_WORDS[article.summary.state]} (version {article.version})."
            ),
        )

    def from_ticket(self, ticket_id: int) -> None:
        """The resolved ticket as the agent's own draft, opened here for them to check."""
        knowledge = self.knowledge
        self.message.setText("Writing a draft from the ticket…")
        self._run(lambda: knowledge.from_ticket(ticket_id), self._drafted)

    def _drafted(self, found: tuple[Article, ArticleDraft]) -> None:
        article, draft = found
        removed = ", ".join(draft.removed) or "nothing"
        self._accepted(
            article,
            f"A draft from the ticket. Taken out: {removed}. Check the text for anything else about the "
            "customer before an editor publishes it.",
        )

    def _accepted(self, article: Article, note: str) -> None:
        self._show(article, note)
        self.article_saved.emit(article)
        self.reload(then_open=article.id)

    def show_history(self) -> None:
        if self.current is None:
            return
        self.history_dialog = ArticleHistory(self.knowledge, self.runner, self.current.id, self)
        self.history_dialog.open()

    # --- helpers -------------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        current = self.current
        self.publish_button.setEnabled(
            self.may_edit and current is not None and current.summary.state is not ArticleState.PUBLISHED
        )
        self.archive_button.setEnabled(
            self.may_edit and current is not None and current.summary.state is not ArticleState.ARCHIVED
        )
        self.history_button.setEnabled(current is not None)

    def _run(self, op: Callable[[], Any], on_success: Callable[[Any], None]) -> None:
        self.runner.run(op, on_success, self._refused)

    def _refused(self, error: Exception) -> None:
        """The database's sentence, in the colour of a refusal; what the person typed stays in the form."""
        self.message.setStyleSheet(f"color: {accents().overdue};")
        self.message.setText(explain_failure(error))


class ArticleHistory(QDialog):
    """An article's versions, newest first; choosing one shows what it changed from the one before.

    Attributes: versions (the list), diff (the chosen change, as a unified diff in plain text)."""

    def __init__(self, knowledge: KnowledgeArea, runner: TaskRunner, article_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.knowledge, self.runner, self.article_id = knowledge, runner, article_id
        self.setWindowTitle("History")
        resize_on_screen(self, 820, 560)
        self.versions = QListWidget()
        self.versions.currentItemChanged.connect(self._version_chosen)
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setFont(QFont("monospace"))
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # a paragraph is one line
        self.status = plain_label()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.versions, 1)
        layout.addWidget(self.diff, 3)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.runner.run(lambda: knowledge.history(article_id), self._listed, self._failed)

    def _listed(self, versions: list[ArticleVersion]) -> None:
        for version in versions:
            when = version.created_at.astimezone().strftime("%d %b %Y %H:%M")
            item = QListWidgetItem(
                f"Version {version.version} · {when} · {version.author_name or 'someone'} · {version.state.value}"
            )
            item.setData(ARTICLE_ID, version.version)
            self.versions.addItem(item)
        if versions:
            self.versions.setCurrentRow(0)
            self.versions.setFocus()

    def _version_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        version = int(item.data(ARTICLE_ID))
        if version == 1:
            self.diff.setPlainText("The first version.")
            return
        knowledge, article_id = self.knowledge, self.article_id
        self.runner.run(lambda: knowledge.diff(article_id, version - 1, version), self._diffed, self._failed)

    def _diffed(self, diff: ArticleDiff) -> None:
        chosen = self.versions.currentItem()
        if chosen is None or int(chosen.data(ARTICLE_ID)) != diff.new_version:
            return  # an answer for a version chosen before: only the chosen one's diff is shown
        self.diff.setPlainText(diff.text or "Nothing changed in the text.")

    def _failed(self, error: Exception) -> None:
        self.status.setText(explain_failure(error))
