"""The live listener on a real server, as each person's own login: it says when it really listens, and a
change is never left waiting for the next one (issue 11: "connected" before LISTEN had succeeded)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from app.services.platform import live
from app.services.platform.database.engine import build_engine
from app.services.platform.live_notices import ChangeNotice
from tests.support.desk import Desk

WAIT_S = 10


@dataclass
class Listening:
    """A listener on its own thread: notices land in `changes`; `listening` is set by `on_listening`."""

    changes: queue.Queue[ChangeNotice] = field(default_factory=queue.Queue)
    listening: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)

    def wait_for(self, ticket_id: int) -> ChangeNotice:
        while True:
            notice = self.changes.get(timeout=WAIT_S)  # queue.Empty fails the test: it never came
            if ticket_id in (notice.ticket_ids or ()):
                return notice


@pytest.fixture
def alice_listens(desk: Desk) -> Iterator[Listening]:
    engine = build_engine(desk.url.set(username=desk.login("alice"), password=None))
    state = Listening()

    def run() -> None:
        try:
            live.listen(engine, state.changes.put, lambda _p: None, state.stop.is_set, state.listening.set)
        except BaseException as error:  # the test asserts none happened
            state.errors.append(error)

    thread = threading.Thread(target=run, name="test-live", daemon=True)
    thread.start()
    assert state.listening.wait(WAIT_S), "the listener never said it listens"
    yield state
    state.stop.set()
    thread.join(timeout=WAIT_S)
    engine.dispose()
    assert not thread.is_alive() and state.errors == []


def test_the_listener_says_it_listens_only_once_its_listen_is_on_the_server(
    desk: Desk, alice_listens: Listening
) -> None:
    with desk.connect_as_dba() as dba:
        channels = dba.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'switchboard-live' "
            "AND datname = current_database() AND usename = %s",
            (desk.login("alice"),),
        ).fetchone()
    assert channels == (1,)
    with desk.connect("ann") as ann:  # right after "listening": this change must arrive
        ann.execute("UPDATE ticket SET priority = 3, version = version + 1 WHERE id = %s", (desk.ids["billing_anns"],))
    assert alice_listens.wait_for(desk.ids["billing_anns"]).ticket_ids == (desk.ids["billing_anns"],)


def test_a_change_held_back_by_an_older_transaction_arrives_when_that_one_ends(
    desk: Desk, alice_listens: Listening
) -> None:
    """Its NOTIFY arrives while an older transaction still runs, so the log's horizon hides it from the read
    the hint causes; nothing else changes afterwards. It must still arrive once the older one ends (before,
    it waited for somebody's next change, however long that took)."""
    with desk.connect("bob") as older:
        older.execute("BEGIN")
        older.execute("SELECT pg_current_xact_id()")  # an xid older than the change below
        with desk.connect("ann") as ann:
            ann.execute(
                "UPDATE ticket SET priority = 2, version = version + 1 WHERE id = %s", (desk.ids["billing_anns"],)
            )
        with pytest.raises(queue.Empty):  # held back: below the horizon only once `older` ends
            alice_listens.changes.get(timeout=1)
        older.execute("COMMIT")  # commits nothing alice would hear of: no NOTIFY
    assert alice_listens.wait_for(desk.ids["billing_anns"]).ticket_ids == (desk.ids["billing_anns"],)
