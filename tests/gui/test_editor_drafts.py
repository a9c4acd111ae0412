"""The draft journal (issue 11, finding 12): every change is in the file before the next key, fsyncs are
batched on a background thread, and opening compacts what a day of typing appended."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from app.views.drafts import JOURNAL, Draft, DraftStore


def journal_lines(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (directory / JOURNAL).read_text(encoding="utf-8").splitlines()]


def sync_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "switchboard-draft-sync"]


def test_every_change_is_in_the_journal_at_once_and_a_new_store_reads_it_back(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    typed = ""
    for letter in "Dear Jane, ünïcode ✓ 🙂":
        typed += letter
        store.save(Draft(7, "reply", typed))
        assert journal_lines(tmp_path)[-1] == {"t": 7, "m": "reply", "x": typed}  # no delay, no flush
    store.save(Draft(8, "note", "Checked the logs"))
    store.save(Draft(9, "reply", "Sent already"))
    store.discard(9)
    again = DraftStore(tmp_path)  # as after kill -9: nothing was flushed or closed
    assert again.load(7) == Draft(7, "reply", "Dear Jane, ünïcode ✓ 🙂")
    assert again.load(8) == Draft(8, "note", "Checked the logs")
    assert again.load(9) is None
    store.close()
    again.close()


def test_opening_compacts_the_journal_to_one_line_per_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for n in range(1, 200):
        store.save(Draft(1, "reply", "x" * n))
    store.save(Draft(2, "reply", "keep me"))
    store.save(Draft(3, "reply", "gone"))
    store.save(Draft(3, "reply", " "))  # emptied: a discard
    store.close()
    assert len(journal_lines(tmp_path)) == 202
    compacted = DraftStore(tmp_path)
    assert journal_lines(tmp_path) == [
        {"t": 1, "m": "reply", "x": "x" * 199},
        {"t": 2, "m": "reply", "x": "keep me"},
    ]
    assert not list(tmp_path.glob(".*.tmp"))
    compacted.close()


def test_a_torn_last_line_and_the_old_per_ticket_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "ticket-5.json").write_text(json.dumps({"ticket_id": 5, "mode": "note", "text": "from before"}))
    (tmp_path / "ticket-6.json").write_text(json.dumps({"ticket_id": 6, "mode": "reply", "text": "old"}))
    (tmp_path / JOURNAL).write_bytes(
        b'{"t":6,"m":"reply","x":"newer than the file"}\n{"t":7,"m":"reply","x":"whole"}\n{"t":7,"m":"rep'
    )
    store = DraftStore(tmp_path)
    assert store.load(5) == Draft(5, "note", "from before")
    assert store.load(6) == Draft(6, "reply", "newer than the file")
    assert store.load(7) == Draft(7, "reply", "whole")
    assert not list(tmp_path.glob("ticket-*.json"))  # taken into the journal
    store.save(Draft(7, "reply", "whole, and more"))  # appends after the compacted lines, never glued to a torn one
    store.close()
    assert DraftStore(tmp_path).load(7) == Draft(7, "reply", "whole, and more")


def test_fsyncs_are_batched_on_a_background_thread_that_flush_stops(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for n in range(1, 501):
        store.save(Draft(1, "reply", "y" * n))
    assert sync_threads(), "the fsyncs run on their own thread"
    store.flush()
    assert 1 <= store.syncs < 100  # five hundred changes, a handful of fsyncs
    assert not sync_threads()  # quitting leaves no thread behind
    store.save(Draft(1, "reply", "after a flush"))  # and it starts again for the next change
    store.close()
    assert not sync_threads()
    assert DraftStore(tmp_path).load(1) == Draft(1, "reply", "after a flush")


def test_a_second_process_of_the_same_login_does_not_compact_under_the_first(tmp_path: Path) -> None:
    first = DraftStore(tmp_path)
    first.save(Draft(1, "reply", "a"))
    first.save(Draft(1, "reply", "ab"))
    second = DraftStore(tmp_path)  # the first still holds its lock: the journal stays as it is
    assert len(journal_lines(tmp_path)) == 2 and second.load(1) == Draft(1, "reply", "ab")
    first.save(Draft(1, "reply", "abc"))
    first.close()
    second.close()
    assert DraftStore(tmp_path).load(1) == Draft(1, "reply", "abc")


def test_a_torn_line_is_never_glued_to_the_next_change_when_another_process_keeps_the_journal(tmp_path: Path) -> None:
    holder = DraftStore(tmp_path)  # another client of the same login keeps the journal from being compacted
    holder.save(Draft(1, "reply", "one"))
    with open(tmp_path / JOURNAL, "ab") as journal:
        journal.write(b'{"t":2,"m":"rep')  # torn, as a power cut leaves it
    store = DraftStore(tmp_path)
    store.save(Draft(3, "reply", "three"))
    holder.close()
    store.close()
    after = DraftStore(tmp_path)
    assert (after.load(1), after.load(2), after.load(3)) == (Draft(1, "reply", "one"), None, Draft(3, "reply", "three"))
    after.close()


def test_a_ticket_has_a_reply_and_a_note_each_kept_and_opened_in_the_mode_last_written(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(Draft(4, "note", "On the churn list"))
    store.save(Draft(4, "reply", "Dear Jane,"))
    assert (store.load(4), store.load(4, "note")) == (
        Draft(4, "reply", "Dear Jane,"),
        Draft(4, "note", "On the churn list"),
    )
    store.save(Draft(4, "note", "On the churn list; asked finance"))  # written last: the ticket opens on it
    store.save(Draft(5, "reply", "sent"))
    store.discard(5, "reply")
    store.save(Draft(6, "reply", "r"))
    store.save(Draft(6, "note", "n"))
    store.discard(6)  # both
    store.close()
    again = DraftStore(tmp_path)  # compacted, in the order they were last written
    assert again.load(4) == Draft(4, "note", "On the churn list; asked finance")
    assert again.load(4, "reply") == Draft(4, "reply", "Dear Jane,")
    assert (again.load(5), again.load(6), again.load(6, "note")) == (None, None, None)
    assert journal_lines(tmp_path) == [
        {"t": 4, "m": "reply", "x": "Dear Jane,"},
        {"t": 4, "m": "note", "x": "On the churn list; asked finance"},
    ]
    again.close()


def test_a_discard_an_earlier_version_journalled_without_a_mode_takes_both(tmp_path: Path) -> None:
    (tmp_path / JOURNAL).write_bytes(b'{"t":3,"m":"note","x":"n"}\n{"t":3,"m":"reply","x":"r"}\n{"t":3,"x":null}\n')
    store = DraftStore(tmp_path)
    assert (store.load(3), store.load(3, "note")) == (None, None)
    store.close()
