"""When a follower of the change log missed entries that housekeeping deleted (`changes.missed_by`): every
deleted entry lies at or below the newest position housekeeping recorded; the follower applied everything up
to its position and every entry of a transaction below the horizon it last read the log up to."""

from __future__ import annotations

from app.services.platform.changes import missed_by


def test_nothing_deleted_or_deleted_below_the_position_is_not_missed() -> None:
    assert not missed_by(None, (10, 5), covered=0)
    assert not missed_by((10, 5), (10, 5), covered=0)
    assert not missed_by((9, 99), (10, 5), covered=0)


def test_deleted_entries_of_transactions_below_the_horizon_read_up_to_are_not_missed() -> None:
    """A quiet login: its position stays behind (it sees none of the entries), its horizon moves on."""
    assert not missed_by((500, 3), (10, 5), covered=501)


def test_deleted_entries_past_both_are_missed() -> None:
    assert missed_by((500, 3), (10, 5), covered=500)
    assert missed_by((500, 3), (10, 5), covered=0)
    assert missed_by((10, 6), (10, 5), covered=10)
