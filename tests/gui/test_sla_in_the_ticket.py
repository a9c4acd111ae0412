"""The ticket's SLA where the agent works (issue 14; usability probe, 2026-12-07): the header names the
running clock and its due time, the queue's tooltip says which clock it counts, and "Why then?" (the header's
link, Ticket ▸ Why is it due then?) shows the ledger in words, as `switchboard sla explain` does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.views.sla_dialog import due_words
from app.views.sla_line import sla_words
from app.vocabulary import Priority
from tests.support.desk_window import close_window, open_desk_window
from tests.support.summaries import made_up_summary
from tests.support.world import World, build_world

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_the_header_names_the_running_clock_or_why_none_runs() -> None:
    due_later = made_up_summary(1, now=NOW, due_minutes=90)
    assert sla_words(due_later, NOW).startswith("Resolution due ")
    assert sla_words(made_up_summary(2, now=NOW, due_minutes=-30), NOW).startswith("Resolution overdue since ")
    answered_first = made_up_summary(3, now=NOW, due_minutes=None)
    assert sla_words(answered_first, NOW) == "No SLA clock running"
    paused = made_up_summary(4, now=NOW, due_minutes=90)
    paused = paused.__class__(**{**paused.__dict__, "sla_due_at": None})
    assert sla_words(paused, NOW) == "SLA paused"  # a due time kept, none running
    assert sla_words(answered_first, NOW, "Waiting on customer") == "SLA paused while Waiting on customer"
    first = made_up_summary(5, now=NOW, due_minutes=240)
    first = first.__class__(**{**first.__dict__, "first_response_due_at": NOW + dt.timedelta(minutes=20)})
    first = first.__class__(**{**first.__dict__, "sla_due_at": first.first_response_due_at})
    assert sla_words(first, NOW).startswith("First response due ")


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    targets = {p.label: {"first_response": 60, "resolution": 1440} for p in Priority}
    with committed_runtime.uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, ladder)"
                " VALUES ('Every ticket', 100, CAST(:targets AS jsonb), false, '[]')"
            ),
            {"targets": json.dumps(targets)},
        )
        uow.commit()
    with world.uow("alice") as uow:
        service.create_ticket(uow, subject="Card declined", customer_id=world.jane, queue_id=world.billing, body="Hi")
        uow.commit()
    while sla_sweep(committed_runtime.uow)["tickets"]:  # the worker's sweep stores its due times
        pass
    return world


@pytest.mark.slow
def test_a_due_time_is_said_on_the_calendars_clock_too_when_that_reads_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "due Tue 01 Dec 09:00" above ledger lines saying "10:00 CET" read as two times to a lead."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    due = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    try:
        assert due_words(due, "Europe/Berlin") == "Tue 01 Dec 09:00 your time (Tue 10:00 CET, the calendar's)"
        assert due_words(due, "UTC") == "Tue 01 Dec 09:00"
        assert due_words(due, "Mars/Olympus_Mons") == "Tue 01 Dec 09:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_why_then_shows_the_ledger_in_words(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    window = open_desk_window(qtbot, engine, tmp_path)
    qtbot.waitUntil(lambda: window.editor.detail is not None, timeout=10_000)
    header = window.editor.header_form
    assert header.sla.full_text.startswith("First response due ")
    window.actions_by_text["Why is it due then?"].trigger()
    dialog = window.editor.sla_dialog
    qtbot.waitUntil(lambda: "Every ticket" in dialog.text.toPlainText(), timeout=5000)
    said = dialog.text.toPlainText()
    assert "First response: 60 min, due " in said and "(running)" in said
    assert "Resolution: 1440 min" in said
    assert dialog.windowTitle() == f"Why is #{window.editor.detail.ticket.number} due then?"  # type: ignore[union-attr]
    dialog.close()
    close_window(window, qtbot)
