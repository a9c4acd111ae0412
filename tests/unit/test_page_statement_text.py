"""A page statement's text is compiled in two halves (`queries._page_sql`): the summary's columns around
the inner walk once per order, the walk once per shape. The spliced text must be exactly the text of the
whole statement compiled at once, for every kind of shape: each sort, each cursor, unions, text, tags,
merged tickets, places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from app.services.tickets import queries
from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter

FILTERS = (
    TicketFilter(statuses=("new", "in_progress", "waiting", "pending", "answered")),
    TicketFilter(statuses=("waiting", "pending"), queue_id=3),
    TicketFilter(),
    TicketFilter(statuses=("new",), queue_id=3, text="refund 12 café"),
    TicketFilter(statuses=("resolved",), unassigned=True, tag="vip", priorities=()),
    TicketFilter(assignee_id=4, include_merged=True),
)
NOW = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)


def cursors(sort: SortOrder) -> tuple[PageCursor | None, ...]:
    dated = PageCursor(2 if sort is SortOrder.PRIORITY else NOW, 5)
    return (None, dated, PageCursor(None, 5)) if sort is SortOrder.SLA_DUE else (None, dated)


def built(
    monkeypatch: pytest.MonkeyPatch, f: TicketFilter, sort: SortOrder, after: PageCursor | None, places: bool
) -> tuple[queries.PageShape, Callable[[], queries.PageStatement]]:
    made: list[tuple[queries.PageShape, Callable[[], queries.PageStatement]]] = []

    def page(
        _uow: Any, shape: queries.PageShape, build: Callable[[], queries.PageStatement], _values: Any
    ) -> list[Any]:
        made.append((shape, build))
        return []

    monkeypatch.setattr(queries, "_page", page)
    queries._page_rows(None, f, sort, after, 100, places=places)  # type: ignore[arg-type]
    return made[0]


@pytest.mark.parametrize("places", [False, True])
@pytest.mark.parametrize("sort", list(SortOrder))
def test_the_spliced_page_text_is_the_whole_statement_compiled_at_once(
    monkeypatch: pytest.MonkeyPatch, sort: SortOrder, places: bool
) -> None:
    dialect = postgresql.psycopg.dialect()
    for f in FILTERS:
        for after in cursors(sort):
            shape, build = built(monkeypatch, f, sort, after, places)
            whole = build().select().compile(dialect=dialect, compile_kwargs={"render_postcompile": True}).string
            monkeypatch.setattr(queries, "_PAGE_SQL", {})
            assert queries._page_sql(shape, build, dialect) == whole, (f, sort, after)
