"""The History tab and the conflict dialog speak the agent's language: labels for actions and fields, times
on the agent's clock, statuses by their labels, agents by name, the system as the system; columns as wide as
their words, and every cell's whole text in its tooltip. The words come from one place (`change_labels`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.errors import ChangeBy, TicketConflict
from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import SYSTEM_ACTOR, HistoryEntry
from app.views.conflict_dialog import ConflictDialog
from app.views.conversation import format_local_time
from app.views.editor import HISTORY_TAB
from app.views.history_tab import HistoryTab, shrunk
from tests.support.desk_window import close_window, create_billing_ticket, go_to, open_window
from tests.support.world import World, build_world

AT = dt.datetime(2026, 12, 7, 1, 22, 29, 363067, tzinfo=dt.UTC)
# What the probe saw: an ISO time, a raw key (snake_case) or a database login anywhere in a cell.
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")


def entry(action: str, field: str | None, old: object, new: object, **more: object) -> HistoryEntry:
    values: dict[str, object] = {"actor": "Ben Okafor", "old_name": None, "new_name": None, "actor_login": ""}
    values.update(more)
    return HistoryEntry(AT, action=action, field=field, old_value=old, new_value=new, **values)  # type: ignore[arg-type]


PROBED = [
    entry("internal_note", "message", None, {"kind": "internal_note", "author": "Ben Okafor"}),
    entry("public_reply", "first_response_at", None, "2026-12-07T01:22:29.363067+00:00"),
    entry(
        "sla_due", "resolution_due_at", "2026-12-09T16:00:00+00:00", None, actor=SYSTEM_ACTOR, actor_login="postgres"
    ),
    entry("customer_message", "message", None, {"kind": "customer_message"}, actor="Jane Doe (customer)"),
    entry("status", "status", "new", "answered", old_name="New", new_name="Answered"),
    entry("assign", "assignee_id", None, 3, new_name="Ben Okafor"),
    entry("create", "status", None, "new", new_name="New"),
]


def texts(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]  # type: ignore[union-attr]


def assert_no_codes(rows: list[list[str]]) -> None:
    for row in rows:
        for text in row:
            assert not ISO_TIME.search(text) and "+00:00" not in text, text
            assert not RAW_KEY.search(text), text
            assert "postgres" not in text, text


def test_the_history_reads_as_words_not_codes(qtbot: QtBot) -> None:
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.show_history(PROBED)
    when = format_local_time(AT)
    due = format_local_time(dt.datetime(2026, 12, 9, 16, tzinfo=dt.UTC))
    assert texts(tab) == [
        [when, "Ben Okafor", "Internal note", "Added, visible to agents only"],
        [when, "Ben Okafor", "First response (public reply)", f"— → {when}"],
        [when, SYSTEM_ACTOR, "Resolution due (SLA due times)", f"{due} → —"],
        [when, "Jane Doe (customer)", "Customer message", "Received from the customer"],
        [when, "Ben Okafor", "Status", "New → Answered"],
        [when, "Ben Okafor", "Assignee", "— → Ben Okafor"],
        [when, "Ben Okafor", "Ticket created", "New"],
    ]
    assert_no_codes(texts(tab))
    assert "database login postgres" in tab.item(2, 1).toolTip()  # type: ignore[union-attr]


@pytest.mark.parametrize("width", [480, 1200])  # the ticket pane as narrow as it gets, and roomy
def test_the_history_cuts_no_words_and_tooltips_hold_the_whole_text(qtbot: QtBot, width: int) -> None:
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.resize(width, 400)
    tab.show()
    subject = entry("update", "subject", "Printer on fire", "<b>Printer</b> on fire, " + "and more " * 40)
    tab.show_history([*PROBED, subject])
    metrics = tab.fontMetrics()
    for row in range(tab.rowCount()):
        for column in range(3):  # the others give way down to their longest word, wrapping at spaces
            text = tab.item(row, column).text()  # type: ignore[union-attr]
            widest = max(metrics.horizontalAdvance(word) for word in text.split())
            assert tab.columnWidth(column) > widest, (row, column, text)
            if width == 1200:  # room enough: one line each
                assert tab.columnWidth(column) > metrics.horizontalAdvance(text), (row, column, text)
        assert tab.rowHeight(row) >= tab.sizeHintForRow(row)  # wrapped text is shown whole
    assert tab.columnWidth(3) >= 0.4 * tab.viewport().width() - 1  # the change keeps its share
    long_change = tab.item(tab.rowCount() - 1, 3)
    assert long_change is not None and "and more " * 40 in long_change.toolTip()
    assert "&lt;b&gt;Printer&lt;/b&gt;" in long_change.toolTip()  # customer text is never markup in a tooltip


def test_columns_give_way_in_proportion_and_never_below_their_longest_word() -> None:
    assert shrunk([100, 200, 300], [50, 50, 50], 700) == [100, 200, 300]  # they fit
    # 150 too wide, 450 above the floors: each gives a third of what it has above its floor
    assert shrunk([100, 200, 300], [50, 50, 50], 450) == [83, 150, 217]
    assert shrunk([100, 200, 300], [50, 50, 50], 10) == [50, 50, 50]  # the floors hold


def test_ids_the_service_could_not_name_and_unknown_keys_still_read_as_words(qtbot: QtBot) -> None:
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.show_history(
        [
            entry("route", "queue_id", 1, 7, old_name="Billing"),
            entry("update", "waiting_on_vendor", None, "in_progress"),
            entry("update", "status", "on_hold_legal", "in_progress"),
        ]
    )
    assert [row[2:] for row in texts(tab)] == [
        ["Queue (routed)", "Billing → queue 7"],
        ["Waiting on vendor", "— → in_progress"],
        ["Status", "On hold legal → In progress"],
    ]


class _Editor(QWidget):
    """Stands in for the editor that opens the dialog: what the dialog reads of it is its vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        super().__init__()
        self.vocabulary = vocabulary


def conflict() -> TicketConflict:
    at = AT.isoformat(timespec="seconds")
    return TicketConflict(
        number=10042,
        expected_version=3,
        current_version=5,
        changes=[
            ChangeBy("Carol Chen", at, "resolution_due_at", "2026-12-09T16:00:00+00:00", None),
            ChangeBy("Carol Chen", at, "status", "new", "pending"),
            ChangeBy("Carol Chen", at, "assignee", None, "Ben Okafor"),
            ChangeBy("Carol Chen", at, "message", None, {"kind": "public_reply", "author": "Carol Chen"}),
        ],
    )


def test_the_conflict_dialog_words_changes_as_the_history_does(qtbot: QtBot) -> None:
    vocabulary = Vocabulary(
        statuses=(("new", "New", "open"), ("pending", "Pending third party", "paused")), queues=(), agents=()
    )
    editor = _Editor(vocabulary)
    qtbot.addWidget(editor)
    dialog = ConflictDialog(conflict(), editor)
    when = format_local_time(AT)
    due = format_local_time(dt.datetime(2026, 12, 9, 16, tzinfo=dt.UTC))
    assert texts(dialog.changes) == [
        ["Carol Chen", when, "Resolution due", f"{due} → —"],
        ["Carol Chen", when, "Status", "New → Pending third party"],  # the desk's label, from the vocabulary
        ["Carol Chen", when, "Assignee", "— → Ben Okafor"],
        ["Carol Chen", when, "Public reply", "Sent to the customer"],
    ]
    assert_no_codes(texts(dialog.changes))
    explicit = ConflictDialog(conflict(), status_labels={"pending": "Awaiting parts"})
    qtbot.addWidget(explicit)
    assert explicit.changes.item(1, 3).text() == "New → Awaiting parts"  # type: ignore[union-attr]


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


@pytest.mark.slow
def test_an_assigned_tickets_history_names_the_assignee_and_shows_no_codes(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    ticket = create_billing_ticket(world, "Refund for a double charge", assignee="bob")
    window = open_window(qtbot, engine, tmp_path, "alice")
    go_to(qtbot, window, ticket.number)
    editor = window.editor
    editor.tabs.setCurrentIndex(HISTORY_TAB)
    qtbot.waitUntil(lambda: editor.history_tab.rowCount() > 0 and window.runner.in_flight == 0, timeout=10_000)
    rows = texts(editor.history_tab)
    assert ["Carol Chen", "Assignee", "— → Bob Baker"] in [row[1:] for row in rows]
    assert ["Carol Chen", "Ticket created", "New"] in [row[1:] for row in rows]
    assert ["Jane Doe (customer)", "Customer message", "Received from the customer"] in [row[1:] for row in rows]
    assert_no_codes(rows)
    assert all(row[1] != world.login("carol") for row in rows)
    close_window(window, qtbot)
