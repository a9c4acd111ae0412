"""The ticket editor by keyboard, through the real window on a real database (issue 11, findings 1, 3, 4, 5):
the composer never traps the keyboard, status moves offer only what the lifecycle allows, canned responses
are chosen by typing, and a colleague's change never wipes the agent's unsaved header edits.

Keys are pressed on whichever widget has the keyboard (`press`), as an agent's keyboard would; what matters
is checked in the database through the agent's own login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.tickets import service
from app.services.tickets.dto import FieldChanges, TicketDetail
from app.views.editor import CONVERSATION_TAB, HISTORY_TAB
from app.views.main_window import MainWindow
from app.vocabulary import MessageKind, Priority
from tests.support.desk_window import close_window, open_desk_window, runtime_as, wait_until_listening
from tests.support.queue_rows import listed
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
SIGNATURE = "Alice Archer\nBilling team"
# Pickers are popups; the offscreen platform of the tests can neither raise them nor grab the keyboard for
# them (a real display can): the only Qt warnings these tests let pass.
offscreen_popups = pytest.mark.qt_log_ignore(
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    """Three new Billing tickets from Jane; responses for everyone, for Billing and for Tech; alice's signature."""
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        for subject in ("Printer on fire", "VPN drops hourly", "Invoice INV-2026-00042 is wrong"):
            service.create_ticket(
                uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body=f"{subject}. Please help."
            )
        uow.commit()
    with world.trusted_uow() as uow:
        for title, body, queue in (
            ("Thanks, looking into it", "Hi {customer_first_name}, we are on it.\n{signature}", None),
            ("Need more details", "Hi {customer_first_name}, could you send a screenshot?\n{signature}", None),
            ("Refund sent", "Hi {customer_first_name}, the refund for #{ticket_number} is on its way.", world.billing),
            ("Reboot the router", "Please reboot it.", world.tech),
        ):
            uow.session.execute(
                text("INSERT INTO switchboard.canned_response (title, body, queue_id) VALUES (:t, :b, :q)"),
                {"t": title, "b": body, "q": queue},
            )
        uow.session.execute(
            text(
                "INSERT INTO switchboard.agent_preference (agent_id, key, value)"
                " VALUES (:a, 'signature', CAST(:v AS jsonb))"
            ),
            {"a": world.alice, "v": json.dumps(SIGNATURE)},
        )
        uow.commit()
    return world


def open_window(qtbot: QtBot, engine: Engine, tmp_path: Path, *, live_updates: bool = False) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path, live_updates=live_updates)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.editor.detail is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    window.table.setFocus()  # where an agent starts: the queue
    return window


close = close_window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


def keyboard() -> QWidget:
    """Where a key goes: an open popup's focused widget, the popup itself (a menu), or the focus widget."""
    popup, focus = QApplication.activePopupWidget(), QApplication.focusWidget()
    if popup is not None and not (focus is not None and popup.isAncestorOf(focus)):
        return popup
    return focused()


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key, pressed where the keyboard is."""
    qtbot.keyClick(keyboard(), key, modifier)


def read_ticket(engine: Engine, ticket_id: int) -> TicketDetail:
    """What landed, read through alice's own login."""
    return HelpDesk(runtime_as(engine, "alice")).tickets.ticket(ticket_id)


def shown_id(window: MainWindow) -> int | None:
    return window.editor.detail.ticket.id if window.editor.detail is not None else None


# --- finding 1: the composer never traps the keyboard ------------------------------------------------------


def test_esc_and_tab_leave_the_composer_and_the_queue_keys_work_again(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor, first = window.editor, shown_id(window)
    press(qtbot, Qt.Key.Key_R)
    assert focused() is editor.composer
    qtbot.keyClicks(focused(), "Hello")
    press(qtbot, Qt.Key.Key_Tab)  # Tab moves on, it types no tab
    assert focused() is not editor.composer and editor.composer.toPlainText() == "Hello"
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is editor.composer
    press(qtbot, Qt.Key.Key_Escape)  # back to the queue, the draft kept
    assert focused() is window.table
    assert editor.composer.toPlainText() == "Hello"
    press(qtbot, Qt.Key.Key_J)  # J is the queue's again: the next ticket, no letter in the reply
    qtbot.waitUntil(lambda: shown_id(window) == listed(window.model)[1].id, timeout=5000)
    assert editor.composer.toPlainText() == ""
    press(qtbot, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: shown_id(window) == first, timeout=5000)
    assert editor.composer.toPlainText() == "Hello"
    close(window, qtbot)


def test_sending_hands_the_keyboard_back_to_the_queue(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor, first = window.editor, shown_id(window)
    assert first is not None
    press(qtbot, Qt.Key.Key_R)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # nothing written yet: said, not sent
    assert window.status.currentMessage() == "Nothing to send: write the reply or note first."
    qtbot.keyClicks(focused(), "On it.")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: focused() is window.table, timeout=5000)
    assert shown_id(window) == first  # a plain send stays on the ticket
    assert window.status.currentMessage().startswith("Reply sent on #")  # and says so
    press(qtbot, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: shown_id(window) == listed(window.model)[1].id, timeout=5000)
    assert editor.composer.toPlainText() == ""
    assert [m.body_text for m in read_ticket(engine, first).messages][-1] == "On it."
    close(window, qtbot)


def test_send_and_next_sends_with_the_status_in_one_save_and_lands_on_the_next_ticket(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    first, second = (listed(window.model)[i] for i in (0, 1))
    assert shown_id(window) == first.id
    press(qtbot, Qt.Key.Key_R)
    qtbot.keyClicks(focused(), "Refund is on its way.")
    assert window.editor.composer_panel.then() == "answered"  # the likely status after a reply
    held = keyboard()  # Shift still down when the next ticket is chosen, as a person's hand is
    qtbot.keyPress(held, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: shown_id(window) == second.id and focused() is window.table, timeout=5000)
    qtbot.keyRelease(held, Qt.Key.Key_Shift)
    assert window.table.selected_ids() == [second.id]  # not the sent one too: B would have changed both
    landed = read_ticket(engine, first.id)
    assert (landed.ticket.status, landed.ticket.version) == ("answered", first.version + 1)  # one transaction
    assert landed.messages[-1].kind is MessageKind.PUBLIC_REPLY
    assert landed.messages[-1].body_text == "Refund is on its way."
    assert landed.ticket.first_response_at is not None
    close(window, qtbot)


# --- finding 4: only the lifecycle's moves, the likely one preselected ---------------------------------------


@offscreen_popups
def test_the_status_picker_offers_only_allowed_moves_and_enter_takes_the_likely_one(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor = window.editor
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    with world.uow("alice") as uow:  # the ticket is being worked on
        service.change_status(uow, ticket_id=ticket.id, status="in_progress", expected_version=ticket.version)
        uow.commit()
    editor.reload()
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.status == "in_progress", timeout=5000)
    window.table.setFocus()
    assert editor.vocabulary is not None
    allowed = editor.vocabulary.targets("in_progress")
    assert "new" not in allowed

    header = [editor.status.itemData(i) for i in range(editor.status.count())]
    assert header == ["in_progress", *allowed]  # the header: the status it is in, and where it may go
    then = [editor.composer_panel.then_status.itemData(i) for i in range(editor.composer_panel.then_status.count())]
    assert then == [None, *allowed] and editor.composer_panel.then() == "answered"
    assert "In progress" in editor.composer_panel.then_status.itemText(0)  # "(unchanged: In progress)"

    press(qtbot, Qt.Key.Key_S)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu is editor.status_menu
    offered = [action.data() for action in menu.actions()]
    assert offered == allowed
    active = menu.activeAction()
    assert active is not None and active.data() == "waiting"  # the next one along, not "New"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.status == "waiting", timeout=5000)
    assert getattr(editor, "error_box", None) is None
    assert read_ticket(engine, ticket.id).ticket.status == "waiting"
    close(window, qtbot)


@offscreen_popups
def test_p_changes_the_priority_by_keyboard_and_tab_leaves_the_queue(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """P: Urgent to Low, the ticket's own not offered, saved at once (it took the mouse on the header's
    drop-down and Ctrl+S); Tab leaves the queue's table instead of walking through its cells."""
    window = open_window(qtbot, engine, tmp_path)
    editor = window.editor
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    assert ticket.priority is Priority.NORMAL
    press(qtbot, Qt.Key.Key_P)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu is editor.priority_menu
    assert [(a.text(), a.isEnabled()) for a in menu.actions()] == [
        ("Urgent", True),
        ("High", True),
        ("Normal (now)", False),
        ("Low", True),
    ]
    press(qtbot, Qt.Key.Key_Down)  # from Urgent to High
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.priority is Priority.HIGH, timeout=5000)
    assert read_ticket(engine, ticket.id).ticket.priority is Priority.HIGH
    assert window.status.currentMessage() == f"#{ticket.number} is high priority now."
    window.activateWindow()  # a closed popup leaves offscreen Qt with no active window
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is not window.table
    close(window, qtbot)


def test_another_ticket_opens_on_its_conversation(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    """J from a ticket's History tab opened the next one on History too (usability probe, 2026-12-07)."""
    window = open_window(qtbot, engine, tmp_path)
    editor, first = window.editor, shown_id(window)
    editor.tabs.setCurrentIndex(HISTORY_TAB)
    window.table.setFocus()
    press(qtbot, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: shown_id(window) not in (None, first), timeout=5000)
    assert editor.tabs.currentIndex() == CONVERSATION_TAB
    close(window, qtbot)


def test_a_note_leaves_the_status_unless_chosen_and_goes_with_it_in_one_save(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor, ticket = window.editor, listed(window.model)[0]
    press(qtbot, Qt.Key.Key_N)
    assert editor.composer_panel.then() is None  # a note changes nothing by itself
    qtbot.keyClicks(focused(), "Asked the bank.")
    then = editor.composer_panel.then_status
    then.setCurrentIndex(then.findData("pending"))
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.status == "pending", timeout=5000)
    landed = read_ticket(engine, ticket.id)
    assert (landed.ticket.status, landed.ticket.version) == ("pending", ticket.version + 1)
    assert landed.messages[-1].kind is MessageKind.INTERNAL_NOTE and landed.ticket.first_response_at is None
    close(window, qtbot)


def test_a_note_never_becomes_a_reply_by_a_keypress(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    """N, an internal note, Esc, R: the reply's own (empty) draft, not the note ready to go to the customer;
    each mode keeps its text, and the buttons say who reads it (usability probe, 2026-12-07)."""
    window = open_window(qtbot, engine, tmp_path)
    editor, panel, first = window.editor, window.editor.composer_panel, shown_id(window)
    press(qtbot, Qt.Key.Key_N)
    qtbot.keyClicks(focused(), "INTERNAL ONLY: on the churn list")
    assert panel.send_button.text() == "Add note"
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_R)
    assert (panel.mode, editor.composer.toPlainText(), panel.send_button.text()) == ("reply", "", "Send to customer")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # nothing to send to the customer
    assert window.status.currentMessage() == "Nothing to send: write the reply or note first."
    qtbot.keyClicks(focused(), "Dear Jane,")
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_N)
    assert editor.composer.toPlainText() == "INTERNAL ONLY: on the churn list"
    qtbot.keyClicks(focused(), "; asked finance")
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_J)  # away and back: it opens in the mode last written in, both drafts kept
    qtbot.waitUntil(lambda: shown_id(window) == listed(window.model)[1].id, timeout=5000)
    press(qtbot, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: shown_id(window) == first, timeout=5000)
    assert (panel.mode, editor.composer.toPlainText()) == ("note", "INTERNAL ONLY: on the churn list; asked finance")
    press(qtbot, Qt.Key.Key_R)
    assert editor.composer.toPlainText() == "Dear Jane,"
    assert first is not None and [m.body_text for m in read_ticket(engine, first).messages] == [
        "Printer on fire. Please help."
    ]
    close(window, qtbot)


# --- finding 5: responses chosen by typing, inserted once ---------------------------------------------------


@offscreen_popups
def test_a_response_is_chosen_by_typing_filled_in_by_the_server_and_inserted_once(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor, panel = window.editor, window.editor.composer_panel
    number = editor.detail.ticket.number  # type: ignore[union-attr]
    press(qtbot, Qt.Key.Key_R)
    press(qtbot, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    picker = panel.picker
    qtbot.waitUntil(lambda: picker.isVisible() and focused() is picker.search)
    qtbot.waitUntil(lambda: picker.responses is not None, timeout=5000)
    titles = [picker.results.item(i).text() for i in range(picker.results.count())]
    assert titles == ["Need more details", "Refund sent", "Thanks, looking into it"]  # Billing's and everyone's
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down):
        press(qtbot, key)  # arrows only move the highlight
    assert editor.composer.toPlainText() == ""
    assert picker.results.currentItem().text() == "Thanks, looking into it"
    qtbot.keyClicks(focused(), "ref")
    assert [picker.results.item(i).text() for i in range(picker.results.count())] == ["Refund sent"]
    press(qtbot, Qt.Key.Key_Return)
    assert not picker.isVisible() and focused() is editor.composer
    expected = f"Hi Jane, the refund for #{number} is on its way."
    qtbot.waitUntil(lambda: editor.composer.toPlainText() == expected, timeout=5000)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0)
    assert editor.composer.toPlainText().count("refund") == 1

    press(qtbot, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # a second one goes on a new line
    qtbot.waitUntil(lambda: focused() is picker.search)
    qtbot.keyClicks(focused(), "thanks")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "we are on it" in editor.composer.toPlainText(), timeout=5000)
    assert editor.composer.toPlainText() == f"{expected}\nHi Jane, we are on it.\n{SIGNATURE}"
    close(window, qtbot)


def test_the_agent_edits_their_signature_from_the_composer(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    qtbot.mouseClick(window.editor.composer_panel.signature_button, Qt.MouseButton.LeftButton)
    dialog = window.editor.signature_dialog
    qtbot.waitUntil(lambda: dialog.text.isEnabled() and dialog.text.toPlainText() == SIGNATURE, timeout=5000)
    dialog.text.selectAll()
    qtbot.keyClicks(dialog.text, "Alice, Billing")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert HelpDesk(runtime_as(engine, "alice")).responses.signature() == "Alice, Billing"
    close(window, qtbot)


# --- finding 3: a colleague's change never wipes unsaved header edits -----------------------------------------


def test_unsaved_header_edits_survive_a_colleagues_change_and_ctrl_s_saves_them_on_top(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path, live_updates=True)
    editor, header = window.editor, window.editor.header_form
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    wait_until_listening(qtbot, window)
    header.tags.setFocus()
    qtbot.keyClicks(focused(), "vip, refund")  # only alice changes the tags
    header.subject.setFocus()
    header.subject.selectAll()
    qtbot.keyClicks(focused(), "Printer on fire, refund promised")  # both change the subject

    with world.uow("carol") as uow:  # carol saves first: the subject and the priority
        service.edit_ticket(
            uow,
            ticket_id=ticket.id,
            changes=FieldChanges(subject="Printer on fire (duplicate of #10002)", priority=Priority.HIGH),
            status=None,
            expected_version=ticket.version,
        )
        uow.commit()
    qtbot.waitUntil(
        lambda: editor.detail is not None and editor.detail.ticket.version == ticket.version + 1, timeout=5000
    )
    assert header.priority.currentText() == "High"  # untouched by alice: carol's value
    assert header.tags.text() == "vip, refund"  # only alice's: kept
    assert header.subject.text() == "Printer on fire, refund promised"  # both: alice's kept, marked
    assert set(header.conflicts) == {"subject"} and header.conflict_bar.isVisible()
    tooltip = header.subject.toolTip()
    assert "Carol Chen changed this to" in tooltip and "duplicate of #10002" in tooltip
    assert "keep yours or take theirs" in tooltip and header.subject.styleSheet()

    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # not yet: the marked field is undecided
    qtbot.waitUntil(lambda: getattr(editor, "error_box", None) is not None, timeout=5000)
    assert "Subject: a colleague changed this while you were editing" in editor.error_box.text()
    editor.error_box.close()
    assert read_ticket(engine, ticket.id).ticket.version == ticket.version + 1  # nothing was saved
    header.keep_mine("subject")
    with qtbot.waitSignal(window.live_updates.arrived, timeout=5000):  # the save's own echo comes too
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saved against carol's version
    qtbot.waitUntil(
        lambda: editor.detail is not None and editor.detail.ticket.version == ticket.version + 2, timeout=5000
    )
    assert getattr(editor, "conflict_dialog", None) is None
    saved = read_ticket(engine, ticket.id).ticket
    assert (saved.subject, saved.tags, saved.priority) == (
        "Printer on fire, refund promised",
        ("refund", "vip"),
        Priority.HIGH,
    )
    assert not header.conflicts and not header.conflict_bar.isVisible() and not header.subject.styleSheet()
    close(window, qtbot)


def test_taking_theirs_puts_the_colleagues_value_in_the_form(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor, header = window.editor, window.editor.header_form
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    header.subject.setFocus()
    header.subject.selectAll()
    qtbot.keyClicks(focused(), "Mine")
    with world.uow("carol") as uow:
        service.edit_ticket(
            uow,
            ticket_id=ticket.id,
            changes=FieldChanges(subject="Theirs"),
            status=None,
            expected_version=ticket.version,
        )
        uow.commit()
    editor.reload()  # as a live update or the conflict dialog's Reload does
    qtbot.waitUntil(lambda: "subject" in header.conflicts, timeout=5000)
    take = next(
        button
        for button in header.conflict_bar.findChildren(QWidget)
        if getattr(button, "text", lambda: "")() == "Take theirs"
    )
    qtbot.mouseClick(take, Qt.MouseButton.LeftButton)
    assert header.subject.text() == "Theirs" and not header.conflicts
    assert header.edits(editor.detail.ticket) == (None, FieldChanges())  # type: ignore[union-attr]
    close(window, qtbot)
