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


def test_a_colleague_can_be_chosen_and_the_bar_says_whose_tickets_it_shows(qtbot: QtBot) -> None:
    """Anyone, Me and Unassigned were all: a lead could not look at one person's tickets."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_agents([(7, "Carol Chen"), (9, "Julia Rossi"), (11, "Bob Baker")], my_agent_id=7)
    offered = [bar.assignee.itemText(i) for i in range(bar.assignee.count())]
    assert offered == ["Anyone", "Me", "Unassigned", "Julia Rossi", "Bob Baker"]  # myself as "Me" only
    view = DeskView("open", "All open", TicketFilter(statuses=("new",)))
    bar.text.setText("refund")
    with qtbot.waitSignal(bar.changed, timeout=2000):
        assert bar.show_assigned_to(9)
    assert bar.text.text() == ""  # the other filters cleared: all of Julia's tickets
    assert bar.narrow(view, my_agent_id=7).ticket_filter == TicketFilter(statuses=("new",), assignee_id=9)
    assert bar.describe() == "assigned to Julia Rossi"
    assert bar.description(view) == "All open, assigned to Julia Rossi, by SLA due"
    with qtbot.waitSignal(bar.changed, timeout=2000):  # Julia left the desk: the queue shows anyone's again
        bar.set_agents([(7, "Carol Chen"), (11, "Bob Baker")], my_agent_id=7)
    assert bar.assignee.currentData() is None
    assert bar.show_assigned_to(9) is False
    bar.assignee.setCurrentIndex(bar.assignee.findData("none"))
    assert bar.describe() == "unassigned"


def test_ones_own_row_is_me_and_another_view_forgets_a_colleague(qtbot: QtBot) -> None:
    """Enter on the lead's own row in Team load said "That agent is not on the desk any more"; a colleague
    chosen there narrowed "My tickets" to the colleague's while the sidebar said "My tickets"."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_agents([(9, "Julia Rossi")], my_agent_id=7)
    assert bar.show_assigned_to(7) and bar.assignee.currentData() == "me"
    assert bar.show_assigned_to(9)
    bar.priority.setCurrentIndex(bar.priority.findData(int(Priority.URGENT)))
    bar.forget_colleague()
    assert bar.assignee.currentData() is None and bar.priority.currentData() == int(Priority.URGENT)
    bar.assignee.setCurrentIndex(bar.assignee.findData("me"))
    bar.forget_colleague()  # Me stays, as every other filter does
    assert bar.assignee.currentData() == "me"


def test_the_colleagues_offered_are_the_people_of_the_queues_one_sees() -> None:
    """Everyone on the desk was offered, other queues' people and the local administrator among them."""
    from app.services.navigation.dto import Choice, Vocabulary
    from app.views.main_window import colleagues

    vocabulary = Vocabulary(
        statuses=(),
        queues=(Choice("1", "Billing"), Choice("2", "Tech")),
        agents=(Choice("5", "Ann Lee"), Choice("6", "Ann Lee"), Choice("7", "Bob Tech"), Choice("8", "root")),
        members=(("1", "5"), ("1", "6"), ("2", "7")),
        leads=(("1", "9"),),
    )
    views = [DeskView("mine", "My tickets", TicketFilter()), DeskView("queue:1", "Billing", TicketFilter(queue_id=1))]
    assert colleagues(vocabulary, views) == [(5, "Ann Lee (#5)"), (6, "Ann Lee (#6)")]
