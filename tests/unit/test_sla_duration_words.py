"""Durations as a team lead types them into the policy editor, and back as the editor shows them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.sla.dto import minutes_from_words, minutes_words


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("240", 240),
        ("4 h", 240),
        ("4 hours", 240),
        ("1 h 30 min", 90),
        ("1h30", 90),
        ("1H 30M", 90),
        ("1.5 h", 90),
        ("2,5h", 150),
        ("1:30", 90),
        ("90 min", 90),
        ("  45  ", 45),
        ("0", 0),
    ],
)
def test_a_duration_is_read_as_people_write_it(typed: str, minutes: int) -> None:
    assert minutes_from_words(typed) == minutes


@pytest.mark.parametrize("typed", ["", "two", "3 days", "1d", "h", "1.51 h", "1:75", "-5", "1 h 30 min 20 s"])
def test_what_is_not_a_whole_number_of_minutes_is_none(typed: str) -> None:
    assert minutes_from_words(typed) is None


@given(st.integers(min_value=0, max_value=525_600))
def test_what_the_editor_shows_reads_back_as_the_same_minutes(minutes: int) -> None:
    assert minutes_from_words(minutes_words(minutes)) == minutes
