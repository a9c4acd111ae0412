"""A ticket created in the client, by keys on a real database: Ctrl+N, part of the customer's name typed and
chosen from the offers, the queue, a subject and the message, Enter; the new ticket opens, and what landed
is read back through the person's own login."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.tickets import service
from app.views.main_window import MainWindow
from tests.support.desk_window import close_window, open_desk_window, runtime_as
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


OFFERS_ARE_A_POPUP = pytest.mark.qt_log_ignore(  # offscreen Qt can neither raise a popup nor grab keys for it
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)


@OFFERS_ARE_A_POPUP
def test_ctrl_n_creates_a_ticket_for_a_customer_found_by_typing_and_opens_it(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)

    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "new_ticket_dialog", None) is not None)
    dialog = window.new_ticket_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.customer, "customer.test jan")  # every word must match: an address part, a name part
    completer = dialog.customer.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "Jane Doe <jane@customer.test>"
    ]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.customers.picked is not None)
    assert dialog.queue.currentText() == "Billing"
    assert [dialog.queue.itemText(i) for i in range(dialog.queue.count())] == ["Billing"]  # hers, not Tech
    qtbot.keyClicks(dialog.subject, "Refund for a double charge")
    qtbot.keyClicks(dialog.body, "Jane called: she was charged twice.")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)  # Enter: create

    qtbot.waitUntil(
        lambda: (
            window.editor.detail is not None and window.editor.detail.ticket.subject == "Refund for a double charge"
        ),
        timeout=5000,
    )
    assert QApplication.activeModalWidget() is None  # the dialog closed once the ticket was created
    ticket = window.editor.detail.ticket  # type: ignore[union-attr]
    seen = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(ticket.id)  # what alice's own login reads
    assert (seen.ticket.customer_name, seen.ticket.queue_name, seen.ticket.status) == ("Jane Doe", "Billing", "new")
    assert [m.body_text for m in seen.messages] == ["Jane called: she was charged twice."]
    close_window(window, qtbot)


@OFFERS_ARE_A_POPUP
def test_a_new_ticket_needs_a_customer_chosen_from_the_offers(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    window.new_ticket()
    dialog = window.new_ticket_dialog
    qtbot.keyClicks(dialog.subject, "No customer")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "Choose the customer from the names offered as you type, or type a new customer's address."
    )
    assert dialog.focusWidget() is dialog.customer  # the keyboard where the answer is typed
    with world.trusted_uow() as uow:
        uow.session.execute(text("INSERT INTO switchboard.customer (name) VALUES ('Zoë Müller')"))
        uow.commit()
    qtbot.keyClicks(dialog.customer, "zzzz")
    qtbot.waitUntil(lambda: "No customer matches 'zzzz'" in dialog.problem.text(), timeout=5000)
    completer = dialog.customer.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None and not popup.isVisible()  # no empty box over the fields below
    dialog.customer.clear()
    qtbot.keyClicks(dialog.customer, "zoe muller")  # as typed on a keyboard without the accents
    assert dialog.problem.text() == ""  # the refusal went with the first key
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["Zoë Müller"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    close_window(window, qtbot)


@OFFERS_ARE_A_POPUP
def test_the_new_ticket_is_chosen_and_scrolled_into_view_in_a_long_queue(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """Created from the top of a long queue, the new ticket sorts last: its row is the one chosen, and in view."""
    with world.uow("alice") as uow:
        for number in range(80):
            service.create_ticket(
                uow, subject=f"Older question {number}", customer_id=world.jane, queue_id=world.billing, body="Hi"
            )
        uow.commit()
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.navigation.topLevelItemCount() > 2, timeout=10_000)
    items = [window.navigation.topLevelItem(row) for row in range(window.navigation.topLevelItemCount())]
    window.navigation.setCurrentItem(next(i for i in items if i is not None and i.text(0) == "Billing"))
    qtbot.waitUntil(lambda: window.model.rowCount() >= 80 and window.runner.in_flight == 0, timeout=10_000)
    window.table.scrollToTop()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "new_ticket_dialog", None) is not None)
    dialog = window.new_ticket_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.customer, "jane@customer.test")
    completer = dialog.customer.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.customers.picked is not None)
    qtbot.keyClicks(dialog.subject, "Zebra crossing")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.subject == "Zebra crossing",
        timeout=5000,
    )
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    row = window.table.currentIndex().row()
    assert window.model.ticket_at(row) is not None and window.model.ticket_at(row).subject == "Zebra crossing"  # type: ignore[union-attr]
    assert window.table.selected_ids() == [window.editor.detail.ticket.id]  # type: ignore[union-attr]
    shown = window.table.visualRect(window.model.index(row, 0))
    assert window.table.viewport().rect().intersects(shown), "the new ticket's row is off screen"
    close_window(window, qtbot)


def test_a_caller_the_desk_never_heard_from_gets_a_ticket_by_their_address(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """An agent on the phone with a new customer had no way in the client ("… or switchboard ticket create
    --customer ADDRESS"): the address typed makes the customer, once, with the ticket."""
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    for attempt in range(2):  # the second time the address finds the customer the first one made
        window.new_ticket()
        dialog = window.new_ticket_dialog
        dialog.activateWindow()  # as on a desktop: shortcuts go to the active window
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClicks(dialog.customer, "Nora New <nora.new@example.com>")
        if attempt == 0:
            qtbot.waitUntil(lambda: "adds them as a new customer" in dialog.problem.text(), timeout=5000)  # noqa: B023
        qtbot.keyClicks(dialog.subject, f"Phone call {attempt}")
        qtbot.keyClicks(dialog.body, "Called about an order.")
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # as a reply is sent
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # twice: one ticket
        qtbot.waitUntil(
            lambda: window.editor.detail is not None and window.editor.detail.ticket.subject == f"Phone call {attempt}",  # noqa: B023
            timeout=5000,
        )
        assert window.editor.detail.ticket.customer_name == "Nora New"  # type: ignore[union-attr]
    with world.trusted_uow() as uow:
        customers = uow.session.execute(
            text(
                "SELECT c.name, e.address FROM switchboard.customer c"
                " JOIN switchboard.customer_email e ON e.customer_id = c.id WHERE e.address LIKE 'nora%'"
            )
        ).all()
    assert [tuple(row) for row in customers] == [("Nora New", "nora.new@example.com")]
    with world.trusted_uow() as uow:
        calls = uow.session.execute(
            text("SELECT count(*) FROM switchboard.ticket WHERE subject LIKE 'Phone call %'")
        ).scalar_one()
    assert calls == 2  # one a call, though Ctrl+Enter was pressed twice each time
    window.new_ticket()
    dialog = window.new_ticket_dialog
    qtbot.keyClicks(dialog.customer, "Nora <nora@@example.com>")  # reads as one; the server says no
    qtbot.keyClicks(dialog.subject, "Bad address")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.problem.text() != "" and window.runner.in_flight == 0, timeout=5000)
    assert dialog.isVisible() and "address" in dialog.problem.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    close_window(window, qtbot)
