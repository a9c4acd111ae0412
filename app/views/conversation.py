"""The conversation pane: a ticket's messages as rich text that can load nothing from disk or the network.

Message bodies come from strangers, and the database is no proof they were cleaned: any login that can write a
message row can store any body_html. So nothing stored reaches Qt as is. Every render runs each body through
`app.services.platform.sanitize.display_html` (cap the source, sanitise without any attribute that paints, bound nesting
depth, table depth, element count and text), because Qt's rich text engine lays out nested tables in exponential
time (21 levels froze the GUI thread for 32 s, 3,000 crashed it) and slows with every element. Plain-text bodies
and author names are capped too. A conversation also has a budget over all its messages, so fifty hostile bodies
cost what a few do; it is spent from the newest message back. What was left out is said under the body, with
"Show the original": the stored markup as plain text in a separate window.

Qt will still read local files named in an ``<img src>`` (``/dev/zero`` kills the process), so this module
decides every resource itself and treats every link as hostile until the agent confirms its real target.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QDialog, QMessageBox, QPlainTextEdit, QTextBrowser, QVBoxLayout, QWidget

from app.services.platform.html_bounds import DISPLAY_LIMITS, HtmlLimits
from app.views.appearance import appearance_changes, is_dark

if TYPE_CHECKING:
    from app.services.tickets.dto import MessageView

_log = logging.getLogger(__name__)

_IMAGE_RESOURCE = QTextDocument.ResourceType.ImageResource.value
_OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
_NEEDS_HOST = frozenset({"http", "https"})
# Fixed English month names: the format must not change with whatever C locale Qt switched the process to.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MUTED = "#5f6368"
_SYSTEM_EVENT = "system_event"
# Our own link to a message's original: bodies cannot make one, display sanitising keeps only http(s)/mailto/cid.
_ORIGINAL_SCHEME = "switchboard-original"
# A conversation longer than this shows its first message (the request) and the newest ones, with the ones
# between one click away ("412 earlier messages not shown", "Show them"), as Freshdesk and Help Scout fold long
# threads: Qt lays out every card, and 500 short replies held the GUI thread for about 110 ms (bench_hostile_html).
MAX_SHOWN_MESSAGES = 150
_EARLIER_SCHEME = "switchboard-earlier"
_MAX_AUTHOR_CHARS = 200
# All messages of one conversation together, so that many bodies near their own limits cannot add up to a stall.
# See docs/benchmarks.md ("Hostile HTML") for what the worst conversations cost with these.
CONVERSATION_BUDGET = HtmlLimits(
    max_source_chars=250_000, max_source_tags=2_000, max_elements=1_500, max_table_cells=400, max_text_chars=60_000
)
# Once a conversation's budget is spent, a message shows the start of its text part, escaped.
_EXCERPT_CHARS = 1_000
# The original window shows at most this much, in lines of at most ORIGINAL_LINE_CHARS: QPlainTextEdit lays out
# one long line all at once (a 5 MB one-line body did not finish in minutes) but short lines lazily.
MAX_ORIGINAL_CHARS = 1_000_000
ORIGINAL_LINE_CHARS = 200


@dataclass(frozen=True)
class _Look:
    """How one kind of message is drawn; the label is there so colour is never the only cue."""

    label: str
    bar: str
    background: str
    ink: str  # the label's colour: darker than the bar where the bar would not read on the background


@dataclass(frozen=True)
class _Scheme:
    """The cards of one appearance, the muted grey for times and notes (on a card and on the page), and the
    page itself (background and ink)."""

    looks: dict[str, _Look]
    muted: str
    page: str = "#ffffff"
    ink: str = "#1f2328"

    @property
    def style_sheet(self) -> str:
        return f"QTextBrowser {{ background: {self.page}; color: {self.ink}; }}"

    def look(self, kind: str) -> _Look:
        # A kind added later must still render, and neutral is the safe guess: it never looks like a note.
        return self.looks.get(kind, self.looks["customer_message"])


LIGHT_CARDS = _Scheme(
    {
        "customer_message": _Look("Customer", bar="#9aa0a6", background="#f6f8fa", ink=_MUTED),
        "public_reply": _Look("Public reply", bar="#1a73e8", background="#eef4fd", ink="#1558b0"),
        "internal_note": _Look("Internal note", bar="#d4a000", background="#fff4c2", ink="#7a5c00"),
    },
    muted=_MUTED,
)
# Dark cards on a dark page: a bright white card in a dark window dazzles, and light text on it would vanish.
DARK_CARDS = _Scheme(
    {
        "customer_message": _Look("Customer", bar="#9aa0a6", background="#26292d", ink="#bdc1c6"),
        "public_reply": _Look("Public reply", bar="#8ab4f8", background="#1b2a3f", ink="#8ab4f8"),
        "internal_note": _Look("Internal note", bar="#d4a000", background="#3a3212", ink="#fdd663"),
    },
    muted="#bdc1c6",
    page="#17181a",
    ink="#e8eaed",
)


class ConversationView(QTextBrowser):
    """Read-only view of one ticket's messages.

    Links are never followed by Qt itself: only http, https and mailto may be opened, and only after
    `confirm_link` showed the agent the real target (link text in an email can say anything).

    Attributes:
        local_zone: the zone times are shown in; None means the computer's own zone.

    Signals:
        link_opened(str): a confirmed link was handed to the desktop.
        link_refused(str): a link with a scheme we never open (javascript:, file:, ...) was clicked.
        original_shown(int): the original of a message (by id) was opened as plain text.
    """

    link_opened = Signal(str)
    link_refused = Signal(str)
    original_shown = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, local_zone: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self.local_zone = local_zone
        self._inline_images: dict[str, bytes] = {}
        self._decoded_images: dict[str, QImage | None] = {}
        self._messages: dict[int, MessageView] = {}
        self._shown: Sequence[MessageView] | None = None
        self._unfolded: int | None = None  # the first message's id of the conversation shown whole
        self._shown_scheme: _Scheme | None = None
        self._restyling = False
        self.original_view: QPlainTextEdit | None = None
        self.setDocument(_GuardedDocument(self))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        appearance_changes().changed.connect(self._follow_appearance)
        self._follow_appearance()

    def show_messages(self, messages: Sequence[MessageView], inline_images: Mapping[str, bytes] | None = None) -> None:
        """Replace the conversation. `inline_images` maps Content-IDs (with or without ``cid:``/``<>``) to the
        bytes of the message's own MIME parts: the only images this view will ever show. The same conversation
        shown again keeps its place, or stays at the end when the agent was there; another starts at the top."""
        self._inline_images = {_content_id(key): data for key, data in (inline_images or {}).items()}
        self._decoded_images = {}
        self._messages = {message.id: message for message in messages}
        if not messages or messages[0].id != self._unfolded:
            self._unfolded = None  # another conversation: folded again
        previous = self._shown
        same = bool(messages and previous and previous[0].id == messages[0].id)
        # A reload of what the agent is reading (a new message, a colleague's change): stay there, or, at the
        # end, follow the newest.
        self._draw(messages, keep_place=same, follow_end=True)

    def scroll_to_end(self) -> None:
        """To the newest message: the agent's own reply or note just sent, which they expect to see land."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def show_earlier_messages(self) -> None:
        """Unfold a long conversation: every message, for as long as this conversation is shown (reloads of
        it included). The view stays where it was, at the earlier messages."""
        if not self._shown:
            return
        self._unfolded = self._shown[0].id
        self._draw(self._shown, keep_place=True)

    def _draw(self, messages: Sequence[MessageView], *, keep_place: bool, follow_end: bool = False) -> None:
        """Render the conversation; with `keep_place`, scrolled where it was (or, with `follow_end`, to the end
        when it was at the end)."""
        bar = self.verticalScrollBar()
        position, at_end = bar.value(), 0 < bar.maximum() <= bar.value()
        self._shown = messages
        self.setHtml(self._conversation_html(messages))
        if keep_place:
            bar.setValue(bar.maximum() if follow_end and at_end else position)

    @property
    def scheme(self) -> _Scheme:
        """The page and cards for the application's appearance: light, or dark in a dark window (a bright
        white card in a dark window dazzles)."""
        return DARK_CARDS if is_dark() else LIGHT_CARDS

    def event(self, event: QEvent) -> bool:
        """Light to dark or back: this view owns its page colours (a style sheet set from outside would
        pin them), and the cards are painted by the HTML, so both are drawn again."""
        handled = super().event(event)
        kinds = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if event.type() in kinds and not getattr(self, "_restyling", True):  # True: still being built
            self._follow_appearance()
        return handled

    def _follow_appearance(self) -> None:
        scheme = self.scheme
        self._restyling = True
        try:
            if self.styleSheet() != scheme.style_sheet:
                self.setStyleSheet(scheme.style_sheet)
            if self._shown is not None and self._shown_scheme is not scheme:
                self._draw(self._shown, keep_place=True)
        finally:
            self._restyling = False

    def show_original(self, message_id: int) -> None:
        """Open the stored body of one message as plain text in its own window: nothing in it is interpreted,
        so it is safe however hostile, and it is where whatever was left out of the card can be read."""
        message = self._messages.get(message_id)
        if message is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(f"Original message from {_clip(message.author_name, 80)}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QPlainTextEdit(dialog)
        text.setReadOnly(True)
        text.setPlainText(original_text(message))
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        dialog.resize(720, 520)
        dialog.show()
        self.original_view = text
        self.original_shown.emit(message_id)

    def loadResource(self, resource_type: int, name: QUrl | str, /) -> Any:
        """Serve only the conversation's own ``cid:`` images; None for everything else, because any other
        answer from Qt's defaults would read local files (or devices) named by a stranger."""
        url = QUrl(name)
        if resource_type != _IMAGE_RESOURCE or url.scheme().lower() != "cid":
            return None
        return self._inline_image(_content_id(url.path(QUrl.ComponentFormattingOption.FullyDecoded)))

    def confirm_link(self, url: QUrl) -> bool:
        """Ask before opening: the visible link text may differ from where the link goes, so show the target
        as plain text (a URL must not be able to format the question). Separate so tests can replace it."""
        buttons = QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel
        box = QMessageBox(QMessageBox.Icon.Question, "Open link?", url.toString(), buttons, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("This link comes from a ticket. Open it only if you trust the address above.")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        confirmed = box.clickedButton() == box.button(QMessageBox.StandardButton.Open)
        box.deleteLater()
        return confirmed

    def _on_anchor_clicked(self, url: QUrl) -> None:
        target = url.toString()
        if url.scheme() == _ORIGINAL_SCHEME:
            if url.path().isdigit():
                self.show_original(int(url.path()))
            return
        if url.scheme() == _EARLIER_SCHEME:
            self.show_earlier_messages()
            return
        if not _is_openable(url):
            self.link_refused.emit(target)
            return
        if not self.confirm_link(url):
            return
        if QDesktopServices.openUrl(url):
            self.link_opened.emit(target)
        else:
            _log.warning("the desktop could not open %s", target)

    def _inline_image(self, content_id: str) -> QImage | None:
        """Decode once per conversation: Qt asks again on every paint."""
        if content_id not in self._decoded_images:
            data = self._inline_images.get(content_id)
            image = QImage.fromData(data) if data is not None else None
            self._decoded_images[content_id] = image if image is not None and not image.isNull() else None
        return self._decoded_images[content_id]

    def _conversation_html(self, messages: Sequence[MessageView]) -> str:
        self._shown_scheme = self.scheme
        if not messages:
            return f'<p align="center" style="color:{self.scheme.muted}">No messages yet.</p>'
        folded = self._folded_count(messages)
        shown = [messages[0], *messages[1 + folded :]] if folded else messages
        # The budget is spent from the newest message back: the latest messages are the ones an agent reads
        # and answers, so they are shown in full and the oldest give way to the start of their text.
        budget = _Budget(CONVERSATION_BUDGET)
        cards = [self._message_html(message, budget) for message in reversed(shown)][::-1]
        if folded:
            cards.insert(1, _earlier_link(folded, self.scheme.muted))
        return "".join(cards)

    def _folded_count(self, messages: Sequence[MessageView]) -> int:
        """How many messages after the first one are left out (0 when it is short or was unfolded)."""
        if len(messages) <= MAX_SHOWN_MESSAGES or messages[0].id == self._unfolded:
            return 0
        return len(messages) - MAX_SHOWN_MESSAGES

    def _message_html(self, message: MessageView, budget: _Budget) -> str:
        kind = _kind_value(message)
        when = format_local_time(message.created_at, self.local_zone)
        scheme = self.scheme
        if kind == _SYSTEM_EVENT:
            return _system_event_html(message, when, scheme.muted)
        return _card_html(message, scheme.look(kind), when, _body_html(message, budget, scheme.muted), scheme.muted)


class _Budget:
    """What is left of the conversation's `CONVERSATION_BUDGET`; each message gets the smaller of its own limits
    and what is left."""

    def __init__(self, limits: HtmlLimits) -> None:
        self.source_chars = limits.max_source_chars
        self.source_tags = limits.max_source_tags
        self.elements = limits.max_elements
        self.table_cells = limits.max_table_cells
        self.text_chars = limits.max_text_chars

    @property
    def spent(self) -> bool:
        return self.source_chars < 2_000 or self.source_tags < 50 or self.elements < 25 or self.text_chars < 500

    def limits(self) -> HtmlLimits:
        own = DISPLAY_LIMITS
        return replace(
            own,
            max_source_chars=min(own.max_source_chars, self.source_chars),
            max_source_tags=min(own.max_source_tags, self.source_tags),
            max_elements=min(own.max_elements, self.elements),
            max_table_cells=min(own.max_table_cells, self.table_cells),
            max_text_chars=min(own.max_text_chars, self.text_chars),
        )

    def spend(self, *, source: str, limits: HtmlLimits, elements: int, table_cells: int, text_chars: int) -> None:
        looked_at = source[: limits.max_source_chars]
        self.source_chars -= len(looked_at)
        self.source_tags -= min(looked_at.count("<"), limits.max_source_tags)
        self.elements -= elements
        self.table_cells -= table_cells
        self.text_chars -= text_chars


class _GuardedDocument(QTextDocument):
    """Closes the two places where Qt reads disk on its own when a resource comes back empty.

    QTextDocument's base `loadResource` reads any existing local file after its parent declined (that is how
    ``/dev/zero`` exhausted memory), and the image handler then tries ``QImage.load(src)`` when the data is not
    an image. So this document never calls the base class, and answers refused images with a placeholder.
    """

    def __init__(self, view: ConversationView) -> None:
        super().__init__(view)
        self._view = view
        self._placeholder = _placeholder_image()

    def loadResource(self, resource_type: int, name: QUrl | str, /) -> Any:
        resource = self._view.loadResource(resource_type, name)
        if resource is None and resource_type == _IMAGE_RESOURCE:
            return self._placeholder
        return resource


def format_local_time(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """Storage is UTC; people read their own clock ("25 Nov 2026, 14:03"). A naive value is taken as UTC,
    since that is the only thing the database holds."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def _kind_value(message: MessageView) -> str:
    """The kind as its string value, so views need not import the models' enum."""
    return str(getattr(message.kind, "value", message.kind))


def original_text(message: MessageView) -> str:
    """The stored body as the window "Show the original" shows it: markup as text, long lines broken (the
    breaks are display only), and at most `MAX_ORIGINAL_CHARS`, saying so when there is more."""
    source = message.body_html or message.body_text
    note = ""
    if len(source) > MAX_ORIGINAL_CHARS:
        note = f"[The first {MAX_ORIGINAL_CHARS:,} of {len(source):,} characters; long lines are broken for display.]\n"
        source = source[:MAX_ORIGINAL_CHARS]
    width = ORIGINAL_LINE_CHARS
    lines: list[str] = []
    for line in source.split("\n"):
        if len(line) <= width:
            lines.append(line)
        else:
            lines.extend(line[start : start + width] for start in range(0, len(line), width))
    return note + "\n".join(lines)


def _card_html(message: MessageView, look: _Look, when: str, body: str, muted: str) -> str:
    """A two-cell table: Qt's rich text only draws borders and backgrounds reliably on table cells. Only this
    function paints: bodies arrive without any colour or background of their own
    (see app.services.platform.sanitize)."""
    header = (
        f"<b>{html.escape(_clip(message.author_name, _MAX_AUTHOR_CHARS))}</b>"
        f' &nbsp;<span style="color:{look.ink}; font-weight:600">{look.label}</span>'
        f' &nbsp;<span style="color:{muted}">{when}</span>'
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="6" style="margin-top:4px; margin-bottom:4px">'
        f'<tr><td width="4" bgcolor="{look.bar}"></td>'
        f'<td bgcolor="{look.background}">{header}{body}</td></tr></table>'
    )


def _body_html(message: MessageView, budget: _Budget, muted: str) -> str:
    """Stored HTML is never trusted: it is capped, sanitised and bounded on every render (`display_html`).
    Plain text is escaped, keeps its lines and is capped the same way. Past the conversation's budget a message
    shows the start of its text part only."""
    if budget.spent:
        excerpt = _plain_html(_clip(message.body_text, _EXCERPT_CHARS))
        too_long = ("this conversation is too long to show every message in full",)
        return excerpt + _original_link(message, too_long, muted)
    limits = budget.limits()
    if message.body_html:
        from app.services.platform.sanitize import display_html  # nh3: with the first HTML message (issue 12)

        shown = display_html(message.body_html, limits)
        budget.spend(
            source=message.body_html,
            limits=limits,
            elements=shown.elements,
            table_cells=shown.table_cells,
            text_chars=shown.text_chars,
        )
        return f"<div>{shown.html}</div>" + (_original_link(message, shown.reasons, muted) if shown.simplified else "")
    text = message.body_text[: limits.max_text_chars]
    budget.spend(source="", limits=limits, elements=1, table_cells=0, text_chars=len(text))
    if len(text) == len(message.body_text):
        return _plain_html(text)
    return _plain_html(text) + _original_link(message, (f"longer than {limits.max_text_chars:,} characters",), muted)


def _plain_html(text: str) -> str:
    return f'<p style="white-space:pre-wrap">{html.escape(text)}</p>'


def _earlier_link(count: int, muted: str) -> str:
    """Where a long conversation is folded: how many messages, and the way to them."""
    noun = "message" if count == 1 else "messages"
    return (
        f'<p align="center" style="color:{muted}">{count:,} earlier {noun} not shown &nbsp;'
        f'<a href="{_EARLIER_SCHEME}:">Show {"it" if count == 1 else "them"}</a></p>'
    )


def _original_link(message: MessageView, reasons: Sequence[str], muted: str) -> str:
    """Under a body that was not shown in full: why, and the way to the rest."""
    why = html.escape("; ".join(reasons))
    return (
        f'<p style="color:{muted}; font-size:small">Shown simplified ({why}). '
        f'<a href="{_ORIGINAL_SCHEME}:{message.id}">Show the original</a></p>'
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _system_event_html(message: MessageView, when: str, muted: str) -> str:
    text = html.escape(_clip(message.body_text, _EXCERPT_CHARS))
    author = html.escape(_clip(message.author_name, _MAX_AUTHOR_CHARS))
    return f'<p align="center" style="color:{muted}; font-size:small">{text} · {author} · {when}</p>'


def _content_id(text: str) -> str:
    """Content-IDs arrive as ``<id>`` in MIME headers and as ``cid:id`` in HTML; keep the bare id."""
    if text[:4].lower() == "cid:":
        text = text[4:]
    return text.strip().strip("<>")


def _is_openable(url: QUrl) -> bool:
    scheme = url.scheme().lower()
    if not url.isValid() or scheme not in _OPENABLE_SCHEMES:
        return False
    return scheme not in _NEEDS_HOST or bool(url.host())


def _placeholder_image() -> QImage:
    """A small grey square where a refused image was: non-empty, so Qt does not go looking for the file."""
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(QColor("#dadce0"))
    return image
