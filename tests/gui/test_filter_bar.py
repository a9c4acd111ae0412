from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services.navigation.dto import DeskView
from app.services.tickets.queries import SortOrder, TicketFilter
from app.views.filter_bar import FilterBar
from app.vocabulary import Priority


def test_the_bar_narrows_the_chosen_view(qtbot: QtBot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    view = DeskView("queue:3", "Billing", TicketFilter(statuses=("new", "in_progress"), queue_id=3))
    assert bar.narrow(view, my_agent_id=7).ticket_filter == view.ticket_filter
    with qtbot.waitSignal(bar.changed, timeout=2000):
        qtbot.keyClicks(bar.text, "refund")
    bar.priority.setCurrentIndex(bar.priority.findData(int(Priority.URGENT)))
    bar.assignee.setCurrentIndex(bar.assignee.findData("me"))
    bar.sort.setCurrentIndex(bar.sort.findData(SortOrder.UPDATED))
    narrowed = bar.narrow(view, my_agent_id=7)
    assert narrowed.ticket_filter == TicketFilter(
        statuses=("new", "in_progress"), queue_id=3, text="refund", priorities=(Priority.URGENT,), assignee_id=7
    )
    assert narrowed.sort is SortOrder.UPDATED and narrowed.key == "queue:3"


def test_a_queue_at_its_row_limit_says_how_many_it_lists(qtbot: QtBot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.show_count(23456)
    assert bar.count_label.text() == "23,456 tickets"
    bar.show_held(10_000)
    assert bar.count_label.text() == "23,456 tickets, the first 10,000 listed"
    assert "Narrow the filter" in bar.count_label.toolTip()
    bar.show_held(None)
    assert bar.count_label.text() == "23,456 tickets" and not bar.count_label.toolTip()
