"""Which live changes become notifications: a colleague's assignment or a customer's reply on one of the
agent's tickets, each once, never the agent's own change (a save, a claim, a bulk change) and never an
answer overtaken by a newer one. The desk is an in-memory stand-in answering as the real one does; the
journey on a real database is in test_live_queue.py."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
from pytestqt.qtbot import QtBot

from app.services.navigation.dto import DeskView
from app.services.platform.live_notices import ChangeNotice
from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter, TicketPage, TicketSummary
from app.views.live_updates import LiveUpdates
from app.views.tasks import TaskRunner
from app.views.ticket_table import TicketTableModel
from tests.support.summaries import made_up_summary

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
ME, COLLEAGUE = 7, 8


@dataclass
class Navigation:
    """The tickets as they are now on the server; `page` answers `know_mine` (held until `answer` is set)."""

    now: dict[int, TicketSummary]
    answer: threading.Event

    def summaries(self, ids: list[int]) -> list[TicketSummary]:
        return [self.now[i] for i in ids if i in self.now]

    def page(self, view: DeskView, cursor: PageCursor | None, limit: int = 100) -> TicketPage:
        assert self.answer.wait(10)
        mine = [t for t in self.now.values() if t.assignee_id == view.ticket_filter.assignee_id]
        return TicketPage(tuple(mine[:limit]))


def elsewhere() -> TicketTableModel:
    """The queue, showing a view (another queue) that lists none of these tickets."""
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(lambda _cursor: TicketPage(()), TicketFilter(queue_id=99), SortOrder.SLA_DUE)
    return model


def ticket(n: int, version: int, assignee: int | None, status: str = "in_progress") -> TicketSummary:
    summary = made_up_summary(n, now=NOW, version=version, status=status)
    return replace(summary, assignee_id=assignee, assignee_name=None if assignee is None else f"Agent {assignee}")


@pytest.fixture
def live(qtbot: QtBot) -> Iterator[tuple[LiveUpdates, Navigation, list[tuple[str, str]]]]:
    navigation = Navigation({1: ticket(1, 3, ME, "waiting"), 2: ticket(2, 1, None)}, threading.Event())
    navigation.answer.set()
    desk = SimpleNamespace(me=SimpleNamespace(agent_id=ME), navigation=navigation)
    model = elsewhere()
    updates = LiveUpdates(desk, TaskRunner(), model)
    updates._open_statuses = frozenset({"new", "in_progress"})
    told: list[tuple[str, str]] = []
    updates.notification.connect(lambda title, text: told.append((title, text)))
    updates.know_mine()
    qtbot.waitUntil(lambda: updates.runner.in_flight == 0)
    yield updates, navigation, told
    updates.stop()
    model.stop()


def change(qtbot: QtBot, updates: LiveUpdates, *ids: int) -> None:
    with qtbot.waitSignal(updates.arrived, timeout=5000):
        updates.notice(ChangeNotice((0, 0), ids))


def titles(told: list[tuple[str, str]]) -> list[str]:
    return [title for title, _text in told]


def test_a_colleagues_assignment_and_a_customers_reply_are_told_once_each(
    qtbot: QtBot, live: tuple[LiveUpdates, Navigation, list[tuple[str, str]]]
) -> None:
    updates, navigation, told = live
    navigation.now[2] = ticket(2, 2, ME)
    change(qtbot, updates, 2)
    change(qtbot, updates, 2)  # a second notice of the same change
    navigation.now[1] = ticket(1, 4, ME, "in_progress")  # the customer wrote back on a waiting ticket of mine
    change(qtbot, updates, 1)
    assert titles(told) == ["Assigned to you", "Customer replied"]


def test_a_colleagues_edit_on_my_ticket_and_my_own_changes_tell_nothing(
    qtbot: QtBot, live: tuple[LiveUpdates, Navigation, list[tuple[str, str]]]
) -> None:
    updates, navigation, told = live
    navigation.now[1] = replace(ticket(1, 4, ME, "waiting"), subject="Renamed by a colleague")
    change(qtbot, updates, 1)
    took = ticket(2, 2, ME)
    navigation.now[2] = took
    updates.own_change([took])  # the window's own take: saved, then its notice arrives
    change(qtbot, updates, 2)
    assert told == []


def test_a_bulk_change_of_my_own_tells_nothing_until_it_is_done(
    qtbot: QtBot, live: tuple[LiveUpdates, Navigation, list[tuple[str, str]]]
) -> None:
    updates, navigation, told = live
    updates.hold([2, 3])
    navigation.now[2] = ticket(2, 2, ME)  # assigned to me by my own bulk change, still running
    change(qtbot, updates, 2)
    updates.own_change([navigation.now[2]])
    updates.release([2, 3])
    navigation.now[3] = ticket(3, 1, ME)  # then a colleague gives me another
    change(qtbot, updates, 3)
    assert titles(told) == ["Assigned to you"] and "#10003" in told[0][1]


def test_a_ticket_that_left_me_is_not_brought_back_by_an_older_answer(qtbot: QtBot) -> None:
    navigation = Navigation({1: ticket(1, 3, ME)}, threading.Event())  # `know_mine` answers late
    desk = SimpleNamespace(me=SimpleNamespace(agent_id=ME), navigation=navigation)
    model = elsewhere()
    updates = LiveUpdates(desk, TaskRunner(), model)
    told: list[tuple[str, str]] = []
    updates.notification.connect(lambda title, text: told.append((title, text)))
    updates.know_mine()  # read as version 3 (mine) ...
    stale = dict(navigation.now)
    navigation.now[1] = ticket(1, 4, COLLEAGUE)  # ... while a lead hands it to a colleague (version 4)
    updates.own_change([navigation.now[1]])  # seen here first as version 4
    navigation.now, later = stale, navigation.now  # the late answer still says "mine, version 3"
    navigation.answer.set()
    qtbot.waitUntil(lambda: updates.runner.in_flight == 0)
    navigation.now = later
    navigation.now[1] = ticket(1, 5, ME)  # given back to me: news
    change(qtbot, updates, 1)
    assert titles(told) == ["Assigned to you"]
    updates.stop()
    model.stop()
