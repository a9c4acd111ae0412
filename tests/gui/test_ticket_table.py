"""The queue model: pages arrive in the background, live updates touch only the tickets they name."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.services.tickets.dto import TicketSummary
from app.services.tickets.queries import PageCursor, SortOrder, TicketFilter, TicketPage, TicketPlaces
from app.views import ticket_table
from app.views.tasks import TaskRunner
from app.views.ticket_table import OVERDUE, TicketTableModel, due_alert, due_text, sort_key
from app.vocabulary import Priority
from tests.support.summaries import made_up_summary

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def ticket(n: int, *, status: str = "new", due_minutes: int | None = None, queue_id: int = 1) -> TicketSummary:
    return made_up_summary(
        n, now=NOW, due_minutes=due_minutes, status=status, queue_id=queue_id, subject=f"Ticket {n} <b>bold?</b>"
    )


class Pages:
    """An in-memory page source with the real cursor contract: 10 tickets due in order, 5 per page."""

    def __init__(self, *, hold_after_first: bool = False) -> None:
        self.tickets = [ticket(n, due_minutes=n * 10) for n in range(1, 11)]
        self.calls: list[PageCursor | None] = []
        self.released = threading.Event()  # pages after the first wait for it when held
        if not hold_after_first:
            self.released.set()

    def __call__(self, cursor: PageCursor | None) -> TicketPage:
        self.calls.append(cursor)
        if len(self.calls) > 1:
            assert self.released.wait(10), "the test never released the pages"
        start = 0 if cursor is None else next(i for i, t in enumerate(self.tickets) if t.id == cursor.ticket_id) + 1
        rows = tuple(self.tickets[start : start + 5])
        more = start + 5 < len(self.tickets)
        return TicketPage(rows, PageCursor(rows[-1].sla_due_at, rows[-1].id) if more else None)


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[TicketTableModel]:
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(Pages(), TicketFilter(statuses=("new", "in_progress")), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    yield model
    model.stop()


def test_pages_arrive_in_the_background_and_the_model_is_sound(
    model: TicketTableModel, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    assert model.canFetchMore()
    qtmodeltester.check(model)  # asks for more on its own, as a view scrolled to the end would
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert not model.canFetchMore()
    qtmodeltester.check(model)
    assert [model.ticket_at(r).id for r in range(10)] == list(range(1, 11))  # type: ignore[union-attr]


def test_customer_text_is_shown_as_typed(model: TicketTableModel) -> None:
    assert model.data(model.index(0, 1)) == "Ticket 1 <b>bold?</b>"


def test_live_updates_change_insert_and_remove_only_what_they_name(model: TicketTableModel) -> None:
    changed = ticket(2, status="in_progress", due_minutes=20)
    newcomer = ticket(99, due_minutes=15)  # sorts between 1 (10 min) and 2 (20 min)
    closed = ticket(3, status="closed", due_minutes=30)
    model.apply_live([changed, newcomer, closed], [2, 99, 3, 4])  # 4: no longer visible to this login
    assert [model.ticket_at(r).id for r in range(model.rowCount())] == [1, 99, 2, 5]  # type: ignore[union-attr]
    assert model.ticket_at(2).status == "in_progress"  # type: ignore[union-attr]


def test_a_newcomer_beyond_the_loaded_pages_waits_for_its_page(model: TicketTableModel) -> None:
    model.apply_live([ticket(77, due_minutes=500)], [77])
    assert model.row_of(77) is None


def test_a_stale_page_of_an_old_view_is_ignored(qtbot: QtBot) -> None:
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(Pages(), TicketFilter(), SortOrder.SLA_DUE)
    other = Pages()
    other.tickets = [ticket(n, due_minutes=n) for n in range(50, 53)]
    model.show_view(other, TicketFilter(), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.runner.in_flight == 0)  # both pages answered, the old one too
    assert model.listed_ids() == [50, 51, 52]
    model.stop()


@pytest.mark.parametrize(
    ("minutes", "text", "overdue"),
    [(None, "—", False), (-190, "overdue 3h 10m", True), (45, "in 45m", False), (60 * 26, "in 1d 2h", False)],
)
def test_sla_countdowns_read_like_a_person_would_say_them(minutes: int | None, text: str, overdue: bool) -> None:
    due = NOW + dt.timedelta(minutes=minutes) if minutes is not None else None
    assert due_text(due, NOW) == text
    assert (due_alert(due, NOW) == OVERDUE) is overdue


def test_notifications_are_for_my_new_assignments_and_replies_on_my_tickets() -> None:
    from dataclasses import replace

    from app.views.live_updates import notification_for

    opened = frozenset({"new", "in_progress", "triage"})  # the desk's open statuses, an admin's "triage" too
    mine = replace(ticket(5), assignee_id=7, status="waiting", version=3)
    assert notification_for(None, mine, 7, opened) == (
        "Assigned to you",
        "#10005 Ticket 5 \u2039b\u203abold?\u2039/b\u203a",
    )
    assert notification_for(replace(mine, assignee_id=8), mine, 7, opened) is not None
    woke = replace(mine, status="in_progress", version=4)
    assert notification_for(mine, woke, 7, opened) == (
        "Customer replied",
        "#10005 Ticket 5 \u2039b\u203abold?\u2039/b\u203a",
    )
    assert notification_for(mine, replace(mine, status="triage", version=4), 7, opened) is not None
    assert notification_for(mine, replace(mine, priority=Priority.HIGH, version=4), 7, opened) is None
    assert notification_for(None, replace(mine, assignee_id=9), 7, opened) is None


# --- the model under live updates: qtmodeltester watches every insert, move and removal ----------------------


def assert_sound(model: TicketTableModel) -> None:
    """Rows in the view's order, each found at its own row."""
    key = sort_key(model.sort_order)
    rows = [model.ticket_at(row) for row in range(model.rowCount())]
    assert None not in rows  # every ticket of these small tests is at hand
    keys = [key(t) for t in rows if t is not None]
    assert keys == sorted(keys)
    assert all(model.row_of(ticket_id) == row for row, ticket_id in enumerate(model.listed_ids()))
    assert len(set(model.listed_ids())) == model.rowCount()


def test_live_inserts_moves_and_removals_keep_the_model_sound_and_sorted(
    model: TicketTableModel, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(model)  # stays attached: every signal below is checked as it is emitted
    model.apply_live([ticket(4, due_minutes=5)], [4])  # 4 moves up, before 1 (10 min)
    assert model.listed_ids() == [4, 1, 2, 3, 5]
    model.apply_live([ticket(1, due_minutes=45)], [1])  # 1 moves down, between 3 (30) and 5 (50)
    assert model.listed_ids() == [4, 2, 3, 1, 5]
    model.apply_live([ticket(2, due_minutes=20, status="in_progress")], [2])  # in place
    assert model.listed_ids() == [4, 2, 3, 1, 5] and model.ticket_at(1).status == "in_progress"  # type: ignore[union-attr]
    model.apply_live([ticket(3, due_minutes=900)], [3])  # now after the loaded pages: out, its page brings it
    assert model.listed_ids() == [4, 2, 1, 5]
    model.apply_live([ticket(77, due_minutes=1), ticket(5, status="closed", due_minutes=50)], [77, 5])
    assert model.listed_ids() == [77, 4, 2, 1]
    model.apply_live([ticket(2, due_minutes=2)], [2, 4])  # 4 is no longer visible to this login
    assert model.listed_ids() == [77, 2, 1]
    assert_sound(model)


def test_a_page_after_live_moves_neither_duplicates_nor_misplaces_a_ticket(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    pages = Pages(hold_after_first=True)  # the tester asks for page 2 at once: it reads the changed tickets
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    qtmodeltester.check(model)
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.apply_live([ticket(7, due_minutes=15)], [7])  # from the next page, now between 1 and 2
    moved = replace(ticket(2, due_minutes=65), version=2)
    model.apply_live([moved], [2])  # now among the next page's tickets: out until that page brings it
    assert model.listed_ids() == [1, 7, 3, 4, 5]
    pages.tickets = sorted([*pages.tickets[2:], moved], key=sort_key(SortOrder.SLA_DUE))
    pages.tickets.insert(0, ticket(1, due_minutes=10))  # the page was read before 7's change: it still has 7
    pages.released.set()
    while model.has_more:  # page 2 drops its stale 7, so a third page brings 10 (the tester may ask too)
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading)
    assert model.listed_ids() == [1, 7, 3, 4, 5, 6, 2, 8, 9, 10]
    assert model.ticket_at(1).sla_due_at == NOW + dt.timedelta(minutes=15)  # type: ignore[union-attr]
    assert_sound(model)
    model.stop()


def test_the_model_holds_at_most_row_limit_rows(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ticket_table, "ROW_LIMIT", 7)
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(Pages(), TicketFilter(), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)  # a page is not cut in two
    assert model.has_more is False and not model.capped  # the last page: nothing more to hold
    pages = Pages()
    pages.tickets = [ticket(n, due_minutes=n) for n in range(1, 31)]
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.capped and not model.canFetchMore()  # held: 10 of 30, no more asked for
    assert len(pages.calls) == 2
    model.stop()


def test_placing_a_page_is_not_a_walk_over_every_row(qtbot: QtBot) -> None:
    """Before, each page built a set of every loaded id and each live ticket walked the rows to find its
    own: quadratic over a long queue. Now a page and a lookup touch only their own tickets."""

    class CountingRows(list[tuple[object, ...]]):
        walks = 0

        def __iter__(self) -> Iterator[tuple[object, ...]]:
            CountingRows.walks += 1
            return super().__iter__()

    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    pages = Pages()
    pages.tickets = [ticket(n, due_minutes=n) for n in range(1, 21)]
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model._keys = CountingRows(model._keys)  # the rows' places, in order
    for _ in range(3):
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading)
    assert model.row_of(17) == 16
    model.apply_live([ticket(3, due_minutes=100)], [3])
    assert CountingRows.walks == 0
    model.stop()


# --- places after the first page, the rows' tickets read as they are shown -----------------------------------


class PlacesPages(Pages):
    """The desk's contract: the first page whole, the pages after it as places; `read` answers the tickets
    of the rows shown (`now`: the tickets as they are now, by id; one missing is gone)."""

    def __init__(self, count: int = 20) -> None:
        super().__init__()
        self.tickets = [ticket(n, due_minutes=n * 10) for n in range(1, count + 1)]
        self.now = {t.id: t for t in self.tickets}
        self.reads: list[list[int]] = []

    def __call__(self, cursor: PageCursor | None) -> TicketPage | TicketPlaces:  # type: ignore[override]
        page = super().__call__(cursor)
        if cursor is None:
            return page
        return TicketPlaces(tuple((t.id, t.sla_due_at, t.version) for t in page.rows), page.next_cursor)

    def read(self, ids: list[int]) -> list[TicketSummary]:
        self.reads.append(list(ids))
        return [self.now[i] for i in ids if i in self.now]


def test_rows_after_the_first_page_hold_places_and_are_read_when_shown(qtbot: QtBot) -> None:
    pages = PlacesPages()
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE, read_rows=pages.read)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.ticket_at(7) is None and model.ticket_id_at(7) == 8  # its place only
    assert model.data(model.index(7, 1)) == "…"  # shown while it is read
    assert model.data(model.index(8, 1)) == "…"  # a neighbour: asked for already, not read twice
    qtbot.waitUntil(lambda: model.ticket_at(7) is not None)
    assert [sorted(read) for read in pages.reads] == [[6, 7, 8, 9, 10]]  # one read: it and its neighbours
    assert model.data(model.index(7, 1)) == "Ticket 8 <b>bold?</b>"
    assert model.data(model.index(7, 0)) == "#10008"
    model.stop()


def test_a_row_read_later_is_shown_as_it_is_now_or_leaves_when_gone(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    pages = PlacesPages()
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    qtmodeltester.check(model)  # stays attached, and asks for every cell: the rows are read as they come
    del pages.now[7]  # since its place was read: moved to a queue this login cannot see
    pages.now[8] = replace(ticket(8, due_minutes=1, status="in_progress"), version=2)  # now due first
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE, read_rows=pages.read)
    qtbot.waitUntil(lambda: model.rowCount() >= 5)
    while model.has_more:
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading)
    model.data(model.index(6, 1))
    qtbot.waitUntil(lambda: model.ticket_at(0) is not None and model.ticket_at(0).id == 8)  # type: ignore[union-attr]
    assert model.listed_ids() == [8, 1, 2, 3, 4, 5, 6, *range(9, 21)]
    assert model.ticket_at(0).status == "in_progress"  # type: ignore[union-attr]
    for row in range(model.rowCount()):
        model.data(model.index(row, 1))  # as a view scrolled over every row would
    qtbot.waitUntil(lambda: None not in [model.ticket_at(row) for row in range(model.rowCount())])
    assert_sound(model)
    model.stop()


def test_the_model_holds_a_bounded_number_of_tickets_and_reads_the_others_again(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ticket_table, "CACHED_ROWS", 3)
    pages = PlacesPages()
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE, read_rows=pages.read)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    held = [model.ticket_at(row) is not None for row in range(5)]
    assert held == [False, False, True, True, True]  # 1 and 2 let go: the first in, the first out
    model.data(model.index(3, 0))  # shown lately: the last to go
    assert model.data(model.index(0, 0)) == ""
    qtbot.waitUntil(lambda: model.ticket_at(0) is not None)
    assert [sorted(read) for read in pages.reads] == [[1, 2]]
    assert [model.ticket_at(row) is not None for row in range(5)] == [True, True, False, True, False]
    model.stop()


def test_a_failed_read_of_rows_is_reported_once_and_not_retried_in_a_loop(qtbot: QtBot) -> None:
    pages = PlacesPages()
    failures: list[object] = []

    def broken(ids: list[int]) -> list[TicketSummary]:
        pages.reads.append(ids)
        raise ConnectionError("server went away")

    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.page_failed.connect(failures.append)
    model.show_view(pages, TicketFilter(), SortOrder.SLA_DUE, read_rows=broken)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    model.data(model.index(8, 1))
    qtbot.waitUntil(lambda: len(failures) == 1)
    model.data(model.index(9, 1))  # painted again: nothing more is asked until the view is shown again
    qtbot.wait(50)
    assert len(pages.reads) == 1 and len(failures) == 1
    model.stop()


class HeldReads(PlacesPages):
    """Reads that wait until the test lets them answer (or fail), so a change can land while one is out."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = threading.Event()
        self.fail = False

    def read(self, ids: list[int]) -> list[TicketSummary]:
        answer = super().read(ids)
        assert self.answer.wait(10), "the test never let the read answer"
        if self.fail:
            raise ConnectionError("server went away")
        return answer


def loaded_with_places(qtbot: QtBot, pages: PlacesPages) -> TicketTableModel:
    model = TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(pages, TicketFilter(statuses=("new", "in_progress")), SortOrder.SLA_DUE, read_rows=pages.read)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    return model


def test_a_read_that_answers_late_never_undoes_a_newer_change(qtbot: QtBot) -> None:
    pages = HeldReads()
    model = loaded_with_places(qtbot, pages)
    model.data(model.index(7, 1))  # ticket 8's row is read: the read is out
    qtbot.waitUntil(lambda: len(pages.reads) == 1)
    closed = replace(ticket(8, status="closed", due_minutes=80), version=2)
    model.apply_live([closed], [8])  # saved and closed meanwhile: out of this view
    moved = replace(ticket(9, due_minutes=1), version=2)
    model.apply_live([moved], [9])  # and 9 is due first now
    pages.answer.set()  # the read answers with 8 and 9 as they were (version 1)
    qtbot.waitUntil(lambda: model.runner.in_flight == 0 and not model._reading)
    assert 8 not in model.listed_ids()  # not brought back
    assert model.listed_ids()[0] == 9 and model.ticket_at(0) == moved  # not moved back
    model.stop()


def test_a_read_failing_after_the_view_changed_leaves_the_new_view_reading(qtbot: QtBot) -> None:
    old = HeldReads()
    old.fail = True
    model = loaded_with_places(qtbot, old)
    model.data(model.index(7, 1))
    qtbot.waitUntil(lambda: len(old.reads) == 1)
    new = PlacesPages()
    model.show_view(new, TicketFilter(), SortOrder.SLA_DUE, read_rows=new.read)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    model.data(model.index(8, 1))  # asked while the old view's read is still out
    old.answer.set()  # it fails: the new view's rows are read all the same
    qtbot.waitUntil(lambda: model.ticket_at(8) is not None)
    assert [sorted(read) for read in new.reads] == [[6, 7, 8, 9, 10]]
    model.stop()


def test_no_read_starts_once_the_window_closed(qtbot: QtBot) -> None:
    pages = HeldReads()
    model = loaded_with_places(qtbot, pages)
    model.data(model.index(7, 1))
    qtbot.waitUntil(lambda: len(pages.reads) == 1)
    model.data(model.index(5, 1))  # rows asked for while the read is out
    model.stop()
    pages.answer.set()
    qtbot.waitUntil(lambda: model.runner.in_flight == 0)
    qtbot.wait(20)
    assert len(pages.reads) == 1
