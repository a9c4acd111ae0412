"""The conversation pane: a ticket's messages as rich text that can load nothing from disk or the network.

Message bodies come from strangers. The HTML parts are sanitised before they reach us, but Qt's rich text
engine will still read local files named in an ``<img src>`` (``/dev/zero`` kills the process), so this module
decides every resource itself and treats every link as hostile until the agent confirms its real target.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

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


@dataclass(frozen=True)
class _Look:
    """How one kind of message is drawn; the label is there so colour is never the only cue."""

    label: str
    bar: str
    background: str
    ink: str  # the label's colour: darker than the bar where the bar would not read on the background


_LOOKS: dict[str, _Look] = {
    "customer_message": _Look("Customer", bar="#9aa0a6", background="#f6f8fa", ink=_MUTED),
    "public_reply": _Look("Public reply", bar="#1a73e8", background="#eef4fd", ink="#1a73e8"),
    "internal_note": _Look("Internal note", bar="#d4a000", background="#fff4c2", ink="#7a5c00"),
}
# A kind added later must still render, and neutral is the safe guess: it never looks like an internal note.
_FALLBACK_LOOK = _LOOKS["customer_message"]


class ConversationView(QTextBrowser):
    """Read-only view of one ticket's messages.

    Links are never followed by Qt itself: only http, https and mailto may be opened, and only after
    `confirm_link` showed the agent the real target (link text in an email can say anything).

    Attributes:
        local_zone: the zone times are shown in; None means the computer's own zone.

    Signals:
        link_opened(str): a confirmed link was handed to the desktop.
        link_refused(str): a link with a scheme we never open (javascript:, file:, ...) was clicked.
    """

    link_opened = Signal(str)
    link_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, local_zone: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self.local_zone = local_zone
        self._inline_images: dict[str, bytes] = {}
        self._decoded_images: dict[str, QImage | None] = {}
        self.setDocument(_GuardedDocument(self))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)

    def show_messages(self, messages: Sequence[MessageView], inline_images: Mapping[str, bytes] | None = None) -> None:
        """Replace the conversation. `inline_images` maps Content-IDs (with or without ``cid:``/``<>``) to the
        bytes of the message's own MIME parts: the only images this view will ever show."""
        self._inline_images = {_content_id(key): data for key, data in (inline_images or {}).items()}
        self._decoded_images = {}
        self.setHtml(self._conversation_html(messages))

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
        if not messages:
            return f'<p align="center" style="color:{_MUTED}">No messages yet.</p>'
        return "".join(self._message_html(message) for message in messages)

    def _message_html(self, message: MessageView) -> str:
        kind = _kind_value(message)
        when = format_local_time(message.created_at, self.local_zone)
        if kind == _SYSTEM_EVENT:
            return _system_event_html(message, when)
        return _card_html(message, _LOOKS.get(kind, _FALLBACK_LOOK), when)


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


def _card_html(message: MessageView, look: _Look, when: str) -> str:
    """A two-cell table: Qt's rich text only draws borders and backgrounds reliably on table cells."""
    header = (
        f"<b>{html.escape(message.author_name)}</b>"
        f' &nbsp;<span style="color:{look.ink}; font-weight:600">{look.label}</span>'
        f' &nbsp;<span style="color:{_MUTED}">{when}</span>'
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="6" style="margin-top:4px; margin-bottom:4px">'
        f'<tr><td width="4" bgcolor="{look.bar}"></td>'
        f'<td bgcolor="{look.background}">{header}{_body_html(message)}</td></tr></table>'
    )


def _body_html(message: MessageView) -> str:
    """body_html was sanitised on the way in, so it goes in as is; plain text is escaped and keeps its lines."""
    if message.body_html:
        return f"<div>{message.body_html}</div>"
    return f'<p style="white-space:pre-wrap">{html.escape(message.body_text)}</p>'


def _system_event_html(message: MessageView, when: str) -> str:
    text = html.escape(message.body_text)
    author = html.escape(message.author_name)
    return f'<p align="center" style="color:{_MUTED}; font-size:small">{text} · {author} · {when}</p>'


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
