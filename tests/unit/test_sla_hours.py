"""Opening hours as people write them (`parse_hours`, the CLI's --hours and the calendar editor's cells): the
Middle East's Sunday-to-Thursday week, 9am-5pm, 10-14, an en dash and a night shift were all refused."""

from __future__ import annotations

import pytest

from app.services.errors import InvalidInput
from app.services.platform.week_hours import parse_hours

NINE_TO_FIVE = ((540, 1020),)


@pytest.mark.parametrize(
    ("line", "weekly"),
    [
        ("mon-fri 09:00-17:00", {d: NINE_TO_FIVE for d in range(5)}),
        ("sun-thu 09:00-17:00", {d: NINE_TO_FIVE for d in (6, 0, 1, 2, 3)}),
        ("fri-mon 9am-5pm", {d: NINE_TO_FIVE for d in (4, 5, 6, 0)}),
        ("Mon\u2013Fri 9\u201317", {d: NINE_TO_FIVE for d in range(5)}),
        ("sat 10-14", {5: ((600, 840),)}),
        ("mon 12am-12pm", {0: ((0, 720),)}),
        ("fri 22:00-06:00", {4: ((1320, 1440),), 5: ((0, 360),)}),
        ("sun 20:00-24:00", {6: ((1200, 1440),)}),
        ("sun 22:00-00:00", {6: ((1320, 1440),)}),
        # intervals with a space between, and spaces inside one (a real-world probe: quoted as one, refused)
        ("mon 08:00-12:00 13:00-17:00", {0: ((480, 720), (780, 1020))}),
        ("mon 9 am - 5 pm", {0: NINE_TO_FIVE}),
        ("tue 22-6", {1: ((1320, 1440),), 2: ((0, 360),)}),  # a night written bare: from the evening, so a night
    ],
)
def test_hours_as_people_write_them(line: str, weekly: dict[int, tuple[tuple[int, int], ...]]) -> None:
    assert parse_hours([line]) == dict(sorted(weekly.items()))


@pytest.mark.parametrize(
    "line", ["mon 09:00-25:00", "mon 13pm-2pm", "mon 09:00-09:00", "mon 09:61-10:00", "xyz 09:00-17:00", "mon"]
)
def test_hours_no_one_means_are_refused_in_words(line: str) -> None:
    with pytest.raises(InvalidInput):
        parse_hours([line])


def test_bare_hours_running_backwards_in_the_morning_are_asked_about() -> None:
    """ "mon-fri 9-5" was saved as 09:00 until 05:00 the next morning: 20 hours a day, into Saturday."""
    with pytest.raises(InvalidInput, match=r"'9-5' reads as 09:00 until 05:00 the next morning: write 09:00-17:00"):
        parse_hours(["mon-fri 9-5"])
