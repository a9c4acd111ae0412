"""The conversation view: kinds look different, customer text stays text, and nothing is read from disk,
fetched, or opened without the agent seeing the real target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage, QImageWriter, QTextCursor, QTextDocument, QTextTable
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.models.enums import MessageKind
from app.services.tickets.dto import MessageView
from app.views.conversation import ConversationView

WHEN = dt.datetime(2026, 11, 25, 13, 3, tzinfo=dt.UTC)
IMAGE = QTextDocument.ResourceType.ImageResource.value


def message(
    kind: MessageKind,
    *,
    author: str = "Ada",
    text: str = "Hello",
    body_html: str | None = None,
    message_id: int = 1,
) -> MessageView:
    return MessageView(
        id=message_id, kind=kind, author_name=author, body_text=text, body_html=body_html, created_at=WHEN
    )


def png_bytes(colour: str, width: int = 40, height: int = 30) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert QImageWriter(buffer, QByteArray(b"PNG")).write(image)
    return bytes(data.data())


def count_pixels(view: ConversationView, colour: str) -> int:
    """Paint the view for real and count pixels of one colour: the outcome a person would see."""
    image = view.viewport().grab().toImage()
    wanted = QColor(colour)
    return sum(1 for x in range(image.width()) for y in range(image.height()) if image.pixelColor(x, y) == wanted)


def cards(view: ConversationView) -> list[tuple[QColor, QColor]]:
    """(left bar colour, background colour) of each message card, read back from the document."""
    found = []
    for frame in view.document().rootFrame().childFrames():
        assert isinstance(frame, QTextTable)
        bar = frame.cellAt(0, 0).format().background().color()
        background = frame.cellAt(0, 1).format().background().color()
        found.append((bar, background))
    return found


def recording_confirmation(asked: list[str], *, answer: bool) -> Callable[[QUrl], bool]:
    """Stands in for the dialog: remembers which target the agent would have been asked about."""

    def confirm(target: QUrl) -> bool:
        asked.append(target.toString())
        return answer

    return confirm


@pytest.fixture
def view(qtbot: QtBot) -> ConversationView:
    widget = ConversationView(local_zone=dt.UTC)
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    return widget


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[QUrl]]:
    """Record what would have been handed to the desktop instead of starting a browser."""
    calls: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        calls.append(QUrl(url))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    yield calls


# --- how messages look ---------------------------------------------------------------------------------------


def test_the_three_kinds_render_distinctly(view: ConversationView) -> None:
    view.show_messages(
        [
            message(MessageKind.CUSTOMER_MESSAGE, author="Carla Customer", text="My printer is on fire"),
            message(MessageKind.PUBLIC_REPLY, author="Alan Agent", text="Please unplug it"),
            message(MessageKind.INTERNAL_NOTE, author="Alan Agent", text="Third fire this month"),
        ]
    )

    text = view.toPlainText()
    for expected in ("Carla Customer", "My printer is on fire", "Please unplug it", "Third fire this month"):
        assert expected in text
    assert text.count("Internal note") == 1
    assert "Customer" in text and "Public reply" in text

    (customer_bar, customer_bg), (reply_bar, _), (note_bar, note_bg) = cards(view)
    assert len({customer_bar.name(), reply_bar.name(), note_bar.name()}) == 3
    assert abs(customer_bar.red() - customer_bar.blue()) < 20, "customer bar should be a neutral grey"
    assert reply_bar.blue() > reply_bar.red() + 60, "reply bar should be blue"
    assert note_bg.red() > 200 and note_bg.green() > 200 and note_bg.blue() < 220, "note should be yellow"
    assert note_bg.name() != customer_bg.name()


def test_system_event_is_a_small_centred_line_not_a_card(view: ConversationView) -> None:
    view.show_messages([message(MessageKind.SYSTEM_EVENT, author="Alan Agent", text="Status changed to Pending")])

    assert cards(view) == []
    block = view.document().find("Status changed to Pending").block()
    assert block.isValid()
    assert block.blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter
    assert "Alan Agent" in view.toPlainText()


def test_times_are_shown_in_the_local_zone(qtbot: QtBot) -> None:
    view = ConversationView(local_zone=dt.timezone(dt.timedelta(hours=1)))
    qtbot.addWidget(view)

    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE)])

    assert "25 Nov 2026, 14:03" in view.toPlainText()
    assert "13:03" not in view.toPlainText()


def test_hostile_author_and_body_are_shown_literally(view: ConversationView) -> None:
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, author="<b>x</b>", text="<i>hi</i>\n<a href=x>y</a>")])

    text = view.toPlainText()
    assert "<b>x</b>" in text
    assert "<i>hi</i>" in text
    assert "<a href=x>y</a>" in text
    assert not any(view.document().find(needle).charFormat().isAnchor() for needle in ("y", "x"))


def test_sanitised_html_body_is_rendered_as_html(view: ConversationView) -> None:
    view.show_messages([message(MessageKind.PUBLIC_REPLY, text="ignored", body_html="<p>Hello <b>bold</b> world</p>")])

    assert "Hello bold world" in view.toPlainText()
    assert "<b>" not in view.toPlainText()
    cursor = view.document().find("bold")
    assert cursor.charFormat().fontWeight() >= 600


def test_empty_conversation_says_so(view: ConversationView) -> None:
    view.show_messages([])

    assert "No messages yet." in view.toPlainText()


# --- resources -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://tracker.example/pixel.png",
        "https://tracker.example/pixel.png",
        "file:///etc/passwd",
        "/etc/passwd",
        "/dev/zero",
        "data:image/png;base64,iVBORw0KGgo=",
        "qrc:/qt-project.org/styles/commonstyle/images/file-16.png",
        "cid:not-in-this-message@example.com",
    ],
)
def test_load_resource_refuses_everything_but_own_cid_parts(view: ConversationView, url: str) -> None:
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE)], {"logo@example.com": png_bytes("blue")})

    assert view.loadResource(IMAGE, QUrl(url)) is None


def test_load_resource_serves_own_cid_image(view: ConversationView) -> None:
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE)], {"<logo@example.com>": png_bytes("blue", 40, 30)})

    image = view.loadResource(IMAGE, QUrl("cid:logo@example.com"))

    assert isinstance(image, QImage)
    assert not image.isNull()
    assert (image.width(), image.height()) == (40, 30)
    stylesheet = QTextDocument.ResourceType.StyleSheetResource.value
    assert view.loadResource(stylesheet, QUrl("cid:logo@example.com")) is None


def test_inline_images_belong_to_one_conversation(view: ConversationView) -> None:
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE)], {"logo@example.com": png_bytes("blue")})
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE)])

    assert view.loadResource(IMAGE, QUrl("cid:logo@example.com")) is None


def test_hostile_images_neither_crash_nor_read_local_files(
    qtbot: QtBot, view: ConversationView, tmp_path: Path
) -> None:
    """A red PNG on disk proves the point: Qt's defaults would paint it; this view must not."""
    red_png = tmp_path / "secret.png"
    red_png.write_bytes(png_bytes("#ff0000"))
    body = (
        '<img src="/dev/zero"><img src="file:///etc/hostname">'
        f'<img src="{red_png}"><img src="{QUrl.fromLocalFile(str(red_png)).toString()}">'
        '<img src="cid:logo@example.com">'
    )
    view.show_messages(
        [message(MessageKind.CUSTOMER_MESSAGE, body_html=body)], {"logo@example.com": png_bytes("#0000ff")}
    )
    view.show()
    qtbot.waitExposed(view)

    assert count_pixels(view, "#ff0000") == 0
    assert count_pixels(view, "#0000ff") == 40 * 30
    assert "file:///etc/hostname" in view.toHtml()  # the markup survived; only the load was refused


# --- links ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://files.example/x", "relative/page.html", "https:x"]
)
def test_unsafe_links_are_refused_without_asking(
    qtbot: QtBot, view: ConversationView, opened: list[QUrl], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(view, "confirm_link", recording_confirmation(asked, answer=True))

    with qtbot.waitSignal(view.link_refused, timeout=1000) as refused:
        view.anchorClicked.emit(QUrl(url))

    assert refused.args == [QUrl(url).toString()]
    assert opened == []
    assert asked == []


def test_declined_link_is_not_opened(
    qtbot: QtBot, view: ConversationView, opened: list[QUrl], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(view, "confirm_link", recording_confirmation(asked, answer=False))

    with qtbot.assertNotEmitted(view.link_opened), qtbot.assertNotEmitted(view.link_refused):
        view.anchorClicked.emit(QUrl("https://evil.example/login"))

    assert asked == ["https://evil.example/login"]
    assert opened == []


@pytest.mark.parametrize(
    "url", ["https://evil.example/login?next=%2Fhome", "http://plain.example/", "mailto:a@b.example"]
)
def test_confirmed_link_opens_exactly_its_target(
    qtbot: QtBot, view: ConversationView, opened: list[QUrl], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(view, "confirm_link", recording_confirmation(asked, answer=True))

    with qtbot.waitSignal(view.link_opened, timeout=1000) as signal:
        view.anchorClicked.emit(QUrl(url))

    assert [target.toString() for target in opened] == [QUrl(url).toString()]
    assert signal.args == [QUrl(url).toString()]
    assert asked == [QUrl(url).toString()]


@pytest.mark.parametrize(
    "button", [QMessageBox.StandardButton.Open, QMessageBox.StandardButton.Cancel], ids=["open", "cancel"]
)
def test_confirmation_shows_the_real_target_as_plain_text(
    view: ConversationView, monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton
) -> None:
    shown: list[tuple[str, Qt.TextFormat]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.text(), box.textFormat()))
        box.button(button).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    target = QUrl("https://evil.example/<b>login</b>")

    confirmed = view.confirm_link(target)

    assert shown == [(target.toString(), Qt.TextFormat.PlainText)]
    assert confirmed is (button == QMessageBox.StandardButton.Open)


def test_clicking_a_disguised_link_asks_about_its_real_target(
    qtbot: QtBot, view: ConversationView, opened: list[QUrl], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link text claims one bank; the href is another. A real mouse click must surface the href."""
    asked: list[str] = []
    monkeypatch.setattr(view, "confirm_link", recording_confirmation(asked, answer=False))
    body = '<p><a href="https://evil.example/login">https://bank.example/</a></p>'
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, body_html=body)])
    view.show()
    qtbot.waitExposed(view)

    position = anchor_position(view, "bank.example")
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)

    assert asked == ["https://evil.example/login"]
    assert opened == []


def anchor_position(view: ConversationView, text: str) -> QPoint:
    cursor = view.document().find(text)
    assert not cursor.isNull() and cursor.charFormat().isAnchor()
    middle = QTextCursor(view.document())
    middle.setPosition((cursor.selectionStart() + cursor.selectionEnd()) // 2)
    return view.cursorRect(middle).center()
