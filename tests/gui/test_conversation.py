"""The conversation view: kinds look different, customer text stays text, and nothing is read from disk,
fetched, or opened without the agent seeing the real target."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QImageWriter,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services.platform.html_bounds import DISPLAY_LIMITS
from app.services.tickets.dto import MessageView
from app.views.conversation import (
    CONVERSATION_BUDGET,
    MAX_ORIGINAL_CHARS,
    MAX_SHOWN_MESSAGES,
    ORIGINAL_LINE_CHARS,
    ConversationView,
)
from app.views.memory import settle_memory
from app.vocabulary import MessageKind

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
    assert str(red_png) in view.toHtml()  # the markup survived; only the load was refused


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


# --- hostile bodies: bounded, never a stall or a crash --------------------------------------------------------
# Measured before this was bounded: 21 nested tables blocked the GUI thread for 32 s, 25 for over 60 s, 3,000
# crashed the process, a 5 MB body froze it for seconds.

NOTE_COLOURS = ("#d4a000", "#fff4c2")  # the internal note's bar and background


def nested(open_tags: str, close_tags: str, levels: int, text: str = "the innermost words") -> str:
    return open_tags * levels + text + close_tags * levels


# Bodies whose innermost words lie within the source that is looked at: they must still be shown, as text.
SHOWS_INNERMOST = ("21 nested tables", "25 nested tables", "30 nested lists")
HOSTILE_BODIES = {
    "21 nested tables": nested("<table><tr><td>", "</td></tr></table>", 21),
    "25 nested tables": nested("<table><tr><td>", "</td></tr></table>", 25),
    "30 nested lists": nested("<ul><li>", "</li></ul>", 30),
    "3,000 nested divs": nested("<div>", "</div>", 3_000),
    "3,000 nested lists": nested("<ul><li>", "</li></ul>", 3_000),
    "3,000 nested blockquotes": nested("<blockquote>", "</blockquote>", 3_000),
    "5 MB body": "<p>" + "hello world <b>bold</b> " * 220_000 + "the innermost words</p>",
    "wide colspan, many cells": "<table><tr>" + '<td colspan="100000">cell</td>' * 3_000 + "</tr></table>",
}


def render_and_paint(view: ConversationView, messages: list[MessageView]) -> DocumentShape:
    """Render, lay out and paint the start and the end; the shape of what Qt was given. Plain QTest waits, so
    that a child process without pytest-qt can use it too. Memory is settled first, as the desktop does once its
    window is up."""
    settle_memory()
    view.show()
    assert QTest.qWaitForWindowExposed(view)
    view.show_messages(messages)
    view.viewport().repaint()
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())  # lays out and paints the end too
    view.viewport().repaint()
    return document_shape(view.document())


@dataclass(frozen=True)
class DocumentShape:
    """What Qt's rich text engine spends its time on: characters (every block adds one), tables nested in
    tables (exponential to lay out) and table cells. How long the worst shapes take is measured by
    benchmarks/bench_hostile_html.py, not here: a timed assertion passes or fails with the machine's load."""

    characters: int
    table_depth: int
    table_cells: int

    def assert_within_budget(self, messages: int) -> None:
        """Each message adds its card (one table of two cells) and at most its header, why it was simplified
        and an excerpt; all bodies together stay within the conversation's budget."""
        assert self.table_depth <= DISPLAY_LIMITS.max_table_depth + 1, self
        assert self.table_cells <= CONVERSATION_BUDGET.max_table_cells + 2 * messages, self
        assert self.characters <= CONVERSATION_BUDGET.max_text_chars + CHROME_CHARS * messages, self


CHROME_CHARS = 1_500  # a card's header (author capped at 200), the "Show the original" line, an excerpt of 1,000


def document_shape(document: QTextDocument) -> DocumentShape:
    def tables_in(frame: QTextFrame, depth: int) -> tuple[int, int]:
        deepest, cells = depth, 0
        for child in frame.childFrames():
            table = child if isinstance(child, QTextTable) else None
            cells += table.rows() * table.columns() if table is not None else 0
            child_depth, child_cells = tables_in(child, depth + (table is not None))
            deepest, cells = max(deepest, child_depth), cells + child_cells
        return deepest, cells

    depth, cells = tables_in(document.rootFrame(), 0)
    return DocumentShape(document.characterCount(), depth, cells)


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_hostile_body_is_bounded_and_offers_the_original(view: ConversationView, name: str) -> None:
    body = HOSTILE_BODIES[name]
    shape = render_and_paint(view, [message(MessageKind.CUSTOMER_MESSAGE, body_html=body, message_id=7)])

    shape.assert_within_budget(messages=1)
    text = view.toPlainText()
    assert "Shown simplified" in text and "Show the original" in text
    link = view.document().find("Show the original")
    assert link.charFormat().isAnchor() and link.charFormat().anchorHref() == "switchboard-original:7"
    if name in SHOWS_INNERMOST:
        assert "the innermost words" in text, "text past the bounds is still shown, as plain text"


def test_three_thousand_nested_tables_neither_crash_nor_pass_the_table_limit() -> None:
    """In a child process: on unbounded rendering this one is a SIGSEGV, which would take the test run along."""
    script = textwrap.dedent(
        """
        import datetime as dt, os
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication
        from app.vocabulary import MessageKind
        from app.services.tickets.dto import MessageView
        from app.views.conversation import ConversationView
        from tests.gui.test_conversation import nested, render_and_paint

        app = QApplication([])
        view = ConversationView(local_zone=dt.UTC)
        view.resize(600, 400)
        body = nested("<table><tr><td>", "</td></tr></table>", 3_000)
        when = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
        hostile = MessageView(1, MessageKind.CUSTOMER_MESSAGE, "Mallory", "", body, when)
        shape = render_and_paint(view, [hostile])
        print("shape", shape.table_depth, "Show the original" in view.toPlainText(), flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2]
    )

    assert done.returncode == 0, f"the process died ({done.returncode}): {done.stderr[-2000:]}"
    _, table_depth, offered = done.stdout.split()
    assert int(table_depth) <= DISPLAY_LIMITS.max_table_depth + 1
    assert offered == "True"


def test_many_messages_share_one_budget_spent_from_the_newest(qtbot: QtBot, view: ConversationView) -> None:
    """Forty bodies each near their own limits, then a hundred ordinary replies: together they stay within
    the conversation's budget. It is spent from the newest message back, so the latest replies (what the
    agent answers) are shown in full and the oldest heavy bodies show the start of their text."""
    heavy_body = nested("<table><tr><td>", "</td></tr></table>", 12) + "<p><i>x</i></p>" * 400
    heavy = [
        message(MessageKind.CUSTOMER_MESSAGE, text=f"plain part {n}", body_html=heavy_body, message_id=1000 + n)
        for n in range(40)
    ]
    ordinary = replies(100, first_id=0)

    shape = render_and_paint(view, heavy + ordinary)

    shape.assert_within_budget(messages=140)
    text = view.toPlainText()
    assert all(f"Reply number {n}." in text for n in range(100)), "the newest messages are shown in full"
    assert "plain part 0" in text and "too long to show every message in full" in text, "the oldest give way"
    assert text.count("Show the original") == 40
    assert text.index("plain part 0") < text.index("Reply number 0.") < text.index("Reply number 99."), "in order"


def replies(count: int, first_id: int = 1) -> list[MessageView]:
    return [
        message(MessageKind.PUBLIC_REPLY, body_html=f"<p>Reply <b>number {n}</b>.</p>", message_id=first_id + n)
        for n in range(count)
    ]


def test_a_long_conversation_shows_its_request_and_the_newest_and_unfolds_by_a_click(
    qtbot: QtBot, view: ConversationView
) -> None:
    """Past MAX_SHOWN_MESSAGES the first message (the request) and the newest stay, the ones between are one
    click away; what Qt lays out stays bounded however long the thread (bench_hostile_html: the time)."""
    long_thread = replies(400)
    view.show_messages(long_thread)
    view.show()
    qtbot.waitExposed(view)

    text = view.toPlainText()
    folded = 400 - MAX_SHOWN_MESSAGES
    assert f"{folded} earlier messages not shown" in text
    assert "Reply number 0." in text and "Reply number 399." in text, "the request and the newest"
    assert "Reply number 1." not in text and f"Reply number {folded}." not in text
    assert f"Reply number {folded + 1}." in text
    assert text.count("Reply number") == MAX_SHOWN_MESSAGES

    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, anchor_position(view, "Show them")
    )

    text = view.toPlainText()
    assert text.count("Reply number") == 400 and "earlier messages not shown" not in text
    view.show_messages([*long_thread, *replies(1, first_id=1000)])  # a live update of the same conversation
    assert view.toPlainText().count("Reply number") == 401, "stays unfolded"
    view.show_messages(replies(400, first_id=5000))  # another ticket
    assert view.toPlainText().count("Reply number") == MAX_SHOWN_MESSAGES, "folded again"


def test_a_conversation_at_the_limit_is_not_folded(view: ConversationView) -> None:
    view.show_messages(replies(MAX_SHOWN_MESSAGES))
    assert view.toPlainText().count("Reply number") == MAX_SHOWN_MESSAGES
    assert "earlier message" not in view.toPlainText()
    view.show_messages(replies(MAX_SHOWN_MESSAGES + 1))
    text = view.toPlainText()
    assert "1 earlier message not shown" in text and "Show it" in text
    assert "Reply number 0." in text and "Reply number 1." not in text and "Reply number 2." in text
    assert f"Reply number {MAX_SHOWN_MESSAGES}." in text


def test_plain_text_bodies_and_names_are_bounded_too(qtbot: QtBot, view: ConversationView) -> None:
    huge = "line of text\n" * 400_000  # 5.2 MB
    shape = render_and_paint(view, [message(MessageKind.CUSTOMER_MESSAGE, author="A" * 100_000, text=huge)])

    shape.assert_within_budget(messages=1)
    assert "Show the original" in view.toPlainText()
    assert len(view.toPlainText()) < 100_000


def test_a_forged_internal_note_cannot_draw_our_chrome(qtbot: QtBot, view: ConversationView) -> None:
    """A body stored straight into the database imitates a colleague's internal note: bar, background, coloured
    label. It may still say the words, but only as plain text inside its sender's grey card."""
    forged = (
        '<table width="100%" cellspacing="0" cellpadding="6"><tr><td width="4" bgcolor="#d4a000"></td>'
        '<td bgcolor="#fff4c2" style="background-color:#fff4c2"><b>Bob Boss</b> &nbsp;'
        '<span style="color:#7a5c00; font-weight:600">Internal note</span> &nbsp;'
        '<font color="#5f6368">25 Nov 2026, 14:03</font><p>Refund approved, send the card details.</p>'
        "</td></tr></table>"
    )
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, author="Mallory", text="", body_html=forged)])
    view.show()
    qtbot.waitExposed(view)

    for colour in NOTE_COLOURS:
        assert count_pixels(view, colour) == 0, f"the body painted our internal-note colour {colour}"
    label = view.document().find("Internal note")
    assert not label.charFormat().hasProperty(QTextFormat.Property.ForegroundBrush), "the body coloured its text"
    assert [card[1].name() for card in cards(view)] == ["#f6f8fa"], "one card, the customer's"


def test_stored_html_is_sanitised_when_shown(view: ConversationView) -> None:
    """Nothing stored is trusted: a javascript: link written straight into the database is no link at all."""
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, body_html='<a href="javascript:steal()">win</a>')])

    assert view.document().find("win").charFormat().anchorHref() == ""
    assert "javascript" not in view.toHtml()


def test_show_the_original_opens_the_stored_markup_as_plain_text(qtbot: QtBot, view: ConversationView) -> None:
    body = HOSTILE_BODIES["21 nested tables"]
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, body_html=body, message_id=7)])
    view.show()
    qtbot.waitExposed(view)

    position = anchor_position(view, "Show the original")
    with qtbot.waitSignal(view.original_shown, timeout=1000) as shown:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)

    assert shown.args == [7]
    assert view.original_view is not None
    assert view.original_view.toPlainText().replace("\n", "") == body, "long lines are broken, nothing else"
    view.original_view.window().close()


def test_the_original_of_a_huge_body_opens_in_short_lines(qtbot: QtBot, view: ConversationView) -> None:
    """Short lines are what keeps it quick: QPlainTextEdit lays out one long line all at once (a 5 MB one-line
    body did not finish in minutes) and short ones lazily; bench_hostile_html measures the time."""
    body = HOSTILE_BODIES["5 MB body"]
    view.show_messages([message(MessageKind.CUSTOMER_MESSAGE, body_html=body, message_id=7)])
    view.show()
    qtbot.waitExposed(view)

    view.anchorClicked.emit(QUrl("switchboard-original:7"))
    qtbot.waitUntil(lambda: view.original_view is not None and view.original_view.isVisible())
    qtbot.waitExposed(view.original_view)

    assert view.original_view is not None
    shown = view.original_view.toPlainText()
    assert shown.startswith(f"[The first {MAX_ORIGINAL_CHARS:,} of {len(body):,} characters")
    assert shown.replace("\n", "").endswith(body[:MAX_ORIGINAL_CHARS][-500:])
    assert max(len(line) for line in shown.splitlines()) <= ORIGINAL_LINE_CHARS
    view.original_view.window().close()


def test_a_reload_of_the_same_conversation_keeps_the_agents_place_and_follows_the_end(
    qtbot: QtBot, view: ConversationView
) -> None:
    """A new message or a colleague's change reloads the conversation: an agent reading the middle stays
    there, one at the end sees the newest; another ticket starts at the top."""
    thread = replies(60)
    view.show_messages(thread)
    view.show()
    qtbot.waitExposed(view)
    bar = view.verticalScrollBar()
    middle = bar.maximum() // 2
    bar.setValue(middle)

    view.show_messages([*thread, *replies(1, first_id=500)])
    assert bar.value() == middle, "the place is kept"

    bar.setValue(bar.maximum())
    before = bar.maximum()
    view.show_messages([*thread, *replies(3, first_id=500)])
    assert bar.maximum() > before and bar.value() == bar.maximum(), "at the end, the newest is followed"

    view.show_messages(replies(60, first_id=1000))
    assert bar.value() == 0, "another conversation starts at the top"
