"""The main window by keyboard, on a real database: go to anything (Ctrl+G, #, the palette, the filter box),
a queue that fits 1366x768 with a column chooser, empty states that say something, a theme choice, every
key in the shortcut overlay, and About. Keys are pressed and buttons clicked as an agent would."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QHeaderView
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.platform.database import schema
from app.services.tickets import service
from app.services.tickets.dto import SortOrder
from app.views.appearance import THEME_KEY, apply_color_scheme, is_dark
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow, default_size
from app.views.queue_view import GIVES_WAY, MIN_SUBJECT_WIDTH
from app.views.tasks import TaskRunner
from app.views.ticket_table import COLUMNS, PRIORITY_COLUMN, SLA_COLUMN
from app.vocabulary import Priority
from tests.support.queue_rows import listed
from tests.support.world import World, build_world, runtime_as

pytestmark = pytest.mark.slow
SUBJECT = COLUMNS.index("Subject")
LONG_SUBJECT = "Invoice INV-2026-00042 is wrong and the refund for the duplicate charge never reached the card"


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    """Alice works Billing: three open tickets (one urgent and overdue), one closed; Bob's Tech ticket is
    not hers to see."""
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        for subject in ("Printer on fire", "VPN drops hourly", LONG_SUBJECT):
            service.create_ticket(
                uow,
                subject=subject,
                customer_id=world.omar if subject.startswith("VPN") else world.jane,
                queue_id=world.billing,
                body=f"{subject}. Please help.",
                priority=Priority.URGENT if subject.startswith("Printer") else Priority.NORMAL,
            )
        closed = service.create_ticket(uow, subject="Old refund", customer_id=world.jane, queue_id=world.billing)
        service.change_status(uow, ticket_id=closed.ticket.id, status="closed", expected_version=None)
        uow.commit()
    with world.uow("bob") as uow:
        service.create_ticket(uow, subject="Server room too hot", customer_id=world.jane, queue_id=world.tech)
        uow.commit()
    with world.factory() as session:  # the printer is overdue (as the SLA engine would have set it)
        session.execute(
            text("UPDATE switchboard.ticket SET first_response_due_at = now() - interval '3 hours' WHERE subject = :s"),
            {"s": "Printer on fire"},
        )
        session.commit()
    return world


def number_of(world: World, subject: str) -> int:
    with world.factory() as session:
        return int(
            session.execute(
                text("SELECT number FROM switchboard.ticket WHERE subject = :s"), {"s": subject}
            ).scalar_one()
        )


@pytest.fixture
def window(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> Iterator[MainWindow]:
    runtime = runtime_as(engine.url, "alice")
    window = MainWindow(HelpDesk(runtime), TaskRunner(), DraftStore(tmp_path / "drafts"))
    # Closed here rather than by qtbot.addWidget: pytest-qt would close it before this fixture's end, maybe
    # with a load still on its way.
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.editor.detail is not None, timeout=10_000)
    yield window
    # Let the last load land first: the editor does not yet drop a ticket that arrives after the window closed.
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    window.close()
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    window.deleteLater()
    runtime.close()


def palette_lines(window: MainWindow) -> list[str]:
    return window.command_palette.shown_labels()


# --- finding 2: go to anything ---------------------------------------------------------------------------


def test_ctrl_g_opens_a_ticket_by_its_number_even_when_the_view_does_not_list_it(
    qtbot: QtBot, window: MainWindow, world: World
) -> None:
    closed = number_of(world, "Old refund")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    assert window.command_palette.search_field.text() == "#"
    qtbot.keyClicks(window.command_palette.search_field, str(closed))
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)  # at once: it opens when found
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.number == closed)
    assert not window.command_palette.isVisible()
    opened = window.editor.detail
    assert opened is not None and window.model.row_of(opened.ticket.id) is None  # All open does not list it
    assert not window.table.selectionModel().hasSelection()
    assert f"#{closed}" in window.status.currentMessage()


def test_hash_finds_only_what_the_login_may_see_and_says_so(qtbot: QtBot, window: MainWindow, world: World) -> None:
    theirs = number_of(world, "Server room too hot")
    window.table.setFocus()
    qtbot.keyClicks(window.table, "#")
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, str(theirs))
    qtbot.waitUntil(lambda: not window.command_palette.searching, timeout=5000)
    assert palette_lines(window) == [f"No ticket #{theirs} that you may see, and no command matches “#{theirs}”."]
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Escape)


@pytest.mark.parametrize("typed", ["jane@customer", "JANE DOE", "duplicate charge", "omar vpn"])
def test_the_palette_finds_tickets_by_customer_address_and_subject_words(
    qtbot: QtBot, window: MainWindow, typed: str
) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, typed)
    qtbot.waitUntil(lambda: not window.command_palette.searching, timeout=5000)
    found = [line for line in palette_lines(window) if line.startswith("#")]
    expected = {
        "jane@customer": ["Printer on fire", LONG_SUBJECT],  # the closed one too, by its latest update
        "JANE DOE": ["Printer on fire", LONG_SUBJECT],
        "duplicate charge": [LONG_SUBJECT],
        "omar vpn": ["VPN drops hourly"],
    }[typed]
    assert all(any(subject in line for line in found) for subject in expected), found
    assert not any("Server room" in line for line in found)
    chosen = found[0]
    if len(found) > 1:  # the second, by arrow key
        qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Down)
        chosen = found[1]
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and chosen.startswith(f"#{window.editor.detail.ticket.number} ")
    )


def test_the_filter_box_finds_by_number_customer_and_address(qtbot: QtBot, window: MainWindow, world: World) -> None:
    vpn = number_of(world, "VPN drops hourly")
    qtbot.keyClicks(window.table, "/")
    assert window.filters.text.hasFocus()
    for typed, subjects in [
        (f"#{vpn}", {"VPN drops hourly"}),
        ("omar@customer.test", {"VPN drops hourly"}),
        ("jane", {"Printer on fire", LONG_SUBJECT}),
        ("haddad hourly", {"VPN drops hourly"}),
    ]:
        window.filters.text.clear()
        qtbot.keyClicks(window.filters.text, typed)
        qtbot.waitUntil(partial(listed_and_counted, window, subjects), timeout=5000)


def listed_and_counted(window: MainWindow, subjects: set[str]) -> bool:
    count = f"{len(subjects)} ticket" + ("" if len(subjects) == 1 else "s")
    shown = {t.subject for t in listed(window.model)} == subjects and not window.model.loading
    return shown and window.filters.count_label.text() == count


# --- finding 8: empty states and counts --------------------------------------------------------------------


def test_a_filter_with_no_match_says_so_and_leaves_no_ticket_open(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.filters.count_label.text() == "3 tickets")
    qtbot.keyClicks(window.table, "/")
    qtbot.keyClicks(window.filters.text, "no such thing")
    qtbot.waitUntil(lambda: window.table.empty_label.isVisible(), timeout=5000)
    assert window.table.empty_label.text().startswith("No tickets in All open matching “no such thing”")
    assert window.ticket_pane.currentWidget() is window.no_ticket and not window.editor.isVisible()
    assert "nothing in All open matches the filter" in window.no_ticket.text()
    qtbot.waitUntil(lambda: window.filters.count_label.text() == "0 tickets")
    qtbot.keyClick(window.filters.text, Qt.Key.Key_Escape)  # clears the filter: the queue and a ticket are back
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.ticket_pane.currentWidget() is window.editor)
    assert not window.table.empty_label.isVisible()


def test_the_palette_says_when_no_command_matches(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, "zzzz")
    qtbot.waitUntil(lambda: not window.command_palette.searching, timeout=5000)
    assert palette_lines(window) == ["No command or ticket matches “zzzz”."]
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)  # nothing to run: it stays open
    assert window.command_palette.isVisible()
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Escape)


# --- finding 6: the queue fits 1366x768 ----------------------------------------------------------------------


def test_the_queue_fits_a_1366_by_768_screen_with_the_columns_an_agent_needs(qtbot: QtBot, window: MainWindow) -> None:
    table, header = window.table, window.table.horizontalHeader()
    shown = [COLUMNS[c] for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
    assert shown[:6] == ["#", "Subject", "SLA due", "Status", "Priority", "Customer"]
    assert not table.horizontalScrollBar().isVisible()
    assert sum(header.sectionSize(c) for c in range(len(COLUMNS)) if not header.isSectionHidden(c)) <= (
        table.viewport().width()
    )
    assert header.sectionSize(SUBJECT) >= 180
    metrics = table.fontMetrics()
    for row in range(window.model.rowCount()):
        for column in range(len(COLUMNS)):
            if header.isSectionHidden(column) or column == SUBJECT:
                continue
            index = window.model.index(row, column)
            icon = 22 if index.data(Qt.ItemDataRole.DecorationRole) is not None else 0
            needed = metrics.horizontalAdvance(str(index.data())) + icon + 8
            assert needed <= header.sectionSize(column), f"{COLUMNS[column]}: {index.data()!r} is cut"
    long_row = next(r for r, t in enumerate(listed(window.model)) if t.subject == LONG_SUBJECT)
    tooltip = window.model.index(long_row, SUBJECT).data(Qt.ItemDataRole.ToolTipRole)
    assert LONG_SUBJECT in tooltip


def test_a_narrower_queue_pane_keeps_the_subject_readable_and_the_sla_whole(qtbot: QtBot, window: MainWindow) -> None:
    """The account panel beside a ticket narrowed the queue until the subject read "Charged…" while the
    customer and status columns kept their full width: now they give way, the SLA due does not."""
    header = window.table.horizontalHeader()
    sla, status = COLUMNS.index("SLA due"), COLUMNS.index("Status")
    before = header.sectionSize(sla), header.sectionSize(status)
    navigation, middle, pane = window.splitter.sizes()
    window.splitter.setSizes([navigation, middle - 150, pane + 150])
    qtbot.waitUntil(lambda: header.sectionSize(status) < before[1])
    floors = [
        header.sectionSize(COLUMNS.index(n)) <= f for n, f in GIVES_WAY if not header.isSectionHidden(COLUMNS.index(n))
    ]
    assert header.sectionSize(SUBJECT) >= MIN_SUBJECT_WIDTH or all(floors)  # the others gave what they could
    assert header.sectionSize(sla) == before[0]


def test_the_assignee_column_steps_aside_while_the_pane_is_too_narrow_and_comes_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    """At 1366x768 with the account panel open the subject went down to "Plea…" once the other columns had
    given all they could: the Assignee column goes while there is no room, and comes back (and is remembered
    as shown) when there is."""
    header, table = window.table.horizontalHeader(), window.table
    assignee = COLUMNS.index("Assignee")
    header.setSectionHidden(assignee, False)
    table.narrow_hidden.clear()
    navigation, middle, pane = window.splitter.sizes()
    window.splitter.setSizes([navigation, 420, pane + middle - 420])
    qtbot.waitUntil(lambda: header.isSectionHidden(assignee))
    assert assignee in table.narrow_hidden
    window.resize(window.width(), window.height() - 40)  # a resize that is no wider: it stays hidden
    qtbot.wait(50)
    assert header.isSectionHidden(assignee)
    remembered = QHeaderView(Qt.Orientation.Horizontal)
    remembered.setModel(window.model)
    remembered.restoreState(table.header_state())
    assert not remembered.isSectionHidden(assignee) and header.isSectionHidden(assignee)
    window.splitter.setSizes([navigation, middle + 400, max(0, pane - 400)])
    qtbot.waitUntil(lambda: not header.isSectionHidden(assignee))
    assert table.narrow_hidden == {}


def test_sla_and_priority_read_without_colour(window: MainWindow) -> None:
    printer = next(r for r, t in enumerate(listed(window.model)) if t.subject == "Printer on fire")
    sla, priority = window.model.index(printer, SLA_COLUMN), window.model.index(printer, PRIORITY_COLUMN)
    assert str(sla.data()).startswith("overdue ") and priority.data() == "Urgent"
    assert sla.data(Qt.ItemDataRole.DecorationRole) is not None  # a shape, not only a colour
    assert priority.data(Qt.ItemDataRole.DecorationRole) is not None
    calm = next(r for r, t in enumerate(listed(window.model)) if t.subject == "VPN drops hourly")
    assert window.model.index(calm, PRIORITY_COLUMN).data(Qt.ItemDataRole.DecorationRole) is None


def test_the_column_chooser_is_in_the_palette_and_shows_a_hidden_column(qtbot: QtBot, window: MainWindow) -> None:
    queue = COLUMNS.index("Queue")
    assert window.table.horizontalHeader().isSectionHidden(queue)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, "columns")
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.table.column_chooser is not None and window.table.column_chooser.isVisible())
    chooser = window.table.column_chooser
    assert chooser is not None and chooser.item("Queue").checkState() == Qt.CheckState.Unchecked
    chooser.columns.setFocus()
    chooser.columns.setCurrentItem(chooser.item("Queue"))
    qtbot.keyClick(chooser.columns, Qt.Key.Key_Space)
    assert not window.table.horizontalHeader().isSectionHidden(queue)
    qtbot.keyClick(chooser.columns, Qt.Key.Key_Escape)
    assert not chooser.isVisible()


# --- finding 10: the appearance ------------------------------------------------------------------------------


def test_dark_is_chosen_in_the_palette_remembered_and_the_conversation_follows(
    qtbot: QtBot, window: MainWindow
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(
            lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible()
        )
        qtbot.keyClicks(window.command_palette.search_field, "appearance dark")
        qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)
        assert is_dark(app.palette()) and QSettings().value(THEME_KEY) == "dark"
        assert window.theme_actions[next(t for t in window.theme_actions if t.value == "dark")].isChecked()
        conversation = window.editor.conversation
        qtbot.waitUntil(lambda: "#26292d" in conversation.toHtml())  # the customer's card is dark too
        assert "#f6f8fa" not in conversation.toHtml()
        assert conversation.palette().color(QPalette.ColorRole.Base).lightness() < 60
    finally:
        apply_color_scheme(app, Qt.ColorScheme.Light)


# --- finding 11: every key, and About ----------------------------------------------------------------------


def test_the_shortcut_overlay_lists_every_key_the_window_answers_to(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClicks(window.table, "?")
    qtbot.waitUntil(lambda: getattr(window, "overlay", None) is not None and window.overlay.isVisible())
    rows = window.overlay.rows()
    keys = {key for _name, key in rows}
    for action in window.findChildren(QAction):
        if not action.shortcut().isEmpty() and action.text():
            assert any(action.shortcut().toString() in key for key in keys), action.text()
    for key in ("Ctrl+Return", "Ctrl+S", "Shift+Tab", "Ctrl+G, #", "Esc"):
        assert key in keys, key
    assert len(rows) > 11
    qtbot.keyClick(window.overlay.table, Qt.Key.Key_Escape)


def test_about_shows_the_version_the_schema_and_the_server(qtbot: QtBot, window: MainWindow, engine: Engine) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "command_palette", None) is not None and window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, "about")
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "about_dialog", None) is not None and window.about_dialog.isVisible())
    fields = window.about_dialog.fields
    qtbot.waitUntil(lambda: fields["Server"].text().startswith("PostgreSQL"), timeout=5000)
    assert fields["Version"].text() == "0.1.0"
    assert fields["Schema"].text() == f"{schema.code_revision()} (current)"
    assert str(engine.url.database) in fields["Server"].text()
    assert fields["Signed in as"].text() == f"Alice Archer ({engine.url.database}_alice)"
    for label in fields.values():  # each line whole: the dialog grew to the wrapped lines that came later
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    window.about_dialog.reject()


def test_the_window_opens_no_larger_than_the_screen(qtbot: QtBot) -> None:
    screen = QApplication.primaryScreen().availableGeometry()
    size = default_size()
    assert size.width() <= screen.width() and size.height() <= screen.height()


def test_clicking_a_sortable_header_sorts_the_queue_by_it(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == SLA_COLUMN  # the default: soonest due first
    reading = listed(window.model)[2].id  # the agent reads the last one
    window.table.selectRow(2)
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == reading)
    clicked = header.sectionViewportPosition(PRIORITY_COLUMN) + header.sectionSize(PRIORITY_COLUMN) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(clicked, header.height() // 2))
    assert window.filters.sort.currentData() == SortOrder.PRIORITY
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        PRIORITY_COLUMN,
        Qt.SortOrder.DescendingOrder,
    )
    qtbot.waitUntil(lambda: not window.model.loading and window.model.rowCount() == 3)
    ranks = [t.priority for t in listed(window.model)]
    assert ranks == sorted(ranks, reverse=True)
    assert window.model.ticket_id_at(window.table.currentIndex().row()) == reading  # the same ticket, not the first
    assert window.editor.detail is not None and window.editor.detail.ticket.id == reading
    subject = COLUMNS.index("Subject")  # no order of its own: nothing changes, the arrow stays
    clicked = header.sectionViewportPosition(subject) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(clicked, header.height() // 2))
    assert window.filters.sort.currentData() == SortOrder.PRIORITY and header.sortIndicatorSection() == PRIORITY_COLUMN


def test_a_first_start_on_a_screen_smaller_than_the_window_opens_maximised(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """Sized to the screen's room, the window's title bar pushed its status bar (availability, connection)
    under a 1366 x 768 laptop's bottom edge. The test screen (offscreen, 800 x 600) is smaller still; once a
    layout is remembered, the window keeps the person's own size."""
    runtime = runtime_as(engine.url, "alice")
    first = MainWindow(HelpDesk(runtime), TaskRunner(), DraftStore(tmp_path / "drafts"))
    assert first.opens_maximised
    first.layout_memory.save()
    again = MainWindow(HelpDesk(runtime), TaskRunner(), DraftStore(tmp_path / "drafts"))
    assert not again.opens_maximised
    for window in (first, again):
        qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)  # noqa: B023
        window.close()
        window.deleteLater()
    runtime.close()


def test_ctrl_q_quits_from_the_menu_an_agent_finds_it_in(qtbot: QtBot, window: MainWindow) -> None:
    """There was no Quit in the menus, and Ctrl+Q did nothing."""
    quit_action = window.actions_by_text["Quit Switchboard"]
    assert quit_action in window.menus["Ticket"].actions()
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
